"""Terminal escape sequences and control characters removed from text that came from outside:
one place for every title, text and line dossier stores or shows."""

from __future__ import annotations

import re

_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)|.?)"
    r"|\x9b[0-?]*[ -/]*[@-~]?",
    re.DOTALL,
)
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # \t \n \v \f \r are whitespace


def strip_controls(text: str) -> str:
    """Text without terminal escape sequences and control characters other than whitespace."""
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)
