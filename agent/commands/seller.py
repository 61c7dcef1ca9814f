"""`dossier seller show|check`: our own company's profile, what we sell and what it moves."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import typer
from rich.table import Table

from agent.commands.common import (
    fail,
    handle_errors,
    out,
    report_error,
    report_warning,
    settings_from,
    write_output,
)
from agent.config import Settings
from agent.seller import SELLER_FILE, SellerProfile, check, load_seller, profile_path

app = typer.Typer(
    help="Our own company: what we sell, which client metrics it moves, our proof.",
    no_args_is_help=True,
)


def _profile(settings: Settings) -> SellerProfile:
    profile = load_seller(settings)
    if profile is None:
        raise fail(
            f"no seller profile in {settings.home}: write {SELLER_FILE} beside dossier.toml "
            "(see `dossier seller check --help`)"
        )
    return profile


@app.command("show")
@handle_errors
def show(
    ctx: typer.Context,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
) -> None:
    """What we sell: each product, the client metrics it moves and by how much, our proof
    points (shareable or internal) and our competitors."""
    from agent.render.escape import terminal

    profile = _profile(settings_from(ctx))
    if fmt == "json":
        data = profile.model_dump(mode="json")
        write_output(json.dumps(data, indent=2, ensure_ascii=False), None)
        return
    table = Table(title=terminal(f"{profile.company}: what we sell and what it moves"))
    for column in ("product", "client KPI", "typical impact", "worth", "within"):
        table.add_column(column, overflow="fold")
    for product, move in profile.moves():
        worth = "—"
        if move.value_percent is not None:
            low, high = move.value_percent
            worth = f"{low:g}–{high:g}% of {move.value_of}"
        cells = (product.name, move.kpi, f"{move.direction} {move.impact()}", worth, move.within)
        table.add_row(*map(terminal, cells))
    out.print(table)
    for proof in profile.proof_points:
        mark = "shareable" if proof.shareable else "internal only"
        out.print(terminal(f"• [{mark}] {proof.title}: {proof.text}"))
    if profile.competitors:
        out.print(terminal(f"Our competitors: {', '.join(profile.competitors)}"))


@app.command("check")
@handle_errors
def check_command(ctx: typer.Context) -> None:
    """Check the seller profile (seller.toml beside dossier.toml, or a [seller] table in it).

    Exits 1 on an error (no products, a product that moves nothing, a proof point of an
    unknown product); notes (no value share, no shareable proof) only limit what a brief says.
    """
    from agent.render.escape import terminal

    settings = settings_from(ctx)
    profile = _profile(settings)
    findings = check(profile)
    for finding in findings:
        (report_error if finding.severity == "error" else report_warning)(finding.text)
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)
    moves = len(profile.moves())
    out.print(
        terminal(
            f"{profile_path(settings)}: {profile.company}, {len(profile.products)} products, "
            f"{moves} client metrics, {len(profile.proof_points)} proof points"
        )
    )
