"""Candidate evidence: the sentences a brief may quote, attributed to who said them.

Both synthesizers start here. Sources up to a reading budget are read whole (an earnings call's
key facts are spread over all of it); beyond it, the sentences of the chunks retrieved for each
layer. A candidate's `text` is an exact slice of its source's stored text, so quoting it can
never fail grounding.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from agent.schemas import Evidence, LayerName, Source, SourceKind
from agent.synthesize.salience import MONEY, PERCENT, ROSTER, TEXT_CACHE
from agent.validate import instruction_like
from knowledge.chunk import sentence_spans
from knowledge.retrieve import Scored, recency_weight

MIN_CHARS = 40
MAX_CHARS = 420
MIN_WORDS = 7
#: A source longer than this is read through its retrieved chunks only (a whole 10-K is not
#: a briefing's raw material; its most relevant passages are).
WHOLE_SOURCE_CHARS = 150_000
#: Characters of sources read whole per brief, newest sources first.
WHOLE_BUDGET_CHARS = 400_000

#: Lines that are structure or boilerplate, not statements about the client.
_SKIP = re.compile(
    r"^(title|department|location|rating|role|pros|cons|item [\d.]+|form [\w-]+|posted|updated)\s*:"
    r"|forward-looking statements|safe harbor|equal opportunity employer|cookie|all rights reserved"
    r"|privacy policy|subscribe|sign up for|click here|terms of (use|service)"
    r"|\[operator instructions\]"
    r"|^(\w+|\d+\+?) (or more )?years\b|^(a )?bachelor|\bdegree in\b|^final offers|salary range"
    r"|reasonable accommodation|^benefits\b|^apply\b|^we offer\b"
    # the call's notice about its measures; a non-GAAP figure itself is a result
    r"|non-gaap (?:financial )?(?:measures|information)|reconciliation",
    re.IGNORECASE,
)
#: A claim is a whole sentence: headlines and list fragments without an ending are left out.
_ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*$")

#: Call pleasantries and hand-offs: spoken, not statements about the business.
_FILLER = re.compile(
    r"^(thank(s| you)|good (morning|afternoon|evening)|welcome|hello|hi\b|yes\b|sure\b|great"
    r"|with me (today|on the call)|i('ll| will) (now )?(turn|hand)|let me (now )?(turn|hand)"
    r"|(that|this) concludes|operator\b|next question|our next question|please go ahead)",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """One sentence of a stored source that could become a claim."""

    source: Source
    text: str
    start: int
    recency: float
    speaker: str | None = None
    speaker_title: str | None = None
    section: str | None = None
    embedding: np.ndarray | None = None
    layer_scores: dict[LayerName, float] = field(default_factory=dict)
    #: The kind of fact it states (a name from layers.yaml's `kinds`), and how worth a CSM's
    #: attention it is (agent/synthesize/salience.py); set by `score_candidates`.
    kind: str | None = None
    salience: float = 0.0
    #: Other sentences that state the same fact (a figure the CFO repeats, a plan told twice):
    #: a claim quotes them too, as corroboration; set by `assign_layers`.
    echoes: tuple[Candidate, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        """Identity of the sentence within the account."""
        return (self.source.id, self.start)

    def evidence(self) -> Evidence:
        """The sentence as evidence."""
        return Evidence(source_id=self.source.id, quote=self.text)

    def attribution(self) -> str:
        """Who said it, where and when, as a CSM would cite it."""
        where = self.source.title
        when = self.source.published_at.date().isoformat() if self.source.published_at else None
        parts = []
        if self.speaker:
            parts.append(
                f"{self.speaker}, {self.speaker_title}" if self.speaker_title else self.speaker
            )
        parts.append(where)
        if when:
            parts.append(when)
        return "; ".join(parts)


def whole_sources(sources: Sequence[Source]) -> list[str]:
    """The ids of the sources read whole: the newest first, while the reading budget lasts."""
    chosen: list[str] = []
    spent = 0
    newest = sorted(
        sources, key=lambda s: (-(s.published_at.timestamp() if s.published_at else 0.0), s.id)
    )
    for source in newest:
        size = len(source.text)
        if size <= WHOLE_SOURCE_CHARS and spent + size <= WHOLE_BUDGET_CHARS:
            chosen.append(source.id)
            spent += size
    return chosen


def candidates_from(
    retrieved: Mapping[LayerName, Sequence[Scored]],
    sources: Mapping[str, Source],
    as_of: datetime,
    half_life_days: float,
    read_whole: Sequence[str] = (),
) -> list[Candidate]:
    """Every usable sentence of the sources read whole and of the retrieved chunks, once each."""
    seen: dict[tuple[str, int], Candidate] = {}
    spans: list[tuple[Source, int, str]] = []
    for source_id in read_whole:
        source = sources.get(source_id)
        if source is not None:
            spans += [(source, a, source.text[a:b]) for a, b in sentence_spans(source.text)]
    whole = set(read_whole)
    for scored_list in retrieved.values():
        for scored in scored_list:
            chunk = scored.hit.chunk
            source = sources.get(chunk.source_id)
            if source is None or source.id in whole:
                continue
            spans += [
                (source, chunk.start + a, chunk.text[a:b]) for a, b in sentence_spans(chunk.text)
            ]
    for source, offset, sentence in spans:
        key = (source.id, offset)
        if key in seen:
            continue
        absolute, text = _without_speaker_label(source, offset, sentence)
        turn = _turn_at(source, absolute)
        if not _usable(text) or ROSTER.search(text) or not _spoken_by_client(turn):
            continue
        seen[key] = Candidate(
            source=source,
            text=text,
            start=absolute,
            recency=recency_weight(source.published_at, as_of, half_life_days),
            speaker=turn.get("speaker") if turn else None,
            speaker_title=turn.get("title") if turn else None,
            section=turn.get("section") if turn else None,
        )
    return list(seen.values())


def roster_lines(source: Source, names: Sequence[str]) -> list[str]:
    """The sentences of a call that say who is on it with their roles ("With me today are
    ..., our CEO") and name one of `names`."""
    if source.kind is not SourceKind.earnings_call:
        return []
    found = []
    for start, end in sentence_spans(source.text):
        absolute, text = _without_speaker_label(source, start, source.text[start:end])
        if not _spoken_by_client(_turn_at(source, absolute)):
            continue
        if ROSTER.search(text) and any(name in text for name in names):
            found.append(text)
    return found


def _spoken_by_client(turn: Mapping[str, str] | None) -> bool:
    """Not the operator's or an analyst's words (a call's turns carry their speakers' roles)."""
    return turn is None or turn.get("role") not in ("operator", "analyst")


@functools.lru_cache(maxsize=TEXT_CACHE)
def _usable(text: str) -> bool:
    # a short sentence is a statement when it carries a figure ("Revenue was $412 million.")
    figure = bool(MONEY.search(text) or PERCENT.search(text))
    shortest, fewest = (MIN_CHARS // 2, MIN_WORDS // 2) if figure else (MIN_CHARS, MIN_WORDS)
    if not (shortest <= len(text) <= MAX_CHARS) or len(text.split()) < fewest:
        return False
    if text.rstrip().endswith("?") or _SKIP.search(text) or _FILLER.search(text):
        return False
    if instruction_like(text):
        return False
    if not _ENDS_SENTENCE.search(text.rstrip()):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 0.6 * len(text)


def _without_speaker_label(source: Source, start: int, text: str) -> tuple[int, str]:
    """A turn's first sentence starts with its "Name (Title): " label; the quote starts after."""
    if source.kind is SourceKind.earnings_call:
        for turn in source.metadata.get("turns", []):
            words_start = turn.get("start", -1)
            if start < words_start < start + len(text):
                return words_start, text[words_start - start :]
    return start, text


def _turn_at(source: Source, offset: int) -> dict[str, str] | None:
    if source.kind is not SourceKind.earnings_call:
        return None
    for turn in source.metadata.get("turns", []):
        if turn.get("start", -1) <= offset < turn.get("end", -1):
            return dict(turn)
    return None
