"""Filing documents split into items, on invented excerpts in EDGAR's real layouts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tools.filing_document import display_name
from tools.filings import looks_like_filing, parse_filing_document, parse_filing_sources

NOW = datetime(2026, 3, 1, tzinfo=UTC)
XHTML = 'xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"'
TENK_URL = "https://www.sec.gov/Archives/edgar/data/9990001/000999000126000007/nwrb-20251231.htm"


def _div(text: str, bold: bool = False) -> str:
    weight = 700 if bold else 400
    return f'<div><span style="font-family:Arial;font-weight:{weight}">{text}</span></div>'


def _page_end(number: int) -> str:
    """Workiva's page footer, page break and running "Table of Contents" link."""
    return (
        _div(f"Northwind Robotics, Inc. | 2025 Form 10-K | {number}")
        + '<hr style="page-break-after:always"/>'
        + '<div><a href="#toc">Table of Contents</a></div>'
    )


def _heading(code: str, title: str) -> str:
    return (
        f'<div><span style="font-weight:700">Item {code}.</span>'
        f'<span style="font-weight:700">&#160;&#160;&#160;{title}</span></div>'
    )


_TOC = [
    ("PART I", "", ""),
    ("Item 1.", "Business", "4"),
    ("Item 1A.", "Risk Factors", "9"),
    ("Item 2.", "Properties", "15"),
    ("Item 3.", "Legal Proceedings", "16"),
    ("PART II", "", ""),
    ("Item 7.", "Management’s Discussion and Analysis", "18"),
    ("PART III", "", ""),
    ("Item 10.", "Directors, Executive Officers and Corporate Governance", "60"),
]


def _workiva_10k() -> str:
    hidden = (
        '<div style="display:none"><ix:header><ix:hidden>'
        '<ix:nonNumeric name="dei:DocumentFiscalYearFocus" contextRef="c-1">2025</ix:nonNumeric>'
        '<ix:nonNumeric name="dei:DocumentFiscalPeriodFocus" contextRef="c-1">FY</ix:nonNumeric>'
        "</ix:hidden></ix:header></div>"
    )
    cover = (
        _div("SECURITIES AND EXCHANGE COMMISSION", True)
        + _div('FORM <ix:nonNumeric name="dei:DocumentType">10-K</ix:nonNumeric>', True)
        + "<table><tr><td>☒</td><td>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</td></tr></table>"
        + _div(
            'For the fiscal year ended <ix:nonNumeric name="dei:DocumentPeriodEndDate" '
            'format="ixt:date-monthname-day-year-en">December 31, 2025</ix:nonNumeric>'
        )
        + _div("NORTHWIND ROBOTICS, INC.", True)
        + _div("(Exact name of registrant as specified in its charter)")
        + "<table><tr><td>Common Stock</td><td>NWRB</td><td>Nasdaq</td></tr></table>"
        + _div("Indicate by check mark whether the registrant is a shell company. Yes ☐ No ☒")
    )
    rows = "".join(
        f"<tr><td>{a}</td><td><a href='#x'>{b}</a></td><td>{c}</td></tr>" for a, b, c in _TOC
    )
    body = [
        _div("TABLE OF CONTENTS", True),
        f'<table id="toc">{rows}</table>',
        _page_end(2),
        _div("PART I", True),
        _heading("1", "Business"),
        _div("Northwind Robotics builds picking robots for grocers."),
        _div("We sold 1,200 robots in 2025.<sup>1</sup> Most went to Europe."),
        _page_end(4),
        _heading("1A", "Risk Factors"),
        _div("Our largest customer accounts for 18% of revenue."),
        _page_end(9),
        _heading("2", "Properties"),
        _div("We lease a plant in Dayton, Ohio."),
        _heading("3", "Legal Proceedings"),
        _div("In March 2025 a rival sued us for patent infringement."),
        _page_end(16),
        _div("PART II", True),
        _heading("7", "Management’s Discussion and Analysis"),
        _div("Revenue grew 31% to $412 million."),
        _div("PART III", True),
        _heading("10", "Directors, Executive Officers and Corporate Governance"),
        _div("The information required by this item is incorporated by reference."),
        _page_end(61),
        _div("SIGNATURES", True),
        _div("The registrant has duly caused this report to be signed on its behalf."),
        _div("Date: February 20, 2026 By: /s/ Ada Quill"),
    ]
    return (
        f'<?xml version="1.0" encoding="utf-8"?><html {XHTML}><body>'
        f"{hidden}{cover}{''.join(body)}</body></html>"
    )


