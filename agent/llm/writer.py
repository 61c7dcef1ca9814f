"""The model writes the brief as structured output; dossier checks every word of it.

The model is shown the best candidate sentences of each layer, fenced as untrusted data and
each under a short id, and answers with a `BriefDraft` (agent/llm/draft.py) whose claims and
proof points cite those ids; dossier inserts the verbatim quotes. A local OpenAI-compatible
server is asked for the draft as `json_schema` structured output (its grammar enforces the
schema and its bounds) or, with DOSSIER_LLM_STRUCTURED=grammar, as compact JSON through a
llama.cpp grammar of the schema (agent/llm/grammar.py); any other model through tool
calling. Checked: every id names a passage shown, every quote is in its source (the one
grounding check of validate), each claim says only what its quotes support
(agent/llm/support.py), nothing repeats text that addresses a model ("ignore previous
instructions…"), and no customer-facing message carries internal figures. A draft that fails
gets one repair round with the errors sent back (the "reask" pattern): a draft that cannot be
read is asked for again whole, a readable one only for its failing claims (`DraftFixes`); what
still fails after it is dropped and counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import Runnable
from pydantic import BaseModel, ValidationError

from agent.config import Settings
from agent.deps import Deps
from agent.llm.draft import (
    FIX_TOOL_NAME,
    FIXES,
    TOOL_NAME,
    BriefDraft,
    DraftClaim,
    DraftFix,
    DraftFixes,
    DraftMessage,
    Passages,
    json_in,
)
from agent.llm.fence import fence
from agent.llm.grammar import compact_grammar
from agent.llm.model import LlmError, Usage, invoke, tool_calling
from agent.llm.support import content_words, unsupported
from agent.schemas import Evidence, LayerName, Persona, Signal, Source, Stakeholder
from agent.synthesize.evidence import Candidate
from agent.synthesize.messages import load_personas
from agent.synthesize.salience import proof_worthy
from agent.validate import LeakCheck, clip, fold, instruction_like, quote_error
from knowledge.retrieve import LayerSpec
from prompts import load_prompt

#: Consecutive words a text may share with a planted instruction before it counts as repeating it.
PLANTED_SHINGLE = 5
_WORD = re.compile(r"\w+")
_M = TypeVar("_M", bound=BaseModel)
#: Characters per prompt token assumed when fitting a prompt to a model's context.
CHARS_PER_TOKEN = 3.0
#: Context tokens kept free for the draft, the repair request and the repaired draft (a
#: whole draft is bounded near 1,400 tokens by its schema).
ANSWER_RESERVE = 4_000
#: Completion tokens one brief may spend: a fix round asks for as many failing claims as the
#: draft left room for, at about TOKENS_PER_FIX each (a key, a sentence, an id or two).
COMPLETION_TOKENS = 1_000
TOKENS_PER_FIX = 60
#: Passages a fix request shows for each failing claim besides those it cited.
FIX_NEIGHBOURS = 3
#: Signals and stakeholders listed for orientation (most severe and most relevant first).
MAX_SIGNALS = 8
MAX_STAKEHOLDERS = 10


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
    """The checked draft, the passages its ids name, and what checking it cost."""

    draft: BriefDraft
    passages: Passages
    repair_rounds: int = 0
    first_errors: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    unsupported: int = 0
    withheld: list[str] = field(default_factory=list)
    repair_error: str | None = None
    #: Passages left out so the prompt fits the model's context.
    cut_to_fit: int = 0

    def metadata(self) -> dict[str, Any]:
        """What a brief's metadata records about validation."""
        return {
            "repair_rounds": self.repair_rounds,
            "validation_errors": self.first_errors[:20],
            "dropped": self.dropped,
            "unsupported": self.unsupported,
            "passages_shown": len(self.passages.by_id),
            "passages_cut_to_fit": self.cut_to_fit,
            "withheld_text": self.withheld,
            **({"repair_error": self.repair_error} if self.repair_error else {}),
        }


