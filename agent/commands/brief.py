"""`dossier brief ACCOUNT`: the pre-call briefing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agent.commands.common import (
    AsOf,
    Format,
    err,
    handle_errors,
    report_notice,
    report_warning,
    settings_from,
    write_output,
)
from agent.errors import WorkspaceError
from agent.schemas import Briefing, BriefRequest, Changes, Persona

if TYPE_CHECKING:
    from agent.deps import Deps

#: Metadata keys `--verbose` prints, in this order, when the brief has them.
VERBOSE_KEYS = (
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "token_budget",
    "estimated_cost_usd",
    "research_calls",
    "research_stop",
    "repair_rounds",
    "dropped",
    "prompts",
    "sources_stored",
    "candidate_sentences",
    "elapsed_ms",
)


@handle_errors
def brief(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Account id or name.")],
    persona: Annotated[
        list[Persona] | None,
        typer.Option("--persona", "-p", help="Write value messages for this persona (repeatable)."),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="What you are preparing for, e.g. 'a call with the new CFO' (LLM mode plans "
            "its research and focus around it).",
        ),
    ] = None,
    no_research: Annotated[
        bool,
        typer.Option("--no-research", help="LLM mode: write from the store only; fetch nothing."),
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Send no request to any source (cache only).")
    ] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Print tokens, cost and timings on stderr."),
    ] = False,
    as_of: AsOf = None,
) -> None:
    """Print a four-layer briefing in which every claim quotes a stored source.

    With DOSSIER_LLM set, a model plans the research and writes the brief; every quote is still
    checked against the stored text, and a model failure falls back to the extractive brief.
    With --as-of, the brief is written from the store as it stood that day, with no research.
    """
    # the pipeline, the store and the renderers load when a brief is asked for, not at --help
    from agent.book import find_account
    from agent.deps import Deps
    from agent.pipeline import brief as build_brief
    from agent.render import render

    settings = settings_from(ctx)
    deps = Deps.build(settings, offline=offline)
    target = find_account(settings, account)
    request = BriefRequest(
        account_id=target.account_id,
        personas=persona or list(Persona),
        purpose=purpose,
        # the past cannot be fetched: a brief as of a day reads the store only
        research=not no_research and as_of is None,
        as_of=as_of,
    )
    with deps:
        briefing = build_brief(deps, target, request)
        for notice in briefing.notices:
            report_notice(notice)
        try:
            briefing = briefing.model_copy(update={"changes": _changes(deps, briefing)})
        except WorkspaceError as exc:
            # the brief is written; only "since your last brief" is lost with an unusable ledger
            report_warning(f"{exc}; the brief is printed without what changed since the last one")
    write_output(render(briefing, fmt), output)
    if verbose:
        print_accounting(briefing)


def _changes(deps: Deps, briefing: Briefing) -> Changes:
    """What changed since the account's last brief, recording this one in the ledger."""
    previous, new = deps.ledger.since_last_brief(
        briefing.account.account_id, briefing.signals, briefing.generated_at
    )
    return Changes(previous_brief_at=previous, new_signals=new)


def print_accounting(briefing: Briefing) -> None:
    """The brief's mode, tokens, cost and timings, one `key: value` line each, on stderr."""
    err.print(f"mode: {briefing.mode}")
    meta: dict[str, Any] = briefing.metadata
    for key in VERBOSE_KEYS:
        if key in meta:
            err.print(f"{key}: {meta[key]}")
