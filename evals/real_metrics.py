"""The scores of the real-document eval, exactly by the rules of the realdocs README.

- A label is found when a signal of the same type carries evidence sharing at least 60% of the
  label quote's words. A distractor (`type: none`) is hit when any signal quotes it (the same
  60% rule).
- A key fact is covered when a claim's text or quotes share at least 60% of the fact quote's
  words or contain all of its keywords; "in layer" also needs the fact's layer.

Every overall score is a rate where higher is better, so one floor mechanism (evals/run.py)
gates them all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from evals.real import Corpus, DocOutcome, KeyFact, Label, RealDoc

#: Share of a label's words a quote must carry to match it.
MATCH_SHARE = 0.6
#: The overall scores, in report order; every one is gated by evals/baseline_real.json.
GATED = (
    "ingest_rate",
    "kind_rate",
    "signal_recall",
    "signal_recall_ex_tech_stack",
    "distractor_free",
    "on_label_rate",
    "key_fact_recall",
    "key_fact_in_layer",
    "executive_recall",
    "executive_titles",
    "executive_precision",
    "date_rate",
    "clean_title_rate",
    "brief_rate",
    "proof_point_rate",
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "‐": "-", "–": "-", "—": "-"})
_WORD = re.compile(r"[^\W_]+")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});")


def words(text: str) -> set[str]:
    """The distinct words of a text, case and quote style folded."""
    return set(_WORD.findall(text.translate(_QUOTES).casefold()))


def shares(quote: str, label: str) -> bool:
    """Whether `quote` carries at least 60% of the words of `label`."""
    wanted = words(label)
    return bool(wanted) and len(wanted & words(quote)) >= MATCH_SHARE * len(wanted)


def _folded(text: str) -> str:
    return " ".join(text.translate(_QUOTES).casefold().split())


def covers(texts: Iterable[str], fact: KeyFact) -> bool:
    """Whether any text shares 60% of the fact quote's words or holds all its keywords."""
    keywords = [_folded(k) for k in fact.keywords]
    for text in texts:
        if shares(text, fact.quote):
            return True
        if keywords and all(k in _folded(text) for k in keywords):
            return True
    return False


@dataclass
class TypeCounts:
    """Per signal type: labels, labels found, signals reported and on a label."""

    labels: int = 0
    found: int = 0
    signals: int = 0
    on_label: int = 0
    distractor_hits: int = 0

    @property
    def recall(self) -> float | None:
        """Labels found over labels; None without labels."""
        return self.found / self.labels if self.labels else None


@dataclass
class DocScore:
    """One document's figures, as the report's table shows them."""

    doc: str
    kind_ok: bool
    error: str | None
    sources: int
    labels: int
    found: int
    distractors: int
    distractor_hits: int
    signals: int
    facts: int = 0
    facts_covered: int = 0
    facts_in_layer: int = 0
    executives: str = ""
    date_ok: bool | None = None
    seconds: float = 0.0


@dataclass
class RealReport:
    """The overall rates, the per-type counts and every document's figures."""

    overall: dict[str, float | None]
    counts: dict[str, int]
    by_type: dict[str, TypeCounts]
    docs: list[DocScore]
    failures: list[str] = field(default_factory=list)

    def to_dict(self, floors: Mapping[str, float], failures: list[str]) -> dict[str, Any]:
        """The JSON document of `dossier eval --real --format json`."""
        return {
            "overall": self.overall,
            "counts": self.counts,
            "by_type": {
                k: {**vars(v), "recall": v.recall} for k, v in sorted(self.by_type.items())
            },
            "documents": [vars(d) for d in self.docs],
            "floors": dict(floors),
            "failures": failures,
        }


def _rate(hit: int, total: int) -> float | None:
    return hit / total if total else None


def _names(executive: Any) -> set[str]:
    return {_folded(n) for n in [executive.name, *executive.aliases]}


def executive_figures(doc: RealDoc, outcome: DocOutcome) -> tuple[int, int, int, int, int, int]:
    """(listed, found as executive, listed with a title, found with a title, executive-role
    speakers, of them listed) for a transcript."""
    executives = [(s, t) for s, t, role in outcome.speakers if role == "executive"]
    listed = found = titled = with_title = 0
    for person in doc.executives:
        listed += 1
        names = _names(person)
        matches = [t for s, t in executives if _folded(s) in names]
        found += bool(matches)
        if person.title:
            titled += 1
            with_title += any(t for t in matches)
    known = set().union(*(_names(p) for p in doc.executives)) if doc.executives else set()
    speakers = {_folded(s) for s, _ in executives}
    return listed, found, titled, with_title, len(speakers), len(speakers & known)


def _date_ok(doc: RealDoc, outcome: DocOutcome) -> bool | None:
    """A dated document's stored date within a day of its publication (time zones differ)."""
    if doc.published is None or doc.folder not in ("news", "filings"):
        return None
    near = {doc.published + timedelta(days=d) for d in (-1, 0, 1)}
    return any(date.fromisoformat(p) in near for p in outcome.published)


