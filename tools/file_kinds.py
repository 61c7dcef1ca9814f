"""What a local file is, read from its bytes: PDF, JSON, JSON-lines, a feed, HTML, CSV/TSV or
plain text, and the SourceKind that follows. The file name only breaks ties."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from agent.csvio import records, sniff_delimiter
from agent.errors import ParseError
from agent.schemas import SourceKind
from tools import filings, jobs, news, pdf, reviews, transcripts, web
from tools.json_input import load_json
from tools.problems import parser


class Format(StrEnum):
    """The container of a file, before its layout is known."""

    PDF = "pdf"
    JSON = "json"
    JSONL = "jsonl"
    FEED = "feed"
    HTML = "html"
    CSV = "csv"
    TEXT = "text"


@dataclass
class Sniffed:
    """A file's format and its decoded content: text, JSON values or the PDF's text."""

    format: Format
    text: str = ""
    value: Any = None
    #: JSON-lines: the line each decoded value came from, and the lines that were not JSON
    lines: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    delimiter: str = ","
    document: pdf.PdfDocument | None = None


_JSON_SUFFIXES = {".json", ".jsonl", ".ndjson", ".jsonlines"}
_LINES_SUFFIXES = {".jsonl", ".ndjson", ".jsonlines"}
_CSV_SUFFIXES = {".csv", ".tsv"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
#: Text files that are programs or settings, never documents about a client.
_CODE_SUFFIXES = {
    ".py", ".js", ".ts", ".java", ".c", ".h", ".cpp", ".go", ".rs", ".rb", ".php", ".sh",
    ".ps1", ".bat", ".sql", ".css", ".toml", ".ini", ".cfg", ".yaml", ".yml", ".lock",
}  # fmt: skip
_FEED_ROOTS = {"rss", "feed", "rdf:rdf"}
_HTML_ROOTS = {
    "html", "head", "body", "meta", "title", "link", "script", "style", "div", "p", "span",
    "table", "article", "section", "header", "main", "h1", "h2", "h3", "ul", "form", "center",
    "font", "b", "br", "a", "img",
}  # fmt: skip
# EDGAR wraps documents in SGML: <DOCUMENT>, or <SEC-DOCUMENT> for a whole submission (.txt)
_EDGAR = re.compile(r"^<(?:SEC-DOCUMENT|SEC-HEADER|IMS-DOCUMENT|DOCUMENT)>", re.M)
_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_DOCTYPE = re.compile(r"\s*<!doctype\s+([a-z]+)[^>]*>", re.I)
_TAG = re.compile(r"\s*<([a-zA-Z][\w:.-]*)")
_ZIP = b"PK\x03\x04"


def decode(path: Path, data: bytes) -> str:
    """The text of a file's bytes: UTF-8 (with or without BOM), else latin-1; binary is refused."""
    if not data.strip():
        raise ParseError(f"{path}: empty file")
    if data.startswith(_ZIP):
        raise ParseError(
            f"{path}: unknown format (a ZIP container such as .docx or .xlsx); "
            "save it as PDF, CSV or text"
        )
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


def _json_lines(path: Path, text: str) -> Sniffed | None:
    """JSON-lines: one JSON value per non-blank line; a bad line is a problem, not a failure.
    None unless the first line is a JSON object or array and most lines are JSON."""
    values: list[Any] = []
    numbers: list[int] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append(load_json(line))
            numbers.append(number)
        except ParseError as exc:
            if not values:
                return None
            problems.append(f"{path.name} line {number}: {exc}")
    if not values or not isinstance(values[0], dict | list):
        return None
    mostly_json = len(values) >= 2 and len(values) >= len(problems)
    if mostly_json or path.suffix.lower() in _LINES_SUFFIXES:
        return Sniffed(Format.JSONL, text, values, numbers, problems)
    return None


def _json(path: Path, text: str) -> Sniffed | None:
    head = text.lstrip()
    suffix = path.suffix.lower()
    if not head.startswith(("{", "[")) and suffix not in _JSON_SUFFIXES:
        return None
    if suffix in _LINES_SUFFIXES:
        # one JSON value per line, even when there is a single line
        if lines := _json_lines(path, text):
            return lines
        raise ParseError(f"{path}: malformed JSON-lines (the first line is not a JSON object)")
    try:
        return Sniffed(Format.JSON, text, load_json(text))
    except ParseError as exc:
        error = str(exc)
    if lines := _json_lines(path, text):
        return lines
    # a pretty-printed document opens with a lone brace: broken JSON, not a note
    if suffix in _JSON_SUFFIXES or head.split("\n", 1)[0].strip() in ("{", "["):
        reason = error.removeprefix("not JSON ")
        raise ParseError(f"{path}: " + (f"malformed JSON {reason}" if reason != error else error))
    return None


