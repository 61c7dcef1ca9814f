"""Sentences and chunks keep exact offsets into the source text."""

from __future__ import annotations

import pytest

from agent.schemas import Source
from knowledge.chunk import chunk_source, sentence_spans
from tests.factories import make_source


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def _source(text: str, source_id: str = "doc") -> Source:
    return make_source(text, id=source_id, title="A document")


def test_abbreviations_initials_and_decimals_do_not_end_sentences() -> None:
    text = (
        "Mr. Smith met Dr. Jones of Acme Inc. on Jan. 5 in St. Louis. "
        "Revenue grew 3.5% to $4.2 billion, approx. 10 points vs. last year. "
        "J. Smith, e.g. the CFO, agreed! Did the U.S. unit grow? "
        '"Yes," he said. No. 1 in share.'
    )
    assert _sentences(text) == [
        "Mr. Smith met Dr. Jones of Acme Inc. on Jan. 5 in St. Louis.",
        "Revenue grew 3.5% to $4.2 billion, approx. 10 points vs. last year.",
        "J. Smith, e.g. the CFO, agreed!",
        "Did the U.S. unit grow?",
        '"Yes," he said.',
        "No. 1 in share.",
    ]


def test_a_paragraph_ending_in_an_abbreviation_ends_its_sentence() -> None:
    paragraph = (
        "Quillrest, which sells scheduling software to dental clinics, has raised $18 million to "
        "grow its sales team and expand across the U.S."
    )
    text = f"{paragraph}\nFounded in Leeds in 2019, it now has 60 staff.\n"
    assert _sentences(text) == [paragraph, "Founded in Leeds in 2019, it now has 60 staff."]
    wrapped = "Its filing with the U.S.\nDepartment of Labor lists 40 roles."
    assert _sentences(wrapped) == ["Its filing with the U.S.\nDepartment of Labor lists 40 roles."]


def test_lines_headings_labels_and_bullets_are_their_own_sentences() -> None:
    text = (
        "Title: Q3 results\nDate: 2024-10-01\n\nHighlights\n"
        "- Revenue up 12%\n• Margin 30.5%\n1. Churn fell. Retention rose\n"
        "This paragraph is hard wrapped across lines because the author wrote\n"
        "it in an editor with a fixed width of seventy characters or so.\n"
        "Next sentence.\n\n\nLast paragraph"
    )
    assert _sentences(text) == [
        "Title: Q3 results",
        "Date: 2024-10-01",
        "Highlights",
        "Revenue up 12%",
        "Margin 30.5%",
        "1. Churn fell.",
        "Retention rose",
        "This paragraph is hard wrapped across lines because the author wrote\n"
        "it in an editor with a fixed width of seventy characters or so.",
        "Next sentence.",
        "Last paragraph",
    ]


def test_transcript_speaker_lines() -> None:
    text = "Operator\nGood morning. Welcome.\nJane Doe -- Chief Executive Officer\nThanks."
    assert _sentences(text) == [
        "Operator",
        "Good morning.",
        "Welcome.",
        "Jane Doe -- Chief Executive Officer",
        "Thanks.",
    ]


@pytest.mark.parametrize("text", ["", "   \n\n  ", "no punctuation at all", "  Padded.  "])
def test_spans_are_stripped_and_in_bounds(text: str) -> None:
    for start, end in sentence_spans(text):
        assert 0 <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()


def _long_text() -> str:
    paragraphs = []
    for p in range(12):
        sentences = [
            f"Paragraph {p} sentence {i} says revenue moved by {i}.{p}% in the U.S. market."
            for i in range(7)
        ]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def test_chunks_map_back_and_hold_every_sentence_once() -> None:
    source = _source(_long_text())
    chunks = chunk_source(source, target_chars=400)
    assert len(chunks) > 5
    for index, chunk in enumerate(chunks):
        assert chunk.id == f"doc:{index:04d}"
        assert chunk.index == index
        assert chunk.account_id == "acme"
        assert chunk.source_id == "doc"
        assert source.text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 400
    for start, end in sentence_spans(source.text):
        holders = [c for c in chunks if c.start <= start and end <= c.end]
        assert len(holders) == 1


def test_a_quoted_sentence_maps_back_into_the_source() -> None:
    source = _source(_long_text())
    chunk = chunk_source(source, target_chars=400)[3]
    start, end = sentence_spans(chunk.text)[1]
    quote = chunk.text[start:end]
    assert source.text[chunk.start + start : chunk.start + end] == quote
    assert source.text.count(quote) == 1


def test_long_sentence_is_its_own_chunk_and_huge_one_is_split_at_whitespace() -> None:
    long_sentence = "Words " + "word " * 150 + "end."
    huge_sentence = "Tokens " + "token " * 600 + "end."
    text = f"Short one. {long_sentence.strip()} Another short. {huge_sentence.strip()}"
    source = _source(text)
    chunks = chunk_source(source, target_chars=300)
    assert chunks[0].text == "Short one."
    assert chunks[1].text == long_sentence.strip()
    pieces = chunks[3:]
    assert len(pieces) >= 3
    for chunk in pieces:
        assert source.text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 300
        assert chunk.text.startswith(("Tokens", "token"))
