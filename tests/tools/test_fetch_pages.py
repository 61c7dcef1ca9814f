"""`dossier add ACCOUNT URL`: a web page or a transcript fetched through the one HTTP client."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import FetchError, ParseError
from agent.schemas import Account, SourceKind
from tests.replay_server import ReplayServer, Reply
from tests.tools.fetch_scenarios import FIXTURES, NOW, make_context
from tools.transcript_fetch import fetch_transcript
from tools.web import fetch_page

ACME = Account(account_id="acme", name="Acme")
SERVED = {
    "/about": ("pages/fairkom.eu_about_page_de.html", "text/html"),
    "/press": (
        "pages/wikimediafoundation.org_turkey_access_restored_press_release.html",
        "text/html",
    ),
    "/call.html": ("synthetic/fool_style_transcript.html", "text/html; charset=utf-8"),
    "/call.txt": ("transcripts/northwind_q3_2026_label_layout.txt", "text/plain"),
    "/article": ("synthetic/article_jsonld.html", "text/html"),
}


@pytest.fixture
def server() -> object:
    with ReplayServer() as server:
        for target, (name, kind) in SERVED.items():
            server.route(target, Reply(200, (FIXTURES / name).read_bytes(), kind))
        server.route("/moved", Reply(301, b"", "text/html", headers={"Location": "/article"}))
        server.route("/data.json", Reply(200, b"{}", "application/json"))
        yield server


def test_fetch_page_web_page_and_news(server: ReplayServer, tmp_path: Path) -> None:
    ctx = make_context(tmp_path, server.base_url)
    about = fetch_page(server.url("/about"), ctx, "acme")
    assert about.kind == SourceKind.web_page and about.account_id == "acme"
    assert about.retrieved_at == NOW and about.url == server.url("/about")
    article = fetch_page(server.url("/moved"), ctx, "acme")
    assert article.kind == SourceKind.news and article.url == server.url("/article")
    assert article.published_at is not None
    with pytest.raises(FetchError, match="expected HTML"):
        fetch_page(server.url("/data.json"), ctx, "acme")


def test_fetch_transcript_html_and_text(server: ReplayServer, tmp_path: Path) -> None:
    ctx = make_context(tmp_path, server.base_url)
    fool = fetch_transcript(server.url("/call.html"), ctx, ACME)
    text = fetch_transcript(server.url("/call.txt"), ctx, ACME)
    for call in (fool, text):
        assert call.kind == SourceKind.earnings_call and call.account_id == "acme"
        assert call.metadata["turns"] and call.retrieved_at == NOW
    with pytest.raises(ParseError, match="no transcript speaker turns"):
        fetch_transcript(server.url("/about"), ctx, ACME)
