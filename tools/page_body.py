"""The article's own words from a page: trafilatura over a tree without rails, teasers, promos
and hidden modals, then a line-level clean-up, the standfirst and lede put back, the rest of a
body split across sibling containers joined on, and the article element as the fallback when
the extractor loses the body.

trafilatura runs in its balanced mode: on real publisher pages `favor_precision` dropped whole
bodies (a Barron's article came back as its reprint notice) and a company's denial quoted in a
TNW article, and `favor_recall` dropped that quote too while adding bylines and widgets.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml import html as lxml_html
from trafilatura.utils import load_html

from tools.base import clean_text, html_to_text
from tools.page_meta import Page, fold, headline, is_furniture

_HIDDEN_CLASSES = frozenset({"hide", "hidden", "is-hidden", "d-none", "visually-hidden"})
_KEEP_TAGS = frozenset({"html", "body", "main", "article", "head"})
_TEASER = re.compile(
    r"^(?:read more|related(?: articles?| stories| content| coverage| links)?|see also"
    r"|also read|read also|read next|up next|more from [^:]{1,40}|recommended(?: for you)?"
    r"|you (?:may|might) also like|most popular|trending(?: now)?|more stories"
    r"|further reading|editor'?s picks?|next (?:story|post|article)"
    r"|previous (?:story|post|article))\b(?:\s*$|\s*[:»›|>–—-]\s*(?P<rest>.*)$)",
    re.IGNORECASE,
)
_FURNITURE_LINE = re.compile(
    r"^(?:advertisement(?: - scroll to continue)?|order reprints?|print(?: article| this)?"
    r"|share(?: this)?(?: article| story)?|text size|comments?|e-?mail|tweet|facebook|linkedin"
    r"|whatsapp|copy link|save(?: article)?|thank you\.?|loading\.*|skip to (?:main )?content"
    r"|back to top|an error has occurred.*|this (?:article|story) has been (?:sent|shared).*"
    r"|(?:main |top )?image credit:.*|https?://\S+)$",
    re.IGNORECASE,
)
# "Copyright 2026 ...", not "Copyright claims against the company rose ..."
_COPYRIGHT = re.compile(
    r"^(?:copyright\s*(?:©|\(c\)|\d{4}|$)|©|\(c\)\s)|all rights reserved\.?$", re.IGNORECASE
)
# newsletter, donation and reprint boxes: appeals to the reader, never the article's news
_PROMO = re.compile(
    r"\b(?:(?:sign up|subscribe) (?:for|to) (?:our|the) [\w ]{0,30}newsletters?"
    r"|join our [\w ]{0,30}newsletters?|(?:offer|lend|give) us a hand|please help us"
    r"|support (?:us|our|independent) (?:for|journalism|work|reporting)|donate (?:now|today)"
    r"|make a (?:donation|contribution)(?: today| now|\s*[.!]|$)|become a (?:supporter|patron)"
    r"|become a member (?:today|now)|via paypal"
    r"|your (?:critical |generous )?(?:contribution|donation|gift) (?:enables|helps|allows)"
    r"|every (?:gift|donation|contribution)\b|non-commercial use only)",
    re.IGNORECASE,
)
# class words of a container that holds article text (a sibling of the same class holds more)
_BODY_CLASS = re.compile(r"body|content|text|para|story|article|entry|post|copy", re.IGNORECASE)
# how far above the extracted paragraphs a split body's repeated container may sit
_SPLIT_LEVELS = 3
# a byline or a row of article metadata ("By A. Writer | Agency – 2 hrs ago"), not a standfirst
_BYLINE = re.compile(r"^(?:by|posted|published|updated|written by)\b|\s[|•·]\s", re.IGNORECASE)
_QUOTED = re.compile(r"[“\"].*\b(?:said|says|added|told)\b|\b(?:said|says)\b.*[“\"]")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")


@dataclass
class Body:
    """The article text and what the extractor read about its author and site."""

    text: str
    author: str | None = None
    sitename: str | None = None


def _is_hidden(element: Any) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    classes = set((element.get("class") or "").lower().split())
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
        or bool(classes & _HIDDEN_CLASSES)
    )


def _holds_article(element: Any, title: str, visible: int) -> bool:
    """An element that must stay: it holds the headline, the article body element, three
    paragraphs of prose, or a large share of the page's visible text."""
    if element.get("itemprop") == "articleBody" or element.find(".//h1") is not None:
        return True
    if element.xpath('.//*[@itemprop="articleBody"]'):
        return True
    text = element.text_content()
    if len(text) > 0.3 * visible or (title and title in fold(text)):
        return True
    prose = [p for p in element.iter("p") if len(p.text_content().split()) >= 25]
    return len(prose) >= 3


def _prune(tree: Any, title: str, visible: int) -> None:
    """Drop page furniture (rails, teasers, promos, share modals, hidden blocks) that does not
    hold the article; `visible` is the length of the page's visible text."""
    doomed = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in _KEEP_TAGS:
            continue
        classes = f"{element.get('class') or ''} {element.get('id') or ''}"
        if not (is_furniture(classes) or _is_hidden(element)):
            continue
        if not _holds_article(element, title, max(1, visible)):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _container_text(page: Page) -> str:
    """The text of the page's article element (itemprop=articleBody, else the largest
    <article>), pruned: the fallback when the extractor loses the body."""
    tree = load_html(page.html)
    if tree is None:
        return ""
    _prune(tree, "", len(page.text))
    candidates = tree.xpath('//*[@itemprop="articleBody"]') or tree.xpath("//article")
    if not candidates:
        return ""
    return _element_text(max(candidates, key=lambda el: len(el.text_content())))


