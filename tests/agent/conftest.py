"""A demo workspace built once per test session through the real CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the bundled demo book, built with `dossier demo`."""
    home = tmp_path_factory.mktemp("demo-home")
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("DOSSIER_")}
    try:
        result = CliRunner().invoke(app, ["--home", str(home), "demo", "--format", "json"])
    finally:
        os.environ.update(saved)
    assert result.exit_code == 0, result.output
    return home
