"""Text extracted from a transcript PDF, made into paragraphs.

PDF text extractors give one line per printed line, page breaks as form feeds (or markers such
as `=== PAGE 3 ===`), page numbers and running headers on every page, and paragraphs that run
across pages. `unpage` undoes that: pages joined, page furniture dropped, the wrapped lines of one
paragraph joined with a space, paragraph breaks kept. The words themselves are never changed.
"""

from __future__ import annotations

import re
from collections import Counter

_MARKER = r"^[ \t]*=+[ \t]*PAGE[ \t]+\d+[ \t]*=+[ \t]*$"
_PAGE_BREAK = re.compile(rf"\f|{_MARKER}", re.I | re.M)
_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I
)
#: A line that ends a sentence (or a quotation, or a bracketed aside).
_ENDS = re.compile(r"[.?!:;\"'”’)\]]$")
#: "Brian Nowak: Thanks ..." opens a Q&A turn even without a blank line before it.
_LABEL_START = re.compile(r"^[A-Z][\w.'’\-]*(?: [A-Za-z][\w.'’\-]*){0,4}:\s")
#: A line at least this share of the page width is a wrapped line, not the end of a paragraph.
_FULL = 0.6


def has_pages(text: str) -> bool:
    """True when text carries the page breaks of a PDF extract (form feeds or page markers)."""
    return "\f" in text or re.search(_MARKER, text, re.I | re.M) is not None


def _edge_lines(page: list[str]) -> list[str]:
    filled = [ln for ln in page if ln.strip()]
    return filled[:1] + filled[-1:]


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def without_furniture(pages: list[list[str]], *, keep_title: bool = False) -> list[list[str]]:
    """Pages without their page numbers and the headers or footers repeated across pages;
    with `keep_title` the first page keeps its repeated header (often the document's title)."""
    edges = Counter(s for page in pages for s in set(map(_shape, _edge_lines(page))))
    running = {s for s, n in edges.items() if len(pages) >= 3 and n >= max(3, len(pages) // 2)}
    cleaned = []
    for number, page in enumerate(pages):
        lines = [ln.rstrip() for ln in page]
        for end in (0, -1):
            # a page number and a running header can be stacked at one edge
            for _ in range(2):
                filled = [i for i, ln in enumerate(lines) if ln.strip()]
                if not filled:
                    break
                at = filled[end]
                edge = lines[at].strip()
                repeated = _shape(edge) in running and (number or end or not keep_title)
                if _PAGE_NUMBER.match(edge) or repeated:
                    del lines[at]
        cleaned.append(lines)
    return cleaned


def _width(pages: list[list[str]]) -> int:
    lengths = sorted(len(ln.strip()) for page in pages for ln in page if ln.strip())
    return max(lengths[int(len(lengths) * 0.9)] if lengths else 0, 40)


def _breaks(prev: str, line: str, width: int, *, gap: bool, paged: bool) -> bool:
    """Whether `line` starts a new paragraph after `prev`."""
    cut = len(prev) >= _FULL * width and not _ENDS.search(prev)
    if paged:
        return not cut  # a sentence cut by the page break goes on after it
    if gap:
        return True
    short = len(prev) < _FULL * width
    return short or (_ENDS.search(prev) is not None and _LABEL_START.match(line) is not None)


def unpage(text: str) -> str:
    """Paragraphs of a PDF extract: page breaks, page numbers and running headers removed, each
    paragraph's wrapped lines joined by a space; text without page breaks comes back as is."""
    if not has_pages(text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = without_furniture([p.split("\n") for p in _PAGE_BREAK.split(text)])
    width = _width(pages)
    paragraphs: list[list[str]] = []
    gap = paged = False
    for page in pages:
        for raw in page:
            line = raw.strip()
            if not line:
                gap = True
                continue
            if not paragraphs or _breaks(paragraphs[-1][-1], line, width, gap=gap, paged=paged):
                paragraphs.append([])
            paragraphs[-1].append(line)
            gap = paged = False
        paged = True
    return "\n\n".join(" ".join(p) for p in paragraphs) + "\n"
