"""A deterministic stand-in for a chat model, served by `ScriptedLLM`, that answers the way
dossier's prompts ask: it plans one store search, then writes a brief from the fenced passages.

It is the model behind the LLM path's eval run and token benchmark: it measures dossier's side
(prompts, structured output, parsing, checking, repair, assembly) with real HTTP and the real
clients, never a real model's judgement. It cites passages by their ids, and answers in the
form it is asked for: a `BriefDraft` tool call, or JSON content under a `json_schema`
response format. `fault_every=N` makes the first draft of every Nth brief cite a passage id it
was never shown and claim a figure its passage does not carry, so the repair round is
exercised too.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from agent.llm.draft import (
    CLAIM_CHARS,
    CLAIMS_PER_LAYER,
    FIX_TOOL_NAME,
    HEADLINE_CHARS,
    MESSAGE_CHARS,
    SUMMARY_CHARS,
    TOOL_NAME,
    BriefDraft,
    DraftFixes,
)
from agent.llm.grammar import compact_grammar
from agent.synthesize.salience import proof_worthy

DRAFT_TOOL = TOOL_NAME
FIX_TOOL = FIX_TOOL_NAME
#: A passage id no writer shows (ids count up from p1).
FABRICATED = "p999"
#: A figure appended to a claim, which its passage does not carry.
UNSUPPORTED = " Revenue rose 87% in the quarter."
_SECTION = re.compile(r"^### Passages retrieved for the (\w+) layer$", re.MULTILINE)
_BLOCK = re.compile(r"<untrusted-source ([^>]*)>\n(.*?)\n</untrusted-source>", re.DOTALL)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_PERSONA = re.compile(r"^- (\w+): [^(\n]*\(([^,)\n]+)", re.MULTILINE)
_PERSONAS_HEAD = "Write one value message for each of these personas"
#: A failing item as the repair request names it: '- f1 (layers.commercial.claims[0]) wrote
#: "..." citing p3. Problem: ...'.
_FIX_ITEM = re.compile(r'^- (f\d+) \(layers\.\w+\.claims\[\d+\]\) wrote "(.*)" citing ', re.M)
_WORD = re.compile(r"\w{4,}")
LAYERS = ("commercial", "competitive", "ecosystem", "internal")
_SCHEMAS = {DRAFT_TOOL: BriefDraft, FIX_TOOL: DraftFixes}


class EchoModel:
    """A responder for `ScriptedLLM(responder=EchoModel())`."""

    def __init__(self, fault_every: int = 0) -> None:
        self.fault_every = fault_every
        self.briefs = 0

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        tools = {t["function"]["name"] for t in request.get("tools", [])}
        messages = request.get("messages", [])
        if FIX_TOOL in tools or asks_for(request, FIX_TOOL):
            return answer(request, fixes_for(request), FIX_TOOL)
        if DRAFT_TOOL in tools or asks_for_draft(request):
            return self._write(request)
        if any(m.get("role") == "tool" for m in messages):
            return {"content": "The store covers the request; stopping."}
        if "search_store" in tools and _thin_layers(messages):
            return {"tool_calls": [_call("search_store", {"query": _purpose(messages)})]}
        return {"content": "No tools; stopping."}

    def _write(self, request: dict[str, Any]) -> dict[str, Any]:
        messages = request.get("messages", [])
        repairing = any(m.get("role") == "assistant" for m in messages)
        draft = draft_from(writer_context(request))
        if not repairing:
            self.briefs += 1
            if self.fault_every and self.briefs % self.fault_every == 0:
                _fabricate(draft)
        return answer(request, draft)


def asks_for_draft(request: Mapping[str, Any]) -> bool:
    """True when the request asks for a BriefDraft as json_schema structured output."""
    return asks_for(request, DRAFT_TOOL)


def asks_for(request: Mapping[str, Any], name: str) -> bool:
    """True when the request asks for `name` as structured output in its content: under a
    json_schema response format, or as the compact grammar of its schema."""
    response_format = request.get("response_format") or {}
    if response_format.get("json_schema", {}).get("name") == name:
        return True
    grammar = request.get("grammar")
    return bool(grammar) and grammar == compact_grammar(_SCHEMAS[name])


def answer(
    request: Mapping[str, Any], draft: Mapping[str, Any] | str, name: str = DRAFT_TOOL
) -> dict[str, Any]:
    """A draft (or raw argument text) in the form the request asks for: JSON content under a
    json_schema response format (compact JSON under a grammar), else a tool call of `name`."""
    text = draft if isinstance(draft, str) else json.dumps(draft)
    if request.get("grammar") and not isinstance(draft, str):
        text = json.dumps(draft, separators=(",", ":"), ensure_ascii=False)
    if asks_for(request, name):
        return {"content": text}
    return {"tool_calls": [{"function": {"name": name, "arguments": text}}]}


def fixes_for(request: Mapping[str, Any]) -> dict[str, Any]:
    """A repair round's DraftFixes: each failing claim the request names, restating the passage
    shown with it that shares the most words with what the claim wrote."""
    asked = str((request.get("messages") or [{}])[-1].get("content"))
    shown = [{**dict(_ATTR.findall(attrs)), "text": text} for attrs, text in _BLOCK.findall(asked)]
    fixes = []
    for key, wrote in _FIX_ITEM.findall(asked):
        words = set(_WORD.findall(wrote.casefold()))
        best = max(
            shown,
            key=lambda p: len(words & set(_WORD.findall(p["text"].casefold()))),
            default=None,
        )
        if best is not None:
            fixes.append(
                {"key": key, "text": cut(best["text"], CLAIM_CHARS), "evidence": [best["id"]]}
            )
    return {"fixes": fixes}


def writer_context(request: Mapping[str, Any]) -> str:
    """The writer's context message (the one with the fenced passages)."""
    return next(
        (
            str(m["content"])
            for m in request.get("messages", [])
            if "### Passages retrieved" in str(m.get("content"))
        ),
        "",
    )