def test_workiva_10k_is_one_source_per_item() -> None:
    sources = parse_filing_sources(_workiva_10k(), TENK_URL, account_id="nw", now=NOW)
    assert [s.metadata["item"] for s in sources] == ["1", "1A", "2", "3", "7", "10"]
    first = sources[0]
    assert first.title == "Northwind Robotics 10-K FY2025 — Item 1. Business"
    assert first.text == (
        "Item 1. Business\nNorthwind Robotics builds picking robots for grocers.\n"
        "We sold 1,200 robots in 2025. 1 Most went to Europe."
    )
    meta = sources[1].metadata
    assert meta["form"] == "10-K" and meta["item_title"] == "Risk Factors"
    assert meta["fiscal_period"] == "FY2025" and meta["report_date"] == "2025-12-31"
    assert meta["accession"] == "0009990001-26-000007" and meta["cik"] == "0009990001"
    # made public on its signature date, not at the end of the fiscal year
    assert all(s.published_at == datetime(2026, 2, 20, tzinfo=UTC) for s in sources)
    # no table of contents, page footers, running links or signatures in any item
    for source in sources:
        assert "Table of Contents" not in source.text and "| 2025 Form 10-K |" not in source.text
        assert "Business 4" not in source.text and "duly caused" not in source.text
        assert "PART" not in source.text
    assert sources[-1].text.endswith("incorporated by reference.")  # a short item stays short
    again = parse_filing_sources(_workiva_10k(), TENK_URL, account_id="nw", now=NOW)
    assert [s.id for s in again] == [s.id for s in sources]
    assert len({s.id for s in sources}) == len(sources)


def _hand_coded_10k() -> str:
    def page(number: int) -> str:
        return f'<P align="center">{number}\n<!-- PAGEBREAK -->\n<HR size="3">\n'

    return (
        '<HTML><BODY bgcolor="#FFFFFF">\n<!-- PAGEBREAK -->\n'
        '<P align="center"><B>SECURITIES AND EXCHANGE COMMISSION</B>\n'
        '<P align="center"><B><FONT size="5">FORM 10-K</FONT></B>\n<TABLE><TR>\n'
        "<TD><B>[X]</B></TD><TD>ANNUAL REPORT PURSUANT TO SECTION 13 OR 15(d)</TD></TR></TABLE>\n"
        '<P align="center"><B>For the fiscal year ended June&nbsp;30, 1999.</B>\n'
        '<P align="center"><B>LYREBIRD DERMATOLOGY CORPORATION</B>\n'
        '<P align="center">(Exact name of registrant as specified in its charter)\n'
        "<P>Indicate by check mark whether the registrant has filed all reports. Yes [X] No [ ]\n"
        '<P align="center"><B>PART I</B>\n'
        "<P><B>Item 1: Business</B>\n"
        "<P>The Company sells ZINNIA&#174;tablets and LUMA&#174; cream to dermatologists.\n"
        "Sales of ZINNIA&#174; rose in fiscal 1999.\n"
        + page(2)
        + "<P><B>Item 2: Properties</B>\n<P>The Company leases offices in Scottsdale.\n"
        "<P><B>Item 3: Legal Proceedings</B>\n<P>None material.\n"
        + page(3)
        + '<P align="center"><B>PART III</B>\n'
        "<P><B>Item 10: Directors and Executive Officers of the Registrant</B>\n"
        "<P><B>Item 11: Executive Compensation</B>\n"
        "<P><B>Item 12: Security Ownership of Certain Beneficial Owners and Management</B>\n"
        "<P><B>Item 13: Certain Relationships and Related Transactions</B>\n"
        "<P>Items 10 through 13 come from the proxy statement, incorporated by reference.\n"
        '<P align="center"><B>PART IV</B>\n'
        "<P><B>Item 14: Exhibits, Financial Statement Schedules and Reports on Form 8-K</B>\n"
        "<P>Item 14(a)(1): Financial Statements\n<P>Incorporated by reference.\n"
        "<P>Item 14 (a)(2): Schedules\n<P>None.\n"
        + page(4)
        + '<P align="center"><B>POWER OF ATTORNEY</B>\n<P>EACH SIGNER NAMES IVO MARSH AS AGENT.\n'
        '<P align="center"><B>SIGNATURES</B>\n'
        "<P>The registrant has duly caused this report to be signed.\n"
        "<P>Date: September 28, 1999 By: /s/ Ivo Marsh\n</BODY></HTML>"
    )


