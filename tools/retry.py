"""Waiting between attempts of an outbound call, one way for every client (the HTTP client of
the fetchers and the alert webhook, and the chat model): the server's Retry-After when it sent
one, in seconds or as an HTTP date, capped; otherwise the caller's exponential backoff."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import RetryCallState
from tenacity.wait import wait_base

#: The longest a Retry-After header may make a retry wait.
RETRY_AFTER_CAP = 60.0

Wait = Callable[[RetryCallState], float]


def retry_after(value: str | None, cap: float = RETRY_AFTER_CAP) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), at most `cap`;
    None when there is none or it cannot be read."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), cap)


def waiting(backoff: wait_base, asked: Callable[[BaseException], float | None]) -> Wait:
    """A tenacity `wait`: what the failed attempt's server asked for (`asked` reads it from
    the exception), else `backoff`."""

    def wait(state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        seconds = asked(failure) if failure is not None else None
        return seconds if seconds is not None else float(backoff(state))

    return wait
