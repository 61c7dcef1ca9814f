"""The brief as the model writes it: compact, bounded, citing passages by id.

The model is shown each candidate sentence with a short id (`p7`) and cites those ids; dossier
inserts the verbatim quote and its source itself, so the model cannot misquote what it never
retypes and writes a fraction of the tokens. Every text and list has a bound in the JSON schema
(`maxLength`, `maxItems`), which a server that enforces the schema with a grammar (llama.cpp)
honours, so a draft is never cut off at the token limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from agent.schemas import Claim, Evidence, LayerName, Persona, SignalType, ValueMessage
from agent.synthesize.evidence import Candidate

# Sized so a whole draft (four layers of three claims, three messages, three signals) stays near
# 1,000 tokens, about two minutes of writing for a 1.5B model on two cores (drafts of the nine
# real calls took 505-1,224 tokens with 30-word summaries and messages and four signals, 917 on
# average; 870 with 20-word summaries, 25-word claims and messages and three signals; 385-839
# with 20-word claims too, written as compact JSON); the prompt asks for the same lengths in
# words, so the grammar seldom ends a text. A claim cut short while copying its passage becomes
# the whole passage (Passages.claim).
HEADLINE_CHARS = 100
CLAIM_CHARS = 130
SUMMARY_CHARS = 130
MESSAGE_CHARS = 160
CLAIMS_PER_LAYER = 3
EVIDENCE_PER_CLAIM = 2
#: Personas the model writes a value message for (the first the CSM asked for); the others get
#: the extractive message, which alone is shown the seller profile.
MESSAGES_DRAFTED = 3
#: Events the model may point out among the passages (dossier checks each as it does its own).
SIGNALS_DRAFTED = 3

PassageId = Annotated[str, StringConstraints(max_length=8)]
#: A sentence end followed by more text (not the point of "$22.1").
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?(?=\s)")
#: A claim this long that starts its passage is the passage copied, perhaps cut by its bound.
COPIED_CHARS = 40
_FENCED_JSON = re.compile(r"```(?:json)?\s*(\{.*\})\s*```", re.DOTALL)


def _no_description(schema: dict[str, Any]) -> None:
    schema.pop("description", None)


class _Compact(BaseModel):
    """Sent to the model as a schema: docstrings stay out of it (the prompt explains)."""

    model_config = ConfigDict(json_schema_extra=_no_description)


class DraftClaim(_Compact):
    """One statement about the client and the ids of the passages that prove it."""

    text: str = Field(max_length=CLAIM_CHARS)
    evidence: list[PassageId] = Field(min_length=1, max_length=EVIDENCE_PER_CLAIM)


class DraftLayer(_Compact):
    """One layer as the model writes it."""

    name: LayerName
    summary: str = Field(max_length=SUMMARY_CHARS)
    # required, so a grammar-constrained model must at least consider claims for each layer
    claims: list[DraftClaim] = Field(max_length=CLAIMS_PER_LAYER)


class DraftMessage(_Compact):
    """A value message for one kind of stakeholder, proved by passages of the client's words."""

    persona: Persona
    message: str = Field(max_length=MESSAGE_CHARS)
    proof_points: list[PassageId] = Field(min_length=1, max_length=EVIDENCE_PER_CLAIM)


class DraftSignal(_Compact):
    """A passage the model reads as an event at the client, and the event's type."""

    type: SignalType
    passage: PassageId


class BriefDraft(_Compact):
    """The part of a brief the model writes; dossier adds signals, triage, stakeholders and
    the source list, which come from deterministic checks. A layer left out is empty."""

    headline: str = Field(max_length=HEADLINE_CHARS)
    focus_layer: LayerName
    focus_reason: str = Field(max_length=SUMMARY_CHARS)
    layers: list[DraftLayer] = Field(max_length=len(LayerName))
    messages: list[DraftMessage] = Field(max_length=MESSAGES_DRAFTED)
    signals: list[DraftSignal] = Field(default_factory=list, max_length=SIGNALS_DRAFTED)

    def layer(self, name: LayerName) -> DraftLayer:
        """The draft layer of that name (the first, if the model wrote it twice)."""
        for layer in self.layers:
            if layer.name is name:
                return layer
        empty = DraftLayer(name=name, summary="", claims=[])
        self.layers.append(empty)
        return empty


