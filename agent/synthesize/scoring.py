"""Candidate sentences embedded and scored: the kind of fact each states, its fit with every
layer, and how worth a CSM's attention it is.

A sentence's kind is the kind (knowledge/layers.yaml `kinds`) whose invented examples it is
nearest to, nudged by the kind's cue words; its layer scores are the best fit of each layer's
kinds. Vectors are remembered per process, so a warm brief embeds only new sentences.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from agent.schemas import LayerName, SourceKind
from agent.synthesize.evidence import Candidate
from agent.synthesize.salience import MONEY, PERCENT, TEXT_CACHE, Echo, Rarity, salience
from agent.validate import fold
from knowledge.retrieve import FactKind, LayerSpec
from knowledge.store import KnowledgeStore

_QUERY_VECTORS: dict[tuple[str, ...], np.ndarray] = {}
_SENTENCE_VECTORS: dict[str, np.ndarray] = {}
SENTENCE_CACHE_SIZE = 50_000
#: What each cue word of a kind adds to a sentence's similarity to it (at most three count).
KIND_CUE = 0.05
#: What a money figure or a percentage adds to the commercial layer's kinds.
FIGURE_CUE = 0.03
#: What naming one of the account's own cue words (its competitors) adds to the layer's kinds.
ACCOUNT_CUE = 0.1
#: What a fresh source adds to a sentence's salience over a stale one.
RECENCY_WEIGHT = 1.5


def score_candidates(
    candidates: list[Candidate],
    specs: Mapping[LayerName, LayerSpec],
    store: KnowledgeStore,
    extra_cues: Mapping[LayerName, Sequence[str]] | None = None,
    signalled: Iterable[str] = (),
) -> None:
    """Embed the candidates; give each its kind, its score for every layer and its salience
    (in place).

    `extra_cues` adds account-specific words to a layer, such as its competitors' names;
    `signalled` are the quotes of detected signals, which make a sentence more salient.
    """
    if not candidates:
        return
    vectors = embed_cached(store, [c.text for c in candidates])
    kinds = kind_table(specs)
    cue_sets = tuple(k.cues for k in kinds)
    fits = np.stack(
        [(vectors @ layer_query_vectors(store, k.examples).T).max(axis=1) for k in kinds], axis=1
    )
    quoted = {fold(q) for q in signalled}
    by_source: dict[str, list[str]] = {}
    for candidate in candidates:
        by_source.setdefault(candidate.source.id, []).append(candidate.text)
    rarity = {source_id: Rarity(texts) for source_id, texts in by_source.items()}
    echo = {source_id: Echo(texts) for source_id, texts in by_source.items()}
    for row, (candidate, vector) in enumerate(zip(candidates, vectors, strict=True)):
        candidate.embedding = vector
        named = {
            name: ACCOUNT_CUE * min(2, cue_hits(candidate.text, cues))
            for name, cues in (extra_cues or {}).items()
        }
        figure = FIGURE_CUE if MONEY.search(candidate.text) or PERCENT.search(candidate.text) else 0
        hits = _kind_cue_hits(candidate.text, cue_sets)
        fit = [
            float(fits[row, j])
            + KIND_CUE * min(3, hits[j])
            + named.get(k.layer, 0.0)
            + (figure if k.layer is LayerName.commercial else 0.0)
            for j, k in enumerate(kinds)
        ]
        best = max(range(len(kinds)), key=fit.__getitem__)
        candidate.kind = kinds[best].name
        weight = 0.7 + 0.3 * candidate.recency
        for name in specs:
            own = [fit[j] for j, k in enumerate(kinds) if k.layer is name]
            internal_only = candidate.source.internal and name is not LayerName.internal
            # The CSM's own notes speak to relationships, not to the client's business.
            candidate.layer_scores[name] = 0.0 if internal_only or not own else max(own) * weight
        if candidate.source.internal:
            candidate.kind = None
        features = salience(
            candidate.text,
            similarity=float(fits[row, best]),
            specific=rarity[candidate.source.id].of(candidate.text),
            section=candidate.section,
            title=candidate.speaker_title,
            signalled=fold(candidate.text) in quoted,
            echoed=echo[candidate.source.id].of(candidate.text),
            posting=candidate.source.kind is SourceKind.job_posting,
        )
        candidate.salience = features.score + RECENCY_WEIGHT * candidate.recency


def kind_table(specs: Mapping[LayerName, LayerSpec]) -> list[FactKind]:
    """Every kind of fact of every layer; a layer without kinds is one kind, its own queries."""
    kinds: list[FactKind] = []
    for name, spec in specs.items():
        kinds += spec.kinds or (
            FactKind(
                name=name.value,
                layer=name,
                title=spec.title,
                cues=tuple(spec.cues),
                examples=(*spec.queries, spec.description),
            ),
        )
    return kinds


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
    # a plain substring test first: most cues are absent, and it is far cheaper than a regex
    return sum(
        1 for cue, pattern in _cue_patterns(tuple(cues)) if cue in folded and pattern.search(folded)
    )


@functools.lru_cache(maxsize=TEXT_CACHE)
def _kind_cue_hits(text: str, cue_sets: tuple[tuple[str, ...], ...]) -> tuple[int, ...]:
    """`cue_hits` of the text for each kind's cues, read once per process per sentence."""
    return tuple(cue_hits(text, cues) for cues in cue_sets)


@functools.lru_cache(maxsize=256)
def _cue_patterns(cues: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [
        (cue.casefold(), re.compile(rf"(?<!\w){re.escape(cue.casefold())}(?!\w)")) for cue in cues
    ]


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
