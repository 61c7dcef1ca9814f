"""Shared helpers: ids, text cleanup, HTML to text, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from agent.schemas import SourceKind
from tools.base import clean_text, html_to_text, stable_id, to_utc
from tools.dates import find_date


def test_stable_id_is_kind_plus_short_sha1() -> None:
    first = stable_id(SourceKind.news, "https://example.com/a")
    assert first == stable_id(SourceKind.news, "https://example.com/a")
    assert first.startswith("news-") and len(first) == len("news-") + 12
    assert first != stable_id(SourceKind.web_page, "https://example.com/a")


def test_clean_text_normalizes_but_keeps_paragraphs() -> None:
    raw = "Title  \r\n\r\n\r\n\r\nFirst&nbsp;para &amp; more\u200b\rline two \n\n\nlast"
    assert clean_text(raw) == "Title\n\nFirst para & more\nline two\n\nlast"


def test_html_to_text_keeps_blocks_lists_and_tables() -> None:
    html = (
        "<div><p>a <b>b</b>\n c</p><ul><li>x</li><li>y</li></ul>text<br>more"
        "<table><tr><td>1</td><td>2</td></tr></table><script>var x;</script>"
        '<div style="display:none">hidden</div>&copy; 2026</div>'
    )
    assert html_to_text(html) == "a b c\n\n- x\n- y\n\ntext\nmore\n\n1 2\n\n© 2026"


def test_dates() -> None:
    assert find_date("Call held October 22, 2026 at 5pm") == date(2026, 10, 22)
    assert find_date("on 2026-08-05, then Sept 3, 2026") == date(2026, 8, 5)
    assert find_date("no date") is None
    assert to_utc("2026-06-30T05:26:14-04:00") == datetime(2026, 6, 30, 9, 26, 14, tzinfo=UTC)
    assert to_utc(1757916149833) == datetime(2025, 9, 15, 6, 2, 29, 833000, tzinfo=UTC)
    assert to_utc("garbage") is None
