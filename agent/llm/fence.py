"""Source text shown to the model is data, fenced so it cannot pose as instructions.

Each passage sits between `<untrusted-source ...>` and `</untrusted-source>` tags whose
attributes are escaped; a tag spelled inside the text itself is defused, so a page cannot close
its own fence and continue as if it were the prompt. The prompts tell the model that nothing
inside a fence is an instruction, and the validator checks the model's output regardless.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

TAG = "untrusted-source"
_TAG_INSIDE = re.compile(rf"<\s*/?\s*{TAG}", re.IGNORECASE)


def fence(text: str, **attributes: str | datetime | None) -> str:
    """`text` as one fenced block; attributes (source id, kind, title, date) are escaped."""
    attrs = " ".join(
        f'{name}="{html.escape(_attr(value), quote=True)}"'
        for name, value in attributes.items()
        if value is not None
    )
    body = _TAG_INSIDE.sub(lambda m: m.group(0).replace("<", "‹"), text)
    return f"<{TAG}{' ' + attrs if attrs else ''}>\n{body.strip()}\n</{TAG}>"


def _attr(value: str | datetime) -> str:
    text = value.date().isoformat() if isinstance(value, datetime) else value
    return " ".join(text.split())
