"""Text from sources and models made inert wherever dossier shows it.

A source title, a quoted sentence or a model's message is data. In Markdown it must not open a
link, an image, raw HTML, emphasis, a table cell or a heading; as a link it must be a web
address; in a terminal it must not carry escape codes or rich markup. Every renderer goes
through these functions, so there is one place to get each of them right.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rich.text import Text

from tools.controls import strip_controls

#: C0 controls but tab and newline, DEL, C1 controls (ESC and CSI start terminal escape codes),
#: and the bidirectional overrides that make a line display in another order than it reads.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Characters with a meaning in Markdown wherever they stand (GFM's `~` and table `|` too).
_MD_INLINE = re.compile(r"[\\`*_\[\]|~<>]|&(?=#?\w+;)")
_MD_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
#: What makes a line a heading, list item, quote, rule or setext underline when it starts one.
_MD_LINE_START = re.compile(r"^(\s*)(?:(#|[-+=])|(\d+)([.)]))")
#: Percent-encoded in a link destination, so a URL can neither end its link early nor add one
#: ("...)[x](http://..." stays inside its link) nor split a table cell.
_URL_UNSAFE = re.compile(r"[<>()\[\]\"'`|\\{}^]")


def printable(text: object) -> str:
    """`text` without escape sequences and control characters (newline and tab are kept)."""
    return _CONTROL.sub("", strip_controls(str(text)))


def md_text(text: object) -> str:
    """Source or model text as literal Markdown inline text, on one line."""
    return _MD_LINE_START.sub(_escape_line_start, md_cell(text), count=1)


def md_cell(text: object) -> str:
    """Source or model text as a table cell: as `md_text`, but a cell never starts a line, so
    "9.8 million" needs no escaped dot."""
    line = printable(" ".join(str(text).split()))
    return _MD_INLINE.sub(lambda m: _MD_ENTITY.get(m.group(), "\\" + m.group()), line)


def _escape_line_start(match: re.Match[str]) -> str:
    space, marker, number, dot = match.groups()
    return f"{space}\\{marker}" if marker else f"{space}{number}\\{dot}"


def md_code(text: object) -> str:
    """`text` as a Markdown code span, whatever backticks it holds."""
    line = printable(" ".join(str(text).split()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", line)), default=0) + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{fence}{pad}{line}{pad}{fence}"


def web_url(url: str | None) -> str | None:
    """`url` when it is an http(s) address with a host, the only kind dossier links; else None.

    A `javascript:`, `data:` or `file:` URL from a page or a model is shown, never linked.
    """
    if not url:
        return None
    url = url.strip()
    if _CONTROL.search(url) or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and host else None


def md_link(label: object, url: str | None) -> str:
    """A Markdown link to a web address; other URLs leave only the (escaped) label."""
    target = web_url(url)
    if target is None:
        return md_text(label)
    return f"[{md_text(label)}]({_destination(target)})"


def md_url(url: str | None) -> str:
    """A URL as the reader sees it: an autolink when it is a web address, else escaped text."""
    target = web_url(url)
    return f"<{_destination(target)}>" if target else md_text(url or "")


def _destination(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


def terminal(text: object) -> Text:
    """Text for a terminal: no escape codes, and brackets printed, not read as rich markup."""
    return Text(printable(text))
