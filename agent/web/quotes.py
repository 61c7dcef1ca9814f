"""Where a quote stands in its source: the span of the stored text it matches, and the context
around it, for a page that shows the quoted sentence highlighted where the source says it.

A quote matches as the grounding check reads it (`agent.validate.fold`: whitespace and case
folded), so every quote a validated brief carries is found in its source's stored text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agent.schemas import Source
from agent.validate import fold
from knowledge.store import KnowledgeStore

#: Characters of context shown on each side of a quote in a source panel.
CONTEXT_CHARS = 600
#: What a stored source's id looks like; anything else (a path, "..") is never looked up.


def stored_source(store: KnowledgeStore, account_id: str, source_id: str) -> Source | None:
    """A stored source of the account by an id from a request, or None (the store refuses
    an id that is a path)."""
    return store.get_source(account_id, source_id)


@dataclass(frozen=True)
class Piece:
    """A run of a source's text, highlighted when it is (part of) a quote."""

    text: str
    quote: bool = False


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """The span of `text` that `quote` matches with whitespace and case folded, or None."""
    needle = fold(quote)
    if not needle:
        return None
    folded, origin = _folded_with_origin(text)
    at = folded.find(needle)
    if at < 0:
        return None
    return origin[at], origin[at + len(needle) - 1] + 1


def spans(quotes: Iterable[str], text: str) -> list[tuple[int, int]]:
    """The spans of every quote found in `text`, sorted, overlapping ones merged."""
    found = sorted(s for s in (locate(q, text) for q in quotes) if s is not None)
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def pieces(text: str, marked: list[tuple[int, int]]) -> list[Piece]:
    """`text` cut into plain and highlighted pieces at the marked spans."""
    out: list[Piece] = []
    at = 0
    for start, end in marked:
        if start > at:
            out.append(Piece(text[at:start]))
        out.append(Piece(text[start:end], quote=True))
        at = end
    if at < len(text):
        out.append(Piece(text[at:]))
    return out


def excerpt(
    text: str, marked: list[tuple[int, int]], around: int = CONTEXT_CHARS
) -> tuple[list[Piece], bool, bool]:
    """The marked spans with `around` characters of context each side, cut at word breaks;
    also whether text was left out before and after."""
    if not marked:
        return pieces(text[: 2 * around], []), False, len(text) > 2 * around
    start = _word_break(text, max(0, marked[0][0] - around), backwards=True)
    end = _word_break(text, min(len(text), marked[-1][1] + around), backwards=False)
    window = [(s - start, e - start) for s, e in marked if s >= start and e <= end]
    return pieces(text[start:end], window), start > 0, end < len(text)


def _word_break(text: str, at: int, *, backwards: bool) -> int:
    """`at` moved to the nearest whitespace (within 40 characters), so no word is cut."""
    step = -1 if backwards else 1
    for moved in range(40):
        i = at + step * moved
        if i <= 0 or i >= len(text):
            return max(0, min(i, len(text)))
        if text[i].isspace():
            return i + 1 if backwards else i
    return at


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """`text` folded as `fold` folds it (but not stripped), and for each folded character the
    index of the character of `text` it came from."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = False
    for i, char in enumerate(text):
        if char.isspace():
            if not in_space:
                chars.append(" ")
                origin.append(i)
            in_space = True
            continue
        in_space = False
        for folded in char.casefold():  # "ß" folds to "ss": both come from one character
            chars.append(folded)
            origin.append(i)
    return "".join(chars), origin
