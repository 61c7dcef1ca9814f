"""Local-file ingest: kind inference, dispatch, stable ids and one-line errors."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.config import DEFAULT_MAX_FILE_MB, load_settings
from agent.errors import ParseError
from agent.schemas import SourceKind
from tests.tools.pdf_maker import encrypt_pdf, make_pdf
from tools.files import infer_kind, ingest_file, ingest_path, read_limited

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

EXPECTED = {
    "jobs/greenhouse_sigmoid_jobs_content_full.json": (SourceKind.job_posting, 2),
    "jobs/greenhouse_anthropic_jobs_content.json": (SourceKind.job_posting, 4),
    "jobs/lever_meesho_postings_full.json": (SourceKind.job_posting, 3),
    "jobs/lever_people-ai_postings.json": (SourceKind.job_posting, 4),
    "jobs/ashby_weaviate_job_board_full.json": (SourceKind.job_posting, 2),
    "jobs/ashby_ramp_job_board.json": (SourceKind.job_posting, 4),
    "sec/CIK0000789019_microsoft_submissions_92filings.json": (SourceKind.filing, 88),
    "sec/CIK0001318605_tesla_submissions_trimmed3.json": (SourceKind.filing, 2),
    "sec/8-K_afc_gamma_item5.02_cfo_departure.html": (SourceKind.filing, 1),
    "sec/8-K_buckle_item2.02_main.html": (SourceKind.filing, 1),
    "sec/8-K_buckle_EX-99.1_q3_results_press_release.html": (SourceKind.filing, 1),
    "news/google_news_rss_search_bears_ears_monument.xml": (SourceKind.news, 92),
    "news/aws_blog_company_atom_feed_2009.xml": (SourceKind.news, 10),
    "news/google_alerts_atom_slack.xml": (SourceKind.news, 20),
    "news/gdelt_doc_artlist_iran_sanctions.json": (SourceKind.news, 5),
    "news/gdelt_doc_artlist_intrum_2items.json": (SourceKind.news, 2),
    "reviews/glassdoor_job_reviews_kaggle_slice_199rows.csv": (SourceKind.employee_review, 199),
    "reviews/schemaorg_EmployerAggregateRating_Review_jsonld_examples.txt": (
        SourceKind.employee_review,
        2,
    ),
    "pages/fairkom.eu_about_page_de.html": (SourceKind.web_page, 1),
    "pages/github.blog_leader_spotlight_erin_spiceland.html": (SourceKind.news, 1),
    "synthetic/article_jsonld.html": (SourceKind.news, 1),
    "synthetic/fool_style_transcript.html": (SourceKind.earnings_call, 1),
    "transcripts/northwind_q3_2026_label_layout.txt": (SourceKind.earnings_call, 1),
    "transcripts/contoso_q2_2026_inline_layout.txt": (SourceKind.earnings_call, 1),
    "notes/acme_call_notes.md": (SourceKind.crm_note, 1),
}


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_every_fixture_ingests_with_its_kind(relative: str) -> None:
    kind, count = EXPECTED[relative]
    path = FIXTURES / relative
    assert infer_kind(path, path.read_bytes()) == kind
    sources = ingest_file(path, "acme", now=NOW)
    assert len(sources) == count
    for source in sources:
        assert source.kind == kind
        assert source.account_id == "acme"
        assert source.retrieved_at == NOW
        assert source.text.strip() == source.text and source.text
        assert source.id.startswith(kind.value + "-")
    assert len({s.id for s in sources}) == count
    again = ingest_file(path, "acme", now=NOW)
    assert [(s.id, s.text) for s in again] == [(s.id, s.text) for s in sources]


def test_same_content_elsewhere_gets_the_same_ids(tmp_path: Path) -> None:
    original = FIXTURES / "transcripts/northwind_q3_2026_label_layout.txt"
    copy = tmp_path / "call.txt"
    shutil.copy(original, copy)
    assert ingest_file(copy, "a")[0].id == ingest_file(original, "a")[0].id


def test_board_name_comes_from_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "ramp.json"
    shutil.copy(FIXTURES / "jobs/ashby_ramp_job_board.json", path)
    assert ingest_file(path, "acme")[0].metadata["board"] == "ramp"


def test_fool_html_transcript() -> None:
    source = ingest_file(FIXTURES / "synthetic/fool_style_transcript.html", "acme")[0]
    assert source.title == "Fabrikam Inc Q1 2026 earnings call"
    turns = source.metadata["turns"]
    assert [t["role"] for t in turns] == [
        "operator",
        "executive",
        "operator",
        "analyst",
        "executive",
    ]
    assert turns[-1]["title"] == "Chief Financial Officer" and turns[-1]["section"] == "qa"
    assert "Duration" not in source.text and "Call Participants" not in source.text
    assert source.text[turns[1]["start"] : turns[1]["end"]].startswith("Thank you.")


def test_crm_note_title_and_date() -> None:
    note = ingest_file(FIXTURES / "notes/acme_call_notes.md", "acme")[0]
    assert note.title == "QBR prep notes - Acme"
    assert note.published_at == datetime(2026, 9, 30, tzinfo=UTC)
    assert note.internal


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n ", "empty file"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("doc.txt", bytes(range(128, 256)) * 4, "binary file"),
        ("data.json", b'{"hello": "world"}', "unknown format"),
        ("table.csv", b"a,b\n1,2\n", "unknown format"),
        ("feed.xml", b"<?xml version='1.0'?><catalog/>", "unknown format"),
        ("sheet.xlsx", b"PK\x03\x04 not really text but no NUL", "unknown format"),
        ("tickers.json", (FIXTURES / "sec/company_tickers_first100.json").read_bytes(), "unknown"),
    ],
)
def test_unreadable_files_raise_one_line_errors(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ParseError) as info:
        ingest_file(path, "acme")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path)) and reason in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read"):
        ingest_file(tmp_path / "nope.txt", "acme")


def test_utf8_bom_and_latin1_text(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffNotes\n\nCafé visit went well.".encode())
    assert ingest_file(bom, "a")[0].title == "Notes"
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Notes\n\nCafé visit went well.".encode("latin-1"))
    assert "Café" in ingest_file(latin, "a")[0].text


def test_reviews_csv_with_a_bad_row_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    lines = GOOD_ROWS[:]
    lines.insert(6, "x,Oops,Fine,Bad,2026-01-07,Engineer")
    path.write_text("rating,title,pros,cons,date,role\n" + "\n".join(lines) + "\n")
    result = ingest_path(path, "acme")
    assert len(result.sources) == 8
    assert result.problems == ["reviews.csv line 8: rating 'x' is not a number"]


GOOD_ROWS = [f"{1 + i % 5},Review {i},Pro {i},Con {i},2026-01-0{i + 1},Engineer" for i in range(8)]


def test_explicit_kind_overrides_inference() -> None:
    transcript = FIXTURES / "transcripts/contoso_q2_2026_inline_layout.txt"
    note = ingest_file(transcript, "acme", kind=SourceKind.crm_note)[0]
    assert note.kind == "crm_note"
    forced = ingest_file(FIXTURES / "notes/acme_call_notes.md", "acme", kind=SourceKind.web_page)
    assert forced[0].kind == "web_page"
    page = ingest_file(FIXTURES / "pages/fairkom.eu_about_page_de.html", "a", kind=SourceKind.news)
    assert page[0].kind == "news"


def test_explicit_kind_is_validated_for_json() -> None:
    with pytest.raises(ParseError, match="does not match") as info:
        ingest_file(FIXTURES / "jobs/lever_meesho_postings_full.json", "a", kind=SourceKind.news)
    assert "\n" not in str(info.value)
    jobs = ingest_file(
        FIXTURES / "jobs/lever_meesho_postings_full.json", "a", kind=SourceKind.job_posting
    )
    assert len(jobs) == 3


def test_forcing_a_transcript_on_prose_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    path.write_text("Nothing but prose here.\n")
    with pytest.raises(ParseError, match="no speaker turns"):
        ingest_file(path, "a", kind=SourceKind.earnings_call)


def test_malformed_json_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "board.json"
    bad.write_text("{not json")
    with pytest.raises(ParseError) as info:
        ingest_file(bad, "acme")
    assert "board.json" in str(info.value) and "\n" not in str(info.value)


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"Notes\n" + b"x" * 3 * 1024 * 1024)
    with pytest.raises(ParseError) as info:
        ingest_file(path, "acme", max_mb=2)
    assert str(info.value) == (
        f"{path}: 3.0 MB is over the 2 MB limit for local files "
        "(raise max_file_mb in dossier.toml or DOSSIER_MAX_FILE_MB)"
    )
    assert ingest_file(path, "acme", max_mb=4)[0].kind == "crm_note"


def test_a_file_that_grows_after_the_stat_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 2048)
    real = path.stat()
    small = os.stat_result((real.st_mode, *real[1:6], 10, *real[7:]))
    monkeypatch.setattr(Path, "stat", lambda self, **kw: small)
    with pytest.raises(ParseError, match=r"more than 0.001 MB \(it grew while being read\)"):
        read_limited(path, max_mb=0.001)


def test_fifos_and_directories_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would block until a writer came
    with pytest.raises(ParseError, match=r"pipe.txt: not a regular file \(a FIFO"):
        ingest_file(fifo, "acme")
    with pytest.raises(ParseError, match=r"not a regular file \(a directory\)"):
        ingest_file(tmp_path, "acme")


def test_the_size_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(tmp_path).max_file_mb == DEFAULT_MAX_FILE_MB == 25
    (tmp_path / "dossier.toml").write_text("[dossier]\nmax_file_mb = 60\n")
    assert load_settings(tmp_path).max_file_mb == 60
    monkeypatch.setenv("DOSSIER_MAX_FILE_MB", "100")
    assert load_settings(tmp_path).max_file_mb == 100


def test_json_lines_reviews_report_bad_lines_by_number(tmp_path: Path) -> None:
    review = {"rating": 4, "title": "Solid", "pros": "Team", "cons": "Pay", "date": "2026-01-05"}
    lines = [json.dumps(review), "{oops", json.dumps({**review, "rating": "x"})]
    lines += [json.dumps({**review, "title": f"Solid {i}"}) for i in range(3)]
    path = tmp_path / "reviews.json"
    path.write_text("\n".join(lines) + "\n")
    result = ingest_path(path, "acme", now=NOW)
    assert len(result.sources) == 4 and {s.kind for s in result.sources} == {"employee_review"}
    assert result.problems == [
        "reviews.json line 2: not JSON (Expecting property name enclosed in double quotes)",
        "reviews.json line 3: rating 'x' is not a number",
    ]


def test_tab_separated_reviews_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    rows = ["rating\ttitle\tpros\tcons\tdate"] + [
        f"{1 + i}\tReview {i}\tGood, mostly\tLong hours\t2026-02-0{1 + i}" for i in range(3)
    ]
    path.write_text("\n".join(rows) + "\n")
    sources = ingest_file(path, "acme", now=NOW)
    assert len(sources) == 3 and "Pros: Good, mostly" in sources[0].text


def test_a_review_file_without_a_usable_row_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("rating,title,pros,cons\nx,A,B,C\nnope,D,E,F\n")
    with pytest.raises(ParseError) as info:
        ingest_file(path, "acme")
    assert str(info.value) == (
        f"{path}: no employee_review records found (2 rejected, first: "
        "reviews.csv line 2: rating 'x' is not a number)"
    )


RELEASE_PDF = """NEWS RELEASE

