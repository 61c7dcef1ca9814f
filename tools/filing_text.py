"""An EDGAR document read for its words: envelope, cover facts, and text without page debris.

EDGAR serves the same filing in several wrappings: a bare .htm (hand-coded 1990s HTML or
inline XBRL), the `<DOCUMENT><TYPE>...<TEXT>` section of a submission, or the whole
submission with its `<SEC-HEADER>`; the oldest documents are plain text with `<PAGE>` marks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from bs4 import BeautifulSoup, NavigableString, Tag

from tools.base import clean_text, html_to_text, parse_html
from tools.dates import find_date
from tools.filing_items import PERIODIC_FORMS

_WRAPPED = re.compile(
    r"^\s*(?:<SEC-DOCUMENT>|<SEC-HEADER>|<IMS-HEADER>|<DOCUMENT>|-----BEGIN PRIVACY)",
    re.IGNORECASE,
)
_DOCUMENT = re.compile(r"<DOCUMENT>(.*?)(?:</DOCUMENT>|\Z)", re.IGNORECASE | re.DOTALL)
_SGML_FIELD = re.compile(r"^<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>([^\n<]*)", re.M | re.I)
_SGML_TEXT = re.compile(r"<TEXT>(.*?)(?:</TEXT>|\Z)", re.IGNORECASE | re.DOTALL)
_HEADER_FIELDS = {
    "ACCESSION NUMBER": "accession",
    "CONFORMED SUBMISSION TYPE": "form",
    "CONFORMED PERIOD OF REPORT": "period",
    "FILED AS OF DATE": "filed",
    "COMPANY CONFORMED NAME": "company",
    "CENTRAL INDEX KEY": "cik",
}
_HEADER_FIELD = re.compile(r"^\s*(" + "|".join(_HEADER_FIELDS) + r"):\s*(.+?)\s*$", re.M)
_HTML_TAG = re.compile(r"<(?:html|body|p|div|font|br|span|td|b|i|a|h\d)\b", re.IGNORECASE)
_WRAPPER_TAG = re.compile(r"</?(?:html|body|div|pre|font|p|br)\b[^>]*>", re.IGNORECASE)
_TEXT_MARKUP = re.compile(
    r"^[ \t]*</?(?:PAGE|S|C|CAPTION|TABLE|FN|F\d+)>[ \t]*\d*[ \t]*$", re.M | re.I
)

#: What a footnote or reference marker set in superscript reads as: "1", "*", "(2)", "a".
_MARKER = re.compile(r"^\s*(?:\d{1,2}|[*†‡§¶]{1,3}|\(\d{1,2}\)|[a-z])\s*$")
_RAISED = re.compile(r"vertical-align\s*:\s*(?:super|top)|top\s*:\s*-\d", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"""[.!?]["'”’)]*$""")
_GLUED_MARK = re.compile(r"(?<=\w)([®™])(?=[A-Za-z])")

_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—]?\s*(?:[A-Z]{1,2}\s?-\s?)?\d{1,3}(?:\s+of\s+\d{1,3})?\s*[-–—]?$"
    r"|^[ivxlc]{1,6}$",
)
_RUNNING_NUMBER = re.compile(r"(?:^\d{1,3}(?=\s*[|\s])|(?<=[|\s])\d{1,3}$)")
#: Links, headers and footers repeated on every page: "Table of Contents", "Index to Financial
#: Statements", "Notes to Consolidated Financial Statements — (continued)", "Fiscal 2024 Form
#: 10-K".
_RUNNING_LINK = re.compile(
    r"^(?:table of contents|index|index to (?:consolidated )?financial statements"
    r"|back to (?:top|contents)|return to (?:top|table of contents))$|\(continued\)$",
    re.IGNORECASE,
)
_RUNNING_FORM = re.compile(r"^(?!item\b).{0,40}\bForm (?:10-K|10-Q|20-F)\b.{0,20}$", re.I)
#: A line this short that repeats with a rising page number is a running header or footer.
RUNNING_MAX_CHARS, RUNNING_MIN_REPEATS = 100, 3