@dataclass
class _Checker:
    """The checks of one brief's drafts, over the passages shown and the sources."""

    given: WriterInput
    passages: Passages
    planted: frozenset[tuple[str, ...]]
    texts: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.texts = {sid: source.text for sid, source in self.given.sources.items()}

    def claim(self, path: str, claim: DraftClaim) -> tuple[list[str], list[str]]:
        """(grounding and instruction errors, support errors) of one claim."""
        errors = self.evidence(path, claim.evidence) + self.text(path, claim.text)
        if errors:
            return errors, []
        cited = self.passages.cited(claim.evidence)
        known = [self.given.account_name]
        known += [x for c in cited for x in (c.speaker, c.speaker_title) if x]
        reasons = unsupported(claim.text, [c.text for c in cited], known)
        return [], [f"{path} says more than its passages: {why}" for why in reasons]

    def message(self, index: int, msg: DraftMessage) -> list[str]:
        """Every problem of value message `index`."""
        path = f"messages[{index}] ({msg.persona.value})"
        errors = self.evidence(path, msg.proof_points) + self.text(path, msg.message)
        if errors:
            return errors
        proofs = self.passages.evidence(msg.proof_points)
        errors += [
            f"{path}.proof_points[{j}] is not the client stating a priority, result or plan: "
            f"{clip(p.quote, 80)!r}"
            for j, p in enumerate(proofs)
            if not proof_worthy(p.quote)
        ]
        errors += LeakCheck(self.given.internal_terms).errors(index, self.passages.message(msg))
        # the model is shown no seller profile: every figure or name it says must be the client's
        reasons = unsupported(
            msg.message, [p.quote for p in proofs], [self.given.account_name], restates=False
        )
        errors += [f"{path} says more than its proof points: {why}" for why in reasons]
        if msg.persona not in self.given.personas:
            errors.append(f"{path} is for a persona the CSM did not ask for")
        return errors

    def evidence(self, path: str, ids: Sequence[str]) -> list[str]:
        """Unknown ids, quotes not in their source, quotes of a planted instruction."""
        errors = [
            f"{path}.evidence cites unknown passage {pid!r} (cite only the ids shown)"
            for pid in self.passages.unknown(ids)
        ]
        for j, item in enumerate(self.passages.evidence(ids)):
            errors += self.grounding(f"{path}.evidence[{j}]", item)
        return errors

    def grounding(self, where: str, item: Evidence) -> list[str]:
        """The one grounding check, then the planted-instruction check of a quote."""
        error = quote_error(where, item, self.texts)
        if error:
            return [error]
        if instruction_like(item.quote):
            return [f"{where} quotes an instruction planted in source {item.source_id!r}"]
        return []

    def text(self, path: str, text: str) -> list[str]:
        """Text that addresses a model or repeats a planted instruction."""
        if instruction_like(text) or (self.planted and _shingles(text) & self.planted):
            return [f"{path} repeats or follows an instruction found inside a source"]
        return []

    def failing(self, draft: BriefDraft) -> list[_Failing]:
        """The draft's claims that fail a check, in the brief's order."""
        found: list[_Failing] = []
        for name in LayerName:
            for i, claim in enumerate(draft.layer(name).claims):
                path = f"layers.{name.value}.claims[{i}]"
                bad, unsupported_ = self.claim(path, claim)
                if bad or unsupported_:
                    found.append(
                        _Failing(path, name, i, claim.text, claim.evidence, bad + unsupported_)
                    )
        return found

    def errors(self, draft: BriefDraft, failing: Sequence[_Failing]) -> list[str]:
        """Every problem of a draft, one line each, named by its path in the brief, given
        its failing claims."""
        errors = [error for item in failing for error in item.errors]
        for i, msg in enumerate(draft.messages):
            errors += self.message(i, msg)
        for path, text in _free_text(draft):
            errors += self.text(path, text)
        return errors


def prompt_hashes() -> dict[str, str]:
    """The hash of every prompt the LLM path uses, for the brief's metadata."""
    names = ("research", "brief_system", "brief_context", "repair", "fix")
    return {name: load_prompt(name).sha256 for name in names}


