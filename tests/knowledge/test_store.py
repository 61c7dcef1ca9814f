"""The knowledge store: idempotent adds, per-account isolation, and reopening from disk."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.config import Settings
from agent.schemas import Source, SourceKind
from knowledge.embed import MiniLMEmbedding
from knowledge.store import KnowledgeStore, _steps, collection_name
from tests.factories import make_source

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _source(
    source_id: str,
    text: str,
    account_id: str = "larkspur-home",
    kind: SourceKind = SourceKind.news,
    published_at: datetime | None = None,
) -> Source:
    return make_source(text, id=source_id, account_id=account_id, kind=kind,
                       title=f"Title of {source_id}", retrieved_at=NOW,
                       published_at=published_at)  # fmt: skip


FINANCE = "Revenue grew 12% this quarter. Operating margin improved to 18%. " * 20
HIRING = "We are hiring data engineers who know Snowflake, dbt and Kubernetes. " * 20


@pytest.fixture
def store(home: Path, embedder: MiniLMEmbedding) -> KnowledgeStore:
    return KnowledgeStore(Settings(home=home), embedder)


def test_nothing_is_opened_until_needed(home: Path) -> None:
    store = KnowledgeStore(Settings(home=home))
    assert store.sources("nobody") == []
    assert not (home / "chroma").exists()


def test_add_is_idempotent_and_updates_replace_old_chunks(store: KnowledgeStore) -> None:
    sources = [_source("fin", FINANCE), _source("jobs", HIRING, kind=SourceKind.job_posting)]
    first = store.add_sources(sources)
    assert sorted(first.new) == ["fin", "jobs"]
    assert first.unchanged == first.updated == []
    count = store.chunk_count("larkspur-home")
    assert count >= 4

    path = store.settings.sources_dir / "larkspur-home" / "fin.json"
    written = path.stat().st_mtime_ns
    again = store.add_sources(
        [s.model_copy(update={"retrieved_at": datetime.now(UTC)}) for s in sources]
    )
    assert sorted(again.unchanged) == ["fin", "jobs"]
    assert again.new == again.updated == []
    assert store.chunk_count("larkspur-home") == count
    assert path.stat().st_mtime_ns == written

    changed = store.add_sources([_source("fin", "Revenue fell 3% as demand softened.")])
    assert changed.updated == ["fin"]
    hits = store.query("larkspur-home", ["revenue"], n_results=50)
    fin_chunks = [h.chunk for h in hits if h.chunk.source_id == "fin"]
    assert [c.text for c in fin_chunks] == ["Revenue fell 3% as demand softened."]
    assert store.get_source("larkspur-home", "fin") == _source(
        "fin", "Revenue fell 3% as demand softened."
    )
    assert not list(path.parent.glob("*.tmp"))


def test_chunks_carry_metadata(store: KnowledgeStore) -> None:
    published = datetime(2024, 3, 1, 12, tzinfo=UTC)
    store.add_sources([_source("fin", FINANCE, published_at=published)])
    hit = store.query("larkspur-home", ["operating margin"], n_results=1)[0]
    source = store.get_source("larkspur-home", "fin")
    assert source is not None
    assert source.text[hit.chunk.start : hit.chunk.end] == hit.chunk.text
    assert hit.kind is SourceKind.news
    assert hit.published_at == published
    assert hit.title == "Title of fin"
    assert -1.0 <= hit.similarity <= 1.0
    assert hit.embedding.shape == (384,)


def test_the_index_keeps_no_copy_of_the_text_and_skips_a_chunk_its_source_outgrew(
    store: KnowledgeStore,
) -> None:
    """A hit's text is cut from its stored source; while a source's new version is stored but
    its chunks are not yet replaced (a run cut short between the two), its old chunks are not
    returned with words that are no longer there."""
    store.add_sources([_source("fin", FINANCE), _source("jobs", HIRING)])
    collection = store._collection("larkspur-home", create=False)
    assert collection is not None
    assert set(collection.get(include=["documents"])["documents"] or []) <= {None}
    hits = store.query("larkspur-home", ["operating margin"], n_results=50)
    assert {h.chunk.source_id for h in hits} == {"fin", "jobs"}
    assert all(h.chunk.text for h in hits)

    store._write_source(_source("fin", "Revenue fell 3% this quarter. " * 40))
    hits = store.query("larkspur-home", ["operating margin"], n_results=50)
    assert {h.chunk.source_id for h in hits} == {"jobs"}


def test_progress_is_told_a_step_at_a_time_up_to_every_chunk(
    store: KnowledgeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("knowledge.store._STEP", 8)
    sources = [_source(f"news-{i}", FINANCE + f" Item {i}.") for i in range(12)]
    seen: list[tuple[int, int]] = []
    store.add_sources(sources, on_progress=lambda done, total: seen.append((done, total)))
    total = store.chunk_count("larkspur-home")
    assert len(seen) > 1
    assert [done for done, _ in seen] == sorted({done for done, _ in seen})
    assert seen[-1] == (total, total)


def test_steps_hold_whole_sources() -> None:
    assert _steps([3, 0, 4, 2, 5], 4) == [(0, 3), (3, 5)]
    assert _steps([5, 1], 4) == [(0, 1), (1, 2)]
    assert _steps([], 4) == []
    assert _steps([0, 0], 4) == [(0, 2)]


def test_accounts_are_isolated(store: KnowledgeStore) -> None:
    result = store.add_sources(
        [_source("fin", FINANCE, account_id="a"), _source("jobs", HIRING, account_id="b")]
    )
    assert sorted(result.new) == ["fin", "jobs"]
    for query in (["revenue growth"], ["Kubernetes engineers"]):
        assert {h.chunk.account_id for h in store.query("a", query)} == {"a"}
        assert {h.chunk.source_id for h in store.query("b", query)} == {"jobs"}
    assert [s.id for s in store.sources("a")] == ["fin"]
    assert store.source_texts("b") == {"jobs": HIRING}
    assert store.query("nobody", ["revenue"]) == []
    assert store.chunk_count("nobody") == 0


def test_query_merges_queries_and_filters_kinds(store: KnowledgeStore) -> None:
    store.add_sources(
        [_source("fin", FINANCE), _source("jobs", HIRING, kind=SourceKind.job_posting)]
    )
    hits = store.query("larkspur-home", ["revenue growth", "hiring engineers"], n_results=50)
    assert len({h.chunk.id for h in hits}) == len(hits) == store.chunk_count("larkspur-home")
    assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
    only_jobs = store.query("larkspur-home", ["revenue"], kinds={SourceKind.job_posting})
    assert {h.kind for h in only_jobs} == {SourceKind.job_posting}


def test_sources_are_newest_first_undated_last(store: KnowledgeStore) -> None:
    store.add_sources(
        [
            _source("undated", "No date here."),
            _source("old", "Old news.", published_at=datetime(2020, 1, 1, tzinfo=UTC)),
            _source("new", "New news.", published_at=datetime(2024, 1, 1)),
            _source("b-same", "Same day.", published_at=datetime(2022, 1, 1, tzinfo=UTC)),
            _source("a-same", "Same day.", published_at=datetime(2022, 1, 1, tzinfo=UTC)),
        ]
    )
    ids = [s.id for s in store.sources("larkspur-home")]
    assert ids == ["new", "a-same", "b-same", "old", "undated"]


def test_reopened_store_returns_the_same_sources(home: Path, store: KnowledgeStore) -> None:
    sources = [_source("fin", FINANCE), _source("jobs", HIRING)]
    store.add_sources(sources)
    fresh = KnowledgeStore(Settings(home=home), store.embedder)
    assert sorted(fresh.sources("larkspur-home"), key=lambda s: s.id) == sources
    assert fresh.chunk_count("larkspur-home") == store.chunk_count("larkspur-home")
    assert fresh.add_sources(sources).unchanged == ["fin", "jobs"]


def test_new_process_reopens_without_warnings(home: Path, store: KnowledgeStore) -> None:
    store.add_sources([_source("fin", FINANCE)])
    script = textwrap.dedent(
        f"""
        import json, warnings
        warnings.simplefilter("error")
        from agent.config import Settings
        from knowledge.store import KnowledgeStore
        store = KnowledgeStore(Settings(home={str(home)!r}))
        hits = store.query("larkspur-home", ["operating margin"], n_results=1)
        print(json.dumps([store.chunk_count("larkspur-home"), hits[0].chunk.source_id]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [store.chunk_count("larkspur-home"), "fin"]
    assert "warn" not in done.stderr.lower()


def test_collection_names_follow_chroma_rules() -> None:
    assert collection_name("larkspur-home") == "acct-larkspur-home"
    assert collection_name("a") == "acct-a"
    for odd in ("ends-", "x" * 80, "under_"):
        name = collection_name(odd)
        assert 3 <= len(name) <= 63 and name[-1].isalnum()


def test_a_thinner_copy_never_replaces_a_fuller_source(
    home: Path, embedder: MiniLMEmbedding
) -> None:
    store = KnowledgeStore(Settings(home=home), embedder)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    full = Source(
        id="news-1",
        account_id="acme",
        kind=SourceKind.news,
        retrieved_at=now,
        title="Acme buys Globex",
        text="Acme buys Globex\n\nThe deal closes in March for $40 million.",
    )
    store.add_sources([full])
    headline = full.model_copy(update={"text": "Acme buys Globex"})
    assert store.add_sources([headline]).unchanged == ["news-1"]
    assert store.get_source("acme", "news-1") == full
    corrected = full.model_copy(update={"text": full.text.replace("March", "April")})
    assert store.add_sources([corrected]).updated == ["news-1"]


@pytest.mark.parametrize("source_id", ["../../book", "a/b", "..", "/etc/passwd", "x\\y", ""])
def test_a_source_id_that_is_a_path_is_no_source(store: KnowledgeStore, source_id: str) -> None:
    """The store refuses ids that would reach outside the account's folder, whoever asks."""
    store.add_sources([_source("news-1", FINANCE)])
    assert store.get_source("larkspur-home", "news-1") is not None
    assert store.get_source("larkspur-home", source_id) is None
    assert store.get_source("../larkspur-home", "news-1") is None


def test_threads_adding_and_querying_many_small_accounts_never_lose_an_index(
    store: KnowledgeStore,
) -> None:
    # Chroma's bounded index cache could evict an index between catching it up and reading it
    # when other threads used the index too: "Nothing found on disk" (about 1 query in 150).
    from concurrent.futures import ThreadPoolExecutor

    def account(n: int) -> int:
        account_id = f"wren-{n:03d}"
        found = 0
        for round_ in range(4):
            text = f"Wren {n} opened office number {round_} and is hiring engineers there."
            store.add_sources([_source(f"news-{n}-{round_}", text, account_id=account_id)])
            for _ in range(3):
                found += bool(store.query(account_id, ["offices and hiring"], n_results=2))
        return found

    with ThreadPoolExecutor(6) as pool:
        assert sum(pool.map(account, range(120))) == 120 * 4 * 3
