"""One scripted exchange per source tool, shared by the replay-server and the cassette tests.

Each scenario serves the real fixtures (plus small synthetic pages and EDGAR indexes) in the
real URL shapes; `routes(base)` gets the server's base URL because feeds link to pages on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from agent.config import Settings
from agent.schemas import Account
from tests.replay_server import Reply
from tools.http import HttpClient
from tools.news import parse_feed
from tools.sources import FetchContext, Fetched, newest_first

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
ENDPOINTS = (
    "greenhouse_url",
    "lever_url",
    "ashby_url",
    "google_news_url",
    "gdelt_url",
    "sec_data_url",
    "sec_archives_url",
)
JSON, HTML, ATOM, RSS = (
    "application/json",
    "text/html; charset=utf-8",
    "application/atom+xml",
    ("application/rss+xml; charset=utf-8"),
)
Routes = dict[str, list[Reply]]


def fixture(name: str) -> bytes:
    """The bytes of a fixture file."""
    return (FIXTURES / name).read_bytes()


def page(title: str, body: str, published: str = "2026-09-30T08:00:00Z") -> bytes:
    """A small synthetic article page with JSON-LD, as publishers serve them."""
    ld = json.dumps({"@type": "NewsArticle", "headline": title, "datePublished": published})
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (
        f'<html><head><title>{title}</title><script type="application/ld+json">{ld}</script>'
        f"</head><body><nav>Home | World</nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>(c) Example Media</footer></body></html>"
    ).encode()


def make_context(tmp: Path, base: str, *, max_items: int = 20, **settings: object) -> FetchContext:
    """A context whose endpoints all point at `base` (a replay server or a cassette's host)."""
    config = Settings(
        home=tmp, contact_email="csm@example.com", **{k: base for k in ENDPOINTS}, **settings
    )  # type: ignore[arg-type]
    host = urlsplit(base).hostname or ""
    http = HttpClient(config, allow_hosts=(host,), sleep=lambda _s: None)
    return FetchContext(http=http, settings=config, now=NOW, max_items=max_items)


@dataclass
class Scenario:
    """A tool's exchange: the account, the routes, the requests it must send, the checks."""

    tool: str
    account: Callable[[str], Account]
    routes: Callable[[str], Routes]
    targets: list[str]
    check: Callable[[Fetched, str], None]
    max_items: int = 20
    extra: dict[str, object] = field(default_factory=dict)


def _account(**fields: object) -> Callable[[str], Account]:
    def build(base: str) -> Account:
        values = {k: v.format(base=base) if isinstance(v, str) else v for k, v in fields.items()}
        return Account(**values)  # type: ignore[arg-type]

    return build


# --- job boards: the real responses, byte for byte ------------------------------------------


def _board(tool: str, board: str, target: str, name: str, count: int) -> Scenario:
    def check(fetched: Fetched, base: str) -> None:
        assert len(fetched.sources) == count and not fetched.problems
        assert {s.kind.value for s in fetched.sources} == {"job_posting"}
        assert all(s.account_id == "acme" and s.retrieved_at == NOW for s in fetched.sources)
        assert all(s.metadata["provider"] == tool for s in fetched.sources)

    return Scenario(
        tool,
        _account(account_id="acme", name="Acme", **{tool: board}),
        lambda base: {target: [Reply(200, fixture(f"jobs/{name}"), JSON)]},
        [target],
        check,
    )


GREENHOUSE = _board(
    "greenhouse",
    "sigmoid",
    "/v1/boards/sigmoid/jobs?content=true",
    "greenhouse_sigmoid_jobs_content_full.json",
    len(json.loads(fixture("jobs/greenhouse_sigmoid_jobs_content_full.json"))["jobs"]),
)
LEVER = _board(
    "lever",
    "meesho",
    "/v0/postings/meesho?mode=json",
    "lever_meesho_postings_full.json",
    len(json.loads(fixture("jobs/lever_meesho_postings_full.json"))),
)
ASHBY = _board(
    "ashby",
    "ramp",
    "/posting-api/job-board/ramp?includeCompensation=true",
    "ashby_ramp_job_board.json",
    len(json.loads(fixture("jobs/ashby_ramp_job_board.json"))["jobs"]),
)

# --- Google News: the real RSS search response; its wrapper links resolve on the mirror -------

_GN_FILE = "news/google_news_rss_search_bears_ears_monument.xml"
GN_QUERY = '"Bears Ears" monument'
GN_TARGET = "/rss/search?q=%22Bears+Ears%22+monument&hl=en-US&gl=US&ceid=US%3Aen"


def _gn_newest(n: int) -> list[str]:
    items = newest_first(parse_feed(fixture(_GN_FILE)), n)
    return [urlsplit(s.url or "").path for s in items]


def _gn_targets() -> list[str]:
    first, second, third = (p + "?oc=5" for p in _gn_newest(3))
    # the fourth link is not tried: the third showed that wrappers do not redirect
    return [GN_TARGET, first, "/news/monument-cut", second, "/news/gone", third]


def _gn_routes(base: str) -> Routes:
    first, second, third, _fourth = _gn_newest(4)
    body = "Bears Ears National Monument was cut again.\nTribes said they would sue."
    return {
        "/rss/search": [Reply(200, fixture(_GN_FILE), RSS)],
        first: [Reply(302, b"", HTML, headers={"Location": f"{base}/news/monument-cut"})],
        "/news/monument-cut": [Reply(200, page("Utah monuments cut again", body), HTML)],
        second: [Reply(302, b"", HTML, headers={"Location": f"{base}/news/gone"})],
        # Google's own page that redirects in script: the link does not resolve
        third: [Reply(200, page("Google News", "Opening the article"), HTML)],
    }


def _gn_check(fetched: Fetched, base: str) -> None:
    # the fourth-newest headline of the real feed never names Bears Ears
    assert len(fetched.sources) == 3
    first, second, _third = fetched.sources
    assert first.url == f"{base}/news/monument-cut"
    assert "Tribes said they would sue." in first.text and first.text.startswith(first.title)
    assert first.metadata["item_url"].startswith("https://news.google.com/rss/articles/")
    assert second.url and second.url.startswith("https://news.google.com/rss/articles/")
    assert fetched.problems[0].startswith(f"article {base}/rss/articles/")
    assert fetched.problems[0].endswith("HTTP 404")
    assert fetched.problems[1:] == [
        "2 Google News links did not lead to the article; kept the headlines",
        "dropped 1 items not about Bears Ears",
    ]


GOOGLE_NEWS = Scenario(
    "google_news",
    _account(account_id="bears-ears", name="Bears Ears", news_query=GN_QUERY),
    _gn_routes,
    _gn_targets(),
    _gn_check,
    max_items=4,
)

# --- GDELT: the real Intrum artlist, its article URLs moved onto the server -------------------

GDELT_TARGET = "/api/v2/doc/doc?query=Intrum&mode=artlist&format=json&maxrecords=20&sort=datedesc"


def _gdelt_routes(base: str) -> Routes:
    data = json.loads(fixture("news/gdelt_doc_artlist_intrum_2items.json"))
    for article in data["articles"]:
        article["url"] = base + urlsplit(article["url"]).path
    hu, dk = (urlsplit(a["url"]).path for a in data["articles"])
    body = "Intrum, the Swedish debt collector, is investing in Hungary.\nIt bought a portfolio."
    return {
        GDELT_TARGET: [Reply(200, json.dumps(data).encode(), JSON)],
        hu: [Reply(200, page("Intrum invests in Hungary", body, "2026-05-18T06:00:00Z"), HTML)],
        dk: [Reply(500, b"upstream error", "text/plain")],
    }


def _gdelt_check(fetched: Fetched, base: str) -> None:
    hu, dk = fetched.sources
    # the Hungarian headline never names Intrum; its article does
    assert "Intrum" not in hu.title and "It bought a portfolio." in hu.text
    assert dk.text == dk.title and "Intrum" in dk.title
    assert len(fetched.problems) == 1 and fetched.problems[0].startswith(f"article {base}/nyheder")


GDELT = Scenario(
    "gdelt",
    _account(account_id="intrum", name="Intrum", news_query="Intrum"),
    _gdelt_routes,
    [GDELT_TARGET],
    _gdelt_check,
)

# --- newsroom: the real Atom feed (blank line before <?xml), its post links on the server -----

_AWS = "http://aws.typepad.com"


def _newsroom_routes(base: str) -> Routes:
    feed = fixture("news/aws_blog_company_atom_feed_2009.xml").replace(_AWS.encode(), base.encode())
    newest = [urlsplit(s.url or "").path for s in newest_first(parse_feed(feed), 2)]
    body = "Mainframe workloads can now move to EC2.\nCustomers asked for it."
    return {
        "/newsroom/atom.xml": [Reply(200, feed, ATOM)],
        newest[0]: [Reply(200, page("AWS Job: Architect", body, "2009-01-16T18:21:00Z"), HTML)],
    }


def _newsroom_check(fetched: Fetched, base: str) -> None:
    assert len(fetched.sources) == 2  # max_items, and no relevance filter on the company's feed
    first, second = fetched.sources
    assert "Customers asked for it." in first.text
    assert second.metadata.get("page_title") is None and second.url and second.url.startswith(base)
    assert fetched.problems == [f"article {second.url}: HTTP 404"]
    # the company's own feed: its posts are press releases
    assert {s.metadata.get("genre") for s in fetched.sources} == {"press_release"}


NEWSROOM = Scenario(
    "newsroom",
    _account(
        account_id="aws", name="Amazon Web Services", newsroom_feed="{base}/newsroom/atom.xml"
    ),
    _newsroom_routes,
    ["/newsroom/atom.xml"],
    _newsroom_check,
    max_items=2,
)

# --- SEC: real tickers, submissions and EX-99.1; the EDGAR folder indexes are synthetic -------

MSFT_8KS = [  # the 8-Ks of the Microsoft fixture within 365 days of NOW, newest first
    ("000119312526380280", "d291965d8k.htm", ["d291965dex991.htm"]),
    ("000119312526323632", "msft-20260729.htm", ["bke20241122-8kexhibit.htm"]),
    ("000119312526258667", "d26760d8k.htm", []),
    ("000119312526224155", "d125909d8k.htm", None),  # index missing: a problem, not a failure
    ("000119312526191457", "msft-20260429.htm", ["msft-ex99_1.htm"]),  # exhibit missing
]
_EX99 = "sec/8-K_buckle_EX-99.1_q3_results_press_release.html"


def _index(folder: str, names: list[str]) -> bytes:
    items = [{"last-modified": "2026-09-02 16:05:12", "name": n, "type": "text.gif", "size": "9"}
             for n in names]  # fmt: skip
    return json.dumps({"directory": {"item": items, "name": folder, "parent-dir": "/"}}).encode()


def _sec_routes(base: str) -> Routes:
    routes: Routes = {
        "/files/company_tickers.json": [
            Reply(200, fixture("sec/company_tickers_first100.json"), JSON)
        ],
        "/submissions/CIK0000789019.json": [
            Reply(200, fixture("sec/CIK0000789019_microsoft_submissions_92filings.json"), JSON)
        ],
    }
    for accession, primary, exhibits in MSFT_8KS:
        folder = f"/Archives/edgar/data/789019/{accession}"
        if exhibits is None:
            continue
        names = [primary, *exhibits, f"{accession}-index.htm", "R1.htm", "Financial_Report.xlsx"]
        routes[f"{folder}/index.json"] = [Reply(200, _index(folder, names), JSON)]
        if exhibits and not exhibits[0].startswith("msft-ex"):
            routes[f"{folder}/{exhibits[0]}"] = [Reply(200, fixture(_EX99), "text/html")]
    return routes


def _sec_check(fetched: Fetched, base: str) -> None:
    submissions = [s for s in fetched.sources if "exhibit_of" not in s.metadata]
    exhibits = [s for s in fetched.sources if "exhibit_of" in s.metadata]
    assert len(submissions) == 20
    assert submissions[0].metadata["items"] == ["7.01", "9.01"]
    assert len(exhibits) == 2
    assert [e.metadata["accession"] for e in exhibits] == [
        "0001193125-26-380280",
        "0001193125-26-323632",
    ]
    assert exhibits[0].metadata["items"] == ["7.01", "9.01"]
    assert exhibits[1].metadata["items"] == ["2.02", "9.01"]
    assert (
        exhibits[0].url == f"{base}/Archives/edgar/data/789019/000119312526380280/d291965dex991.htm"
    )
    assert "<DOCUMENT>" not in exhibits[0].text and "Buckle" in exhibits[0].text
    assert len(fetched.problems) == 2
    assert fetched.problems[0].startswith("8-K 0001193125-26-224155 exhibit:")
    assert fetched.problems[1].startswith("8-K 0001193125-26-191457 exhibit:")


SEC = Scenario(
    "sec",
    _account(account_id="msft", name="Microsoft", ticker="MSFT"),
    _sec_routes,
    ["/files/company_tickers.json", "/submissions/CIK0000789019.json"]
    + [f"/Archives/edgar/data/789019/{a}/index.json" for a, _, _ in MSFT_8KS[:1]],
    _sec_check,
)

# --- reviews: the real Glassdoor-style CSV export ---------------------------------------------

_REVIEWS = "reviews/glassdoor_job_reviews_kaggle_slice_199rows.csv"


def _reviews_check(fetched: Fetched, base: str) -> None:
    from tools.reviews import parse_reviews_csv

    expected = parse_reviews_csv(fixture(_REVIEWS).decode(), account_id="afh", now=NOW)
    assert fetched.sources == expected.sources
    assert fetched.problems == [f"reviews {p}" for p in expected.problems]


REVIEWS = Scenario(
    "reviews",
    _account(
        account_id="afh", name="AFH Wealth Management", reviews_url="{base}/exports/reviews.csv"
    ),
    lambda base: {
        "/exports/reviews.csv": [Reply(200, fixture(_REVIEWS), "text/csv; charset=utf-8")]
    },
    ["/exports/reviews.csv"],
    _reviews_check,
)

SCENARIOS = {
    s.tool: s for s in (GREENHOUSE, LEVER, ASHBY, GOOGLE_NEWS, GDELT, NEWSROOM, SEC, REVIEWS)
}
