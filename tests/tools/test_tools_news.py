"""News feeds (Google News RSS, Atom, Google Alerts) and GDELT artlists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.errors import ParseError
from tools.news import parse_feed, parse_gdelt, unwrap_redirect

NEWS = Path(__file__).resolve().parents[1] / "fixtures/news"


def test_google_news_title_publisher_and_cluster() -> None:
    sources = parse_feed((NEWS / "google_news_rss_search_bears_ears_monument.xml").read_bytes())
    assert len(sources) == 92
    cluster = sources[0]
    assert cluster.title == "Trump again shrinks two national monuments in Utah"
    assert cluster.metadata["publisher"] == "The Washington Post"
    assert cluster.metadata["publisher_url"] == "https://www.washingtonpost.com"
    assert cluster.url and cluster.url.startswith("https://news.google.com/rss/articles/CBMi")
    lines = cluster.text.split("\n")
    assert lines[0] == cluster.title
    # the escaped <ol> of other outlets becomes one line each, the lead headline not repeated
    assert (
        "- President Trump drastically shrinks 2 Utah national monuments — again"
        " - The Salt Lake Tribune" in lines
    )
    assert sum(1 for ln in lines if ln.startswith("- ")) >= 5
    assert "&lt;" not in cluster.text and "<a" not in cluster.text
    single = sources[1]
    assert single.text == single.title  # description only repeats the headline
    assert cluster.published_at == datetime(2026, 7, 14, 3, 33, 16, tzinfo=UTC)


def test_atom_with_blank_line_before_xml_prolog() -> None:
    data = (NEWS / "aws_blog_company_atom_feed_2009.xml").read_bytes()
    assert data.startswith(b"\n<?xml")
    sources = parse_feed(data, feed_url="http://aws.typepad.com/aws/atom.xml")
    assert len(sources) == 10
    first = sources[0]
    assert first.title == "AWS Job: Architect & Designer Position in Turkey"
    assert first.url == (
        "http://aws.typepad.com/aws/2009/01/aws-job-architect-designer-position-in-turkey.html"
    )
    assert first.published_at == datetime(2009, 1, 16, 18, 21, tzinfo=UTC)
    assert first.text.startswith(first.title + "\n\nLate last year an entrepreneur")
    assert first.metadata["feed_url"] == "http://aws.typepad.com/aws/atom.xml"


def test_google_alerts_links_unwrapped_and_highlight_tags_dropped() -> None:
    sources = parse_feed((NEWS / "google_alerts_atom_slack.xml").read_bytes())
    assert len(sources) == 20
    assert all(s.url and "google.com/url" not in s.url for s in sources)
    assert sources[1].url == "https://investorplace.com/2019/07/slack-stock-truly-compelling/"
    assert sources[1].title == "Slack Stock Has a Compelling Story and the Numbers to Back It Up"
    assert all("<b>" not in s.text for s in sources)
    assert "Company's decision" in sources[1].text


def test_unwrap_redirect_leaves_other_urls() -> None:
    assert unwrap_redirect("https://example.com/url?url=x") == "https://example.com/url?url=x"
    assert unwrap_redirect("https://www.google.com/url?rct=j&url=https://a.b/c&ct=ga") == (
        "https://a.b/c"
    )


def test_gdelt_dates_titles_and_urls() -> None:
    sources = parse_gdelt((NEWS / "gdelt_doc_artlist_iran_sanctions.json").read_bytes())
    assert len(sources) == 5
    assert sources[0].url == (
        "https://www.bankingnews.gr/diethni/articles/896164/"
        "swiss-neutrality-referendum-threatens-to-blow-up-russia-sanctions-up-to-20th-package"
    )
    assert sources[0].published_at == datetime(2026, 8, 28, 12, 15, tzinfo=UTC)
    assert (
        sources[2].title
        == "US announces new Iran sanctions; Tehran hits back, calls them state terrorism"
    )
    assert sources[0].metadata["sourcecountry"] == "Greece"
    intrum = parse_gdelt((NEWS / "gdelt_doc_artlist_intrum_2items.json").read_bytes())
    assert [s.metadata["language"] for s in intrum] == ["Hungarian", "Danish"]
    assert intrum[0].metadata["image"] is None  # empty socialimage


def test_not_a_feed() -> None:
    with pytest.raises(ParseError):
        parse_feed(b"this is not xml at all")
    with pytest.raises(ParseError):
        parse_gdelt(b'{"jobs": []}')
