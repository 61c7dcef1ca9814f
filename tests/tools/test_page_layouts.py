"""Publisher page layouts: dates from metadata in order of trust, clean headlines, bodies
without rails and teasers, press releases, and pages that stand in for the article.

Every page here is a short invented excerpt in the markup of a real layout family (WordPress
with Yoast JSON-LD, a wire release page, a company newsroom CMS, a Dow Jones article, a 2011
portal story); no publisher's text is used.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.errors import BlockedPage
from agent.schemas import Account, SourceKind
from tests.replay_server import ReplayServer, Reply
from tests.tools.fetch_scenarios import make_context
from tools.base import make_source
from tools.news import with_articles
from tools.web import page_kind, parse_page

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

PARAGRAPHS = [
    "Quillfeather Analytics said on Monday that it will cut about 400 jobs, roughly a tenth of "
    "its staff, as it folds its consumer unit into the enterprise business.",
    "The company told employees in a memo that the changes would take effect over the next "
    "two quarters and that affected staff would receive severance.",
    "Chief executive Marta Olsen said the enterprise unit grew 31% last year while the consumer "
    "app lost money in every quarter since its launch in 2021.",
    "Analysts at Brightwater Securities said the move should lift operating margins by two "
    "points next year, although it leaves the company more exposed to a few large banks.",
]


def _ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def _body(paragraphs: list[str] = PARAGRAPHS) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _page(head: str, body: str, lang: str = "en-US") -> str:
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'


WORDPRESS = _page(
    "<title>Quillfeather to cut 400 jobs &#8211; The Ledger Daily</title>"
    '<meta property="og:type" content="article">'
    '<meta property="og:site_name" content="The Ledger Daily">'
    '<meta property="og:title" content="Quillfeather&amp;#8217;s layoffs: 400 jobs to go">'
    '<meta name="sailthru.date" content="2026-03-02 09:15:00">'
    '<link rel="canonical" href="https://ledgerdaily.example/2026/03/02/quillfeather-layoffs/">'
    + _ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "name": "The Ledger Daily"},
                {"@type": "WebPage", "datePublished": "2026-03-02T14:15:00+00:00"},
                {
                    "@type": "Article",
                    "headline": "Quillfeather&#8217;s layoffs: 400 jobs to go",
                    "datePublished": "2026-03-02T09:15:00-05:00",
                    "dateModified": "2026-03-03T08:00:00-05:00",
                },
            ],
        }
    ),
    '<nav class="mega-menu"><ul><li><a href="/a">Markets</a></li><li><a href="/b">Tech</a>'
    "</li></ul></nav>"
    '<article class="post type-post"><h1>Quillfeather’s layoffs: 400 jobs to go</h1>'
    '<div class="entry-content">'
    + _body(PARAGRAPHS[:2])
    + '<p><strong>Read more:</strong> <a href="/x">Harborline Bank buys Pinecrest Lending '
    "for $2bn</a></p>" + _body(PARAGRAPHS[2:]) + "</div></article>"
    '<section class="related-articles"><h3>Related Articles</h3><ul>'
    '<li><a href="/y">Tolvane Foods names a new chief executive officer</a></li>'
    '<li><a href="/z">Orrin Motors recalls 20,000 vans over faulty brakes</a></li></ul></section>'
    "<footer><p>© 2026 The Ledger Daily. All rights reserved.</p></footer>",
)


def test_wordpress_article_date_title_and_body_without_teasers() -> None:
    source = parse_page(WORDPRESS, now=NOW)
    assert source.kind == SourceKind.news and source.metadata["genre"] == "article"
    assert source.title == "Quillfeather’s layoffs: 400 jobs to go"
    # JSON-LD first; its two objects agree on the instant, the earliest wins
    assert source.published_at == datetime(2026, 3, 2, 14, 15, tzinfo=UTC)
    assert all(p in source.text for p in PARAGRAPHS)
    for teaser in ("Harborline Bank", "Tolvane Foods", "Orrin Motors", "Markets", "©"):
        assert teaser not in source.text
    assert page_kind(WORDPRESS) == SourceKind.news


NEWSROOM = _page(
    "<title>Calder Medical to sell Nordvik alarm software across European hospitals</title>"
    '<meta property="og:type" content="website">'
    '<meta property="og:title" content="Calder Medical to sell Nordvik alarm software across '
    'European hospitals">',
    '<div class="cookie-banner">This site uses cookies. <a href="#">Accept</a></div>'
    '<ul class="mega-menu"><li><a href="/careers">Join our team</a></li>'
    '<li><a href="/jobs">Open roles</a></li><li><a href="/about">About us</a></li></ul>'
    '<div class="ws-press col-2-3"><div class="ws-press__container">'
    '<h1 class="ws-press__container__title">Calder Medical to sell Nordvik alarm software '
    "across European</h1>"
    '<div class="ws-press__container__date"><div>October 12, 2025</div></div>'
    '<div class="ws-press__container__quote">Calder Medical will sell the Theatre Watch alarm '
    "platform of Nordvik to hospitals across Europe under a new agreement between the two "
    "companies.</div>"
    '<div class="ws-press__container__content"><div class="text"><p> <br>OSLO, NORWAY<br></p>'
    "<p>Under the deal Calder adds twelve countries to the markets where the two firms already "
    "work together, covering sales, installation and first-line support.</p>"
    "<p>“Operating rooms are where alarm fatigue costs the most,” said Ines Marr, head of "
    "clinical solutions at Nordvik. “Calder’s reach lets us serve hospitals we could not reach "
    "alone.”</p>"
    "<p>Calder Medical will start offering the platform to its hospital customers in January, "
    "with the first installations planned in Germany and the Netherlands.</p></div>"
    '<div class="text"><hr><p style="font-size:12px"><br>Nordvik is a software provider that '
    "builds alarm and messaging tools for hospitals. The company has 900 staff and its head "
    "office is in Oslo.</p></div>"
    "</div></div></div>"
    '<div class="newsletter"><p>Sign up for our newsletter to receive the latest news.</p></div>',
)


def test_company_newsroom_post_without_metadata_is_a_dated_press_release() -> None:
    source = parse_page(NEWSROOM, now=NOW)
    assert source.kind == SourceKind.news and source.metadata["genre"] == "press_release"
    assert page_kind(NEWSROOM) == SourceKind.news
    assert source.published_at == datetime(2025, 10, 12, tzinfo=UTC)
    # the h1 is cut short; the full og:title that starts with it wins
    assert source.title.endswith("across European hospitals")
    assert source.text.startswith("Calder Medical will sell the Theatre Watch alarm platform")
    assert "Calder Medical will start offering" in source.text
    for furniture in ("Open roles", "newsletter", "cookies"):
        assert furniture not in source.text


WIRE = _page(
    "<title>Harrowgate &amp; Velmont Bring Coding Tests to Federal Agencies</title>"
    '<meta property="og:type" content="articles">'
    '<meta name="date" content="2026-04-25T06:10:00-04:00">'
    '<link rel="canonical" href="https://www.prnewswire.com/news-releases/harrowgate-300.html">'
    + _ld(
        {
            "@type": "NewsArticle",
            "headline": "Harrowgate &amp; Velmont Bring Coding Tests to Federal Agencies",
            "datePublished": "2026-04-25T06:10:00-04:00",
            "dateModified": "2026-05-29T11:20:00-04:00",
        }
    ),
    '<header><nav><a href="/news">News</a> <a href="/contact">Contact</a></nav></header>'
    '<article class="news-release"><h1>Harrowgate &amp; Velmont Bring Coding Tests to Federal '
    "Agencies</h1>"
    "<p>RESTON, Va., April 25, 2026 /PRNewswire/ -- Harrowgate, which builds skills tests for "
    "software hiring, today announced that Velmont Systems will offer its tests to federal "
    "agencies.</p>"
    "<p>Velmont will resell the assessments to agencies and run the hiring pilots, starting "
    "with two civilian departments this summer.</p>"
    "<p>About Harrowgate</p><p>Harrowgate makes coding assessments used by more than 900 "
    "employers.</p>"
    "<p>SOURCE Harrowgate</p></article>"
    '<div class="also-from-source"><h3>Also from this source</h3>'
    '<a href="/n2">Harrowgate Report Finds Hiring of Data Engineers Doubled</a></div>',
)


def test_wire_release_dates_in_utc_entities_decoded() -> None:
    source = parse_page(WIRE, now=NOW)
    assert source.metadata["genre"] == "press_release"
    assert source.title == "Harrowgate & Velmont Bring Coding Tests to Federal Agencies"
    assert source.published_at == datetime(2026, 4, 25, 10, 10, tzinfo=UTC)
    assert "today announced that Velmont Systems will offer" in source.text


def _dated(head: str, body: str, lang: str = "en-US", url: str | None = None) -> datetime | None:
    page = _page(
        '<meta property="og:type" content="article">' + head,
        f"<article><h1>Quillfeather cuts 400 jobs</h1>{body}{_body()}</article>",
        lang,
    )
    return parse_page(page, url, now=NOW).published_at


def test_us_month_first_dates_only_where_the_page_says_so() -> None:
    globe = _ld({"@type": "NewsArticle", "DatePublished": "3/9/2026"})
    assert _dated(globe, "") == datetime(2026, 3, 9, tzinfo=UTC)
    dublin = '<meta name="DC.date.issued" content="3/9/2026">'
    assert _dated(dublin, "", lang="en-GB") == datetime(2026, 9, 3, tzinfo=UTC)
    # neither the parts nor the locale say which is the month: the URL decides instead
    url = "https://example.com/2026/03/09/quillfeather/"
    assert _dated(dublin, "", lang="en", url=url) == datetime(2026, 3, 9, tzinfo=UTC)


def test_original_beats_updated() -> None:
    head = '<meta name="article.published" content="2026-03-19T14:47:00.000Z">' + _ld(
        {"@type": "NewsArticle", "datePublished": "2026-03-19T14:05:00.000Z"}
    )
    assert _dated(head, "") == datetime(2026, 3, 19, 14, 5, tzinfo=UTC)
    printed = "<p><time>Updated March 19, 2026 9:40 am ET / Original March 18, 2026</time></p>"
    assert _dated("", printed) == datetime(2026, 3, 18, tzinfo=UTC)


def test_metadata_order_and_formats() -> None:
    sailthru = '<meta name="sailthru.date" content="Tue, 13 Jan 2026 10:05:00 -0500">'
    assert _dated(sailthru, "") == datetime(2026, 1, 13, 15, 5, tzinfo=UTC)
    published = '<meta property="article:published_time" content="2026-01-13T22:10:00+01:00">'
    assert _dated(published + sailthru, "") == datetime(2026, 1, 13, 21, 10, tzinfo=UTC)
    itemprop = '<meta itemprop="datePublished" content="January 16, 2026">'
    assert _dated(itemprop, "") == datetime(2026, 1, 16, tzinfo=UTC)
    url = "https://example.com/2026/05/18/quillfeather-cuts-jobs/"
    assert _dated("", "<p>2 days ago</p>", url=url) == datetime(2026, 5, 18, tzinfo=UTC)
    assert _dated("", "<p>3 February '26, 10:05pm</p>") == datetime(2026, 2, 3, tzinfo=UTC)


def test_time_element_of_the_article_not_of_the_masthead_or_sidebar() -> None:
    page = _page(
        '<meta property="og:type" content="article">',
        '<header class="masthead"><time datetime="2026-01-20">January 20, 2026</time></header>'
        '<div class="main"><h1>Quillfeather cuts 400 jobs</h1>'
        '<div class="byline">By Ana Ruiz <time datetime="2026-01-14T16:48:00Z">Jan 14</time>'
        f"</div>{_body()}</div>"
        '<ul class="sidebar"><li><article><a href="/o">Other story</a>'
        '<time datetime="2026-01-02T08:12:00Z">Jan 2</time></article></li></ul>',
    )
    assert parse_page(page, now=NOW).published_at == datetime(2026, 1, 14, 16, 48, tzinfo=UTC)


PORTAL = _page(
    "<title>Quillfeather chief executive steps down - Portal News</title>"
    '<meta property="og:type" content="article">'
    '<meta property="og:site_name" content="Portal News">',
    '<div class="hd"><h1>Quillfeather chief executive steps down</h1>'
    "<p>By JANE ROE - AP | AP – 2 hrs 10 mins ago</p></div>"
    '<div class="photo"><p>FILE - In this March 2, 2025 file photo, Quillfeather CEO Marta '
    "Olsen speaks in Oslo. Quillfeather on Wednesday, Aug. 26, 2026 said Olsen is leaving. "
    "(AP Photo/File) less</p></div>"
    '<div class="yom-art-content"><div class="bd"><p><div class="yom-art-related">'
    "<h3>Related Content</h3><ul><li><a href='/r1'>Article: Bellmoor names its operating "
    "chief as new CEO</a></li><li><a href='/r2'>Article: Inside Quillfeather's Oslo "
    "headquarters</a></li></ul></div>"
    "OSLO (AP) — Marta Olsen, who led Quillfeather for eleven years, is stepping down as chief "
    "executive and will remain chair, the company said Wednesday.</p>"
    + _body(PARAGRAPHS[1:])
    + "</div></div>"
    '<div class="tech-news"><h3>Tech News</h3><ul><li><a href="/t">Dunmore pays $40 million to '
    "end a privacy inquiry</a></li></ul></div>",
)


def test_caption_weekday_date_and_a_lede_outside_any_paragraph() -> None:
    source = parse_page(PORTAL, now=NOW)
    assert source.published_at == datetime(2026, 8, 26, tzinfo=UTC)  # not the file photo's
    assert source.title == "Quillfeather chief executive steps down"
    assert "is stepping down as chief executive" in source.text
    assert "Bellmoor" not in source.text and "Dunmore" not in source.text


def test_rerendered_page_keeps_its_date_and_drops_promos_and_donation_boxes() -> None:
    page = _page(
        '<meta property="og:type" content="article">'
        "<title>Quillfeather raises $27 million | Venture Wire</title>",
        '<article id="content"><header><h1>Quillfeather raises $27 million</h1>'
        '<time datetime="2016-05-10T09:05:00+00:00">May 10, 2016 2:05 AM</time></header>'
        '<div class="post-boilerplate"><p><em>Get the week in startups: join our founder '
        "newsletters. <a href='/n'>Sign up</a></em></p></div>"
        + _body(PARAGRAPHS[:2])
        + '<div class="c3f9"><span class="support"><b>Could you lend us a hand?<br>Each '
        "donation keeps our small newsroom independent.<br>Donate today through PayPal, from "
        "two dollars.<br>Thank you.</b></span></div>" + _body(PARAGRAPHS[2:]) + "</article>"
        '<section class="you-may-also-like"><h3>You May Also Like</h3><a href="/m">Tolvane '
        "raises $9 million</a></section><footer>© 2025 Venture Wire</footer>",
    )
    source = parse_page(page, now=NOW)
    assert source.published_at == datetime(2016, 5, 10, 9, 5, tzinfo=UTC)
    assert source.title == "Quillfeather raises $27 million"
    assert all(p in source.text for p in PARAGRAPHS)
    for promo in ("newsletters", "lend us a hand", "PayPal", "Thank you", "Tolvane", "2025"):
        assert promo not in source.text


def test_about_page_stays_a_web_page_without_a_guessed_date() -> None:
    page = _page(
        '<meta property="og:type" content="website"><title>About us | Quillfeather</title>',
        "<h1>About us</h1>" + _body() + "<footer>© 2024 Quillfeather AS</footer>",
    )
    source = parse_page(page, now=NOW)
    assert source.kind == SourceKind.web_page and source.published_at is None
    assert "genre" not in source.metadata and source.title == "About us"
    assert page_kind(page) == SourceKind.web_page


BLOCKED = {
    "a bot check": _page(
        "<title>Just a moment...</title>",
        "<div><h1>ledgerdaily.example</h1><p>Checking your browser before accessing "
        "ledgerdaily.example.</p><script src='/cdn-cgi/challenge-platform/h/b/orchestrate'>"
        "</script></div>",
    ),
    "Cloudflare block": _page(
        "<title>Attention Required! | Cloudflare</title>",
        "<h1>Sorry, you have been blocked</h1><p>You are unable to access ledgerdaily.example"
        "</p><div class='cf-error-footer'>Cloudflare Ray ID: 7a1b</div>",
    ),
    "a captcha": _page(
        "<title>Ledger Daily</title>",
        "<p>Please complete the captcha below to show you are not a robot.</p>"
        "<div class='g-recaptcha' data-sitekey='x'></div>",
    ),
    "a cookie wall": _page(
        "<title>Before you continue</title>",
        "<h1>Before you continue to Ledger Daily</h1><p>We use cookies and data to deliver "
        "and maintain our services.</p><button>Reject all</button><button>Accept all</button>",
    ),
    "a paywall stub": _page(
        '<meta property="og:type" content="article"><title>Quillfeather cuts jobs</title>',
        "<article><h1>Quillfeather cuts jobs</h1><p>Quillfeather said on Monday it will cut "
        "400 jobs.</p><div class='wall'><p>Subscribe to continue reading.</p><p>Already a "
        "subscriber? Sign in</p></div></article>",
    ),
}


@pytest.mark.parametrize("why", list(BLOCKED))
def test_stand_in_pages_are_blocked_not_stored(why: str) -> None:
    with pytest.raises(BlockedPage, match=r"^blocked page: .+ instead of the article$") as err:
        parse_page(BLOCKED[why], "https://ledgerdaily.example/a", now=NOW)
    assert "\n" not in str(err.value)
    assert ("bot check" if why == "Cloudflare block" else why) in str(err.value)


def test_a_full_article_with_a_subscribe_prompt_is_not_blocked() -> None:
    page = WORDPRESS.replace(
        "<footer>", "<div class='promo'><p>Already a subscriber? Sign in</p></div><footer>"
    )
    assert parse_page(page, now=NOW).metadata["genre"] == "article"


def test_feed_items_take_their_pages_and_keep_their_headline_when_blocked(tmp_path: Path) -> None:
    quill = Account(account_id="quill", name="Quillfeather")
    with ReplayServer() as server:
        server.route("/article", Reply(200, WORDPRESS.encode(), "text/html; charset=utf-8"))
        server.route("/walled", Reply(200, BLOCKED["a bot check"].encode(), "text/html"))
        ctx = make_context(tmp_path, server.base_url)
        feed_day = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # the feed saw the page a day late
        items = [
            make_source(SourceKind.news, url, title=title, text=title, url=url,
                        published_at=feed_day, account_id="quill", now=NOW)
            for url, title in [
                (server.url("/article"), "Quillfeather’s layoffs: 400 jobs ..."),
                (server.url("/walled"), "Quillfeather names a new chief financial officer"),
            ]
        ]  # fmt: skip
        fetched = with_articles(items, quill, ctx)
    article, walled = fetched.sources
    assert article.title == "Quillfeather’s layoffs: 400 jobs to go"
    assert article.published_at == datetime(2026, 3, 2, 14, 15, tzinfo=UTC)
    assert article.metadata["genre"] == "article" and PARAGRAPHS[0] in article.text
    assert walled.text == "Quillfeather names a new chief financial officer"
    assert any("blocked page: a bot check" in p for p in fetched.problems)


def test_a_cms_about_page_marked_article_stays_a_web_page() -> None:
    page = _page(
        '<meta property="og:type" content="article"><title>Our company | Quillfeather</title>'
        '<link rel="canonical" href="https://quillfeather.example/about-us/">',
        "<h1>Our company</h1>" + _body(),
    )
    assert parse_page(page, now=NOW).kind == SourceKind.web_page
    assert page_kind(page) == SourceKind.web_page


def test_an_article_with_cloudflare_page_scripts_is_not_a_bot_check() -> None:
    script = '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
    assert parse_page(WORDPRESS.replace("</body>", script + "</body>"), now=NOW).text


def test_the_article_element_stands_in_when_the_extractor_loses_the_body(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tools.page_body.trafilatura.bare_extraction", lambda *a, **k: None)
    page = WORDPRESS.replace('<div class="entry-content">', '<div itemprop="articleBody">')
    source = parse_page(page, now=NOW)
    assert all(p in source.text for p in PARAGRAPHS)
    assert "Harborline Bank" not in source.text and "Tolvane Foods" not in source.text


def test_an_old_story_without_article_metadata_is_news() -> None:
    page = _page(
        "<title>Quillfeather cuts 400 jobs - The Ledger</title>",
        "<div id='nav'><a href='/'>Home</a></div><div id='story'><h1>Quillfeather cuts 400 "
        "jobs</h1><p class='dateline'>Posted: 02/17/2015 09:10 am EST</p>" + _body() + "</div>",
    )
    source = parse_page(page, now=NOW)
    assert source.kind == SourceKind.news and source.metadata["genre"] == "article"
    assert source.published_at == datetime(2015, 2, 17, tzinfo=UTC)
    assert page_kind(page) == SourceKind.news


def test_a_release_on_the_company_investor_site_is_a_press_release() -> None:
    page = _page(
        '<meta property="og:type" content="article"><meta property="og:site_name" '
        'content="Quillfeather">' + _ld({"@type": "NewsArticle", "datePublished": "2026-02-03"}),
        "<h1>Quillfeather Reports Fourth Quarter Results</h1>" + _body(),
    )
    url = "https://investors.quillfeather.example/news-releases/2026/fourth-quarter"
    source = parse_page(page, url, now=NOW)
    assert source.metadata["genre"] == "press_release"
    assert (
        parse_page(page, "https://ledgerdaily.example/2026/02/03/q4", now=NOW).metadata["genre"]
        == "article"
    )
