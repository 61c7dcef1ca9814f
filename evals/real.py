"""The real-document eval: every document of a realdocs folder through the real pipeline,
judged by the rules of that folder's README (evals/real_metrics.py scores; the floors of
evals/baseline_real.json gate).

realdocs/<folder>/manifest.jsonl ─► one workspace per document (the account with its name,
aliases, ticker and domain) ─► ingest as of `as_of` noon UTC (kind inferred) ─► signals and
brief as of then ─► DocOutcome ─► labels.jsonl / key_facts.jsonl matched ─► RealReport

The documents belong to their publishers: they are read from where they lie, never copied.
Documents run in worker processes (each loads its own embedding model), `jobs` at a time.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.assess import assess
from agent.book import upsert_accounts
from agent.deps import Deps
from agent.errors import DossierError, ParseError
from agent.pipeline import brief, ingest
from agent.schemas import Account, BriefRequest, LayerName, Persona, SourceKind
from agent.validate import grounding_errors
from evals.metrics import proof_points
from evals.run import eval_settings

#: Floors of the real-document eval, apart from the fixed cases' floors.
REAL_BASELINE_FILE = Path(__file__).parent / "baseline_real.json"
#: The manifest's `press_release` is a news Source marked with its genre.
KIND_OF = {"press_release": SourceKind.news.value}


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Executive(_Lenient):
    """An executive a transcript's manifest line lists, with the title as the call states it."""

    name: str
    title: str = ""
    aliases: list[str] = Field(default_factory=list)


class RealDoc(_Lenient):
    """One manifest line: the document, its account, the day it is read as of, its kind."""

    doc: str
    account: str
    aliases: list[str] = Field(default_factory=list)
    ticker: str | None = None
    domain: str | None = None
    as_of: date
    kind: str
    published: date | None = None
    executives: list[Executive] = Field(default_factory=list)

    @property
    def folder(self) -> str:
        """The realdocs folder the document is in (transcripts, news, ...)."""
        return self.doc.split("/", 1)[0]

    @property
    def source_kind(self) -> str:
        """The SourceKind the document must be stored as."""
        return KIND_OF.get(self.kind, self.kind)

    def clock(self) -> datetime:
        """Noon UTC of `as_of`, the moment the README reads each document at."""
        return datetime.combine(self.as_of, clock_time(12), tzinfo=UTC)


class Label(_Lenient):
    """A hand label: a signal of `type` (or `none`, a distractor) quoted from the document."""

    id: str
    doc: str
    type: str
    quote: str
    entity: str | None = None
    note: str = ""


class KeyFact(_Lenient):
    """A fact a CSM must have before the call, with its layer, quote and keywords."""

    doc: str
    layer: LayerName
    fact: str
    quote: str
    keywords: list[str] = Field(default_factory=list)


@dataclass
class Corpus:
    """Every document of a realdocs folder with its labels and key facts."""

    root: Path
    docs: list[RealDoc]
    labels: list[Label]
    facts: list[KeyFact]


@dataclass
class DocOutcome:
    """What the pipeline made of one document: plain data, so it crosses process boundaries."""

    doc: str
    kinds: list[str] = field(default_factory=list)
    sources: int = 0
    error: str | None = None
    warnings: int = 0
    published: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    #: (speaker, title, role) of every transcript turn.
    speakers: list[tuple[str, str, str]] = field(default_factory=list)
    #: (type, evidence quotes) of every external signal.
    signals: list[tuple[str, list[str]]] = field(default_factory=list)
    #: (layer, claim text, evidence quotes) of every claim of the brief.
    claims: list[tuple[str, str, list[str]]] = field(default_factory=list)
    brief_error: str | None = None
    seconds: float = 0.0
    #: The brief's mode (`extractive` or `llm:<model>`) and, in LLM mode, what the model cost
    #: and what checking its draft found (LLM_FIELDS of the brief's metadata).
    mode: str = ""
    llm: dict[str, Any] = field(default_factory=dict)
    #: Value messages with proof points, and those whose every proof point states the client's
    #: priority, result or plan.
    messages_proved: int = 0
    messages_proof_worthy: int = 0
    #: Evidence quotes in the brief, and those found verbatim in their source's stored text.
    quotes: int = 0
    quotes_verified: int = 0


