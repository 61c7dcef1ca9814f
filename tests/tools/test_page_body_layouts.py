"""Article bodies in the layouts news and press pages use: every sentence of the article is
stored (a standfirst under the headline, subheads, block quotes, list items, paragraphs in
plain divs, a body split around an ad slot or a figure), and the page's furniture still is not.

Every page is a short invented excerpt in the markup of a real layout family; the companies,
people and sentences are made up.
"""

from __future__ import annotations

from datetime import UTC, datetime

from agent.schemas import SourceKind
from tools.web import parse_page

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

LEAD = [
    "Tarnwick Logistics said on Tuesday it will close three of its eleven sorting centres and "
    "cut about 900 jobs as parcel volumes fall for a second year.",
    "The company told staff in a memo that the centres in Leeds, Bristol and Cardiff would shut "
    "by the end of March and that their work would move to its hub near Coventry.",
    "Chief executive Orla Brenning said the network was built for a pandemic peak that has not "
    "come back, and that the cuts would save about 40 million pounds a year.",
]
MORE = [
    "Analysts at Greyfield Partners said the savings would restore the margin the group lost "
    "last year, although the closures leave it more exposed to two large retail customers.",
    "Tarnwick also said it had hired Ravel Systems to replace the routing software in its "
    "remaining centres, a project it expects to finish before the peak season.",
]


def _page(body: str, title: str = "Tarnwick Logistics to close three sorting centres") -> str:
    head = (
        f"<title>{title} | The Freight Ledger</title>"
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2026-02-03T09:00:00+00:00">'
    )
    return f'<!DOCTYPE html><html lang="en"><head>{head}</head><body>{body}</body></html>'


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


NAV = (
    '<nav class="main-menu"><ul><li><a href="/markets">Markets</a></li>'
    '<li><a href="/freight">Freight</a></li><li><a href="/careers">Careers</a></li></ul></nav>'
)
RAIL = (
    '<section class="related-articles"><h3>Related Articles</h3><ul>'
    '<li><a href="/a">Holloway Air names a new chief financial officer</a></li>'
    '<li><a href="/b">Pembury Foods buys Castlegate Dairies for $300 million</a></li>'
    "</ul></section>"
)


def _parse(html: str) -> str:
    source = parse_page(html, "https://freightledger.example/2026/02/03/tarnwick", now=NOW)
    assert source.kind == SourceKind.news
    return source.text


def _assert_furniture_dropped(text: str) -> None:
    for furniture in ("Holloway Air", "Pembury Foods", "Careers", "Related Articles"):
        assert furniture not in text


def test_a_standfirst_under_the_headline_without_a_full_stop_is_kept() -> None:
    dek = (
        "“We built the network for a peak that never came back,” chief executive Orla Brenning "
        "told staff in a memo on Tuesday"
    )
    html = _page(
        NAV + '<main><section class="single-header"><h1>Tarnwick Logistics to close three '
        f'sorting centres</h1><p class="single-header-subheading">{dek}</p>'
        '<div class="byline">By Ada Quint</div><div class="date">February 3, 2026</div>'
        '</section><div class="single-content">' + _paragraphs(LEAD + MORE) + "</div></main>" + RAIL
    )
    text = _parse(html)
    assert dek in text
    assert all(p in text for p in LEAD + MORE)
    _assert_furniture_dropped(text)


def test_a_wire_release_subheadline_in_title_case_is_kept() -> None:
    subhead = (
        "Tarnwick Route Planner Combines Data From Depots, Vans and Customer Apps, Giving "
        "Shippers One View of Every Parcel"
    )
    html = _page(
        NAV + '<div class="main-container"><div class="main-header-container">'
        "<h1>Tarnwick Launches Route Planner for Regional Shippers</h1>"
        f"<p>{subhead}</p><p>February 03, 2026 09:00 ET | Source: Tarnwick</p></div>"
        '<div class="main-body-container"><div class="release">'
        + _paragraphs(LEAD + MORE)
        + "</div></div></div>"
        + RAIL,
        title="Tarnwick Launches Route Planner for Regional Shippers",
    )
    text = _parse(html)
    assert subhead in text
    assert all(p in text for p in LEAD + MORE)
    _assert_furniture_dropped(text)


def test_a_teaser_link_under_the_headline_is_not_a_standfirst() -> None:
    teaser = (
        "Holloway Air names a new chief financial officer as it prepares a listing in London "
        "next spring"
    )
    html = _page(
        NAV + "<article><h1>Tarnwick Logistics to close three sorting centres</h1>"
        f'<p><a href="/c">{teaser}</a></p><div class="entry-content">'
        + _paragraphs(LEAD + MORE)
        + "</div></article>"
        + RAIL
    )
    text = _parse(html)
    assert "Holloway Air" not in text
    assert all(p in text for p in LEAD + MORE)


