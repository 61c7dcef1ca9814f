"""Briefs made for the web page and the MCP server, as the CLI makes them: the same pipeline,
validation and grounding, and the same "since your last brief" from the ledger. The web page's
latest brief of each account is kept in the workspace (`briefs/<account_id>.json`), so a page
shared with a manager, or opened after a restart, shows it without writing it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from agent.atomic import write_atomic
from agent.config import Settings
from agent.deps import Deps
from agent.errors import WorkspaceError
from agent.pipeline import brief as build_brief
from agent.schemas import Account, Briefing, BriefRequest, Changes, Persona

log = logging.getLogger(__name__)


def make_brief(
    deps: Deps,
    account: Account,
    personas: Sequence[Persona] = (),
    purpose: str | None = None,
    as_of: datetime | None = None,
) -> Briefing:
    """A validated brief of the account from its store (no research), aimed at `personas`
    (all when none), as of a day when given, with what changed since the last brief recorded
    in the ledger."""
    request = BriefRequest(
        account_id=account.account_id,
        personas=list(personas) or list(Persona),
        purpose=purpose,
        research=False,
        as_of=as_of,
    )
    briefing = build_brief(deps, account, request)
    briefing.metadata["personas"] = [p.value for p in request.personas]
    try:
        previous, new = deps.ledger.since_last_brief(
            account.account_id, briefing.signals, briefing.generated_at
        )
    except WorkspaceError as exc:
        # the brief stands; only "since your last brief" is lost with an unusable ledger
        briefing.notices.append(f"{exc}; shown without what changed since the last brief")
        return briefing
    return briefing.model_copy(
        update={"changes": Changes(previous_brief_at=previous, new_signals=new)}
    )


def brief_file(settings: Settings, account_id: str) -> Path:
    """Where the web page's latest brief of an account is kept."""
    return settings.home / "briefs" / f"{account_id}.json"


def save_brief(settings: Settings, briefing: Briefing) -> None:
    """Keep the brief as the account's latest (atomically)."""
    write_atomic(
        brief_file(settings, briefing.account.account_id), briefing.model_dump_json(indent=1)
    )


def load_brief(settings: Settings, account_id: str) -> Briefing | None:
    """The account's latest kept brief, or None (none yet, or written by another version)."""
    path = brief_file(settings, account_id)
    if not path.is_file():
        return None
    try:
        return Briefing.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        log.info("%s: unreadable; the page writes a new brief", path)
        return None
