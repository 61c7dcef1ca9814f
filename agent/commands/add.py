"""`dossier add ACCOUNT PATH...`: ingest local files into an account's knowledge store."""

from __future__ import annotations

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
    inputs: Annotated[list[str], typer.Argument(help="Files or http(s) URLs to ingest.")],
    kind: Annotated[
        SourceKind | None, typer.Option("--kind", help="Source kind; inferred when omitted.")
    ] = None,
) -> None:
    """Ingest local files or URLs into an account's knowledge store.

    Transcripts, notes, pages, job-board or SEC JSON, feeds and review CSVs are recognized;
    a URL is fetched as a web page, or as a transcript with --kind earnings_call. Re-adding the
    same file changes nothing. A file that cannot be read is reported on one
    line and the other files are still ingested.
    """
    deps = deps_from(ctx)
    target = ensure_account(deps.settings, account)
    with deps.http:
        report = ingest(deps, target, inputs, kind)
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
