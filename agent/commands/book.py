"""`dossier book import|list`: the CSM's accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from agent.book import import_csv, load_book, upsert_accounts
from agent.commands.common import handle_errors, out, report_error, settings_from, write_output

app = typer.Typer(help="Import and list the accounts of your book.", no_args_is_help=True)


@app.command("import")
@handle_errors
def import_(
    ctx: typer.Context,
    accounts: Annotated[Path, typer.Argument(help="Accounts CSV (a CRM export).")],
) -> None:
    """Import accounts from a CSV; a bad row is reported by line and the others are imported."""
    settings = settings_from(ctx)
    result = import_csv(accounts)
    for problem in result.problems:
        report_error(problem)
    upsert_accounts(settings, result.accounts)
    out.print(f"imported {len(result.accounts)} account(s) into {settings.book_file}")
    if result.problems:
        raise typer.Exit(1)


@app.command("list")
@handle_errors
def list_(
    ctx: typer.Context,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
) -> None:
    """List the accounts of the book."""
    book = load_book(settings_from(ctx))
    if fmt == "json":
        rows = [a.model_dump(mode="json") for a in book.values()]
        write_output(json.dumps({"accounts": rows}, indent=2), None)
        return
    table = Table(title=f"{len(book)} accounts")
    for column in ("account_id", "name", "domain", "ticker", "renewal", "owner"):
        table.add_column(column)
    for a in book.values():
        renewal = a.renewal_date.isoformat() if a.renewal_date else "—"
        table.add_row(
            a.account_id, a.name, a.domain or "—", a.ticker or "—", renewal, a.owner or "—"
        )
    out.print(table)