@dataclass
class FilingText:
    """One EDGAR document: its visible text and what its wrappers and cover tags say about it."""

    text: str
    fields: dict[str, str] = field(default_factory=dict)
    dei: dict[str, str] = field(default_factory=dict)


def is_wrapped(document: str) -> bool:
    """True for an EDGAR SGML document or submission (`<DOCUMENT>`, `<SEC-DOCUMENT>` ...)."""
    return _WRAPPED.match(document) is not None


def strip_sgml(document: str) -> tuple[str, dict[str, str]]:
    """The body inside an EDGAR `<DOCUMENT>...<TEXT>` envelope, and the envelope's fields.

    Fields are `type`, `sequence`, `filename`, `description` of the first document, and for a
    whole submission the `<SEC-HEADER>` facts: `accession`, `form`, `period`, `filed`,
    `company`, `cik`.
    """
    if not _WRAPPED.match(document):
        return document, {}
    fields: dict[str, str] = {}
    header_end = document.find("<DOCUMENT>")
    header = document[: header_end if header_end >= 0 else 20_000]
    for name, value in _HEADER_FIELD.findall(header):
        fields.setdefault(_HEADER_FIELDS[name], value)
    doc = _DOCUMENT.search(document)
    if doc is None:
        return document, fields
    for name, value in _SGML_FIELD.findall(doc.group(1)[:2000]):
        fields.setdefault(name.lower(), value.strip())
    body = _SGML_TEXT.search(doc.group(1))
    return (body.group(1) if body else doc.group(1)), fields