def score_corpus(corpus: Corpus, outcomes: Sequence[DocOutcome]) -> RealReport:
    """Every document's figures and the overall rates."""
    by_doc = {o.doc: o for o in outcomes}
    labels: dict[str, list[Label]] = {}
    for label in corpus.labels:
        labels.setdefault(label.doc, []).append(label)
    facts: dict[str, list[KeyFact]] = {}
    for fact in corpus.facts:
        facts.setdefault(fact.doc, []).append(fact)
    by_type: dict[str, TypeCounts] = {}
    totals: Counter[str] = Counter()
    rows = []
    for doc in corpus.docs:
        outcome = by_doc.get(doc.doc)
        if outcome is None:
            continue
        row = _score_doc(doc, outcome, labels.get(doc.doc, []), facts.get(doc.doc, []), by_type)
        rows.append(row)
        _tally(totals, doc, outcome, row)
    return RealReport(_overall(totals, by_type), dict(totals), by_type, rows)


def _score_doc(
    doc: RealDoc,
    outcome: DocOutcome,
    labels: list[Label],
    facts: list[KeyFact],
    by_type: dict[str, TypeCounts],
) -> DocScore:
    signals = outcome.signals
    found = hits = distractors = 0
    for label in labels:
        if label.type == "none":
            distractors += 1
            hit = any(shares(q, label.quote) for _, quotes in signals for q in quotes)
            hits += hit
            for kind, quotes in signals:
                if hit and any(shares(q, label.quote) for q in quotes):
                    by_type.setdefault(kind, TypeCounts()).distractor_hits += 1
            continue
        counts = by_type.setdefault(label.type, TypeCounts())
        counts.labels += 1
        if any(k == label.type and any(shares(q, label.quote) for q in qs) for k, qs in signals):
            counts.found += 1
            found += 1
    for kind, quotes in signals:
        counts = by_type.setdefault(kind, TypeCounts())
        counts.signals += 1
        own = [lb.quote for lb in labels if lb.type == kind]
        counts.on_label += any(shares(q, lq) for q in quotes for lq in own)
    row = DocScore(
        doc=doc.doc,
        kind_ok=not outcome.error and outcome.kinds == [doc.source_kind],
        error=outcome.error or outcome.brief_error,
        sources=outcome.sources,
        labels=len(labels) - distractors,
        found=found,
        distractors=distractors,
        distractor_hits=hits,
        signals=len(signals),
        date_ok=_date_ok(doc, outcome),
        seconds=outcome.seconds,
    )
    for fact in facts:
        row.facts += 1
        layered = [(layer, [text, *quotes]) for layer, text, quotes in outcome.claims]
        row.facts_covered += any(covers(texts, fact) for _, texts in layered)
        row.facts_in_layer += any(
            covers(texts, fact) for layer, texts in layered if layer == fact.layer.value
        )
    if doc.executives:
        listed, found_exec, *_ = executive_figures(doc, outcome)
        row.executives = f"{found_exec}/{listed}"
    return row


def _tally(totals: Counter[str], doc: RealDoc, outcome: DocOutcome, row: DocScore) -> None:
    totals["documents"] += 1
    totals["ingested"] += bool(outcome.sources) and not outcome.error
    totals["kind_ok"] += row.kind_ok
    totals["distractors"] += row.distractors
    totals["distractor_hits"] += row.distractor_hits
    totals["facts"] += row.facts
    totals["facts_covered"] += row.facts_covered
    totals["facts_in_layer"] += row.facts_in_layer
    totals["briefed"] += bool(outcome.sources) and outcome.brief_error is None
    totals["messages_proved"] += outcome.messages_proved
    totals["messages_proof_worthy"] += outcome.messages_proof_worthy
    if row.date_ok is not None:
        totals["dated_docs"] += 1
        totals["dates_ok"] += row.date_ok
    if doc.folder in ("news", "filings"):
        totals["titles"] += len(outcome.titles)
        totals["clean_titles"] += sum(not _ENTITY.search(t) for t in outcome.titles)
    if doc.executives:
        figures = executive_figures(doc, outcome)
        for name, value in zip(
            ("executives", "executives_found", "titled", "titled_found", "exec_speakers",
             "exec_speakers_listed"),
            figures,
            strict=True,
        ):  # fmt: skip
            totals[name] += value


def _overall(totals: Counter[str], by_type: Mapping[str, TypeCounts]) -> dict[str, float | None]:
    real = {k: v for k, v in by_type.items() if v.labels}
    labelled = sum(v.labels for v in real.values())
    found = sum(v.found for v in real.values())
    tech = by_type.get("tech_stack", TypeCounts())
    signals = sum(v.signals for v in by_type.values())
    distractors = totals["distractors"]
    return {
        "ingest_rate": _rate(totals["ingested"], totals["documents"]),
        "kind_rate": _rate(totals["kind_ok"], totals["documents"]),
        "signal_recall": _rate(found, labelled),
        "signal_recall_ex_tech_stack": _rate(found - tech.found, labelled - tech.labels),
        "distractor_free": 1 - totals["distractor_hits"] / distractors if distractors else None,
        "on_label_rate": _rate(sum(v.on_label for v in by_type.values()), signals),
        "key_fact_recall": _rate(totals["facts_covered"], totals["facts"]),
        "key_fact_in_layer": _rate(totals["facts_in_layer"], totals["facts"]),
        "executive_recall": _rate(totals["executives_found"], totals["executives"]),
        "executive_titles": _rate(totals["titled_found"], totals["titled"]),
        "executive_precision": _rate(totals["exec_speakers_listed"], totals["exec_speakers"]),
        "date_rate": _rate(totals["dates_ok"], totals["dated_docs"]),
        "clean_title_rate": _rate(totals["clean_titles"], totals["titles"]),
        "brief_rate": _rate(totals["briefed"], totals["ingested"]),
        "proof_point_rate": _rate(totals["messages_proof_worthy"], totals["messages_proved"]),
    }