def write(deps: Deps, given: WriterInput, usage: Usage) -> Written:
    """Ask for a draft, repair it once if it fails, then drop whatever still fails.

    A draft that cannot be read is asked for again whole. A readable one keeps what passes:
    the repair round asks only for its failing claims (`DraftFixes`), so a small model writes
    a few sentences instead of a second brief. A failing value message is not asked for again:
    its persona gets the extractive message, which alone is shown the seller profile."""
    chat = deps.chat
    assert chat is not None
    settings = deps.settings
    system = load_prompt("brief_system").fill(tool=TOOL_NAME)
    given, cut = fit_to_context(given, system, settings.llm_context_tokens)
    passages = Passages(given.passages)
    conversation: list[BaseMessage] = [
        SystemMessage(system),
        HumanMessage(_context(given, passages)),
    ]
    checker = _Checker(given, passages, planted_shingles(given.sources.values()))

    def ask(model: type[BaseModel], step: str, messages: list[BaseMessage]) -> Any:
        structured = _structured(chat, settings, model)
        raw = invoke(lambda: structured.invoke(messages), settings)
        if isinstance(raw, BaseMessage):
            usage.add(raw, step)
            messages.append(raw)
        return raw

    draft, first = read_draft(ask(BriefDraft, "write", conversation))
    failing: dict[str, _Failing] = {}
    if draft is not None:
        found = checker.failing(draft)
        first = checker.errors(draft, found)
        # the keys a repair request names them by (f1, f2, ...): as many as the completion
        # tokens the draft left of the brief's allowance can rewrite, at most FIXES
        room = max(0, COMPLETION_TOKENS - usage.completion_tokens) // TOKENS_PER_FIX
        failing = {f"f{n}": item for n, item in enumerate(found[: min(FIXES, room)], start=1)}
    rounds, repair_error, errors = 0, None, first
    if draft is None and usage.left != 0:
        rounds = 1
        conversation.extend(_repair_messages(conversation[-1], first))
        draft, errors = read_draft(ask(BriefDraft, "repair", conversation))
    elif draft is not None and failing and usage.left != 0:
        rounds = 1
        # a request of its own: the failing claims and the passages that can fix them, not the
        # draft's whole prompt again (under half its tokens)
        try:
            fixes = read_fixes(ask(DraftFixes, "repair", [_fix_request(failing, passages)]))
            draft = apply_fixes(draft, failing, fixes)
        except LlmError as exc:
            # a repair that fails (cut off at the token limit, timed out) costs the repair,
            # not the draft: what fails in the draft is dropped below
            repair_error = str(exc)
    if draft is None:
        raise LlmError(
            "the model's brief could not be read after a repair round: " + "; ".join(errors[:3])
        )
    written = Written(draft=draft, passages=passages, repair_rounds=rounds, first_errors=first)
    written.repair_error, written.cut_to_fit = repair_error, cut
    return drop_failing(written, checker)


@dataclass(frozen=True)
class _Failing:
    """A claim that failed the checks, where it is, what it says, and why."""

    path: str
    layer: LayerName
    index: int
    text: str
    ids: list[str]
    errors: list[str]

    def line(self, key: str) -> str:
        """How the repair request shows it: its own words first, then what is wrong."""
        problems = "; ".join(e.removeprefix(self.path).lstrip(" .:") for e in self.errors)
        cited = ", ".join(self.ids)
        return f'{key} ({self.path}) wrote "{self.text}" citing {cited}. Problem: {problems}'


def apply_fixes(
    draft: BriefDraft, failing: Mapping[str, _Failing], fixes: Sequence[DraftFix]
) -> BriefDraft:
    """The draft with each failing claim the repair wrote again replaced (its text and ids);
    a fix under an unknown key is ignored, and a claim not fixed still fails."""
    fixed = draft.model_copy(deep=True)
    for fix in fixes:
        item = failing.get(fix.key.strip().casefold())
        if item is not None:
            claims = fixed.layer(item.layer).claims
            claims[item.index] = claims[item.index].model_copy(
                update={"text": fix.text, "evidence": fix.evidence}
            )
    return fixed


