"""JSON as documents bring it: decoded with a bounded depth or refused in one ParseError
line, and the JSON-LD objects a page carries."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from agent.errors import ParseError

# script tags found one at a time, the opening tag bounded: a lazy `.*?</script>` over a page
# of unclosed openings takes quadratic time
_SCRIPT_OPEN = re.compile(r"<script\b([^>]{0,1000})>", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script>", re.IGNORECASE)
_LD_TYPE = re.compile(r"type=[\"']application/ld\+json[\"']", re.IGNORECASE)


#: JSON deeper than this is refused: real documents nest a few levels, and readers walk it.
MAX_JSON_DEPTH = 64


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in decoded JSON (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        stack += [(child, level + 1) for child in children if isinstance(child, dict | list)]
    return deepest


def load_json(data: bytes | str | Any) -> Any:
    """Decoded JSON (already decoded data passes through); ParseError when it is not JSON, or
    nests deeper than MAX_JSON_DEPTH."""
    value = data
    if isinstance(data, bytes | str):
        try:
            value = json.loads(data)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        except MemoryError:
            raise ParseError("JSON too large to read in memory") from None
        except json.JSONDecodeError as exc:
            # one line needs no position, a document does
            where = f", line {exc.lineno} column {exc.colno}" if exc.doc.count("\n") else ""
            raise ParseError(f"not JSON ({exc.msg}{where})") from None
        except ValueError as exc:  # bytes that are not UTF-8
            raise ParseError(f"not JSON ({' '.join(str(exc).split())[:200]})") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def jsonld_objects(html: str) -> list[dict[str, Any]]:
    """Every JSON-LD object in a page, with `@graph` arrays and nested lists flattened."""
    found: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            found.append(node)
            if "@graph" in node:
                visit(node["@graph"])
            for key in ("review", "aggregateRating"):
                if key in node:
                    visit(node[key])

    for block in _ld_blocks(html):
        try:
            visit(load_json(block))
        except ParseError:
            continue
    return found


def _ld_blocks(html: str) -> Iterator[str]:
    """The bodies of a page's application/ld+json script tags, in one pass."""
    pos = 0
    while opening := _SCRIPT_OPEN.search(html, pos):
        closing = _SCRIPT_CLOSE.search(html, opening.end())
        if closing is None:
            return
        if _LD_TYPE.search(opening[1]):
            yield html[opening.end() : closing.start()]
        pos = closing.end()
