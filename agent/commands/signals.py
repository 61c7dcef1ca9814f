"""`dossier signals ACCOUNT`: what changed at the client and in your data, and the triage."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer
from rich.table import Table

from agent.commands.common import AsOf, deps_from, handle_errors, out, write_output

_STYLE = {"red": "bold red", "yellow": "yellow", "info": "dim"}


@handle_errors
def signals(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Account id or name.")],
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
    as_of: AsOf = None,
) -> None:
    """Signals from the sources and your own data, with the triage and plays.

    The triage is red / yellow / green plus an expansion flag. With --as-of, the signals and
    triage the store and your data gave on that day.
    """
    from agent.assess import assess  # the classifiers load only when signals are asked for
    from agent.book import find_account
    from agent.render.escape import terminal

    deps = deps_from(ctx)
    target = find_account(deps.settings, account)
    sources = deps.store.sources(target.account_id, as_of)
    result = assess(deps, target, sources, as_of or deps.clock())
    if fmt == "json":
        payload = {
            "account_id": target.account_id,
            "signals": [s.model_dump(mode="json") for s in result.signals],
            "triage": result.triage.model_dump(mode="json"),
        }
        write_output(json.dumps(payload, indent=2, ensure_ascii=False), None)
        return
    triage = result.triage
    flag = " + expansion" if triage.expansion else ""
    title = f"{target.name}: {triage.status.upper()}{flag}, {len(result.signals)} signals"
    table = Table(title=terminal(title))
    for column in ("severity", "type", "when", "about", "summary", "evidence"):
        table.add_column(column, overflow="fold")
    for s in result.signals:
        evidence = f"{len(s.evidence)} quote(s)" if s.evidence else "your data"
        when = s.occurred_at.isoformat() if s.occurred_at else "—"
        cells = (s.severity, s.type.value, when, s.entity or "—", s.summary, evidence)
        table.add_row(*map(terminal, cells), style=_STYLE[s.severity])
    out.print(table)
    for play in triage.plays:
        out.print(terminal(f"• {play}"))
