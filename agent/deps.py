"""The dependencies one command needs, built once and passed down (tests swap in fakes)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from agent.clock import Clock, utc_now
from agent.config import Settings
from knowledge.store import KnowledgeStore
from tools.http import HttpClient

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from agent.scan.ledger import Ledger

__all__ = ["Deps", "utc_now"]


@dataclass
class Deps:
    """Settings, the knowledge store, the one HTTP client, the clock, the ledger (opened on
    first use) and in LLM mode the chat model (built from `DOSSIER_LLM` when first needed;
    tests put a scripted one here)."""

    settings: Settings
    store: KnowledgeStore
    http: HttpClient
    clock: Clock = field(default=utc_now)
    chat: BaseChatModel | None = None
    _ledger: Ledger | None = field(default=None, init=False, repr=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        offline: bool = False,
        allow_hosts: Collection[str] = (),
        transport: httpx.BaseTransport | None = None,
        ledger: Ledger | None = None,
    ) -> Deps:
        """Real dependencies for a workspace; nothing heavy loads until first used.

        `transport` replaces the network (the demo's recorded responses, a test's mock);
        `ledger` replaces the one `settings` point at.
        """
        http = HttpClient(settings, transport=transport, allow_hosts=allow_hosts, offline=offline)
        deps = cls(settings=settings, store=KnowledgeStore(settings), http=http, clock=clock)
        deps._ledger = ledger
        return deps

    @property
    def ledger(self) -> Ledger:
        """The ledger (`DOSSIER_LEDGER_URL`, else SQLite in the workspace), stamped by this
        clock; opened when first asked for, so a command that never records creates nothing."""
        if self._ledger is None:
            from agent.scan.ledger import Ledger  # the database engine loads only when used

            self._ledger = Ledger.open(self.settings, self.clock)
        return self._ledger

    def close(self) -> None:
        """Release the HTTP connections and, if it was opened, the ledger's pool."""
        self.http.close()
        if self._ledger is not None:
            self._ledger.close()

    def __enter__(self) -> Deps:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
