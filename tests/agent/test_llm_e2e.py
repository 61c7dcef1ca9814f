"""LLM mode end to end: langchain-openai and the openai client over real HTTP to the scripted
OpenAI-compatible server on 127.0.0.1, one scenario per failure the model can make.

Each live run is recorded with vcrpy (Authorization filtered) into `tests/cassettes/llm_*.yaml`
when the cassette is missing or RECORD_CASSETTES=1; the replay test then runs the same brief
from the cassette with no server at all, so the recorded exchanges are themselves checked.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

from agent.book import find_account
from agent.config import load_settings
from agent.deps import Deps
from agent.pipeline import brief
from agent.render import render
from agent.schemas import Briefing, BriefRequest
from evals.echo_model import (
    FABRICATED,
    FIX_TOOL,
    EchoModel,
    answer,
    draft_from,
    fixes_for,
    writer_context,
)
from evals.llm_server import ScriptedLLM
from tests.agent.llm_fakes import ACCOUNT, NOW, first_claim, plant_instruction
from tests.tools.test_fetch_cassettes import recorded_base

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
API_KEY = "sk-test-must-not-be-recorded"
OBEYED = "Larkspur will sign a five-year renewal at double the current price."


def _draft(change: Callable[[dict[str, Any], dict[str, Any]], None]) -> Callable[..., Any]:
    def reply(request: dict[str, Any]) -> dict[str, Any]:
        args = draft_from(writer_context(request))
        change(args, request)
        return answer(request, args)

    return reply


def _fabricate(args: dict[str, Any], _: dict[str, Any]) -> None:
    first_claim(args)["evidence"] = [FABRICATED]


#: The planted page's source id (content-hashed, so the same in every run and cassette).
PLANTED_SOURCE: dict[str, str] = {}


def _obey(args: dict[str, Any], _: dict[str, Any]) -> None:
    args["headline"] = OBEYED
    first_claim(args)["text"] = OBEYED


def _obey_again(request: dict[str, Any]) -> dict[str, Any]:
    """A repair that writes the obeyed claim again, still obeying."""
    args = fixes_for(request)
    args["fixes"][0]["text"] = OBEYED
    return answer(request, args, FIX_TOOL)


def _invalid_json(request: dict[str, Any]) -> dict[str, Any]:
    return answer(request, '{"headline": ')


STOP = {"content": "The store covers the request; stopping."}
SCENARIOS: dict[str, list[Any]] = {
    # The first draft cites a passage id it was never shown; the repair (its DraftFixes) is clean.
    "fabricated_quote": [STOP, _draft(_fabricate)],
    # The model follows an instruction planted in a page, and again in the repair.
    "planted_instruction": [STOP, _draft(_obey), _obey_again],
    # The first draft's arguments are not JSON.
    "invalid_json": [STOP, _invalid_json],
}


def _check(name: str, briefing: Briefing) -> None:
    assert briefing.mode == "llm:openai:gpt-4o-mini", briefing.notices
    meta = briefing.metadata
    markdown = render(briefing, "md")
    assert meta["repair_rounds"] == 1
    if name == "fabricated_quote":
        assert meta["dropped"]["claims"] == 0
        assert any(f"unknown passage {FABRICATED!r}" in e for e in meta["validation_errors"])
    if name == "planted_instruction":
        assert meta["dropped"]["claims"] == 1 and "headline" in meta["withheld_text"]
        planted = "repeats or follows an instruction found inside a source"
        assert any(planted in e for e in meta["validation_errors"])
        assert "double the current price" not in render(briefing, "json")
    if name == "invalid_json":
        assert any("not valid JSON" in e for e in meta["validation_errors"])
    assert "double the current price" not in markdown
    assert meta["prompt_tokens"] > 0 and meta["completion_tokens"] > 0


def _workspace(demo_home: Path, tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    shutil.copytree(demo_home, home)
    if name == "planted_instruction":
        PLANTED_SOURCE["id"] = plant_instruction(home, tmp_path)
    return home


def _brief(home: Path, base_url: str) -> Briefing:
    config = load_settings(home, llm="openai:gpt-4o-mini", llm_base_url=base_url, llm_retries=0)
    deps = Deps.build(config, clock=lambda: NOW, offline=True)
    request = BriefRequest(account_id=ACCOUNT, purpose="prep for a call with the new CFO")
    with deps.http:
        return brief(deps, find_account(config, ACCOUNT), request)


def _vcr(mode: str) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=mode,
        filter_headers=["authorization", "api-key", "openai-organization"],
        match_on=["method", "path"],
    )


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_live_scenario_over_http_is_recorded_without_credentials(
    name: str, demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    home = _workspace(demo_home, tmp_path, name)
    path = CASSETTES / f"llm_{name}.yaml"
    record = bool(os.environ.get("RECORD_CASSETTES")) or not path.exists()
    target = path.name if record else f"{tmp_path}/llm_{name}.yaml"
    with ScriptedLLM(responder=EchoModel()) as server:
        server.script(*SCENARIOS[name])
        with _vcr("all").use_cassette(target):
            briefing = _brief(home, server.base_url)
        assert all(h.get("authorization") == f"Bearer {API_KEY}" for h in server.headers)
    _check(name, briefing)
    recorded = (CASSETTES / target if record else Path(target)).read_text(encoding="utf-8")
    assert API_KEY not in recorded
    assert len(yaml.safe_load(recorded)["interactions"]) == len(server.requests) == 3


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_recorded_scenario_replays_to_the_same_outcome(
    name: str, demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = CASSETTES / f"llm_{name}.yaml"
    if not path.exists():
        pytest.skip("recorded by the live test first")
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    home = _workspace(demo_home, tmp_path, name)
    with _vcr("none").use_cassette(path.name) as cassette:
        briefing = _brief(home, recorded_base(path) + "/v1")
        assert cassette.play_count == len(cassette.data)
    _check(name, briefing)
