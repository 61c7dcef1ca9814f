"""Calendar dates as documents write them: "Aug. 9, 2012", "3 February '14", "2020-02-03",
"Tuesday, May 3, 2016", and "3/9/2016" when the parts or the writer's locale say which is the
month. The one reader of written dates for pages, transcripts, filings, PDFs and notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_YEAR = r"(?P<year>\d{4}|['’]\d{2})"
_WEEKDAY = r"(?:(?P<weekday>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![a-z]){_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}(?![\d])", re.IGNORECASE
)
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![a-z\d]){_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}(?![\d])", re.IGNORECASE
)
_NUMERIC = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})(?![\d/])")
ISO_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<a>\d{2})-(?P<b>\d{2})(?!\d)")


@dataclass(frozen=True)
class FoundDate:
    """A date found in a text: where it starts, the day, and whether its weekday fits."""

    at: int
    day: date
    weekday_ok: bool | None  # None when no weekday was printed


def _year(text: str) -> int:
    digits = int(text.lstrip("'’"))
    if len(text.lstrip("'’")) == 4:
        return digits
    return 2000 + digits if digits < 70 else 1900 + digits


def day_or_none(year: int, month: int, day: int) -> date | None:
    """The day, or None when the parts make no calendar date (31 February)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_first(a: int, b: int, us: bool | None) -> bool | None:
    """Whether a/b is month/day: certain when one part is over 12, else the page's locale."""
    if a > 12 >= b:
        return False
    if b > 12 >= a:
        return True
    return us


def dates_in(text: str, us: bool | None = None) -> list[FoundDate]:
    """Every calendar date written in some text, in order: "Aug. 9, 2012", "3 February '14",
    "2020-02-03", and "3/9/2016" when the parts or the page's locale (`us`) say which is the month.
    """
    found: list[FoundDate] = []
    for pattern in (_MONTH_DAY_YEAR, _DAY_MONTH_YEAR):
        for m in pattern.finditer(text):
            month = _MONTH_NAMES.index(m["month"][:3].lower()) + 1
            day = day_or_none(_year(m["year"]), month, int(m["day"]))
            if day is None:
                continue
            weekday = m["weekday"]
            ok = None if not weekday else _WEEKDAYS[day.weekday()] == weekday[:3].lower()
            found.append(FoundDate(m.start(), day, ok))
    for m in ISO_DATE.finditer(text):
        if (day := day_or_none(int(m["year"]), int(m["a"]), int(m["b"]))) is not None:
            found.append(FoundDate(m.start(), day, None))
    for m in _NUMERIC.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        month_first = _month_first(a, b, us)
        if month_first is not None:
            month, dom = (a, b) if month_first else (b, a)
            if (day := day_or_none(int(m["year"]), month, dom)) is not None:
                found.append(FoundDate(m.start(), day, None))
    return sorted(found, key=lambda f: f.at)


def find_date(text: str) -> date | None:
    """The first date written in some text (ISO or in words; slashed only when unambiguous)."""
    found = dates_in(text)
    return found[0].day if found else None
