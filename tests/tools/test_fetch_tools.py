"""Each source tool against the local replay server, in the real APIs' URL shapes and formats."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from agent.errors import FetchError
from agent.schemas import Account
from tests.replay_server import ReplayServer, Reply
from tests.tools.fetch_scenarios import (
    GN_QUERY,
    HTML,
    JSON,
    NOW,
    RSS,
    SCENARIOS,
    fixture,
    make_context,
    page,
)
from tools.jobs import parse_greenhouse
from tools.registry import TOOLS, enabled_tools
from tools.sources import Fetched, SourceTool

TOOL = {t.name: t for t in TOOLS}


def run(tool: str, tmp_path: Path, times: int = 1) -> tuple[Fetched, ReplayServer]:
    """Serve a scenario's routes and run its tool (`times` over, each with a fresh cache)."""
    scenario = SCENARIOS[tool]
    with ReplayServer() as server:
        for target, replies in scenario.routes(server.base_url).items():
            server.route(target, *replies)
        runs = []
        for n in range(times):
            ctx = make_context(tmp_path / str(n), server.base_url, max_items=scenario.max_items)
            runs.append(TOOL[tool].fetch(scenario.account(server.base_url), ctx))
    for fetched in runs:
        scenario.check(fetched, server.base_url)
    if times > 1:
        assert all(r == runs[0] for r in runs)
    return runs[0], server


def sent(server: ReplayServer) -> list[str]:
    """The distinct request targets, in order (retries of one target count once)."""
    return list(dict.fromkeys(s.target for s in server.seen))


def test_registry_names_and_enabled_tools() -> None:
    assert [t.name for t in TOOLS] == [
        "greenhouse", "lever", "ashby", "google_news", "gdelt", "newsroom", "sec", "reviews",
    ]  # fmt: skip
    bare = Account(account_id="a", name="Acme")
    assert [t.name for t in enabled_tools(bare)] == ["google_news", "gdelt"]
    full = Account(
        account_id="a", name="Acme", greenhouse="acme", lever="acme", ashby="acme", ticker="ACME",
        newsroom_feed="https://acme.example/feed", reviews_url="https://acme.example/r.csv",
    )  # fmt: skip
    assert len(enabled_tools(full)) == len(TOOLS)
    tool: SourceTool = TOOL["sec"]
    assert tool.enabled(Account(account_id="a", name="Acme", cik="320193"))


@pytest.mark.parametrize("tool", list(SCENARIOS))
def test_tool_against_replay_server(tool: str, tmp_path: Path) -> None:
    fetched, server = run(tool, tmp_path)
    targets = sent(server)
    expected = SCENARIOS[tool].targets
    assert targets[: len(expected)] == expected
    assert all(s.account_id == SCENARIOS[tool].account("").account_id for s in fetched.sources)
    assert all(s.retrieved_at == NOW for s in fetched.sources)
    assert all("dossier/" in s.headers.get("User-Agent", "") for s in server.seen)


def test_job_board_equals_the_parser_on_the_same_response(tmp_path: Path) -> None:
    fetched, _ = run("greenhouse", tmp_path)
    data = fixture("jobs/greenhouse_sigmoid_jobs_content_full.json")
    assert fetched.sources == parse_greenhouse(data, "sigmoid", account_id="acme", now=NOW)


def test_query_params_are_the_real_apis(tmp_path: Path) -> None:
    _, server = run("google_news", tmp_path)
    search = urlsplit(server.seen[0].target)
    assert search.path == "/rss/search"
    assert parse_qsl(search.query) == [
        ("q", GN_QUERY), ("hl", "en-US"), ("gl", "US"), ("ceid", "US:en"),
    ]  # fmt: skip
    _, server = run("gdelt", tmp_path / "g")
    query = parse_qsl(urlsplit(server.seen[0].target).query)
    assert query == [
        ("query", "Intrum"), ("mode", "artlist"), ("format", "json"), ("maxrecords", "20"),
        ("sort", "datedesc"),
    ]  # fmt: skip


