"""Test data made one way: a stored source with what a test does not care about filled in."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.schemas import Source, SourceKind

#: When a test's source was fetched, unless the test says.
RETRIEVED = datetime(2026, 11, 1, tzinfo=UTC)


def make_source(text: str, **fields: Any) -> Source:
    """A validated Source holding `text`; `fields` overrides any other field (id, account_id,
    kind, title, published_at, retrieved_at, url, metadata)."""
    data: dict[str, Any] = {
        "id": "s1",
        "account_id": "acme",
        "kind": SourceKind.news,
        "title": "t",
        "retrieved_at": RETRIEVED,
        "text": text,
    }
    data.update(fields)
    return Source.model_validate(data)