def test_a_byline_under_the_headline_is_not_a_standfirst() -> None:
    byline = "By ADA QUINT and TOMAS REE - Freight Writers | Freight Wire – 2 hrs 5 mins ago"
    html = _page(
        NAV + '<div class="story"><h1>Tarnwick Logistics to close three sorting centres</h1>'
        f'<div class="byline">{byline}</div><div class="story-body">'
        + _paragraphs(LEAD + MORE)
        + "</div></div>"
        + RAIL
    )
    text = _parse(html)
    assert "ADA QUINT" not in text and "mins ago" not in text
    assert all(p in text for p in LEAD + MORE)


def test_subheads_block_quotes_and_list_items_of_the_body_are_kept() -> None:
    quote = (
        "We will keep every customer route running while the work moves, and nobody will see "
        "a late parcel because of it."
    )
    items = [
        "Leeds will close at the end of January, with its 300 staff offered roles at Coventry.",
        "Bristol and Cardiff will close in March after the new sorting lines are running.",
    ]
    html = _page(
        NAV + "<article><h1>Tarnwick Logistics to close three sorting centres</h1>"
        '<div class="entry-content">' + _paragraphs(LEAD[:2]) + "<h2>A smaller network</h2>"
        f"<blockquote><p>{quote}</p></blockquote>"
        + _paragraphs(LEAD[2:])
        + "<ul>"
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul>"
        + _paragraphs(MORE)
        + "</div></article>"
        + RAIL
    )
    text = _parse(html)
    assert quote in text
    assert all(item in text for item in items)
    assert all(p in text for p in LEAD + MORE)
    _assert_furniture_dropped(text)


def test_paragraphs_in_plain_divs_are_kept() -> None:
    html = _page(
        NAV + '<div id="story"><h1>Tarnwick Logistics to close three sorting centres</h1>'
        '<div class="story-body">'
        + "".join(f'<div class="para">{t}</div>' for t in LEAD + MORE)
        + "</div></div>"
        + RAIL
    )
    text = _parse(html)
    assert all(p in text for p in LEAD + MORE)
    _assert_furniture_dropped(text)


def test_a_body_split_around_an_ad_slot_and_an_inline_teaser_is_kept_whole() -> None:
    html = _page(
        NAV + "<article><h1>Tarnwick Logistics to close three sorting centres</h1>"
        '<div class="article-body">'
        + _paragraphs(LEAD)
        + '</div><div class="advertisement ad-slot"><span>Advertisement</span></div>'
        '<div class="enhancement"><div class="promo-small"><a href="/d">Pembury Foods buys '
        "Castlegate Dairies for $300 million</a></div></div>"
        '<div class="article-body">' + _paragraphs(MORE) + "</div></article>" + RAIL
    )
    text = _parse(html)
    assert all(p in text for p in LEAD + MORE)
    assert "Advertisement" not in text
    _assert_furniture_dropped(text)


def test_a_figure_inside_the_body_does_not_cut_it() -> None:
    caption = "Parcels wait on a sorting line at the Tarnwick hub near Coventry last winter."
    html = _page(
        NAV + "<article><h1>Tarnwick Logistics to close three sorting centres</h1>"
        '<div class="entry-content">'
        + _paragraphs(LEAD)
        + f'<figure><img src="/hub.jpg" alt=""><figcaption>{caption}</figcaption></figure>'
        + _paragraphs(MORE)
        + "</div></article>"
        + RAIL
    )
    text = _parse(html)
    assert all(p in text for p in LEAD + MORE)
    _assert_furniture_dropped(text)


def test_news_sentences_that_share_words_with_appeals_and_notices_are_kept() -> None:
    news = [
        "Tarnwick will become a member of the Northgate Freight Alliance next month, a group of "
        "carriers that share depots in the north of England.",
        "The company will make a contribution of 12 million pounds to the staff pension fund "
        "to close the deficit found in its last valuation.",
        "Copyright claims against the Tarnwick tracking app rose sharply last year, according "
        "to a filing at the High Court.",
    ]
    html = _page(
        NAV + "<article><h1>Tarnwick Logistics to close three sorting centres</h1>"
        '<div class="entry-content">' + _paragraphs(LEAD + news + MORE) + "</div>"
        '<div class="c7"><p>Become a member today: every gift keeps our reporting free.</p>'
        "<p>Make a donation now.</p></div></article>"
        "<p>Copyright 2026 The Freight Ledger. All rights reserved.</p>" + RAIL
    )
    text = _parse(html)
    assert all(p in text for p in LEAD + news + MORE)
    for appeal in ("Become a member", "every gift", "Make a donation", "Copyright 2026"):
        assert appeal not in text


def test_the_next_story_of_an_endless_scroll_page_is_not_joined_on() -> None:
    other = (
        "Holloway Air said on Tuesday that its chief financial officer will leave at the end "
        "of the year after six years in the role."
    )
    html = _page(
        NAV + '<div class="stories"><h1>Tarnwick Logistics to close three sorting centres</h1>'
        '<div class="article-body">' + _paragraphs(LEAD + MORE) + "</div>"
        "<h1>Holloway Air finance chief to leave</h1>"
        f'<div class="article-body"><p>{other}</p></div></div>' + RAIL
    )
    text = _parse(html)
    assert all(p in text for p in LEAD + MORE)
    assert "Holloway Air" not in text
