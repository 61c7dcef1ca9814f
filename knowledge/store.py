"""The knowledge store: each account's sources as JSON files, their chunks in a Chroma collection.

The JSON files are the record (quotes are checked against them); the collection is the index,
holding each chunk's vector and where it lies in its source, not its text (a hit's text is cut
from the source it came from). Chunks are written before the JSON, so a run cut short is
redone, never half-remembered.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from agent.atomic import write_atomic
from agent.config import Settings
from agent.schemas import Chunk, Source, SourceKind
from agent.validate import fold
from knowledge.chunk import chunk_source
from knowledge.embed import MiniLMEmbedding, default_embedder

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection as ChromaCollection

_STATES = ("new", "unchanged", "updated")
#: A stored source's identity: (account id, source id).
_Key = tuple[str, str]
#: Chunks embedded, reported and written at a time (about half a second of the model on two
#: cores; a step's index write costs tens of milliseconds however few chunks it holds).
_STEP = 96
#: Collection handles kept open: bounded, so a long scan does not grow with the book.
_OPEN_COLLECTIONS = 64
#: Sources whose text is kept for cutting query hits' chunks out of it: bounded, like the
#: collections, so a scan's memory does not grow with the book.
_REMEMBERED_SOURCES = 128
#: Each index saved to disk as soon as it holds two new elements (Chroma's default, 1,000, left
#: most small accounts' indexes only in memory: evicted from the bounded cache of
#: knowledge/index_client.py, they were "Nothing found on disk" for good; 2 is Chroma's least).
SAVED_PROMPTLY = {"sync_threshold": 2, "batch_size": 2}
#: Chroma's words for an index evicted between being caught up and being read.
EVICTED = "Nothing found on disk"
QUERY_ATTEMPTS = 5
#: Told how many chunks are embedded so far, and of how many.
Progress = Callable[[int, int], None]

#: What a stored account or source id looks like: never a path or `..`.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,200}")
log = logging.getLogger(__name__)
_COLLECTION_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{1,61}[a-zA-Z0-9]")


@dataclass(frozen=True)
class AddResult:
    """Which sources an `add_sources` call stored for the first time, left alone, or replaced."""

    new: list[str]
    unchanged: list[str]
    updated: list[str]


@dataclass(frozen=True)
class Hit:
    """A stored chunk that matched a query, with what retrieval needs to rank it."""

    chunk: Chunk
    similarity: float
    embedding: np.ndarray = field(repr=False, compare=False)
    kind: SourceKind
    published_at: datetime | None
    title: str


def content_hash(source: Source) -> str:
    """A digest of everything that changes a source's chunks or how they are ranked."""
    payload = {
        "title": source.title,
        "text": source.text,
        "kind": source.kind.value,
        "url": source.url,
        "published_at": source.published_at.isoformat() if source.published_at else None,
        "metadata": source.metadata,
    }
    return payload_hash(payload)


def payload_hash(payload: Any) -> str:
    """A stable digest of a JSON-able payload (key order does not matter)."""
    blob = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def says_less(new: Source, stored: Source) -> bool:
    """True when `new` is a thinner copy of `stored` (a feed's headline of an article already
    stored in full): storing it would throw text away."""
    if len(new.text) >= len(stored.text):
        return False
    have = fold(f"{stored.title}\n{stored.text}")
    return all(fold(line) in have for line in new.text.splitlines() if line.strip())


def collection_name(account_id: str) -> str:
    """The Chroma collection of an account (Chroma allows 3-63 characters, alphanumeric ends)."""
    name = f"acct-{account_id}"
    if _COLLECTION_NAME.fullmatch(name):
        return name
    return "acct-" + hashlib.sha256(account_id.encode("utf-8")).hexdigest()[:32]