def _element_text(element: Any) -> str:
    return html_to_text(lxml_html.tostring(element, encoding="unicode"))


def _common_ancestor(elements: list[Any]) -> Any:
    """The innermost element holding all of `elements`."""
    chain = [*reversed(list(elements[0].iterancestors())), elements[0]]
    for element in elements[1:]:
        line = {element, *element.iterancestors()}
        while chain and chain[-1] not in line:
            chain.pop()
    return chain[-1] if chain else None


def _body_parts(container: Any) -> list[Any]:
    """The extracted container, or the run of same-tag, same-class siblings it belongs to: a
    body the CMS split around ad slots and inline teasers, or wrapped paragraph by paragraph
    (the extractor keeps only the first of them)."""
    unit = container
    for _ in range(_SPLIT_LEVELS):
        parent = unit.getparent()
        if parent is None or unit.tag in _KEEP_TAGS:
            break
        classes = unit.get("class") or ""
        if _BODY_CLASS.search(classes):
            twins = [el for el in _same_story(parent, unit) if el.get("class") == classes]
            if len(twins) > 1 and all(el.tag == unit.tag for el in twins):
                return twins
        unit = parent
    return [container]


def _same_story(parent: Any, unit: Any) -> list[Any]:
    """The children of `parent` between the headlines around `unit`: an endless-scroll page
    prints the next story below in the same markup, under a headline of its own."""
    story: list[Any] = []
    for child in parent:
        if child is not unit and (child.tag == "h1" or child.find(".//h1") is not None):
            if any(el is unit for el in story):
                break
            story = []
            continue
        story.append(child)
    return story


def _join_split_body(tree: Any, text: str) -> str:
    """The extracted text with the rest of a split body put in place, in page order."""
    folded = fold(text)
    kept = [
        el
        for el in tree.iter("p", "li", "blockquote", "div")
        if (el.tag != "div" or len((el.text or "").split()) >= 5)
        and len(words := fold(el.text_content())) >= 40
        and words in folded
    ]
    if not kept or (container := _common_ancestor(kept)) is None:
        return text
    parts = _body_parts(container)
    if len(parts) == 1:
        return text
    have = {fold(line) for line in text.split("\n")}
    joined: list[str] = []
    for part in parts:
        if part is container or part in container.iterancestors():
            joined.append(text)
            continue
        for line in _element_text(part).split("\n"):
            key = fold(line)
            if key and key not in have and not (len(key) >= 40 and key in folded):
                have.add(key)
                joined.append(line)
    return "\n".join(joined)


def _is_furniture(line: str) -> bool:
    stripped = line.strip().lstrip("-• ").strip()
    if not stripped:
        return False
    words = len(stripped.split())
    teaser = _TEASER.match(stripped)
    if teaser and len((teaser["rest"] or "").split()) <= 20:
        return True
    if _FURNITURE_LINE.match(stripped) or (words <= 30 and _COPYRIGHT.search(stripped)):
        return True
    # a quoted executive who thanks "those who support us" is the article, not an appeal
    return words <= 60 and bool(_PROMO.search(stripped)) and not _QUOTED.search(stripped)


def _is_link(page: Page, line: str) -> bool:
    """True when a line is the text of a link: a teaser, never the article's own words."""
    key = fold(line)
    return any(fold(a.get_text(" ", strip=True)) == key for a in page.soup.find_all("a"))


def _lede(page: Page, lines: list[str]) -> list[str]:
    """Paragraphs printed between the headline and the first extracted paragraph that the
    extractor dropped (a standfirst in a styled div, a lede outside any <p>); the line right
    under the headline is the standfirst even without a full stop (a deck, a wire release's
    subheadline), unless it is a link."""
    h1 = headline(page)
    first = next((line for line in lines if len(line.split()) >= 8), None)
    if h1 is None or first is None:
        return []
    title, target = fold(h1.get_text(" ", strip=True)), fold(first)
    page_folded = [fold(line) for line in page.lines]
    if target not in page_folded:
        return []
    end = page_folded.index(target)
    # the headline nearest above the body: a breadcrumb or a rail may repeat it further up
    starts = [i for i, folded in enumerate(page_folded[:end]) if folded == title]
    if not starts:
        return []
    start = starts[-1]
    have = {fold(line) for line in lines}
    between = zip(page.lines[start + 1 : end], page_folded[start + 1 : end], strict=True)
    return [
        line
        for index, (line, folded) in enumerate(between)
        if folded not in have
        and not line.startswith("- ")
        and not _is_furniture(line)
        and (
            (len(line.split()) >= 12 and _SENTENCE_END.search(line))
            or (
                index == 0
                and len(line.split()) >= 10
                and not _BYLINE.search(line)
                and not _is_link(page, line)
            )
        )
    ]


def article_body(page: Page) -> Body:
    """The article's paragraphs and tables, verbatim, without the page's furniture."""
    tree = load_html(page.html)
    h1 = headline(page)
    title = fold(h1.get_text(" ", strip=True)) if h1 is not None else ""
    document = None
    if tree is not None:
        _prune(tree, title, len(page.text))
        document = trafilatura.bare_extraction(
            deepcopy(tree),  # the extractor rewrites the tree it reads
            url=page.url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
        )
    text = clean_text(getattr(document, "text", None) or "")
    container = _container_text(page)
    if len(container) >= 300 and len(text) < 0.4 * len(container):
        text = container
    if tree is not None and text:
        text = _join_split_body(tree, text)
    lines = [line for line in text.split("\n") if not _is_furniture(line)]
    lines = _lede(page, lines) + lines
    return Body(
        clean_text("\n".join(lines)),
        author=getattr(document, "author", None),
        sitename=getattr(document, "sitename", None),
    )
