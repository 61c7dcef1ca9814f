"""The dependencies one command needs, built once and passed down (tests swap in fakes)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import httpx

from agent.config import Settings
from knowledge.store import KnowledgeStore
from tools.http import HttpClient

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass
class Deps:
    """Settings, the knowledge store, the one HTTP client, the clock, and in LLM mode the chat
    model (built from `DOSSIER_LLM` when first needed; tests put a scripted one here)."""

    settings: Settings
    store: KnowledgeStore
    http: HttpClient
    clock: Callable[[], datetime] = field(default=utc_now)
    chat: BaseChatModel | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        offline: bool = False,
        allow_hosts: Collection[str] = (),
        transport: httpx.BaseTransport | None = None,
    ) -> Deps:
        """Real dependencies for a workspace; nothing heavy loads until first used.

        `transport` replaces the network (the demo's recorded responses, a test's mock).
        """
        http = HttpClient(settings, transport=transport, allow_hosts=allow_hosts, offline=offline)
        return cls(settings=settings, store=KnowledgeStore(settings), http=http, clock=clock)
