"""A deterministic stand-in for a chat model, served by `ScriptedLLM`, that answers the way
dossier's prompts ask: it plans one store search, then writes a brief from the fenced passages.

It is the model behind the LLM path's eval run and token benchmark: it measures dossier's side
(prompts, tool calling, parsing, checking, repair, assembly) with real HTTP and the real
clients, never a real model's judgement. `fault_every=N` makes the first draft of every Nth
brief carry a fabricated quote, so the repair round is exercised too.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

#: The writer's structured-output tool (agent/llm/writer.py TOOL_NAME).
DRAFT_TOOL = "BriefDraft"
FABRICATED = "Management promised a tripling of the budget for our product next quarter."
_SECTION = re.compile(r"^### Passages retrieved for the (\w+) layer$", re.MULTILINE)
_BLOCK = re.compile(r"<untrusted-source ([^>]*)>\n(.*?)\n</untrusted-source>", re.DOTALL)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_PERSONA = re.compile(r"^- (\w+): [^(\n]*\(([^,)\n]+)", re.MULTILINE)
_PERSONAS_HEAD = "Write one value message for each of these personas"
LAYERS = ("commercial", "competitive", "ecosystem", "internal")
CLAIMS_PER_LAYER = 3


class EchoModel:
    """A responder for `ScriptedLLM(responder=EchoModel())`."""

    def __init__(self, fault_every: int = 0) -> None:
        self.fault_every = fault_every
        self.briefs = 0

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        tools = {t["function"]["name"] for t in request.get("tools", [])}
        messages = request.get("messages", [])
        if DRAFT_TOOL in tools:
            return self._write(messages)
        if any(m.get("role") == "tool" for m in messages):
            return {"content": "The store covers the request; stopping."}
        if "search_store" in tools and _thin_layers(messages):
            return {"tool_calls": [_call("search_store", {"query": _purpose(messages)})]}
        return {"content": "No tools; stopping."}

    def _write(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        repairing = messages[-1].get("role") == "tool"
        context = next(
            (m["content"] for m in messages if "### Passages retrieved" in str(m.get("content"))),
            "",
        )
        draft = draft_from(context)
        if not repairing:
            self.briefs += 1
            if self.fault_every and self.briefs % self.fault_every == 0:
                _fabricate(draft)
        return {"tool_calls": [_call(DRAFT_TOOL, draft)]}


def draft_from(context: str) -> dict[str, Any]:
    """A BriefDraft that copies the first passages of each layer as claims and quotes."""
    passages = passages_by_layer(context)
    layers: dict[str, Any] = {}
    for name in LAYERS:
        chosen = passages.get(name, [])[:CLAIMS_PER_LAYER]
        claims = [
            {"text": p["text"], "evidence": [{"source_id": p["id"], "quote": p["text"]}]}
            for p in chosen
        ]
        summary = (
            f"{len(claims)} statement(s) from the sources; first: {chosen[0]['text']}"
            if chosen
            else "The sources say little about this layer."
        )
        gaps = [] if len(claims) >= 2 else [f"Little is known about the {name} layer."]
        layers[name] = {"name": name, "summary": summary, "claims": claims, "gaps": gaps}
    focus = max(LAYERS, key=lambda n: len(layers[n]["claims"]))
    public = [p for n in LAYERS for p in passages.get(n, []) if p.get("internal") != "true"]
    personas = _personas(context)
    messages = [
        {
            "persona": persona,
            "message": f"On {term}: you said “{proof['text']}” We can help you get there.",
            "proof_points": [{"source_id": proof["id"], "quote": proof["text"]}],
        }
        for (persona, term), proof in zip(personas, public, strict=False)
    ]
    first = layers[focus]["claims"][0]["text"] if layers[focus]["claims"] else "Little is known."
    return {
        "headline": first,
        "focus_layer": focus,
        "focus_reason": f"The {focus} layer has the most evidence for this request.",
        "layers": list(layers.values()),
        "messages": messages,
    }


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
    """Swap the first quote for a sentence no source holds."""
    for layer in draft["layers"]:
        if layer["claims"]:
            layer["claims"][0]["evidence"][0]["quote"] = FABRICATED
            return


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
