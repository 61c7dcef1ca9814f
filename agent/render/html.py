"""A self-contained HTML page (jinja2, autoescaped)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from agent.render.footnotes import marks, persona_title, source_numbers
from agent.schemas import Briefing


@cache
def environment() -> Environment:
    """The templates of every HTML page dossier writes (briefs, scan digests)."""
    return Environment(
        loader=PackageLoader("agent.render", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(briefing: Briefing) -> str:
    """The briefing as one HTML page with no external resources."""
    template = environment().get_template("brief.html.j2")
    numbers = source_numbers(briefing)
    return template.render(
        b=briefing,
        numbers=numbers,
        marks=lambda evidence: marks(evidence, numbers),
        persona_title=persona_title,
        link=_link,
    )


def _link(url: str | None) -> str | None:
    """Only web addresses become links: a `javascript:` URL from a fetched page must not."""
    return url if url and url.startswith(("http://", "https://")) else None
