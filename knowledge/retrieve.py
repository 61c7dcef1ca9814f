"""Retrieval per briefing layer: similar, recent, and not all from one document.

Each layer of `layers.yaml` is a handful of example sentences; the account's chunks nearest to
them are weighted by age and then picked by maximal marginal relevance, so a layer gets
several different facts rather than one paragraph's paraphrases.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from agent.schemas import LayerName
from knowledge.store import Hit, KnowledgeStore, as_utc
from knowledge.yaml_text import load_yaml

LAYERS_FILE = Path(__file__).parent / "layers.yaml"
#: Weight of a source with no date: neither fresh nor stale.
UNDATED_RECENCY = 0.6
#: Share of a chunk's score that depends on its similarity alone, whatever its age.
SIMILARITY_FLOOR = 0.7
MMR_LAMBDA = 0.7
MAX_PER_SOURCE = 4
#: Cosine similarity above which two chunks say the same thing.
NEAR_DUPLICATE = 0.92


@dataclass(frozen=True)
class FactKind:
    """One kind of fact a CSM needs from a layer (a result, a partner, a leadership change):
    invented example sentences of it, and words that mark it."""

    name: str
    layer: LayerName
    title: str
    cues: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class LayerSpec:
    """What one layer of a briefing is about, and what to say when the sources are silent."""

    name: LayerName
    title: str
    description: str
    queries: list[str]
    cues: list[str]
    urgent: list[str]
    gap: str
    questions: list[str]
    kinds: tuple[FactKind, ...] = ()


@dataclass(frozen=True)
class Scored:
    """A retrieved chunk with the parts of its ranking score."""

    hit: Hit
    relevance: float
    recency: float
    score: float


@functools.cache
def load_layers() -> dict[LayerName, LayerSpec]:
    """The four layer specifications from `knowledge/layers.yaml`, in the fixed layer order."""
    data = load_yaml(LAYERS_FILE.read_text(encoding="utf-8"))
    return {
        name: LayerSpec(
            name=name,
            title=str(data[name.value]["title"]),
            description=str(data[name.value]["description"]),
            queries=[str(q) for q in data[name.value]["queries"]],
            cues=[str(c) for c in data[name.value]["cues"]],
            urgent=[str(u) for u in data[name.value]["urgent"]],
            gap=str(data[name.value]["gap"]),
            questions=[str(q) for q in data[name.value]["questions"]],
            kinds=_kinds(name, data[name.value].get("kinds") or {}),
        )
        for name in LayerName
    }


def kind_titles() -> dict[str, str]:
    """The reader's name of each kind of fact ("guidance" -> "Guidance")."""
    return {k.name: k.title for spec in load_layers().values() for k in spec.kinds}


def _kinds(layer: LayerName, data: dict[str, dict[str, Any]]) -> tuple[FactKind, ...]:
    return tuple(
        FactKind(
            name=str(key),
            layer=layer,
            title=str(value["title"]),
            cues=tuple(str(c) for c in value.get("cues") or []),
            examples=tuple(str(e) for e in value["examples"]),
        )
        for key, value in data.items()
    )


def recency_weight(published_at: datetime | None, as_of: datetime, half_life_days: float) -> float:
    """0.5 ** (age in days / half-life); undated sources get 0.6, future dates count as new."""
    if published_at is None:
        return UNDATED_RECENCY
    age_days = max(0.0, (as_utc(as_of) - as_utc(published_at)).total_seconds() / 86400.0)
    return float(0.5 ** (age_days / half_life_days))


def retrieve_layer(
    store: KnowledgeStore,
    account_id: str,
    spec: LayerSpec,
    as_of: datetime,
    half_life_days: float,
    k: int = 8,
) -> list[Scored]:
    """The k best chunks of an account for one layer: relevant, recent, diverse."""
    hits = store.query(account_id, [*spec.queries, spec.description], n_results=4 * k)
    scored = []
    for hit in hits:
        recency = recency_weight(hit.published_at, as_of, half_life_days)
        score = hit.similarity * (SIMILARITY_FLOOR + (1.0 - SIMILARITY_FLOOR) * recency)
        scored.append(Scored(hit=hit, relevance=hit.similarity, recency=recency, score=score))
    return _diverse(scored, k)


def retrieve_all(
    store: KnowledgeStore,
    account_id: str,
    as_of: datetime,
    half_life_days: float,
    k: int = 8,
) -> dict[LayerName, list[Scored]]:
    """`retrieve_layer` for each of the four layers."""
    return {
        name: retrieve_layer(store, account_id, spec, as_of, half_life_days, k)
        for name, spec in load_layers().items()
    }


def _diverse(candidates: list[Scored], k: int) -> list[Scored]:
    """Maximal marginal relevance over chunk embeddings, at most MAX_PER_SOURCE per source."""
    pool = sorted(candidates, key=lambda s: (-s.score, s.hit.chunk.id))
    chosen: list[Scored] = []
    per_source: Counter[str] = Counter()
    if not pool:
        return chosen
    vectors = np.stack([s.hit.embedding for s in pool])
    # Highest similarity of each candidate to anything chosen so far (an opposite is no bonus).
    redundancy = np.zeros(len(pool), dtype=np.float32)
    open_ = np.ones(len(pool), dtype=bool)
    scores = np.array([s.score for s in pool], dtype=np.float32)
    while len(chosen) < k:
        for i in np.flatnonzero(open_):
            if per_source[pool[i].hit.chunk.source_id] >= MAX_PER_SOURCE:
                open_[i] = False
        if not open_.any():
            break
        # A near-copy of a chosen chunk (a syndicated story, a repeated boilerplate paragraph)
        # adds nothing new, so it waits until nothing else is left.
        eligible = open_ & (redundancy < NEAR_DUPLICATE)
        if not eligible.any():
            eligible = open_
        value = MMR_LAMBDA * scores - (1.0 - MMR_LAMBDA) * redundancy
        best = int(np.flatnonzero(eligible)[np.argmax(value[eligible])])
        chosen.append(pool[best])
        per_source[pool[best].hit.chunk.source_id] += 1
        open_[best] = False
        redundancy = np.maximum(redundancy, vectors @ vectors[best])
    return chosen
