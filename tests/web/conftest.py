"""Fixtures of the web app's tests: a copy of the demo workspace, the app over it, and the app
served on a free loopback port for a real browser."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from agent.config import load_settings
from agent.deps import Deps
from agent.web.app import WebState, create_app

# The demo workspace, built once per session (tests/agent's fixture; see the report).

#: Screenshots and other files the tests leave for a person to look at (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def web_home(demo_home: Path, tmp_path: Path) -> Path:
    """A copy of the demo workspace that a test may change (briefs, scans, the ledger)."""
    copy = tmp_path / "workspace"
    shutil.copytree(demo_home, copy)
    return copy


@pytest.fixture
def web_deps(web_home: Path) -> Iterator[Deps]:
    """The workspace's dependencies, offline."""
    with Deps.build(load_settings(web_home), offline=True) as deps:
        yield deps


@pytest.fixture
def web_app(web_deps: Deps) -> Iterator[Starlette]:
    """The web app over the copied workspace; its background jobs stopped afterwards."""
    app = create_app(web_deps)
    yield app
    state(app).jobs.shutdown()


def state(app: Starlette) -> WebState:
    """The app's shared state (book, jobs, secret)."""
    web: WebState = app.state.web
    return web


@pytest.fixture
def live_server(web_app: Starlette) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port; its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def artifact(name: str) -> Path:
    """A path under tests/artifacts/ (created, and ignored by git from inside)."""
    ARTIFACTS.mkdir(exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return ARTIFACTS / name