def test_hand_coded_10k_items_pages_and_marks() -> None:
    sources = parse_filing_sources(_hand_coded_10k())
    assert [s.metadata["item"] for s in sources] == ["1", "2", "3", "10", "11", "12", "13", "14"]
    business = sources[0]
    assert business.title == "Lyrebird Dermatology 10-K FY1999 — Item 1. Business"
    # the registered mark glued to the next word gets a space; the words stay as written
    assert "ZINNIA® tablets and LUMA® cream" in business.text
    assert "Sales of ZINNIA® rose" in business.text
    assert "\n2\n" not in business.text + "\n" and "PAGEBREAK" not in business.text
    # items incorporated by reference stay the short items they are
    assert sources[3].text == "Item 10: Directors and Executive Officers of the Registrant"
    assert sources[6].text.endswith("proxy statement, incorporated by reference.")
    exhibits = sources[-1].text
    assert "Item 14(a)(1): Financial Statements" in exhibits and "Schedules\n\nNone." in exhibits
    assert "POWER OF ATTORNEY" not in exhibits and "AS AGENT" not in exhibits
    assert business.metadata["report_date"] == "1999-06-30"
    assert business.published_at == datetime(1999, 9, 28, tzinfo=UTC)


def _ten_q() -> str:
    def item(code: str, title: str, body: str) -> str:
        return f"<p><b>Item {code}. {title}</b></p><p>{body}</p>"

    toc = (
        "<table><tr><td>PART I. FINANCIAL INFORMATION</td></tr>"
        "<tr><td>Item 1.</td><td>Financial Statements</td><td>3</td></tr>"
        "<tr><td>Item 2.</td><td>Management’s Discussion and Analysis</td><td>12</td></tr>"
        "<tr><td>PART II. OTHER INFORMATION</td></tr>"
        "<tr><td>Item 1.</td><td>Legal Proceedings</td><td>20</td></tr>"
        "<tr><td>Item 1A.</td><td>Risk Factors</td><td>20</td></tr></table>"
    )
    return (
        "<html><body><p>SECURITIES AND EXCHANGE COMMISSION</p><p>FORM 10-Q</p>"
        "<p>For the quarterly period ended March 31, 2026</p><p>KESTREL PAYMENTS INC.</p>"
        "<p>(Exact name of registrant as specified in its charter)</p><p>Yes ☒ No ☐</p>"
        + toc
        + "<p>PART I. FINANCIAL INFORMATION</p>"
        + item("1", "Financial Statements", "Revenue was $88 million for the quarter.")
        + item("2", "Management’s Discussion and Analysis", "Card volume rose 12%.")
        + "<p>PART II. OTHER INFORMATION</p>"
        + item("1", "Legal Proceedings", "A merchant class action was dismissed in April.")
        + item("1A", "Risk Factors", "There were no material changes to our risk factors.")
        + "<p>SIGNATURES</p><p>The registrant has duly caused this report to be signed.</p>"
        "<p>Date: May 6, 2026</p></body></html>"
    )


def test_10q_items_are_cited_with_their_part() -> None:
    sources = parse_filing_sources(_ten_q())
    titles = [s.title for s in sources]
    assert titles[0] == (
        "Kestrel Payments 10-Q quarter ended 2026-03-31 — Part I Item 1. Financial Statements"
    )
    assert titles[2].endswith("— Part II Item 1. Legal Proceedings")
    assert [s.metadata["part"] for s in sources] == ["I", "I", "II", "II"]
    assert len({s.id for s in sources}) == 4  # Part I Item 1 and Part II Item 1 differ
    assert sources[2].text == (
        "Item 1. Legal Proceedings\n\nA merchant class action was dismissed in April."
    )
    assert sources[0].published_at == datetime(2026, 5, 6, tzinfo=UTC)


