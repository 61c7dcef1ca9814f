"""Prompts as files: `prompts/<name>.md`, each with `{placeholder}` fields.

A prompt is filled only when the values given are exactly its placeholders: a missing one
would send a literal `{name}` to the model and an extra one means the file and the code have
drifted apart, so both are errors. Each prompt's hash goes into the brief's metadata, so a
brief can be traced to the exact wording that produced it.
"""

from __future__ import annotations

import functools
import hashlib
import string
from dataclasses import dataclass
from pathlib import Path

from agent.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Prompt:
    """One prompt file: its name, its text, its placeholders and a short content hash."""

    name: str
    template: str
    fields: frozenset[str]
    sha256: str

    def fill(self, **values: object) -> str:
        """The prompt with every placeholder replaced; the values must match exactly."""
        given = set(values)
        missing = sorted(self.fields - given)
        extra = sorted(given - self.fields)
        if missing or extra:
            parts = [
                f"missing {missing}" if missing else "",
                f"unexpected {extra}" if extra else "",
            ]
            raise ConfigError(f"prompt {self.name!r}: " + ", ".join(p for p in parts if p))
        return self.template.format(**{k: str(v) for k, v in values.items()})


@functools.cache
def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> Prompt:
    """The prompt `<folder>/<name>.md`; a missing file or a malformed placeholder is an error."""
    path = folder / f"{name}.md"
    try:
        template = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"prompt {name!r}: cannot read {path}: {exc.strerror or exc}") from exc
    return Prompt(
        name=name,
        template=template,
        fields=frozenset(_placeholders(name, template)),
        sha256=hashlib.sha256(template.encode("utf-8")).hexdigest()[:16],
    )


def _placeholders(name: str, template: str) -> set[str]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(f"prompt {name!r}: {exc}") from exc
    fields = {field for _, field, _, _ in parsed if field is not None}
    plain = all(not spec and not conversion for _, f, spec, conversion in parsed if f is not None)
    if "" in fields or any(not f.isidentifier() for f in fields) or not plain:
        raise ConfigError(f"prompt {name!r}: placeholders must be bare names, e.g. {{account}}")
    return fields
