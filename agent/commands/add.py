"""`dossier add ACCOUNT PATH...`: ingest local files into an account's knowledge store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.book import ensure_account
from agent.commands.common import deps_from, handle_errors, out, report_error, report_warning
from agent.pipeline import ingest
from agent.schemas import SourceKind


@handle_errors
def add(
    ctx: typer.Context,
    account: Annotated[
        str, typer.Argument(help="Account id or name; created if the book lacks it.")
    ],
    paths: Annotated[list[Path], typer.Argument(help="Files to ingest.")],
    kind: Annotated[
        SourceKind | None, typer.Option("--kind", help="Source kind; inferred when omitted.")
    ] = None,
) -> None:
    """Ingest local files (transcripts, notes, HTML, job-board or SEC JSON, feeds, review CSVs).

    Re-adding the same file changes nothing. A file that cannot be read is reported on one
    line and the other files are still ingested.
    """
    deps = deps_from(ctx)
    target = ensure_account(deps.settings, account)
    report = ingest(deps, target, paths, kind)
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
