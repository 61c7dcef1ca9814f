"""A claim says only what its quotes say: numbers, names, negation, direction of change.
Invented sentences, one rule at a time, each with paraphrases that must pass."""

from __future__ import annotations

import pytest

from agent.llm.support import figures, unsupported

QUOTE = (
    "Quarterly revenue at Halvorsen Freight grew 12% to $3.14 billion, and we added "
    "1,200 new shipping customers across the Nordic Harbor network."
)


@pytest.mark.parametrize(
    "claim",
    [
        "Halvorsen Freight's revenue increased 12 percent to $3.1 billion.",
        "Revenue rose to about $3,140 million, up 12%.",
        "The company added 1.2 thousand shipping customers.",
        "Halvorsen added 1,200 customers on the Nordic Harbor network.",
        "Revenue grew twelve percent in the quarter.",
        "In 2025 revenue grew 12%.",
    ],
)
def test_paraphrases_that_keep_the_facts_are_supported(claim: str) -> None:
    assert unsupported(claim, [QUOTE]) == []


def test_a_number_no_quote_carries_is_named() -> None:
    reasons = unsupported("Revenue grew 15% to $3.1 billion.", [QUOTE])
    assert reasons == ["the number '15%' is in no quote"]
    assert unsupported("Revenue reached $4.2 billion.", [QUOTE]) == [
        "the number '4.2 billion' is in no quote"
    ]


def test_a_rounded_figure_must_round_from_the_quote() -> None:
    assert unsupported("Revenue was $3.1 billion.", [QUOTE]) == []
    assert unsupported("Revenue was $3.2 billion.", [QUOTE]) != []


def test_figures_read_scales_and_percent() -> None:
    values = {text: f.value for text, f in figures("$3.1 billion, 12%, 1,200 and 2.5m units")}
    assert values == {"3.1 billion": 3.1e9, "12%": 12.0, "1,200": 1200.0, "2.5m": 2.5e6}


def test_a_name_absent_from_the_quotes_is_named() -> None:
    reasons = unsupported("Revenue grew 12% as Brightwater Labs lost share.", [QUOTE])
    assert "the name 'Brightwater Labs' is in no quote" in reasons


def test_a_ticker_absent_from_the_quotes_is_named() -> None:
    assert unsupported("HLVF revenue grew 12%.", [QUOTE]) == ["the name 'HLVF' is in no quote"]
    assert unsupported("Revenue grew 12%, the CFO said.", [QUOTE]) == []


def test_names_the_evidence_carries_besides_its_words_pass() -> None:
    quote = "We expect our cloud margin to widen next year."
    claim = "Finance chief Maren Okafor expects the cloud margin to widen."
    assert "the name 'Maren Okafor' is in no quote" in unsupported(claim, [quote])
    assert unsupported(claim, [quote], known=["Maren Okafor", "Chief Financial Officer"]) == []


def test_a_negation_the_quote_does_not_have_is_named() -> None:
    quote = "We will expand the depot program to three new regions."
    assert unsupported("The depot program will not expand to new regions.", [quote]) == [
        "the claim negates (not, no, never...) and its quotes do not"
    ]
    assert unsupported("The depot program will expand to three new regions.", [quote]) == []


def test_stating_what_the_quote_negates_is_named() -> None:
    quote = "We did not renew the warehouse contract with Ostberg Logistics this year."
    assert unsupported("They renewed the warehouse contract with Ostberg Logistics.", [quote])
    assert unsupported("The Ostberg Logistics warehouse contract was not renewed.", [quote]) == []


def test_a_negation_elsewhere_in_a_long_quote_does_not_bind_the_claim() -> None:
    quote = (
        "Subscriptions grew 8% in the quarter, although we have not yet launched "
        "the new loyalty tier in Canada."
    )
    assert unsupported("Subscriptions grew 8% in the quarter.", [quote]) == []


def test_an_opposite_direction_of_change_is_named() -> None:
    quote = "Operating costs declined 4% as we closed two older sorting centers."
    assert unsupported("Operating costs rose 4%.", [quote]) == [
        "the claim says up, its quotes say down"
    ]
    assert unsupported("Operating costs fell 4% after two sorting centers closed.", [quote]) == []
    assert unsupported("Operating costs decreased by 4%.", [quote]) == []


def test_a_quote_with_both_directions_supports_either() -> None:
    quote = "Volumes fell 3%, while revenue per parcel increased 6%."
    assert unsupported("Revenue per parcel increased 6%.", [quote]) == []
    assert unsupported("Volumes decreased 3%.", [quote]) == []


def test_a_claim_that_says_something_else_than_its_quote_is_named() -> None:
    quote = "Parcel revenue at Halvorsen Freight was $2 billion, up 9% on strong holiday volume."
    vague = "The company's strategic priorities include expanding its loyalty ecosystem."
    assert unsupported(vague, [quote]) == ["it shares only 0 of its 6 words with its quotes"]
    assert unsupported("Holiday volume lifted parcel revenue 9% to $2 billion.", [quote]) == []


def test_a_message_in_its_own_words_is_held_to_the_figures_of_its_proofs() -> None:
    proof = "Parcel revenue at Halvorsen Freight was $2 billion, up 9% on strong holiday volume."
    message = "Predictable spend matters to finance; you grew parcel revenue 9% to $2 billion."
    assert unsupported(message, [proof], restates=False) == []
    invented = "Predictable spend matters to finance; you cut fuel costs by 14%."
    assert unsupported(invented, [proof], restates=False) == ["the number '14%' is in no quote"]
