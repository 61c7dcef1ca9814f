"""Earnings-call transcripts: both plain layouts and Motley-Fool-style HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ParseError
from agent.schemas import Source
from tools.transcripts import looks_like_transcript, parse_transcript, split_turns

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LABELS = FIXTURES / "transcripts/northwind_q3_2026_label_layout.txt"
INLINE = FIXTURES / "transcripts/contoso_q2_2026_inline_layout.txt"


def _turn_words(source: Source) -> list[str]:
    return [source.text[t["start"] : t["end"]] for t in source.metadata["turns"]]


def test_label_layout_turns_titles_roles_sections() -> None:
    source = parse_transcript(LABELS.read_text())
    turns = source.metadata["turns"]
    assert source.title == "Northwind Analytics Q3 2026 earnings call"
    assert source.metadata["company"] == "Northwind Analytics"
    assert source.metadata["quarter"] == "Q3 2026"
    assert source.metadata["call_date"] == "2026-10-22"
    assert (
        source.published_at is not None and source.published_at.date().isoformat() == "2026-10-22"
    )
    assert [t["speaker"] for t in turns] == [
        "Operator", "Dana Whitfield", "Marcus Oyelaran", "Priya Raman", "Operator",
        "Tom Becker", "Priya Raman", "Unidentified Analyst", "Marcus Oyelaran", "Operator",
    ]  # fmt: skip
    cfo = [t for t in turns if t["title"] == "Chief Financial Officer"]
    assert {t["speaker"] for t in cfo} == {"Priya Raman"}
    # her Q&A turn has no title line; the participants list supplies it
    assert len(cfo) == 2 and cfo[1]["section"] == "qa"
    roles = {t["speaker"]: t["role"] for t in turns}
    assert roles == {
        "Operator": "operator",
        "Dana Whitfield": "executive",
        "Marcus Oyelaran": "executive",
        "Priya Raman": "executive",
        "Tom Becker": "analyst",
        "Unidentified Analyst": "analyst",
    }
    assert turns[5]["affiliation"] == "Harbor Securities"
    assert [t["section"] for t in turns[:4]] == ["prepared"] * 4
    assert {t["section"] for t in turns[4:]} == {"qa"}


def test_offsets_map_back_to_the_stored_text() -> None:
    for path in (LABELS, INLINE):
        source = parse_transcript(path.read_text())
        paragraphs = source.text.split("\n\n")
        assert len(paragraphs) == len(source.metadata["turns"])
        for words, turn, para in zip(
            _turn_words(source), source.metadata["turns"], paragraphs, strict=True
        ):
            assert para.startswith(turn["speaker"]) and para.endswith(words)
    source = parse_transcript(LABELS.read_text())
    words = _turn_words(source)
    assert words[3].startswith("Revenue was $412 million")
    assert "Priya Raman (Chief Financial Officer): Revenue was $412 million" in source.text


def test_placeholders_and_multi_paragraph_turns_stay_in_their_turn() -> None:
    source = parse_transcript(LABELS.read_text())
    words = _turn_words(source)
    assert "[Operator Instructions]" in words[0]
    assert "(inaudible)" in words[6]
    assert "usage-based pricing" in words[2] and "\n" in words[2]
    assert "Duration" not in source.text
    assert "Call participants" not in source.text


def test_inline_layout() -> None:
    source = parse_transcript(INLINE.read_text())
    turns = source.metadata["turns"]
    assert source.title == "Contoso Retail Group Q2 2026 earnings call"
    assert source.metadata["call_date"] == "2026-08-05"
    sam = [t for t in turns if t["speaker"] == "Sam Ito"]
    assert [t["title"] for t in sam] == ["CFO"] * 3 and {t["role"] for t in sam} == {"executive"}
    assert next(t for t in turns if t["speaker"] == "Lina Chow")["role"] == "analyst"
    assert next(t for t in turns if t["speaker"] == "Unknown Speaker")["role"] == "unknown"
    assert [t["section"] for t in turns] == ["prepared"] * 3 + ["qa"] * 5
    assert (
        "Elena Park (Head of Investor Relations, Contoso Retail Group): Thank you." in source.text
    )


def test_split_turns_without_section_markers_starts_qa_at_first_analyst() -> None:
    text = (
        "Operator: Welcome to the call.\n"
        "Jane Roe -- Chief Executive Officer: We grew.\n"
        "Max Fern -- Analyst: Why?\n"
        "Jane Roe: Demand.\n"
    )
    turns = split_turns(text)
    assert [t.section for t in turns] == ["prepared", "prepared", "qa", "qa"]
    assert turns[3].title == "Chief Executive Officer"


def test_same_text_same_source() -> None:
    a, b = (parse_transcript(LABELS.read_text()) for _ in range(2))
    assert (a.id, a.text, a.metadata) == (b.id, b.text, b.metadata)


def test_notes_with_names_are_not_transcripts() -> None:
    note = (FIXTURES / "notes/acme_call_notes.md").read_text()
    assert not looks_like_transcript(note)
    assert looks_like_transcript(LABELS.read_text())


def test_no_turns_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_transcript("Just a paragraph of prose without speakers.")


def test_repeated_labels_merge_into_one_turn_and_company_on_line_above() -> None:
    text = (
        "Acme, Inc. (NYSE: ACME)\nQ1 2026 Earnings Call\n\n"
        "Operator: Welcome.\nAda Moss - Chief Executive Officer: First point.\n"
        "Ada Moss: Second point.\nQuestions and Answers\nOperator: Questions?\n"
    )
    source = parse_transcript(text)
    assert source.metadata["company"] == "Acme, Inc."
    assert [t["speaker"] for t in source.metadata["turns"]] == ["Operator", "Ada Moss", "Operator"]
    assert "Ada Moss (Chief Executive Officer): First point.\nSecond point." in source.text


def test_a_ticker_in_parentheses_is_not_a_speaker() -> None:
    text = (
        "Tamsin Hospitality Group (NYSE: TMSN)\nQ2 2024 Earnings Call\nAugust 1, 2024\n\n"
        "Operator\n\nGood morning and welcome.\n\n"
        "Beatrix Lowe -- Chief Executive Officer\n\nRevenue grew 4% to $400 million.\n\n"
        "Sam Ode -- Harbor Securities -- Analyst\n\nHow is pricing?\n"
    )
    source = parse_transcript(text)
    assert source.published_at is not None and source.published_at.year == 2024
    assert [t["speaker"] for t in source.metadata["turns"]][:2] == ["Operator", "Beatrix Lowe"]
