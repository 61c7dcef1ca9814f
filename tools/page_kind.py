"""What a page is, from its markup and visible text alone: a news article, a press release
(a wire release, a company's own newsroom or blog post), another web page, or a stand-in for
the page (a bot check, a cookie wall, a paywall stub)."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Literal
from urllib.parse import urlsplit

from tools.page_dates import WIRE_DATELINE
from tools.page_meta import Page, fold, lines_after_headline, page_title, site_names

Genre = Literal["article", "press_release"]

_ARTICLE_OG_TYPES = frozenset({"article", "articles", "news", "newsarticle", "blog", "blogpost"})
_WIRE_HOSTS = (
    "prnewswire.com", "prnewswire.co.uk", "globenewswire.com", "businesswire.com",
    "marketwired.com", "accesswire.com", "newswire.ca", "prweb.com", "einpresswire.com",
    "newsfilecorp.com", "newswire.com",
)  # fmt: skip
_PRESS_PATH = re.compile(
    r"/(?:news|press|newsroom|pressroom|(?:press|news)-?releases?|media|media-?cent(?:er|re)"
    r"|blog|blogs"
    r"|stories|announcements?|news-and-events|[\w-]*-news)/(?=.)",
    re.IGNORECASE,
)
_PRESS_HOSTS = ("news.", "press.", "newsroom.", "blog.", "media.", "investor.", "investors.", "ir.")
# pages a company keeps about itself, never news even when the CMS calls them articles
_NOT_NEWS_PATH = re.compile(
    r"/(?:about(?:-us)?|company|team|leadership|careers?|jobs|contact(?:-us)?|products?"
    r"|solutions|pricing|services|platform|features|customers|partners|legal|privacy|terms)"
    r"(?:/|\.html?|$)",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"^About (?P<name>\w[\w&.,'’ -]{0,60}?)\s*:?$")
# the closing paragraph of a company's release: "Acme is a leading provider of ..."
_SELF_DESCRIPTION = re.compile(
    r"^(?P<name>[\w&.’'-]+(?: [\w&.’'-]+){0,3}),? (?:\([^)]{1,60}\) )?is (?:a|an|the) "
    r"(?:[\w'’-]+ ){0,6}(?:provider|company|leader|platform|developer|maker|manufacturer"
    r"|supplier|firm|group|organi[sz]ation|bank|retailer|network|specialist|pioneer"
    r"|innovator|operator)\b",
    re.IGNORECASE,
)
_CHALLENGE_TITLE = re.compile(
    r"^(?:just a moment|attention required|access denied|are you a robot|robot check"
    r"|security check|one more step|please wait|verifying you are human|pardon our interruption"
    r"|ddos-guard|checking your browser|human verification)\b",
    re.IGNORECASE,
)
# the challenge page's own markers; Cloudflare also injects challenge-platform/scripts/jsd
# into ordinary pages, so that path alone says nothing
_CHALLENGE_MARKUP = re.compile(
    r"cf-browser-verification|_cf_chl_opt|cf-challenge|/cdn-cgi/challenge-platform/h/"
    r"|captcha-delivery\.com|px-captcha|_Incapsula_Resource"
    r"|Checking your browser before accessing|Enable JavaScript and cookies to continue",
    re.IGNORECASE,
)
_CAPTCHA = re.compile(r"\bcaptcha\b|not a robot|verify (?:that )?you are (?:a )?human", re.I)
_COOKIE_WALL = re.compile(
    r"\bcookies?\b|\bconsent\b|accept all|reject all|manage (?:your )?(?:preferences|choices"
    r"|options|settings)|privacy settings|we and our partners|before you continue",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"subscribe to (?:continue|keep) reading|to continue reading|subscribers? only"
    r"|already a subscriber|reached your (?:free )?(?:article|story) limit"
    r"|sign in to (?:continue|keep) reading|create a free account to (?:continue|read)"
    r"|(?:article|story|content) is (?:only )?(?:available|reserved) (?:to|for) (?:paying )?"
    r"(?:subscribers|members)|unlock (?:this|the full) (?:article|story)",
    re.IGNORECASE,
)


def _has_about_boilerplate(page: Page, lines: list[str]) -> bool:
    """An "About <Company>" heading followed by a paragraph on that company, where the company
    is in the headline or is the site (an author's bio box names neither)."""
    subject = fold(page_title(page)) + " " + " ".join(fold(s) for s in site_names(page))
    for heading, after in pairwise(lines):
        m = _ABOUT.match(heading)
        if not m:
            continue
        name = m["name"].strip().rstrip(".:")
        first = fold(name.split()[0]) if name.split() else ""
        if len(first) >= 2 and first in subject and fold(after).startswith(fold(name)[:6]):
            return True
    return False


def _self_description(page: Page, lines: list[str]) -> bool:
    """A company page's closing "<Company> is a ... provider" paragraph, where the company is
    in the headline (read only on pages without article metadata: a company's CMS page; a news
    site marks its articles, and its stories often describe a company that way)."""
    title = fold(page_title(page))
    for line in lines[3:]:
        m = _SELF_DESCRIPTION.match(line)
        if m and len(fold(m["name"])) >= 3 and fold(m["name"]) in title:
            return True
    return False


def _own_newsroom(page: Page, lines: list[str]) -> bool:
    """A post under a news/press/blog path of a site that names itself in the headline or in
    the first paragraph of the post."""
    on_press_path = any(_PRESS_PATH.search(urlsplit(url).path) for url in page.urls)
    own_host = page.host.startswith(_PRESS_HOSTS)
    if not on_press_path and not own_host:
        return False
    title = fold(page_title(page))
    opening = fold(" ".join([line for line in lines if len(line.split()) >= 8][:2]))
    for name in site_names(page):
        core = fold(re.sub(r"(?i)^the |\b(?:blog|news|newsroom|press)$", "", name.strip()))
        if len(core) >= 3 and (core in title or core in opening):
            return True
    return False


def is_wire_release(page: Page, lines: list[str]) -> bool:
    """A wire service's page, or a release whose dateline names the wire."""
    host = page.host
    if any(host == h or host.endswith("." + h) for h in _WIRE_HOSTS):
        return True
    return any(WIRE_DATELINE.search(line[:240]) for line in lines[:40])


def genre(page: Page, dated: bool) -> Genre | None:
    """ "press_release", "article", or None for a page that is not news (`dated`: the page has
    a publication date, which a press release found from its text alone must have)."""
    lines = lines_after_headline(page)
    og_type = (page.first("og:type") or "").strip().lower()
    paths = [urlsplit(url).path for url in page.urls]
    # a CMS's og:type "article" on its About or product page is not an article
    company_page = any(_NOT_NEWS_PATH.search(p) and not _PRESS_PATH.search(p) for p in paths)
    marked = (
        page.article_ld is not None
        or (og_type in _ARTICLE_OG_TYPES and not company_page)
        or page.first("article:published_time") is not None
    )
    # a dated story under its headline reads as an article even without article metadata
    prose = sum(len(ln.split()) for ln in lines[:80] if len(ln.split()) >= 12)
    article = marked or (dated and prose >= 100 and not company_page)
    lines = lines or page.lines
    press = (
        is_wire_release(page, lines)
        or _has_about_boilerplate(page, lines)
        or _own_newsroom(page, lines)
        or (not marked and _self_description(page, lines))
    )
    if press and (article or dated):
        return "press_release"
    return "article" if article else None


def blocked_reason(page: Page, body: str) -> str | None:
    """Why a page stands in for the article (a bot check, a captcha, a cookie wall, a paywall
    stub), or None for a page that carries its content."""
    words = len(body.split())
    title = page.soup.title.get_text(" ", strip=True) if page.soup.title else ""
    if words < 250 and (_CHALLENGE_TITLE.match(title) or _CHALLENGE_MARKUP.search(page.html)):
        return f"a bot check ({title!r})" if title else "a bot check"
    if words < 100 and _CAPTCHA.search(page.text):
        return "a captcha"
    # a consent page's own text is what an extractor takes for the body, or nothing is left
    consent = {m.lower() for m in _COOKIE_WALL.findall(body if words >= 30 else page.text)}
    if words < 100 and len(consent) >= 2:
        return "a cookie wall"
    if words < 100 and (found := _PAYWALL.search(page.text)):
        return f"a paywall stub ({found.group(0)!r} and no article text)"
    return None
