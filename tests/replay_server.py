"""A local replay server on 127.0.0.1 that serves scripted responses in the real formats.

Each route is a request target ("/v1/boards/acme/jobs?content=true", query included, or a
path alone to match any query) with a list of responses served in turn; the last one repeats.
Requests are recorded, POST bodies included, so tests can check headers (conditional
requests, User-Agent) and what a webhook received.

    with ReplayServer() as server:
        server.route("/x", Reply(200, b"{}", "application/json"))
        url = server.url("/x")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from evals.loopback import LoopbackServer


@dataclass
class Reply:
    """One scripted response."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: Declared length larger than the body, to test size caps without sending the bytes.
    content_length: int | None = None
    #: Send no Content-Length and write the body in pieces, ending at connection close.
    stream: bool = False

    @classmethod
    def file(cls, path: Path, content_type: str, **kwargs: object) -> Reply:
        """A reply whose body is a fixture file."""
        return cls(200, path.read_bytes(), content_type, **kwargs)  # type: ignore[arg-type]


@dataclass
class Seen:
    """A request the server received."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""


class ReplayServer(LoopbackServer):
    """A threaded HTTP server on an ephemeral port of a loopback address (127.0.0.1 unless
    told; any 127.x address gives a distinct host, e.g. for per-host rate limits)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        super().__init__(host)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return self.origin

    def url(self, target: str) -> str:
        """An absolute URL on this server."""
        return self.base_url + target

    def route(self, target: str, *replies: Reply) -> None:
        """Serve `replies` in turn at `target`; the last one repeats."""
        with self._lock:
            self.routes[target] = list(replies)

    def requests_to(self, path: str) -> list[Seen]:
        """The requests received for a path (any query)."""
        return [s for s in self.seen if urlsplit(s.target).path == path]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        target = handler.path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self._lock:
            self.seen.append(Seen(handler.command, target, dict(handler.headers.items()), body))
            replies = self.routes.get(target) or self.routes.get(urlsplit(target).path)
            if not replies:
                reply = Reply(404, b"not found", "text/plain")
            else:
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.delay:
            time.sleep(reply.delay)
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            length = reply.content_length if reply.content_length is not None else len(reply.body)
            if not reply.stream:
                handler.send_header("Content-Length", str(length))
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            if handler.command != "HEAD" and reply.status not in (204, 304):
                if reply.stream:
                    for start in range(0, len(reply.body), 65536):
                        handler.wfile.write(reply.body[start : start + 65536])
                else:
                    handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve(routes: dict[str, list[Reply]]) -> Iterator[ReplayServer]:
    """A started server with the given routes (use as a pytest fixture body)."""
    with ReplayServer() as server:
        for target, replies in routes.items():
            server.route(target, *replies)
        yield server
