"""The contract: round trips, grounding, and the internal-data guard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

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
    Source,
    SourceKind,
    ValueMessage,
)
from agent.validate import internal_terms, leak_errors, quote_found

NOW = datetime(2026, 11, 23, tzinfo=UTC)
TEXT = (
    "Priya Raman (Chief Financial Officer): Every dollar we spend on technology has to show up\n"
    "as revenue impact within two quarters. Mobile is 68% of our traffic."
)


def _briefing(quote: str, source_id: str = "earnings_call-abc") -> Briefing:
    layer = Layer(
        summary="Known.",
        claims=[Claim(text="CFO on budget", evidence=[Evidence(source_id=source_id, quote=quote)])],
    )
    empty = Layer(summary="Unknown.", gaps=["nothing"], questions=["What matters?"])
    return Briefing(
        account=AccountRef(account_id="larkspur-home", name="Larkspur Home"),
        generated_at=NOW,
        mode="extractive",
        headline="Larkspur Home — commercial",
        focus_layer=LayerName.commercial,
        focus_reason="budget tied to revenue",
        layers=Layers(commercial=layer, competitive=empty, ecosystem=empty, internal=empty),
        messages=[
            ValueMessage(persona=Persona.finance, message="Predictable spend.", proof_points=[])
        ],
    )


def test_briefing_round_trips_through_json() -> None:
    briefing = _briefing("revenue impact within two quarters")
    again = Briefing.model_validate_json(briefing.model_dump_json())
    assert again == briefing


def test_grounded_quote_passes_with_folded_whitespace_and_case() -> None:
    quote = "every dollar we spend on technology has to show up as   REVENUE impact"
    data = _briefing(quote).model_dump()
    Briefing.model_validate(data, context={"source_texts": {"earnings_call-abc": TEXT}})


def test_fabricated_quote_is_rejected_naming_the_claim() -> None:
    data = _briefing("we will cut the technology budget in half").model_dump()
    with pytest.raises(ValidationError) as info:
        Briefing.model_validate(data, context={"source_texts": {"earnings_call-abc": TEXT}})
    message = str(info.value)
    assert "layers.commercial.claims[0]" in message
    assert "not found in source 'earnings_call-abc'" in message


def test_quote_citing_an_unknown_source_is_rejected() -> None:
    data = _briefing("revenue impact", source_id="news-missing").model_dump()
    with pytest.raises(ValidationError, match="unknown source 'news-missing'"):
        Briefing.model_validate(data, context={"source_texts": {"earnings_call-abc": TEXT}})


def test_claim_needs_evidence() -> None:
    with pytest.raises(ValidationError):
        Claim(text="unsupported", evidence=[])


def test_quote_found_is_not_fooled_by_empty_quotes() -> None:
    assert not quote_found("   ", TEXT)
    assert quote_found("mobile is 68%", TEXT)


def _note(text: str) -> Source:
    return Source(
        id="crm_note-1",
        account_id="a",
        kind=SourceKind.crm_note,
        title="notes",
        retrieved_at=NOW,
        text=text,
    )


def test_messages_with_internal_figures_are_refused() -> None:
    account = Account(account_id="a", name="A", arr=1_200_000)
    note = _note("Champion is frustrated with onboarding delays and may push back at renewal.")
    terms = internal_terms(account, [note])
    leaky = [
        ValueMessage(persona=Persona.finance, message="Your ARR with us is 1,200,000."),
        ValueMessage(
            persona=Persona.champion,
            message="Champion is frustrated with onboarding delays and may push back at renewal.",
        ),
        ValueMessage(persona=Persona.end_user, message="Your health score is 62."),
        ValueMessage(
            persona=Persona.procurement,
            message="Fine.",
            proof_points=[Evidence(source_id="crm_note-1", quote="Champion")],
        ),
    ]
    errors = leak_errors(leaky, terms)
    assert any("messages[0]" in e and "'ARR'" in e for e in errors)
    assert any("messages[0]" in e and "1,200,000" in e for e in errors)
    assert any("messages[1]" in e and "internal data" in e for e in errors)
    assert any("messages[2]" in e and "health score" in e for e in errors)
    assert any("messages[3]" in e and "internal source" in e for e in errors)


def test_clean_message_passes_the_guard() -> None:
    account = Account(account_id="a", name="A", arr=1_200_000)
    clean = [
        ValueMessage(persona=Persona.finance, message="Predictable spend with documented ROI.")
    ]
    assert leak_errors(clean, internal_terms(account, [])) == []


def test_internal_term_in_a_briefing_message_fails_validation() -> None:
    data = _briefing("revenue impact").model_dump()
    data["messages"][0]["message"] = "Your account health is fine."
    with pytest.raises(ValidationError, match="account health"):
        Briefing.model_validate(data, context={"source_texts": {"earnings_call-abc": TEXT}})
