"""dossier's exceptions, turned into a one-line message only at the CLI edge.

DossierError
├── ConfigError       bad settings, unknown account, unusable workspace
│   └── WorkspaceError  a workspace file read-only, on a full disk, corrupt or locked
├── ParseError        an input file or response that cannot be read as its format
│   └── BlockedPage   a bot check, cookie wall or paywall stub served instead of the page
├── FetchError        a source that could not be fetched (network, HTTP status, size)
└── BriefingInvalid   a briefing that fails schema or grounding checks
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal


class DossierError(Exception):
    """Base of every error dossier raises on purpose."""


class ConfigError(DossierError):
    """Settings, workspace or account lookup failed."""


class WorkspaceError(ConfigError):
    """A workspace file that cannot be used: read-only, disk full, corrupt or locked."""


class ParseError(DossierError):
    """Input could not be read as the format it claims to be."""


class BlockedPage(ParseError):
    """A page that stands in for the content: a bot check, a cookie wall or a paywall stub."""


class FetchError(DossierError):
    """A source could not be fetched."""


class BriefingInvalid(DossierError):
    """A briefing failed validation; carries the last output and the attempts made."""

    def __init__(self, message: str, last_output: Any = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.last_output = last_output
        self.attempts = attempts


Fault = Literal["read-only", "denied", "no space", "corrupt", "locked", "cannot open"]
#: What a workspace file is, for the message: the ledger, the Chroma index, or any other file.
FileRole = Literal["ledger", "index", "file"]

_ERRNO_FAULTS: dict[int, Fault] = {
    errno.EROFS: "read-only",
    errno.EACCES: "denied",
    errno.EPERM: "denied",
    errno.ENOSPC: "no space",
    errno.EDQUOT: "no space",
    errno.EFBIG: "no space",
}
#: How SQLite (through sqlite3, SQLAlchemy or Chroma's own binding) words each fault.
_DATABASE_FAULTS: tuple[tuple[str, Fault], ...] = (
    ("not a database", "corrupt"),
    ("malformed", "corrupt"),
    ("file is encrypted", "corrupt"),
    ("readonly database", "read-only"),
    ("read-only file system", "read-only"),
    ("disk is full", "no space"),
    ("database is locked", "locked"),
    ("database table is locked", "locked"),
    ("unable to open database", "cannot open"),
)
_DATABASE_MODULES = {"sqlite3", "sqlalchemy", "chromadb", "chromadb_rust_bindings"}


def workspace_error(
    exc: BaseException, path: Path | str | None = None, role: FileRole = "file"
) -> WorkspaceError | None:
    """`exc` (an OSError or a database error, however wrapped) as one line that names the file
    and the remedy; None when it is not a fault of the workspace's files.

    `path` and `role` say which file was being used when the error itself does not.
    """
    found = _fault(exc)
    if found is None:
        return None
    fault, filename = found
    where = str(filename or path or "the workspace")
    return WorkspaceError(_message(fault, where, role))


def database_of(exc: BaseException) -> Literal["index", "ledger"] | None:
    """Which database an error (or what caused it) came from: Chroma's index, the ledger
    (SQLAlchemy or sqlite3), or neither."""
    for link in _chain(exc):
        package = type(link).__module__.split(".")[0]
        if package.startswith("chromadb"):
            return "index"
        if package in ("sqlalchemy", "sqlite3"):
            return "ledger"
    return None


def _fault(exc: BaseException) -> tuple[Fault, str | None] | None:
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in _ERRNO_FAULTS:
            filename = link.filename if isinstance(link.filename, str) else None
            return _ERRNO_FAULTS[link.errno], filename
        if type(link).__module__.split(".")[0] in _DATABASE_MODULES:
            text = str(link).casefold()
            for words, fault in _DATABASE_FAULTS:
                if words in text:
                    return fault, None
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, then what caused it (SQLAlchemy wraps sqlite3's, Chroma its binding's)."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        orig = getattr(link, "orig", None)
        link = orig if isinstance(orig, BaseException) else link.__cause__ or link.__context__


def _message(fault: Fault, where: str, role: FileRole) -> str:
    match fault:
        case "read-only":
            return (
                f"cannot write {where}: the file system is read-only; make the workspace "
                "writable or choose another with --home"
            )
        case "denied":
            return (
                f"permission denied on {where}: check the owner and mode of the file and its folder"
            )
        case "no space":
            return f"no space left on device writing {where}: free some space and run it again"
        case "locked":
            return f"{where} is locked by another dossier process: run it again when that ends"
        case "cannot open":
            return (
                f"cannot open {where}: check that its folder exists and is writable, and that "
                "the disk is not full"
            )
    if role == "ledger":
        return (
            f"the ledger at {where} is not a SQLite database (corrupt?): move it aside; "
            "the next scan starts a new one"
        )
    if role == "index":
        folder = Path(where).parent if where.endswith(".sqlite3") else "its folder"
        return (
            f"the Chroma index at {where} is corrupt: move {folder} aside; adding the sources "
            "again rebuilds it (their texts are kept in the workspace's sources/)"
        )
    return f"{where} is corrupt: move it aside or restore it from a backup"
