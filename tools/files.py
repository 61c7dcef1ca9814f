"""Local-file ingest: read a file, infer its format, and hand it to the parser of that format."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools import filings, jobs, news, reviews, transcripts, web
from tools.base import clean_text, content_hash, find_date, make_source, to_utc

log = logging.getLogger(__name__)

_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_FEED_SUFFIXES = {".xml", ".rss", ".atom"}


@dataclass
class Ingested:
    """What one file gave: its Sources, and the records that were skipped (one line each)."""

    sources: list[Source] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def decode(path: Path, data: bytes) -> str:
    """The text of a file's bytes: UTF-8 (with or without BOM), else latin-1; binary is refused."""
    if not data.strip():
        raise ParseError(f"{path}: empty file")
    if b"\x00" in data[:8192]:
        raise ParseError(f"{path}: binary file (NUL bytes), not a text document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # latin-1 decodes anything; many C0/C1 control characters mean it was not text at all
    controls = sum(
        1 for ch in text[:8192] if ch not in "\n\r\t\f" and (ord(ch) < 32 or 127 <= ord(ch) < 160)
    )
    if controls > len(text[:8192]) * 0.02:
        raise ParseError(f"{path}: binary file (not UTF-8 or latin-1 text)")
    return text


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _json_kind(obj: Any) -> SourceKind | None:
    if jobs.detect_job_board(obj):
        return SourceKind.job_posting
    if filings.is_submissions(obj):
        return SourceKind.filing
    if news.is_gdelt(obj):
        return SourceKind.news
    if reviews.is_reviews_json(obj):
        return SourceKind.employee_review
    return None


def _is_json(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "[")


def _is_feed(text: str) -> bool:
    head = text.lstrip()[:3000]
    return head.startswith("<") and re.search(r"<(rss|feed|rdf:rdf)\b", head, re.I) is not None


def _is_html(path: Path, text: str) -> bool:
    head = text.lstrip()[:3000].lower()
    if path.suffix.lower() in _HTML_SUFFIXES or head.startswith(("<!doctype html", "<html")):
        return True
    return head.startswith("<document>") or (head.startswith("<?xml") and "<html" in head)


def _html_kind(text: str) -> SourceKind:
    if transcripts.looks_like_fool_html(text):
        return SourceKind.earnings_call
    if filings.looks_like_filing(text):
        return SourceKind.filing
    if reviews.parse_jsonld_reviews(text):
        return SourceKind.employee_review
    return web.page_kind(text)


def _csv_header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), [])


def infer_kind(path: Path, data: bytes, text: str | None = None) -> SourceKind:
    """The SourceKind of a file from its name and content; ParseError when the format is unknown.

    `text` is the decoded content when the caller has it already.
    """
    text = decode(path, data) if text is None else text
    suffix = path.suffix.lower()
    if _is_json(path, text):
        kind = _json_kind(_json(text))
        if kind is None:
            raise ParseError(f"{path}: unknown format (JSON of no known job board, SEC, GDELT "
                             "or reviews layout)")  # fmt: skip
        return kind
    if _is_feed(text):
        return SourceKind.news
    if suffix in _FEED_SUFFIXES:
        raise ParseError(f"{path}: unknown format (XML that is not an RSS or Atom feed)")
    if suffix in {".csv", ".tsv"}:
        if reviews.is_reviews_header(_csv_header(text)):
            return SourceKind.employee_review
        raise ParseError(f"{path}: unknown format (CSV without rating and pros/cons columns)")
    if _is_html(path, text):
        return _html_kind(text)
    if suffix in _TEXT_SUFFIXES:
        if "application/ld+json" in text and reviews.parse_jsonld_reviews(text):
            return SourceKind.employee_review
        if transcripts.looks_like_transcript(text):
            return SourceKind.earnings_call
        return SourceKind.crm_note
    raise ParseError(f"{path}: unknown format ({suffix} file)")


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


def _parse_json(path: Path, obj: Any, kind: SourceKind, stamp: dict[str, Any]) -> Ingested:
    found = _json_kind(obj)
    if found != kind:
        what = found.value if found else "no known JSON layout"
        raise ParseError(f"{path}: --kind {kind.value} does not match this file ({what})")
    if kind is SourceKind.job_posting:
        return Ingested(jobs.parse_job_board(obj, path.stem, **stamp))
    if kind is SourceKind.filing:
        return Ingested(filings.parse_submissions(obj, **stamp))
    if kind is SourceKind.news:
        return Ingested(news.parse_gdelt(obj, **stamp))
    parsed = reviews.parse_reviews_json(obj, **stamp)
    problems = [f"{path.name} item {p.line}: {p.message}" for p in parsed.problems]
    return Ingested(parsed.sources, problems)


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


def _parse(path: Path, text: str, kind: SourceKind, stamp: dict[str, Any]) -> Ingested:
    if _is_json(path, text) and (obj := _json(text)) is not None:
        return _parse_json(path, obj, kind, stamp)
    is_html = _is_html(path, text)
    if kind is SourceKind.employee_review:
        if "application/ld+json" in text:
            return Ingested(reviews.parse_jsonld_reviews(text, **stamp))
        parsed = reviews.parse_reviews_csv(text, **stamp)
        return Ingested(parsed.sources, [f"{path.name} {p}" for p in parsed.problems])
    if kind is SourceKind.news and _is_feed(text) and not is_html:
        return Ingested(news.parse_feed(text.encode("utf-8"), **stamp))
    if kind is SourceKind.earnings_call:
        if is_html:
            return Ingested([transcripts.parse_fool_html(text, **stamp)])
        return Ingested([transcripts.parse_transcript(text, **stamp)])
    if kind is SourceKind.crm_note and not is_html:
        return Ingested([parse_note(text, **stamp)])
    if is_html:
        source = web.parse_page(text, **stamp)
        # an explicit kind says what the page is to the CSM; keep the extraction, not the guess
        return Ingested([source if source.kind == kind else _restamp(source, kind, stamp)])
    note = parse_note(text, **stamp)
    return Ingested([_restamp(note, kind, stamp)])


def ingest_path(
    path: Path, account_id: str, kind: SourceKind | None = None, now: datetime | None = None
) -> Ingested:
    """Read one local file into Sources, with the per-record problems of partial imports."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror or exc})") from None
    text = decode(path, data)
    chosen = kind or infer_kind(path, data, text)
    stamp: dict[str, Any] = {"account_id": account_id, "now": to_utc(now) or datetime.now(UTC)}
    try:
        result = _parse(path, text, chosen, stamp)
    except ParseError as exc:
        message = " ".join(str(exc).split())
        raise ParseError(
            message if message.startswith(str(path)) else f"{path}: {message}"
        ) from None
    if not result.sources:
        raise ParseError(f"{path}: no {chosen.value} records found" + (
            f" ({len(result.problems)} rejected, first: {result.problems[0]})"
            if result.problems else ""))  # fmt: skip
    for problem in result.problems:
        log.warning(problem)
    return result


def ingest_file(
    path: Path, account_id: str, kind: SourceKind | None = None, now: datetime | None = None
) -> list[Source]:
    """Read one local file into Sources of the account; ParseError (one line) when it cannot."""
    return ingest_path(path, account_id, kind, now).sources
