"""SEC EDGAR: the submissions JSON, company_tickers.json and filing documents (8-K, EX-99.1).

A filing document is read by `tools/filing_document.py` (Sources), `tools/filing_text.py`
(wrappers, cover, text) and `tools/filing_items.py` (items); its functions are named here too.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from agent.errors import FetchError, ParseError
from agent.schemas import Account, Source, SourceKind
from tools.base import make_source, to_utc
from tools.filing_document import parse_filing_document as parse_filing_document
from tools.filing_document import parse_filing_sources as parse_filing_sources
from tools.filing_items import ITEM_NAMES as ITEM_NAMES
from tools.filing_text import is_wrapped
from tools.filing_text import strip_sgml as strip_sgml
from tools.http import HTML_TYPES, JSON_TYPES
from tools.json_input import load_json
from tools.problems import each, failure, parser
from tools.sources import FetchContext, Fetched, endpoint, newest_first

#: Forms worth a Source; insider (3/4/5), 13G and the like say little about the business.
FORMS = frozenset({"8-K", "8-K/A", "10-Q", "10-K", "10-K/A", "20-F", "6-K", "S-1", "DEF 14A"})


def pad_cik(cik: str | int) -> str:
    """A CIK as the 10-digit zero-padded string EDGAR URLs use."""
    return str(int(str(cik).strip())).zfill(10)


def is_submissions(obj: Any) -> bool:
    """True for a decoded data.sec.gov submissions response."""
    if not isinstance(obj, dict):
        return False
    filings = obj.get("filings")
    return "cik" in obj and isinstance(filings, dict) and "recent" in filings


@parser
def parse_submissions(
    data: bytes | str | Any,
    archives_url: str = "https://www.sec.gov",
    *,
    account_id: str = "",
    now: datetime | None = None,
) -> list[Source]:
    """One filing Source per kept form in a submissions response's `filings.recent` arrays."""
    obj = load_json(data)
    if not is_submissions(obj):
        raise ParseError("not an SEC submissions response (no cik / filings.recent)")
    cik = pad_cik(obj["cik"])
    company = obj.get("name") or f"CIK {cik}"
    recent = obj["filings"]["recent"]
    accessions = recent.get("accessionNumber") or []

    def column(name: str, i: int) -> Any:
        values = recent.get(name) or []
        return values[i] if i < len(values) else None

    def filing(i: int) -> Source | None:
        accession = str(accessions[i])
        form = column("form", i)
        if form not in FORMS:
            return None
        filing_date = column("filingDate", i) or ""
        report_date = column("reportDate", i) or ""
        items = [x.strip() for x in (column("items", i) or "").split(",") if x.strip()]
        document = column("primaryDocument", i) or ""
        folder = f"{archives_url.rstrip('/')}/Archives/edgar/data/{int(cik)}/"
        folder += accession.replace("-", "")
        document_url = f"{folder}/{document}" if document else folder
        lines = [f"{company} filed Form {form} on {filing_date}"]
        if report_date and report_date != filing_date:
            lines[0] += f" (report date {report_date})"
        lines[0] += "."
        for code in items:
            name = ITEM_NAMES.get(code)
            lines.append(f"Item {code}: {name}." if name else f"Item {code}.")
        if not items and column("primaryDocDescription", i):
            lines.append(f"Document: {column('primaryDocDescription', i)}.")
        title = f"{company} Form {form}" + (f" ({filing_date})" if filing_date else "")
        return make_source(
            SourceKind.filing,
            accession,
            title=title,
            text="\n".join(lines),
            url=document_url,
            published_at=to_utc(column("acceptanceDateTime", i) or filing_date),
            metadata={
                "cik": cik,
                "company": company,
                "form": form,
                "accession": accession,
                "filing_date": filing_date,
                "report_date": report_date,
                "items": items,
                "primary_document": document,
                "document_url": document_url,
            },
            account_id=account_id,
            now=now,
        )

    return each(range(len(accessions)), filing, "filing")


@parser
def parse_company_tickers(data: bytes | str | Any) -> dict[str, str]:
    """Map each ticker (upper case) of SEC company_tickers.json to its 10-digit CIK."""
    obj = load_json(data)
    rows = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else None
    if rows is None:
        raise ParseError("not an SEC company_tickers response")
    return {
        str(row["ticker"]).upper(): pad_cik(row["cik_str"])
        for row in rows
        if isinstance(row, dict) and row.get("ticker") and row.get("cik_str") is not None
    }


_FORM_MENTION = re.compile(r"\bFORM\s+(8-K|10-Q|10-K|20-F|6-K|S-1)\b", re.IGNORECASE)


