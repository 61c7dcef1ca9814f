"""`dossier book import|list`: the CSM's accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from agent.book import import_accounts, import_csv, load_book
from agent.commands.common import (
    handle_errors,
    out,
    report_error,
    report_warning,
    settings_from,
    write_output,
)
from agent.config import Settings
from agent.crm import CrmKind, crm_file, import_crm_file
from agent.errors import ParseError

app = typer.Typer(help="Import and list the accounts of your book.", no_args_is_help=True)


_CRM_HELP = "CSV export of the accounts' {} (joined on account id or name)."


@app.command("import")
@handle_errors
def import_(
    ctx: typer.Context,
    accounts: Annotated[Path, typer.Argument(help="Accounts CSV (a CRM export).")],
    contacts: Annotated[
        Path | None, typer.Option("--contacts", help=_CRM_HELP.format("contacts"))
    ] = None,
    usage: Annotated[
        Path | None, typer.Option("--usage", help=_CRM_HELP.format("usage and health"))
    ] = None,
    tickets: Annotated[
        Path | None, typer.Option("--tickets", help=_CRM_HELP.format("support tickets"))
    ] = None,
    meetings: Annotated[
        Path | None, typer.Option("--meetings", help=_CRM_HELP.format("meetings"))
    ] = None,
) -> None:
    """Import accounts, and optionally their CRM data, from CSV exports.

    Contacts, usage, tickets and meetings files join on the account id or name; a bad row
    is reported by line and the others are imported.
    """
    settings = settings_from(ctx)
    result = import_csv(accounts)
    for problem in result.problems:
        report_error(problem)
    changes = import_accounts(settings, result)
    for note in (*result.merged, *changes.notes):
        report_warning(note)
    out.print(
        f"imported {len(result.accounts)} account(s) into {settings.book_file}: "
        f"{len(changes.created)} created, {len(changes.updated)} updated, "
        f"{len(changes.unchanged)} unchanged, {len(result.merged)} row(s) merged into "
        "another row's account"
    )
    rejected = bool(result.problems)
    files: dict[CrmKind, Path | None] = {
        "contacts": contacts,
        "usage": usage,
        "tickets": tickets,
        "meetings": meetings,
    }
    for kind, path in files.items():
        if path is not None:
            rejected |= not _import_crm(settings, kind, path)
    if rejected:
        raise typer.Exit(1)


def _import_crm(settings: Settings, kind: CrmKind, path: Path) -> bool:
    """Import one CRM file; False when a row (or the whole file) was rejected."""
    try:
        imported = import_crm_file(settings, kind, path)
    except ParseError as exc:
        report_error(str(exc))
        return False
    for problem in imported.problems:
        report_error(problem)
    covered = {row.account_id for row in imported.rows}
    unknown = sorted(covered - load_book(settings).keys())
    if unknown:
        report_warning(f"{path.name}: accounts not in the book: {', '.join(unknown)}")
    out.print(
        f"imported {len(imported.rows)} {kind} row(s) for {len(covered)} account(s) "
        f"into {crm_file(settings, kind)}"
    )
    return not imported.problems


@app.command("list")
@handle_errors
def list_(
    ctx: typer.Context,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
) -> None:
    """List the accounts of the book."""
    from agent.render.escape import terminal

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
        cells = (a.account_id, a.name, a.domain or "—", a.ticker or "—", renewal, a.owner or "—")
        table.add_row(*map(terminal, cells))
    out.print(table)
