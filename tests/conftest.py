"""Shared fixtures: no network but loopback, a fresh workspace per test, one embedder."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host in _LOOPBACK or host.startswith("127.") or "/" in host):
        return _real_connect(self, address)
    raise RuntimeError(f"tests must not touch the network (tried {address!r})")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Block every socket connection except loopback and Unix sockets."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No DOSSIER_* variable from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("DOSSIER_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty workspace folder."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def embedder() -> Iterator[Any]:
    """The packaged embedding model, loaded once per test session."""
    from knowledge.embed import default_embedder

    yield default_embedder()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the bundled demo book, built once per session with `dossier demo`
    (agent/, web/ and evals tests share it)."""
    from agent.cli import app

    home = tmp_path_factory.mktemp("demo-home")
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("DOSSIER_")}
    try:
        result = CliRunner().invoke(app, ["--home", str(home), "demo", "--format", "json"])
    finally:
        os.environ.update(saved)
    assert result.exit_code == 0, result.output
    return home