def test_plain_text_submission_reads_its_sec_header() -> None:
    text = (
        "<SEC-DOCUMENT>0000777001-02-000031.txt : 20020328\n<SEC-HEADER>\n"
        "ACCESSION NUMBER:\t\t0000777001-02-000031\nCONFORMED SUBMISSION TYPE:\t10-K405\n"
        "CONFORMED PERIOD OF REPORT:\t20011231\nFILED AS OF DATE:\t\t20020328\n"
        "COMPANY CONFORMED NAME:\t\t\tPELICAN GRAIN CO\nCENTRAL INDEX KEY:\t\t\t0000777001\n"
        "</SEC-HEADER>\n<DOCUMENT>\n<TYPE>10-K405\n<SEQUENCE>1\n<FILENAME>d10k405.txt\n<TEXT>\n"
        "                      SECURITIES AND EXCHANGE COMMISSION\n\n"
        "                                 FORM 10-K405\n\n"
        "                              PELICAN GRAIN CO\n"
        "            (Exact name of registrant as specified in its charter)\n\n"
        "PART I\n\nITEM 1.  BUSINESS\n\n"
        "     Pelican Grain Co. stores and ships wheat from eleven elevators in\n"
        "Kansas and Nebraska.\n\n<PAGE>   2\n\n"
        "ITEM 2.  PROPERTIES\n\n     The Company owns its elevators.\n\n"
        "ITEM 3.  LEGAL PROCEEDINGS\n\n     None.\n\n"
        "                                   SIGNATURES\n\n"
        "     The registrant has duly caused this report to be signed.\n"
        "Date: March 27, 2002\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n"
    )
    assert looks_like_filing(text)
    sources = parse_filing_sources(text)
    assert [s.metadata["item"] for s in sources] == ["1", "2", "3"]
    assert sources[0].metadata["form"] == "10-K405"
    assert sources[0].metadata["accession"] == "0000777001-02-000031"
    assert sources[0].title == "Pelican Grain 10-K405 FY2001 — Item 1. BUSINESS"
    # the filed date wins over the signature date: it is the day the filing became public
    assert sources[0].published_at == datetime(2002, 3, 28, tzinfo=UTC)
    assert "<PAGE>" not in sources[0].text and "Kansas and Nebraska." in sources[0].text


def _eight_k() -> str:
    raised = "font-size:6.5pt;position:relative;top:-3.5pt;vertical-align:baseline"
    return (
        f'<?xml version="1.0" encoding="utf-8"?><html {XHTML}><body>'
        '<div style="display:none"><ix:header><ix:hidden>'
        '<ix:nonNumeric name="dei:EntityCentralIndexKey">0009990002</ix:nonNumeric>'
        "</ix:hidden></ix:header></div>"
        + _div("SECURITIES AND EXCHANGE COMMISSION")
        + _div('FORM <ix:nonNumeric name="dei:DocumentType">8-K</ix:nonNumeric>')
        + _div("CURRENT REPORT")
        + _div(
            'Date of Report (Date of earliest event reported): <ix:nonNumeric name="dei:'
            'DocumentPeriodEndDate">April 14, 2026</ix:nonNumeric>'
        )
        + _div("Osprey Analytics Corp.")
        + _div("(Exact name of registrant as specified in its charter)")
        + _div("☐ Written communications pursuant to Rule 425 under the Securities Act")
        + "<table><tr><td>Title of each class</td><td>Trading Symbol(s)</td></tr>"
        "<tr><td>Common Stock, $0.01 par value</td><td>OSPY</td></tr></table>"
        + _div("Emerging growth company ☐")
        + _div(
            "Item 5.02 Departure of Directors or Certain Officers; Election of Directors; "
            "Appointment of Certain Officers; Compensatory Arrangements of Certain Officers"
        )
        + "<div><span>On April 15, 2026, Osprey Analytics Corp. announced that Lena Ortiz was "
        "appointed Chief Revenue Officer, effective immediately.</span>"
        f'<span style="{raised}">1</span><span> Ms. Ortiz succeeds Tom Reyes, who is retiring.'
        "</span></div>"
        + _div("The award vests if operating margin<sup>2</sup> reaches 15%.")
        + _div("Item 9.01 Financial Statements and Exhibits")
        + _div("99.1 Press release dated April 15, 2026")
        + _div("SIGNATURE")
        + _div("The Registrant has duly caused this report to be signed on its behalf.")
        + _div("Dated: April 16, 2026")
        + "</body></html>"
    )


