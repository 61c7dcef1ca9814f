"""The command line through Typer's runner: outputs, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.commands.demo import demo_files
from agent.schemas import Briefing

runner = CliRunner()
TRANSCRIPT = """Acme Corp Q2 2026 Earnings Call
July 30, 2026

Prepared Remarks

Operator
Good day and welcome to the Acme Corp second quarter call.

Jane Doe -- Chief Financial Officer
Revenue grew 12% to $410 million, and gross margin expanded to 48% on better pricing.
Our top priority for next year is to grow subscription revenue while holding operating costs flat.

Questions and Answers

Sam Lee -- Northfield Capital -- Analyst
How do you think about pricing next year?

Jane Doe -- Chief Financial Officer
We expect pricing to hold, and we will keep investing in the product.
"""


def invoke(home: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "book", "add", "sources", "research", "brief", "signals"):
        assert command in result.stdout


def test_demo_prints_a_markdown_brief(demo_home: Path) -> None:
    code, out, _ = invoke(demo_home, "demo")
    assert code == 0
    assert out.startswith("# Larkspur Home, Inc. — account brief")
    for section in ("## Commercial", "## Competitive", "## Ecosystem", "## Internal", "## Sources"):
        assert section in out


def test_readding_the_demo_changes_nothing(demo_home: Path) -> None:
    before = json.loads(invoke(demo_home, "sources", "larkspur-home", "--format", "json")[1])
    local = [str(p) for p in demo_files("larkspur-home")]
    code, out, _ = invoke(demo_home, "add", "larkspur-home", *local)
    assert code == 0
    assert " 0 new, 0 updated" in out
    after = json.loads(invoke(demo_home, "sources", "larkspur-home", "--format", "json")[1])
    assert after == before


def test_sources_json_carries_full_texts(demo_home: Path) -> None:
    code, out, _ = invoke(demo_home, "sources", "larkspur-home", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["account_id"] == "larkspur-home"
    assert payload["sources"] and all(s["text"] for s in payload["sources"])


def test_brief_json_is_the_schema_and_every_quote_verifies(demo_home: Path) -> None:
    code, out, _ = invoke(demo_home, "brief", "Larkspur Home", "--format", "json", "-p", "finance")
    assert code == 0
    texts = {
        s["id"]: s["text"]
        for s in json.loads(invoke(demo_home, "sources", "larkspur-home", "--format", "json")[1])[
            "sources"
        ]
    }
    briefing = Briefing.model_validate(json.loads(out), context={"source_texts": texts})
    assert [m.persona.value for m in briefing.messages] == ["finance"]


def test_brief_to_html_file(demo_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "brief.html"
    code, _, _ = invoke(
        demo_home, "brief", "meridian-health", "--format", "html", "-o", str(target)
    )
    assert code == 0
    page = target.read_text()
    assert page.startswith("<!doctype html>") and "Meridian Health" in page


def test_unknown_account_is_one_line_without_traceback(home: Path) -> None:
    code, out, err = invoke(home, "brief", "nobody")
    assert code == 1
    assert err.strip().count("\n") == 0
    assert "no account 'nobody'" in err and "Traceback" not in err + out


def test_wrong_usage_exits_2(home: Path) -> None:
    assert invoke(home, "brief", "x", "--format", "pdf")[0] == 2


def test_bad_inputs_are_reported_and_good_ones_kept(home: Path, tmp_path: Path) -> None:
    good = tmp_path / "acme_q2_call.txt"
    good.write_text(TRANSCRIPT)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02\xff" * 100)
    unknown = tmp_path / "data.json"
    unknown.write_text('{"hello": "world"}')
    code, out, err = invoke(
        home, "add", "Acme Corp", str(empty), str(binary), str(good), str(unknown)
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert all(line.startswith("error: ") for line in lines)
    assert "empty.txt" in lines[0] and "blob.bin" in lines[1] and "data.json" in lines[2]
    assert "acme-corp: 1 new" in out
    code, out, _ = invoke(home, "sources", "acme-corp", "--format", "json")
    kinds = [s["kind"] for s in json.loads(out)["sources"]]
    assert kinds == ["earnings_call"]


def test_the_executable_keeps_what_a_command_wrote(home: Path, tmp_path: Path) -> None:
    """`dossier` is `run`, which exits without the last garbage collection: what one process
    adds (sources, index) must be there for the next, and the exit code is the command's."""
    call = tmp_path / "acme_q2_call.txt"
    call.write_text(TRANSCRIPT)

    def dossier(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "from agent.cli import run; run()", "--home", str(home)]
        return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)

    added = dossier("add", "Acme Corp", str(call))
    assert added.returncode == 0, added.stderr
    briefed = dossier("brief", "acme-corp", "--offline", "--format", "json")
    assert briefed.returncode == 0, briefed.stderr
    brief = Briefing.model_validate_json(briefed.stdout)
    layers = [layer for _, layer in brief.layers.items()]
    quotes = [e.quote for layer in layers for claim in layer.claims for e in claim.evidence]
    assert any("Revenue grew 12%" in quote for quote in quotes)
    assert dossier("brief", "nobody").returncode == 1