def prompt_tokens(text: str) -> int:
    """A generous estimate of the tokens a text takes (English runs about four characters a
    token in the tokenizers of current models; CHARS_PER_TOKEN leaves room for figures)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def fit_to_context(given: WriterInput, system: str, context: int | None) -> tuple[WriterInput, int]:
    """The writer's input with the least salient passages left out until the prompt, the
    draft and a repair round fit the model's context (`context` tokens; None: no limit), and
    how many were left out. LlmError when even a passage per layer does not fit."""
    if context is None:
        return given, 0
    budget = context - ANSWER_RESERVE
    shown = {name: list(given.passages.get(name, [])) for name in LayerName}
    cut = 0

    def needed() -> int:
        trial = replace(given, passages=shown)
        return prompt_tokens(system) + prompt_tokens(_context(trial, Passages(shown)))

    while (tokens := needed()) > budget:
        # leave out passages worth the excess, then measure the whole prompt again
        excess = tokens - budget
        while excess > 0:
            longest = max(shown.values(), key=len)
            if len(longest) <= 1:
                raise LlmError(
                    f"the brief's prompt needs about {tokens:,} tokens and its answer "
                    f"{ANSWER_RESERVE:,}, more than the model's context of {context:,} tokens "
                    "(DOSSIER_LLM_CONTEXT_TOKENS)"
                )
            # passages come most salient first; a line with the shortest id costs no more than it
            excess -= prompt_tokens(_passage(longest.pop(), "p1"))
            cut += 1
    return replace(given, passages=shown), cut


def structured_method(settings: Settings) -> str:
    """How the draft is asked for (DOSSIER_LLM_STRUCTURED): by default `json_schema` from an
    OpenAI-compatible server of our own choosing (llama.cpp, vLLM and Ollama enforce it with a
    grammar; llama.cpp ignores a named tool choice), tool calling from any other model;
    `grammar` is llama.cpp's own compact-JSON grammar (agent/llm/grammar.py)."""
    chosen = settings.llm_structured
    if chosen == "auto":
        return "json_schema" if settings.llm_base_url else "function_calling"
    return "function_calling" if chosen == "tools" else chosen


def _structured(
    chat: BaseChatModel, settings: Settings, model: type[BaseModel]
) -> Runnable[Any, Any]:
    name = model.__name__
    method = structured_method(settings)
    if method == "grammar" and model is not BriefDraft:
        # under the compact grammar the local model closes the fix list empty at once; a few
        # fixes cost little whitespace, and json_schema lets it write them
        method = "json_schema"
    if method == "json_schema":
        schema = {"name": name, "schema": model.model_json_schema()}
        return chat.bind(response_format={"type": "json_schema", "json_schema": schema})
    if method == "grammar":
        return chat.bind(extra_body={"grammar": compact_grammar(model)})
    return tool_calling(lambda: chat.bind_tools([model], tool_choice=name), settings)


def read_draft(raw: Any) -> tuple[BriefDraft | None, list[str]]:
    """The draft an answer carries (a BriefDraft tool call, or JSON in its content, bare or
    fenced), or why it carries none, in words the model can act on."""
    return _read(raw, BriefDraft)


def read_fixes(raw: Any) -> list[DraftFix]:
    """The fixes a repair answer carries; none when it carries no readable DraftFixes."""
    fixes, _ = _read(raw, DraftFixes)
    return fixes.fixes if fixes is not None else []


