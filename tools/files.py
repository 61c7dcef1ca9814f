"""Local-file ingest: read a file within the size limit, learn its kind from its content
(tools/file_kinds.py), and hand it to the parser of that kind."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.config import DEFAULT_MAX_FILE_MB
from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools import filings, jobs, news, pdf, reviews, transcripts, web
from tools.base import clean_text, content_hash, make_source, to_utc
from tools.dates import find_date
from tools.file_kinds import Format, Sniffed, infer_kind, json_kind, kind_of, sniff
from tools.problems import failure, parser

__all__ = ["Ingested", "infer_kind", "ingest_file", "ingest_path", "parse_note", "read_limited"]

_MB = 1024 * 1024


@dataclass
class Ingested:
    """What one file gave: its Sources, and the records that were skipped (one line each)."""

    sources: list[Source] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _too_big(path: Path, size: str, max_mb: float) -> ParseError:
    return ParseError(
        f"{path}: {size} is over the {max_mb:g} MB limit for local files "
        "(raise max_file_mb in dossier.toml or DOSSIER_MAX_FILE_MB)"
    )


def read_limited(path: Path, max_mb: float = DEFAULT_MAX_FILE_MB) -> bytes:
    """The bytes of a regular file of at most `max_mb` megabytes; ParseError (one line) for a
    larger file, a FIFO or device, a symlink to a private file, or one that cannot be read."""
    limit = int(max_mb * _MB)
    try:
        # stat before open: opening a FIFO would block, reading a device might never end
        link = path.is_symlink()
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO, socket or device"
            raise ParseError(f"{path}: not a regular file ({what})")
        if link:
            _public_target(path, info)
        if info.st_size > limit:
            raise _too_big(path, f"{info.st_size / _MB:.1f} MB", max_mb)
        # O_NONBLOCK so that a file swapped for a FIFO since the stat cannot hang the open;
        # O_NOFOLLOW so that one swapped for a symlink is not followed unchecked
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags if link else flags | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):
                raise ParseError(f"{path}: not a regular file")
            if link:
                _public_target(path, opened)
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise _too_big(path, f"more than {max_mb:g} MB (it grew while being read)", max_mb)
    if len(data) > opened.st_size:
        # /proc and /sys files say they are empty and then read: a process's memory, not a file
        raise ParseError(f"{path}: not a regular file (its contents change while it is read)")
    return data


def _public_target(path: Path, target: os.stat_result) -> None:
    """A symlink is followed only to a file anyone may read, never to some user's private one."""
    if not target.st_mode & stat.S_IROTH:
        raise ParseError(
            f"{path}: a symlink to a private file (not readable by others); "
            "copy the file itself to add it"
        )


@parser
def parse_note(text: str, *, account_id: str = "", now: datetime | None = None) -> Source:
    """A crm_note Source: the CSM's own note, titled by its first heading or line."""
    cleaned = clean_text(text)
    lines = [ln.strip() for ln in cleaned.split("\n") if ln.strip()]
    title = lines[0].lstrip("#").strip() if lines else "Note"
    # a note dated on its first lines ("2026-09-30", "Sept 30, 2026") is about that day
    dated = find_date("\n".join(lines[:3]))
    return make_source(
        SourceKind.crm_note,
        content_hash(cleaned),
        title=title,
        text=cleaned,
        published_at=to_utc(dated),
        account_id=account_id,
        now=now,
    )


def _restamp(source: Source, kind: SourceKind, stamp: dict[str, Any]) -> Source:
    return make_source(
        kind,
        source.url or content_hash(source.text),
        title=source.title,
        text=source.text,
        url=source.url,
        published_at=source.published_at,
        metadata=source.metadata,
        **stamp,
    )


def _parse_json(path: Path, sniffed: Sniffed, kind: SourceKind, stamp: dict[str, Any]) -> Ingested:
    obj = sniffed.value
    found = json_kind(obj)
    if found != kind:
        what = found.value if found else "no known JSON layout"
        raise ParseError(f"{path}: --kind {kind.value} does not match this file ({what})")
    if kind is SourceKind.job_posting:
        return Ingested(jobs.parse_job_board(obj, path.stem, **stamp))
    if kind is SourceKind.filing:
        return Ingested(filings.parse_submissions(obj, **stamp))
    if kind is SourceKind.news:
        return Ingested(news.parse_gdelt(obj, **stamp))
    if kind is SourceKind.earnings_call:
        return Ingested([transcripts.parse_fool_json(obj, **stamp)])
    parsed = reviews.parse_reviews_json(obj, **stamp)
    lines = sniffed.lines if sniffed.format is Format.JSONL else []
    # a JSON-lines record is found by its line in the file, a JSON one by its position
    problems = [
        f"{path.name} {f'line {lines[p.line - 1]}' if lines else f'item {p.line}'}: {p.message}"
        for p in parsed.problems
    ]
    return Ingested(parsed.sources, problems)


