"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, so tests, evals and
benchmarks drive the real `openai` and LangChain clients (retries, parsing, usage) offline.

    with ScriptedLLM() as llm:
        llm.script({"content": "hi"}, Fault(429, headers={"Retry-After": "0"}))
        client = openai.OpenAI(base_url=llm.base_url, api_key="sk-test")

Replies are served first-in first-out; once the script runs out, the `responder` answers.
Usage is counted with o200k_base (evals/tokens.py), so token budgets can be measured too.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from evals.loopback import LoopbackServer
from evals.tokens import count, count_messages, count_tools


@dataclass(frozen=True)
class Fault:
    """An error response in OpenAI's error shape, e.g. a 429 with Retry-After or a 500."""

    status: int
    message: str = "scripted fault"
    headers: dict[str, str] = field(default_factory=dict)


#: Answers a request at request time, from its parsed JSON body.
Responder = Callable[[dict[str, Any]], "Mapping[str, Any] | Fault"]
#: An assistant message, a fault, or a responder.
Reply = Mapping[str, Any] | Fault | Responder


class ScriptedLLM(LoopbackServer):
    """An OpenAI chat-completions endpoint on an ephemeral loopback port serving scripted replies.

    `requests` and `headers` record what each call sent, in order; header names are lowercased,
    since clients differ in how they spell them."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._responder = responder
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._completion_ids = itertools.count(1)
        self._call_ids = itertools.count(1)
        super().__init__()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT/v1, what OpenAI clients take as `base_url`."""
        return self.origin + "/v1"

    def script(self, *replies: Reply) -> None:
        """Queue replies, served one per request in order."""
        with self._lock:
            self._queue.extend(replies)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one request; faults and client mistakes become OpenAI-style errors."""
        if handler.command != "POST" or handler.path.split("?")[0] != "/v1/chat/completions":
            return _send(handler, 404, _error(f"no route {handler.command} {handler.path}"))
        length = int(handler.headers.get("Content-Length") or 0)
        try:
            request = json.loads(handler.rfile.read(length))
        except ValueError as exc:
            return _send(handler, 400, _error(f"body is not JSON: {exc}"))
        with self._lock:
            self.requests.append(request)
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
            if request.get("stream"):
                reply: Reply | None = Fault(400, "streaming is not supported by ScriptedLLM")
            else:
                reply = self._queue.popleft() if self._queue else self._responder
        answer = reply(request) if callable(reply) else reply
        if answer is None:
            answer = Fault(500, "script exhausted")
        if isinstance(answer, Fault):
            kind = "invalid_request_error" if answer.status < 500 else "server_error"
            return _send(handler, answer.status, _error(answer.message, kind), answer.headers)
        _send(handler, 200, self._completion(request, answer))

    def _completion(self, request: dict[str, Any], reply: Mapping[str, Any]) -> dict[str, Any]:
        """A chat.completion body for `reply`, with ids, finish reason and usage filled in."""
        message = self._message(reply)
        calls = message.get("tool_calls") or []
        prompt = count_messages(request.get("messages", [])) + count_tools(request.get("tools", []))
        completion = count(message.get("content") or "") + sum(
            count(call["function"]["arguments"]) for call in calls
        )
        return {
            "id": f"chatcmpl-{next(self._completion_ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    def _message(self, reply: Mapping[str, Any]) -> dict[str, Any]:
        """The assistant message for `reply`; string arguments pass verbatim, even invalid JSON."""
        message: dict[str, Any] = {"role": "assistant", "content": None, **reply}
        if reply.get("tool_calls"):
            message["tool_calls"] = [self._tool_call(call) for call in reply["tool_calls"]]
        return message

    def _tool_call(self, call: Mapping[str, Any]) -> dict[str, Any]:
        """One tool call with its id, type and string arguments filled in."""
        function = dict(call["function"])
        if not isinstance(function.get("arguments", ""), str):
            function["arguments"] = json.dumps(function["arguments"])
        function.setdefault("arguments", "")
        return {
            "id": call.get("id") or f"call_{next(self._call_ids)}",
            "type": call.get("type", "function"),
            "function": function,
        }


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    """OpenAI's error body."""
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> None:
    """Write a JSON response, ignoring a client that already hung up."""
    data = json.dumps(body).encode()
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
