"""Sentence vectors kept on disk, so a new process does not embed again what an earlier one did.

A cold `dossier brief` spent most of its time embedding the same few hundred sentences and
queries that the previous brief of the account had embedded (the signal classifier's
sentences, the layer queries, the candidate sentences). A text's vector depends only on the
text and the model file (each text runs alone, see knowledge/embed.py), so it can be kept:
one SQLite file per model in the user's cache (`~/.cache/dossier/vectors/`), shared by every
workspace and process (WAL mode; a writer waits for another). The file is bounded: past
`MAX_ROWS` vectors the oldest fifth goes. Any trouble with the file (read-only, full, damaged)
turns the cache off for the process with one log line; embedding goes on without it.
`DOSSIER_VECTOR_CACHE=0` turns it off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from agent.config import user_cache_dir

log = logging.getLogger(__name__)

ENV = "DOSSIER_VECTOR_CACHE"
#: Vectors kept per model file (~1.6 KB each: ~160 MB).
MAX_ROWS = 100_000
#: Keys looked up per query (SQLite's limit on parameters is far above).
_CHUNK = 500


def cache_root() -> Path:
    """Where vector files are kept for every workspace of this user."""
    return user_cache_dir() / "vectors"


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).digest()


class VectorCache:
    """The vectors of one model file, by text."""

    def __init__(self, path: Path, dimension: int) -> None:
        self.path = path
        self._dimension = dimension
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._off = os.environ.get(ENV, "1") == "0"
        self._writes = 0

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The kept vectors of those texts that have one."""
        keys = {_key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        if not keys:
            return found
        with self._lock:
            db = self._open()
            if db is None:
                return found
            try:
                items = list(keys)
                for start in range(0, len(items), _CHUNK):
                    part = items[start : start + _CHUNK]
                    marks = ",".join("?" * len(part))
                    query = f"SELECT key, vector FROM vectors WHERE key IN ({marks})"
                    for key, blob in db.execute(query, part):
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (self._dimension,):
                            found[keys[key]] = vector.copy()
            except sqlite3.Error as exc:
                self._fail(exc)
        return found

    def put(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Keep these vectors (a text already kept is left as it is)."""
        if not vectors:
            return
        rows = [(_key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in vectors.items()]
        with self._lock:
            db = self._open()
            if db is None:
                return
            try:
                with db:
                    db.executemany(
                        "INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)", rows
                    )
                self._writes += len(rows)
                if self._writes >= MAX_ROWS // 10:
                    self._writes = 0
                    self._prune(db)
            except sqlite3.Error as exc:
                self._fail(exc)

    def _prune(self, db: sqlite3.Connection) -> None:
        (count,) = db.execute("SELECT COUNT(*) FROM vectors").fetchone()
        if count > MAX_ROWS:
            with db:
                db.execute(
                    "DELETE FROM vectors WHERE rowid IN "
                    "(SELECT rowid FROM vectors ORDER BY rowid LIMIT ?)",
                    (count - MAX_ROWS + MAX_ROWS // 5,),
                )

    def _open(self) -> sqlite3.Connection | None:
        if self._off or self._db is not None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
            )
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc)
            return None
        self._db = db
        return db

    def _fail(self, exc: Exception) -> None:
        log.info("sentence vectors are not kept on disk (%s: %s)", self.path, exc)
        self._off = True
        if self._db is not None:
            self._db.close()
            self._db = None
