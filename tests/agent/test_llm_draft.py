"""The draft's texts as dossier finishes them: a claim copied from its passage and cut by the
schema's bound becomes the whole sentence; a text cut mid-sentence ends at a sentence."""

from __future__ import annotations

from agent.llm.draft import DraftClaim, Passages, finished
from agent.schemas import LayerName, SourceKind
from agent.synthesize.evidence import Candidate
from tests.factories import make_source

SENTENCE = (
    "Leading OEMs, including Dell, HPE and Lenovo, with their global sales channels, are "
    "partnering with us to expand our AI solution to enterprises worldwide."
)


def _passages() -> Passages:
    source = make_source(
        f"Good afternoon. {SENTENCE} Thank you.",
        id="call-1",
        kind=SourceKind.earnings_call,
        title="Acme Q4 call",
        url="https://example.com/call",
    )
    start = source.text.index(SENTENCE)
    candidate = Candidate(source=source, text=SENTENCE, start=start, recency=1.0)
    return Passages({LayerName.ecosystem: [candidate]})


def test_a_claim_that_copies_its_passage_cut_short_becomes_the_whole_sentence() -> None:
    cut = SENTENCE[:120]
    claim = _passages().claim(DraftClaim(text=cut, evidence=["p1"]))
    assert claim.text == SENTENCE
    assert claim.evidence[0].quote == SENTENCE


def test_a_claim_in_its_own_words_is_kept_and_only_ended_cleanly() -> None:
    own = "Acme sells through Dell, HPE and Lenovo to enterprises, and the three are"
    claim = _passages().claim(DraftClaim(text=own, evidence=["p1"]))
    assert claim.text == own + "…"


def test_a_text_cut_mid_sentence_ends_at_its_last_whole_sentence() -> None:
    cut = "Revenue of $22.1 billion rose 22%. The company is expected to be a go"
    assert finished(cut) == "Revenue of $22.1 billion rose 22%."
    assert finished("Demand exceeds supply.") == "Demand exceeds supply."
    assert finished("") == ""


def test_a_claim_with_an_empty_text_is_its_passage() -> None:
    claim = _passages().claim(DraftClaim(text="", evidence=["p1"]))
    assert claim.text == SENTENCE
