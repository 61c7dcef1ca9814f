"""`dossier sources ACCOUNT`: what the knowledge store holds for an account."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer
from rich.table import Table

from agent.commands.common import deps_from, handle_errors, out, write_output


@handle_errors
def sources(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Account id or name.")],
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
) -> None:
    """List the stored sources; the JSON carries each source's full stored text."""
    from agent.book import find_account
    from agent.render.escape import terminal

    deps = deps_from(ctx)
    target = find_account(deps.settings, account)
    stored = deps.store.sources(target.account_id)
    if fmt == "json":
        payload = {
            "account_id": target.account_id,
            "sources": [s.model_dump(mode="json") for s in stored],
        }
        write_output(json.dumps(payload, indent=2, ensure_ascii=False), None)
        return
    table = Table(title=terminal(f"{target.name}: {len(stored)} sources"))
    for column in ("id", "kind", "published", "title", "chars"):
        table.add_column(column, overflow="fold")
    for source in stored:
        published = source.published_at.date().isoformat() if source.published_at else "—"
        cells = (source.id, source.kind.value, published, source.title, str(len(source.text)))
        table.add_row(*map(terminal, cells))
    out.print(table)