def header_date(value: str | None) -> date | None:
    """A `<SEC-HEADER>` date (20260625 or 20260625161530) as a date."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 8:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _dei_facts(soup: BeautifulSoup) -> dict[str, str]:
    facts: dict[str, str] = {}
    for tag in soup.find_all(True, attrs={"name": re.compile(r"^dei:")}):
        name = str(tag.get("name"))[4:]
        value = " ".join(tag.get_text(" ").split())
        if value:
            facts.setdefault(name, value)
    return facts


def _raised(tag: Tag) -> bool:
    if tag.name == "sup":
        return True
    style = tag.get("style")
    return isinstance(style, str) and _RAISED.search(style) is not None


def _space_markers(soup: BeautifulSoup) -> bool:
    """Put a space between a sentence's last stop and a superscript marker glued to it.

    "closed on May 2.1 The buyer" reads as one sentence to any splitter; with the space
    ("May 2. 1 The") the stop ends the sentence and the marker's words stay as written.
    """
    changed = False
    for tag in soup.find_all(True):
        if not _raised(tag) or not _MARKER.match(tag.get_text()):
            continue
        before = tag.find_previous(string=True)
        if isinstance(before, NavigableString) and _ENDS_SENTENCE.search(str(before)):
            tag.insert_before(" ")
            changed = True
    return changed


def _drop_debris(text: str) -> str:
    """Drop page numbers, running headers/footers and repeated "Table of Contents" links."""
    lines = text.split("\n")
    counts: defaultdict[str, int] = defaultdict(int)
    for line in lines:
        counts[line.strip().lower()] += 1
    running = _running_lines(lines)
    kept = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _PAGE_NUMBER.match(stripped) or i in running:
            continue
        repeats = counts[stripped.lower()]
        if repeats >= 2 and _RUNNING_LINK.search(stripped):
            continue
        if repeats >= RUNNING_MIN_REPEATS and _RUNNING_FORM.search(stripped):
            continue
        kept.append(line)
    return clean_text("\n".join(kept))


def _running_lines(lines: list[str]) -> set[int]:
    """Indexes of short lines that repeat with only a rising page number changing."""
    groups: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, line in enumerate(lines):
        stripped = line.strip()
        if len(stripped) > RUNNING_MAX_CHARS or len(stripped.split()) > 12:
            continue
        number = _RUNNING_NUMBER.search(stripped)
        if number is None or not re.search(r"[A-Za-z]{2}", stripped):
            continue
        key = (stripped[: number.start()] + "#" + stripped[number.end() :]).lower()
        groups[key].append((i, int(number.group())))
    found: set[int] = set()
    for hits in groups.values():
        pages = [n for _, n in hits]
        if len(hits) >= RUNNING_MIN_REPEATS and all(a < b for a, b in pairwise(pages)):
            found.update(i for i, _ in hits)
    return found


def read_filing(document: str) -> FilingText:
    """The visible text of an EDGAR document, its envelope fields and inline XBRL cover facts."""
    body, fields = strip_sgml(document)
    dei: dict[str, str] = {}
    if len(_HTML_TAG.findall(body)) * 10 < body.count("\n"):
        # a plain-text filing, perhaps in a bare <html><body><div> wrapper: keep its lines,
        # drop the wrapper and the SGML page and table marks
        text = clean_text(_TEXT_MARKUP.sub("", _WRAPPER_TAG.sub("", body)))
    else:
        soup = parse_html(body)
        dei = _dei_facts(soup)
        text = html_to_text(str(soup) if _space_markers(soup) else body)
    text = _GLUED_MARK.sub(r"\1 ", _drop_debris(text))
    return FilingText(text=text, fields=fields, dei=dei)


_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DAY_OF = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+day\s+of\s+([A-Z][a-z]+),?\s+(\d{4})\b")


def first_date(text: str) -> date | None:
    """The first written or ISO date in some text, else the first US numeric one (3/30/2021).

    A signature's "this 3rd day of May, 2024" counts as written.
    """
    if day_of := _DAY_OF.search(text):
        text = text.replace(day_of.group(), f"{day_of[2]} {day_of[1]}, {day_of[3]}", 1)
    found = find_date(text)
    if found is not None:
        return found
    if numeric := _NUMERIC_DATE.search(text):
        try:
            return date(int(numeric[3]), int(numeric[1]), int(numeric[2]))
        except ValueError:
            return None
    return None


#: The cover's own "FORM 10-K" line (a mention such as "our Form 10-K" is not one).
FORM_LINE = re.compile(
    r"^[ \t]*FORM[ \t]+(8-K|10-Q|10-K(?:405)?|20-F|6-K|40-F|S-1)(?:[ \t]*/[ \t]*A)?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
EXACT_NAME = re.compile(r"\(\s*Exact name of (?:the )?registrant", re.IGNORECASE)
REPORT_DATE = re.compile(r"Date of Report", re.IGNORECASE)
SIGNED = re.compile(r"duly\s+caused\s+this", re.IGNORECASE)
_PERIOD = re.compile(
    r"(?:fiscal\s+year|year|quarterly\s+period|quarter|period)\s+ended:?\s*", re.IGNORECASE
)
_ACCESSION = re.compile(r"(\d{10})-?(\d{2})-?(\d{6})")
_ARCHIVES = re.compile(r"/Archives/edgar/data/(\d+)/(\d{18})\b")
COVER_CHARS = 6000
SIGNATURE_WINDOW = 700


@dataclass(frozen=True)
class Cover:
    """What a filing's cover, wrappers and signature say about it."""

    form: str | None
    company: str | None
    report_date: date | None  # the event (8-K "date of earliest event") or period of report
    signed: date | None
    filed: date | None
    accession: str | None
    cik: str | None
    fiscal_year: str | None
    fiscal_period: str | None  # "FY", "Q1".. from inline XBRL, when tagged

    @property
    def published(self) -> date | None:
        """The day the filing was made public: filed, else signed, else its report date."""
        return self.filed or self.signed or self.report_date


