"""A self-contained HTML page (jinja2, autoescaped)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from agent.render.escape import printable, web_url
from agent.render.footnotes import marks, persona_title, source_numbers
from agent.schemas import Briefing
from knowledge.retrieve import kind_titles


@cache
def environment() -> Environment:
    """The templates of every HTML page dossier writes (briefs, scan digests).

    Every value is autoescaped, control characters are dropped from it, and `link` gives
    an href only for an http(s) address.
    """
    env = Environment(
        loader=PackageLoader("agent.render", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.globals["link"] = web_url
    return env


def to_html(briefing: Briefing) -> str:
    """The briefing as one HTML page with no external resources."""
    template = environment().get_template("brief.html.j2")
    numbers = source_numbers(briefing)
    return template.render(
        b=briefing,
        numbers=numbers,
        marks=lambda evidence: marks(evidence, numbers),
        persona_title=persona_title,
        titles=kind_titles(),
    )


def _finalize(value: object) -> object:
    """Each printed value without control characters (markup is autoescaped after this)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value
