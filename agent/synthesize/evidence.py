"""Candidate evidence: the sentences of retrieved chunks, attributed and scored per layer.

Both synthesizers start here. A candidate's `text` is an exact slice of its source's stored
text, so quoting it can never fail grounding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from agent.schemas import Evidence, LayerName, Source, SourceKind
from agent.validate import instruction_like
from knowledge.chunk import sentence_spans
from knowledge.retrieve import LayerSpec, Scored, recency_weight
from knowledge.store import KnowledgeStore

MIN_CHARS = 40
MAX_CHARS = 420
MIN_WORDS = 7

_QUERY_VECTORS: dict[tuple[str, ...], np.ndarray] = {}
_SENTENCE_VECTORS: dict[str, np.ndarray] = {}
SENTENCE_CACHE_SIZE = 50_000

#: Lines that are structure or boilerplate, not statements about the client.
_SKIP = re.compile(
    r"^(title|department|location|rating|role|pros|cons|item [\d.]+|form [\w-]+|posted|updated)\s*:"
    r"|forward-looking statements|safe harbor|equal opportunity employer|cookie|all rights reserved"
    r"|privacy policy|subscribe|sign up for|click here|terms of (use|service)"
    r"|\[operator instructions\]"
    r"|^(\w+|\d+\+?) (or more )?years\b|^(a )?bachelor|\bdegree in\b|^final offers|salary range"
    r"|reasonable accommodation|^benefits\b|^apply\b|^we offer\b|non-gaap",
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
    embedding: np.ndarray | None = None
    layer_scores: dict[LayerName, float] = field(default_factory=dict)

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


def candidates_from(
    retrieved: Mapping[LayerName, Sequence[Scored]],
    sources: Mapping[str, Source],
    as_of: datetime,
    half_life_days: float,
) -> list[Candidate]:
    """Every usable sentence of the retrieved chunks, once each."""
    seen: dict[tuple[str, int], Candidate] = {}
    for scored_list in retrieved.values():
        for scored in scored_list:
            chunk = scored.hit.chunk
            source = sources.get(chunk.source_id)
            if source is None:
                continue
            for start, end in sentence_spans(chunk.text):
                absolute = chunk.start + start
                key = (source.id, absolute)
                if key in seen:
                    continue
                text = chunk.text[start:end]
                absolute, text = _without_speaker_label(source, absolute, text)
                turn = _turn_at(source, absolute)
                if not _usable(text) or (turn and turn.get("role") in ("operator", "analyst")):
                    continue
                seen[key] = Candidate(
                    source=source,
                    text=text,
                    start=absolute,
                    recency=recency_weight(source.published_at, as_of, half_life_days),
                    speaker=turn.get("speaker") if turn else None,
                    speaker_title=turn.get("title") if turn else None,
                )
    return list(seen.values())


def score_candidates(
    candidates: list[Candidate],
    specs: Mapping[LayerName, LayerSpec],
    store: KnowledgeStore,
    extra_cues: Mapping[LayerName, Sequence[str]] | None = None,
) -> None:
    """Embed the candidates and score each against every layer (in place).

    `extra_cues` adds account-specific words to a layer, such as its competitors' names.
    """
    if not candidates:
        return
    vectors = embed_cached(store, [c.text for c in candidates])
    for candidate, vector in zip(candidates, vectors, strict=True):
        candidate.embedding = vector
    for name, spec in specs.items():
        queries = layer_query_vectors(store, (*spec.queries, spec.description))
        similarity = (vectors @ queries.T).max(axis=1)
        for candidate, sim in zip(candidates, similarity, strict=True):
            if candidate.source.internal and name is not LayerName.internal:
                # The CSM's own notes speak to relationships, not to the client's business.
                candidate.layer_scores[name] = 0.0
                continue
            cues = [*spec.cues, *(extra_cues or {}).get(name, [])]
            bonus = min(0.12, 0.04 * cue_hits(candidate.text, cues))
            if name is LayerName.commercial and re.search(r"\d", candidate.text):
                bonus += 0.03
            weight = 0.7 + 0.3 * candidate.recency
            candidate.layer_scores[name] = float(sim + bonus) * weight


def embed_cached(store: KnowledgeStore, texts: Sequence[str]) -> np.ndarray:
    """Sentence embeddings, remembered per process: a warm brief re-embeds only new text."""
    missing = list(dict.fromkeys(t for t in texts if t not in _SENTENCE_VECTORS))
    if missing:
        if len(_SENTENCE_VECTORS) + len(missing) > SENTENCE_CACHE_SIZE:
            _SENTENCE_VECTORS.clear()
        _SENTENCE_VECTORS.update(zip(missing, store.embed(missing), strict=True))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([_SENTENCE_VECTORS[t] for t in texts])


def layer_query_vectors(store: KnowledgeStore, queries: tuple[str, ...]) -> np.ndarray:
    """Query embeddings, computed once per process for each fixed set of queries.

    The embedding model is fixed, so warm briefs need not embed the same queries again.
    """
    if queries not in _QUERY_VECTORS:
        _QUERY_VECTORS[queries] = store.embed(list(queries))
    return _QUERY_VECTORS[queries]


def cue_hits(text: str, cues: Iterable[str]) -> int:
    """How many of the cue words or phrases occur in the text (whole words, any case)."""
    folded = text.casefold()
    return sum(1 for cue in cues if re.search(rf"(?<!\w){re.escape(cue.casefold())}(?!\w)", folded))


def pick_diverse(
    ranked: Sequence[Candidate],
    score: Mapping[tuple[str, int], float],
    limit: int,
    per_source: int = 3,
    max_similarity: float = 0.88,
) -> list[Candidate]:
    """The best candidates, skipping near-duplicates and capping sentences per source."""
    chosen: list[Candidate] = []
    from_source: dict[str, int] = {}
    for candidate in sorted(ranked, key=lambda c: -score[c.key]):
        if len(chosen) >= limit:
            break
        if from_source.get(candidate.source.id, 0) >= per_source:
            continue
        if candidate.embedding is not None and any(
            other.embedding is not None
            and float(candidate.embedding @ other.embedding) > max_similarity
            for other in chosen
        ):
            continue
        chosen.append(candidate)
        from_source[candidate.source.id] = from_source.get(candidate.source.id, 0) + 1
    return chosen


def _usable(text: str) -> bool:
    if not (MIN_CHARS <= len(text) <= MAX_CHARS) or len(text.split()) < MIN_WORDS:
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
