"""Job-board responses: Greenhouse, Lever, Ashby."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.errors import ParseError
from tools.jobs import detect_job_board, parse_ashby, parse_greenhouse, parse_lever

JOBS = Path(__file__).resolve().parents[1] / "fixtures/jobs"


def _load(name: str) -> bytes:
    return (JOBS / name).read_bytes()


def test_detect_job_board() -> None:
    assert detect_job_board(json.loads(_load("greenhouse_sigmoid_jobs_content_full.json"))) == (
        "greenhouse"
    )
    assert detect_job_board(json.loads(_load("lever_meesho_postings_full.json"))) == "lever"
    assert detect_job_board(json.loads(_load("ashby_ramp_job_board.json"))) == "ashby"
    assert detect_job_board({"articles": []}) is None
    assert detect_job_board([1, 2]) is None


def test_greenhouse_content_is_unescaped_once_and_offsets_kept() -> None:
    sources = parse_greenhouse(_load("greenhouse_sigmoid_jobs_content_full.json"), "sigmoid")
    assert len(sources) == 2
    job = sources[0]
    assert job.kind == "job_posting"
    assert job.title == "Associate Director - Corporate Finance / FP&A"
    assert job.text.startswith(
        "Associate Director - Corporate Finance / FP&A\nDepartment: Business Consulting and "
        "Solutions\nLocation: Bengaluru, Karnataka, India\nEmployment type: Full-time\n\n"
    )
    assert "Who are we?" in job.text
    assert "&lt;" not in job.text and "<p>" not in job.text and "&nbsp;" not in job.text
    # "-04:00" offsets are converted, not dropped; the date is first_published, not updated_at
    assert job.published_at == datetime(2026, 6, 8, 5, 21, 56, tzinfo=UTC)
    assert job.metadata["updated_at"] == "2026-06-30T09:26:14+00:00"
    assert job.url == "https://job-boards.greenhouse.io/sigmoid/jobs/8581495002"
    assert job.metadata["job_id"] == "8581495002"  # id, not internal_job_id
    assert job.metadata["provider"] == "greenhouse" and job.metadata["board"] == "sigmoid"


def test_greenhouse_wrappers_become_text() -> None:
    sources = parse_greenhouse(_load("greenhouse_anthropic_jobs_content.json"), "anthropic")
    assert len(sources) == 4
    assert "About Anthropic" in sources[0].text
    assert all("content-intro" not in s.text for s in sources)


def test_lever_array_epoch_ms_lists_and_salary() -> None:
    sources = parse_lever(_load("lever_meesho_postings_full.json"), "meesho")
    assert len(sources) == 3
    first = sources[0]
    assert first.published_at == datetime(2025, 9, 15, 6, 2, 29, 833000, tzinfo=UTC)
    assert "What you will do\n- Over the longer horizon" in first.text
    assert "Welcome to Meesho" in first.text  # additionalPlain
    assert first.metadata["department"] == "Financial Services"
    assert first.url == "https://jobs.lever.co/meesho/7d9af9b5-c1c7-48ec-bbb5-9b25e49f6596"
    paid = parse_lever(_load("lever_people-ai_postings.json"), "people-ai")[0]
    assert paid.metadata["compensation"] == "USD 200,000-270,000 per year"
    assert "Compensation: USD 200,000-270,000 per year" in paid.text


def test_ashby_compensation_and_secondary_locations() -> None:
    ramp = parse_ashby(_load("ashby_ramp_job_board.json"), "ramp")
    assert len(ramp) == 4
    job = ramp[0]
    assert job.title == "Security Engineer, Cloud"
    assert job.metadata["compensation"].startswith("$211.4K")
    assert job.metadata["location"].startswith("New York, NY (HQ); Remote (Canada)")
    assert job.published_at == datetime(2026, 4, 7, 17, 12, 35, 753000, tzinfo=UTC)
    weaviate = parse_ashby(_load("ashby_weaviate_job_board_full.json"), "weaviate")
    assert len(weaviate) == 2 and "compensation" not in weaviate[0].metadata
    # descriptionHtml is read (the plain field shouts headings and repeats link addresses)
    assert "About Weaviate\n\nWeaviate is an AI startup" in weaviate[0].text


def test_ids_are_provider_board_job() -> None:
    a = parse_ashby(_load("ashby_ramp_job_board.json"), "ramp")
    b = parse_ashby(_load("ashby_ramp_job_board.json"), "ramp")
    assert [s.id for s in a] == [s.id for s in b]
    assert len({s.id for s in a}) == 4
    assert a[0].id != parse_ashby(_load("ashby_ramp_job_board.json"), "other")[0].id


def test_wrong_provider_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_lever(_load("ashby_ramp_job_board.json"), "ramp")
