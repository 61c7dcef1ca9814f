"""Whole-file writes that a crash or a concurrent writer never leaves half done, and the lock
that makes a read-modify-write of a file safe between processes."""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from agent.errors import WorkspaceError

#: How long a process waits for another's lock before giving up with a clear message.
LOCK_TIMEOUT_S = 30.0
_LOCK_POLL_S = 0.02


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` through a unique temporary file in the same folder, then rename.

    Text is written as UTF-8. The folder is created if needed; a failed write leaves the old
    file in place and no temporary file behind. An OSError names `path`, not the temporary file.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _replacing(path) as fd, os.fdopen(fd, "wb") as handle:
        handle.write(payload)


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file to write in pieces, renamed over `path` when the block ends without
    error (as `write_atomic`: the old file stays in place otherwise, no temporary behind)."""
    with _replacing(path) as fd, os.fdopen(fd, "w", encoding="utf-8") as handle:
        yield handle


@contextmanager
def _replacing(path: Path) -> Iterator[int]:
    """The open descriptor of a unique temporary file beside `path` (the block must close it),
    renamed over `path` when the block ends without error and removed when it does not."""
    with _naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            yield fd
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on `path` + ".lock" (created if needed) for the block.

    Other processes that ask for the same lock wait up to `timeout` seconds (LOCK_TIMEOUT_S),
    then fail with a WorkspaceError; the lock is released when the block ends or the process
    dies. Not reentrant: a block must not ask for the lock it holds.
    """
    lock_path = path.with_name(path.name + ".lock")
    with _naming(lock_path):
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        # never through a symlink planted in the workspace; a FIFO there cannot block
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        fd = os.open(lock_path, flags, 0o644)
    try:
        deadline = time.monotonic() + (LOCK_TIMEOUT_S if timeout is None else timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkspaceError(
                        f"{path} is locked by another dossier process (lock file {lock_path}): "
                        "run the command again when that one ends"
                    ) from None
                time.sleep(_LOCK_POLL_S)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Re-raise an OSError of the block as the same error (PermissionError, ...) about `path`,
    so a message names the file the user knows, not a temporary one."""
    try:
        yield
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(path)) from exc
