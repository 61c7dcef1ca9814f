"""The model writes the brief as structured output; dossier checks every word of it.

The model is shown the best candidate sentences of each layer, fenced as untrusted data, and
answers with a `BriefDraft` through tool calling. Every quote must occur in its source's stored
text; no quote, claim or message may repeat text that addresses a model ("ignore previous
instructions…"); no customer-facing message may carry internal figures. A draft that fails
gets one repair round with the errors sent back (the "reask" pattern, driven by tenacity);
what still fails after it is dropped, and the drops are counted in the brief's metadata.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from agent.deps import Deps
from agent.llm.fence import fence
from agent.llm.model import LlmError, Usage, invoke, tool_calling
from agent.schemas import (
    Claim,
    Evidence,
    LayerName,
    Persona,
    Signal,
    Source,
    Stakeholder,
    ValueMessage,
)
from agent.synthesize.evidence import Candidate
from agent.synthesize.messages import load_personas
from agent.synthesize.salience import proof_worthy
from agent.validate import clip, fold, instruction_like, leak_errors, quote_found
from knowledge.retrieve import LayerSpec
from prompts import load_prompt

#: Repair rounds after the first answer (the issue asks for exactly one).
REPAIR_ROUNDS = 1
#: Consecutive words a text may share with a planted instruction before it counts as repeating it.
PLANTED_SHINGLE = 5
_WORD = re.compile(r"\w+")
#: Signals and stakeholders listed for orientation (most severe and most relevant first).
MAX_SIGNALS = 8
MAX_STAKEHOLDERS = 10


def _no_description(schema: dict[str, Any]) -> None:
    schema.pop("description", None)


class _Compact(BaseModel):
    """Sent to the model as a tool schema: docstrings stay out of it (the prompt explains)."""

    model_config = ConfigDict(json_schema_extra=_no_description)


class DraftEvidence(_Compact):
    """A quote copied from one source."""

    source_id: str
    quote: str

    def checked(self) -> Evidence:
        """As the brief's evidence item."""
        return Evidence(source_id=self.source_id, quote=self.quote)


class DraftClaim(_Compact):
    """One statement about the client and the quotes that prove it."""

    text: str
    evidence: list[DraftEvidence] = Field(min_length=1)

    def checked(self) -> Claim:
        """As the brief's claim."""
        return Claim(text=self.text, evidence=[e.checked() for e in self.evidence])


class DraftLayer(_Compact):
    """One layer as the model writes it."""

    name: LayerName
    summary: str
    claims: list[DraftClaim] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)


class DraftMessage(_Compact):
    """A value message for one kind of stakeholder, proved by the client's own words."""

    persona: Persona
    message: str
    proof_points: list[DraftEvidence] = Field(min_length=1)

    def checked(self) -> ValueMessage:
        """As the brief's value message."""
        return ValueMessage(
            persona=self.persona,
            message=self.message,
            proof_points=[e.checked() for e in self.proof_points],
        )


class BriefDraft(_Compact):
    """The part of a brief the model writes; dossier adds signals, triage, stakeholders and
    the source list, which come from deterministic checks. A layer left out is empty."""

    headline: str
    focus_layer: LayerName
    focus_reason: str
    layers: list[DraftLayer]
    messages: list[DraftMessage] = Field(default_factory=list)

    def layer(self, name: LayerName) -> DraftLayer:
        """The draft layer of that name (the first, if the model wrote it twice)."""
        for layer in self.layers:
            if layer.name is name:
                return layer
        empty = DraftLayer(name=name, summary="")
        self.layers.append(empty)
        return empty


TOOL_NAME = BriefDraft.__name__


@dataclass
class WriterInput:
    """What the writer is shown: the request, the passages per layer and the account facts."""

    account_name: str
    purpose: str
    today: str
    personas: Sequence[Persona]
    passages: Mapping[LayerName, Sequence[Candidate]]
    specs: Mapping[LayerName, LayerSpec]
    signals: Sequence[Signal]
    stakeholders: Sequence[Stakeholder]
    sources: Mapping[str, Source]
    internal_terms: Sequence[str]


@dataclass
class Written:
    """The checked draft and what checking it cost."""

    draft: BriefDraft
    repair_rounds: int = 0
    first_errors: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    withheld: list[str] = field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        """What a brief's metadata records about validation."""
        return {
            "repair_rounds": self.repair_rounds,
            "validation_errors": self.first_errors[:20],
            "dropped": self.dropped,
            "withheld_text": self.withheld,
        }


class _Rejected(Exception):
    """One answer failed validation (carried to tenacity, which decides on a repair)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def prompt_hashes() -> dict[str, str]:
    """The hash of every prompt the LLM path uses, for the brief's metadata."""
    names = ("research", "brief_system", "brief_context", "repair")
    return {name: load_prompt(name).sha256 for name in names}


