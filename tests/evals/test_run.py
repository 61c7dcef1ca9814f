"""The harness end to end on two tiny cases: one good, one with a wrong expectation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import FetchError, ParseError
from agent.pipeline import brief as real_brief
from agent.schemas import Claim, Evidence
from agent.synthesize.finish import validated
from evals import run
from evals.run import load_case, run_case, run_cases

CASES = Path(__file__).parents[1] / "fixtures" / "eval_cases"
GOOD = CASES / "good-northwind"
WRONG = CASES / "wrong-expectation"


@pytest.fixture(scope="module")
def report() -> run.EvalReport:
    """Both fixture cases, run once for the module."""
    return run_cases(CASES)


def test_good_case_scores_every_expectation(report: run.EvalReport) -> None:
    good = next(c for c in report.cases if c.case_id == "good-northwind")
    assert good.error is None and good.warnings == []
    scored = {k: v for k, v in good.metrics.items() if v is not None}
    assert scored.pop("latency_ms") > 0
    assert scored.pop("tokens") == 0
    assert set(scored.values()) == {1.0}
    assert good.metrics["abstention"] is None
    assert good.signals_by_type["seat_limit"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_wrong_expectations_turn_their_metrics_red(report: run.EvalReport) -> None:
    wrong = next(c for c in report.cases if c.case_id == "wrong-expectation")
    assert wrong.metrics["fact_recall"] == pytest.approx(2 / 3)
    assert wrong.facts_by_layer == {"commercial": 1.0, "ecosystem": 0.5}
    assert wrong.metrics["injection_resistance"] == pytest.approx(2 / 3)
    assert report.overall["fact_recall"] == pytest.approx(5 / 6)
    floors = {"fact_recall": 1.0, "injection_resistance": 1.0, "grounding_rate": 1.0}
    assert run.below_floor(report.overall, floors) == [
        "fact_recall 0.833 < 1.00",
        "injection_resistance 0.833 < 1.00",
    ]


def test_cases_run_in_name_order(report: run.EvalReport) -> None:
    assert [c.case_id for c in report.cases] == ["good-northwind", "wrong-expectation"]


def test_environment_does_not_leak_into_a_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_CLAIMS_PER_LAYER", "1")
    monkeypatch.setenv("DOSSIER_LLM", "openai:gpt-4o-mini")
    monkeypatch.setenv("DOSSIER_CHROMA_URL", "http://chroma.internal:8000")
    settings = run.eval_settings(Path("/nonexistent"))
    assert settings.claims_per_layer == 5 and settings.llm is None
    assert settings.chroma_url is None and settings.home == Path("/nonexistent")
    assert run.eval_settings(Path("/x"), {"claims_per_layer": 2}).claims_per_layer == 2


def test_an_invalid_brief_scores_schema_zero_and_is_still_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fabricating(deps: Any, account: Any, request: Any) -> Any:
        draft = real_brief(deps, account, request)
        fake = Evidence(source_id=draft.sources[0].id, quote="we will triple prices")
        draft.layers.commercial.claims.append(Claim(text="Made up.", evidence=[fake]))
        sources = {s.id: s for s in deps.store.sources(account.account_id)}
        return validated(draft, account, sources)

    monkeypatch.setattr(run, "brief", fabricating)
    result = run_case(load_case(GOOD))
    assert result.metrics["schema_validity"] == 0.0
    assert result.error and "not found in source" in result.error
    grounding = result.metrics["grounding_rate"]
    assert grounding is not None and grounding < 1.0


def test_a_failed_brief_never_crashes_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*_: Any) -> Any:
        raise FetchError("store unreachable")

    monkeypatch.setattr(run, "brief", failing)
    result = run_case(load_case(GOOD))
    assert result.metrics["schema_validity"] == 0.0
    assert result.error == "store unreachable"
    assert result.metrics["grounding_rate"] is None


def _case(tmp_path: Path, account: str, expected: str = "") -> Path:
    case = tmp_path / "cases" / "broken"
    case.mkdir(parents=True)
    (case / "account.yaml").write_text(account, encoding="utf-8")
    if expected:
        (case / "expected.yaml").write_text(expected, encoding="utf-8")
    return case


ACCOUNT = "as_of: 2026-11-23T12:00:00Z\naccount: {account_id: acme, name: Acme}\n"


@pytest.mark.parametrize(
    ("account", "expected", "says"),
    [
        ("account: {account_id: acme, name: Acme}\n", "", "account.yaml: as_of: Field required"),
        (ACCOUNT, "signals: [rumour]\n", "expected.yaml: signals.0.type"),
        (ACCOUNT, "facts: {pricing: [x]}\n", "expected.yaml: facts.pricing"),
        (
            ACCOUNT,
            "forbidden: ['/(unclosed/']\n",
            "expected.yaml: top level: Value error, bad regex",
        ),
        (
            ACCOUNT + "crm: {usage: [{active_users: 3}]}\n",
            "",
            "account.yaml: crm.usage.0.date: Field required",
        ),
        (ACCOUNT + "kinds: {gone.txt: news}\n", "", "kinds names files not in sources/"),
        ("as_of: [\n", "", "account.yaml: not YAML"),
    ],
)
def test_a_malformed_case_is_one_error_naming_the_file(
    tmp_path: Path, account: str, expected: str, says: str
) -> None:
    case = _case(tmp_path, account, expected)
    with pytest.raises(ParseError, match=None) as caught:
        load_case(case)
    message = str(caught.value)
    assert message.startswith(str(case)) and says in message and "\n" not in message


def _baseline(tmp_path: Path, floors: dict[str, float]) -> Path:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"floors": floors}), encoding="utf-8")
    return path


def test_cli_exits_1_naming_the_metric_below_its_floor(tmp_path: Path) -> None:
    baseline = _baseline(tmp_path, {"fact_recall": 0.9, "grounding_rate": 1.0})
    args = ["eval", "--cases", str(CASES), "--baseline", str(baseline), "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "error: below floor: fact_recall 0.833 < 0.90"
    payload = json.loads(result.stdout)
    assert set(payload) == {"cases", "overall", "floors", "failures"}
    assert payload["failures"] == ["fact_recall 0.833 < 0.90"]


def test_cli_with_the_real_baseline_fails_on_the_wrong_expectation() -> None:
    result = CliRunner().invoke(app, ["eval", "--cases", str(CASES)])
    assert result.exit_code == 1
    assert "injection_resistance" in result.stderr
    assert "wrong-expectation" in result.stdout and "overall" in result.stdout


def test_cli_passes_the_good_case_and_writes_the_scorecard(tmp_path: Path) -> None:
    only_good = tmp_path / "cases"
    only_good.mkdir()
    (only_good / "good").symlink_to(GOOD, target_is_directory=True)
    baseline = _baseline(tmp_path, {"fact_recall": 1.0, "signal_f1": 1.0})
    out = tmp_path / "card.txt"
    args = ["eval", "--cases", str(only_good), "--baseline", str(baseline), "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    card = out.read_text(encoding="utf-8")
    assert "good" in card and "floor" in card and "\x1b[" not in card


def test_write_baseline_refuses_to_lower_a_floor(tmp_path: Path) -> None:
    baseline = _baseline(tmp_path, {"fact_recall": 0.95})
    args = ["eval", "--cases", str(CASES), "--baseline", str(baseline), "--write-baseline"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 1
    assert "refusing to lower floors (fact_recall 0.95 -> 0.83)" in refused.stderr
    assert json.loads(baseline.read_text())["floors"] == {"fact_recall": 0.95}

    allowed = CliRunner().invoke(app, [*args, "--allow-regression"])
    assert allowed.exit_code == 0, allowed.stderr
    written = json.loads(baseline.read_text())
    assert written["floors"]["fact_recall"] == 0.83
    assert written["floors"]["grounding_rate"] == 1.0
    assert "latency_ms" not in written["floors"] and "measured_on" in written


def test_dossier_llm_does_not_leak_into_the_extractive_eval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_LLM", "nosuchprovider:some-model")
    baseline = _baseline(tmp_path, {})
    result = CliRunner().invoke(
        app, ["eval", "--cases", str(GOOD.parent), "--baseline", str(baseline)]
    )
    assert result.exit_code == 0, result.stderr
    assert "LLM mode failed" not in result.stderr
