"""The extractive synthesizer: a deterministic brief whose every claim is a stored sentence.

Each sentence states one kind of fact (a result, guidance, a partner, a leadership change) and
so belongs to one layer; no fact is told in two layers, even in other words. The most salient
sentences of each kind are kept, more of them where the evidence is richer (the square root of
a kind's candidates), never two of the same fact; a layer's length grows with its evidence too.
A layer left with too little evidence says so and offers discovery questions instead of filler.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from agent.config import Settings
from agent.schemas import Account, Claim, Layer, LayerName, Layers, Source, Stakeholder
from agent.synthesize.evidence import Candidate
from agent.synthesize.salience import figures
from agent.synthesize.scoring import cue_hits
from agent.validate import clip
from knowledge.embed import DIMENSION
from knowledge.retrieve import LayerSpec

#: Sources older than this many days are reported as possibly stale.
STALE_DAYS = 540
#: Urgency one recent leadership change adds to the internal layer (a cue word adds 1 x recency).
LEADERSHIP_WEIGHT = 3.0
#: Sentences kept per kind of fact: this times the square root of the kind's candidates, at
#: most MAX_PER_KIND (a long answer's musings on one bet must not crowd out the other kinds).
PER_KIND = 1.6
MAX_PER_KIND = 7
#: A layer holds `claims_per_layer` claims, or this times the square root of its candidates
#: when that is more, up to MAX_CLAIMS_PER_LAYER: a long call says more than a job post.
PER_LAYER = 1.4
MAX_CLAIMS_PER_LAYER = 18
#: Cosine similarity above which two sentences say the same thing; two that share a figure
#: ("$94 billion") say the same thing above SAME_FIGURE.
SAME_FACT = 0.8
SAME_FIGURE = 0.55
#: Sentences stating a claim's fact that it quotes besides its own, as corroboration.
MAX_ECHOES = 2
_MOVES = {"new": "is new", "departed": "is leaving or has left"}


@dataclass(frozen=True)
class Focus:
    """The layer that matters most now, and why; `news` is the change to lead with, if any."""

    layer: LayerName
    reason: str
    lead: Candidate | None
    news: str | None = None


def assign_layers(
    candidates: Sequence[Candidate],
    specs: Mapping[LayerName, LayerSpec],
    settings: Settings,
    limit: int | None = None,
) -> dict[LayerName, list[Candidate]]:
    """The claims of each layer, most salient first: the best sentences of each kind of fact,
    one per fact, each in the layer of its kind; at most `limit` per layer when given, else
    as many as the layer's evidence warrants."""
    pools: dict[LayerName, dict[str, list[Candidate]]] = {name: {} for name in specs}
    for candidate in candidates:
        best = max(candidate.layer_scores, key=lambda n: candidate.layer_scores[n])
        if candidate.layer_scores[best] >= settings.min_relevance:
            kind = candidate.kind or best.value
            pools[best].setdefault(kind, []).append(candidate)
    ranked: dict[LayerName, list[Candidate]] = {}
    sizes: dict[LayerName, int] = {}
    for name, kinds in pools.items():
        picked = [c for pool in kinds.values() for c in _distinct(pool, _kind_limit(len(pool)))]
        size = sum(len(pool) for pool in kinds.values())
        sizes[name] = limit or max(
            settings.claims_per_layer, min(MAX_CLAIMS_PER_LAYER, _sqrt(PER_LAYER, size))
        )
        ranked[name] = _distinct(picked, len(picked))
    return _with_echoes(_once(ranked, sizes), candidates)


def _once(
    ranked: Mapping[LayerName, list[Candidate]], sizes: Mapping[LayerName, int]
) -> dict[LayerName, list[Candidate]]:
    """Each layer's first `sizes` candidates, with no fact told in two layers: of two sentences
    in different layers that state one fact (a $2 billion plan told as an investment and as
    new warehouses), the one that fits its layer less well gives its place to its layer's next."""
    dropped: set[tuple[str, int]] = set()
    while True:
        chosen = {
            name: _spread([c for c in pool if c.key not in dropped], sizes[name])
            for name, pool in ranked.items()
        }
        claims = sorted(
            ((c, name) for name, cs in chosen.items() for c in cs),
            key=lambda pair: (-pair[0].layer_scores[pair[1]], pair[0].key),
        )
        kept: list[tuple[Candidate, LayerName]] = []
        repeats: set[tuple[str, int]] = set()
        for claim, name in claims:  # compared with the claims that stay, not those that go
            if any(n != name and same_fact(claim, other) for other, n in kept):
                repeats.add(claim.key)
            else:
                kept.append((claim, name))
        if not repeats:
            return chosen
        dropped |= repeats


