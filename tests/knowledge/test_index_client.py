"""The on-disk index keeps a bounded number of HNSW indexes in memory, however many accounts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from chromadb.api.rust import RustBindingsAPI

from agent.config import Settings
from knowledge.index_client import HNSW_CACHE_INDEXES, make_client


def _api(client: object) -> RustBindingsAPI:
    server = client._server  # type: ignore[attr-defined]
    assert isinstance(server, RustBindingsAPI)
    return server


def test_the_local_client_bounds_its_index_cache_and_is_shared(home: Path) -> None:
    settings = Settings(home=home)
    first, second = make_client(settings), make_client(settings)
    assert _api(first).hnsw_cache_size == HNSW_CACHE_INDEXES
    assert _api(second) is _api(first)  # one on-disk API per folder per process

    vectors = np.eye(3, 384, dtype=np.float32)
    for n in range(HNSW_CACHE_INDEXES + 4):  # more collections than the cache holds
        collection = first.get_or_create_collection(f"acct-{n:03d}", embedding_function=None)
        collection.upsert(ids=["a", "b", "c"], embeddings=vectors, documents=["x", "y", "z"])
    # an evicted index is read again from disk
    again = second.get_collection("acct-000", embedding_function=None)
    found = again.query(query_embeddings=vectors[:1], n_results=1)
    assert found["ids"] == [["a"]]
