"""`dossier scan` on copies of the demo workspace, offline: new once, shards, alerts, kills."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.config import load_settings
from agent.scan.digest import load_digest
from agent.scan.scan import DIE_AFTER_ENV, in_shard
from tests.replay_server import ReplayServer, Reply

ROOT = Path(__file__).resolve().parents[2]
DEMO_IDS = {"larkspur-home", "meridian-health", "quarrystone"}
RUNNER = CliRunner()


@pytest.fixture
def workspace(demo_home: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace (a scan writes its ledger there)."""
    return Path(shutil.copytree(demo_home, tmp_path / "ws"))


@pytest.fixture
def webhook() -> Any:
    """A local Slack webhook receiver that counts the POSTs it gets."""
    with ReplayServer() as server:
        server.route("/hook", Reply(200, b"ok", "text/plain"))
        yield server


def _scan(home: Path, *args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, ["--home", str(home), "scan", "--offline", *args])
    return result.exit_code, result.stdout, result.stderr


def _digest(home: Path, *args: str) -> dict[str, Any]:
    code, out, err = _scan(home, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def _reported(digest: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (a["account_id"], json.dumps(s, sort_keys=True))
        for a in digest["accounts"]
        for s in a["new_signals"]
    ]


def _posts(server: ReplayServer) -> list[dict[str, Any]]:
    return [json.loads(s.body) for s in server.seen if s.method == "POST"]


def test_second_scan_reports_nothing_and_sends_nothing(
    workspace: Path, webhook: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_SLACK_WEBHOOK_URL", webhook.url("/hook"))
    first = _digest(workspace, "--notify", "slack")
    assert set(first) == {"run_id", "started_at", "finished_at", "accounts"}
    assert {a["account_id"] for a in first["accounts"]} == DEMO_IDS
    assert set(first["accounts"][0]) == {
        "account_id", "name", "triage", "expansion", "new_signals", "plays", "errors",
    }  # fmt: skip
    assert _reported(first) and all(not a["errors"] for a in first["accounts"])
    ranks = [a["triage"] for a in first["accounts"]]
    assert ranks == sorted(ranks, key=["red", "yellow", "green"].index)

    [payload] = _posts(webhook)
    blocks = payload["blocks"]
    assert blocks[0]["type"] == "header"
    assert blocks[1]["type"] == "section" and "new signals" in blocks[1]["text"]["text"]
    assert all(b["type"] == "section" for b in blocks[2:])
    assert 1 <= len(blocks[2:]) <= 10 and "Larkspur" in json.dumps(blocks)
    assert payload["text"]

    second = _digest(workspace, "--notify", "slack")
    assert _reported(second) == [] and second["run_id"] != first["run_id"]
    assert len(_posts(webhook)) == 1


def test_dry_run_prints_the_payload_and_reports_nothing(
    workspace: Path, webhook: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _scan(workspace, "--notify", "slack", "--dry-run")
    assert code == 0 and json.loads(out)["blocks"][0]["type"] == "header"
    monkeypatch.setenv("DOSSIER_SLACK_WEBHOOK_URL", webhook.url("/hook"))
    assert _reported(_digest(workspace, "--notify", "slack"))
    assert len(_posts(webhook)) == 1


def test_shards_cover_every_account_once(workspace: Path) -> None:
    ids = [f"acct-{n}" for n in range(300)]
    owners = [[i for i in (1, 2, 3) if in_shard(a, (i, 3))] for a in ids]
    assert all(len(o) == 1 for o in owners)
    assert {o[0] for o in owners} == {1, 2, 3}
    digests = [_digest(workspace, "--shard", f"{i}/3") for i in (1, 2, 3)]
    seen = [a["account_id"] for d in digests for a in d["accounts"]]
    assert sorted(seen) == sorted(DEMO_IDS)
    assert _scan(workspace, "--shard", "4/3")[0] == 1


def test_one_failing_source_stays_with_its_account(workspace: Path) -> None:
    book = json.loads((workspace / "book.json").read_text())
    for row in book:
        if row["account_id"] == "quarrystone":
            row["lever"] = "quarrystone-gone"  # not in the cache, so offline it fails
    (workspace / "book.json").write_text(json.dumps(book))
    code, out, err = _scan(workspace, "--format", "json")
    assert code == 0
    errors = {a["account_id"]: a["errors"] for a in json.loads(out)["accounts"]}
    assert len(errors["quarrystone"]) == 1 and errors["quarrystone"][0].startswith("lever: ")
    assert "offline and not in cache" in errors["quarrystone"][0]
    assert errors["larkspur-home"] == errors["meridian-health"] == []
    assert "quarrystone: lever:" in " ".join(err.split())


def _subprocess_scan(
    home: Path, out: Path, hook: str, die: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env["DOSSIER_SLACK_WEBHOOK_URL"] = hook
    if die is not None:
        env[DIE_AFTER_ENV] = die
    command = "from agent.cli import app; app()"
    args = ["--home", str(home), "scan", "--offline", "--notify", "slack", "--format", "json"]
    return subprocess.run(
        [sys.executable, "-c", command, *args, "-o", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("die", ["1", "alerts"])
def test_killed_scan_then_rerun_reports_each_signal_once(
    workspace: Path, tmp_path: Path, webhook: ReplayServer, die: str
) -> None:
    control = Path(shutil.copytree(workspace, tmp_path / "control"))
    with ReplayServer() as control_hook:
        control_hook.route("/hook", Reply(200, b"ok", "text/plain"))
        whole = _subprocess_scan(control, tmp_path / "whole.json", control_hook.url("/hook"))
        assert whole.returncode == 0, whole.stderr
        expected = _reported(json.loads((tmp_path / "whole.json").read_text()))

    killed = _subprocess_scan(workspace, tmp_path / "killed.json", webhook.url("/hook"), die)
    assert killed.returncode == -9, killed.stderr
    # The digest is written before alerts, so a run killed after alerting left one.
    killed_digest = tmp_path / "killed.json"
    assert killed_digest.is_file() == (die == "alerts")
    sent_before = len(_posts(webhook))
    assert sent_before == (1 if die == "alerts" else 0)

    rerun = _subprocess_scan(workspace, tmp_path / "rerun.json", webhook.url("/hook"))
    assert rerun.returncode == 0, rerun.stderr
    reported = _reported(json.loads((tmp_path / "rerun.json").read_text()))
    assert sorted(reported) == sorted(expected) and len(set(reported)) == len(reported)
    assert len(_posts(webhook)) == 1  # the killed run's alert is not sent twice

    third = _subprocess_scan(workspace, tmp_path / "third.json", webhook.url("/hook"))
    assert third.returncode == 0, third.stderr
    assert _reported(json.loads((tmp_path / "third.json").read_text())) == []
    assert len(_posts(webhook)) == 1


def test_a_completed_scan_keeps_its_digest_for_the_web_and_mcp(workspace: Path) -> None:
    """`dossier scan` keeps the last completed digest; a dry run or a backtest leaves it."""
    settings = load_settings(home=workspace)
    assert load_digest(settings) is None
    first = _digest(workspace)
    kept = load_digest(settings)
    assert kept is not None and kept.run_id == first["run_id"]
    _digest(workspace, "--dry-run")
    _digest(workspace, "--as-of", "2026-11-01")
    after = load_digest(settings)
    assert after is not None and after.run_id == first["run_id"]
