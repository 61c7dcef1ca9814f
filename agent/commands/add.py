"""`dossier add ACCOUNT PATH...`: ingest local files into an account's knowledge store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress

from agent.commands.common import (
    deps_from,
    err,
    handle_errors,
    out,
    report_error,
    report_warning,
)
from agent.schemas import SourceKind


@handle_errors
def add(
    ctx: typer.Context,
    account: Annotated[
        str, typer.Argument(help="Account id or name; created if the book lacks it.")
    ],
    inputs: Annotated[list[str], typer.Argument(help="Files or http(s) URLs to ingest.")],
    kind: Annotated[
        SourceKind | None, typer.Option("--kind", help="Source kind; inferred when omitted.")
    ] = None,
) -> None:
    """Ingest local files or URLs into an account's knowledge store.

    Transcripts, notes, pages, job-board or SEC JSON, feeds and review CSVs are recognized;
    a URL is fetched as a web page, or as a transcript with --kind earnings_call. Re-adding the
    same file changes nothing. A file that cannot be read is reported on one
    line and the other files are still ingested; a progress bar on stderr follows the
    embedding of long documents.
    """
    from agent.book import ensure_account
    from agent.pipeline import ingest  # the readers, chunker and embedder load only to ingest
    from tools.controls import strip_controls

    deps = deps_from(ctx)
    target = ensure_account(deps.settings, account)
    with deps.http, Progress(console=err, transient=True) as progress:
        task = progress.add_task("reading", total=None)

        def advanced(item: str, done: int, total: int) -> None:
            # a file name is shown, never read as rich markup or terminal codes
            name = escape(strip_controls(Path(item).name if "://" not in item else item))
            if not total:
                progress.update(task, description=f"reading {name}", completed=0, total=None)
            else:
                what = f"embedding {name} ({done:,} of {total:,} chunks)"
                progress.update(task, description=what, completed=done, total=total)

        report = ingest(deps, target, inputs, kind, on_progress=advanced)
    for problem in report.errors:
        report_error(problem)
    for warning in report.warnings:
        report_warning(warning)
    out.print(
        f"{target.account_id}: {len(report.new)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged sources"
    )
    if report.errors:
        raise typer.Exit(1)
