"""The news relevance filter: a company's full name, aliases, domain or quoted ticker."""

from __future__ import annotations

import pytest

from agent.schemas import Account
from tools.news import is_about

AIRLINE = Account(account_id="dal", name="Delta Air Lines, Inc.", ticker="DAL", domain="delta.com")
FAUCET = Account(account_id="df", name="Delta Faucet Company", aliases=["Delta Faucet Co"])


@pytest.mark.parametrize(
    ("account", "text", "url", "about"),
    [
        (AIRLINE, "DELTA AIR LINES cuts capacity", None, True),
        (AIRLINE, "Delta Air\nLines adds Lisbon", None, True),
        (AIRLINE, "Delta Faucet recalls faucets", None, False),
        (AIRLINE, "Delta variant spreads", None, False),
        (AIRLINE, "Carriers rally (NYSE: DAL) today", None, True),
        (AIRLINE, "Shares of (DAL) rose", None, True),
        (AIRLINE, "DAL is a street in Dallas", None, False),  # a bare ticker is not enough
        (AIRLINE, "Book on delta.com now", None, True),
        (AIRLINE, "Ops update", "https://news.delta.com/ops-update", True),
        (AIRLINE, "Airline news", "https://x.example/delta-air-lines-adds-routes", True),
        (FAUCET, "Delta Faucet unveils a touchless tap", None, True),
        (FAUCET, "Delta Air Lines cancels flights", None, False),
        (FAUCET, "Delta flights resume", None, False),  # one word of a multi-word name
        (FAUCET, "delta faucet co. recall", None, True),
    ],
)
def test_is_about(account: Account, text: str, url: str | None, about: bool) -> None:
    assert is_about(account, text, url) is about


def test_one_word_name_must_be_written_as_a_name() -> None:
    stripe = Account(account_id="s", name="Stripe")
    assert is_about(stripe, "Stripe raises at a $70B valuation")
    assert not is_about(stripe, "a red stripe on the flag")
    apple = Account(account_id="a", name="Apple Inc.", ticker="A")  # one-letter ticker ignored
    assert is_about(apple, "Apple launches a phone") and not is_about(apple, "apple pie (A)")
