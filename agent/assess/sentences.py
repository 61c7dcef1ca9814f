"""The sentences of a source that may report a signal, each with where it stands.

A source is read in the units its layout gives: on an earnings call, the executives' turns
only (never the operator's or an analyst's: a question is not the company's statement); in a
review, its labelled parts (pros, cons, advice); in a job posting, the description after the
header lines (title, department, location), each bullet a sentence of its own. Where a
sentence stands is kept with it, because the same words mean different things there: advice
to management is a wish, a header line is a fact about the posting, not an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.schemas import Source, SourceKind
from knowledge.chunk import sentence_spans

_BULLET = re.compile(r"\s*[-*•–]\s")
#: A filing's item heading ("Item 5.02 Departure of Directors ..."): the item is read from
#: the filing's metadata, the heading is no event of its own.
_ITEM_HEADING = re.compile(r"\s*Item \d{1,2}[A-C]?(?:\.\d\d)?\b")
#: The title that follows an item number on its line ("Departure of Directors or ...").
_ITEM_TITLE = re.compile(r"[A-Z][\w,;'’ ]*(?:[;,] |$)", re.MULTILINE)
#: A review's labelled parts, as tools.reviews writes them.
_REVIEW_PART = re.compile(r"^(Review|Pros|Cons|Advice to management):\s", re.MULTILINE)
#: A job posting's header lines (tools.jobs writes them before the description).
_POSTING_HEADER = re.compile(
    r"^(?:Department|Team|Location|Employment type|Workplace|Commitment|Office)s?: .*$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Sentence:
    """A sentence to judge: its span in the source text and where it stands."""

    start: int
    end: int
    text: str
    speaker: str | None = None  # on a call, "Name (Title)"
    part: str | None = None  # call: prepared / qa; review: Review / Pros / Cons / Advice ...
    bullet: bool = False
    header: bool = False  # a posting's title or header line, a review's title


def read_sentences(source: Source) -> list[Sentence]:
    """The sentences of a source that may report an event, in order."""
    if source.kind is SourceKind.earnings_call and isinstance(source.metadata.get("turns"), list):
        return _call(source)
    if source.kind is SourceKind.employee_review:
        return _review(source)
    if source.kind is SourceKind.job_posting:
        return _posting(source)
    if source.kind is SourceKind.filing:
        return _filing(source)
    return [Sentence(a, b, source.text[a:b]) for a, b in sentence_spans(source.text)]


#: Sentences this long are read clause by clause too: one sentence often tells two events
#: ("After the CEO left in October, its largest investor committed a $9.5 billion lifeline").
LONG_SENTENCE_WORDS = 22
CLAUSE_MIN_WORDS = 6
_CLAUSE_BREAK = re.compile(r"\s*(?:;|,|\s[–—-]\s|:)\s+")


def clauses(text: str) -> list[str]:
    """The clauses of a long sentence, each of CLAUSE_MIN_WORDS words at least (short pieces
    join their neighbour); none for a short sentence."""
    if len(text.split()) < LONG_SENTENCE_WORDS:
        return []
    out: list[str] = []
    current = ""
    for piece in _CLAUSE_BREAK.split(text):
        current = f"{current}, {piece}" if current else piece
        if len(current.split()) >= CLAUSE_MIN_WORDS:
            out.append(current)
            current = ""
    if current:
        if out:
            out[-1] = f"{out[-1]}, {current}"
        else:
            out.append(current)
    return out if len(out) > 1 else []


def _call(source: Source) -> list[Sentence]:
    out = []
    for turn in source.metadata["turns"]:
        if not isinstance(turn, dict) or turn.get("role") != "executive":
            continue
        speaker = turn.get("speaker")
        if turn.get("title"):
            speaker = f"{speaker} ({turn['title']})"
        begin, stop = int(turn["start"]), int(turn["end"])
        part = str(turn.get("section") or "") or None
        for a, b in sentence_spans(source.text[begin:stop]):
            out.append(Sentence(begin + a, begin + b, source.text[begin + a : begin + b],
                                speaker=speaker, part=part))  # fmt: skip
    return out


def _filing(source: Source) -> list[Sentence]:
    """A filing's sentences, its item headings marked: "Item 5.02." ends a sentence of its
    own, and the item's title on the same line is the heading still."""
    text = source.text
    out: list[Sentence] = []
    for a, b in sentence_spans(text):
        heading = _ITEM_HEADING.match(text, a) is not None
        if not heading and out and out[-1].header and "\n" not in text[out[-1].end : a]:
            heading = _ITEM_TITLE.match(text, a) is not None
        out.append(Sentence(a, b, text[a:b], header=heading))
    return out


def _review(source: Source) -> list[Sentence]:
    text = source.text
    parts = [(m.start(), m[1]) for m in _REVIEW_PART.finditer(text)]
    out = []
    for a, b in sentence_spans(text):
        part = next((name for at, name in reversed(parts) if at <= a), None)
        # Before the first labelled part: the review's title and its rating/role lines.
        out.append(Sentence(a, b, text[a:b], part=part, header=part is None))
    return out


def _posting(source: Source) -> list[Sentence]:
    text = source.text
    header_end = 0
    for m in _POSTING_HEADER.finditer(text):
        if m.start() > header_end + 200:
            break
        header_end = m.end()
    out = []
    for a, b in sentence_spans(text):
        line = text[text.rfind("\n", 0, a) + 1 : a + 2]
        title = a == 0 and text[a:b] == source.title
        bullet = _BULLET.match(line) is not None
        out.append(Sentence(a, b, text[a:b], bullet=bullet, header=a < header_end or title))
    return out
