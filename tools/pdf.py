"""PDF input: the text layer of investor-relations PDFs (transcripts, annual reports, press
releases) through pypdf, and the kind and Source of a PDF that is not a transcript."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError

from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools import transcripts
from tools.base import content_hash, make_source, to_utc
from tools.dates import find_date
from tools.problems import parser
from tools.transcript_pages import without_furniture

# pypdf logs a warning for every recoverable defect, and most real PDFs have some; they are
# not the user's problem unless no text comes out, which read_pdf reports itself.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_MAGIC = re.compile(rb"%PDF-\d\.\d")
PAGE_BREAK = "\f"

_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Two text columns side by side in layout mode: a wide gap with words on both sides.
_COLUMN_GAP = re.compile(r"[A-Za-z,.;:'’)](\s{3,})[A-Za-z(‘'\"“]")
_PAGE_NUMBER = re.compile(r"(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s+of\s+\d{1,4})?", re.I)
_SEC_FORM = re.compile(
    r"^\s*FORM\s+(10-K|10-Q|20-F|40-F|8-K|6-K)(?:/A)?\s*$|ANNUAL REPORT PURSUANT TO SECTION 1[35]",
    re.I | re.M,
)
_ANNUAL = re.compile(r"\b(?:annual\s+report|annual\s+review|integrated\s+report)\b", re.I)
_RELEASE = re.compile(
    r"^(?:for immediate release|(?:press|news|media) release|news|exhibit\s+99(?:\.\d+)?)\b", re.I
)
# "SEATTLE, March 3, 2026 --": a place in capitals, then the date, opens a press release
_DATELINE = re.compile(r"^[A-Z][A-Z.'’ -]{2,}(?:,\s*[A-Za-z.]+\.?)*,?\s*\(?[A-Z][a-z]{2,8}\.?\s+\d")
_JUNK_TITLE = re.compile(
    r"\.(?:docx?|pdf|pptx?|indd|xlsx?)\s*$"
    r"|^(?:microsoft|untitled|slide \d|powerpoint|document\d*$)",
    re.I,
)


@dataclass(frozen=True)
class PdfDocument:
    """The text of a PDF (pages separated by form feeds) and what its metadata says."""

    text: str
    title: str | None
    created: datetime | None

    @property
    def pages(self) -> list[str]:
        """The text of each page."""
        return self.text.split(PAGE_BREAK)

    @property
    def first_page(self) -> str:
        """The first page that has text (a cover can be an image)."""
        return next((p for p in self.pages if p.strip()), "")


def is_pdf(data: bytes) -> bool:
    """True when bytes are a PDF: `%PDF-1.x` in the first KB (readers allow junk before it),
    in a file that is not markup quoting those bytes."""
    return _MAGIC.search(data[:1024]) is not None and data.lstrip()[:1] != b"<"


def _tidy(raw: str) -> list[str]:
    """Lines with runs of spaces folded, ligatures spelled out and one blank line at most."""
    lines: list[str] = []
    for line in _CONTROL.sub("", raw.translate(_LIGATURES)).splitlines():
        folded = " ".join(line.split())
        if folded or (lines and lines[-1]):
            lines.append(folded)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _has_columns(layout: str) -> bool:
    """True when most prose lines share a wide gap at one position: two columns side by side."""
    prose = [ln for ln in layout.splitlines() if len(ln.split()) >= 4]
    if len(prose) < 8:
        return False
    covered: Counter[int] = Counter()
    for line in prose:
        cols: set[int] = set()
        for m in _COLUMN_GAP.finditer(line):
            cols.update(range(m.start(1), m.end(1)))
        covered.update(cols)
    return bool(covered) and max(covered.values()) >= 0.4 * len(prose)


def _page_text(page: PageObject) -> str:
    # layout mode keeps paragraph gaps as blank lines; plain mode reads two columns in order
    layout = page.extract_text(extraction_mode="layout")
    if _has_columns(layout):
        return "\n".join(_tidy(page.extract_text()))
    return "\n".join(_tidy(layout))


def _unreadable(exc: Exception) -> ParseError:
    if isinstance(exc, DependencyError):
        return ParseError(
            "encrypted PDF (AES) needs the cryptography package: pip install 'pypdf[crypto]'"
        )
    reason = " ".join(str(exc).split())[:160] or type(exc).__name__
    return ParseError(f"corrupt or unreadable PDF ({reason})")


@parser
def read_pdf(data: bytes) -> PdfDocument:
    """The text and metadata of a PDF; ParseError (one line) when it is encrypted with a
    password, corrupt, or has no text layer."""
    # pypdf raises many kinds of errors on damaged files, hence the broad excepts below
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("encrypted PDF: it needs a password; save a copy without one")
        pages = list(reader.pages)
    except ParseError:
        raise
    except Exception as exc:
        raise _unreadable(exc) from None
    texts: list[str] = []
    failures: list[Exception] = []
    for page in pages:
        try:
            texts.append(_page_text(page))
        except Exception as exc:  # one damaged page does not lose the others
            failures.append(exc)
            texts.append("")
    if failures and len(failures) == len(pages):
        raise _unreadable(failures[0])
    lines = without_furniture([t.split("\n") for t in texts], keep_title=True)
    text = PAGE_BREAK.join("\n".join(p) for p in lines)
    if not text.replace(PAGE_BREAK, "").strip():
        raise ParseError(
            f"PDF has no text layer ({len(pages)} page(s) of images, a scan?); run OCR first"
        )
    return PdfDocument(text=text, title=_meta_title(reader), created=_meta_created(reader))


def _meta_title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # metadata is optional; a damaged /Info is only a missing title
        return None
    return " ".join(str(title).split()) or None if title else None


def _meta_created(reader: PdfReader) -> datetime | None:
    try:
        return reader.metadata.creation_date if reader.metadata else None
    except Exception:  # a malformed /CreationDate is only a missing date
        return None


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, pages separated by form feeds (`\\f`)."""
    return read_pdf(data).text


