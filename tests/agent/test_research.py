"""Research orchestration: tools run, sources stored once, failures become brief gaps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from agent.config import load_settings
from agent.deps import Deps
from agent.errors import FetchError
from agent.pipeline import brief
from agent.research import load_report, research
from agent.schemas import Account, BriefRequest, Source, SourceKind
from tools.sources import FetchContext, Fetched

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ACME = Account(account_id="acme", name="Acme Corp", lever="acme")


class Postings:
    """A tool that brings two job postings."""

    name = "lever"
    kind = SourceKind.job_posting

    def enabled(self, account: Account) -> bool:
        return bool(account.lever)

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        sources = [
            Source(
                id=f"job_posting-{i}",
                account_id=account.account_id,
                kind=self.kind,
                title=f"Data Engineer {i}",
                retrieved_at=ctx.now,
                published_at=ctx.now,
                text=f"Data Engineer {i}\n\nOur platform runs on Snowflake, dbt and Kafka {i}.",
            )
            for i in range(2)
        ]
        return Fetched(sources=sources, problems=["posting 3: no description"])


class Broken:
    """A tool whose endpoint keeps failing."""

    name = "gdelt"
    kind = SourceKind.news

    def enabled(self, account: Account) -> bool:
        return True

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        raise FetchError("https://api.gdeltproject.org/api/v2/doc/doc: HTTP 500 after 3 attempts")


def test_research_stores_once_and_records_failures_as_gaps(home: Path) -> None:
    settings = load_settings(home)
    deps = Deps.build(settings, clock=lambda: NOW)
    first = research(deps, ACME, [Postings(), Broken()])
    assert [(o.tool, o.status, o.new) for o in first.outcomes] == [
        ("lever", "ok", 2),
        ("gdelt", "failed", 0),
    ]
    assert first.outcomes[0].problems == ["posting 3: no description"]
    assert "HTTP 500 after 3 attempts" in (first.outcomes[1].error or "")

    again = research(deps, ACME, [Postings(), Broken()])
    assert (again.outcomes[0].new, again.outcomes[0].unchanged) == (0, 2)
    assert deps.store.chunk_count("acme") == 2

    saved = load_report(settings, "acme")
    assert saved is not None and saved.failed[0].tool == "gdelt"
    briefing = brief(deps, ACME, BriefRequest(account_id="acme"))
    assert any(g.startswith("gdelt: ") and "HTTP 500" in g for g in briefing.source_gaps)
