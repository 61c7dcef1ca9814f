"""The eval harness: each case of evals/cases/ through the real pipeline in a throwaway
workspace with a fixed clock, scored by evals/metrics.py and gated by evals/baseline.json.

case dir ─► load_case ─► workspace (book, CRM, ingest) ─► brief (timed) ─► metrics ─► report
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from agent.book import upsert_accounts
from agent.config import Settings, load_settings
from agent.crm import CRM_KINDS, Contact, CrmKind, CrmRecord, Meeting, Ticket, UsagePoint, save_crm
from agent.deps import Deps
from agent.errors import BriefingInvalid, ConfigError, DossierError, ParseError
from agent.pipeline import brief, ingest
from agent.schemas import Account, Briefing, BriefRequest, LayerName, Persona, SourceKind
from agent.synthesize.messages import load_personas
from agent.validate import internal_terms
from evals import metrics
from evals.metrics import ExpectedSignal, SignalCounts
from knowledge.yaml_text import load_yaml

CASES_DIR = Path(__file__).parent / "cases"
BASELINE_FILE = Path(__file__).parent / "baseline.json"
#: Floors of the LLM path run through the scripted model server.
LLM_BASELINE_FILE = Path(__file__).parent / "baseline_llm.json"
#: The model name sent to the scripted server (it answers the same whatever the name).
SCRIPTED_MODEL = "openai:gpt-4o-mini"
#: Every third brief's first draft carries a fabricated quote, so the repair round is scored.
SCRIPTED_FAULT_EVERY = 3
LlmPath = Literal["none", "scripted", "env", "local"]
_CRM_MODELS: dict[CrmKind, type[CrmRecord]] = {
    "contacts": Contact,
    "usage": UsagePoint,
    "tickets": Ticket,
    "meetings": Meeting,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseAccount(_Strict):
    """account.yaml: the account, the clock and the CSM's own data."""

    description: str = ""
    as_of: datetime
    account: Account
    kinds: dict[str, SourceKind] = Field(default_factory=dict)
    personas: list[Persona] = Field(default_factory=lambda: list(Persona))
    crm: dict[CrmKind, list[dict[str, Any]]] = Field(default_factory=dict)

    @field_validator("as_of")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class PersonaExpectation(_Strict):
    """What one persona's message must cite."""

    cites: str


class Expected(_Strict):
    """expected.yaml: every key optional; a missing key is not scored."""

    signals: list[ExpectedSignal] | None = None
    signals_complete: bool = False
    facts: dict[LayerName, list[str]] | None = None
    forbidden: list[str] | None = None
    unknown_layers: list[LayerName] | None = None
    personas: dict[Persona, PersonaExpectation] | None = None

    @field_validator("signals", mode="before")
    @classmethod
    def _signal_lines(cls, value: Any) -> Any:
        """`- type` or `- type: entity` lines, as {type, entity}."""
        if not isinstance(value, list):
            return value
        parsed: list[Any] = []
        for line in value:
            if isinstance(line, dict) and len(line) == 1:
                ((kind, entity),) = line.items()
                line = {"type": kind, "entity": None if entity is None else str(entity)}
            parsed.append({"type": line} if isinstance(line, str) else line)
        return parsed

    @model_validator(mode="after")
    def _regexes_compile(self) -> Expected:
        patterns = [*(self.forbidden or []), *(c.cites for c in (self.personas or {}).values())]
        patterns += [fact for facts in (self.facts or {}).values() for fact in facts]
        for pattern in patterns:
            if metrics.is_regex(pattern):
                try:
                    re.compile(pattern[1:-1])
                except re.error as exc:
                    raise ValueError(f"bad regex {pattern!r}: {exc}") from None
        return self


@dataclass
class Case:
    """One eval case, validated."""

    case_id: str
    path: Path
    spec: CaseAccount
    expected: Expected
    crm: dict[CrmKind, list[CrmRecord]]
    sources: list[Path]


@dataclass
class CaseResult:
    """The scores of one case; `error` says why the brief failed, if it did."""

    case_id: str
    description: str
    metrics: dict[str, float | None]
    signals_by_type: dict[str, dict[str, float | None]] = field(default_factory=dict)
    facts_by_layer: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    signal_counts: SignalCounts | None = None
    signal_counts_by_type: dict[str, SignalCounts] = field(default_factory=dict)


