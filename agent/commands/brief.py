"""`dossier brief ACCOUNT`: the pre-call briefing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.book import find_account
from agent.commands.common import (
    deps_from,
    handle_errors,
    warn_if_llm_requested,
    write_output,
)
from agent.ledger import Ledger
from agent.pipeline import brief as build_brief
from agent.render import Format, render
from agent.schemas import BriefRequest, Changes, Persona


@handle_errors
def brief(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Account id or name.")],
    persona: Annotated[
        list[Persona] | None,
        typer.Option("--persona", "-p", help="Write value messages for this persona (repeatable)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Print a four-layer briefing in which every claim quotes a stored source."""
    deps = deps_from(ctx)
    warn_if_llm_requested(deps.settings)
    target = find_account(deps.settings, account)
    request = BriefRequest(account_id=target.account_id, personas=persona or list(Persona))
    briefing = build_brief(deps, target, request)
    ledger = Ledger.open(deps.settings)
    try:
        previous, new = ledger.since_last_brief(
            target.account_id, briefing.signals, briefing.generated_at
        )
    finally:
        ledger.close()
    briefing = briefing.model_copy(
        update={"changes": Changes(previous_brief_at=previous, new_signals=new)}
    )
    write_output(render(briefing, fmt), output)
