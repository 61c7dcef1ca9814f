"""The web app's pieces without a server: quotes found in their source, footnotes linked to
the statement they mark, the book's filters, the binding rules, the background jobs."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html as lxml_html

from agent.errors import ConfigError, FetchError
from agent.schemas import (
    Account,
    AccountRef,
    Briefing,
    Claim,
    Evidence,
    Layer,
    LayerName,
    Layers,
    Signal,
    SignalType,
    SourceKind,
    SourceRef,
    Stakeholder,
)
from agent.web.book import AccountRow, BookQuery, select
from agent.web.footnotes import link_footnotes, scoped
from agent.web.jobs import Jobs
from agent.web.quotes import excerpt, locate, spans
from agent.web.security import check_binding, is_loopback

TEXT = (
    "Fernhill Outfitters, Inc. Q1 call.\n\nOur  priority   for the year is to raise\n"
    "STORE conversion by two points. Straße sales grew 9%. We also opened three stores."
)


def test_a_quote_is_found_with_whitespace_and_case_folded() -> None:
    start, end = locate("our priority for the year is to raise store conversion", TEXT) or (0, 0)
    assert TEXT[start:end] == "Our  priority   for the year is to raise\nSTORE conversion"


def test_a_quote_is_found_past_a_letter_that_folds_to_two() -> None:
    span = locate("sales grew 9%", TEXT)
    assert span is not None and TEXT[span[0] : span[1]] == "sales grew 9%"
    assert locate("strasse sales", TEXT) is not None
    assert locate("a sentence the source never says", TEXT) is None


def test_overlapping_quotes_are_one_highlight_and_context_keeps_words_whole() -> None:
    marked = spans(["raise STORE conversion", "store conversion by two points"], TEXT)
    assert len(marked) == 1
    shown, before, after = excerpt(TEXT, marked, around=20)
    quoted = "".join(p.text for p in shown if p.quote)
    assert quoted == "raise\nSTORE conversion by two points"
    assert before and after
    assert not shown[0].text[0].isalnum() or shown[0].text.split()[0] in TEXT.split()


def _briefing() -> Briefing:
    empty = Layer(summary="Little is known.")
    claim = Claim(
        text="The CEO's priority is store conversion.",
        evidence=[Evidence(source_id="call-1", quote="raise STORE conversion by two points")],
    )
    other = Claim(
        text="Fernhill opened three stores.",
        evidence=[Evidence(source_id="call-1", quote="We also opened three stores.")],
    )
    return Briefing(
        account=AccountRef(account_id="fernhill", name="Fernhill Outfitters, Inc."),
        generated_at=datetime(2026, 5, 1, tzinfo=UTC),
        mode="extractive",
        headline="Fernhill wants conversion.",
        focus_layer=LayerName.commercial,
        focus_reason="Results.",
        layers=Layers(
            commercial=Layer(summary="Growth.", claims=[claim, other]),
            competitive=empty,
            ecosystem=empty,
            internal=empty,
        ),
        signals=[
            Signal(
                type=SignalType.expansion,
                severity="info",
                polarity="opportunity",
                summary="Fernhill opens stores in two new states.",
                evidence=[Evidence(source_id="news-2", quote="opened three stores")],
            )
        ],
        stakeholders=[
            Stakeholder(
                name="Dana Okoro",
                title="CFO",
                evidence=[Evidence(source_id="call-1", quote="Straße sales grew 9%.")],
            )
        ],
        sources=[
            SourceRef(id="call-1", kind=SourceKind.earnings_call, title="Q1 call"),
            SourceRef(id="news-2", kind=SourceKind.news, title="Stores"),
        ],
    )


def _quotes(href: str) -> list[str]:
    return parse_qs(urlsplit(href).query).get("q", [])


def test_each_footnote_links_to_the_quotes_of_the_statement_it_marks() -> None:
    fragment = (
        '<ul><li>The CEO&#39;s priority is store conversion.<sup><a href="#s1">[1]</a></sup></li>'
        '<li>Fernhill opened three stores.<sup><a href="#s1">[1]</a></sup></li></ul>'
        "<table><tr><td>Dana Okoro</td><td>CFO</td>"
        '<td><a href="#s1">[1]</a></td></tr></table>'
        '<p>A sentence no statement has.<sup><a href="#s2">[2]</a></sup></p>'
        '<ol><li id="s1"><em>Q1 call</em></li><li id="s2"><em>Stores</em></li></ol>'
    )
    root = lxml_html.fragment_fromstring(
        link_footnotes(fragment, _briefing(), "fernhill"), create_parent="div"
    )
    links = root.xpath("//a[@class='fn']")
    assert [urlsplit(a.get("href")).path for a in links] == [
        "/accounts/fernhill/sources/call-1",
        "/accounts/fernhill/sources/call-1",
        "/accounts/fernhill/sources/call-1",
        "/accounts/fernhill/sources/news-2",
    ]
    assert _quotes(links[0].get("href")) == ["raise STORE conversion by two points"]
    assert _quotes(links[1].get("href")) == ["We also opened three stores."]
    assert _quotes(links[2].get("href")) == ["Straße sales grew 9%."]
    # no statement's words around it: every quote the brief takes from that source
    assert _quotes(links[3].get("href")) == ["opened three stores"]
    opened = root.xpath("//li[@id='s2']//a")
    assert opened and opened[0].get("href") == "/accounts/fernhill/sources/news-2"


def test_the_brief_style_applies_inside_its_own_block_only() -> None:
    css = "body { margin: 2rem; }\nh1, .meta { color: red; }\n@media print { h1 { x: y; } }"
    expected = ".brief { margin: 2rem; }\n.brief h1, .brief .meta { color: red; }"
    assert scoped(css, ".brief") == expected


def _row(name: str, triage: str | None, renewal: date | None, new: int | None = None) -> AccountRow:
    account = Account(
        account_id=name.casefold(), name=name, renewal_date=renewal, aliases=[name[:3]]
    )
    return AccountRow(account=account, triage=triage, expansion=name == "Birch", new_signals=new)  # type: ignore[arg-type]


def test_the_book_filters_and_sorts() -> None:
    today = date(2026, 6, 1)
    rows = [
        _row("Alder", "green", date(2026, 7, 1), 0),
        _row("Birch", "yellow", date(2027, 3, 1), 4),
        _row("Cedar", "red", None, 1),
        _row("Dogwood", None, date(2026, 6, 20)),
    ]
    names = lambda q: [r.account.name for r in select(rows, q, today)]  # noqa: E731
    assert names(BookQuery()) == ["Cedar", "Birch", "Alder", "Dogwood"]
    assert names(BookQuery(sort="renewal")) == ["Dogwood", "Alder", "Birch", "Cedar"]
    assert names(BookQuery(sort="name", descending=True)) == ["Dogwood", "Cedar", "Birch", "Alder"]
    assert names(BookQuery(sort="new")) == ["Birch", "Cedar", "Alder", "Dogwood"]
    assert names(BookQuery(triage="red")) == ["Cedar"]
    assert names(BookQuery(expansion=True)) == ["Birch"]
    assert names(BookQuery(renewal_within=45)) == ["Alder", "Dogwood"]
    assert names(BookQuery(text="ced")) == ["Cedar"]


def test_the_server_stays_on_this_machine_unless_asked_with_a_token() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    check_binding("127.0.0.1", None, allow_remote=False)
    with pytest.raises(ConfigError, match="--allow-remote"):
        check_binding("0.0.0.0", "x" * 32, allow_remote=False)
    with pytest.raises(ConfigError, match="token"):
        check_binding("0.0.0.0", None, allow_remote=True)
    check_binding("0.0.0.0", "x" * 32, allow_remote=True)


def test_a_failed_job_keeps_one_line_and_the_same_work_is_not_queued_twice() -> None:
    jobs = Jobs()
    try:
        gate = threading.Event()
        first = jobs.submit("scan", "scan", None, lambda report: gate.wait(10) and None)
        assert jobs.submit("scan", "scan", None, lambda report: None) is first
        gate.set()
        jobs.wait(10)
        assert first.status == "done"

        def failing(report: object) -> None:
            raise FetchError("news: unreachable\nafter 3 retries")

        job = jobs.submit("research", "research on Fernhill", "fernhill", failing)
        jobs.wait(10)
        assert job.status == "failed" and job.error == "news: unreachable after 3 retries"

        def crashing(report: object) -> None:
            raise KeyError("boom")

        crashed = jobs.submit("brief", "brief of Fernhill", "fernhill", crashing)
        jobs.wait(10)
        assert crashed.status == "failed" and "KeyError" in (crashed.error or "")
        assert "Traceback" not in (crashed.error or "")
    finally:
        jobs.shutdown()
