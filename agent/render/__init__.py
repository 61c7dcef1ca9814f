"""Briefings rendered for people (Markdown, HTML) and programs (JSON)."""

from __future__ import annotations

from typing import Literal

from agent.render.html import to_html
from agent.render.json import to_json
from agent.render.markdown import to_markdown
from agent.schemas import Briefing

Format = Literal["md", "json", "html"]


def render(briefing: Briefing, fmt: Format) -> str:
    """The briefing in the requested format."""
    if fmt == "json":
        return to_json(briefing)
    if fmt == "html":
        return to_html(briefing)
    return to_markdown(briefing)