def _head_lines(doc: PdfDocument, count: int = 15) -> list[str]:
    return [ln for ln in doc.first_page.split("\n") if ln][:count]


def _is_release(doc: PdfDocument) -> bool:
    return any(_RELEASE.match(ln) or _DATELINE.match(ln) for ln in _head_lines(doc))


def _is_filing(doc: PdfDocument) -> bool:
    if _SEC_FORM.search(doc.first_page[:5000]):
        return True
    return any(
        _ANNUAL.search(ln) and len(ln.split()) <= 8 and not ln.endswith(".")
        for ln in _head_lines(doc)
    )


def pdf_kind(doc: PdfDocument) -> SourceKind:
    """What a PDF is to a CSM: a call transcript, an annual report or 10-K (`filing`), else a
    press release or report (`news`)."""
    if transcripts.looks_like_transcript(doc.text):
        return SourceKind.earnings_call
    if not _is_release(doc) and _is_filing(doc):
        return SourceKind.filing
    return SourceKind.news


def _good_title(title: str | None) -> str | None:
    if not title or len(title.split()) < 2 or _JUNK_TITLE.search(title) or _RELEASE.match(title):
        return None
    return title


def _filing_title(doc: PdfDocument) -> str:
    head = _head_lines(doc, 40)
    form = next((m[1].upper() for m in _SEC_FORM.finditer(doc.first_page[:5000]) if m[1]), "")
    # an SEC cover names the registrant on the line above "(Exact name of registrant ...)"
    company = next(
        (head[i - 1] for i, ln in enumerate(head) if i and "(exact name" in ln.lower()), None
    )
    if company:
        return f"{company} {form or 'annual report'}"
    title: list[str] = []
    for line in head[:4]:
        title.append(line)
        if _ANNUAL.search(line):
            break
    return " ".join(title) or _good_title(doc.title) or "Annual report"


def _news_title(doc: PdfDocument) -> str:
    if title := _good_title(doc.title):
        return title
    paragraph: list[str] = []
    for line in doc.first_page.split("\n"):
        if not line:
            if paragraph:
                break
            continue
        if not paragraph and (_RELEASE.match(line) or _PAGE_NUMBER.fullmatch(line)):
            continue
        if paragraph and (_DATELINE.match(line) or len(paragraph) >= 3):
            break
        paragraph.append(line)
    return " ".join(paragraph) or "PDF document"


def report_source(
    doc: PdfDocument,
    kind: SourceKind,
    *,
    url: str | None = None,
    account_id: str = "",
    now: datetime | None = None,
) -> Source:
    """A Source of kind `filing`, `news` or any other from a PDF that is not a transcript."""
    text = doc.text.replace(PAGE_BREAK, "\n\n").strip()
    head = "\n".join(_head_lines(doc, 12))
    if kind is SourceKind.filing:
        title = _filing_title(doc)
        published = to_utc(doc.created) or to_utc(find_date(head))
    else:
        title = _news_title(doc)
        # the dateline on the first lines says when it was released; the file may be newer
        published = to_utc(find_date(head)) or to_utc(doc.created)
    return make_source(
        kind,
        url or content_hash(text),
        title=title,
        text=text,
        url=url,
        published_at=published,
        metadata={"format": "pdf", "pages": len(doc.pages)},
        account_id=account_id,
        now=now,
    )
