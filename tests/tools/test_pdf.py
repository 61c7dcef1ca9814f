"""PDF input: text extraction, the kind of a PDF, its title and date, and one-line refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.errors import ParseError
from agent.schemas import SourceKind
from tests.tools.pdf_maker import encrypt_pdf, make_pdf
from tools.pdf import PAGE_BREAK, is_pdf, pdf_kind, pdf_text, read_pdf, report_source

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

RELEASE = """FOR IMMEDIATE RELEASE

Larkspur Home Names Priya Raman Chief Operating Officer

PORTLAND, Ore., March 3, 2026 -- Larkspur Home, a maker of modular furniture,
today announced that Priya Raman will join as Chief Operating Officer.

Raman said the company's “next chapter” is about supply-chain resilience — and
about growing the direct channel (online and showrooms) by 20% next year."""

RELEASE_BACK = """About Larkspur Home
Larkspur Home designs furniture that ships flat and lasts decades."""

TRANSCRIPT = """Fabrikam Inc. (FBKM)
Q2 2026 Earnings Conference Call
July 30, 2026

Operator: Good day and welcome to the Fabrikam second quarter call.
Dana Whitfield: Thank you. Revenue grew 12% to $410 million this quarter.
Operator: Our first question comes from Sam Ortiz with Northbridge Securities.
Sam Ortiz: How should we think about churn in the mid-market segment?
Dana Whitfield: Churn improved for the third quarter in a row."""

TEN_K = """UNITED STATES
SECURITIES AND EXCHANGE COMMISSION
Washington, D.C. 20549
FORM 10-K
ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934
For the fiscal year ended June 30, 2026
Contoso Robotics Corporation
(Exact name of registrant as specified in its charter)"""

ANNUAL = """Tailspin Airways
Annual Report 2025

Our year in review: we carried 41 million passengers and opened six routes."""


def test_is_pdf_reads_the_magic_bytes() -> None:
    assert is_pdf(make_pdf(["Hello there"]))
    assert is_pdf(b"\n\n%PDF-1.7\n")
    assert not is_pdf(b"<html><p>Files start with %PDF-1.7</p></html>")
    assert not is_pdf(b"x" * 2000 + b"%PDF-1.7")


def test_pages_are_separated_by_form_feeds_and_paragraphs_kept() -> None:
    text = pdf_text(make_pdf([RELEASE, RELEASE_BACK]))
    first, second = text.split(PAGE_BREAK)
    assert first.startswith("FOR IMMEDIATE RELEASE\n\nLarkspur Home Names Priya Raman")
    # words verbatim, curly quotes and dashes included; a blank line between paragraphs
    assert "the company's “next chapter” is about supply-chain resilience — and\n" in first
    assert "\n\nRaman said" in first
    assert second == RELEASE_BACK


def test_running_headers_and_page_numbers_are_dropped() -> None:
    pages = [
        f"Northwind Traders 2026 Investor Letter\n{body}\nPage {n} of 3"
        for n, body in enumerate(["Dear shareholders,", "We grew.", "Thank you."], start=1)
    ]
    text = pdf_text(make_pdf(pages))
    assert text.split(PAGE_BREAK) == [
        "Northwind Traders 2026 Investor Letter\nDear shareholders,",  # the title stays once
        "We grew.",
        "Thank you.",
    ]


def test_two_columns_are_read_one_after_the_other() -> None:
    left = "\n".join(f"Left column sentence number {i} goes here." for i in range(10))
    right = "\n".join(f"Right column line {i} is here too." for i in range(10))
    text = pdf_text(make_pdf([(left, right)]))
    assert "Left column sentence number 0 goes here.\nLeft column sentence number 1" in text
    assert text.index("Left column sentence number 9") < text.index("Right column line 0")


def test_metadata_title_and_creation_date() -> None:
    doc = read_pdf(make_pdf([RELEASE], title="Larkspur names a COO", created="D:20260303150000Z"))
    assert doc.title == "Larkspur names a COO"
    assert doc.created == datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (TRANSCRIPT, SourceKind.earnings_call),
        (TEN_K, SourceKind.filing),
        (ANNUAL, SourceKind.filing),
        (RELEASE, SourceKind.news),
        # a release about an annual report is still a release: its dateline says so
        ("Tailspin Publishes Annual Report\nDALLAS, April 2, 2026 -- Tailspin today...", "news"),
    ],
)
def test_the_kind_comes_from_the_text(text: str, kind: SourceKind) -> None:
    assert pdf_kind(read_pdf(make_pdf([text]))) == kind


def test_a_release_is_titled_by_its_headline_and_dated_by_its_dateline() -> None:
    data = make_pdf(
        [RELEASE, RELEASE_BACK], title="Microsoft Word - PR_final_v3.docx", created="D:20260310"
    )
    source = report_source(read_pdf(data), SourceKind.news, account_id="larkspur", now=NOW)
    assert source.kind == "news" and source.account_id == "larkspur"
    assert source.title == "Larkspur Home Names Priya Raman Chief Operating Officer"
    assert source.published_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert PAGE_BREAK not in source.text and "Ore., March 3, 2026" in source.text
    assert source.metadata == {"format": "pdf", "pages": 2}


def test_a_release_without_a_dateline_takes_the_creation_date() -> None:
    data = make_pdf(["Quarterly update\nThings went well."], created="D:20260310120000Z")
    source = report_source(read_pdf(data), SourceKind.news, now=NOW)
    assert source.title == "Quarterly update Things went well."
    assert source.published_at == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_filing_titles() -> None:
    ten_k = report_source(read_pdf(make_pdf([TEN_K])), SourceKind.filing, now=NOW)
    assert ten_k.title == "Contoso Robotics Corporation 10-K"
    annual = report_source(read_pdf(make_pdf([ANNUAL])), SourceKind.filing, now=NOW)
    assert annual.title == "Tailspin Airways Annual Report 2025"


def test_same_text_same_id() -> None:
    one = report_source(read_pdf(make_pdf([RELEASE], title="a")), SourceKind.news, now=NOW)
    two = report_source(read_pdf(make_pdf([RELEASE], title="b")), SourceKind.news, now=NOW)
    assert one.id == two.id


def test_an_owner_password_alone_does_not_stop_reading() -> None:
    assert "Priya Raman" in pdf_text(encrypt_pdf(make_pdf([RELEASE]), user_password=""))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (encrypt_pdf(make_pdf([RELEASE]), user_password="s3cret"), "needs a password"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "corrupt or unreadable PDF"),
        (make_pdf(["", ""]), "no text layer (2 page(s)"),
    ],
)
def test_unreadable_pdfs_are_one_line_errors(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        read_pdf(data)
    assert reason in str(info.value) and "\n" not in str(info.value)