def write(deps: Deps, given: WriterInput, usage: Usage) -> Written:
    """Ask for a draft, repair it once if it fails, then drop whatever still fails."""
    assert deps.chat is not None
    settings = deps.settings
    chat = deps.chat
    structured = tool_calling(
        lambda: chat.with_structured_output(
            BriefDraft, method="function_calling", include_raw=True
        ),
        settings,
    )
    conversation: list[BaseMessage] = [
        SystemMessage(load_prompt("brief_system").fill(tool=TOOL_NAME)),
        HumanMessage(_context(given)),
    ]
    planted = planted_shingles(given.sources.values())
    state: dict[str, Any] = {"draft": None, "errors": [], "rounds": 0, "first": None}

    def attempt() -> None:
        answer = invoke(lambda: structured.invoke(conversation), settings)
        result: Mapping[str, Any] = answer if isinstance(answer, Mapping) else {"parsed": answer}
        raw = result.get("raw")
        if isinstance(raw, BaseMessage):
            usage.add(raw, "repair" if state["rounds"] else "write")
            conversation.append(raw)
        parsed = result.get("parsed")
        errors = _parse_errors(result) if not isinstance(parsed, BriefDraft) else []
        if isinstance(parsed, BriefDraft):
            state["draft"] = parsed
            errors = draft_errors(parsed, given, planted)
        if state["first"] is None:
            state["first"] = errors
        if errors:
            state["errors"] = errors
            raise _Rejected(errors)

    def ask_repair(retry: RetryCallState) -> None:
        state["rounds"] += 1
        conversation.extend(_repair_messages(conversation[-1], state["errors"]))

    retrying = Retrying(
        stop=stop_after_attempt(1 + REPAIR_ROUNDS) | _budget_spent(usage),
        retry=retry_if_exception_type(_Rejected),
        before_sleep=ask_repair,
        reraise=True,
    )
    with contextlib.suppress(_Rejected):  # what still fails after the repair is dropped below
        retrying(attempt)
    draft: BriefDraft | None = state["draft"]
    if draft is None:
        raise LlmError(
            "the model's brief could not be read after a repair round: "
            + "; ".join(state["errors"][:3])
        )
    written = Written(draft=draft, repair_rounds=state["rounds"], first_errors=state["first"])
    return drop_failing(written, given, planted)


def _budget_spent(usage: Usage) -> Any:
    def stop(retry: RetryCallState) -> bool:
        return usage.left == 0

    return stop


def draft_errors(
    draft: BriefDraft, given: WriterInput, planted: frozenset[tuple[str, ...]]
) -> list[str]:
    """Every problem of a draft, one line each, named by its path in the brief."""
    errors: list[str] = []
    for name in LayerName:
        for i, claim in enumerate(draft.layer(name).claims):
            path = f"layers.{name.value}.claims[{i}]"
            errors += _evidence_errors(path, claim.evidence, given.sources)
            errors += _text_errors(path, claim.text, planted)
    for i, msg in enumerate(draft.messages):
        path = f"messages[{i}] ({msg.persona.value})"
        errors += _evidence_errors(path, msg.proof_points, given.sources)
        errors += _proof_errors(path, msg.proof_points)
        errors += _text_errors(path, msg.message, planted)
    errors += leak_errors([m.checked() for m in draft.messages], given.internal_terms)
    for path, text in _free_text(draft):
        errors += _text_errors(path, text, planted)
    return errors


def drop_failing(
    written: Written, given: WriterInput, planted: frozenset[tuple[str, ...]]
) -> Written:
    """The draft without the claims, messages and texts that still fail, and the counts."""
    draft = written.draft.model_copy(deep=True)
    dropped = {"claims": 0, "messages": 0}
    for name in LayerName:
        layer = draft.layer(name)
        kept = [
            c
            for c in layer.claims
            if not _evidence_errors("", c.evidence, given.sources)
            and not _text_errors("", c.text, planted)
        ]
        dropped["claims"] += len(layer.claims) - len(kept)
        layer.claims = kept
        layer.gaps = [g for g in layer.gaps if not _text_errors("", g, planted)]
    kept_messages = []
    for msg in draft.messages:
        bad = _evidence_errors("", msg.proof_points, given.sources)
        bad += _proof_errors("", msg.proof_points)
        bad += _text_errors("", msg.message, planted)
        bad += leak_errors([msg.checked()], given.internal_terms)
        if bad or msg.persona not in given.personas:
            dropped["messages"] += 1
        else:
            kept_messages.append(msg)
    draft.messages = kept_messages
    for path, text in _free_text(draft):
        if _text_errors(path, text, planted):
            written.withheld.append(path)
    written.draft = draft
    written.dropped = dropped
    return written


