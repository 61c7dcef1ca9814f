"""HTML pages: news articles with JSON-LD, organisations' own pages, the fallback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tools.web import parse_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_article_with_jsonld_graph_is_news() -> None:
    source = parse_page((FIXTURES / "synthetic/article_jsonld.html").read_text())
    assert source.kind == "news"
    assert source.title == "Northwind names Priya Raman chief financial officer"
    assert source.url == "https://news.example.com/2026/10/northwind-names-new-cfo"
    assert source.published_at == datetime(2026, 10, 2, 13, 30, tzinfo=UTC)
    assert source.metadata["author"] == "Alex Moreno"
    assert source.metadata["publisher"] == "Example Business Daily"
    assert "succeeding Glen Ortiz" in source.text
    assert "We use cookies" not in source.text and "Other story" not in source.text


def test_og_article_pages_are_news() -> None:
    source = parse_page(
        (
            FIXTURES / "pages/wikimediafoundation.org_turkey_access_restored_press_release.html"
        ).read_text()
    )
    assert source.kind == "news"
    assert (
        source.title
        == "Access to Wikipedia restored in Turkey after more than two and a half years"
    )
    assert source.url and source.url.startswith("https://wikimediafoundation.org/news/2020/01/15/")
    assert (
        source.published_at is not None and source.published_at.date().isoformat() == "2020-01-15"
    )
    blog = parse_page(
        (FIXTURES / "pages/github.blog_leader_spotlight_erin_spiceland.html").read_text()
    )
    assert blog.kind == "news" and blog.metadata["author"] == "Jessica Rudder"
    assert "Erin Spiceland" in blog.text


def test_about_page_is_web_page_without_guessed_date() -> None:
    source = parse_page((FIXTURES / "pages/fairkom.eu_about_page_de.html").read_text())
    assert source.kind == "web_page"
    assert source.url == "https://www.fairkom.eu/about"
    assert source.published_at is None
    assert "Wir sind fairkom" in source.text


def test_given_url_wins_and_ids_follow_url() -> None:
    html = (FIXTURES / "synthetic/article_jsonld.html").read_text()
    a = parse_page(html, "https://mirror.example/a")
    b = parse_page(html)
    assert a.url == "https://mirror.example/a" and a.id != b.id


def test_tiny_page_falls_back_to_plain_text() -> None:
    source = parse_page("<html><body><p>Only a line.</p></body></html>")
    assert source.kind == "web_page" and source.text == "Only a line."