@dataclass
class EvalReport:
    """Every case's result and the overall scores."""

    cases: list[CaseResult]
    overall: dict[str, float | None]
    signals_by_type: dict[str, dict[str, float | None]]
    facts_by_layer: dict[str, float]

    def to_dict(self, floors: Mapping[str, float], failures: list[str]) -> dict[str, Any]:
        """The JSON document of `dossier eval --format json`."""
        cases = []
        for case in self.cases:
            row = asdict(case)
            row.pop("signal_counts")
            row.pop("signal_counts_by_type")
            cases.append(row)
        overall = {
            **self.overall,
            "signals_by_type": self.signals_by_type,
            "facts_by_layer": self.facts_by_layer,
        }
        return {"cases": cases, "overall": overall, "floors": dict(floors), "failures": failures}


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise ParseError(f"{path}: not YAML ({' '.join(str(exc).split())})") from None


def _invalid(path: Path, exc: ValidationError, prefix: str = "") -> ParseError:
    first = exc.errors()[0]
    where = prefix + ".".join(str(p) for p in first["loc"]) or "top level"
    return ParseError(f"{path}: {where}: {first['msg']}")


def load_case(path: Path) -> Case:
    """Read and validate one case directory; a malformed case is a ParseError naming the file."""
    path = Path(path)
    account_file, expected_file = path / "account.yaml", path / "expected.yaml"
    if not account_file.is_file():
        raise ParseError(f"{account_file}: missing (every case needs an account.yaml)")
    try:
        spec = CaseAccount.model_validate(_read_yaml(account_file) or {})
    except ValidationError as exc:
        raise _invalid(account_file, exc) from None
    raw_expected = _read_yaml(expected_file) if expected_file.is_file() else {}
    try:
        expected = Expected.model_validate(raw_expected or {})
    except ValidationError as exc:
        raise _invalid(expected_file, exc) from None
    crm: dict[CrmKind, list[CrmRecord]] = {}
    for kind, rows in spec.crm.items():
        crm[kind] = []
        for i, row in enumerate(rows):
            try:
                record = {**row, "account_id": spec.account.account_id}
                crm[kind].append(_CRM_MODELS[kind].model_validate(record))
            except ValidationError as exc:
                raise _invalid(account_file, exc, f"crm.{kind}.{i}.") from None
    sources_dir = path / "sources"
    sources = sorted(
        p for p in sources_dir.rglob("*") if p.is_file() and not p.name.startswith(".")
    )
    unknown = set(spec.kinds) - {p.relative_to(sources_dir).as_posix() for p in sources}
    if unknown:
        raise ParseError(f"{account_file}: kinds names files not in sources/: {sorted(unknown)}")
    return Case(path.name, path, spec, expected, crm, sources)


def case_dirs(directory: Path) -> list[Path]:
    """Every case directory under `directory`, sorted by name."""
    if not Path(directory).is_dir():
        raise ParseError(f"{directory}: no such cases directory")
    return sorted(
        p for p in Path(directory).iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )


