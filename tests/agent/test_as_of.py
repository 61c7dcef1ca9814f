"""`--as-of DATE`: brief, signals and scan read the store as it stood on that day."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from agent.cli import app
from agent.commands.common import parse_as_of
from agent.schemas import Briefing
from knowledge.store import stood_by
from tests.factories import make_source

runner = CliRunner()
#: The day before the demo's news of Marcus Bell's departure (published 2026-11-12).
BEFORE_DEPARTURE = "2026-11-11"


def invoke(home: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def _published(home: Path, account: str) -> dict[str, datetime | None]:
    code, out, _ = invoke(home, "sources", account, "--format", "json")
    assert code == 0
    payload = json.loads(out)
    rows = payload if isinstance(payload, list) else payload["sources"]
    return {
        s["id"]: datetime.fromisoformat(s["published_at"]) if s["published_at"] else None
        for s in rows
    }


def test_a_day_is_read_to_its_end_and_a_time_in_utc() -> None:
    assert parse_as_of("2026-11-11") == datetime(2026, 11, 11, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_as_of("2026-11-11T10:00:00+02:00") == datetime(2026, 11, 11, 8, tzinfo=UTC)
    assert parse_as_of("2026-11-11T10:00") == datetime(2026, 11, 11, 10, tzinfo=UTC)
    with pytest.raises(typer.BadParameter):
        parse_as_of("last tuesday")


def test_a_source_stood_by_its_publication_else_its_retrieval() -> None:
    day = datetime(2026, 1, 10, tzinfo=UTC)
    dated = make_source(
        "x",
        id="n1",
        account_id="a",
        published_at=datetime(2026, 1, 5, tzinfo=UTC),
        retrieved_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert stood_by(dated, day)  # public by then, though fetched later: a backtest reads it
    undated = dated.model_copy(update={"published_at": None})
    assert not stood_by(undated, day)
    assert stood_by(undated, datetime(2026, 3, 2, tzinfo=UTC))


def test_signals_as_of_a_past_day_cite_only_what_was_public(demo_home: Path) -> None:
    published = _published(demo_home, "larkspur-home")
    cutoff = parse_as_of(BEFORE_DEPARTURE)
    code, out, err = invoke(
        demo_home, "signals", "larkspur-home", "-f", "json", "--as-of", BEFORE_DEPARTURE
    )
    assert code == 0, err
    signals = json.loads(out)["signals"]
    cited = {e["source_id"] for s in signals for e in s["evidence"]}
    assert cited and all((published[i] or cutoff) <= cutoff for i in cited)
    code, out, _ = invoke(demo_home, "signals", "larkspur-home", "-f", "json")
    today = {e["source_id"] for s in json.loads(out)["signals"] for e in s["evidence"]}
    assert any((published[i] or cutoff) > cutoff for i in today), "today's read sees more"


def test_a_brief_as_of_a_past_day_is_dated_then_and_fetches_nothing(demo_home: Path) -> None:
    cutoff = parse_as_of(BEFORE_DEPARTURE)
    code, out, err = invoke(
        demo_home, "brief", "larkspur-home", "-f", "json", "--as-of", BEFORE_DEPARTURE
    )
    assert code == 0, err
    briefing = Briefing.model_validate_json(out)
    assert briefing.generated_at == cutoff
    assert briefing.sources and all(
        s.published_at is None or s.published_at <= cutoff for s in briefing.sources
    )
    assert "Marcus Bell to leave" not in out


def test_a_scan_as_of_a_past_day_reports_nothing(demo_home: Path, tmp_path: Path) -> None:
    import shutil

    home = tmp_path / "copy"
    shutil.copytree(demo_home, home)
    args = ("scan", "larkspur-home", "-f", "json", "--offline", "--as-of", BEFORE_DEPARTURE)
    code, out, err = invoke(home, *args)
    assert code == 0, err
    first = json.loads(out)["accounts"][0]
    assert first["new_signals"] and not first["errors"]
    code, out, _ = invoke(home, *args)
    again = json.loads(out)["accounts"][0]
    assert len(again["new_signals"]) == len(first["new_signals"]), "a backtest marks nothing"


def test_a_bad_date_is_a_usage_error(demo_home: Path) -> None:
    code, _, err = invoke(demo_home, "brief", "larkspur-home", "--as-of", "soon")
    assert code == 2
    assert "not a date" in err