def _parse_pdf(document: pdf.PdfDocument, kind: SourceKind, stamp: dict[str, Any]) -> Ingested:
    if kind is SourceKind.earnings_call:
        return Ingested([transcripts.parse_transcript(document.text, **stamp)])
    if kind is SourceKind.crm_note:
        return Ingested([parse_note(document.text.replace(pdf.PAGE_BREAK, "\n\n"), **stamp)])
    return Ingested([pdf.report_source(document, kind, **stamp)])


def _parse(path: Path, sniffed: Sniffed, kind: SourceKind, stamp: dict[str, Any]) -> Ingested:
    if sniffed.document is not None:
        return _parse_pdf(sniffed.document, kind, stamp)
    if sniffed.format in (Format.JSON, Format.JSONL):
        result = _parse_json(path, sniffed, kind, stamp)
        return Ingested(result.sources, sniffed.problems + result.problems)
    text, is_html = sniffed.text, sniffed.format is Format.HTML
    if kind is SourceKind.employee_review:
        if is_html or "application/ld+json" in text:
            return Ingested(reviews.parse_jsonld_reviews(text, **stamp))
        parsed = reviews.parse_reviews_csv(sniffed.text, delimiter=sniffed.delimiter, **stamp)
        return Ingested(parsed.sources, [f"{path.name} {p}" for p in parsed.problems])
    if kind is SourceKind.news and sniffed.format is Format.FEED:
        return Ingested(news.parse_feed(text.encode("utf-8"), **stamp))
    if kind is SourceKind.earnings_call:
        if is_html:
            return Ingested([transcripts.parse_fool_html(text, **stamp)])
        return Ingested([transcripts.parse_transcript(text, **stamp)])
    if kind is SourceKind.filing and is_html and filings.looks_like_filing(text):
        return Ingested(filings.parse_filing_sources(text, **stamp))
    if kind is SourceKind.crm_note and not is_html:
        return Ingested([parse_note(text, **stamp)])
    if is_html:
        source = web.parse_page(text, **stamp)
        # an explicit kind says what the page is to the CSM; keep the extraction, not the guess
        return Ingested([source if source.kind == kind else _restamp(source, kind, stamp)])
    note = parse_note(text, **stamp)
    return Ingested([_restamp(note, kind, stamp)])


def ingest_path(
    path: Path,
    account_id: str,
    kind: SourceKind | None = None,
    now: datetime | None = None,
    *,
    max_mb: float = DEFAULT_MAX_FILE_MB,
) -> Ingested:
    """Read one local file into Sources, with the per-record problems of partial imports (the
    caller reports them)."""
    path = Path(path)
    data = read_limited(path, max_mb)
    stamp: dict[str, Any] = {"account_id": account_id, "now": to_utc(now) or datetime.now(UTC)}
    try:
        sniffed = sniff(path, data)
        chosen = kind or kind_of(path, sniffed)
        result = _parse(path, sniffed, chosen, stamp)
    except Exception as exc:  # any parser failure is this file's one line
        message = failure(exc)
        raise ParseError(
            message if message.startswith(str(path)) else f"{path}: {message}"
        ) from None
    if not result.sources:
        raise ParseError(f"{path}: no {chosen.value} records found" + (
            f" ({len(result.problems)} rejected, first: {result.problems[0]})"
            if result.problems else ""))  # fmt: skip
    return result


def ingest_file(
    path: Path,
    account_id: str,
    kind: SourceKind | None = None,
    now: datetime | None = None,
    *,
    max_mb: float = DEFAULT_MAX_FILE_MB,
) -> list[Source]:
    """Read one local file into Sources of the account; ParseError (one line) when it cannot."""
    return ingest_path(path, account_id, kind, now, max_mb=max_mb).sources
