"""Settings: defaults, dossier.toml in the workspace, DOSSIER_* variables win."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_settings
from agent.errors import ConfigError


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.home == Path(".dossier")
    assert settings.llm is None
    assert settings.sec_data_url == "https://data.sec.gov"


def test_toml_then_environment(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    (home / "dossier.toml").write_text('claims_per_layer = 6\ngdelt_url = "http://127.0.0.1:9"\n')
    assert load_settings(home).claims_per_layer == 6
    monkeypatch.setenv("DOSSIER_CLAIMS_PER_LAYER", "3")
    settings = load_settings(home)
    assert settings.claims_per_layer == 3
    assert settings.gdelt_url == "http://127.0.0.1:9"


def test_home_from_environment_reads_its_toml(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    (home / "dossier.toml").write_text("[dossier]\nmin_claims_per_layer = 3\n")
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    settings = load_settings()
    assert settings.home == home
    assert settings.min_claims_per_layer == 3


def test_bad_value_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("DOSSIER_CLAIMS_PER_LAYER", "many")
    with pytest.raises(ConfigError, match="claims_per_layer"):
        load_settings(home)


def test_broken_toml_is_one_clear_error(home: Path) -> None:
    (home / "dossier.toml").write_text("claims_per_layer = [")
    with pytest.raises(ConfigError, match=r"dossier\.toml"):
        load_settings(home)