def _read(raw: Any, model: type[_M]) -> tuple[_M | None, list[str]]:
    name = model.__name__
    if not isinstance(raw, AIMessage):
        return None, [f"no {name} in the answer"]
    calls = [c for c in raw.tool_calls if c.get("name") == name]
    try:
        if calls:
            return model.model_validate(calls[0]["args"]), []
        if raw.invalid_tool_calls:
            args = raw.invalid_tool_calls[0].get("args")
            return None, [f"the {name} arguments are not valid JSON: " + clip(str(args), 120)]
        content = raw.content if isinstance(raw.content, str) else str(raw.content)
        if not content.strip():
            return None, [f"no {name} in the answer"]
        return model.model_validate(json_in(content)), []
    except ValidationError as exc:
        return None, [
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]
        ]
    except ValueError:
        return None, [f"the {name} JSON is not valid JSON: " + clip(str(raw.content), 120)]


def drop_failing(written: Written, checker: _Checker) -> Written:
    """The draft without the claims, messages and texts that still fail, and the counts."""
    draft = written.draft.model_copy(deep=True)
    dropped = {"claims": 0, "messages": 0}
    for name in LayerName:
        layer = draft.layer(name)
        kept = []
        for claim in layer.claims:
            bad, unsupported_ = checker.claim("", claim)
            written.unsupported += bool(unsupported_) and not bad
            if not bad and not unsupported_:
                kept.append(claim)
        dropped["claims"] += len(layer.claims) - len(kept)
        layer.claims = kept
    kept_messages = [m for i, m in enumerate(draft.messages) if not checker.message(i, m)]
    dropped["messages"] = len(draft.messages) - len(kept_messages)
    draft.messages = kept_messages
    written.withheld += [path for path, text in _free_text(draft) if checker.text(path, text)]
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


def _free_text(draft: BriefDraft) -> list[tuple[str, str]]:
    """The texts no quote backs: headline, focus reason, layer summaries."""
    texts = [("headline", draft.headline), ("focus_reason", draft.focus_reason)]
    texts += [(f"layers.{n.value}.summary", draft.layer(n).summary) for n in LayerName]
    return texts


def _repair_messages(last: BaseMessage, errors: Sequence[str]) -> list[BaseMessage]:
    """The errors of an unreadable draft sent back: as the result of each tool call the answer
    made (the chat API wants one per call), or as a user turn when the answer made none."""
    text = load_prompt("repair").fill(tool=TOOL_NAME, errors="\n".join(f"- {e}" for e in errors))
    ids = []
    if isinstance(last, AIMessage):
        ids = [c.get("id") for c in [*last.tool_calls, *last.invalid_tool_calls] if c.get("id")]
    if not ids:
        return [HumanMessage(text)]
    return [ToolMessage(content=text, tool_call_id=str(i)) for i in ids]


def _fix_request(failing: Mapping[str, _Failing], passages: Passages) -> HumanMessage:
    """The repair round's request: each failing claim under its key, and the passages it may
    cite: those it cited and the FIX_NEIGHBOURS sharing the most words with it."""
    shown: dict[str, Candidate] = {}
    words_of = {pid: content_words(c.text) for pid, c in passages.by_id.items()}
    for item in failing.values():
        shown.update((passages.id_of(c), c) for c in passages.cited(item.ids))
        words = content_words(item.text)
        others = [(pid, c) for pid, c in passages.by_id.items() if pid not in shown]
        others.sort(key=lambda pc: -len(words & words_of[pc[0]]))
        shown.update(others[:FIX_NEIGHBOURS])
    ordered = sorted(shown.items(), key=lambda pc: int(pc[0][1:]))
    return HumanMessage(
        load_prompt("fix").fill(
            tool=FIX_TOOL_NAME,
            errors="\n".join(f"- {item.line(key)}" for key, item in failing.items()),
            passages="\n".join(_passage(c, pid) for pid, c in ordered),
        )
    )


def _context(given: WriterInput, passages: Passages) -> str:
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
        shown = given.passages.get(name, [])
        blocks += [_passage(c, passages.id_of(c)) for c in shown] or ["(none)"]
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


def _passage(candidate: Candidate, pid: str) -> str:
    source = candidate.source
    return fence(
        candidate.text,
        id=pid,
        date=source.published_at,
        speaker=candidate.speaker,
        internal="true" if source.internal else None,
    )
