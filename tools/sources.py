"""The source-tool contract: what a tool is given, what it brings back, and its one method.

A tool raises FetchError or ParseError when its whole source fails; anything smaller (one
article page, one filing exhibit, one bad review row) becomes a line in `Fetched.problems`, or
is noted with `tools.problems.note` deep in a parser (a skipped feed entry, a date refused),
which the research run gathers into the same problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from agent.config import Settings
from agent.schemas import Account, Source, SourceKind
from tools.http import HttpClient


@dataclass
class FetchContext:
    """What every fetch is given: the one HTTP client, the settings and the run's clock."""

    http: HttpClient
    settings: Settings
    now: datetime
    #: Per tool: the most recent items fetched (articles, filings).
    max_items: int = 20


@dataclass
class Fetched:
    """The Sources a tool brought, and its partial problems (one line each)."""

    sources: list[Source]
    problems: list[str] = field(default_factory=list)


class SourceTool(Protocol):
    """A source of documents about an account, behind one fetch method."""

    name: str
    kind: SourceKind

    def enabled(self, account: Account) -> bool:
        """True when the book fields this tool needs are present."""
        ...

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        """The account's documents from this source; raises when the whole source fails."""
        ...


def endpoint(base: str, path: str) -> str:
    """A URL under a configured base URL (a mirror or replay server may stand in for it)."""
    return base.rstrip("/") + "/" + path.lstrip("/")


def newest_first(sources: list[Source], limit: int | None = None) -> list[Source]:
    """Sources by publication date, newest first (undated last), cut to `limit`."""
    dated = [s for s in sources if s.published_at is not None]
    dated.sort(key=lambda s: s.published_at.timestamp() if s.published_at else 0.0, reverse=True)
    result = dated + [s for s in sources if s.published_at is None]
    return result[:limit] if limit is not None else result
