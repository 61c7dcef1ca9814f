"""The YAML reader: libyaml's speed, the safe loader's types."""

from __future__ import annotations

import pytest
import yaml

from knowledge.yaml_text import load_yaml


def test_reads_what_the_safe_loader_reads() -> None:
    text = "layers:\n  - name: commercial\n    examples: [\"Revenue grew 12%.\", 'Guidance: $2B']\n"
    assert load_yaml(text) == yaml.safe_load(text)
    assert load_yaml(text)["layers"][0]["examples"] == ["Revenue grew 12%.", "Guidance: $2B"]


def test_refuses_python_objects() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("!!python/object/apply:os.system ['true']")


def test_malformed_yaml_says_where() -> None:
    with pytest.raises(yaml.YAMLError, match="line 2"):
        load_yaml("a: [1, 2\nb: 3\n")
