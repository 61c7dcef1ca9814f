"""`dossier demo`: build the bundled demo workspace offline and print a brief."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from agent.book import find_account, import_csv, upsert_accounts
from agent.commands.common import (
    deps_from,
    err,
    handle_errors,
    report_error,
    warn_if_llm_requested,
    write_output,
)
from agent.pipeline import brief as build_brief
from agent.pipeline import ingest
from agent.render import Format, render
from agent.schemas import BriefRequest

DEFAULT_ACCOUNT = "larkspur-home"


def demo_dir() -> Path:
    """The bundled demo book and its accounts' documents."""
    return Path(str(resources.files("agent.demo")))


def demo_files(account_id: str) -> list[Path]:
    """The documents of one demo account, in a stable order."""
    folder = demo_dir() / account_id
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


@handle_errors
def demo(
    ctx: typer.Context,
    account: Annotated[str, typer.Option("--account", "-a", help="Demo account to brief.")] = (
        DEFAULT_ACCOUNT
    ),
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Import the demo book, ingest its documents (offline), and print one account's brief.

    Running it again is cheap: unchanged documents are neither re-parsed into new sources
    nor re-embedded.
    """
    deps = deps_from(ctx)
    warn_if_llm_requested(deps.settings)
    book = import_csv(demo_dir() / "book.csv")
    upsert_accounts(deps.settings, book.accounts)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("building the demo workspace", total=len(book.accounts))
        for target in book.accounts:
            progress.update(task, description=f"ingesting {target.name}")
            report = ingest(deps, target, demo_files(target.account_id))
            for problem in report.errors:
                report_error(problem)
            progress.advance(task)
    err.print(f"demo workspace ready in {deps.settings.home} ({len(book.accounts)} accounts)")
    target = find_account(deps.settings, account)
    briefing = build_brief(deps, target, BriefRequest(account_id=target.account_id))
    write_output(render(briefing, fmt), output)