def _markup_root(text: str) -> tuple[str, str]:
    """The doctype and the first element's name of a markup document ('' when none)."""
    head, pos, doctype = text[:20_000], 0, ""
    while True:
        if m := _SKIP.match(head, pos):
            pos = m.end()
        elif m := _DOCTYPE.match(head, pos):
            doctype, pos = m.group(1).lower(), m.end()
        else:
            break
    tag = _TAG.match(head, pos)
    return doctype, tag.group(1).lower() if tag else ""


@parser
def sniff(path: Path, data: bytes) -> Sniffed:
    """The format of a file from its content; ParseError (one line, naming the file) when it
    cannot be read."""
    if pdf.is_pdf(data):
        try:
            return Sniffed(Format.PDF, document=pdf.read_pdf(data))
        except ParseError as exc:
            raise ParseError(f"{path}: {exc}") from None
    text = decode(path, data)
    if found := _json(path, text):
        return found
    doctype, root = _markup_root(text)
    if root in _FEED_ROOTS:
        return Sniffed(Format.FEED, text)
    if (
        doctype == "html"
        or root in _HTML_ROOTS
        or _EDGAR.search(text[:5000])
        or (root and path.suffix.lower() in _HTML_SUFFIXES)
    ):
        return Sniffed(Format.HTML, text)
    if root and text.lstrip().startswith("<?xml"):
        raise ParseError(f"{path}: unknown format (XML <{root}>, not an RSS or Atom feed)")
    if delimiter := sniff_delimiter(text):
        return Sniffed(Format.CSV, text, delimiter=delimiter)
    return Sniffed(Format.TEXT, text)


def json_kind(obj: Any) -> SourceKind | None:
    """The SourceKind of a decoded JSON document, or None for no known layout."""
    if jobs.detect_job_board(obj):
        return SourceKind.job_posting
    if filings.is_submissions(obj):
        return SourceKind.filing
    if news.is_gdelt(obj):
        return SourceKind.news
    if transcripts.is_fool_json(obj):
        return SourceKind.earnings_call
    if reviews.is_reviews_json(obj):
        return SourceKind.employee_review
    return None


def _json_shape(obj: Any) -> str:
    if isinstance(obj, dict):
        return "an object with keys " + ", ".join(list(obj)[:6])
    if isinstance(obj, list):
        first = next((x for x in obj if isinstance(x, dict)), None)
        keys = f" of objects with keys {', '.join(list(first)[:6])}" if first else ""
        return f"a list of {len(obj)}{keys}"
    return f"a {type(obj).__name__}"


def html_kind(text: str) -> SourceKind:
    """The SourceKind of an HTML page: a transcript, a filing, a reviews page, news or a page."""
    if transcripts.looks_like_fool_html(text):
        return SourceKind.earnings_call
    if filings.looks_like_filing(text):
        return SourceKind.filing
    if reviews.parse_jsonld_reviews(text):
        return SourceKind.employee_review
    return web.page_kind(text)


def _text_kind(path: Path, text: str) -> SourceKind:
    if path.suffix.lower() in _CODE_SUFFIXES:
        raise ParseError(f"{path}: unknown format ({path.suffix.lower()} file, not a document)")
    if "application/ld+json" in text and reviews.parse_jsonld_reviews(text):
        return SourceKind.employee_review
    if transcripts.looks_like_transcript(text):
        return SourceKind.earnings_call
    return SourceKind.crm_note


def csv_header(sniffed: Sniffed) -> list[str]:
    """The header row of a sniffed CSV/TSV."""
    first = next(records(sniffed.text, sniffed.delimiter), None)
    return first[1] if first is not None and isinstance(first[1], list) else []


@parser
def kind_of(path: Path, sniffed: Sniffed) -> SourceKind:
    """The SourceKind of a sniffed file; ParseError when its layout is unknown."""
    if sniffed.document is not None:
        return pdf.pdf_kind(sniffed.document)
    if sniffed.format in (Format.JSON, Format.JSONL):
        kind = json_kind(sniffed.value)
        if kind is None:
            raise ParseError(
                f"{path}: unknown format (JSON of no known job board, SEC, GDELT, transcript "
                f"or reviews layout: {_json_shape(sniffed.value)})"
            )
        return kind
    if sniffed.format is Format.FEED:
        return SourceKind.news
    if sniffed.format is Format.HTML:
        return html_kind(sniffed.text)
    if sniffed.format is Format.CSV:
        if reviews.is_reviews_header(csv_header(sniffed)):
            return SourceKind.employee_review
        if path.suffix.lower() in _CSV_SUFFIXES:
            raise ParseError(
                f"{path}: unknown format (CSV without rating and pros/cons columns: "
                f"{', '.join(csv_header(sniffed)[:8])})"
            )
    elif path.suffix.lower() in _CSV_SUFFIXES:
        raise ParseError(f"{path}: unknown format (no header row and columns in this CSV)")
    return _text_kind(path, sniffed.text)


def infer_kind(path: Path, data: bytes) -> SourceKind:
    """The SourceKind of a file from its content (the name only breaks ties); ParseError when
    the format is unknown."""
    return kind_of(path, sniff(path, data))
