"""Offline o200k_base token counts, so evals and the scripted LLM server report usage the way
OpenAI bills it without tiktoken downloading its ranks file (tests and CI run with no network).

The ranks come from the copy shipped in the bpe-openai wheel; the split pattern and special
tokens are tiktoken's own."""

from __future__ import annotations

import base64
import functools
import gzip
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import tiktoken
from tiktoken_ext.openai_public import ENDOFPROMPT, ENDOFTEXT

#: Copied from `o200k_base()` in tiktoken_ext/openai_public.py (tiktoken 0.14), which builds it
#: inside the function, so it cannot be imported.
O200K_PAT_STR = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
#: The cookbook's overheads: each message is wrapped in <|start|>{role}<|message|>...<|end|>, a
#: name costs one more, and every reply is primed with <|start|>assistant<|message|>.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


def _mergeable_ranks() -> dict[bytes, int]:
    """The o200k_base ranks from bpe-openai's gzipped copy of the standard .tiktoken file."""
    packed = resources.files("bpe_openai.data").joinpath("o200k_base.tiktoken.gz").read_bytes()
    ranks: dict[bytes, int] = {}
    for line in gzip.decompress(packed).splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@functools.cache
def encoding() -> tiktoken.Encoding:
    """tiktoken's o200k_base, built once from local files instead of a download."""
    return tiktoken.Encoding(
        "o200k_base",
        pat_str=O200K_PAT_STR,
        mergeable_ranks=_mergeable_ranks(),
        special_tokens={ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
    )


def count(text: str) -> int:
    """Tokens in `text`; special-token strings count as plain text, as in user content."""
    return len(encoding().encode_ordinary(text))


def _content_text(content: str | Sequence[Mapping[str, Any]] | None) -> str:
    """The text of a message's content: a string, nothing, or a list of typed parts."""
    if content is None or isinstance(content, str):
        return content or ""
    return "".join(part.get("text", "") for part in content if part.get("type") == "text")


def _message_tokens(message: Mapping[str, Any]) -> int:
    """One message's tokens, overhead included."""
    tokens = TOKENS_PER_MESSAGE
    for key, value in message.items():
        if key == "content":
            tokens += count(_content_text(value))
        elif key == "tool_calls":
            for call in value or []:
                function = call.get("function", {})
                tokens += count(function.get("name", "")) + count(function.get("arguments", ""))
        elif isinstance(value, str):
            tokens += count(value) + (TOKENS_PER_NAME if key == "name" else 0)
    return tokens


def count_messages(messages: Sequence[Mapping[str, Any]]) -> int:
    """Prompt tokens of a chat-completions `messages` list, counted as OpenAI's cookbook does."""
    return sum(_message_tokens(message) for message in messages) + REPLY_PRIMING


def count_tools(tools: Sequence[Mapping[str, Any]]) -> int:
    """Tokens of the JSON of `tools`: an approximation, since OpenAI renders tool definitions
    into an undocumented internal format before counting them."""
    return count(json.dumps(tools)) if tools else 0
