"""One bad record never loses the others: how a failure of any kind becomes a problem line.

- `parser` makes a parser fail only as `ParseError`: hostile input can raise anything
  (RecursionError, MemoryError, KeyError, OverflowError...), and callers catch dossier's errors.
- `each` builds one record per item; an item that fails is noted and skipped.
- `note` records a problem with one record (a skipped item, a date refused, a text cut);
  whoever runs a parser gathers the lines with `collecting()` (research per tool, `add` per
  input) and reports them with its own. Outside a collector they are logged as warnings.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from agent.errors import DossierError, ParseError

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

log = logging.getLogger(__name__)

_sink: ContextVar[list[str] | None] = ContextVar("dossier_problems", default=None)
_MAX_REASON = 200


def failure(exc: BaseException) -> str:
    """Why something failed, in one line: dossier's own message, else what went wrong."""
    if isinstance(exc, DossierError):
        return " ".join(str(exc).split())
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "too large to read in memory"
    reason = " ".join(str(exc).split())
    if len(reason) > _MAX_REASON:
        reason = reason[: _MAX_REASON - 1] + "…"
    return f"unreadable ({type(exc).__name__}: {reason})" if reason else type(exc).__name__


def note(problem: str) -> None:
    """Record a problem with one record while the rest is read (once per collector)."""
    line = " ".join(problem.split())
    sink = _sink.get()
    if sink is None:
        log.warning(line)
    elif line not in sink:
        sink.append(line)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """Gather the problems noted in this thread while the block runs."""
    sink: list[str] = []
    token = _sink.set(sink)
    try:
        yield sink
    finally:
        _sink.reset(token)


def each(items: Iterable[T], build: Callable[[T], R | None], what: str) -> list[R]:
    """`build(item)` for every item, Nones left out; an item that fails in any way is noted
    as "<what> <n>: why" and skipped."""
    built: list[R] = []
    for number, item in enumerate(items, start=1):
        try:
            result = build(item)
        except Exception as exc:  # any failure of one item; the others still count
            note(f"{what} {number}: {failure(exc)}")
            continue
        if result is not None:
            built.append(result)
    return built


def parser(func: Callable[P, R]) -> Callable[P, R]:
    """A parser that fails only as ParseError, whatever its input makes the code under it raise."""

    @functools.wraps(func)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except DossierError:
            raise
        except Exception as exc:  # hostile input reaches code that trusted its shape
            raise ParseError(failure(exc)) from exc

    return guarded
