"""Each tool replayed from its vcrpy cassette with no server running: the cassette is the test.

A missing cassette is recorded once from the replay server (or all of them again with
RECORD_CASSETTES=1). The replay server's port is random, so requests match on method, path and
query only, and the replay points the settings at the base URL the cassette recorded: the URLs
inside the recorded bodies (feed links, EDGAR folders) and the Source ids built from them come
out exactly as they were recorded.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import vcr
import yaml

from tests.replay_server import ReplayServer
from tests.tools.fetch_scenarios import SCENARIOS, make_context
from tools.registry import TOOLS
from tools.sources import Fetched

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
TOOL = {t.name: t for t in TOOLS}


def _vcr(mode: str) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=mode,
        filter_headers=["authorization", "cookie", "set-cookie"],
        match_on=["method", "path", "query"],
    )


def _fetch(tool: str, base: str, home: Path) -> Fetched:
    scenario = SCENARIOS[tool]
    ctx = make_context(home, base, max_items=scenario.max_items)
    return TOOL[tool].fetch(scenario.account(base), ctx)


def _record(tool: str, home: Path) -> None:
    with ReplayServer() as server:
        for target, replies in SCENARIOS[tool].routes(server.base_url).items():
            server.route(target, *replies)
        with _vcr("all").use_cassette(f"{tool}.yaml"):
            _fetch(tool, server.base_url, home)


def recorded_base(path: Path) -> str:
    """scheme://host:port of the first request a cassette recorded."""
    first = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"][0]
    parts = urlsplit(first["request"]["uri"])
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("tool", list(SCENARIOS))
def test_tool_replays_from_its_cassette(tool: str, tmp_path: Path) -> None:
    path = CASSETTES / f"{tool}.yaml"
    if os.environ.get("RECORD_CASSETTES") or not path.exists():
        _record(tool, tmp_path / "record")
    base = recorded_base(path)
    with _vcr("none").use_cassette(f"{tool}.yaml") as cassette:
        fetched = _fetch(tool, base, tmp_path / "replay")
        assert cassette.play_count == len(cassette.data)  # every recorded exchange was asked for
    SCENARIOS[tool].check(fetched, base)
    again = _fetch_replayed(tool, base, tmp_path / "again")
    assert [(s.id, s.text) for s in again.sources] == [(s.id, s.text) for s in fetched.sources]


def _fetch_replayed(tool: str, base: str, home: Path) -> Fetched:
    with _vcr("none").use_cassette(f"{tool}.yaml", allow_playback_repeats=True):
        return _fetch(tool, base, home)


def test_cassettes_hold_no_credentials() -> None:
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8").lower()
        assert "set-cookie" not in text and "authorization" not in text
