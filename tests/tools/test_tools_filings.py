"""SEC: submissions JSON, company tickers, 8-K documents."""

from __future__ import annotations

from pathlib import Path

from tools.filings import ITEM_NAMES, parse_company_tickers, parse_submissions
from tools.web import parse_page

SEC = Path(__file__).resolve().parents[1] / "fixtures/sec"


def test_tesla_parallel_arrays_and_item_codes() -> None:
    sources = parse_submissions(
        (SEC / "CIK0001318605_tesla_submissions_trimmed3.json").read_bytes()
    )
    assert [s.metadata["form"] for s in sources] == ["10-Q", "8-K"]  # Form 4 skipped
    eight_k = sources[1]
    assert eight_k.kind == "filing"
    assert eight_k.metadata["items"] == ["2.02", "9.01"]
    assert eight_k.metadata["cik"] == "0001318605"
    assert eight_k.metadata["accession"] == "0001628280-26-049213"
    assert eight_k.metadata["document_url"] == (
        "https://www.sec.gov/Archives/edgar/data/1318605/000162828026049213/tsla-20260722.htm"
    )
    assert eight_k.text == (
        "Tesla, Inc. filed Form 8-K on 2026-07-22.\n"
        "Item 2.02: Results of Operations and Financial Condition.\n"
        "Item 9.01: Financial Statements and Exhibits."
    )
    assert sources[0].text.startswith(
        "Tesla, Inc. filed Form 10-Q on 2026-07-23 (report date 2026-06-30)."
    )


def test_microsoft_forms_kept_and_ids_by_accession() -> None:
    data = (SEC / "CIK0000789019_microsoft_submissions_92filings.json").read_bytes()
    sources = parse_submissions(data, archives_url="http://127.0.0.1:8000/")
    forms = {s.metadata["form"] for s in sources}
    assert forms == {"8-K", "8-K/A", "10-Q", "10-K", "DEF 14A"}
    assert len(sources) == 88
    assert len({s.id for s in sources}) == 88
    departures = [s for s in sources if "5.02" in s.metadata["items"]]
    assert departures and ITEM_NAMES["5.02"] in departures[0].text
    assert all(s.url and s.url.startswith("http://127.0.0.1:8000/Archives/") for s in sources)
    assert any("1.05" in s.metadata["items"] for s in sources)


def test_company_tickers_pads_cik() -> None:
    tickers = parse_company_tickers((SEC / "company_tickers_first100.json").read_bytes())
    assert len(tickers) == 100
    assert tickers["MSFT"] == "0000789019"
    assert tickers["AAPL"] == "0000320193"


def test_8k_inline_xbrl_document() -> None:
    html = (SEC / "8-K_afc_gamma_item5.02_cfo_departure.html").read_text()
    source = parse_page(html)
    assert source.kind == "filing"
    assert source.metadata["items"] == ["5.02", "7.01", "9.01"]
    assert source.metadata["company"] == "AFC GAMMA, INC."
    # the event happened on March 17; the filing was signed (made public) on March 20
    assert source.metadata["report_date"] == "2023-03-17"
    assert (
        source.published_at is not None and source.published_at.date().isoformat() == "2023-03-20"
    )
    assert "Chief Financial Officer" in source.text
    assert "dei:" not in source.text  # the hidden ix:header is not text


def test_ex99_sgml_wrapper_is_stripped() -> None:
    html = (SEC / "8-K_buckle_EX-99.1_q3_results_press_release.html").read_text()
    source = parse_page(html)
    assert source.kind == "filing"
    assert source.metadata["form"] == "EX-99.1"
    assert source.title == "THE BUCKLE, INC. REPORTS THIRD QUARTER NET INCOME"
    assert "<TYPE>" not in source.text and "EX-99.1\n" not in source.text[:20]
    assert source.text.startswith("Exhibit 99.1")
    main = parse_page((SEC / "8-K_buckle_item2.02_main.html").read_text())
    assert main.metadata["items"] == ["2.02", "9.01"]
    assert main.metadata["report_date"] == "2024-11-22"
