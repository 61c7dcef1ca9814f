"""The web app's templates: autoescaped, control characters dropped from every value, and a
link only to an http(s) address (the same rules as the brief's own HTML page)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from agent.render.escape import printable, web_url
from agent.render.footnotes import persona_title
from agent.schemas import Evidence
from agent.web.footnotes import source_url


@cache
def environment() -> Environment:
    """The templates of the web app's pages."""
    env = Environment(
        loader=PackageLoader("agent.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.globals.update(
        link=web_url, source_url=source_url, persona_title=persona_title, by_source=by_source
    )
    env.filters["day"] = _day
    return env


def page(name: str, **values: Any) -> str:
    """A page rendered from its template."""
    return environment().get_template(name).render(**values)


def by_source(evidence: Iterable[Evidence]) -> list[tuple[str, list[str]]]:
    """Evidence grouped by source, in the order first cited: each source once, its quotes."""
    grouped: dict[str, list[str]] = {}
    for item in evidence:
        quotes = grouped.setdefault(item.source_id, [])
        if item.quote not in quotes:
            quotes.append(item.quote)
    return list(grouped.items())


def _day(value: date | datetime | None) -> str:
    """A date as YYYY-MM-DD, or an em dash when unknown."""
    if value is None:
        return "—"
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _finalize(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value
