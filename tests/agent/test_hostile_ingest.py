"""One bad input never takes `add`, `research` or a scanned account down: a failure of any kind
becomes that input's, tool's or article's problem line and the rest is kept."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import tools.files
import tools.news
from agent.cli import app
from agent.config import load_settings
from agent.deps import Deps
from agent.pipeline import ingest
from agent.research import research
from agent.scan.scan import scan_account
from agent.schemas import Account, SourceKind
from knowledge.store import KnowledgeStore
from tools.base import make_source
from tools.sources import FetchContext, Fetched

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SITE = "https://northwind.example"
NORTHWIND = Account(
    account_id="northwind", name="Northwind Labs", newsroom_feed=f"{SITE}/newsroom.xml"
)
PLANT = "Northwind Labs opened a second plant in Tampere to double its sensor output."


def page(title: str, body: str, depth: int = 0) -> bytes:
    """An article page, its body under `depth` nested divs."""
    ld = json.dumps({"@type": "NewsArticle", "headline": title, "datePublished": "2026-05-30"})
    article = f"<article><h1>{title}</h1><p>{body}</p></article>"
    return (
        f'<html><head><title>{title}</title><script type="application/ld+json">{ld}</script>'
        f"</head><body>{'<div>' * depth}{article}{'</div>' * depth}</body></html>"
    ).encode()


def newsroom_feed() -> bytes:
    items = [
        ("Northwind opens Tampere plant", f"{SITE}/news/plant"),
        ("Northwind page nested a thousand deep", f"{SITE}/news/deep"),
        ("Northwind page that breaks the reader", f"{SITE}/news/boom"),
        ("Northwind link to a script", "javascript:alert(document.cookie)"),
    ]
    entries = "".join(
        f"<item><title>{t}</title><link>{u}</link>"
        "<pubDate>Sat, 30 May 2026 08:00:00 GMT</pubDate></item>"
        for t, u in items
    )
    channel = f"<channel><title>Northwind</title>{entries}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def serve(request: httpx.Request) -> httpx.Response:
    """The newsroom and its pages; every other endpoint is not found."""
    path = request.url.path
    if request.url.host == "northwind.example":
        if path == "/newsroom.xml":
            return httpx.Response(
                200, content=newsroom_feed(), headers={"content-type": "application/rss+xml"}
            )
        bodies = {
            "/news/plant": page("Northwind opens Tampere plant", PLANT),
            "/news/deep": page("Northwind page nested a thousand deep", PLANT, depth=1_000),
            "/news/boom": page("Northwind page that breaks the reader", PLANT),
        }
        if path in bodies:
            return httpx.Response(200, content=bodies[path], headers={"content-type": "text/html"})
    return httpx.Response(404, content=b"not here")


def make_deps(home: Path) -> Deps:
    return Deps.build(load_settings(home), clock=lambda: NOW, transport=httpx.MockTransport(serve))


def breaking_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader of one article page fails the way only hostile input makes code fail."""
    real = tools.news.fetch_page

    def fetch_page(url: str, ctx: FetchContext, account_id: str) -> Any:
        if url.endswith("/boom"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(url, ctx, account_id)

    monkeypatch.setattr(tools.news, "fetch_page", fetch_page)


def test_a_scan_keeps_the_good_items_of_a_feed_with_a_hostile_page(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    breaking_pages(monkeypatch)
    deps = make_deps(home)
    with deps.http:
        result = scan_account(deps, NORTHWIND)
    assert result.triage is not None, result.errors
    # the search tools found nothing here (404): those are the account's only errors
    assert all(e.startswith(("google_news:", "gdelt:")) for e in result.errors), result.errors
    by_title = {s.title: s for s in result.sources}
    assert PLANT in by_title["Northwind opens Tampere plant"].text
    assert PLANT in by_title["Northwind page nested a thousand deep"].text
    assert by_title["Northwind page that breaks the reader"].text.startswith("Northwind page")
    assert by_title["Northwind link to a script"].url is None
    run = json.loads((home / "research" / "northwind.json").read_text())
    newsroom = next(o for o in run["outcomes"] if o["tool"] == "newsroom")
    assert newsroom["status"] == "ok" and newsroom["new"] == 4
    assert newsroom["problems"] == [f"article {SITE}/news/boom: nested too deeply to read"]


class Exploding:
    """A tool whose parser meets input it never expected."""

    name = "gdelt"
    kind = SourceKind.news

    def __init__(self, error: Exception) -> None:
        self.error = error

    def enabled(self, account: Account) -> bool:
        return True

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        raise self.error


class OddDates:
    """A tool whose items carry dates no datetime holds."""

    name = "lever"
    kind = SourceKind.job_posting

    def enabled(self, account: Account) -> bool:
        return True

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        source = make_source(
            SourceKind.job_posting,
            "lever:nw:1",
            title="Field Engineer",
            text="Field Engineer\n\nInstall sensors at client sites in Oulu.",
            published_at=tools.base.to_utc(1e17),
            account_id=account.account_id,
            now=ctx.now,
        )
        return Fetched([source])


@pytest.mark.parametrize(
    "error",
    [
        RecursionError("deep"),
        OverflowError("date value out of range"),
        KeyError("id"),
        MemoryError(),
    ],
)
def test_a_tool_failing_in_any_way_is_its_gap(home: Path, error: Exception) -> None:
    deps = make_deps(home)
    report = research(deps, NORTHWIND, [Exploding(error), OddDates()])
    failed, ok = report.outcomes
    assert failed.status == "failed" and failed.error and "\n" not in failed.error
    assert ok.status == "ok" and ok.new == 1
    assert ok.problems == ["date '1e+17' is out of range: read as no date"]


def test_one_bad_input_of_any_kind_never_loses_the_others(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep_json = tmp_path / "board.json"
    deep_json.write_text('{"jobs": ' + "[" * 100_000 + "]" * 100_000 + "}")
    deep_html = tmp_path / "plant.html"
    deep_html.write_bytes(page("Northwind opens Tampere plant", PLANT, depth=1_000))
    broken = tmp_path / "broken.md"
    broken.write_text("# Broken\nA note its reader cannot take.\n")
    note = tmp_path / "call.md"
    note.write_text("# Call notes\nThe champion asked for a QBR in March.\n")
    real = tools.files.ingest_path

    def ingest_path(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == "broken.md":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(tools.files, "ingest_path", ingest_path)
    seen: list[tuple[str, int, int]] = []
    deps = make_deps(home)
    inputs = [deep_json, deep_html, broken, note]
    report = ingest(deps, NORTHWIND, inputs, on_progress=lambda *a: seen.append(a))
    assert report.errors == [
        f"{deep_json}: JSON nested deeper than 64 levels",
        f"{broken}: nested too deeply to read",
    ]
    assert len(report.new) == 2
    texts = [s.text for s in deps.store.sources("northwind")]
    assert any(PLANT in t for t in texts) and any("QBR in March" in t for t in texts)
    # each input is announced, and the embedding of the stored ones reported to its end
    assert [a for a, done, total in seen if total == 0] == [str(i) for i in inputs]
    assert any(a == str(note) and done == total > 0 for a, done, total in seen)


def test_add_reports_hostile_files_in_one_line_each(home: Path, tmp_path: Path) -> None:
    deep_json = tmp_path / "board.json"
    deep_json.write_text("[" * 100_000 + "]" * 100_000)
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    private = tmp_path / "secret.md"
    private.write_text("# Secret\nnot for the store\n")
    private.chmod(0o600)
    link = tmp_path / "linked.md"
    link.symlink_to(private)
    note = tmp_path / "call.md"
    note.write_text("# Call notes\nThe \x1b[31mchampion\x1b[0m asked for a QBR.\n")
    args = [str(p) for p in (deep_json, fifo, Path("/dev/zero"), link, note)]
    result = CliRunner().invoke(app, ["--home", str(home), "add", "northwind", *args])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4, result.stderr
    assert "1 new" in result.stdout
    stored = KnowledgeStore(load_settings(home)).sources("northwind")
    assert [s.text for s in stored] == ["# Call notes\nThe champion asked for a QBR."]


def test_a_damaged_stored_source_is_skipped_with_a_remedy(
    home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    deps = make_deps(home)
    notes = []
    for n, words in enumerate(("The champion asked for a QBR.", "Budget review is in March.")):
        path = tmp_path / f"note{n}.md"
        path.write_text(f"# Call {n}\n{words}\n")
        notes.append(path)
    ingest(deps, NORTHWIND, notes)
    stored = sorted((home / "sources" / "northwind").glob("*.json"))
    assert len(stored) == 2
    stored[0].write_bytes(stored[0].read_bytes()[:40])  # a write cut short
    fresh = KnowledgeStore(load_settings(home))
    read: Callable[[], list[Any]] = lambda: fresh.sources("northwind")  # noqa: E731
    with caplog.at_level(logging.WARNING):
        assert len(read()) == 1 and len(read()) == 1
    warnings = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert len(warnings) == 1 and str(stored[0]) in warnings[0]
    assert "re-run research" in warnings[0]
    # adding the document again restores it
    again = ingest(Deps.build(load_settings(home), clock=lambda: NOW), NORTHWIND, notes)
    assert len(again.new) + len(again.updated) == 1
    assert len(KnowledgeStore(load_settings(home)).sources("northwind")) == 2


def test_the_research_table_shows_problem_lines_as_plain_text() -> None:
    from rich.console import Console

    from agent.commands.research import report_table
    from agent.research import ResearchReport, ToolOutcome

    hostile = "article https://news.example/[/bold]x\x1b[2J: HTTP 500 [red]"
    report = ResearchReport(
        account_id="northwind",
        started_at=NOW.isoformat(),
        outcomes=[
            ToolOutcome(tool="newsroom", status="ok", problems=[hostile]),
            ToolOutcome(tool="gdelt", status="failed", error=hostile),
        ],
    )
    console = Console(record=True, width=300, force_terminal=False)
    console.print(report_table(report))
    shown = console.export_text()
    assert "[/bold]x" in shown and "HTTP 500 [red]" in shown and "\x1b" not in shown


def test_the_cli_prints_log_warnings_as_warning_lines(home: Path, tmp_path: Path) -> None:
    """A damaged stored source, found by any command, is one `warning:` line on stderr."""
    note = tmp_path / "note.md"
    note.write_text("# Call\nThe champion asked for a QBR.\n")
    runner = CliRunner()
    assert runner.invoke(app, ["--home", str(home), "add", "northwind", str(note)]).exit_code == 0
    (stored,) = (home / "sources" / "northwind").glob("*.json")
    stored.write_bytes(stored.read_bytes()[:40])
    result = runner.invoke(app, ["--home", str(home), "sources", "northwind"])
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if str(stored.name) in line]
    assert len(lines) == 1 and lines[0].startswith("warning: "), result.stderr
