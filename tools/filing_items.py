"""The items of a filing: 8-K/6-K item codes, and a 10-K/10-Q cut into one text per item.

A periodic report names each item twice or more: in its table of contents, in the body, and
sometimes in a cross-reference index at the end. The body's headings are the one increasing
run (Item 1, 1A, 2, ... in order) that covers the most text, so the contents page, whose
entries hold only page numbers, is never taken for an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: 8-K item codes and their official names.
ITEM_NAMES = {
    "1.01": "Entry into a Material Definitive Agreement",
    "1.02": "Termination of a Material Definitive Agreement",
    "1.03": "Bankruptcy or Receivership",
    "1.04": "Mine Safety - Reporting of Shutdowns and Patterns of Violations",
    "1.05": "Material Cybersecurity Incidents",
    "2.01": "Completion of Acquisition or Disposition of Assets",
    "2.02": "Results of Operations and Financial Condition",
    "2.03": "Creation of a Direct Financial Obligation or an Obligation under an Off-Balance "
    "Sheet Arrangement of a Registrant",
    "2.04": "Triggering Events That Accelerate or Increase a Direct Financial Obligation or an "
    "Obligation under an Off-Balance Sheet Arrangement",
    "2.05": "Costs Associated with Exit or Disposal Activities",
    "2.06": "Material Impairments",
    "3.01": "Notice of Delisting or Failure to Satisfy a Continued Listing Rule or Standard; "
    "Transfer of Listing",
    "3.02": "Unregistered Sales of Equity Securities",
    "3.03": "Material Modification to Rights of Security Holders",
    "4.01": "Changes in Registrant's Certifying Accountant",
    "4.02": "Non-Reliance on Previously Issued Financial Statements or a Related Audit Report "
    "or Completed Interim Review",
    "5.01": "Changes in Control of Registrant",
    "5.02": "Departure of Directors or Certain Officers; Election of Directors; Appointment of "
    "Certain Officers; Compensatory Arrangements of Certain Officers",
    "5.03": "Amendments to Articles of Incorporation or Bylaws; Change in Fiscal Year",
    "5.04": "Temporary Suspension of Trading Under Registrant's Employee Benefit Plans",
    "5.05": "Amendment to Registrant's Code of Ethics, or Waiver of a Provision of the Code "
    "of Ethics",
    "5.06": "Change in Shell Company Status",
    "5.07": "Submission of Matters to a Vote of Security Holders",
    "5.08": "Shareholder Director Nominations",
    "6.01": "ABS Informational and Computational Material",
    "7.01": "Regulation FD Disclosure",
    "8.01": "Other Events",
    "9.01": "Financial Statements and Exhibits",
}

#: Periodic reports: their covers name a period, their items are numbered 1-19 (1A, 7A ...).
PERIODIC_FORMS = ("10-K", "10-Q", "20-F", "40-F")
QUARTERLY_FORMS = ("10-Q",)

_CURRENT_HEADING = re.compile(r"^Item\s*(\d{1,2}(?:\.\d{2})?)\b[.:]?\s*(.*)$", re.I | re.M)
_PERIODIC_HEADING = re.compile(
    r"^(?:PART\s+(?P<part>IV|I{1,3})\b\s*[,.:\-–—]*\s*)?"
    r"ITEMS?\s*(?P<num>\d{1,2})(?P<letter>[A-Ka-k])?(?![A-Za-z0-9(])"
    r"(?:\s*(?:,|and|&)\s*\d{1,2}[A-Ka-k]?(?![A-Za-z0-9(]))*"
    r"\s*[.:\-–—]*\s*(?P<title>.*)$",
    re.IGNORECASE,
)
_PART_LINE = re.compile(r"^PART\s+(IV|I{1,3})\b", re.IGNORECASE)
#: Where a report's last item ends: its signatures (a power of attorney may come first).
_SIGNATURES = re.compile(
    r"^[ \t]*(?:SIGNATURES?|POWER OF ATTORNEY)[ \t]*:?[ \t]*$", re.IGNORECASE | re.MULTILINE
)
#: A heading's first word that shows a sentence citing the item ("Item 7 of Part II ...").
_NOT_A_TITLE = frozenset(
    {"of", "in", "and", "or", "to", "for", "under", "above", "below", "herein", "through", "is"}
)
_TITLE_START = re.compile(r"""[\[(“"'‘]?[A-Z]""")
_TRAILING_PAGE = re.compile(r"\s+\d{1,3}$")
_SENTENCE_END = re.compile(r"(?<=[a-z)])\.\s")
TITLE_MAX_CHARS = 150
#: A split is trusted when its items hold at least this share of the document's text.
MIN_ITEM_SHARE = 0.3


@dataclass(frozen=True)
class Item:
    """One item of a filing: its code ("1A", "5.02"), part ("I".."IV" or ""), title and text."""

    code: str
    part: str
    title: str
    text: str

    @property
    def label(self) -> str:
        """How a brief cites it: "Item 1A" or, in a 10-Q, "Part II Item 1A"."""
        return f"Part {self.part} Item {self.code}" if self.part else f"Item {self.code}"


def current_report_items(text: str) -> list[tuple[str, str]]:
    """(code, heading line) of each 8-K item heading ("Item 5.02 Departure of ..."), in order.

    Reports from before 2004 number their items 1-12 ("Item 5. Other Events"); those count
    only when the report has no item of today's numbering.
    """
    current: dict[str, str] = {}
    former: dict[str, str] = {}
    for match in _CURRENT_HEADING.finditer(text):
        code, heading = match.group(1), " ".join(match.group(0).split())
        if code in ITEM_NAMES:
            current.setdefault(code, heading)
        elif "." not in code and _TITLE_START.match(match.group(2)):
            former.setdefault(code, heading)
    return list((current or former).items())


def first_item_heading(text: str) -> int | None:
    """Where the first item heading of a current report starts, if it has one."""
    match = _CURRENT_HEADING.search(text)
    return match.start() if match else None


@dataclass(frozen=True)
class _Heading:
    start: int
    body: int  # where the text under the heading starts
    code: str
    part: str
    title: str
    rank: tuple[int, int, int]
    paged: bool  # the title ends in a page number, as a contents entry does


def _title(written: str) -> str | None:
    """The item's title as written; None when the line is a sentence citing the item."""
    title = written.strip()
    first = re.split(r"\W+", title.lower(), maxsplit=1)[0]
    if not _TITLE_START.match(title) or first in _NOT_A_TITLE:
        return None
    if len(title) > TITLE_MAX_CHARS:
        # a heading run into its first paragraph: the title is its first sentence
        end = _SENTENCE_END.search(title)
        title = title[: end.start() + 1] if end and end.start() < TITLE_MAX_CHARS else title[:80]
    return _TRAILING_PAGE.sub("", title).rstrip(" .:")


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
#: A 10-Q's items by title: a body that skips "PART I" is still read in the right part.
_QUARTERLY_TITLES = (
    ("I", re.compile(r"financial statements|discussion and analysis|quantitative and qual"
                     r"|controls and procedures", re.IGNORECASE)),
    ("II", re.compile(r"legal proceedings|risk factors|unregistered sales|defaults upon"
                      r"|mine safety|other information|exhibits", re.IGNORECASE)),
)  # fmt: skip


def _quarterly_part(title: str) -> str:
    return next((part for part, words in _QUARTERLY_TITLES if words.search(title)), "")


def _headings(text: str, quarterly: bool) -> list[_Heading]:
    lines = [(m.start(), m.group().strip()) for m in re.finditer(r"[^\n]+", text)]
    lines = [x for x in lines if x[1]]
    part = ""
    found = []
    for i, (start, line) in enumerate(lines):
        if len(line) <= 80 and (part_line := _PART_LINE.match(line)):
            part = part_line.group(1).upper()
        match = _PERIODIC_HEADING.match(line)
        if match is None:
            continue
        written, body = match["title"], start + len(line)
        if not written.strip() and i + 1 < len(lines):
            # "ITEM 1." alone, its title on the next line
            written, body = lines[i + 1][1], lines[i + 1][0] + len(lines[i + 1][1])
            if len(written) > TITLE_MAX_CHARS or _PERIODIC_HEADING.match(written):
                continue
        title = _title(written)
        if title is None:
            continue
        part = (match["part"] or (_quarterly_part(title) if quarterly else "") or part).upper()
        letter = (match["letter"] or "").upper()
        code = str(int(match["num"])) + letter
        rank = (_ROMAN.get(part, 0) if quarterly else 0, int(match["num"]), ord(letter or "@"))
        paged = _TRAILING_PAGE.search(written.strip()) is not None
        found.append(_Heading(start, body, code, part, title, rank, paged))
    return found


def _body_run(text: str, headings: list[_Heading]) -> list[_Heading]:
    """The increasing run of headings with the most items that have words under them, then
    the most items, then the most text.

    A contents entry has nothing under it before the next entry, so a run through the body
    always has more items with words under them than a run through the contents.
    """
    ends = [nxt.start for nxt in headings[1:]] + [len(text)]
    weights = [
        (int(bool(text[h.body : end].strip())), 1, end - h.start)
        for h, end in zip(headings, ends, strict=True)
    ]
    best: list[tuple[tuple[int, int, int], int]] = []  # (score, previous index) per heading
    for i, heading in enumerate(headings):
        score, previous = weights[i], -1
        for j in range(i):
            if headings[j].rank < heading.rank:
                total = tuple(a + b for a, b in zip(best[j][0], weights[i], strict=True))
                if total > score:
                    score, previous = (total[0], total[1], total[2]), j
        best.append((score, previous))
    if not best:
        return []
    at = max(range(len(headings)), key=lambda k: best[k][0])
    run = []
    while at >= 0:
        run.append(headings[at])
        at = best[at][1]
    return run[::-1]


def _trim(text: str) -> str:
    """An item's text without the next part's heading line that closes it."""
    lines = text.rstrip().split("\n")
    while lines and (not lines[-1].strip() or _PART_LINE.match(lines[-1].strip())):
        lines.pop()
    return "\n".join(lines).strip()


def periodic_items(text: str, form: str) -> list[Item]:
    """The items of a 10-K, 10-Q or 20-F in order; [] when no trustworthy split is found."""
    quarterly = form.upper().startswith(QUARTERLY_FORMS)
    headings = _headings(text, quarterly)
    run = _body_run(text, headings)
    if len(run) < 2:
        return []
    signatures = [m.start() for m in _SIGNATURES.finditer(text) if m.start() > run[-1].start]
    limit = signatures[0] if signatures else len(text)
    items, contents_like = [], 0
    for heading, nxt in zip(run, [*run[1:], None], strict=True):
        end = nxt.start if nxt else limit
        part = heading.part if quarterly else ""
        items.append(Item(heading.code, part, heading.title, _trim(text[heading.start : end])))
        contents_like += heading.paged or not _trim(text[heading.body : end])
    # a run of page-numbered or empty headings is a table of contents whose body has no
    # "Item" headings of its own; such a report is not split
    if contents_like * 2 > len(run):
        return []
    if sum(len(item.text) for item in items) < MIN_ITEM_SHARE * len(text):
        return []
    return items
