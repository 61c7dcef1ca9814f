"""Sentences and sentence-aligned chunks, with character offsets into the source text.

Rule-based and fast (regular expressions, no model). Offsets matter more than perfect
sentences: a quote in a briefing must map back to the exact words of a stored source.
"""

from __future__ import annotations

import functools
import re

from agent.schemas import Chunk, Source

_ABBREVIATED = """
    mr mrs ms dr prof sr jr st mt gen gov sen rep col capt lt sgt rev hon
    inc corp co ltd llc plc bros dept univ assn est fig vol pp ed eds
    vs e.g i.e cf al approx ca no nos ph.d u.s u.k u.n e.u a.m p.m
    jan feb mar apr jun jul aug sep sept oct nov dec
"""
#: Words after which a period does not end a sentence (compared lowercased, without the period).
ABBREVIATIONS = frozenset(_ABBREVIATED.split())

# A sentence end: terminal punctuation, closing quotes or brackets, whitespace, then something
# that can open a sentence.
_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])""")
_BULLET = re.compile(r"[-*•–—·▪‣◦]\s+")
_NUMBERED = re.compile(r"\(?\d{1,3}[.)]\s+")
_LABEL = re.compile(r"[A-Z][A-Za-z /&-]{0,30}:\s+\S")
_LIST_NUMBER = re.compile(r"\(?\d{1,3}")
_HEADING = re.compile(r"#{1,6}\s")
_ENDS_CLAUSE = re.compile(r"""[.!?:]["'”’)\]]*$""")
_OPENS = re.compile(r"""["'“‘(\[]?[A-Z0-9]""")
_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]")
_LINE = re.compile(r"[^\n]*(?:\n|$)")
_SPACE = re.compile(r"\s")

HEADING_MAX_CHARS = 60
#: Hard-wrapped prose (PDF text, plain-text filings) keeps its lines shorter than this.
WRAP_MAX_CHARS = 110
HEADING_MAX_WORDS = 10


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; text[start:end] is the sentence, whitespace stripped."""
    return list(_sentence_spans(text))


# Assessment, stakeholders, evidence and the store each read a source's sentences: the same
# text is cut once per process while it is among the last few read.
@functools.lru_cache(maxsize=32)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for seg_start, seg_end in _segments(text):
        begin = seg_start
        for match in _END.finditer(text, seg_start, seg_end):
            if text[match.start()] == "." and (
                _is_abbreviation(text, seg_start, match.start())
                or _LIST_NUMBER.fullmatch(text[begin : match.start()].strip())
            ):
                continue
            _append(spans, text, begin, match.end())
            begin = match.end()
        _append(spans, text, begin, seg_end)
    return tuple(spans)


def pieces(text: str, target_chars: int = 900) -> list[tuple[int, int]]:
    """The units chunks are made of, in order: the sentences, each one longer than three
    chunks cut at whitespace into pieces of at most `target_chars`."""
    found: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        if end - start > 3 * target_chars:
            found += _hard_split(text, start, end, target_chars)
        else:
            found.append((start, end))
    return found


def group(units: list[tuple[int, int]], target_chars: int = 900) -> list[range]:
    """Consecutive units joined into chunks of about target_chars: the indexes of each's."""
    groups: list[range] = []
    for i, (_, end) in enumerate(units):
        if groups and end - units[groups[-1].start][0] <= target_chars:
            groups[-1] = range(groups[-1].start, i + 1)
        else:
            groups.append(range(i, i + 1))
    return groups


def chunk_source(source: Source, target_chars: int = 900) -> list[Chunk]:
    """Sentence-aligned chunks of about target_chars with character offsets into source.text."""
    units = pieces(source.text, target_chars)
    return chunks_of(source, units, group(units, target_chars))


def chunks_of(source: Source, units: list[tuple[int, int]], groups: list[range]) -> list[Chunk]:
    """The chunks that `group` made of a source's `pieces`."""
    text = source.text
    return [
        Chunk(
            id=f"{source.id}:{index:04d}",
            source_id=source.id,
            account_id=source.account_id,
            index=index,
            text=text[units[g.start][0] : units[g[-1]][1]],
            start=units[g.start][0],
            end=units[g[-1]][1],
        )
        for index, g in enumerate(groups)
    ]


def _segments(text: str) -> list[tuple[int, int]]:
    """Runs of lines that no line break inside them ends a sentence (hard-wrapped prose)."""
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text) if m.end() > m.start()]
    segments: list[tuple[int, int]] = []
    seg_start = 0
    for (start, end), following in zip(lines, [*lines[1:], None], strict=False):
        if following is None or _breaks(text[start:end].strip(), text[slice(*following)].strip()):
            segments.append((seg_start, end))
            seg_start = end
    return segments


def _breaks(line: str, following: str) -> bool:
    """Whether the line break between two lines ends a sentence."""
    if not line or not following:
        return True
    if any(_starts_block(x) for x in (line, following)):
        return True
    if _ENDS_CLAUSE.search(line):
        # a line longer than any wrap width is a paragraph: "... across the U.S." ends it
        wrapped = len(line) <= WRAP_MAX_CHARS
        return not (wrapped and line.endswith(".") and _is_abbreviation(line, 0, len(line) - 1))
    # A short line with no closing punctuation before a capitalized line is a heading
    # or a speaker's name, not the middle of a wrapped sentence.
    return (
        len(line) <= HEADING_MAX_CHARS
        and len(line.split()) <= HEADING_MAX_WORDS
        and not line.endswith((",", ";", "-", "–", "("))
        and _OPENS.match(following) is not None
    )


def _starts_block(line: str) -> bool:
    return any(p.match(line) for p in (_BULLET, _NUMBERED, _LABEL, _HEADING))


def _is_abbreviation(text: str, floor: int, dot: int) -> bool:
    """Whether the word ending just before text[dot] is an abbreviation or an initial."""
    begin = dot
    while begin > floor and not text[begin - 1].isspace():
        begin -= 1
    word = text[begin:dot].lstrip("\"'“‘([")
    return word.lower() in ABBREVIATIONS or _INITIALS.fullmatch(word) is not None


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Add text[start:end] without surrounding whitespace or a leading bullet glyph, if any."""
    while start < end and text[start].isspace():
        start += 1
    bullet = _BULLET.match(text, start, end)
    if bullet:
        start = bullet.end()
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _hard_split(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut an overlong sentence into pieces of at most `size` characters at whitespace."""
    pieces: list[tuple[int, int]] = []
    while end - start > size:
        cut = start + size
        space = max((m.start() for m in _SPACE.finditer(text, start + size // 2, cut)), default=cut)
        pieces.append((start, space))
        start = space
        while start < end and text[start].isspace():
            start += 1
    pieces.append((start, end))
    return [(s, len(text[s:e].rstrip()) + s) for s, e in pieces if text[s:e].strip()]
