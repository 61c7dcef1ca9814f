"""The Chroma client behind the knowledge store: a Chroma server when `DOSSIER_CHROMA_URL` is
set, else the on-disk index in the workspace. Imported only when the index is first used.

Chroma's on-disk client keeps the HNSW index of every collection it has opened in memory, as
many as a fifth of the process's file-handle limit (4,000 with 20,000 handles), ~2.2-2.7 MB
each even for a one-chunk account: a scan grew by that much per account. The client built here
keeps the `HNSW_CACHE_INDEXES` most recently used, so memory does not depend on the size of the
book; and it gives blocks of a megabyte or more pages of their own (`knowledge/heap.py`),
without which each evicted index left ~14 KB behind in the heap.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ServerAPI
from chromadb.api.client import Client
from chromadb.api.rust import RustBindingsAPI
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.config import System
from chromadb.telemetry.product import ProductTelemetryClient
from chromadb.utils.embedding_functions import register_embedding_function

from agent.config import Settings
from agent.errors import WorkspaceError, workspace_error
from knowledge import heap
from knowledge.embed import MAX_TOKENS, MODEL_ID, MiniLMEmbedding, default_embedder

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

#: HNSW indexes kept loaded by the on-disk client (about 2 MB each): a scan's workers each
#: touch one account at a time, and a brief one; an index evicted is read again from disk when
#: next used. Chroma splits the cache into 64 shards of capacity/64 indexes each, and evicts
#: within a shard: with 16, an index caught up by one thread was often evicted by another's
#: before it was read ("Nothing found on disk"); with 128 (two per shard), the store's retry
#: and its indexes saved promptly (knowledge/store.py), 1,440 threaded queries all succeed.
HNSW_CACHE_INDEXES = 128
_OPENING = threading.Lock()
#: Blocks of this size or more get pages of their own, returned to the system when freed: an
#: index is 2-3 MB; numpy's and onnxruntime's working blocks are smaller.
OWN_PAGES_BYTES = 1 << 20


@register_embedding_function
class ChromaEmbedding(EmbeddingFunction[Documents]):
    """The embedder as Chroma sees it: each collection records this function's name and
    configuration (the store always hands Chroma its vectors; this is for the record)."""

    def __init__(self, embedder: MiniLMEmbedding | None = None) -> None:
        self.embedder = embedder or default_embedder()

    def __call__(self, input: Documents) -> Embeddings:
        """Chroma's entry point: one vector per document."""
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        """The name Chroma records in a collection's configuration."""
        return "dossier-minilm-int8"

    def default_space(self) -> Any:
        """Cosine: the vectors are unit length and compared by angle."""
        return "cosine"

    def supported_spaces(self) -> Any:
        """Spaces in which these vectors make sense."""
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        """What Chroma persists about this function; the model is fixed by the package."""
        return {"model": MODEL_ID, "max_tokens": MAX_TOKENS}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        """Rebuild from a persisted configuration: the process's shared (lazy) embedder."""
        return ChromaEmbedding()


def make_client(settings: Settings) -> ClientAPI:
    """A Chroma server client when a URL is set, else the on-disk store; never telemetry."""
    if settings.chroma_url:
        url = urlsplit(settings.chroma_url)
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _local_client(settings.chroma_dir)
    except Exception as exc:
        # a failed open stays cached in Chroma's process-wide registry and would hide this
        # error behind an AttributeError on the next open of the same folder
        SharedSystemClient.clear_system_cache()
        index = settings.chroma_dir / "chroma.sqlite3"
        fault = workspace_error(exc, index, "index")
        raise fault or WorkspaceError(
            f"the Chroma index at {index} cannot be opened ({type(exc).__name__}): move "
            f"{settings.chroma_dir} aside; adding the sources again rebuilds it"
        ) from exc


def _local_client(folder: Path) -> ClientAPI:
    """`chromadb.PersistentClient(folder)` with a bounded index cache.

    Chroma sizes the cache when its on-disk API starts, from the file-handle limit, and offers
    no setting for it; so the first client of a folder in this process starts that API itself
    with the size set (what `PersistentClient` does, plus one line), and later ones share it.
    """
    local = ChromaSettings(
        anonymized_telemetry=False, is_persistent=True, persist_directory=str(folder)
    )
    with _OPENING:
        if SharedSystemClient._get_identifier_from_settings(local) not in _started():
            system = System(local)
            system.instance(ProductTelemetryClient)  # type: ignore[type-abstract]
            api = system.instance(ServerAPI)  # type: ignore[type-abstract]
            if isinstance(api, RustBindingsAPI):
                api.hnsw_cache_size = HNSW_CACHE_INDEXES
                heap.own_pages_from(OWN_PAGES_BYTES)
            system.start()
            return Client.from_system(system)
        return Client(settings=local)


def _started() -> set[str]:
    """The folders (Chroma's system identifiers) whose on-disk API runs in this process."""
    return set(SharedSystemClient._identifier_to_system)