#: The brief metadata an LLM-mode outcome keeps: tokens, repairs, drops, support, fallback.
LLM_FIELDS = (
    "llm_calls",
    "prompt_tokens",
    "completion_tokens",
    "repair_rounds",
    "dropped",
    "unsupported",
    "passages_shown",
    "validation_errors",
    "llm_error",
    "model_signals",
)


def _jsonl(path: Path, model: type[_Lenient]) -> Iterator[Any]:
    """Each line of a JSON-lines file validated; a bad line is a ParseError naming it."""
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield model.model_validate(json.loads(line))
        except (ValueError, ValidationError) as exc:
            reason = " ".join(str(exc).split())[:200]
            raise ParseError(f"{path} line {number}: {reason}") from None


def load_corpus(root: Path) -> Corpus:
    """The documents, labels and key facts of every folder of `root` that has a manifest."""
    root = Path(root)
    folders = sorted(p.parent for p in root.glob("*/manifest.jsonl"))
    if not folders:
        raise ParseError(f"{root}: no */manifest.jsonl (not a realdocs folder)")
    docs: list[RealDoc] = []
    labels: list[Label] = []
    facts: list[KeyFact] = []
    for folder in folders:
        docs += _jsonl(folder / "manifest.jsonl", RealDoc)
        labels += _jsonl(folder / "labels.jsonl", Label)
        facts += _jsonl(folder / "key_facts.jsonl", KeyFact)
    return Corpus(root, docs, labels, facts)


def account_of(doc: RealDoc) -> Account:
    """The account a document is imported under: its name, aliases, ticker and domain."""
    slug = re.sub(r"[^a-z0-9]+", "-", doc.account.casefold()).strip("-") or "account"
    return Account(
        account_id=slug,
        name=doc.account,
        aliases=doc.aliases,
        ticker=doc.ticker,
        domain=doc.domain,
    )


def run_document(
    root: Path,
    doc: RealDoc,
    as_of: datetime | None = None,
    settings_overrides: Mapping[str, Any] | None = None,
) -> DocOutcome:
    """Ingest one document into a workspace of its own and read its signals and brief (in
    LLM mode when `settings_overrides` name a model, as `evals.run.llm_settings` gives)."""
    started = time.perf_counter()
    outcome = DocOutcome(doc.doc)
    moment = as_of or doc.clock()
    account = account_of(doc)
    with tempfile.TemporaryDirectory(prefix="dossier-real-") as tmp:
        settings = eval_settings(Path(tmp) / "home", settings_overrides)
        upsert_accounts(settings, [account])
        deps = Deps.build(settings, clock=lambda: moment, offline=True)
        with deps.http:
            report = ingest(deps, account, [root / doc.doc])
        outcome.warnings = len(report.warnings)
        if report.errors:
            outcome.error = report.errors[0]
        stored = deps.store.sources(account.account_id)
        outcome.sources = len(stored)
        outcome.kinds = sorted({s.kind.value for s in stored})
        outcome.published = sorted(
            {s.published_at.date().isoformat() for s in stored if s.published_at}
        )
        outcome.titles = sorted({s.title for s in stored})[:50]
        outcome.speakers = _speakers(stored)
        if stored:
            _read(deps, account, moment, outcome)
    outcome.seconds = round(time.perf_counter() - started, 2)
    return outcome


def _speakers(stored: list[Any]) -> list[tuple[str, str, str]]:
    seen: dict[tuple[str, str, str], None] = {}
    for source in stored:
        for turn in source.metadata.get("turns") or []:
            key = (str(turn.get("speaker") or ""), str(turn.get("title") or ""), turn.get("role"))
            seen[(key[0], key[1], str(key[2]))] = None
    return list(seen)


