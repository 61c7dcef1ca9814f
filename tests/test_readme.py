"""The README's quick-start commands run, in order, against a fresh workspace."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app

README = Path(__file__).parents[1] / "README.md"


def quick_start_commands() -> list[list[str]]:
    """The commands of the first code block under '## Quick start', as dossier arguments."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "README has a quick-start code block"
    commands = []
    for line in block.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line == "make demo":
            commands.append(["demo"])
            continue
        words = shlex.split(line)
        assert words[0] == ".venv/bin/dossier", f"unexpected quick-start line {line!r}"
        commands.append(words[1:])
    return commands


def test_readme_starts_with_the_two_setup_commands() -> None:
    first_block = README.read_text(encoding="utf-8").split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()] == [
        "make demo",
        "make test",
    ]


def test_quick_start_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    commands = quick_start_commands()
    assert commands[0] == ["demo"] and len(commands) >= 3
    for args in commands:
        result = CliRunner().invoke(app, ["--home", str(tmp_path / ".dossier"), *args])
        assert result.exit_code == 0, f"dossier {' '.join(args)}: {result.output}"
    assert (tmp_path / "brief.json").is_file()