TOOL_NAME = BriefDraft.__name__

#: Failing claims one repair round may write again.
FIXES = 12
FixKey = Annotated[str, StringConstraints(max_length=4)]


class DraftFix(_Compact):
    """A failing claim written again, named by the key the repair request gave it."""

    key: FixKey
    text: str = Field(max_length=CLAIM_CHARS)
    evidence: list[PassageId] = Field(min_length=1, max_length=EVIDENCE_PER_CLAIM)


class DraftFixes(_Compact):
    """The repair round's answer: only the items it writes again (one left out is dropped)."""

    fixes: list[DraftFix] = Field(max_length=FIXES)


FIX_TOOL_NAME = DraftFixes.__name__


class Passages:
    """The candidate sentences shown to the model, each under a short id (p1, p2, ...)."""

    def __init__(self, by_layer: Mapping[LayerName, Sequence[Candidate]]) -> None:
        self.by_id: dict[str, Candidate] = {}
        self.ids: dict[tuple[str, int], str] = {}
        for name in LayerName:
            for candidate in by_layer.get(name, []):
                if candidate.key not in self.ids:
                    pid = f"p{len(self.by_id) + 1}"
                    self.ids[candidate.key] = pid
                    self.by_id[pid] = candidate

    def id_of(self, candidate: Candidate) -> str:
        """The id a passage is shown under."""
        return self.ids[candidate.key]

    def cited(self, ids: Iterable[str]) -> list[Candidate]:
        """The passages of the known ids, in order, each once."""
        seen: dict[str, Candidate] = {}
        for pid in ids:
            candidate = self.by_id.get(_normal(pid))
            if candidate is not None:
                seen.setdefault(_normal(pid), candidate)
        return list(seen.values())

    def evidence(self, ids: Iterable[str]) -> list[Evidence]:
        """The verbatim evidence of the known ids, in order, each once."""
        return [candidate.evidence() for candidate in self.cited(ids)]

    def unknown(self, ids: Iterable[str]) -> list[str]:
        """The ids no passage was shown under."""
        return [pid for pid in ids if _normal(pid) not in self.by_id]

    def claim(self, claim: DraftClaim) -> Claim:
        """The draft claim with its quotes inserted (its ids must be known). A claim that
        copies the start of a passage it cites becomes that whole sentence: a small model
        copies, and the schema's bound may have cut the copy short."""
        evidence = self.evidence(claim.evidence)
        text = " ".join(claim.text.split())
        if not text and evidence:  # the prompt's way to say "the passage, as it stands"
            return Claim(text=evidence[0].quote, evidence=evidence)
        stem = text.rstrip(" .…")
        whole = [
            e.quote for e in evidence if len(stem) >= COPIED_CHARS and e.quote.startswith(stem)
        ]
        return Claim(text=whole[0] if whole else finished(text), evidence=evidence)

    def message(self, msg: DraftMessage) -> ValueMessage:
        """The draft message with its proof quotes inserted."""
        return ValueMessage(
            persona=msg.persona,
            message=finished(msg.message),
            proof_points=self.evidence(msg.proof_points),
        )


def finished(text: str) -> str:
    """A text its schema bound may have cut mid-sentence, ended cleanly: back to its last whole
    sentence, or with an ellipsis when it has none."""
    text = text.strip()
    if not text or text[-1] in ".!?\"')…":
        return text
    ends = list(_SENTENCE_END.finditer(text))
    if ends:
        return text[: ends[-1].end()]
    return text.rstrip(" ,;:-–—") + "…"


def _normal(pid: str) -> str:
    """`P7`, `[p7]` and ` p7 ` are the id p7."""
    return pid.strip().strip("[]()").casefold()


def json_in(content: str) -> Any:
    """The JSON object an answer carries in its content: bare, or in a fenced block (some
    local models write their structured output as a fenced block); ValueError when none."""
    text = content.strip()
    fenced = _FENCED_JSON.search(text)
    if fenced:
        text = fenced.group(1)
    elif "{" in text:
        text = text[text.index("{") : text.rindex("}") + 1] if "}" in text else text
    return json.loads(text)
