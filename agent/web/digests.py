"""The last scan's digest, kept in the workspace (`digests/last.json`) for the web page and the
MCP server: a scan writes it when it completes, the readers load it."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import ValidationError

from agent.atomic import write_atomic
from agent.config import Settings
from agent.scan.digest import Digest

log = logging.getLogger(__name__)


def digest_file(settings: Settings) -> Path:
    """Where the workspace's last digest is kept."""
    return settings.home / "digests" / "last.json"


def save_digest(settings: Settings, digest: Digest) -> None:
    """Keep `digest` as the workspace's last digest (atomically)."""
    write_atomic(digest_file(settings), digest.model_dump_json(indent=2))


def load_digest(settings: Settings) -> Digest | None:
    """The last digest kept, or None when no scan has written one (or it cannot be read)."""
    path = digest_file(settings)
    if not path.is_file():
        return None
    try:
        return Digest.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a digest this version reads"
        log.warning("%s: the last digest cannot be read (%s); a scan replaces it", path, reason)
        return None