def _with_echoes(
    chosen: dict[LayerName, list[Candidate]], candidates: Sequence[Candidate]
) -> dict[LayerName, list[Candidate]]:
    """Each chosen sentence with up to MAX_ECHOES others that state its fact and were left out
    for it (not chosen themselves), most salient first."""
    taken = {c.key for claims in chosen.values() for c in claims}
    rest = sorted((c for c in candidates if c.key not in taken), key=lambda c: (-c.salience, c.key))
    vectors = np.stack([_vector(c) for c in rest]) if rest else np.zeros((0, 0))
    out: dict[LayerName, list[Candidate]] = {}
    for name, claims in chosen.items():
        out[name] = []
        for claim in claims:
            echoes: list[Candidate] = []
            # only those near enough to share a figure can state the fact (same_fact says which)
            near = (
                range(len(rest))
                if claim.embedding is None or not rest
                else np.flatnonzero(_near(vectors @ claim.embedding))
            )
            for other in (rest[i] for i in near):
                if len(echoes) >= MAX_ECHOES:
                    break
                repeated = other.text == claim.text or any(other.text == e.text for e in echoes)
                if not repeated and same_fact(claim, other):
                    echoes.append(other)
            out[name].append(replace(claim, echoes=tuple(echoes)) if echoes else claim)
    return out


def _vector(candidate: Candidate) -> np.ndarray:
    """A candidate's embedding; one without any comes out as NaNs, near every sentence."""
    if candidate.embedding is None:
        return np.full(DIMENSION, np.nan, dtype=np.float32)
    return candidate.embedding


def _near(similarities: np.ndarray) -> np.ndarray:
    """Which similarities may pass same_fact's least threshold (a hair below it, so that no
    rounding of the matrix product drops a pair its own dot product keeps); NaN passes."""
    return ~(similarities <= SAME_FIGURE - 1e-4)


def _kind_limit(size: int) -> int:
    return max(1, min(MAX_PER_KIND, _sqrt(PER_KIND, size)))


def _sqrt(share: float, size: int) -> int:
    return math.ceil(share * math.sqrt(size))


def _distinct(pool: Sequence[Candidate], limit: int) -> list[Candidate]:
    """The most salient candidates, at most `limit`, none saying what a better one says."""
    kept: list[Candidate] = []
    for candidate in sorted(pool, key=lambda c: (-c.salience, c.key)):
        if len(kept) >= limit:
            break
        if not any(same_fact(candidate, other) for other in kept):
            kept.append(candidate)
    return kept


def same_fact(one: Candidate, other: Candidate) -> bool:
    """Whether two sentences state the same fact: near-identical meaning, or a shared figure
    in similar words (a result repeated by the CFO after the CEO)."""
    if one.embedding is None or other.embedding is None:
        return one.text == other.text
    similarity = float(one.embedding @ other.embedding)
    if similarity > SAME_FACT:
        return True
    return similarity > SAME_FIGURE and bool(figures(one.text) & figures(other.text))


def _spread(ranked: Sequence[Candidate], limit: int) -> list[Candidate]:
    """The first `limit` candidates, most salient first, with no source taking more than
    three places in four while other sources have candidates left."""
    cap = max(3, math.ceil(0.75 * limit))
    kept: list[Candidate] = []
    waiting: list[Candidate] = []
    per_source: dict[str, int] = {}
    for candidate in ranked:
        if per_source.get(candidate.source.id, 0) >= cap:
            waiting.append(candidate)
            continue
        kept.append(candidate)
        per_source[candidate.source.id] = per_source.get(candidate.source.id, 0) + 1
    kept = kept[:limit]
    kept += waiting[: limit - len(kept)]
    return sorted(kept, key=lambda c: (-c.salience, c.key))


def build_layers(
    chosen: Mapping[LayerName, list[Candidate]],
    specs: Mapping[LayerName, LayerSpec],
    settings: Settings,
    as_of: datetime,
    leading: Mapping[LayerName, Sequence[Claim]] | None = None,
) -> Layers:
    """The four layers from their chosen sentences, each after its `leading` claims (such as
    who decides), with gaps and questions where thin."""
    built = {
        name.value: _layer(
            chosen.get(name, []), specs[name], settings, as_of, (leading or {}).get(name, ())
        )
        for name in LayerName
    }
    return Layers(**built)