def test_8k_items_dates_and_no_cover() -> None:
    (source,) = parse_filing_sources(_eight_k(), account_id="osprey", now=NOW)
    meta = source.metadata
    assert meta["items"] == ["5.02", "9.01"]
    assert meta["item_headings"][1] == "Item 9.01 Financial Statements and Exhibits"
    assert meta["report_date"] == "2026-04-14"  # the event
    assert source.published_at == datetime(2026, 4, 16, tzinfo=UTC)  # the signature
    assert meta["filing_date"] == "2026-04-16" and meta["cik"] == "0009990002"
    assert source.title == (
        "Osprey Analytics 8-K 2026-04-14 — Item 5.02 Departure of Directors or Certain Officers"
    )
    assert source.text.startswith(
        "FORM 8-K\nDate of Report (Date of earliest event reported): April 14, 2026\n"
        "Osprey Analytics Corp.\n\nItem 5.02 Departure of Directors"
    )
    assert "OSPY" not in source.text and "☐" not in source.text  # cover table and boxes
    # a marker raised after a full stop is set apart so the sentence can end there
    assert "effective immediately. 1 Ms. Ortiz succeeds Tom Reyes" in source.text
    assert "operating margin2 reaches 15%" in source.text  # a marker on a word stays
    # the whole document is the same one Source
    assert parse_filing_document(_eight_k(), account_id="osprey", now=NOW) == source


def test_6k_in_its_sgml_envelope_keeps_the_press_release() -> None:
    html = (
        "<DOCUMENT>\n<TYPE>6-K\n<SEQUENCE>1\n<FILENAME>cormorant-20260302.htm\n<TEXT>\n"
        "<html><body><h2>SECURITIES AND EXCHANGE COMMISSION</h2><h2>FORM 6-K</h2>"
        "<p>REPORT OF FOREIGN PRIVATE ISSUER</p><p>March 2, 2026</p>"
        "<h1>CORMORANT SHIPPING N.V.</h1>"
        "<p>(Exact name of registrant as specified in its charter)</p>"
        "<p>Indicate by check mark whether the registrant files annual reports under cover "
        "Form 20-F or Form 40-F.</p><p>Form 20-F ☒ Form 40-F ☐</p>"
        "<p>The news release below is this report.</p>"
        "<p>The registrant has duly caused this report to be signed on its behalf, "
        "at Rotterdam, on March 2, 2026.</p>"
        "<p>News release</p><p>March 2, 2026</p>"
        "<p>Cormorant Shipping will cut 900 roles by 2027 as it retires its oldest vessels.*</p>"
        "<p>* Excluding the joint venture.</p></body></html>\n</TEXT>\n</DOCUMENT>"
    )
    (source,) = parse_filing_sources(html)
    assert source.metadata["form"] == "6-K"
    assert source.metadata["filename"] == "cormorant-20260302.htm"
    assert source.title == "Cormorant Shipping 6-K 2026-03-02"
    assert "☒" not in source.text and "Form 40-F" not in source.text
    assert "will cut 900 roles by 2027 as it retires its oldest vessels.*" in source.text
    assert source.published_at == datetime(2026, 3, 2, tzinfo=UTC)
    assert not source.text.startswith("6-K")


def test_whole_10k_document_and_a_report_without_item_headings() -> None:
    whole = parse_filing_document(_workiva_10k(), TENK_URL)
    items = parse_filing_sources(_workiva_10k(), TENK_URL)
    assert whole.id not in {s.id for s in items}
    assert "Item 1A. Risk Factors" in whole.text and "☒" not in whole.text
    assert whole.title == "Northwind Robotics 10-K FY2025"
    # a body that never repeats its contents' headings cannot be split: one Source, cover gone
    no_headings = _workiva_10k()
    for code in ("1", "1A", "2", "3", "7", "10"):
        no_headings = no_headings.replace(f"Item {code}.</span>", "</span>")
    (single,) = parse_filing_sources(no_headings, TENK_URL)
    assert single.metadata["form"] == "10-K" and "grocers" in single.text


