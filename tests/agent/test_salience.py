"""Salience on real-call prose: what a CSM needs first, from the words and the document."""

from __future__ import annotations

from agent.synthesize.evidence import _usable
from agent.synthesize.salience import Echo, figures, salience


def test_a_figure_the_call_repeats_is_a_headline_figure() -> None:
    call = [
        "Today we report record revenue of $12.3 billion, up 9% from a year ago.",
        "Widget revenue was $1.1 billion, up 4%.",
        "Our revenue of $12.3 billion was a new record for the quarter.",
        "We expect other income of about $40 million next quarter.",
    ]
    echo = Echo(call)
    assert echo.of(call[0]) == 1
    assert echo.of(call[1]) == 0
    headline = salience(call[0], 0.6, echoed=echo.of(call[0])).score
    line_item = salience(call[1], 0.6, echoed=echo.of(call[1])).score
    assert headline > line_item


def test_figures_are_spelled_alike() -> None:
    assert figures("Sales of $4.2 Billion rose 7%.") == {"$4.2 billion", "7%"}
    assert figures("Sales of $4.2 billion rose 7%.", money_only=True) == {"$4.2 billion"}


def test_a_non_gaap_result_is_a_statement_but_the_notice_is_not() -> None:
    assert _usable("Non-GAAP freight costs should ease by about two points once Dayton opens.")
    assert not _usable("A reconciliation of these figures is in our press release today.")


def test_call_housekeeping_weighs_less_than_a_result() -> None:
    housekeeping = "Further details are in the CFO commentary available on our IR website."
    moderator = "We will now move on to Dana from Northfield Securities."
    result = "Our operating income grew 11% to $2.4 billion in the quarter."
    for text in (housekeeping, moderator):
        assert salience(text, 0.5).features["housekeeping"] == 1.0
        assert salience(text, 0.5).score < salience(result, 0.5).score
    assert salience(result, 0.5).features["housekeeping"] == 0.0


def test_a_named_partner_or_rival_outweighs_a_nameless_relation() -> None:
    named = "We signed a partnership with Harbor Freightways to run our routing on their network."
    nameless = "We signed a partnership to run our routing on a larger network next year."
    assert salience(named, 0.5).features["relation"] == 1.0
    assert salience(nameless, 0.5).features["relation"] == 0.0
    rival = "We are gaining share from competitors like Quillfeather in every region."
    assert salience(rival, 0.5).features["relation"] == 1.0


def test_a_sentence_that_breaks_off_and_restarts_weighs_less() -> None:
    broken = "So the pilot -- well, it's not 10%, it covers 40 stores -- which is a start."
    whole = "The pilot covers 40 stores, not 10% of the fleet, which is a start."
    assert salience(broken, 0.5).features["broken"] == 2.0
    assert salience(whole, 0.5).features["broken"] == 0.0
    assert salience(broken, 0.5).score < salience(whole, 0.5).score
    # a hyphen or a written dash is not a break
    assert salience("Our year-over-year growth was 9%—a record.", 0.5).features["broken"] == 0.0
