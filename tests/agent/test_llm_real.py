"""LLM mode against a real model: the cached local llama.cpp server and Qwen2.5-Coder 1.5B.

Runs only where `python -m agent.local_model build` has cached the server and the model (it
says so plainly, as a skip reason and a warning, where they are missing): the server starts
on a free loopback port with its own run folder, and one brief of the demo account (with a
planted instruction in its store) runs through `agent.pipeline.brief` with the model's
research step on (offline: a fetch the model asks for fails as a gap, the store search runs).
Checked: a brief comes out, every quote verifies in its source, the planted instruction is
not repeated, and the research step ran or stopped by its own rules. Whether the model's
brief or the extractive fallback came out, and the tokens and seconds, are printed (`-s`).
"""

from __future__ import annotations

import shutil
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.book import find_account
from agent.config import load_settings
from agent.deps import Deps
from agent.local_model import server
from agent.local_model.build import verify_model
from agent.local_model.spec import DEFAULT_MODEL, MODELS, Layout, cache_root
from agent.pipeline import brief
from agent.render import render
from agent.schemas import BriefRequest
from agent.validate import grounding_errors
from tests.agent.llm_fakes import ACCOUNT, NOW, PLANTED, plant_instruction

# Read at import: the autouse clean_env fixture removes DOSSIER_* variables before each test.
LAYOUT = Layout(cache_root())
SPEC = MODELS[DEFAULT_MODEL]
MISSING = [
    name
    for name, path in (("server", LAYOUT.server_binary), ("model", LAYOUT.model_file(SPEC)))
    if not path.is_file()
]
SKIPPED = (
    f"real-model test SKIPPED: no cached {' or '.join(MISSING)} under {LAYOUT.root}; "
    "build them with `python -m agent.local_model build`"
)
if MISSING:
    warnings.warn(SKIPPED, stacklevel=1)
pytestmark = pytest.mark.skipif(bool(MISSING), reason=SKIPPED)

#: How the research step may end (agent/llm/research_agent.py).
KNOWN_STOPS = {"model stopped", "layers covered", "step limit", "token budget"}


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[server.ServerState]:
    """The cached server on a free loopback port, stopped after the module's tests."""
    verify_model(LAYOUT.model_file(SPEC), SPEC)  # a tampered model fails the test, never runs
    # One reply may write at most 1,024 tokens here (about two minutes on 2 cores), so a
    # model that loops costs the suite minutes, not the whole context.
    config = server.config_for(LAYOUT, SPEC, port=server.free_port(), threads=1, max_tokens=1024)
    run_dir = tmp_path_factory.mktemp("local-model-run")
    state = server.start(config, run_dir, log=print)
    try:
        yield state
    finally:
        server.stop(run_dir, log=print)


def test_brief_with_the_local_model_quotes_only_its_sources(
    local_server: server.ServerState, demo_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    planted_id = plant_instruction(home, tmp_path)
    # the settings `make llm-local` prints (the compact-JSON grammar among them)
    settings = {**server.settings_for(local_server), "llm_retries": 0, "llm_max_steps": 2}
    config = load_settings(home, **settings)
    deps = Deps.build(config, clock=lambda: NOW, offline=True)
    request = BriefRequest(account_id=ACCOUNT, purpose="prep for a call with the new CFO")
    started = time.perf_counter()
    with deps.http:
        briefing = brief(deps, find_account(config, ACCOUNT), request)
    seconds = time.perf_counter() - started
    meta = briefing.metadata

    assert grounding_errors(briefing, deps.store.source_texts(ACCOUNT)) == []
    assert briefing.all_evidence(), "the brief quotes nothing"
    assert "double the current price" not in render(briefing, "json")
    assert all(e.quote != PLANTED for _, e in briefing.all_evidence())
    assert meta.get("research_stop") in KNOWN_STOPS or "llm_error" in meta
    print(
        f"\nreal model {local_server.alias}: mode={briefing.mode} in {seconds:.0f} s, "
        f"prompt={meta.get('prompt_tokens')} completion={meta.get('completion_tokens')} tokens, "
        f"research={meta.get('research_calls')} ({meta.get('research_stop')}), "
        f"repairs={meta.get('repair_rounds')}, dropped={meta.get('dropped')}, "
        f"planted source={planted_id}, error={meta.get('llm_error')}"
    )
