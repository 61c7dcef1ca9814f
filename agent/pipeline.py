"""The data flow, top to bottom, and where each step lives.

ingest:   files or URLs ─► parse (tools/) ─► Source ─► store (chunk → embed → per account)
research: enabled tools ─► fetch (one HTTP client) ─► Source ─► store   (agent/research.py)
assess:   sources ─► signals ─┐
          CRM data ─► triggers ┴─► stakeholder map ─► triage             (agent/assess/)
brief:    gather (retrieve per layer ─► candidate sentences ─► assess)  (synthesize/gather.py)
          ─► write: extractive (synthesize/brief.py) | LLM (llm/brief.py)
          ─► finish (signals, sources, gaps) ─► validate ─► Briefing   (synthesize/finish.py)
render:  Briefing ─► Markdown | JSON | HTML                            (agent/render/)

This module holds the two entry points that choose a path: `ingest` and `brief`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agent.deps import Deps
from agent.errors import workspace_error
from agent.schemas import (
    Account,
    Briefing,
    BriefRequest,
    SourceKind,
)
from agent.synthesize.brief import extractive_brief
from agent.synthesize.gather import gather
from tools.problems import collecting, failure

if TYPE_CHECKING:
    from tools.files import Ingested


@dataclass
class IngestReport:
    """What one `add` did: sources new, unchanged and updated, and the inputs that failed."""

    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


#: Told, for one input, how many of its chunks are embedded so far and of how many (0 of 0
#: while it is read).
IngestProgress = Callable[[str, int, int], None]


def ingest(
    deps: Deps,
    account: Account,
    inputs: Sequence[str | Path],
    kind: SourceKind | None = None,
    on_progress: IngestProgress | None = None,
) -> IngestReport:
    """Parse local files or fetch URLs into sources and store them; one bad input, failing
    in any way, never loses the others."""
    report = IngestReport()
    now = deps.clock()
    for item in inputs:
        name = str(item)
        if on_progress:
            on_progress(name, 0, 0)
        with collecting() as noted:
            try:
                parsed = _read(deps, account, name, kind, now)
            except Exception as exc:  # the one place an input's failure becomes its error line
                if (fault := workspace_error(exc)) is not None:
                    raise fault from exc  # a full or broken workspace fails every input alike
                reason = failure(exc)
                report.errors.append(reason if name in reason else f"{name}: {reason}")
                continue
        report.warnings += parsed.problems + noted
        progress = functools.partial(on_progress, name) if on_progress else None
        result = deps.store.add_sources(parsed.sources, progress)
        report.new += result.new
        report.unchanged += result.unchanged
        report.updated += result.updated
    return report


def _read(
    deps: Deps, account: Account, item: str, kind: SourceKind | None, now: datetime
) -> Ingested:
    """A URL is fetched through the one HTTP client; anything else is a local file."""
    # the parsers load their HTML, feed and PDF libraries only for an ingest, never a brief
    from tools.files import Ingested, ingest_path
    from tools.sources import FetchContext
    from tools.transcript_fetch import fetch_transcript
    from tools.web import fetch_sources

    if not item.startswith(("http://", "https://")):
        return ingest_path(
            Path(item), account.account_id, kind=kind, now=now, max_mb=deps.settings.max_file_mb
        )
    context = FetchContext(http=deps.http, settings=deps.settings, now=now)
    if kind is SourceKind.earnings_call:
        return Ingested([fetch_transcript(item, context, account)])
    pages = fetch_sources(item, context, account.account_id)
    return Ingested([p if kind is None else p.model_copy(update={"kind": kind}) for p in pages])


def brief(deps: Deps, account: Account, request: BriefRequest) -> Briefing:
    """A grounded briefing of one account: written by the model when `DOSSIER_LLM` is set
    (falling back to extractive on model failure), else extractive."""
    if deps.settings.llm or deps.chat is not None:
        from agent.llm.brief import llm_brief

        return llm_brief(deps, account, request)
    return extractive_brief(deps, account, request, gather(deps, account, request))