def looks_like_filing(html: str) -> bool:
    """True for an EDGAR filing document: an SGML envelope, inline XBRL, or SEC cover text."""
    head = html[:5000]
    if is_wrapped(html) or "xmlns:ix=" in head or "<ix:header" in html[:200_000]:
        return True
    return "SECURITIES AND EXCHANGE COMMISSION" in html[:20_000] and bool(
        _FORM_MENTION.search(html)
    )


#: At most this many recent 8-Ks get their press-release exhibit read, within this window.
EXHIBIT_FILINGS = 5
EXHIBIT_WINDOW = timedelta(days=365)
_EXHIBIT_NO = re.compile(r"ex(?:hibit)?[-_.]?(\d+)", re.IGNORECASE)
_DOCUMENT = re.compile(r"\.(?:htm|html|txt)$", re.IGNORECASE)


def pick_exhibit(names: list[str], primary: str = "") -> str | None:
    """The press-release exhibit (EX-99.x) among a filing folder's file names, if any."""
    numbered, unnumbered = [], []
    for name in sorted(names):
        if not _DOCUMENT.search(name) or name == primary or "index" in name.lower():
            continue
        if m := _EXHIBIT_NO.search(name):
            if m[1].startswith("99"):
                numbered.append(name)
        elif "exhibit" in name.lower():
            unnumbered.append(name)  # "bke20241122-8kexhibit.htm" says no number at all
    return next(iter(numbered + unnumbered), None)


class SecTool:
    """SEC EDGAR: the company's recent filings, and the press release of its recent 8-Ks."""

    name = "sec"
    kind = SourceKind.filing

    def enabled(self, account: Account) -> bool:
        """True when the book gives a CIK or a ticker."""
        return bool(account.cik or account.ticker)

    def cik(self, account: Account, ctx: FetchContext) -> str:
        """The account's 10-digit CIK, from the book or SEC's ticker list."""
        if account.cik:
            return pad_cik(account.cik)
        url = endpoint(ctx.settings.sec_archives_url, "/files/company_tickers.json")
        tickers = parse_company_tickers(ctx.http.get_json(url, accept=JSON_TYPES))
        ticker = (account.ticker or "").strip().upper()
        if ticker not in tickers:
            raise FetchError(f"ticker {ticker} is not in SEC company_tickers.json")
        return tickers[ticker]

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        """The newest filings of the company, plus the EX-99 press release of recent 8-Ks."""
        cik = self.cik(account, ctx)
        url = endpoint(ctx.settings.sec_data_url, f"/submissions/CIK{cik}.json")
        data = ctx.http.get_json(url, accept=JSON_TYPES)
        archives = ctx.settings.sec_archives_url
        filings = parse_submissions(data, archives, account_id=account.account_id, now=ctx.now)
        fetched = Fetched(newest_first(filings, ctx.max_items))
        since = ctx.now - EXHIBIT_WINDOW
        recent_8ks = [
            f
            for f in fetched.sources
            if f.metadata["form"] in ("8-K", "8-K/A") and f.published_at and f.published_at >= since
        ]
        for filing in recent_8ks[:EXHIBIT_FILINGS]:
            try:
                exhibit = self.exhibit(filing, account, ctx)
            except Exception as exc:  # one exhibit of any failure; the filings stay
                accession = filing.metadata["accession"]
                fetched.problems.append(f"8-K {accession} exhibit: {failure(exc)}")
                continue
            if exhibit is not None:
                fetched.sources.append(exhibit)
        return fetched

    def exhibit(self, filing: Source, account: Account, ctx: FetchContext) -> Source | None:
        """The EX-99 press release of one 8-K as a filing Source, or None when it has none."""
        meta = filing.metadata
        folder = endpoint(
            ctx.settings.sec_archives_url,
            f"/Archives/edgar/data/{int(meta['cik'])}/{meta['accession'].replace('-', '')}",
        )
        listing = ctx.http.get_json(f"{folder}/index.json", accept=JSON_TYPES)
        items = (listing.get("directory") or {}).get("item") if isinstance(listing, dict) else None
        if not isinstance(items, list):
            raise ParseError("index.json has no directory.item list")
        names = [str(i.get("name")) for i in items if isinstance(i, dict) and i.get("name")]
        name = pick_exhibit(names, meta.get("primary_document") or "")
        if name is None:
            return None
        response = ctx.http.get(f"{folder}/{name}", accept=HTML_TYPES | {"text/plain"})
        source = parse_filing_document(
            response.text(), response.url, account_id=account.account_id, now=ctx.now
        )
        return source.model_copy(
            update={
                "published_at": source.published_at or filing.published_at,
                "metadata": {
                    **source.metadata,
                    "company": source.metadata.get("company") or meta["company"],
                    "cik": meta["cik"],
                    "accession": meta["accession"],
                    "items": meta["items"],
                    "filing_date": meta["filing_date"],
                    "exhibit_of": meta["form"],
                },
            }
        )
