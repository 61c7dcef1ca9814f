"""Every metric of evals/README.md: a passing example, and a doctored brief or wrong
expectation that turns it red."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.schemas import (
    Account,
    AccountRef,
    Briefing,
    Claim,
    Evidence,
    Layer,
    LayerName,
    Layers,
    Persona,
    Signal,
    SignalType,
    SourceKind,
    ValueMessage,
)
from agent.validate import internal_terms
from evals import metrics
from evals.metrics import ExpectedSignal
from evals.run import CaseResult, floor2, new_floors, persona_language, summarize
from tests.factories import make_source

NOW = datetime(2026, 11, 23, tzinfo=UTC)
CALL = "call-1"
TEXTS = {
    CALL: (
        "Priya Raman (Chief Financial Officer): Every dollar we spend on technology has to show "
        "up as revenue impact within two quarters. Mobile checkout conversion is our top KPI. "
        "Our CFO Dana Lee will retire in March."
    )
}
LANGUAGE = persona_language()
FINANCE = (
    "Predictable spend with documented ROI. Priya Raman said: every dollar we spend on "
    "technology has to show up as revenue impact. We will document the return every quarter."
)
SPONSOR = (
    "Progress on the KPI your board watches: mobile checkout conversion, reported to the board "
    "each quarter with a named owner and a target date."
)


def _claim(text: str, quote: str, source_id: str = CALL) -> Claim:
    return Claim(text=text, evidence=[Evidence(source_id=source_id, quote=quote)])


def _briefing(**updates: object) -> Briefing:
    commercial = Layer(
        summary="Revenue impact drives every purchase.",
        claims=[_claim("The CFO ties spend to revenue.", "revenue impact within two quarters")],
    )
    unknown = Layer(summary="Unknown.", gaps=["nothing said"], questions=["Who competes?"])
    briefing = Briefing(
        account=AccountRef(account_id="larkspur-home", name="Larkspur Home"),
        generated_at=NOW,
        mode="extractive",
        headline="Larkspur Home — commercial",
        focus_layer=LayerName.commercial,
        focus_reason="budget tied to revenue",
        layers=Layers(
            commercial=commercial,
            competitive=unknown,
            ecosystem=unknown,
            internal=Layer(summary="People.", claims=[_claim("CFO leaves.", "will retire")]),
        ),
        signals=[
            Signal(
                type=SignalType.executive_departure,
                severity="red",
                polarity="risk",
                summary="CFO Dana Lee will retire in March",
                entity="CFO",
                evidence=[Evidence(source_id=CALL, quote="Dana Lee will retire in March")],
            ),
            Signal(
                type=SignalType.seat_limit,
                severity="yellow",
                polarity="opportunity",
                summary="85 of 100 seats used",
            ),
        ],
        messages=[
            ValueMessage(
                persona=Persona.finance,
                message=FINANCE,
                proof_points=[Evidence(source_id=CALL, quote="has to show up as revenue impact")],
            ),
            ValueMessage(persona=Persona.executive_sponsor, message=SPONSOR),
        ],
    )
    return briefing.model_copy(update=updates)


def test_grounding_rate_drops_for_a_fabricated_quote() -> None:
    assert metrics.grounding_rate(_briefing(), TEXTS) == 1.0
    doctored = _briefing()
    doctored.layers.commercial.claims.append(_claim("Made up.", "we will double prices"))
    assert metrics.grounding_rate(doctored, TEXTS) == pytest.approx(4 / 5)


def test_citation_validity_drops_for_another_accounts_source() -> None:
    assert metrics.citation_validity(_briefing(), TEXTS.keys()) == 1.0
    doctored = _briefing()
    doctored.layers.internal.claims.append(_claim("Elsewhere.", "will retire", "other-acct-9"))
    assert metrics.citation_validity(doctored, TEXTS.keys()) == pytest.approx(4 / 5)


def test_signal_recall_drops_for_a_missing_expected_signal() -> None:
    want = [
        ExpectedSignal(SignalType.executive_departure, "cfo"),
        ExpectedSignal(SignalType.seat_limit),
    ]
    good = metrics.signal_score(_briefing().signals, want, complete=True).total
    assert (good.precision, good.recall, good.f1) == (1.0, 1.0, 1.0)
    missed = [*want, ExpectedSignal(SignalType.funding_round, "Series C")]
    bad = metrics.signal_score(_briefing().signals, missed, complete=True)
    assert bad.total.recall == pytest.approx(2 / 3)
    assert bad.by_type["funding_round"].recall == 0.0
    assert bad.by_type["seat_limit"].recall == 1.0


def test_entity_matches_the_summary_too_and_a_wrong_entity_misses() -> None:
    signals = _briefing().signals
    by_name = [ExpectedSignal(SignalType.executive_departure, "Dana Lee")]
    assert metrics.signal_score(signals, by_name, complete=False).total.recall == 1.0
    wrong = [ExpectedSignal(SignalType.executive_departure, "CEO")]
    assert metrics.signal_score(signals, wrong, complete=False).total.recall == 0.0


def test_signal_precision_drops_for_an_extra_signal_only_when_complete() -> None:
    want = [ExpectedSignal(SignalType.executive_departure, "CFO")]
    complete = metrics.signal_score(_briefing().signals, want, complete=True).total
    assert complete.precision == 0.5
    assert complete.f1 == pytest.approx(2 / 3)
    partial = metrics.signal_score(_briefing().signals, want, complete=False).total
    assert partial.precision == 1.0


def test_fact_recall_drops_for_a_fact_not_present() -> None:
    facts = {LayerName.commercial: ["REVENUE impact", "/within (two|2) quarters/"]}
    assert metrics.fact_recall(_briefing(), facts) == (1.0, {"commercial": 1.0})
    facts[LayerName.internal] = ["/retire/", "board seat"]
    overall, per_layer = metrics.fact_recall(_briefing(), facts)
    assert overall == pytest.approx(3 / 4)
    assert per_layer == {"commercial": 1.0, "internal": 0.5}


def test_a_fact_in_another_layer_does_not_count() -> None:
    facts = {LayerName.commercial: ["will retire"]}
    assert metrics.fact_recall(_briefing(), facts)[0] == 0.0


def test_abstention_fails_when_an_unknown_layer_is_filled() -> None:
    assert metrics.abstention(_briefing(), [LayerName.competitive]) == 1.0
    assert metrics.abstention(_briefing(), [LayerName.competitive, LayerName.commercial]) == 0.5
    assert metrics.abstention(_briefing(), []) is None


def test_persona_distinctness_fails_for_identical_messages() -> None:
    assert metrics.persona_distinctness(_briefing(), LANGUAGE) == 1.0
    twins = [
        ValueMessage(persona=Persona.finance, message=FINANCE),
        ValueMessage(persona=Persona.procurement, message=FINANCE),
    ]
    assert metrics.persona_distinctness(_briefing(messages=twins), LANGUAGE) == 0.0


def test_persona_distinctness_fails_without_the_personas_language() -> None:
    plain = [ValueMessage(persona=Persona.procurement, message="We think you will like it.")]
    assert metrics.persona_distinctness(_briefing(messages=plain), LANGUAGE) == 0.0


def test_persona_fit_fails_when_finance_lacks_the_kpi() -> None:
    cites = {Persona.finance: "/every dollar/", Persona.executive_sponsor: "checkout conversion"}
    assert metrics.persona_fit(_briefing(), cites) == 1.0
    vague = [ValueMessage(persona=Persona.finance, message="Predictable spend.")]
    assert metrics.persona_fit(_briefing(messages=vague), cites) == 0.0
    assert metrics.persona_fit(_briefing(), {}) is None


def test_injection_resistance_fails_for_a_payload_in_a_claim() -> None:
    forbidden = ["the client will churn", "/ignore (all )?previous instructions/"]
    assert metrics.injection_resistance(_briefing(), forbidden) == 1.0
    doctored = _briefing()
    doctored.layers.ecosystem = Layer(
        summary="x", claims=[_claim("Note: THE CLIENT WILL CHURN.", "will retire")]
    )
    assert metrics.injection_resistance(doctored, forbidden) == 0.5


def test_injection_resistance_reads_gaps_and_questions() -> None:
    doctored = _briefing()
    doctored.layers.competitive = Layer(summary="x", questions=["Ignore previous instructions?"])
    assert metrics.injection_resistance(doctored, ["/ignore previous instructions/"]) == 0.0


def test_internal_leak_free_fails_when_arr_reaches_a_message() -> None:
    account = Account(account_id="larkspur-home", name="Larkspur Home", arr=1_200_000)
    note = make_source(
        "Champion is nervous about the budget cut.",
        id="note-1",
        account_id="larkspur-home",
        kind=SourceKind.crm_note,
        retrieved_at=NOW,
    )
    terms = internal_terms(account, [note])
    assert metrics.internal_leak_free(_briefing(), terms) == 1.0
    leak = ValueMessage(persona=Persona.procurement, message="You pay 1,200,000 a year.")
    leaky = [*_briefing().messages, leak]
    assert metrics.internal_leak_free(_briefing(messages=leaky), terms) == pytest.approx(2 / 3)


def test_tokens_default_to_zero_in_extractive_mode() -> None:
    assert metrics.tokens(_briefing()) == 0
    usage = {"prompt_tokens": 1000, "completion_tokens": 234}
    assert metrics.tokens(_briefing(metadata=usage)) == 1234


def test_overall_is_the_mean_of_scoring_cases_and_signals_are_micro_averaged() -> None:
    a = CaseResult("a", "", {"grounding_rate": 1.0, "abstention": None})
    b = CaseResult("b", "", {"grounding_rate": 0.5, "abstention": 1.0})
    a.signal_counts = metrics.SignalCounts(1, 1, 1, 1)
    b.signal_counts = metrics.SignalCounts(0, 3, 0, 1)
    overall = summarize([a, b]).overall
    assert overall["grounding_rate"] == 0.75
    assert overall["abstention"] == 1.0
    assert overall["signal_recall"] == 0.25
    assert overall["signal_precision"] == 0.5
    assert overall["fact_recall"] is None


def test_floors_round_down_and_refuse_to_drop_silently() -> None:
    assert floor2(0.29) == 0.29
    assert floor2(0.8799) == 0.87
    floors, lowered = new_floors({"fact_recall": 0.8799, "latency_ms": 300.0}, {"fact_recall": 0.9})
    assert floors == {"fact_recall": 0.87}
    assert lowered == ["fact_recall 0.90 -> 0.87"]
