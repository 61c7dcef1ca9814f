"""The regression gate: the real eval cases must score at or above every floor in
evals/baseline.json (`make test` runs this with the rest of pytest)."""

from __future__ import annotations

import pytest

from evals.metrics import GATED
from evals.run import (
    BASELINE_FILE,
    CASES_DIR,
    LLM_BASELINE_FILE,
    below_floor,
    case_dirs,
    llm_settings,
    load_floors,
    run_cases,
)


def test_every_overall_metric_meets_its_floor() -> None:
    if not CASES_DIR.is_dir() or not case_dirs(CASES_DIR):
        pytest.skip(f"no eval cases in {CASES_DIR} yet")
    floors = load_floors(BASELINE_FILE)
    assert floors, f"{BASELINE_FILE} has no floors; run `dossier eval --write-baseline`"
    assert set(floors) <= set(GATED), f"unknown metrics in {BASELINE_FILE}"
    report = run_cases(CASES_DIR)
    errors = [f"{c.case_id}: {c.error}" for c in report.cases if c.error]
    assert not errors, errors
    unmeasured = [name for name in floors if report.overall.get(name) is None]
    assert not unmeasured, f"floored metrics no case scores any more: {unmeasured}"
    assert below_floor(report.overall, floors) == []


def test_llm_path_meets_its_floors_through_the_scripted_model_server() -> None:
    """The same cases down the LLM path: real HTTP to a local OpenAI-compatible server whose
    echo model writes from the prompt, with a fabricated quote in every third first draft."""
    floors = load_floors(LLM_BASELINE_FILE)
    assert floors
    with llm_settings("scripted") as overrides:
        report = run_cases(CASES_DIR, overrides)
    errors = [f"{c.case_id}: {c.error}" for c in report.cases if c.error]
    assert not errors, errors
    assert below_floor(report.overall, floors) == []
    assert all(c.metrics["tokens"] for c in report.cases), "every brief records its tokens"
