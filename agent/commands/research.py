"""`dossier research ACCOUNT`: run the source tools for one account."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import Progress
from rich.table import Table

from agent.commands.common import err, handle_errors, out, settings_from, write_output
from agent.schemas import Account

if TYPE_CHECKING:
    from agent.deps import Deps
    from agent.research import ResearchReport
    from tools.sources import SourceTool


@handle_errors
def research_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Account id or name.")],
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only cached responses; send no request.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Allow a private or loopback host (HOST or HOST:PORT), e.g. a local mirror.",
        ),
    ] = None,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
) -> None:
    """Fetch filings, news, job postings and reviews that the account's book fields enable.

    Unchanged responses cost a conditional request (304) and add nothing; a failing source is
    reported and becomes a gap in the brief.
    """
    from agent.book import find_account
    from agent.deps import Deps

    settings = settings_from(ctx)
    target = find_account(settings, account)
    deps = Deps.build(settings, offline=offline, allow_hosts=allow_host or ())
    with deps.http:
        report = run_with_progress(deps, target)
    if fmt == "json":
        write_output(json.dumps(asdict(report), indent=2), None)
    else:
        out.print(report_table(report))


def run_with_progress(deps: Deps, account: Account) -> ResearchReport:
    """Research one account with a progress bar on stderr."""
    from agent.research import research  # the source tools load only when research runs
    from tools.registry import enabled_tools

    tools = enabled_tools(account)
    if not tools:
        err.print(
            f"{account.account_id}: no book field enables a source (ticker, job boards, news…)"
        )
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"researching {account.account_id}", total=len(tools))

        def started(tool: SourceTool) -> None:
            progress.update(
                task, description=f"{account.account_id}: {tool.name}", completed=tools.index(tool)
            )

        report = research(deps, account, tools, on_tool=started)
        progress.update(task, completed=len(tools))
    return report


def report_table(report: ResearchReport) -> Table:
    """One row per source tool: new / unchanged / failed and why."""
    from agent.render.escape import terminal

    table = Table(title=f"research {report.account_id}")
    for column in ("source", "status", "new", "updated", "unchanged", "notes"):
        table.add_column(column, overflow="fold")
    for o in report.outcomes:
        notes = o.error or ""
        if o.problems:
            first = o.problems[0] if len(o.problems[0]) <= 120 else o.problems[0][:119] + "…"
            notes = f"{len(o.problems)} item problem(s), first: {first}"
        style = "red" if o.status == "failed" else None
        # notes quote what servers and documents said: plain text, never markup or escapes
        cells = (o.tool, o.status, str(o.new), str(o.updated), str(o.unchanged), notes)
        table.add_row(*(terminal(c) for c in cells), style=style)
    return table