def _read(deps: Deps, account: Account, moment: datetime, outcome: DocOutcome) -> None:
    """The document's external signals and brief, as of `moment`."""
    sources = deps.store.sources(account.account_id, moment)
    try:
        assessment = assess(deps, account, sources, moment)
    except DossierError as exc:
        outcome.brief_error = " ".join(str(exc).split())
        return
    outcome.signals = [
        (s.type.value, [e.quote for e in s.evidence]) for s in assessment.signals if s.evidence
    ]
    request = BriefRequest(
        account_id=account.account_id,
        personas=list(Persona),
        as_of=moment,
        research=False,  # the document is the evidence; an LLM-mode brief fetches nothing more
    )
    try:
        briefing = brief(deps, account, request)
    except DossierError as exc:
        outcome.brief_error = " ".join(str(exc).split())
        return
    # the brief's signals: in LLM mode, the rules' and the model's that passed their checks
    outcome.signals = [
        (s.type.value, [e.quote for e in s.evidence]) for s in briefing.signals if s.evidence
    ]
    outcome.claims = [
        (layer.value, claim.text, [e.quote for e in claim.evidence])
        for layer, content in briefing.layers.items()
        for claim in content.claims
    ]
    outcome.mode = briefing.mode
    outcome.messages_proof_worthy, outcome.messages_proved = proof_points(briefing)
    # the brief cites the sources read above; validate's grounding check, run once more
    outcome.quotes = len(briefing.all_evidence())
    outcome.quotes_verified = outcome.quotes - len(
        grounding_errors(briefing, {s.id: s.text for s in sources})
    )
    outcome.llm = {k: briefing.metadata[k] for k in LLM_FIELDS if k in briefing.metadata}


def _guarded(
    root: Path,
    doc: RealDoc,
    as_of: datetime | None,
    settings_overrides: Mapping[str, Any] | None = None,
) -> DocOutcome:
    """run_document, with anything unexpected recorded as the document's error."""
    # skipped records are counted in the outcome; logged one by one they would drown the table
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        return run_document(root, doc, as_of, settings_overrides)
    except Exception as exc:  # one document never ends the eval
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return DocOutcome(doc.doc, error=f"{type(exc).__name__}: {reason}"[:300])
    finally:
        logging.disable(previous)


def llm_summary(outcomes: Sequence[DocOutcome]) -> dict[str, Any]:
    """What an LLM run of the real documents cost and what its checks found: briefs the model
    wrote and those that fell back to extractive, tokens and seconds per brief, drops."""
    briefed = [o for o in outcomes if o.mode]
    by_model = [o for o in briefed if o.mode.startswith("llm")]
    n = max(len(by_model), 1)

    def total(name: str) -> float:
        values = [o.llm.get(name) for o in by_model]
        return float(sum(v if isinstance(v, int | float) else len(v or {}) for v in values))

    return {
        "briefs": len(briefed),
        "written_by_model": len(by_model),
        "fell_back": len(briefed) - len(by_model),
        "prompt_tokens_per_brief": round(total("prompt_tokens") / n),
        "completion_tokens_per_brief": round(total("completion_tokens") / n),
        "seconds_per_brief": round(sum(o.seconds for o in by_model) / n, 1),
        "repair_rounds": total("repair_rounds"),
        "unsupported": total("unsupported"),
        # events the model pointed out, and those that passed the rules' checks and were new
        "model_signals_offered": sum(
            o.llm.get("model_signals", {}).get("offered", 0) for o in by_model
        ),
        "model_signals_kept": sum(o.llm.get("model_signals", {}).get("kept", 0) for o in by_model),
        # every quote of the model's briefs, checked again against the stored sources
        "quotes_verified": f"{sum(o.quotes_verified for o in by_model)}"
        f"/{sum(o.quotes for o in by_model)}",
    }


def run_corpus(
    corpus: Corpus,
    *,
    jobs: int = 2,
    as_of: datetime | None = None,
    only: str | None = None,
    on_doc: Callable[[DocOutcome], None] | None = None,
    settings_overrides: Mapping[str, Any] | None = None,
) -> list[DocOutcome]:
    """Every document (or those whose path contains `only`), `jobs` worker processes at once,
    in manifest order; `settings_overrides` (a model, from `evals.run.llm_settings`) apply
    to every document's workspace."""
    docs = [d for d in corpus.docs if only is None or only in d.doc]
    if jobs <= 1:
        outcomes = []
        for doc in docs:
            outcomes.append(_guarded(corpus.root, doc, as_of, settings_overrides))
            if on_doc:
                on_doc(outcomes[-1])
        return outcomes
    done: dict[str, DocOutcome] = {}
    # spawn: a forked child would inherit the parent's threads and onnxruntime state
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures: dict[Future[DocOutcome], RealDoc] = {
            pool.submit(_guarded, corpus.root, d, as_of, settings_overrides): d for d in docs
        }
        for future in as_completed(futures):
            outcome = future.result()
            done[outcome.doc] = outcome
            if on_doc:
                on_doc(outcome)
    return [done[d.doc] for d in docs]