Fabrikam Opens a Second Data Center in Lisbon

LISBON, Portugal, May 12, 2026 -- Fabrikam Inc. today opened its second European
data center, adding 40 megawatts of capacity for its analytics customers."""

CALL_PDF = """Fabrikam Inc. (FBKM)
Q1 2026 Earnings Conference Call
April 28, 2026

Operator: Good afternoon and welcome to the Fabrikam first quarter call.
Dana Whitfield: Thank you. Revenue grew 9% to $380 million.
Operator: The first question comes from Sam Ortiz with Northbridge.
Sam Ortiz: Can you talk about pricing?
Dana Whitfield: Pricing held steady in every region."""


def test_pdf_files_by_kind(tmp_path: Path) -> None:
    release = tmp_path / "release.pdf"
    release.write_bytes(make_pdf([RELEASE_PDF], created="D:20260601"))
    news = ingest_file(release, "fabrikam", now=NOW)[0]
    assert news.kind == "news" and news.title == "Fabrikam Opens a Second Data Center in Lisbon"
    assert news.published_at == datetime(2026, 5, 12, tzinfo=UTC)
    call = tmp_path / "call.dat"  # the content says PDF, whatever the name
    call.write_bytes(make_pdf([CALL_PDF]))
    transcript = ingest_file(call, "fabrikam", now=NOW)[0]
    assert transcript.kind == "earnings_call"
    assert [t["speaker"] for t in transcript.metadata["turns"]][:2] == [
        "Operator",
        "Dana Whitfield",
    ]
    note = ingest_file(release, "fabrikam", kind=SourceKind.crm_note, now=NOW)[0]
    assert note.kind == "crm_note" and note.title == "NEWS RELEASE"


def test_an_encrypted_pdf_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypt_pdf(make_pdf([RELEASE_PDF]), user_password="pw"))
    with pytest.raises(ParseError) as info:
        ingest_file(path, "acme")
    assert str(info.value) == (
        f"{path}: encrypted PDF: it needs a password; save a copy without one"
    )
