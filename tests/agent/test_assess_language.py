"""Real business language the rules must read (invented companies, excerpts in the layouts of
calls, news, filings, postings and reviews)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.assess.attribution import not_an_event, third_party
from agent.assess.entities import Context
from agent.assess.rules import read_hit, rivals_named
from agent.assess.signals import confirm_signal, detect_signals
from agent.schemas import Account, Signal, SignalType, Source, SourceKind
from tests.factories import make_source

T = SignalType
CTX = Context(client_names=("Halvex",), competitors=(), subject="client",
              subject_competitor=None, published=None, bullet=False, speaker=None)  # fmt: skip
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
HALVEX = Account(account_id="h", name="Halvex")


def _source(i: int, kind: SourceKind, text: str, **meta: object) -> Source:
    return make_source(text, id=f"s{i}", account_id="h", kind=kind, title=f"Halvex {i}",
                       published_at=NOW - timedelta(days=1), retrieved_at=NOW,
                       metadata=dict(meta))  # fmt: skip


def _signals(*sources: Source) -> list[Signal]:
    return detect_signals(HALVEX, list(sources), NOW)


def _quoted(signals: list[Signal], kind: SignalType, words: str) -> bool:
    return any(s.type is kind and any(words in e.quote for e in s.evidence) for s in signals)


def test_a_round_named_by_its_investors_is_funding_without_an_amount() -> None:
    text = ("The latest cash influx was led by new entrant Brightwater Venture Partners, with "
            "participation from existing investors Oakmere Capital.")  # fmt: skip
    assert read_hit(T.funding_round, text, CTX) is not None
    listing = "Halvex's secondary listing would raise at least 40 billion Hong Kong dollars."
    hit = read_hit(T.funding_round, listing, CTX)
    assert hit is not None and "40 billion Hong Kong dollars" in hit.summary


def test_dividends_buybacks_and_loan_growth_raise_no_capital() -> None:
    for text in (
        "This included $2.1 billion in dividends and $9 billion through open market repurchases.",
        "Commercial loans grew $1.7 billion, driven by asset-based lending.",
        "We made a $150 million voluntary contribution to our pension plan.",
    ):
        assert read_hit(T.funding_round, text, CTX) is None, text
    both = (
        "We repurchased $2 billion of stock and completed an inaugural debt offering of $5 billion."
    )
    assert read_hit(T.funding_round, both, CTX) is not None


def test_an_opening_adverb_is_not_another_company() -> None:
    text = "Sequentially, the cost of tariffs increased around $80 million, mostly in hardware."
    assert not third_party(text, ("Halvex",))


def test_the_client_acting_with_another_party_is_the_clients_event() -> None:
    text = "NIRA and Halvex are working together to close the cloud skills gap in government."
    assert not third_party(text, ("Halvex",))
    assert third_party("NIRA is working with the state on its skills gap.", ("Halvex",))


def test_a_denied_degree_followed_by_a_statement_is_no_denial() -> None:
    said = "It's not going to be exponential growth, but it is going to grow substantially."
    assert not_an_event(said) is None
    assert not_an_event("We are not planning layoffs, but we are reviewing costs.") == "denial"


def test_a_filings_exhibit_line_is_boilerplate() -> None:
    text = "A copy of the press release is attached hereto as Exhibit 99.1."
    assert not_an_event(text) == "boilerplate"


def test_guidance_in_numbers_and_cost_savings_are_read_on_a_call() -> None:
    call = _source(1, SourceKind.earnings_call, (
        "Lena Marsh (Chief Financial Officer): Total revenue is expected to be $3.1 billion, "
        "plus or minus 2%. We believe these actions will generate annualized savings of between "
        "$40 million and $60 million. Our workforce reductions, while painful, were necessary "
        "to protect liquidity."
    ))  # fmt: skip
    signals = _signals(call)
    assert _quoted(signals, T.earnings_guidance, "plus or minus 2%")
    assert _quoted(signals, T.budget_pressure, "annualized savings")
    assert _quoted(signals, T.layoffs, "workforce reductions")


def test_a_rival_named_as_such_is_a_competitor_move() -> None:
    assert rivals_named("We are gaining time spent share on competitors like Vidlo.") == "Vidlo"
    assert rivals_named("Our primary competitor can no longer bundle freight.") == ""
    assert rivals_named("Our competitors may develop improved products.") is None
    assert rivals_named("Our competitors include Arden Labs and Pell.") is None
    assert rivals_named("We grew revenue 12% in the quarter.") is None
    call = _source(2, SourceKind.earnings_call, (
        "Omar Reyes (Chief Executive Officer): The trends look good here, and we believe that "
        "we're gaining time spent share on competitors like Vidlo."
    ))  # fmt: skip
    moves = [s for s in _signals(call) if s.type is T.competitor_move]
    assert moves and moves[0].entity == "Vidlo"


def test_an_old_finding_does_not_date_the_sources_newer_event() -> None:
    filing = _source(3, SourceKind.filing, (
        "The Company acquired Pellworth in December 2023 when it bought all of its stock. "
        "In November 2025, the Company acquired the rights to market the Arclin product line."
    ))  # fmt: skip
    acquisitions = [s for s in _signals(filing) if s.type is T.acquisition]
    assert acquisitions and all("Pellworth" not in e.quote for s in acquisitions
                                for e in s.evidence)  # fmt: skip
    assert any("Arclin" in e.quote for s in acquisitions for e in s.evidence)


def test_an_event_in_a_boards_repeated_blurb_is_read_once() -> None:
    blurb = "With our most recent office expansion in Lisbon, we now have 6 offices."
    postings = [
        _source(10 + i, SourceKind.job_posting, f"{title}\n\nAbout us\n\n{blurb}\n\nYou will "
                f"own the {title.lower()} work.", board="halvex", department="Sales")
        for i, title in enumerate(("Account Executive", "Sales Engineer", "Recruiter"))
    ]  # fmt: skip
    expansion = [s for s in _signals(*postings) if s.type is T.expansion]
    assert len(expansion) == 1 and len(expansion[0].evidence) == 1


def test_reviewers_telling_of_new_offices_is_expansion() -> None:
    reviews = [
        _source(20 + i, SourceKind.employee_review, f"Cons: {text}")
        for i, text in enumerate(("Opening up offices worldwide too fast.",
                                  "They keep opening new offices in Asia."))
    ]  # fmt: skip
    assert any(s.type is T.expansion for s in _signals(*reviews))


def test_a_signal_the_model_points_out_passes_the_rules_checks_or_is_refused() -> None:
    said = "Halvex cut 8% of its workforce on Monday, the company said."
    text = f"{said} Globex cut 5% of its staff. Will Halvex cut more jobs next year?"
    news = _source(30, SourceKind.news, text)
    kept, why = confirm_signal(HALVEX, news, said, T.layoffs, NOW)
    assert kept is not None and why == "kept" and kept.metrics["found_by"] == "model"
    assert kept.entity == "8%" and kept.evidence[0].source_id == news.id
    other, why = confirm_signal(HALVEX, news, "Globex cut 5% of its staff.", T.layoffs, NOW)
    assert other is None and "not the client's" in why
    asked, why = confirm_signal(
        HALVEX, news, "Will Halvex cut more jobs next year?", T.layoffs, NOW
    )
    assert asked is None and why == "question"
    made_up, why = confirm_signal(HALVEX, news, "Halvex cut 50% of staff.", T.layoffs, NOW)
    assert made_up is None and why == "not a sentence of its source"
    review = _source(31, SourceKind.employee_review, "Pros: Halvex raised $40 million.")
    funding, why = confirm_signal(HALVEX, review, "Pros: Halvex raised $40 million.",
                                  T.funding_round, NOW)  # fmt: skip
    assert funding is None and "is not read from one sentence" in why