def choose_focus(
    chosen: Mapping[LayerName, list[Candidate]],
    specs: Mapping[LayerName, LayerSpec],
    leadership: Sequence[Stakeholder] = (),
) -> Focus:
    """The layer with the most recent, urgent evidence; the best-evidenced one if none is urgent.

    A recent arrival or departure of a leader weighs most: champion risk is what a CSM must
    not miss.
    """
    urgency: dict[LayerName, float] = {name: 0.0 for name in LayerName}
    leads: dict[LayerName, tuple[float, Candidate]] = {}
    for name, claims in chosen.items():
        for candidate in claims:
            weight = cue_hits(candidate.text, specs[name].urgent) * candidate.recency
            urgency[name] += weight
            if weight and (name not in leads or weight > leads[name][0]):
                leads[name] = (weight, candidate)
    urgency[LayerName.internal] += LEADERSHIP_WEIGHT * len(leadership)
    urgent = max(LayerName, key=lambda n: urgency[n])
    if urgency[urgent] > 0:
        lead = leads.get(urgent, (0.0, None))[1]
        people = leadership if urgent is LayerName.internal else ()
        news = _moves(people) if people else None
        reason = _urgent_reason(specs[urgent], chosen.get(urgent, []), lead, people)
        return Focus(urgent, reason, lead, news)
    strongest = max(LayerName, key=lambda n: sum(c.layer_scores[n] for c in chosen.get(n, [])))
    claims = chosen.get(strongest, [])
    if not claims:
        return Focus(
            LayerName.commercial,
            "Nothing is known yet: the sources say too little about any layer; "
            "use the discovery questions.",
            None,
        )
    return Focus(
        strongest,
        f"No urgent change was found; {specs[strongest].title.lower()} has the strongest evidence.",
        claims[0],
    )


def _urgent_reason(
    spec: LayerSpec,
    claims: Sequence[Candidate],
    lead: Candidate | None,
    leadership: Sequence[Stakeholder],
) -> str:
    parts = []
    if leadership:
        parts.append(f"Leadership is changing: {_moves(leadership)}.")
    changing = sum(1 for c in claims if cue_hits(c.text, spec.urgent))
    if lead is not None:
        parts.append(
            f"{changing} recent statement(s) point to change in {spec.title.lower()}, led by "
            f"“{clip(lead.text, 140)}” ({lead.attribution()})."
        )
    return " ".join(parts)


def headline(account: Account, focus: Focus, specs: Mapping[LayerName, LayerSpec]) -> str:
    """One line a CSM reads first."""
    layer = specs[focus.layer].title.lower()
    if focus.news:
        return f"{account.name} — {layer}: {focus.news}."
    if focus.lead is None:
        return f"{account.name}: too little is known yet; start the call with discovery questions."
    return f"{account.name} — {layer}: {clip(focus.lead.text, 180)}"


def _moves(people: Sequence[Stakeholder]) -> str:
    return "; ".join(
        f"{p.name}{f' ({p.title})' if p.title else ''} {_MOVES[p.status]}" for p in people
    )


def claim_of(candidate: Candidate) -> Claim:
    """A claim that quotes the sentence and says where it comes from."""
    return Claim(
        text=f"{candidate.text} ({candidate.attribution()})",
        evidence=[candidate.evidence(), *(echo.evidence() for echo in candidate.echoes)],
        kind=candidate.kind,
    )


def _layer(
    claims: list[Candidate],
    spec: LayerSpec,
    settings: Settings,
    as_of: datetime,
    leading: Sequence[Claim] = (),
) -> Layer:
    gaps: list[str] = []
    questions: list[str] = []
    thin = len(claims) + len(leading) < settings.min_claims_per_layer
    if thin:
        gaps.append(spec.gap)
        questions = list(spec.questions)
    stale = [c for c in claims if _age_days(c.source, as_of) > STALE_DAYS]
    if claims and len(stale) == len(claims):
        gaps.append(
            f"All {spec.title.lower()} evidence is more than {STALE_DAYS // 30} months old; "
            "confirm it still holds."
        )
        questions = questions or list(spec.questions[:1])
    return Layer(
        summary=_summary(claims, spec, thin),
        claims=[*leading, *(claim_of(c) for c in claims)],
        gaps=gaps,
        questions=questions,
    )


def _summary(claims: list[Candidate], spec: LayerSpec, thin: bool) -> str:
    if not claims:
        return f"Unknown: the sources say nothing well-evidenced about this layer. {spec.gap}"
    kinds = sorted({c.source.kind.value.replace("_", " ") for c in claims})
    dated = [c.source.published_at for c in claims if c.source.published_at]
    latest = f", latest {max(dated).date().isoformat()}" if dated else ""
    lead = f"Leading evidence: “{clip(claims[0].text, 160)}”"
    basis = f"{len(claims)} statement(s) from {', '.join(kinds)}{latest}."
    if thin:
        return f"Thin: only {basis} {lead}"
    return f"{lead} — {basis}"


def _age_days(source: Source, as_of: datetime) -> float:
    if source.published_at is None:
        return 0.0
    published = source.published_at
    if published.tzinfo is None and as_of.tzinfo is not None:
        published = published.replace(tzinfo=as_of.tzinfo)
    return (as_of - published).total_seconds() / 86400
