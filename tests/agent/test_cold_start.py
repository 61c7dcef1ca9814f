"""A cold `dossier` loads only what the command needs: `--help` and registering the commands
load no store, model, database, web server or source tool (asserted on modules, never on time)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import get_args

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
for args in json.loads(sys.argv[1]):
    try:
        app(args, prog_name="dossier")
    except SystemExit:
        pass
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy)))
"""


def _loaded(*runs: list[str]) -> list[str]:
    """The heavy modules a fresh interpreter holds after importing the CLI and running each
    argument list in turn."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(runs), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_nothing_heavy() -> None:
    assert _loaded() == []


def test_help_loads_nothing_heavy() -> None:
    """`dossier --help` and each command's help, one interpreter for all (modules add up)."""
    commands = ["demo", "add", "sources", "research", "brief", "scan", "signals", "eval"]
    commands += ["serve", "mcp", "prep"]
    helps = [["--help"], *([c, "--help"] for c in commands)]
    helps += [["book", "import", "--help"], ["book", "list", "--help"]]
    helps += [["seller", "show", "--help"], ["seller", "check", "--help"]]
    assert _loaded(*helps) == []


def test_the_cli_format_choices_are_the_renderers() -> None:
    """The commands spell `--format` and `--llm` without loading what they choose between."""
    from agent.commands.common import Format
    from agent.commands.eval import LlmChoice
    from agent.render import Format as RenderFormat
    from agent.scan.digest import DigestFormat
    from evals.run import LlmPath

    assert set(get_args(Format)) == set(get_args(RenderFormat)) == set(get_args(DigestFormat))
    assert set(get_args(LlmChoice)) == set(get_args(LlmPath))