def _company(lines: list[str]) -> str | None:
    for i, line in enumerate(lines):
        name = EXACT_NAME.search(line)
        if name is None:
            continue
        # the registrant's name sits before "(Exact name of registrant ...)", or on a line
        # above it (a rule of dashes may come between)
        same_line = line[: name.start()].strip()
        if re.search(r"[A-Za-z]{2}", same_line):
            return same_line
        above = [ln.strip() for ln in lines[max(0, i - 3) : i] if re.search(r"[A-Za-z]{2}", ln)]
        return above[-1] if above else None
    return None


_NOT_A_SIGNER = re.compile(r"^(?:by\b|date|/s/|name\b|title\b|\(registrant\))", re.IGNORECASE)


def _signer(window: str) -> str | None:
    """The registrant named under the signature sentence ("Acme Water Company")."""
    for line in window.split("\n")[1:8]:
        line = line.strip()
        if not line or _NOT_A_SIGNER.match(line) or first_date(line) or len(line) > 80:
            continue
        return line if re.search(r"[A-Za-z]{3}", line) else None
    return None


def _report_date(text: str, doc: FilingText, periodic: bool) -> date | None:
    """The event date of a current report, the period of a periodic one, a release's date."""
    if tagged := find_date(doc.dei.get("DocumentPeriodEndDate", "")):
        return tagged
    if headed := header_date(doc.fields.get("period")):
        return headed
    head = text[:COVER_CHARS]
    if report := REPORT_DATE.search(head):
        # the date follows "Date of Report ...:" or sits on the line above it
        after = head[report.start() : report.start() + 120]
        return first_date(after) or first_date(head[max(0, report.start() - 60) : report.start()])
    if periodic and (period := _PERIOD.search(head)):
        return first_date(head[period.end() : period.end() + 40])
    # a 6-K's cover date, or the date line of an exhibit's press release
    return first_date(head[:3000])


def _accession(doc: FilingText, url: str | None) -> tuple[str | None, str | None]:
    accession = doc.fields.get("accession")
    cik = doc.fields.get("cik") or doc.dei.get("EntityCentralIndexKey")
    if not accession and url and (path := _ARCHIVES.search(url)):
        digits = path.group(2)
        accession = f"{digits[:10]}-{digits[10:12]}-{digits[12:]}"
        cik = cik or path.group(1)
    if accession and (parts := _ACCESSION.fullmatch(accession.strip())):
        accession = "-".join(parts.groups())
    return accession, (str(int(cik)).zfill(10) if cik and cik.strip().isdigit() else None)


def read_cover(doc: FilingText, url: str | None = None) -> Cover:
    """The form, registrant, dates and accession of a filing document."""
    text = doc.text
    form_line = FORM_LINE.search(text[:3000])
    form = (
        doc.fields.get("type")
        or doc.fields.get("form")
        or doc.dei.get("DocumentType")
        or (form_line.group(1) + ("/A" if "/" in form_line.group(0) else "") if form_line else None)
    )
    lines = [ln for ln in text[:COVER_CHARS].split("\n") if len(ln.strip()) > 3][:60]
    signed, signer = None, None
    if signature := SIGNED.search(text):
        window = text[signature.end() : signature.end() + SIGNATURE_WINDOW]
        signed, signer = first_date(window), _signer(window)
    company = (
        _company(lines)
        or doc.dei.get("EntityRegistrantName")
        or doc.fields.get("company")
        or signer
    )
    accession, cik = _accession(doc, url)
    return Cover(
        form=form.strip().upper() if form else None,
        company=" ".join(company.split()) if company else None,
        report_date=_report_date(
            text, doc, form is not None and form.upper().startswith(PERIODIC_FORMS)
        ),
        signed=signed,
        filed=header_date(doc.fields.get("filed")),
        accession=accession,
        cik=cik,
        fiscal_year=doc.dei.get("DocumentFiscalYearFocus"),
        fiscal_period=doc.dei.get("DocumentFiscalPeriodFocus"),
    )
