"""The dependencies one command needs, built once and passed down (tests swap in fakes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from agent.config import Settings
from knowledge.store import KnowledgeStore


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class Deps:
    """Settings, the knowledge store and the clock; HTTP, ledger and model join as they land."""

    settings: Settings
    store: KnowledgeStore
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def build(cls, settings: Settings, clock: Callable[[], datetime] = utc_now) -> Deps:
        """Real dependencies for a workspace; nothing heavy loads until first used."""
        return cls(settings=settings, store=KnowledgeStore(settings), clock=clock)
