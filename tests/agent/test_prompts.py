"""Prompt files: placeholders filled exactly, literal braces kept, bad files refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.errors import ConfigError
from prompts import load_prompt

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.mark.parametrize("name", ["research", "brief_system", "brief_context", "repair"])
def test_real_prompts_fill_with_exactly_their_fields(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.fields
    text = prompt.fill(**{field: f"<{field} value>" for field in prompt.fields})
    assert not _PLACEHOLDER.search(text)
    for field in prompt.fields:
        assert f"<{field} value>" in text


def test_missing_and_extra_values_name_the_field() -> None:
    prompt = load_prompt("repair")
    values = dict.fromkeys(prompt.fields, "x")
    missing = sorted(prompt.fields)[0]
    with pytest.raises(ConfigError, match=missing):
        prompt.fill(**{k: v for k, v in values.items() if k != missing})
    with pytest.raises(ConfigError, match="surplus"):
        prompt.fill(**values, surplus="x")


def test_double_braces_stay_literal(tmp_path: Path) -> None:
    (tmp_path / "literal.md").write_text("Reply as {{literal}} JSON for {account}.\n")
    prompt = load_prompt("literal", tmp_path)
    assert prompt.fields == {"account"}
    assert prompt.fill(account="Acme") == "Reply as {literal} JSON for Acme.\n"


@pytest.mark.parametrize("body", ["{a.b}", "{0}", "{}", "open { here", "{a[0]}"])
def test_malformed_placeholder_is_a_config_error(tmp_path: Path, body: str) -> None:
    (tmp_path / "bad.md").write_text(f"Text {body} more.\n")
    with pytest.raises(ConfigError, match="bad"):
        load_prompt("bad", tmp_path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="absent"):
        load_prompt("absent", tmp_path)


def test_hash_is_short_hex_and_follows_the_text(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for folder, text in ((first, "Hello {name}.\n"), (second, "Hello, {name}.\n")):
        folder.mkdir()
        (folder / "greet.md").write_text(text)
    a, b = load_prompt("greet", first), load_prompt("greet", second)
    assert re.fullmatch(r"[0-9a-f]{16}", a.sha256)
    assert a.sha256 != b.sha256