def draft_from(context: str) -> dict[str, Any]:
    """A BriefDraft whose claims restate the first passages of each layer and cite their ids."""
    passages = passages_by_layer(context)
    layers: dict[str, Any] = {}
    for name in LAYERS:
        chosen = passages.get(name, [])[:CLAIMS_PER_LAYER]
        claims = [{"text": cut(p["text"], CLAIM_CHARS), "evidence": [p["id"]]} for p in chosen]
        summary = (
            f"{len(claims)} statement(s) from the sources; first: {chosen[0]['text']}"
            if chosen
            else "The sources say little about this layer."
        )
        layers[name] = {
            "name": name,
            "summary": cut(summary, SUMMARY_CHARS),
            "claims": claims,
        }
    focus = max(LAYERS, key=lambda n: len(layers[n]["claims"]))
    # as the prompt asks: proof points are public passages stating a priority, result or plan
    public = [
        p
        for n in LAYERS
        for p in passages.get(n, [])
        if p.get("internal") != "true" and proof_worthy(p["text"])
    ]
    personas = _personas(context)
    messages = []
    for (persona, term), proof in zip(personas, public, strict=False):
        room = MESSAGE_CHARS - len(f"On {term}: you said “” We can help you get there.")
        messages.append(
            {
                "persona": persona,
                "message": f"On {term}: you said “{cut(proof['text'], room)}” "
                "We can help you get there.",
                "proof_points": [proof["id"]],
            }
        )
    first = layers[focus]["claims"][0]["text"] if layers[focus]["claims"] else "Little is known."
    return {
        "headline": cut(first, HEADLINE_CHARS),
        "focus_layer": focus,
        "focus_reason": f"The {focus} layer has the most evidence.",
        "layers": list(layers.values()),
        "messages": messages,
        "signals": [],
    }


def cut(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters (a prefix, no ellipsis)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip()


def passages_by_layer(context: str) -> dict[str, list[dict[str, str]]]:
    """The fenced passages under each layer heading of the writer's context."""
    found: dict[str, list[dict[str, str]]] = {}
    heads = list(_SECTION.finditer(context))
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(context)
        section = context[head.end() : end]
        found[head.group(1)] = [
            {**{k: html.unescape(v) for k, v in _ATTR.findall(attrs)}, "text": text}
            for attrs, text in _BLOCK.findall(section)
        ]
    return found


def _fabricate(draft: dict[str, Any]) -> None:
    """Cite a passage id never shown in the first claim, and claim an unsupported figure in
    the second."""
    claims = [c for layer in draft["layers"] for c in layer["claims"]]
    if claims:
        claims[0]["evidence"] = [FABRICATED]
    if len(claims) > 1:
        claims[1]["text"] = cut(claims[1]["text"], CLAIM_CHARS - len(UNSUPPORTED)) + UNSUPPORTED


def _personas(context: str) -> list[tuple[str, str]]:
    """(persona, the first term of its value language) for each persona the prompt lists."""
    start = context.find(_PERSONAS_HEAD)
    if start < 0:
        return []
    block = context[start : context.find("\n\n", start)]
    return [(m.group(1), m.group(2).strip()) for m in _PERSONA.finditer(block)]


def _purpose(messages: list[dict[str, Any]]) -> str:
    for message in messages:
        found = re.search(r"^Request from the CSM: (.*)$", str(message.get("content")), re.M)
        if found:
            return found.group(1)
    return "what matters about this client now"


def _thin_layers(messages: list[dict[str, Any]]) -> list[str]:
    """The layers the research prompt reports with fewer than two passages."""
    for message in messages:
        found = re.search(r"^Coverage per layer.*\n(.*)$", str(message.get("content")), re.M)
        if found:
            return [n for n, k in re.findall(r"(\w+) (\d+)", found.group(1)) if int(k) < 2]
    return list(LAYERS)


def _call(name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    return {"function": {"name": name, "arguments": json.dumps(arguments)}}
