"""Entities and dates in a sentence: who acts, what organisations and vendors it names, and
when the event it states happened.

`agent/assess/rules.py` reads what an event of a type names; this module finds the event date
a sentence states, the organisations and vendors it names, and whether the client or a
competitor is the actor. People and titles are `agent/assess/people.py`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from knowledge.taxonomy import vendor_categories


def lexicon(text: str) -> frozenset[str]:
    """The whitespace-separated words of a lexicon written as one string."""
    return frozenset(text.split())


_THEY = re.compile(r"\b(?:they|them|their)\b", re.IGNORECASE)
_ORG = re.compile(r"\b[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|&|of))*")
ORG_STOP = lexicon("""The Our We Today In On It Its This That A An And As At By For From He She They
    Item""")

_MONTH_NAMES = (
    "jan january", "feb february", "mar march", "apr april", "may", "jun june", "jul july",
    "aug august", "sep sept september", "oct october", "nov november", "dec december",
)  # fmt: skip
_MONTHS = {m: i + 1 for i, names in enumerate(_MONTH_NAMES) for m in names.split()}
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"  # noqa: E501
_DAY_DATE = re.compile(_MONTH + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_MONTH_DATE = re.compile(
    r"\b(?:[Ii]n|[Dd]uring|[Ee]arly|[Ll]ate|[Mm]id|[Ll]ast|[Tt]his)\s+(?:early |late |mid-)?"
    + _MONTH
    + r"\b(?:\s+(\d{4}))?"
)
_ISO_DATE = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
_YEAR_END = re.compile(r"\b(?:end of (?:the|this) year|year-end|year end)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    """What a sentence needs to be judged: who the client is, and where the sentence comes from."""

    client_names: tuple[str, ...]
    competitors: tuple[str, ...]
    subject: str  # "client", "competitor" or "other": whom the source is mostly about
    subject_competitor: str | None
    published: date | None
    bullet: bool = False
    speaker: str | None = None


def _closest_year(month: int, day: int, anchor: date) -> date | None:
    best: date | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs(candidate - anchor) < abs(best - anchor):
            best = candidate
    return best


def event_date(sentence: str, published: date | None) -> tuple[date | None, int]:
    """The event date a sentence states and its precision (3 day, 1 month), else (None, 0)."""
    if m := _ISO_DATE.search(sentence):
        try:
            return date(int(m[1]), int(m[2]), int(m[3])), 3
        except ValueError:
            pass
    for pattern, precision in ((_DAY_DATE, 3), (_MONTH_DATE, 1)):
        for m in pattern.finditer(sentence):
            month = _MONTHS.get(m[1].lower().rstrip("."))
            if month is None or (m[1] == "May" and pattern is _MONTH_DATE and not m[2]):
                continue
            day = int(m[2]) if precision == 3 else 1
            year = m[3] if precision == 3 else m[2]
            if year:
                try:
                    return date(int(year), month, day), precision
                except ValueError:
                    continue
            if published:
                return _closest_year(month, day, published), precision
    if published and _YEAR_END.search(sentence):
        return date(published.year, 12, 31), 3
    return None, 0


def _names_in(text: str, names: tuple[str, ...]) -> list[tuple[int, str]]:
    found = []
    for name in names:
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            found.append((m.start(), name))
    return sorted(found)


def competitor_variants(competitors: list[str]) -> dict[str, str]:
    """Each way a competitor is named (full name, or a distinctive first word) -> full name."""
    variants: dict[str, str] = {}
    for name in competitors:
        variants[name] = name
        first = name.split()[0]
        if len(name.split()) > 1 and len(first) >= 5 and first not in ORG_STOP:
            variants.setdefault(first, name)
    return variants


def orgs_in(text: str, ctx: Context) -> list[str]:
    """Organisation names in a text, other than the client's."""
    out = []
    client = {n.lower() for n in ctx.client_names}
    for m in _ORG.finditer(text):
        words = m[0].split()
        while words and (words[0] in ORG_STOP or words[-1] in {"of", "&"}):
            words = words[1:] if words[0] in ORG_STOP else words[:-1]
        org = " ".join(words)
        if org and org.lower() not in client and not any(c in org.lower() for c in client):
            out.append(org)
    return out


def strip_client(name: str, ctx: Context) -> str:
    """A name without the client's name in front ("Acme Pay" -> "Pay")."""
    for client in sorted(ctx.client_names, key=len, reverse=True):
        if name.lower().startswith(client.lower() + " "):
            return name[len(client) + 1 :]
    return name


def who_acts(sentence: str, trigger_at: int, ctx: Context, variants: dict[str, str]) -> str:
    """Whom the trigger is about: "client", a competitor's full name, or "other"."""
    before = sentence[:trigger_at]
    mentions = _names_in(before, ctx.client_names) + [
        (pos, variants[v]) for pos, v in _names_in(before, tuple(variants))
    ]
    if mentions:
        last = max(mentions)[1]
        return "client" if last in ctx.client_names else last
    rival = re.search(r"\b(?:rival|competitor)s?,?\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)", before)
    if rival:
        return rival[1]
    if _THEY.search(before[-30:]):
        return "other"
    if ctx.subject == "competitor" and not _names_in(sentence, ctx.client_names):
        return ctx.subject_competitor or "other"
    if ctx.subject == "other" and not _names_in(sentence, ctx.client_names):
        return "other"
    return "client"


def vendors_in(text: str) -> list[str]:
    """Vendor names of vendors.yaml a text names, longest match first, in order."""
    return [m[0] for m in _vendor_re().finditer(text)]


_VENDOR_RE: list[re.Pattern[str]] = []


def _vendor_re() -> re.Pattern[str]:
    if not _VENDOR_RE:
        names = sorted(vendor_categories(), key=len, reverse=True)
        _VENDOR_RE.append(
            re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w])")
        )
    return _VENDOR_RE[0]
