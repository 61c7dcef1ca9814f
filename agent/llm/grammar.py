"""A JSON schema as a llama.cpp grammar (GBNF) that admits only compact JSON.

llama.cpp enforces a `json_schema` response format with a grammar that lets the model put
spaces, line breaks and indentation between tokens, and a small model indents: a draft of a
real call took 1,004 tokens indented and 747 written compactly. This grammar admits the same
documents without any whitespace between tokens, every property in the schema's order, so
the model writes a quarter fewer tokens (a quarter less time on a CPU).

It covers what dossier's draft schemas use: objects, strings with `maxLength`, string enums,
arrays with `minItems` / `maxItems`, and `$ref` into `$defs`; anything else is a ValueError.
The same walk also yields a Python regular expression for the grammar's language, so tests can
check what the grammar admits without a server.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

#: One character of a JSON string: anything but a quote, a backslash or a control character,
#: or an escape (llama.cpp's own rule).
_CHAR_GBNF = r'[^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" [0-9a-fA-F]{4})'
_CHAR_REGEX = r'(?:[^"\\\x00-\x1f\x7f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))'


@dataclass(frozen=True)
class _Expr:
    """One part of the language, as a GBNF expression and as a regex."""

    gbnf: str
    regex: str


def _literal(text: str) -> _Expr:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return _Expr(f'"{escaped}"', re.escape(text))


def _seq(*parts: _Expr) -> _Expr:
    return _Expr(" ".join(p.gbnf for p in parts), "".join(p.regex for p in parts))


class _Walk:
    """One pass over a JSON schema, each part turned into its grammar and its regex."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = schema.get("$defs", {})

    def value(self, node: Mapping[str, Any]) -> _Expr:
        if "$ref" in node:
            return self.value(self.defs[str(node["$ref"]).rsplit("/", 1)[-1]])
        if "enum" in node:
            options = [_literal(json.dumps(v)) for v in node["enum"]]
            return _Expr(
                "(" + " | ".join(o.gbnf for o in options) + ")",
                "(?:" + "|".join(o.regex for o in options) + ")",
            )
        kind = node.get("type")
        if kind == "object":
            return self.object(node)
        if kind == "array":
            return self.array(node)
        if kind == "string":
            most = node.get("maxLength")
            count = f"{{0,{most}}}" if most is not None else "*"
            return _Expr(f'"\\"" char{count} "\\""', f'"{_CHAR_REGEX}{count}"')
        raise ValueError(f"the compact grammar does not cover this schema part: {node}")

    def object(self, node: Mapping[str, Any]) -> _Expr:
        parts = [_literal("{")]
        for i, (name, prop) in enumerate(node.get("properties", {}).items()):
            parts += [_literal(("," if i else "") + json.dumps(name) + ":"), self.value(prop)]
        return _seq(*parts, _literal("}"))

    def array(self, node: Mapping[str, Any]) -> _Expr:
        item = self.value(node["items"])
        least, most = int(node.get("minItems", 0)), node.get("maxItems")
        if most == 0:
            return _literal("[]")
        more = _seq(_literal(","), item)
        low = max(0, least - 1)
        count = f"{{{low},{int(most) - 1}}}" if most is not None else f"{{{low},}}"
        items = _Expr(f"{item.gbnf} ({more.gbnf}){count}", f"{item.regex}(?:{more.regex}){count}")
        if least == 0:
            items = _Expr(f"({items.gbnf})?", f"(?:{items.regex})?")
        return _seq(_literal("["), items, _literal("]"))


@functools.cache
def compact_grammar(model: type[BaseModel]) -> str:
    """The GBNF grammar of the model's JSON schema, compact JSON only."""
    return f"root ::= {_language(model).gbnf}\nchar ::= {_CHAR_GBNF}\n"


def compact_pattern(model: type[BaseModel]) -> re.Pattern[str]:
    """The same language as a regular expression (what the grammar admits, for tests)."""
    return re.compile(_language(model).regex)


def _language(model: type[BaseModel]) -> _Expr:
    schema = model.model_json_schema()
    return _Walk(schema).value(schema)
