"""Retrieval per layer: relevant first, newer before older, no single source filling a layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.config import Settings
from agent.schemas import LayerName, Source, SourceKind
from knowledge.embed import MiniLMEmbedding
from knowledge.retrieve import (
    MAX_PER_SOURCE,
    UNDATED_RECENCY,
    LayerSpec,
    load_layers,
    recency_weight,
    retrieve_all,
    retrieve_layer,
)
from knowledge.store import KnowledgeStore
from tests.factories import make_source

AS_OF = datetime(2024, 6, 1, tzinfo=UTC)
ACCOUNT = "larkspur-home"

CORPUS = {
    "earnings": (
        SourceKind.earnings_call,
        "Revenue grew 14% year over year and we raised full-year guidance.",
    ),
    "rival": (
        SourceKind.news,
        "A rival launched a cheaper competing product and is taking market share from us.",
    ),
    "stack": (
        SourceKind.job_posting,
        "Engineers on our team work with Snowflake, AWS and Kubernetes every day.",
    ),
    "cfo": (
        SourceKind.news,
        "The chief financial officer will step down and an interim CFO was appointed.",
    ),
    "picnic": (SourceKind.web_page, "The annual summer picnic will have face painting for kids."),
}


def _source(source_id: str, kind: SourceKind, text: str, published: datetime | None) -> Source:
    return make_source(text, id=source_id, account_id=ACCOUNT, kind=kind, title=source_id,
                       retrieved_at=AS_OF, published_at=published)  # fmt: skip


@pytest.fixture
def store(home: Path, embedder: MiniLMEmbedding) -> KnowledgeStore:
    return KnowledgeStore(Settings(home=home), embedder)


def test_layers_load_from_yaml() -> None:
    layers = load_layers()
    assert list(layers) == list(LayerName)
    for name, spec in layers.items():
        assert spec.name is name
        assert spec.queries and spec.questions and spec.gap and spec.description


def test_recency_weight() -> None:
    assert recency_weight(None, AS_OF, 365) == UNDATED_RECENCY
    assert recency_weight(AS_OF, AS_OF, 365) == 1.0
    assert recency_weight(AS_OF + timedelta(days=30), AS_OF, 365) == 1.0
    assert recency_weight(AS_OF - timedelta(days=365), AS_OF, 365) == pytest.approx(0.5)
    naive = datetime(2023, 6, 2)
    assert recency_weight(naive, AS_OF, 365) == pytest.approx(0.5)


def test_each_layer_finds_its_own_chunks_first(store: KnowledgeStore) -> None:
    store.add_sources([_source(i, kind, text, AS_OF) for i, (kind, text) in CORPUS.items()])
    results = retrieve_all(store, ACCOUNT, AS_OF, 365.0, k=3)
    expected = {
        LayerName.commercial: "earnings",
        LayerName.competitive: "rival",
        LayerName.ecosystem: "stack",
        LayerName.internal: "cfo",
    }
    for layer, source_id in expected.items():
        ranked = results[layer]
        assert ranked[0].hit.chunk.source_id == source_id, layer
        assert all(s.hit.chunk.source_id != "picnic" for s in ranked[:2])
        assert all(s.score == pytest.approx(s.relevance * (0.7 + 0.3 * s.recency)) for s in ranked)


def test_newer_of_two_near_identical_sentences_ranks_higher(store: KnowledgeStore) -> None:
    text = "Revenue grew 14% year over year and we raised full-year guidance."
    store.add_sources(
        [
            _source("old", SourceKind.news, text, AS_OF - timedelta(days=900)),
            _source("new", SourceKind.news, text.replace("14%", "15%"), AS_OF - timedelta(days=5)),
        ]
    )
    spec = load_layers()[LayerName.commercial]
    ranked = retrieve_layer(store, ACCOUNT, spec, AS_OF, 365.0, k=2)
    assert [s.hit.chunk.source_id for s in ranked] == ["new", "old"]
    assert ranked[0].recency > ranked[1].recency


def test_one_source_cannot_fill_a_layer(home: Path, embedder: MiniLMEmbedding) -> None:
    store = KnowledgeStore(Settings(home=home, chunk_chars=200), embedder)
    sentences = [
        f"In quarter {i} revenue grew {10 + i}% and operating margin reached {20 + i}%."
        for i in range(16)
    ]
    store.add_sources(
        [
            _source("deck", SourceKind.filing, "\n\n".join(sentences), AS_OF),
            _source("call", SourceKind.earnings_call, "Subscribers and bookings grew.", AS_OF),
        ]
    )
    assert store.chunk_count(ACCOUNT) > MAX_PER_SOURCE + 1
    spec = load_layers()[LayerName.commercial]
    ranked = retrieve_layer(store, ACCOUNT, spec, AS_OF, 365.0, k=8)
    sources = [s.hit.chunk.source_id for s in ranked]
    assert sources.count("deck") == MAX_PER_SOURCE
    assert "call" in sources


def test_mmr_prefers_a_different_fact_over_a_paraphrase(store: KnowledgeStore) -> None:
    spec = LayerSpec(
        name=LayerName.commercial,
        title="Commercial",
        description="revenue growth",
        queries=["revenue growth"],
        cues=[],
        urgent=[],
        gap="",
        questions=[],
    )
    store.add_sources(
        [
            _source("a", SourceKind.news, "Revenue grew 20% this year.", AS_OF),
            _source("b", SourceKind.news, "Revenue grew 20% this year!", AS_OF),
            _source("c", SourceKind.news, "Subscription bookings grew strongly.", AS_OF),
        ]
    )
    ranked = retrieve_layer(store, ACCOUNT, spec, AS_OF, 365.0, k=2)
    assert {s.hit.chunk.source_id for s in ranked} & {"a", "b"}
    assert "c" in {s.hit.chunk.source_id for s in ranked}


def test_empty_account_gives_empty_layers(store: KnowledgeStore) -> None:
    assert all(v == [] for v in retrieve_all(store, "nobody", AS_OF, 365.0).values())