class KnowledgeStore:
    """Per-account sources and chunk index; nothing is opened or loaded until first needed."""

    def __init__(self, settings: Settings, embedder: MiniLMEmbedding | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._client: ClientAPI | None = None
        self._collections: dict[str, ChromaCollection] = {}
        self._lock = threading.Lock()
        # Writes are serialized so a threaded scan never interleaves two accounts' index
        # updates; reads stay concurrent.
        self._write_lock = threading.Lock()
        self._damaged: set[Path] = set()
        # recently read sources' texts, by (account, source): (file version, text, digest)
        self._texts: OrderedDict[_Key, tuple[tuple[int, int], str, str]] = OrderedDict()

    @property
    def embedder(self) -> MiniLMEmbedding:
        """The embedding function (the process's shared one unless another was given)."""
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    def add_sources(
        self, sources: Sequence[Source], on_progress: Progress | None = None
    ) -> AddResult:
        """Store sources, re-chunking and re-embedding only those that are new or changed;
        `on_progress(done, total)` hears of the chunks embedded as they are, a step at a time.

        Only the writes are serialized: a threaded scan embeds one account's sources while
        another account's are written (an account's sources are added by one thread at a
        time, so its reads and writes never cross)."""
        status, latest, hashes = self._statuses(sources)
        todo = [latest[key] for key, state in status.items() if state != "unchanged"]
        chunks = [chunk_source(s, self.settings.chunk_chars) for s in todo]
        self._embed_and_write(todo, chunks, hashes, on_progress)
        ids = {state: [k[1] for k, v in status.items() if v == state] for state in _STATES}
        return AddResult(**ids)

    def _embed_and_write(
        self,
        sources: list[Source],
        chunks: list[list[Chunk]],
        hashes: dict[_Key, str],
        on_progress: Progress | None,
    ) -> None:
        """The sources' chunks embedded and written _STEP at a time. With more than one step,
        each is written on a writer thread while the next is embedded, so the model does not
        stand idle while Chroma writes (SQLite and HNSW: a fifth of the time, in turn); with
        one (most of a scan's accounts) there is nothing to overlap, and no thread."""
        steps = _steps([len(own) for own in chunks], _STEP)
        total = sum(len(own) for own in chunks)
        done = 0
        with ExitStack() as stack:
            writer = (
                stack.enter_context(ThreadPoolExecutor(1, thread_name_prefix="store-write"))
                if len(steps) > 1
                else None
            )
            written: Future[None] | None = None
            for begin, end in steps:
                part = chunks[begin:end]
                vectors = self.embed([c.text for own in part for c in own])
                done += len(vectors)
                if on_progress is not None and total:
                    on_progress(done, total)
                if written is not None:
                    written.result()  # in order, and a failed write stops the rest
                if writer is None:
                    self._write(sources[begin:end], part, vectors, hashes)
                else:
                    written = writer.submit(self._write, sources[begin:end], part, vectors, hashes)
            if written is not None:
                written.result()

    def _statuses(
        self, sources: Sequence[Source]
    ) -> tuple[dict[_Key, str], dict[_Key, Source], dict[_Key, str]]:
        """Each source's state (new, unchanged, updated), the version to keep (a thinner copy
        of a stored source keeps the stored one), and its content hash."""
        latest = {(s.account_id, s.id): s for s in sources}
        hashes = {key: content_hash(s) for key, s in latest.items()}
        status: dict[_Key, str] = {}
        for key in latest:
            stored = self.get_source(*key)
            if stored is None:
                status[key] = "new"
                continue
            stored_hash = content_hash(stored)
            if says_less(latest[key], stored):
                latest[key], hashes[key] = stored, stored_hash
            status[key] = "unchanged" if stored_hash == hashes[key] else "updated"
        kept = [latest[key] for key, state in status.items() if state == "unchanged"]
        for source in self._missing_from_index(kept, hashes):
            status[(source.account_id, source.id)] = "updated"
        return status, latest, hashes

    def sources(self, account_id: str, as_of: datetime | None = None) -> list[Source]:
        """All stored sources of an account, newest published first (undated last), then by id;
        a damaged file is skipped with a warning.

        With `as_of`, only those that stood by then: published by then, or (undated) retrieved.
        """
        folder = self.settings.sources_dir / account_id
        if not folder.is_dir():
            return []
        read = (self._read_source(p) for p in sorted(folder.glob("*.json")))
        found = [s for s in read if s is not None]
        if as_of is not None:
            found = [s for s in found if stood_by(s, as_of)]
        return sorted(
            found,
            key=lambda s: (
                s.published_at is None,
                -as_utc(s.published_at).timestamp() if s.published_at else 0.0,
                s.id,
            ),
        )

    def get_source(self, account_id: str, source_id: str) -> Source | None:
        """One stored source, or None; an id that is not a plain name (a path, `..`) is none,
        whoever asks (the web page, the MCP server)."""
        if not (_PLAIN_NAME.fullmatch(account_id) and _PLAIN_NAME.fullmatch(source_id)):
            return None
        path = self.settings.sources_dir / account_id / f"{source_id}.json"
        if not path.is_file():
            return None
        return self._read_source(path)

    def _read_source(self, path: Path) -> Source | None:
        """A stored source, or None (and one warning per file) when its file is damaged: a
        truncated write or a hand edit must not hide the account's other sources."""
        try:
            return Source.model_validate_json(path.read_bytes())
        except (OSError, ValueError, RecursionError) as exc:
            if path not in self._damaged:
                self._damaged.add(path)
                reason = exc.strerror if isinstance(exc, OSError) else "not a valid source record"
                log.warning(
                    "%s: skipped, %s; add the document again or re-run research to restore it",
                    path,
                    reason,
                )
            return None

    def source_texts(self, account_id: str) -> dict[str, str]:
        """The stored text of each source of an account, by source id (what quotes must match)."""
        return {s.id: s.text for s in self.sources(account_id)}

    def chunk_count(self, account_id: str) -> int:
        """How many chunks the account's index holds."""
        collection = self._collection(account_id, create=False)
        return collection.count() if collection is not None else 0

    def query(
        self,
        account_id: str,
        queries: Sequence[str],
        n_results: int = 20,
        kinds: Collection[SourceKind] | None = None,
    ) -> list[Hit]:
        """The account's chunks nearest to any of the queries, best similarity first."""
        collection = self._collection(account_id, create=False)
        size = collection.count() if collection is not None else 0
        if collection is None or size == 0 or not queries:
            return []
        where: Any = {"kind": {"$in": sorted(k.value for k in kinds)}} if kinds else None
        result = _query(
            collection,
            query_embeddings=self.embed(queries),  # remembered by the embedder
            n_results=min(n_results, size),
            where=where,
            include=["embeddings", "metadatas", "documents", "distances"],
        )
        best: dict[str, Hit] = {}
        for q in range(len(queries)):
            for i, chunk_id in enumerate(result["ids"][q]):
                similarity = 1.0 - float(_nth(result["distances"], q)[i])
                if chunk_id in best and best[chunk_id].similarity >= similarity:
                    continue
                meta = _nth(result["metadatas"], q)[i]
                text = _nth(result["documents"], q)[i] or self._chunk_text(account_id, meta)
                if text is None:
                    continue
                best[chunk_id] = _hit(
                    chunk_id,
                    text,
                    meta,
                    similarity,
                    np.asarray(_nth(result["embeddings"], q)[i], dtype=np.float32),
                )
        return sorted(best.values(), key=lambda h: (-h.similarity, h.chunk.id))

    def _chunk_text(self, account_id: str, meta: Any) -> str | None:
        """A chunk's text, from the stored source it was cut from (the index keeps no copy of
        it); None when that source is gone, damaged, or no longer the version the chunk was
        cut from (its chunks are being replaced)."""
        source_id = str(meta["source_id"])
        path = self.settings.sources_dir / account_id / f"{source_id}.json"
        try:
            stat = path.stat()
        except OSError:
            return None
        version = (stat.st_mtime_ns, stat.st_size)
        key = (account_id, source_id)
        with self._lock:
            known = self._texts.get(key)
            if known is not None and known[0] == version:
                self._texts.move_to_end(key)
        if known is None or known[0] != version:
            source = self.get_source(account_id, source_id)
            if source is None:
                return None
            known = (version, source.text, content_hash(source))
            with self._lock:
                self._texts[key] = known
                while len(self._texts) > _REMEMBERED_SOURCES:
                    self._texts.popitem(last=False)
        _, text, digest = known
        if meta.get("content_hash") != digest:
            return None
        return text[int(meta["start"]) : int(meta["end"])]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of the texts, from the store's embedder: the one way to get sentence
        and query vectors (each sentence embedded once per process, see knowledge/embed.py)."""
        return self.embedder.embed(texts)

    def _write(
        self,
        sources: list[Source],
        chunks: list[list[Chunk]],
        vectors: np.ndarray,
        hashes: dict[_Key, str],
    ) -> None:
        """Sources' chunks into the index, then their JSON files."""
        with self._write_lock:
            if sources:
                self._replace_chunks(sources, chunks, vectors, hashes)
            for source in sources:
                self._write_source(source)

    def _missing_from_index(self, sources: list[Source], hashes: dict[_Key, str]) -> list[Source]:
        """Sources whose JSON is stored but whose chunks are absent or stale in the index."""
        redo: list[Source] = []
        for account_id in sorted({s.account_id for s in sources}):
            own = [s for s in sources if s.account_id == account_id]
            collection = self._collection(account_id, create=False)
            if collection is None:
                redo += own
                continue
            got = collection.get(ids=[f"{s.id}:0000" for s in own], include=["metadatas"])
            indexed = {
                str(m["source_id"]): m.get("content_hash")
                for m in (got["metadatas"] or [])
                if m is not None
            }
            redo += [
                s
                for s in own
                if s.text.strip() and indexed.get(s.id) != hashes[(s.account_id, s.id)]
            ]
        return redo

    def _replace_chunks(
        self,
        sources: list[Source],
        chunks: list[list[Chunk]],
        vectors: np.ndarray,
        hashes: dict[_Key, str],
    ) -> None:
        """Each source's old chunks out of its account's index and its new ones in: one delete
        and one upsert per account and batch (a call costs tens of milliseconds)."""
        # per account: the source ids replaced, and each new chunk with its row in `vectors`
        replaced: dict[str, list[str]] = {}
        rows: dict[str, list[tuple[Chunk, int, Any]]] = {}
        row = 0
        for source, own in zip(sources, chunks, strict=True):
            digest = hashes[(source.account_id, source.id)]
            replaced.setdefault(source.account_id, []).append(source.id)
            for chunk in own:
                rows.setdefault(source.account_id, []).append(
                    (chunk, row, _metadata(source, chunk, digest))
                )
                row += 1
        step = self._client_api().get_max_batch_size()
        for account_id, ids in replaced.items():
            collection = self._collection(account_id, create=True)
            assert collection is not None
            stale: Any = {"source_id": {"$in": ids}}
            collection.delete(where=stale)
            new = rows.get(account_id, [])
            for begin in range(0, len(new), step):
                part = new[begin : begin + step]
                # no documents: a chunk's text is its source's, and Chroma's indexing of
                # documents was half the cost of a write (bench/ingest.py)
                collection.upsert(
                    ids=[chunk.id for chunk, _, _ in part],
                    embeddings=vectors[[i for _, i, _ in part]],
                    metadatas=[meta for _, _, meta in part],
                )

    def _write_source(self, source: Source) -> None:
        path = self.settings.sources_dir / source.account_id / f"{source.id}.json"
        write_atomic(path, source.model_dump_json())

    def _collection(self, account_id: str, *, create: bool) -> ChromaCollection | None:
        """The account's collection (kept for the next call: the last `_OPEN_COLLECTIONS`)."""
        known = self._collections.get(account_id)
        if known is not None:
            return known
        from chromadb.errors import NotFoundError

        client = self._client_api()
        name = collection_name(account_id)
        from knowledge.index_client import ChromaEmbedding

        # Chroma's protocol types its input as documents or images; ours takes documents only.
        function: Any = ChromaEmbedding(self.embedder)
        with self._lock:
            known = self._collections.get(account_id)
            if known is not None:
                return known
            if create:
                collection = client.get_or_create_collection(
                    name,
                    configuration=cast(Any, {"hnsw": {"space": "cosine", **SAVED_PROMPTLY}}),
                    metadata={"account_id": account_id},
                    embedding_function=function,
                )
            else:
                try:
                    collection = client.get_collection(name, embedding_function=function)
                except (NotFoundError, ValueError):
                    return None
            hnsw = (collection.configuration or {}).get("hnsw") or {}
            if hnsw.get("sync_threshold") != SAVED_PROMPTLY["sync_threshold"]:
                # an index made before: saved at 1,000 elements, so most never were
                collection.modify(configuration=cast(Any, {"hnsw": SAVED_PROMPTLY}))
            if len(self._collections) >= _OPEN_COLLECTIONS:
                # a scan touches each account once: the oldest handle is the least useful
                del self._collections[next(iter(self._collections))]
            self._collections[account_id] = collection
            return collection

    def _client_api(self) -> ClientAPI:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = _make_client(self.settings)
        return self._client


def _query(collection: ChromaCollection, **query: Any) -> Any:
    """`collection.query`, again when Chroma's on-disk client evicted the index between
    catching it up and reading it (its bounded cache, knowledge/index_client.py); the index is
    on disk by then (SAVED_PROMPTLY), so the next attempt reads it."""
    from chromadb.errors import InternalError

    for attempt in range(QUERY_ATTEMPTS):
        try:
            return collection.query(**query)
        except InternalError as exc:
            if EVICTED not in str(exc) or attempt == QUERY_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _make_client(settings: Settings) -> ClientAPI:
    """The Chroma client `settings` point at (chromadb loads only when the index is used)."""
    from knowledge.index_client import make_client

    return make_client(settings)


def _steps(sizes: Sequence[int], step: int) -> list[tuple[int, int]]:
    """Consecutive [begin, end) runs of whole items, each closed once it holds `step` or more
    of what `sizes` counts (an item holding nothing joins the run it falls in)."""
    runs: list[tuple[int, int]] = []
    begin, held = 0, 0
    for i, size in enumerate(sizes):
        held += size
        if held >= step:
            runs.append((begin, i + 1))
            begin, held = i + 1, 0
    if begin < len(sizes):
        runs.append((begin, len(sizes)))
    return runs


def _metadata(source: Source, chunk: Chunk, digest: str) -> dict[str, str | int | float]:
    meta: dict[str, str | int | float] = {
        "source_id": source.id,
        "account_id": source.account_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "kind": source.kind.value,
        "title": source.title,
        "content_hash": digest,
    }
    if source.published_at is not None:
        meta["published_ts"] = as_utc(source.published_at).timestamp()
    return meta


def _hit(chunk_id: str, text: str, meta: Any, similarity: float, embedding: np.ndarray) -> Hit:
    published = meta.get("published_ts")
    return Hit(
        chunk=Chunk(
            id=chunk_id,
            source_id=str(meta["source_id"]),
            account_id=str(meta["account_id"]),
            index=int(meta["index"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
        ),
        similarity=similarity,
        embedding=embedding,
        kind=SourceKind(meta["kind"]),
        published_at=datetime.fromtimestamp(float(published), UTC)
        if published is not None
        else None,
        title=str(meta.get("title", "")),
    )


def _nth(column: Any, q: int) -> Any:
    """Row q of a Chroma query result column, which must have been included."""
    if column is None:
        raise RuntimeError("Chroma returned no data for an included field")
    return column[q]


def stood_by(source: Source, as_of: datetime) -> bool:
    """Whether a source was public by `as_of`: its publication date, else when it was retrieved."""
    return as_utc(source.published_at or source.retrieved_at) <= as_utc(as_of)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
