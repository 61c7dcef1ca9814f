"""The scan's guarantees on a team's servers: a real PostgreSQL ledger and a Chroma server.

Each signal is reported once and alerted once; a scan killed (SIGKILL) mid-run or after its
alert resumes cleanly; three `scan --shard I/3` worker processes at once cover every account
once, and a shard that died is recovered by running that shard again.

The book is synthetic: each account has a Greenhouse board with one posting; Google News and
GDELT answer with nothing. The three endpoints are replay servers on loopback addresses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from agent.book import upsert_accounts
from agent.cli import app
from agent.config import load_settings
from agent.scan.scan import DIE_AFTER_ENV, in_shard
from agent.schemas import Account
from tests.replay_server import ReplayServer, Reply

pytest_plugins = ["tests.servers"]  # the server fixtures

ROOT = Path(__file__).resolve().parents[2]
BOOK = [Account(account_id=f"tern-{n}", name=f"Tern Works {n}", greenhouse=f"tern{n}")
        for n in range(9)]  # fmt: skip
EMPTY_RSS = b"<?xml version='1.0'?><rss version='2.0'><channel><title>n</title></channel></rss>"


def _board(n: int) -> bytes:
    job = {
        "id": 5000 + n,
        "title": "Staff Analytics Engineer",
        "absolute_url": f"https://job-boards.greenhouse.io/tern{n}/jobs/{5000 + n}",
        "updated_at": "2026-11-02T09:00:00-05:00",
        "location": {"name": "Remote"},
        "departments": [{"name": "Data"}],
        "content": (
            f"&lt;p&gt;Tern Works {n} is hiring an analytics engineer to move our reporting "
            "to Snowflake and dbt and to retire our legacy warehouse.&lt;/p&gt;"
        ),
    }
    return json.dumps({"jobs": [job], "meta": {"total": 1}}).encode()


@dataclass
class Team:
    """A workspace configured as a team's: endpoints, ledger URL, Chroma URL, webhook."""

    home: Path
    env: dict[str, str]
    hook: ReplayServer

    def posts(self) -> list[dict[str, Any]]:
        """The Slack payloads the webhook received."""
        return [json.loads(s.body) for s in self.hook.seen if s.method == "POST"]

    def alerted(self) -> list[str]:
        """Every signal line of every alert sent (account name and summary)."""
        return [
            block["text"]["text"]
            for payload in self.posts()
            for block in payload["blocks"][2:]
            if block["type"] == "section"
        ]


