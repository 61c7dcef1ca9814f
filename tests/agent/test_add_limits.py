"""`dossier add` refuses a file over the workspace's size limit in one line, keeping the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app


def test_the_size_limit_comes_from_the_settings(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big_note.md"
    big.write_text("# Call notes\n" + "The renewal is on track. " * 200, encoding="utf-8")
    small = tmp_path / "small_note.md"
    small.write_text("# Call notes\nThe champion asked for a QBR in March.\n", encoding="utf-8")
    monkeypatch.setenv("DOSSIER_MAX_FILE_MB", "0.001")
    result = CliRunner().invoke(app, ["--home", str(home), "add", "acme", str(big), str(small)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "big_note.md" in line]
    assert len(lines) == 1 and "DOSSIER_MAX_FILE_MB" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    listed = CliRunner().invoke(app, ["--home", str(home), "sources", "acme"])
    assert "Call notes" in listed.stdout, "the file within the limit was still added"
