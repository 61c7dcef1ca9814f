"""The brief as `agent.render` writes it, made into part of an account page: each footnote
links to its source with the quotes of the statement it marks, so a click shows the quoted
sentence highlighted in its context.

The rendered brief marks a statement with `[n]`, the number of a cited source. Which quote it
stands for is found from the briefing itself: any part of it that carries evidence (a claim, a
signal, a stakeholder, a value message, and whatever sections the renderer adds later) is a
statement, and the one whose words the footnote's list item, row or paragraph holds is the
one cited. When none is found, the footnote shows every quote the brief takes from that source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from lxml import html as lxml_html
from pydantic import BaseModel

from agent.render import render
from agent.render.footnotes import source_numbers
from agent.schemas import Briefing, Evidence
from agent.validate import fold

_FOOTNOTE = re.compile(r"^#s(\d+)$")
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_BODY = re.compile(r"<body>(.*)</body>", re.DOTALL)
_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_COMMENTS = re.compile(r"/\*.*?\*/", re.DOTALL)
#: At-rules with a block of rules inside (@media, @supports): nested braces, left out.
_AT_RULES = re.compile(r"@[^{;]+(?:;|\{(?:[^{}]*\{[^{}]*\})*[^{}]*\})")
#: The elements that hold one statement and its footnotes, nearest first.
_STATEMENT_TAGS = ("li", "tr", "p", "dd", "blockquote")
#: Shorter strings of a statement ("red", "new") say nothing about which statement it is.
_MIN_WORDS = 6


@dataclass(frozen=True)
class Statement:
    """A part of the briefing that cites sources: its words and its evidence."""

    words: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class BriefFragment:
    """The rendered brief's style rules and body, ready to sit inside an account page."""

    style: str
    body: str


def brief_fragment(briefing: Briefing, account_id: str) -> BriefFragment:
    """The brief rendered by `agent.render` as HTML, its footnotes linked to the quotes."""
    page = render(briefing, "html")
    style = _STYLE.search(page)
    body = _BODY.search(page)
    return BriefFragment(
        style=scoped(style.group(1), ".brief") if style else "",
        body=link_footnotes(body.group(1) if body else page, briefing, account_id),
    )


def scoped(css: str, scope: str) -> str:
    """The brief page's style rules made to apply inside `scope` only (`body` becomes the
    scope itself); at-rules are left out, the page's own style covers what they did."""
    css = _AT_RULES.sub("", _COMMENTS.sub("", css))
    rules = []
    for selectors, declarations in _RULE.findall(css):
        parts = [_scoped_selector(s.strip(), scope) for s in selectors.split(",") if s.strip()]
        rules.append(f"{', '.join(parts)} {{{declarations}}}")
    return "\n".join(rules)


def _scoped_selector(selector: str, scope: str) -> str:
    if selector in ("body", "html", ":root"):
        return scope
    return f"{scope} {selector}"


def source_url(account_id: str, source_id: str, quotes: list[str]) -> str:
    """The page of a stored source with these quotes highlighted."""
    query = urlencode([("q", q) for q in quotes])
    return f"/accounts/{account_id}/sources/{source_id}" + (f"?{query}" if query else "")


def link_footnotes(fragment: str, briefing: Briefing, account_id: str) -> str:
    """The brief's HTML with each `[n]` footnote pointing at its source and quotes."""
    ids = {n: i for i, n in source_numbers(briefing).items()}
    statements = list(_statements(briefing))
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for link in root.iter("a"):
        found = _FOOTNOTE.match(link.get("href", ""))
        if found is None or int(found.group(1)) not in ids:
            continue
        source_id = ids[int(found.group(1))]
        holder = _holder(link)
        words = fold(holder.text_content()) if holder is not None else ""
        quotes = _quotes_for(statements, source_id, words)
        link.set("href", source_url(account_id, source_id, quotes))
        link.set("class", "fn")
        link.set("data-source", source_id)
    for item in root.iter("li"):
        number = (item.get("id") or "").removeprefix("s")
        if number.isdigit() and int(number) in ids:
            wrapper = lxml_html.Element("span", {"class": "open-source"})
            wrapper.text = " · "
            opener = lxml_html.Element("a", {"href": source_url(account_id, ids[int(number)], [])})
            opener.text = "stored text"
            wrapper.append(opener)
            item.append(wrapper)
    inner = [lxml_html.tostring(child, encoding="unicode") for child in root]
    return (root.text or "") + "".join(inner)


def _holder(link: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The nearest element around a footnote that holds one statement."""
    for ancestor in link.iterancestors():
        if ancestor.tag in _STATEMENT_TAGS:
            return ancestor
    return None


def _quotes_for(statements: list[Statement], source_id: str, words: str) -> list[str]:
    """The quotes from `source_id` of the statement whose words the footnote's holder shows
    (the longest such words win); every quote from that source when no statement fits."""
    best: tuple[int, Statement] | None = None
    for statement in statements:
        if not any(e.source_id == source_id for e in statement.evidence):
            continue
        shown = [len(w) for w in statement.words if len(w) >= _MIN_WORDS and w in words]
        if shown and (best is None or max(shown) > best[0]):
            best = (max(shown), statement)
    chosen = [best[1]] if best else statements
    quotes = [e.quote for s in chosen for e in s.evidence if e.source_id == source_id]
    return list(dict.fromkeys(quotes))


def _statements(model: BaseModel) -> Iterator[Statement]:
    """Every part of the briefing that carries evidence, with the words it shows."""
    evidence: list[Evidence] = []
    words: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str):
            words.append(fold(value))
        elif isinstance(value, Evidence):
            evidence.append(value)
        elif isinstance(value, list) and value and all(isinstance(v, Evidence) for v in value):
            evidence += value
        elif isinstance(value, BaseModel):
            yield from _statements(value)
        elif isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    yield from _statements(item)
        elif isinstance(value, dict):
            for item in value.values():
                if isinstance(item, BaseModel):
                    yield from _statements(item)
    if evidence:
        yield Statement(words=tuple(words), evidence=tuple(evidence))