def test_brief_of_an_account_with_no_sources_says_so(home: Path) -> None:
    invoke(home, "add", "Empty Co", str(Path(__file__)))  # a .py file: unknown format
    code, out, _ = invoke(home, "brief", "empty-co", "--format", "json")
    assert code == 0
    briefing = Briefing.model_validate_json(out)
    for _, layer in briefing.layers.items():
        assert layer.claims == [] and layer.gaps and layer.questions
    assert briefing.source_gaps


def test_an_unusable_model_falls_back_to_extractive_with_a_notice(
    demo_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_LLM", "nosuchprovider:some-model")
    code, out, err = invoke(demo_home, "brief", "quarrystone", "--format", "json", "-v")
    assert code == 0
    assert "LLM mode failed" in err and "nosuchprovider" in err
    briefing = Briefing.model_validate_json(out)
    assert briefing.mode == "extractive" and briefing.notices
    assert "mode: extractive" in err, "--verbose prints the accounting"


def test_signals_json_shape_and_triage(demo_home: Path) -> None:
    code, out, _ = invoke(demo_home, "signals", "larkspur-home", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["account_id"] == "larkspur-home"
    types = {s["type"] for s in payload["signals"]}
    assert {"executive_departure", "champion_departure", "seat_limit", "tech_stack"} <= types
    assert payload["triage"]["status"] == "red" and payload["triage"]["expansion"] is True
    code, out, _ = invoke(demo_home, "signals", "quarrystone")
    assert code == 0 and "Quarrystone Logistics" in out


def test_brief_carries_signals_triage_and_crm_roles(demo_home: Path) -> None:
    code, out, _ = invoke(demo_home, "brief", "larkspur-home", "--format", "json")
    assert code == 0
    briefing = Briefing.model_validate_json(out)
    assert briefing.triage is not None and briefing.triage.status == "red"
    assert any(s.type.value == "champion_departure" for s in briefing.signals)
    roles = {p.name: p.role for p in briefing.stakeholders}
    assert roles.get("Rahul Mehta") == "executive_sponsor"
    marcus = next(p for p in briefing.stakeholders if p.name == "Marcus Bell")
    assert marcus.status == "departed" and marcus.role == "champion"
    for msg in briefing.messages:
        assert "champion_departure" not in msg.message and "seats" not in msg.message.casefold()


def test_brief_says_what_changed_since_the_last_one(demo_home: Path, tmp_path: Path) -> None:
    import shutil

    home = tmp_path / "copy"
    shutil.copytree(demo_home, home)
    (home / "ledger.sqlite").unlink(missing_ok=True)  # other tests brief the shared workspace
    code, out, err = invoke(home, "brief", "quarrystone", "-f", "json")
    assert code == 0, err
    first = Briefing.model_validate_json(out)
    assert first.changes is not None and first.changes.previous_brief_at is None
    code, out, err = invoke(home, "brief", "quarrystone", "-f", "json")
    assert code == 0, err
    second = Briefing.model_validate_json(out)
    assert second.changes is not None and second.changes.previous_brief_at is not None
    assert second.changes.new_signals == []
    usage = home / "crm" / "usage.json"
    saved = usage.read_bytes()
    usage.unlink()  # the seat-limit triggers go away ...
    code, out, _ = invoke(home, "brief", "quarrystone")
    assert code == 0 and "## Since your last brief" in out and "No new signals." in out
    usage.write_bytes(saved)  # ... and come back: new since the last brief
    code, out, _ = invoke(home, "brief", "quarrystone", "-f", "json")
    changes = Briefing.model_validate_json(out).changes
    assert changes is not None and {s.type.value for s in changes.new_signals} == {"seat_limit"}