def test_sec_exhibit_folders_follow_edgar_layout(tmp_path: Path) -> None:
    _, server = run("sec", tmp_path)
    folders = [t for t in sent(server) if t.startswith("/Archives/")]
    assert folders == [
        "/Archives/edgar/data/789019/000119312526380280/index.json",
        "/Archives/edgar/data/789019/000119312526380280/d291965dex991.htm",
        "/Archives/edgar/data/789019/000119312526323632/index.json",
        "/Archives/edgar/data/789019/000119312526323632/bke20241122-8kexhibit.htm",
        "/Archives/edgar/data/789019/000119312526258667/index.json",
        "/Archives/edgar/data/789019/000119312526224155/index.json",
        "/Archives/edgar/data/789019/000119312526191457/index.json",
        "/Archives/edgar/data/789019/000119312526191457/msft-ex99_1.htm",
    ]


def test_sec_uses_the_books_cik_without_the_ticker_list(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.route(
            "/submissions/CIK0001318605.json",
            Reply(200, fixture("sec/CIK0001318605_tesla_submissions_trimmed3.json"), JSON),
        )
        ctx = make_context(tmp_path, server.base_url)
        account = Account(account_id="tsla", name="Tesla", cik="1318605", ticker="TSLA")
        fetched = TOOL["sec"].fetch(account, ctx)
    assert "8-K" in [s.metadata["form"] for s in fetched.sources]
    assert sent(server)[0] == "/submissions/CIK0001318605.json"
    assert "/files/company_tickers.json" not in sent(server)


def test_a_failing_endpoint_raises_one_line_fetch_error(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.route("/v0/postings/meesho", Reply(500, b"oops", "text/plain"))
        ctx = make_context(tmp_path, server.base_url)
        account = Account(account_id="acme", name="Acme", lever="meesho")
        with pytest.raises(FetchError) as failure:
            TOOL["lever"].fetch(account, ctx)
    message = str(failure.value)
    assert "\n" not in message and "HTTP 500" in message and "/v0/postings/meesho" in message


DELTA_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>"Delta" - Google News</title>
<link>https://news.google.com/search?q=Delta</link>
<item><title>Delta Air Lines cancels 300 flights as storms hit Atlanta - Reuters</title>
<link>{base}/a/1</link><guid>1</guid><pubDate>Tue, 29 Sep 2026 10:00:00 GMT</pubDate>
<source url="https://www.reuters.com">Reuters</source></item>
<item><title>Delta Faucet Company recalls touchless kitchen faucets - Plumbing Today</title>
<link>{base}/a/2</link><guid>2</guid><pubDate>Mon, 28 Sep 2026 10:00:00 GMT</pubDate>
<source url="https://plumbing.example">Plumbing Today</source></item>
<item><title>Quarterly results beat estimates - Wire</title>
<link>{base}/a/3</link><guid>3</guid><pubDate>Sun, 27 Sep 2026 10:00:00 GMT</pubDate>
<source url="https://wire.example">Wire</source></item>
<item><title>Mekong delta farmers face drought - Wire</title>
<link>{base}/a/4</link><guid>4</guid><pubDate>Sat, 26 Sep 2026 10:00:00 GMT</pubDate>
<source url="https://wire.example">Wire</source></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("account", "kept"),
    [
        (Account(account_id="dal", name="Delta Air Lines, Inc.", ticker="DAL"), ["1", "3"]),
        (Account(account_id="faucet", name="Delta Faucet Company", domain="deltafaucet.com"),
         ["2"]),
    ],
)  # fmt: skip
def test_relevance_filter_tells_two_deltas_apart(
    account: Account, kept: list[str], tmp_path: Path
) -> None:
    with ReplayServer() as server:
        server.route(
            "/rss/search", Reply(200, DELTA_FEED.format(base=server.base_url).encode(), RSS)
        )
        for n in "124":
            server.route(f"/a/{n}", Reply(404, b"gone", "text/plain"))
        # the headline names nobody; the article names the airline by its ticker
        body = "Delta Air Lines (NYSE: DAL) reported record revenue.\nDelta's CEO spoke."
        server.route("/a/3", Reply(200, page("Quarterly results beat estimates", body), HTML))
        fetched = TOOL["google_news"].fetch(account, make_context(tmp_path, server.base_url))
    assert [s.metadata["guid"] for s in fetched.sources] == kept
    assert f"dropped {4 - len(kept)} items not about {account.name}" in fetched.problems


def test_refetching_the_same_responses_gives_the_same_sources(tmp_path: Path) -> None:
    for tool in SCENARIOS:
        fetched, _ = run(tool, tmp_path / tool, times=2)  # run() compares the two
        assert len({s.id for s in fetched.sources}) == len(fetched.sources)
