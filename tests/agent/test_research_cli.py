"""`dossier research` end to end against a local replay server in the real formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from tests.replay_server import ReplayServer, Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BOARD = "/v1/boards/sigmoid/jobs"
RUNNER = CliRunner()


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_rerun_costs_a_304_and_adds_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = (FIXTURES / "jobs" / "greenhouse_sigmoid_jobs_content_full.json").read_bytes()
    with ReplayServer() as server:
        server.route(
            BOARD,
            Reply(200, body, "application/json", headers={"ETag": '"v1"'}),
            Reply(304, b"", "application/json", headers={"ETag": '"v1"'}),
        )
        for name in ("GREENHOUSE", "GOOGLE_NEWS", "GDELT"):
            monkeypatch.setenv(f"DOSSIER_{name}_URL", server.base_url)
        (home / "book.csv").write_text("name,greenhouse\nSigmoid,sigmoid\n")
        assert _run(home, "book", "import", str(home / "book.csv"))[0] == 0

        code, out, _ = _run(home, "research", "sigmoid", "--format", "json")
        assert code == 0
        first = {o["tool"]: o for o in json.loads(out)["outcomes"]}
        assert first["greenhouse"]["status"] == "ok" and first["greenhouse"]["new"] == 2
        assert first["google_news"]["status"] == "failed"
        assert "HTTP 404" in first["google_news"]["error"]
        chunks = json.loads(_run(home, "sources", "sigmoid", "--format", "json")[1])

        code, out, _ = _run(home, "research", "sigmoid", "--format", "json")
        again = {o["tool"]: o for o in json.loads(out)["outcomes"]}
        assert (again["greenhouse"]["new"], again["greenhouse"]["unchanged"]) == (0, 2)
        conditional = server.requests_to(BOARD)[-1].headers
        assert conditional.get("If-None-Match") == '"v1"'
        assert json.loads(_run(home, "sources", "sigmoid", "--format", "json")[1]) == chunks

        code, out, _ = _run(home, "research", "sigmoid", "--offline")
        assert code == 0 and "greenhouse" in out
        assert len(server.requests_to(BOARD)) == 2

    code, out, _ = _run(home, "brief", "sigmoid", "--format", "json")
    gaps = json.loads(out)["source_gaps"]
    assert any(g.startswith("google_news: ") for g in gaps)


def test_private_host_needs_allow_host(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The news endpoints live on another server: a configured endpoint's host is trusted.
    with ReplayServer() as server, ReplayServer() as endpoints:
        feed = (
            b"<?xml version='1.0'?><rss version='2.0'><channel><title>Acme newsroom</title>"
            b"<item><title>Acme opens a plant in Ohio</title><guid>acme-1</guid>"
            b"<description>Acme will hire 200 people in Ohio.</description></item>"
            b"</channel></rss>"
        )
        server.route("/feed.xml", Reply(200, feed, "application/rss+xml"))
        (home / "book.csv").write_text(f"name,newsroom_feed\nAcme,{server.url('/feed.xml')}\n")
        _run(home, "book", "import", str(home / "book.csv"))
        for name in ("GOOGLE_NEWS", "GDELT"):
            monkeypatch.setenv(f"DOSSIER_{name}_URL", endpoints.base_url)
        code, out, _ = _run(home, "research", "acme", "--format", "json")
        newsroom = next(o for o in json.loads(out)["outcomes"] if o["tool"] == "newsroom")
        assert newsroom["status"] == "failed" and "refused" in newsroom["error"]
        assert not server.requests_to("/feed.xml")
        host = server.base_url.removeprefix("http://")
        code, out, _ = _run(home, "research", "acme", "--allow-host", host, "--format", "json")
        assert code == 0
        newsroom = next(o for o in json.loads(out)["outcomes"] if o["tool"] == "newsroom")
        assert newsroom["status"] == "ok"
        assert server.requests_to("/feed.xml")
