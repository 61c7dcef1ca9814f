"""The web app over the demo workspace, through Starlette's test client: the book, an
account's brief and sources, the digest, the background jobs, and clear errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from agent.deps import Deps
from agent.scan.digest import Digest, DigestAccount, save_digest
from agent.schemas import Evidence, Signal, SignalType
from agent.web.app import create_app
from agent.web.briefs import load_brief
from tests.web.conftest import state

ACCOUNT = "larkspur-home"


@pytest.fixture
def client(web_app: Starlette) -> Iterator[TestClient]:
    with TestClient(web_app, base_url="http://127.0.0.1") as client:
        yield client


def _secret(app: Starlette) -> str:
    return state(app).secret


def test_the_book_lists_every_account_and_assesses_them_in_the_background(
    client: TestClient, web_app: Starlette
) -> None:
    first = client.get("/")
    assert first.status_code == 200
    for name in ("Larkspur Home, Inc.", "Quarrystone Logistics", "Meridian Health Systems"):
        assert name in first.text
    state(web_app).jobs.wait(120)
    page = client.get("/").text
    assert re.search(r'<tr class="row-(red|yellow|green)" data-account="larkspur-home"', page)
    assert "2027-02-15" in page  # the renewal date
    assert client.get("/", params={"q": "quarry"}).text.count("data-account=") == 1
    only_red = client.get("/", params={"triage": "red", "sort": "renewal"}).text
    assert only_red.count("data-account=") == only_red.count('class="row-red"')


def test_an_account_page_writes_its_brief_in_the_background_then_shows_it(
    client: TestClient, web_app: Starlette, web_deps: Deps
) -> None:
    waiting = client.get(f"/accounts/{ACCOUNT}")
    assert waiting.status_code == 200 and "data-job=" in waiting.text
    job_id = re.search(r'data-job="([0-9a-f]+)"', waiting.text)
    assert job_id is not None
    assert client.get(f"/jobs/{job_id.group(1)}").json()["kind"] == "brief"
    state(web_app).jobs.wait(180)
    assert client.get(f"/jobs/{job_id.group(1)}").json()["status"] == "done"
    page = client.get(f"/accounts/{ACCOUNT}").text
    briefing = load_brief(web_deps.settings, ACCOUNT)
    assert briefing is not None and briefing.headline.split()[0] in page
    assert "Signals timeline" in page and "Value messages" in page
    # every footnote points at a stored source, with the quotes of its statement
    footnote = r'<a href="(/accounts/larkspur-home/sources/[^"?]+)\?([^"]+)" class="fn"'
    links = re.findall(footnote, page)
    assert links, "the brief's footnotes are linked to their sources"
    path, query = links[0]
    panel = client.get(path + "/context?" + query.replace("&amp;", "&"))
    assert panel.status_code == 200 and "<mark>" in panel.text
    assert "no longer in this source" not in panel.text


def test_a_source_page_highlights_the_quote_in_the_stored_text(
    client: TestClient, web_deps: Deps
) -> None:
    source = next(s for s in web_deps.store.sources(ACCOUNT) if s.kind.value == "earnings_call")
    sentence = " ".join(source.text.split()[5:17])
    page = client.get(f"/accounts/{ACCOUNT}/sources/{source.id}", params={"q": sentence.upper()})
    assert page.status_code == 200
    marked = re.search(r'<mark id="quote">(.*?)</mark>', page.text, re.DOTALL)
    assert marked is not None and " ".join(unescape(marked.group(1)).split()) == sentence
    missing = client.get(f"/accounts/{ACCOUNT}/sources/{source.id}", params={"q": "never said"})
    assert "no longer in this source" in missing.text


def test_bad_input_is_a_clear_page_never_a_traceback(client: TestClient) -> None:
    unknown = client.get("/accounts/no-such-account")
    assert unknown.status_code == 404
    assert "no account 'no-such-account' in the book" in unescape(unknown.text)
    bad_source = client.get(f"/accounts/{ACCOUNT}/sources/..%2F..%2Fbook")
    assert bad_source.status_code == 404 and "Traceback" not in bad_source.text
    assert client.get("/jobs/nope").status_code == 404
    persona = client.post(
        f"/accounts/{ACCOUNT}/brief",
        data={"secret": _secret(client.app), "persona": "boss"},  # type: ignore[arg-type]
    )
    assert persona.status_code == 400 and "unknown persona 'boss'" in unescape(persona.text)


def test_forms_need_the_page_secret_and_requests_a_loopback_host(client: TestClient) -> None:
    assert client.post("/scan", data={"secret": "guessed"}).status_code == 403
    assert client.post(f"/accounts/{ACCOUNT}/research").status_code == 403
    assert client.get("/", headers={"host": "rebound.example"}).status_code == 403


def test_a_token_is_asked_for_and_then_kept_in_a_cookie(web_deps: Deps) -> None:
    app = create_app(web_deps, token="t" * 24, loopback_only=False)
    with TestClient(app, base_url="http://192.0.2.10") as client:
        assert client.get("/digest").status_code == 401
        signed_in = client.get("/digest?token=" + "t" * 24, follow_redirects=False)
        assert signed_in.status_code == 303 and "token" not in signed_in.headers["location"]
        assert client.get("/digest").status_code == 200  # the cookie carries it now
    with TestClient(app, base_url="http://192.0.2.10") as other:
        bearer = {"Authorization": "Bearer " + "t" * 24}
        assert other.get("/digest", headers=bearer).status_code == 200
    state(app).jobs.shutdown()


def test_the_digest_page_shows_the_last_scan(client: TestClient, web_deps: Deps) -> None:
    assert "No scan recorded" in client.get("/digest").text
    source = web_deps.store.sources(ACCOUNT)[0]
    quote = " ".join(source.text.split()[:8])
    signal = Signal(
        type=SignalType.executive_departure,
        severity="red",
        polarity="risk",
        summary="The champion leaves at year end.",
        evidence=[Evidence(source_id=source.id, quote=quote)],
    )
    entry = DigestAccount(
        account_id=ACCOUNT, name="Larkspur Home, Inc.", triage="red", new_signals=[signal]
    )
    now = web_deps.clock()
    save_digest(
        web_deps.settings, Digest(run_id="r1", started_at=now, finished_at=now, accounts=[entry])
    )
    page = client.get("/digest").text
    assert "The champion leaves at year end." in page
    assert f"/accounts/{ACCOUNT}/sources/{source.id}?q=" in page
    book = client.get("/").text
    assert "new signals from the" in book


def test_a_scan_from_the_page_runs_in_the_background_and_keeps_its_digest(
    client: TestClient, web_app: Starlette, web_home: Path
) -> None:
    started = client.post("/scan", data={"secret": _secret(web_app)}, follow_redirects=False)
    assert started.status_code == 303 and started.headers["location"] == "/digest"
    assert "data-job=" in client.get("/digest").text or state(web_app).jobs.active() == []
    state(web_app).jobs.wait(600)
    job = state(web_app).jobs.latest("scan", None)
    assert job is not None and job.status == "done", job and job.error
    assert (web_home / "digests" / "last.json").is_file()
    assert "accounts scanned" in client.get("/digest").text
