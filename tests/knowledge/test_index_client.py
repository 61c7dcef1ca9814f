"""The Chroma client: a bounded index cache on disk, the embedder as Chroma sees it, loaded only
when the index is used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
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


# A 2 MB block after a 3 MB one was freed: its own pages (mmapped, returned when freed), or
# carved from the heap, as glibc does once it has raised its threshold past 2 MB.
_PROBE = """
import ctypes, sys
from knowledge.index_client import bound_fragmentation
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena ordblks smblks hblks hblkhd usmblks "
                                                "fsmblks uordblks fordblks keepcost").split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "bounded":
    assert bound_fragmentation()
libc.free(libc.malloc(3 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(2 << 20)
print(libc.mallinfo2().hblks > before)
libc.free(block)
"""


def _own_pages(mode: str) -> str:
    probe = [sys.executable, "-c", _PROBE, mode]
    found = subprocess.run(probe, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


@pytest.mark.skipif(
    not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"), reason="glibc's malloc"
)
def test_large_blocks_keep_pages_of_their_own_once_an_index_was_evicted() -> None:
    assert _own_pages("glibc") == "False"  # what grew a scan by ~14 KB per account
    assert _own_pages("bounded") == "True"
