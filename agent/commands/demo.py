"""`dossier demo`: build the bundled demo workspace offline and print a brief.

The demo goes through the same research tools as a real account: each demo account's
`recordings.yaml` maps real endpoint URLs to recorded responses, which a replay transport
serves instead of the network. Documents that no API serves (call transcripts, the CSM's
notes, a reviews export) are added as local files, as `dossier add` would.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress

from agent.commands.common import (
    Format,
    deps_from,
    err,
    handle_errors,
    report_error,
    report_notice,
    report_warning,
    write_output,
)
from agent.schemas import Account, BriefRequest

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.deps import Deps

DEFAULT_ACCOUNT = "larkspur-home"
MANIFEST = "recordings.yaml"
#: Our own (fictional) company's profile, copied into the demo workspace.
DEMO_SELLER = "seller.toml"


def demo_dir() -> Path:
    """The bundled demo book and its accounts' documents."""
    return Path(str(resources.files("agent.demo")))


def recorded_files(account_id: str) -> set[str]:
    """The files of a demo account that stand for API responses."""
    from knowledge.yaml_text import load_yaml

    manifest = demo_dir() / account_id / MANIFEST
    if not manifest.is_file():
        return set()
    return {entry["file"] for entry in load_yaml(manifest.read_text(encoding="utf-8"))}


def demo_files(account_id: str) -> list[Path]:
    """The documents of one demo account that are added as local files, in a stable order."""
    folder = demo_dir() / account_id
    if not folder.is_dir():
        return []
    skip = recorded_files(account_id) | {MANIFEST}
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in skip)


def build_demo_account(deps: Deps, account: Account) -> list[str]:
    """Research one demo account against its recordings, add its local files; the problems."""
    from agent.deps import Deps
    from agent.pipeline import ingest
    from agent.research import research
    from tools.http import HttpClient
    from tools.replay import ReplayTransport

    manifest = demo_dir() / account.account_id / MANIFEST
    replayed = Deps(
        settings=deps.settings,
        store=deps.store,
        http=HttpClient(deps.settings, transport=ReplayTransport.from_manifest(manifest)),
        clock=deps.clock,
    )
    with replayed.http:
        report = research(replayed, account)
    problems = [f"{account.account_id} {o.tool}: {o.error}" for o in report.failed]
    added = ingest(deps, account, demo_files(account.account_id))
    return problems + added.errors


def install_demo_seller(settings: Settings) -> bool:
    """Copy the demo's seller profile into the workspace unless it has one; True if copied."""
    from agent.seller import SELLER_FILE, profile_path

    if profile_path(settings) is not None:
        return False
    settings.home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_dir() / DEMO_SELLER, settings.home / SELLER_FILE)
    return True


def import_demo_crm(settings: Settings) -> list[str]:
    """Load the demo's contacts, usage, tickets and meetings exports; the rows rejected."""
    from agent.crm import CRM_KINDS, import_crm_file

    problems: list[str] = []
    for kind in CRM_KINDS:
        path = demo_dir() / "crm" / f"{kind}.csv"
        if path.is_file():
            problems += import_crm_file(settings, kind, path).problems
    return problems


@handle_errors
def demo(
    ctx: typer.Context,
    account: Annotated[str, typer.Option("--account", "-a", help="Demo account to brief.")] = (
        DEFAULT_ACCOUNT
    ),
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Build the demo workspace offline and print one account's brief.

    Imports the demo book and its CRM exports, researches the accounts from recorded
    responses through the real tools, and adds their local documents. Running it again is cheap:
    unchanged documents are neither stored again nor re-embedded.
    """
    from agent.book import find_account, import_csv, upsert_accounts
    from agent.pipeline import brief as build_brief
    from agent.render import render

    deps = deps_from(ctx)
    book = import_csv(demo_dir() / "book.csv")
    for problem in book.problems:
        report_error(problem)
    upsert_accounts(deps.settings, book.accounts)
    install_demo_seller(deps.settings)
    for problem in import_demo_crm(deps.settings):
        report_error(problem)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("building the demo workspace", total=len(book.accounts))
        for target in book.accounts:
            progress.update(task, description=f"researching {target.name}")
            for problem in build_demo_account(deps, target):
                report_warning(problem)
            progress.advance(task)
    err.print(f"demo workspace ready in {deps.settings.home} ({len(book.accounts)} accounts)")
    target = find_account(deps.settings, account)
    # The workspace was just researched from recordings; in LLM mode the model writes from it.
    request = BriefRequest(account_id=target.account_id, research=False)
    briefing = build_brief(deps, target, request)
    for notice in briefing.notices:
        report_notice(notice)
    write_output(render(briefing, fmt), output)