def planted_shingles(sources: Iterable[Source]) -> frozenset[tuple[str, ...]]:
    """Every run of PLANTED_SHINGLE words in a sentence that addresses a model."""
    found: set[tuple[str, ...]] = set()
    for source in sources:
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", source.text):
            if instruction_like(sentence):
                found |= _shingles(sentence)
    return frozenset(found)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(fold(text))
    return {tuple(words[i : i + PLANTED_SHINGLE]) for i in range(len(words) - PLANTED_SHINGLE + 1)}


def _evidence_errors(
    path: str, evidence: Sequence[DraftEvidence], sources: Mapping[str, Source]
) -> list[str]:
    errors = []
    for j, item in enumerate(evidence):
        where = f"{path}.evidence[{j}]"
        source = sources.get(item.source_id)
        if source is None:
            errors.append(f"{where} cites unknown source {item.source_id!r}")
        elif not quote_found(item.quote, source.text):
            errors.append(
                f"{where} quote {clip(item.quote, 80)!r} is not in source {item.source_id!r}"
            )
        elif instruction_like(item.quote):
            errors.append(f"{where} quotes an instruction planted in source {item.source_id!r}")
    return errors


def _proof_errors(path: str, proofs: Sequence[DraftEvidence]) -> list[str]:
    """A proof point must be the client stating a priority, result or plan."""
    return [
        f"{path}.proof_points[{j}] is not the client stating a priority, result or plan: "
        f"{clip(p.quote, 80)!r}"
        for j, p in enumerate(proofs)
        if not proof_worthy(p.quote)
    ]


def _text_errors(path: str, text: str, planted: frozenset[tuple[str, ...]]) -> list[str]:
    if instruction_like(text) or (planted and _shingles(text) & planted):
        return [f"{path} repeats or follows an instruction found inside a source"]
    return []


def _free_text(draft: BriefDraft) -> list[tuple[str, str]]:
    """The texts no quote backs: headline, focus reason, layer summaries."""
    texts = [("headline", draft.headline), ("focus_reason", draft.focus_reason)]
    texts += [(f"layers.{n.value}.summary", draft.layer(n).summary) for n in LayerName]
    return texts


def _parse_errors(result: Mapping[str, Any]) -> list[str]:
    """Why an answer could not be read as a BriefDraft, in words the model can act on."""
    error = result.get("parsing_error")
    if isinstance(error, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:10]]
    if error is not None:
        return [" ".join(str(error).split())[:400]]
    raw = result.get("raw")
    invalid = getattr(raw, "invalid_tool_calls", None) or []
    if invalid:
        return [
            f"the {TOOL_NAME} arguments are not valid JSON: "
            + clip(str(invalid[0].get("args")), 120)
        ]
    return [f"no {TOOL_NAME} tool call in the answer"]


def _repair_messages(last: BaseMessage, errors: Sequence[str]) -> list[BaseMessage]:
    """The errors sent back: as the result of each tool call the answer made (the chat API
    wants one per call), or as a user turn when the answer made none."""
    text = load_prompt("repair").fill(tool=TOOL_NAME, errors="\n".join(f"- {e}" for e in errors))
    ids = []
    if isinstance(last, AIMessage):
        ids = [c.get("id") for c in [*last.tool_calls, *last.invalid_tool_calls] if c.get("id")]
    if not ids:
        return [HumanMessage(text)]
    return [ToolMessage(content=text, tool_call_id=str(i)) for i in ids]


def _context(given: WriterInput) -> str:
    layers = "\n".join(f"- {n.value}: {given.specs[n].description}" for n in LayerName)
    signals = (
        "\n".join(
            f"- {s.severity} {s.type.value}: {s.summary}" for s in given.signals[:MAX_SIGNALS]
        )
        or "- none"
    )
    people = (
        "\n".join(
            f"- {p.name}" + "".join(f", {x}" for x in (p.title, p.role, p.status) if x)
            for p in given.stakeholders[:MAX_STAKEHOLDERS]
        )
        or "- none known"
    )
    blocks = []
    for name in LayerName:
        blocks.append(f"### Passages retrieved for the {name.value} layer")
        blocks += [_passage(c) for c in given.passages.get(name, [])] or ["(none)"]
    return load_prompt("brief_context").fill(
        account=given.account_name,
        request=given.purpose,
        today=given.today,
        signals=signals,
        stakeholders=people,
        personas=_persona_lines(given.personas),
        layers=layers,
        sources="\n".join(blocks),
    )


def _persona_lines(personas: Sequence[Persona]) -> str:
    specs = load_personas()
    return (
        "\n".join(
            f"- {p.value}: {specs[p].cares_about} ({', '.join(specs[p].language)})"
            for p in personas
        )
        or "- none"
    )


def _passage(candidate: Candidate) -> str:
    source = candidate.source
    return fence(
        candidate.text,
        id=source.id,
        date=source.published_at,
        speaker=candidate.speaker,
        internal="true" if source.internal else None,
    )
