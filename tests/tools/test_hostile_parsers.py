"""Hostile documents: every parser reads them or fails as one ParseError line, never a crash.

Deep nesting, absurd dates, odd item shapes, terminal escapes and non-http(s) links, each
built here in memory (no fixture holds them) and bounded to a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agent.errors import ParseError
from agent.schemas import SourceKind
from tools import filings, news, reviews, transcripts, web
from tools.base import (
    MAX_HTML_DEPTH,
    MAX_TEXT_CHARS,
    html_to_text,
    make_source,
    safe_url,
    strip_controls,
    to_utc,
)
from tools.jobs import parse_ashby, parse_greenhouse, parse_job_board, parse_lever
from tools.json_input import MAX_JSON_DEPTH, jsonld_objects, load_json
from tools.problems import collecting, each, failure, parser

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WORDS = "Northwind Labs opened a second plant in Tampere to double its sensor output."


def nested(tag: str, depth: int, inner: str = f"<p>{WORDS}</p>") -> str:
    """A page with `depth` nested `tag` elements around some words, and text after them."""
    return (
        "<!doctype html><html><head><title>Northwind Labs expands</title></head><body>"
        + f"<{tag}>" * depth
        + inner
        + f"</{tag}>" * depth
        + "<p>Closing words after the nest.</p></body></html>"
    )


@pytest.mark.parametrize("tag", ["div", "span", "li", "table", "blockquote", "h1", "a", "b"])
def test_deeply_nested_html_reads_as_text(tag: str) -> None:
    started = time.perf_counter()
    for depth in (1_000, 20_000):
        text = html_to_text(nested(tag, depth))
        assert WORDS in text and "Closing words after the nest." in text
        source = web.parse_page(nested(tag, depth), now=NOW)
        assert WORDS in source.text
    assert time.perf_counter() - started < 20


def test_html_deeper_than_the_bound_keeps_its_paragraphs() -> None:
    inner = "<p>First deep paragraph here.</p><p>Second deep paragraph here.</p>"
    text = html_to_text(nested("div", MAX_HTML_DEPTH + 50, inner))
    assert "First deep paragraph here.\n\nSecond deep paragraph here." in text
    # within the bound nothing changes
    assert html_to_text(nested("div", 30, inner)) == text


def test_deep_html_in_every_html_reader_fails_only_as_parse_error() -> None:
    page = nested("div", 5_000)
    for read in (
        lambda: transcripts.parse_fool_html(page),
        lambda: reviews.parse_jsonld_reviews(page),
        lambda: filings.parse_filing_document(page),
        lambda: web.page_kind(page),
    ):
        with contextlib.suppress(ParseError):
            read()


def test_json_nested_beyond_the_bound_is_one_parse_error() -> None:
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        with pytest.raises(ParseError, match="nested deeper"):
            load_json("[" * depth + "]" * depth)
    deep = MAX_JSON_DEPTH + 1
    with pytest.raises(ParseError, match="nested deeper"):
        load_json(json.loads("[" * deep + "]" * deep))  # decoded already (an HTTP response)
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(ParseError, match="not JSON"):
        load_json(b"\xff\xfe{")


def test_deep_json_ld_is_skipped_not_raised() -> None:
    deep = "[" * 50_000 + "]" * 50_000
    page = (
        f'<script type="application/ld+json">{deep}</script>'
        '<script type="application/ld+json">{"@type": "Organization", "name": "Northwind"}'
        "</script>"
    )
    assert [o["name"] for o in jsonld_objects(page)] == ["Northwind"]


def test_parsers_of_json_responses_refuse_deep_json() -> None:
    deep = '{"jobs": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for read in (
        lambda: parse_job_board(deep, "nw"),
        lambda: news.parse_gdelt(deep),
        lambda: filings.parse_submissions(deep),
        lambda: reviews.parse_reviews_json(deep),
        lambda: transcripts.parse_fool_json(deep),
    ):
        with pytest.raises(ParseError):
            read()


@pytest.mark.parametrize(
    "value",
    [
        1e17,
        -1e17,
        float("nan"),
        float("inf"),
        10**30,
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "1899-12-31",
        "1000-01-01T00:00:00Z",
        datetime.max,
    ],
)
def test_absurd_dates_are_no_dates_and_said_once(value: Any) -> None:
    with collecting() as noted:
        assert to_utc(value) is None
        assert to_utc(value) is None
    assert len(noted) == 1 and "read as no date" in noted[0]


def test_dates_more_than_a_year_after_now_are_refused() -> None:
    with collecting() as noted:
        assert to_utc(NOW + timedelta(days=200), now=NOW) == NOW + timedelta(days=200)
        assert to_utc(NOW + timedelta(days=400), now=NOW) is None
        source = make_source(
            SourceKind.news, "x", title="t", text="t", now=NOW, published_at=datetime(2031, 1, 1)
        )
    assert source.published_at is None
    assert noted == [
        "date '2027-07-06T12:00:00+00:00' is after 2027-06-02 (a year ahead): read as no date",
        "date '2031-01-01T00:00:00' is after 2027-06-02 (a year ahead): read as no date",
    ]
    assert to_utc("not a date") is None and to_utc("") is None and to_utc(None) is None


def _lever_job(job_id: str, created: Any) -> dict[str, Any]:
    return {
        "id": job_id,
        "text": "Field Engineer",
        "hostedUrl": f"https://jobs.example.com/nw/{job_id}",
        "categories": {"team": "Field", "location": "Tampere"},
        "createdAt": created,
        "descriptionPlain": "Install and tune sensors at client sites.",
    }


def test_lever_and_greenhouse_dates_out_of_range_keep_the_posting() -> None:
    lever = [_lever_job("a", 1e17), _lever_job("b", 1_780_000_000_000)]
    with collecting() as noted:
        sources = parse_lever(json.dumps(lever), "nw", now=NOW)
    assert [s.published_at is None for s in sources] == [True, False]
    assert any("out of range" in n for n in noted)
    board = {
        "meta": {"total": 1},
        "jobs": [
            {
                "id": 7,
                "title": "Sensor Analyst",
                "absolute_url": "https://jobs.example.com/nw/7",
                "updated_at": "9999-12-31T23:59:59-05:00",
                "first_published": "9999-12-31T23:59:59-05:00",
                "content": "&lt;p&gt;Read sensor data.&lt;/p&gt;",
                "location": {"name": "Oulu"},
            }
        ],
    }
    with collecting() as noted:
        (posting,) = parse_greenhouse(json.dumps(board), "nw", now=NOW)
    assert posting.published_at is None and "updated_at" not in posting.metadata
    assert noted


def test_one_odd_posting_is_a_problem_the_others_are_kept() -> None:
    lever = [_lever_job("a", None), {"text": "no id", "hostedUrl": "x"}, _lever_job("c", None)]
    lever[2]["categories"] = "not an object"
    lever.append(_lever_job("d", None))
    with collecting() as noted:
        sources = parse_lever(lever, "nw", now=NOW)
    assert [s.url for s in sources] == [
        "https://jobs.example.com/nw/a",
        "https://jobs.example.com/nw/d",
    ]
    assert [n.split(":")[0] for n in noted] == ["job 2", "job 3"]
    board = {
        "apiVersion": "1",
        "jobs": [
            {"id": "1", "title": "Ok", "jobUrl": "https://a.example/1"},
            {"id": "2", "title": "Bad", "address": "a string"},
        ],
    }
    with collecting() as noted:
        assert len(parse_ashby(board, "nw", now=NOW)) == 1
    assert noted and noted[0].startswith("job 2: unreadable (AttributeError")


def test_gdelt_articles_of_odd_shape_are_skipped() -> None:
    data = {
        "articles": [
            "a string",
            {"url": "https://news.example.com/a", "title": "Northwind opens plant"},
            {"url": ["list"], "title": "Bad url"},
        ]
    }
    with collecting() as noted:
        sources = news.parse_gdelt(data, now=NOW)
    assert [s.title for s in sources] == ["Northwind opens plant"]
    assert [n.split(":")[0] for n in noted] == ["GDELT article 1", "GDELT article 3"]


FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Northwind news</title>
<item><title>\x1b[31mRed\x1b[0m alert \x1b]0;owned\x07title</title>
<link>javascript:alert(1)</link><pubDate>Fri, 31 Dec 9999 23:59:59 -0500</pubDate>
<description>Body with a bell \x07 and C1 \x9b2J text.</description></item>
<item><title>Data link</title><link>data:text/html;base64,PHNjcmlwdD4=</link></item>
<item><title>File link</title><link>file:///etc/passwd</link></item>
<item><title>Plain link</title><link>https://news.example.com/plant</link>
<pubDate>Mon, 01 Jun 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_feed_links_and_titles_are_made_safe() -> None:
    sources = news.parse_feed(FEED.encode("utf-8"), now=NOW)
    assert [s.url for s in sources] == [None, None, None, "https://news.example.com/plant"]
    first = sources[0]
    assert first.title == "Red alert title"
    assert "\x07" not in first.text and "\x9b" not in first.text and "\x1b" not in first.text
    assert first.published_at is None
    assert sources[3].published_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def test_a_pages_canonical_link_of_another_scheme_is_dropped() -> None:
    page = (
        '<html><head><link rel="canonical" href="javascript:alert(document.cookie)">'
        '<meta property="og:title" content="Northwind \x1b[2Jopens"></head>'
        f"<body><article><h1>Northwind opens</h1><p>{WORDS}</p></article></body></html>"
    )
    source = web.parse_page(page, now=NOW)
    assert source.url is None and "\x1b" not in source.title


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "vbscript:x",
        "//news.example.com/a",
        "/relative/path",
        "https://news.example.com/a b",
        "https://news.example.com/\x1b[31m",
        "http://",
        "https://[::1",
    ],
)
def test_only_http_urls_are_kept(url: str) -> None:
    assert safe_url(url) is None
    assert make_source(SourceKind.news, "x", title="t", text="t", url=url).url is None


def test_http_urls_are_kept_as_they_are() -> None:
    for url in ("https://news.example.com/a?b=c#d", "HTTP://Example.com/X"):
        assert safe_url(url) == url


def test_control_characters_are_removed_everywhere_a_source_is_built() -> None:
    source = make_source(
        SourceKind.news,
        "x",
        title="Title\x1b[1;31m bold\x1b[0m\x00\x08",
        text="Line one\r\nLine two\x1bP1;2|payload\x1b\\ end\x85\x7f",
        metadata={"author": "Ann\x1b]8;;http://x\x07Ann", "tags": ["a\x1b[0m"]},
        now=NOW,
    )
    assert source.title == "Title bold"
    assert source.text == "Line one\n\nLine two end"
    assert source.metadata == {"author": "AnnAnn", "tags": ["a"]}
    assert strip_controls("tab\tand\nnewline") == "tab\tand\nnewline"


def test_an_overlong_text_is_cut_and_said() -> None:
    paragraph = ("word " * 199 + "end.\n\n") * 2_600
    assert len(paragraph) > MAX_TEXT_CHARS
    with collecting() as noted:
        source = make_source(SourceKind.web_page, "x", title="Huge page", text=paragraph)
    assert len(source.text) <= MAX_TEXT_CHARS and source.text.endswith("end.")
    assert len(noted) == 1 and "'Huge page': kept the first" in noted[0]


def test_each_and_parser_turn_any_failure_into_a_line() -> None:
    def build(item: int) -> int | None:
        if item == 2:
            raise RecursionError("maximum recursion depth exceeded")
        if item == 3:
            raise KeyError("id")
        return None if item == 4 else item

    with collecting() as noted:
        assert each([1, 2, 3, 4, 5], build, "row") == [1, 5]
    assert noted == ["row 2: nested too deeply to read", "row 3: unreadable (KeyError: 'id')"]

    @parser
    def broken(text: str) -> str:
        raise MemoryError

    with pytest.raises(ParseError, match="too large to read in memory"):
        broken("x")
    assert failure(ValueError("a\nb")) == "unreadable (ValueError: a b)"


def test_pages_of_script_tags_read_in_linear_time() -> None:
    started = time.perf_counter()
    unclosed = '<script type="application/ld+json">{' * 20_000
    assert jsonld_objects(unclosed) == []
    assert jsonld_objects("<script " * 100_000) == []
    many = '<script type="application/ld+json">{"@type": "Thing"}</script>' * 20_000
    assert len(jsonld_objects(many)) == 20_000
    page = f"<html><head>{many}</head><body><h1>Northwind</h1><p>{WORDS}</p></body></html>"
    assert WORDS in web.parse_page(page, now=NOW).text
    assert time.perf_counter() - started < 20


def test_a_stamp_with_an_absurd_zone_is_read_by_its_written_day() -> None:
    from tools.page_dates import parse_stamp

    stamp = parse_stamp("Mon, 01 Jun 2026 00:00:00 +99999999999999999999")
    assert stamp == datetime(2026, 6, 1, tzinfo=UTC)
    with collecting():
        assert parse_stamp("Fri, 31 Dec 9999 23:59:59 -0500") is None


def test_scripts_at_and_below_the_depth_bound_stay_unread() -> None:
    for depth in (MAX_HTML_DEPTH - 1, MAX_HTML_DEPTH, MAX_HTML_DEPTH + 5):
        inner = "<script>var token = 'x';</script><style>p {}</style><p>Visible words.</p>"
        assert html_to_text(nested("div", depth, inner)).startswith("Visible words.")
