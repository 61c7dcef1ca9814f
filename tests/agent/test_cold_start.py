"""A cold `dossier` loads only what the command needs: `--help` and registering the commands
load no store, model, database, web server or source tool (asserted on modules, never on time)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import get_args

import pytest

#: What a brief, a scan or a server needs and `dossier --help` must not load.
HEAVY = (
    "chromadb",
    "onnxruntime",
    "numpy",
    "tokenizers",
    "starlette",
    "uvicorn",
    "mcp",
    "langchain",
    "langchain_core",
    "sqlalchemy",
    "jinja2",
    "bs4",
    "trafilatura",
    "httpx",
    "agent.deps",
    "agent.pipeline",
    "agent.render",
    "agent.scan",
    "agent.assess",
    "knowledge",
    "tools",
    "evals",
)

_PROBE = """
import json, sys
from agent.cli import app
args = json.loads(sys.argv[1])
if args:
    try:
        app(args, prog_name="dossier")
    except SystemExit:
        pass
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy)))
"""


def _loaded(args: list[str]) -> list[str]:
    """The heavy modules a fresh interpreter holds after importing the CLI and running `args`."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_nothing_heavy() -> None:
    assert _loaded([]) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["brief", "--help"],
        ["scan", "--help"],
        ["eval", "--help"],
        ["book", "list", "--help"],
        ["seller", "show", "--help"],
        ["serve", "--help"],
        ["prep", "--help"],
    ],
)
def test_help_loads_nothing_heavy(args: list[str]) -> None:
    assert _loaded(args) == []


def test_the_cli_format_choices_are_the_renderers() -> None:
    """The commands spell `--format` and `--llm` without loading what they choose between."""
    from agent.commands.common import Format
    from agent.commands.eval import LlmChoice
    from agent.render import Format as RenderFormat
    from agent.scan.digest import DigestFormat
    from evals.run import LlmPath

    assert set(get_args(Format)) == set(get_args(RenderFormat)) == set(get_args(DigestFormat))
    assert set(get_args(LlmChoice)) == set(get_args(LlmPath))