@pytest.fixture
def team(
    tmp_path: Path, ledger_url: str, chroma_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Team]:
    """A synthetic book on a fresh PostgreSQL database and an empty Chroma server."""
    with (
        ReplayServer("127.0.0.1") as jobs,
        ReplayServer("127.0.0.2") as news,
        ReplayServer("127.0.0.3") as gdelt,
        ReplayServer("127.0.0.1") as hook,
    ):
        for n in range(len(BOOK)):
            jobs.route(f"/v1/boards/tern{n}/jobs", Reply(200, _board(n)))
        news.route("/rss/search", Reply(200, EMPTY_RSS, "application/rss+xml"))
        gdelt.route("/api/v2/doc/doc", Reply(200, b"{}"))
        hook.route("/hook", Reply(200, b"ok", "text/plain"))
        env = {
            "DOSSIER_GREENHOUSE_URL": jobs.base_url,
            "DOSSIER_GOOGLE_NEWS_URL": news.base_url,
            "DOSSIER_GDELT_URL": gdelt.base_url,
            "DOSSIER_LEDGER_URL": ledger_url,
            "DOSSIER_CHROMA_URL": chroma_url,
            "DOSSIER_SLACK_WEBHOOK_URL": hook.url("/hook"),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        home = tmp_path / "team"
        upsert_accounts(load_settings(home), BOOK)
        yield Team(home, env, hook)


def _worker(team: Team, out: Path, *args: str, die: str | None = None) -> subprocess.Popen[str]:
    """`dossier scan` in a process of its own, as a cron job or a Kubernetes pod runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(team.env)
    if die is not None:
        env[DIE_AFTER_ENV] = die
    command = [sys.executable, "-c", "from agent.cli import app; app()", "--home", str(team.home),
               "scan", "--notify", "slack", "-f", "json", "-o", str(out), *args]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(worker: subprocess.Popen[str]) -> int:
    _, err = worker.communicate(timeout=600)
    assert worker.returncode in (0, -9), err
    return worker.returncode


def _reported(*digests: Path) -> list[tuple[str, str, str | None]]:
    """(account, signal type, entity) of every new signal the digests reported."""
    return [
        (a["account_id"], s["type"], s.get("entity"))
        for path in digests
        for a in json.loads(path.read_text())["accounts"]
        for s in a["new_signals"]
    ]


def _accounts(*digests: Path) -> list[str]:
    return [a["account_id"] for p in digests for a in json.loads(p.read_text())["accounts"]]


def _runs(team: Team) -> list[tuple[str | None, str]]:
    engine = create_engine(team.env["DOSSIER_LEDGER_URL"])
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT shard, status FROM runs ORDER BY started_at"))
        found = [(r[0], r[1]) for r in rows]
    engine.dispose()
    return found


def _collections(team: Team) -> set[str]:
    import chromadb
    from chromadb.config import Settings

    host, port = team.env["DOSSIER_CHROMA_URL"].rsplit(":", 1)
    client = chromadb.HttpClient(
        host=host.removeprefix("http://"),
        port=int(port),
        settings=Settings(anonymized_telemetry=False),
    )
    return {c.name for c in client.list_collections()}


def test_each_signal_is_reported_and_alerted_once(team: Team, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["--home", str(team.home), "scan", "--notify", "slack", "-f",
                                "json", "-o", str(tmp_path / "first.json")])  # fmt: skip
    assert first.exit_code == 0, first.output
    reported = _reported(tmp_path / "first.json")
    assert {a for a, _, _ in reported} == {a.account_id for a in BOOK}
    assert len(set(reported)) == len(reported)
    assert len(team.posts()) == 1
    # every account's index lives on the server, none in the workspace
    assert _collections(team) == {f"acct-{a.account_id}" for a in BOOK}
    assert not (team.home / "chroma").exists()
    assert not (team.home / "ledger.sqlite").exists()

    second = runner.invoke(app, ["--home", str(team.home), "scan", "--notify", "slack", "-f",
                                 "json", "-o", str(tmp_path / "second.json")])  # fmt: skip
    assert second.exit_code == 0, second.output
    assert _reported(tmp_path / "second.json") == []
    assert len(team.posts()) == 1
    assert _runs(team) == [(None, "completed"), (None, "completed")]


@pytest.mark.parametrize("die", ["3", "alerts"])
def test_a_killed_scan_resumes_cleanly(team: Team, tmp_path: Path, die: str) -> None:
    killed = _worker(team, tmp_path / "killed.json", die=die)
    assert _finish(killed) == -9
    assert len(team.posts()) == (1 if die == "alerts" else 0)

    rerun = _worker(team, tmp_path / "rerun.json")
    assert _finish(rerun) == 0
    reported = _reported(tmp_path / "rerun.json")
    # the killed run completed nothing, so the rerun reports everything, each once
    assert {a for a, _, _ in reported} == {a.account_id for a in BOOK}
    assert len(set(reported)) == len(reported)
    if die == "alerts":
        assert sorted(reported) == sorted(_reported(tmp_path / "killed.json"))
    assert len(team.posts()) == 1  # the killed run's alert is not sent again

    third = _worker(team, tmp_path / "third.json")
    assert _finish(third) == 0
    assert _reported(tmp_path / "third.json") == []
    assert len(team.posts()) == 1
    # a SIGKILL leaves its run marked running: nothing it saw counts as reported
    assert [status for _, status in _runs(team)] == ["running", "completed", "completed"]


def test_three_shard_workers_at_once_cover_the_book_once(team: Team, tmp_path: Path) -> None:
    owners = {a.account_id: next(i for i in (1, 2, 3) if in_shard(a.account_id, (i, 3)))
              for a in BOOK}  # fmt: skip
    assert set(owners.values()) == {1, 2, 3}  # the book spreads over every shard

    # shard 2 dies after recording its first account, while 1 and 3 run to the end
    outs = {i: tmp_path / f"shard{i}.json" for i in (1, 2, 3)}
    workers = {
        i: _worker(team, outs[i], "--shard", f"{i}/3", die="1" if i == 2 else None)
        for i in (1, 2, 3)
    }
    codes = {i: _finish(w) for i, w in workers.items()}
    assert codes == {1: 0, 2: -9, 3: 0}

    # rerunning the dead shard recovers it
    assert _finish(_worker(team, outs[2], "--shard", "2/3")) == 0
    seen = _accounts(*outs.values())
    assert sorted(seen) == sorted(owners)  # every account once
    for i, out in outs.items():
        assert {a for a in _accounts(out)} == {a for a, s in owners.items() if s == i}
    reported = _reported(*outs.values())
    assert {a for a, _, _ in reported} == set(owners)
    assert len(set(reported)) == len(reported)  # no signal reported twice

    # one alert per shard that found something, and no signal alerted twice
    alerted = Counter(line.split("*")[1] for line in team.alerted())
    assert sorted(alerted) == sorted(a.name for a in BOOK)
    assert set(alerted.values()) == {1}

    # the whole book again, all shards at once: nothing new, nothing sent
    again = {i: tmp_path / f"again{i}.json" for i in (1, 2, 3)}
    rerun = [_worker(team, again[i], "--shard", f"{i}/3") for i in (1, 2, 3)]
    assert [_finish(w) for w in rerun] == [0, 0, 0]
    assert _reported(*again.values()) == []
    assert sorted(_accounts(*again.values())) == sorted(owners)
    posted = len(team.posts())
    assert posted == len({s for s in owners.values()})
    shards = Counter(shard for shard, status in _runs(team) if status == "completed")
    assert shards == {"1/3": 2, "2/3": 2, "3/3": 2}