def test_display_name() -> None:
    assert display_name("MEDIUM PHARMACEUTICAL CORPORATION") == "Medium Pharmaceutical"
    assert display_name("Grebe Chase & Co.") == "Grebe Chase"
    assert display_name("KONINKLIJKE GREBE N.V.") == "Koninklijke Grebe"
    assert display_name("AT&T INC.") == "AT&T"
    assert display_name("PREMIER GREBE BANCORP, INC.") == "Premier Grebe Bancorp"
    assert display_name("THE GREBE BANCORP OF OHIO, INC.") == "The Grebe Bancorp of Ohio"
    assert display_name("GREBE CORP /DE/") == "Grebe"


def test_10q_body_without_part_lines_and_a_legal_signature_date() -> None:
    """The contents name the parts; the body goes straight to its items (no "PART I" line)."""
    html = _ten_q().replace("<p>PART I. FINANCIAL INFORMATION</p><p><b>Item 1.", "<p><b>Item 1.")
    html = html.replace("<p>Date: May 6, 2026</p>", "<p>Signed on this 6th day of May, 2026.</p>")
    sources = parse_filing_sources(html)
    assert [(s.metadata["part"], s.metadata["item"]) for s in sources] == [
        ("I", "1"),
        ("I", "2"),
        ("II", "1"),
        ("II", "1A"),
    ]
    assert sources[0].text.startswith("Item 1. Financial Statements\n\nRevenue was $88 million")
    assert sources[0].published_at == datetime(2026, 5, 6, tzinfo=UTC)


def test_pre_2004_8k_with_a_combined_cover() -> None:
    """Old item numbers ("Item 5. Other Events"); no "(Exact name ...)" line: the signer names
    the registrant."""
    text = (
        "<DOCUMENT>\n<TYPE>8-K\n<TEXT>\n"
        "                    SECURITIES AND EXCHANGE COMMISSION\n\n"
        "                                 FORM 8-K\n\n"
        "Date of Report (Date of earliest event reported)     March 3, 2002\n\n"
        "Commission File Number     Registrant and Address\n"
        "1-2345                     Heron Water Company, 9 Lake Road, Akron, Ohio\n\n"
        "Item 5. Other Events\n\n"
        "     On March 3, 2002, Heron Water Company agreed to buy Teal Pumps Inc.\n\n"
        "Item 7. Financial Statements and Exhibits\n\n     None.\n\n"
        "                                SIGNATURES\n\n"
        "     The registrant has duly caused this report to be signed on its behalf.\n\n"
        "                                      Heron Water Company\n\n"
        "Dated: March 4, 2002\n</TEXT>\n</DOCUMENT>\n"
    )
    (source,) = parse_filing_sources(text)
    assert source.metadata["company"] == "Heron Water Company"
    assert source.metadata["items"] == []  # not today's item codes
    assert source.metadata["item_headings"] == [
        "Item 5. Other Events",
        "Item 7. Financial Statements and Exhibits",
    ]
    assert source.title == "Heron Water Company 8-K 2002-03-03 — Item 5. Other Events"
    assert source.published_at == datetime(2002, 3, 4, tzinfo=UTC)
    assert "agreed to buy Teal Pumps Inc." in source.text


def test_a_10k_added_by_url_is_one_source_per_item(tmp_path: Path) -> None:
    """`dossier add ACCOUNT URL` of a 10-K stores its items, not one blob."""
    import httpx

    from agent.config import Settings
    from agent.deps import Deps
    from agent.pipeline import ingest
    from agent.schemas import Account

    def serve(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == TENK_URL
        html = _workiva_10k().encode()
        return httpx.Response(200, content=html, headers={"content-type": "text/html"})

    deps = Deps.build(
        Settings(home=tmp_path / "home"), clock=lambda: NOW, transport=httpx.MockTransport(serve)
    )
    account = Account(account_id="nw", name="Northwind Robotics")
    with deps.http:
        report = ingest(deps, account, [TENK_URL])
    assert report.errors == [] and len(report.new) == 6
    stored = deps.store.sources("nw")
    assert sorted(s.metadata["item"] for s in stored) == ["1", "10", "1A", "2", "3", "7"]
