"""The Chroma client: a bounded index cache on disk, the embedder as Chroma sees it, loaded only
when the index is used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from chromadb.api.rust import RustBindingsAPI

from agent.config import Settings
from knowledge.embed import MiniLMEmbedding, default_embedder
from knowledge.index_client import HNSW_CACHE_INDEXES, ChromaEmbedding, make_client

ROOT = Path(__file__).resolve().parents[2]


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


def test_chroma_sees_the_embedder_through_its_protocol(embedder: MiniLMEmbedding) -> None:
    function = ChromaEmbedding(embedder)
    vectors = function(["one document", "another document"])
    assert len(vectors) == 2
    assert ChromaEmbedding.name() == "dossier-minilm-int8"
    assert not function.is_legacy()
    rebuilt = ChromaEmbedding.build_from_config(function.get_config())
    assert rebuilt.embedder is default_embedder()


def test_importing_the_embedder_does_not_load_chromadb() -> None:
    code = "import sys, knowledge.store; print('chromadb' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert found.stdout.strip() == "False", found.stderr
