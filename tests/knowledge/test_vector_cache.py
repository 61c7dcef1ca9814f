"""Sentence vectors kept on disk between processes: the same vectors back, never an error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge import embed as embed_module
from knowledge.embed import DIMENSION, MiniLMEmbedding
from knowledge.vector_cache import ENV, VectorCache


def _unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIMENSION).astype(np.float32)
    return v / np.linalg.norm(v)


def test_vectors_come_back_as_they_were_kept(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path / "v.sqlite", DIMENSION)
    cache.put({"Revenue grew 12%.": _unit(1), "We opened Dublin.": _unit(2)})
    again = VectorCache(tmp_path / "v.sqlite", DIMENSION)  # another process, in effect
    found = again.get(["Revenue grew 12%.", "Never kept.", "We opened Dublin."])
    assert set(found) == {"Revenue grew 12%.", "We opened Dublin."}
    assert np.array_equal(found["Revenue grew 12%."], _unit(1))


def test_a_damaged_or_unwritable_file_turns_the_cache_off(tmp_path: Path) -> None:
    damaged = tmp_path / "v.sqlite"
    damaged.write_bytes(b"not a database at all" * 100)
    cache = VectorCache(damaged, DIMENSION)
    cache.put({"a": _unit(1)})
    assert cache.get(["a"]) == {}
    blocked = VectorCache(tmp_path / "file" / "v.sqlite", DIMENSION)
    (tmp_path / "file").write_text("a file where the folder would be", encoding="utf-8")
    blocked.put({"a": _unit(1)})
    assert blocked.get(["a"]) == {}


def test_it_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "0")
    cache = VectorCache(tmp_path / "v.sqlite", DIMENSION)
    cache.put({"a": _unit(1)})
    assert cache.get(["a"]) == {} and not (tmp_path / "v.sqlite").exists()


def test_a_new_embedder_reads_what_an_earlier_one_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embed_module, "cache_root", lambda: tmp_path)
    texts = ["Operating margin improved to 18%.", "We are hiring data engineers."]
    first = MiniLMEmbedding().embed(texts)
    later = MiniLMEmbedding()

    def no_model(_texts: list[str]) -> np.ndarray:
        raise AssertionError("embedded again instead of read from disk")

    monkeypatch.setattr(later, "_encode", no_model)
    assert np.array_equal(later.embed(texts), first)