def eval_settings(home: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Settings at their coded defaults for `home`: no DOSSIER_* variable leaks into a case."""
    defaults = {n: f.get_default() for n, f in Settings.model_fields.items() if n != "home"}
    return load_settings(home, **{**defaults, **(overrides or {})})


def run_case(
    case: Case,
    settings_overrides: Mapping[str, Any] | None = None,
    as_of: datetime | None = None,
) -> CaseResult:
    """Build the case's workspace, brief it at its clock (or `as_of`), and score the brief."""
    spec, account = case.spec, case.spec.account
    if as_of is not None:
        spec = spec.model_copy(update={"as_of": as_of})
    with tempfile.TemporaryDirectory(prefix=f"dossier-eval-{case.case_id}-") as tmp:
        settings = eval_settings(Path(tmp) / "home", settings_overrides)
        upsert_accounts(settings, [account])
        for crm_kind in CRM_KINDS:
            if crm_kind in case.crm:
                save_crm(settings, crm_kind, case.crm[crm_kind])
        deps = Deps.build(settings, clock=lambda: spec.as_of, offline=True)
        warnings: list[str] = []
        sources_dir = case.path / "sources"
        with deps.http:
            for path in case.sources:
                kind = spec.kinds.get(path.relative_to(sources_dir).as_posix())
                report = ingest(deps, account, [path], kind)
                warnings += report.errors + report.warnings
        stored = deps.store.sources(account.account_id)
        request = BriefRequest(
            account_id=account.account_id, personas=spec.personas, as_of=spec.as_of
        )
        error: str | None = None
        started = time.perf_counter()
        try:
            briefing: Briefing | None = brief(deps, account, request)
        except BriefingInvalid as exc:
            error = " ".join(str(exc).split())
            draft = exc.last_output
            briefing = draft if isinstance(draft, Briefing) else None
        except DossierError as exc:
            error, briefing = " ".join(str(exc).split()), None
        latency_ms = (time.perf_counter() - started) * 1000
        terms = internal_terms(account, stored)
        texts = {s.id: s.text for s in stored}
    result = score(case, briefing, texts, terms)
    result.metrics["schema_validity"] = 0.0 if error else 1.0
    result.metrics["latency_ms"] = round(latency_ms, 1)
    result.error, result.warnings = error, warnings
    return result


def persona_language() -> dict[Persona, list[str]]:
    """Each persona's value-language terms and its opener (knowledge/personas.yaml)."""
    return {p: [*spec.language, spec.opener] for p, spec in load_personas().items()}


def score(
    case: Case, briefing: Briefing | None, source_texts: Mapping[str, str], terms: list[str]
) -> CaseResult:
    """Every metric of one case; without a briefing only schema_validity is scored."""
    result = CaseResult(case.case_id, case.spec.description, dict.fromkeys(metrics.GATED))
    result.metrics["tokens"] = None
    if briefing is None:
        return result
    want, m = case.expected, result.metrics
    m["grounding_rate"] = metrics.grounding_rate(briefing, source_texts)
    m["citation_validity"] = metrics.citation_validity(briefing, source_texts.keys())
    if want.signals is not None:
        found = metrics.signal_score(briefing.signals, want.signals, want.signals_complete)
        result.signal_counts = found.total
        m["signal_precision"] = found.total.precision
        m["signal_recall"] = found.total.recall
        m["signal_f1"] = found.total.f1
        result.signal_counts_by_type = found.by_type
        result.signals_by_type = {k: _prf(c) for k, c in sorted(found.by_type.items())}
    if want.facts is not None:
        m["fact_recall"], result.facts_by_layer = metrics.fact_recall(briefing, want.facts)
    m["abstention"] = metrics.abstention(briefing, want.unknown_layers or [])
    m["persona_distinctness"] = metrics.persona_distinctness(briefing, persona_language())
    cites = {p: e.cites for p, e in (want.personas or {}).items()}
    m["persona_fit"] = metrics.persona_fit(briefing, cites)
    m["proof_point_rate"] = metrics.proof_point_rate(briefing)
    m["claim_support"] = metrics.claim_support(briefing, case.spec.account.names())
    m["injection_resistance"] = metrics.injection_resistance(briefing, want.forbidden or [])
    m["internal_leak_free"] = metrics.internal_leak_free(briefing, terms)
    m["tokens"] = metrics.tokens(briefing)
    return result


def _prf(counts: SignalCounts) -> dict[str, float | None]:
    """Per-type scores; None where nothing of that type was detected, or expected."""
    precision = counts.precision if counts.detected else None
    recall = counts.recall if counts.expected else None
    f1 = counts.f1 if precision is not None and recall is not None else None
    return {"precision": precision, "recall": recall, "f1": f1}


@contextmanager
def llm_settings(path: LlmPath) -> Iterator[dict[str, Any]]:
    """Settings overrides that send the cases down the LLM path: `scripted` starts the local
    scripted model server (the echo model, with planted faults); `env` uses the model that
    DOSSIER_LLM and DOSSIER_LLM_BASE_URL name; `local` the local model server (`make
    llm-local` builds it; started here when built and not running); `none` is extractive."""
    if path == "none":
        yield {}
    elif path == "local":
        from agent.local_model.server import ensure_running, settings_for
        from agent.local_model.spec import DEFAULT_MODEL, MODELS, Layout, cache_root

        state = ensure_running(Layout(cache_root()), MODELS[DEFAULT_MODEL])
        # a retry of a call that took minutes on a small local model only doubles the wait
        yield {**settings_for(state), "llm_retries": 0}
    elif path == "env":
        configured = load_settings()
        if not configured.llm:
            raise ConfigError("--llm env needs DOSSIER_LLM set")
        yield {"llm": configured.llm, "llm_base_url": configured.llm_base_url}
    else:
        from evals.echo_model import EchoModel
        from evals.llm_server import ScriptedLLM

        with ScriptedLLM(responder=EchoModel(fault_every=SCRIPTED_FAULT_EVERY)) as server:
            yield {"llm": SCRIPTED_MODEL, "llm_base_url": server.base_url}


def run_cases(
    directory: Path = CASES_DIR,
    settings_overrides: Mapping[str, Any] | None = None,
    on_case: Callable[[str], None] | None = None,
    as_of: datetime | None = None,
) -> EvalReport:
    """Run every case under `directory` in name order (each at its own clock, or all at
    `as_of`); `on_case` hears each as it finishes."""
    cases = [load_case(p) for p in case_dirs(directory)]
    results = []
    for case in cases:
        results.append(run_case(case, settings_overrides, as_of))
        if on_case is not None:
            on_case(case.case_id)
    return summarize(results)


def summarize(results: list[CaseResult]) -> EvalReport:
    """Overall scores: the mean over cases that score a metric; signals micro-averaged."""
    overall: dict[str, float | None] = {
        name: metrics.mean(r.metrics.get(name) for r in results)
        for name in (*metrics.GATED, *metrics.REPORTED)
    }
    counted = [r.signal_counts for r in results if r.signal_counts is not None]
    by_type: dict[str, dict[str, float | None]] = {}
    if counted:
        total = sum(counted, SignalCounts())
        overall |= {"signal_precision": total.precision, "signal_recall": total.recall}
        overall["signal_f1"] = total.f1
        by_type = _micro_by_type(results)
    layers = sorted({layer for r in results for layer in r.facts_by_layer})
    facts = {
        layer: metrics.mean(r.facts_by_layer.get(layer) for r in results) or 0.0 for layer in layers
    }
    return EvalReport(results, overall, by_type, facts)


def _micro_by_type(results: list[CaseResult]) -> dict[str, dict[str, float | None]]:
    """Per signal type, precision / recall / F1 over the counts of every case."""
    sums: dict[str, SignalCounts] = {}
    for r in results:
        for kind, counts in r.signal_counts_by_type.items():
            sums[kind] = sums.get(kind, SignalCounts()) + counts
    return {k: _prf(v) for k, v in sorted(sums.items())}


def floor2(value: float) -> float:
    """Round down to two decimals (a floor never sits above what was measured)."""
    return math.floor(round(value * 100, 6)) / 100


def load_floors(path: Path = BASELINE_FILE) -> dict[str, float]:
    """The floors of evals/baseline.json; none when the file does not exist yet."""
    if not Path(path).is_file():
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in data["floors"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParseError(f"{path}: unreadable baseline ({exc.__class__.__name__})") from None


def below_floor(overall: Mapping[str, float | None], floors: Mapping[str, float]) -> list[str]:
    """One line per measured metric below its floor."""
    return [
        f"{name} {value:.3f} < {floor:.2f}"
        for name, floor in floors.items()
        if (value := overall.get(name)) is not None and value < floor
    ]


def new_floors(
    overall: Mapping[str, float | None],
    old: Mapping[str, float],
    gated: Sequence[str] = metrics.GATED,
) -> tuple[dict[str, float], list[str]]:
    """Floors at the measured overall scores (rounded down), and the floors that would drop."""
    floors = dict(old)
    lowered = []
    for name in gated:
        value = overall.get(name)
        if value is None:
            continue
        floors[name] = floor2(value)
        if name in old and floors[name] < old[name]:
            lowered.append(f"{name} {old[name]:.2f} -> {floors[name]:.2f}")
    return floors, lowered


def write_floors(
    path: Path,
    floors: Mapping[str, float],
    measured: str,
    today: date,
    gated: Sequence[str] = metrics.GATED,
) -> None:
    """Write a baseline file with a note of when and on what (`measured`) it was measured."""
    order = {name: i for i, name in enumerate(gated)}
    data = {
        "measured_on": f"{today.isoformat()}, {measured}",
        "floors": {k: floors[k] for k in sorted(floors, key=lambda n: order.get(n, len(order)))},
    }
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
