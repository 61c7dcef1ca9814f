"""Entities and dates in a sentence: who acts, what organisations and vendors it names, and
when the event it states happened.

`agent/assess/rules.py` reads what an event of a type names; this module finds the event date
a sentence states, the organisations and vendors it names, and whether the client or a
competitor is the actor. People and titles are `agent/assess/people.py`'s.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from knowledge.embed import TOKENIZER_FILE
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
    #: In an employee review "they" is the employer ("they cut front-line staff").
    they_are_client: bool = False


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
    if _THEY.search(before[-30:]) and not ctx.they_are_client:
        return "other"
    if ctx.subject == "competitor" and not _names_in(sentence, ctx.client_names):
        return ctx.subject_competitor or "other"
    if ctx.subject == "other" and not _names_in(sentence, ctx.client_names):
        return "other"
    return "client"


def vendors_in(text: str) -> list[str]:
    """Vendor names of vendors.yaml a text names, longest match first, in order."""
    return [m[0] for m in _vendor_re().finditer(text)]


@cache
def _spellings() -> dict[str, str]:
    return {name.casefold(): name for name in vendor_categories()}


@cache
def _vendor_re() -> re.Pattern[str]:
    names = sorted(vendor_categories(), key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, names)) + r")(?![\w])")


def _any_common(name: str) -> bool:
    return any(common_word(w) for w in re.split(r"[\s.-]+", name) if w)


@cache
def _vocabulary() -> frozenset[str]:
    """Whole words of the bundled model's vocabulary (an English word list of about 20,000)."""
    data = json.loads(TOKENIZER_FILE.read_text(encoding="utf-8"))
    return frozenset(w for w in data["model"]["vocab"] if w.isalpha())


def common_word(word: str) -> bool:
    """True for an ordinary English word: a capitalised one opening a sentence is most often
    that word, one outside the vocabulary most often a name (McClatchy, Postgres)."""
    w = word.casefold().strip(".'’")
    words = _vocabulary()
    forms = {w, w.replace("is", "iz"), w.replace("our", "or")}  # British spellings
    if w.endswith("s"):
        forms |= {w[:-1], w[:-2], w[:-3] + "y"}
    return bool(forms & words)


# Where a posting names tools: a tool noun, or a "Frontend: React, Tailwind" line.
_TOOL_NOUN = re.compile(
    r"\b(?:tools?|tooling|tech stack|stack|frameworks?|librar(?:y|ies)|platforms?|databases?|"
    r"software|systems?|technolog(?:y|ies)|suites?|IDEs?|engines?|services|packages|"
    r"(?:front|back)[- ]?end|devops|infrastructure|testing|automation|monitoring|observability"
    r"|reporting|analytics|BI|data|cloud|CRM|ERP|orchestration|containeri[sz]ation)\b",
    re.IGNORECASE,
)
#: Business words: a list near them names companies (rivals, customers, schools), not tools.
_BUSINESS_NOUN = re.compile(
    r"\b(?:competit\w*|customers?|clients?|brands?|marketplaces?|retailers?|merchants?|"
    r"aggregators?|courses?|degrees?|universit(?:y|ies)|qualifications?|certifications?|"
    r"regulat\w*|compliance|landscape|rivals?)\b",
    re.IGNORECASE,
)
_LABELLED = re.compile(r"^([A-Z][\w &/-]{1,40}):\s+")
_PIECES = re.compile(
    r"\s*(?:[,;/()|•:]|\b(?:and|or|such as|e\.g\.|like|including|with|using|via)\b|\s[-–—]\s)\s*"
)
_TOOL_WORD = re.compile(r"^(?:[A-Z][\w.+#-]*|[a-z]+[A-Z][\w.+#-]*|[a-z][\w-]*\.(?:js|io|ai))$")
_SHAPED = re.compile(r"[a-z][A-Z]|\d|[.+#]\w")
_ACRONYM = re.compile(r"^[A-Z0-9&]+(?:[a-z]{0,2}[A-Z0-9]+)*s?$")
_ADJECTIVE = re.compile(r"(?:ive|ous|al|ful|able|ible|ic|ed|ing|ent|ant|ial|ary)$")
#: Programming languages: a posting asks for them, but they are no vendor in the stack.
_LANGUAGES = lexicon("""Java JavaScript TypeScript Python Kotlin Swift Go Golang Scala Ruby PHP Rust
    Dart Perl Bash Haskell Elixir Erlang Clojure Lua Groovy Objective-C C C# C++ R MATLAB VBA
    Solidity HTML CSS HTML5 CSS3 SQL PL/SQL T-SQL""")
_LANGUAGES_FOLDED = frozenset(w.casefold() for w in _LANGUAGES)


def tools_in(text: str, client_names: tuple[str, ...] = ()) -> list[str]:
    """Tools and products a posting's sentence names as its stack: the vendors of
    vendors.yaml, and, where the sentence speaks of tools ("experience with Flyway and
    Postgres", "Frontend: React, Tailwind", a list line), names shaped like a product's
    (CamelCase, a digit or a dot, or a word no English dictionary holds)."""
    body = text.lstrip("-•* ").strip()
    if body.startswith("#"):
        return []  # a board's hashtags (#LI-Remote)
    labelled = _LABELLED.match(body)
    rest = body[labelled.end() :] if labelled else body
    short = len(body.split()) <= 3
    tooly = bool(_TOOL_NOUN.search(labelled[1] if labelled else body)) or short
    if labelled and not tooly:
        # "IT: MacOS, Kandji, Google Workspace": a label over a list that names a vendor
        tooly = len(_PIECES.split(rest)) >= 2 and bool(_folded_vendors(rest))
    if _BUSINESS_NOUN.search(body):
        tooly = False
    # A vendor spelled like an English word ("Outreach", "Spark") opening a sentence is that
    # word; elsewhere, capitalised, it is the vendor.
    found = [
        m[0] for m in _vendor_re().finditer(text) if tooly or m.start() > 0 or not _any_common(m[0])
    ]
    if not tooly:
        return found
    if short or labelled:
        found += [v for v in _folded_vendors(rest) if v not in found]
    clients = {c.casefold() for c in client_names if c}
    first = None if labelled or short else body.split(" ", 1)[0]
    for piece in _PIECES.split(rest):
        words = piece.split()
        if not 1 <= len(words) <= 3 or not all(_TOOL_WORD.match(w) for w in words):
            continue
        if words[0] == first:
            words = words[1:]  # a sentence's first word is capitalised anyway
        while len(words) > 1 and common_word(words[0]) and not _SHAPED.search(words[0]):
            words = words[1:]  # "About Acme", "Advanced Tableau": the name is what follows
        name = " ".join(words).strip(".")
        if not name or name in found or _not_a_tool(name, words):
            continue
        if any(v in name or name in v for v in found):
            continue
        if any(c.split()[0] in name.casefold() for c in clients):
            continue
        found.append(name)
    return found


def _not_a_tool(name: str, words: list[str]) -> bool:
    if name in _LANGUAGES or any(w in _LANGUAGES for w in words) or len(name) < 3:
        return True
    if all(_ACRONYM.match(w) for w in words) or "_" in name:
        return True  # VAT, SDLC, IaaS: terms, not products; tags like NewYork_Hybrid
    if name.casefold() in _LANGUAGES_FOLDED:
        return True
    named = [
        w for w in words if not _ACRONYM.match(w) and (_SHAPED.search(w) or not _common_parts(w))
    ]
    if not named:
        return True
    return len(words) == 1 and not _SHAPED.search(name) and bool(_ADJECTIVE.search(name.lower()))


def _common_parts(word: str) -> bool:
    parts = [p for p in re.split(r"[-/]", word) if p]
    return bool(parts) and all(common_word(p) for p in parts)


def _folded_vendors(text: str) -> list[str]:
    """Vendors named in any case on a list line ("kubernetes, terraform")."""
    spelled = _spellings()
    return [spelled[m[0].casefold()] for m in _folded_re().finditer(text)]


@cache
def _folded_re() -> re.Pattern[str]:
    names = sorted(vendor_categories(), key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names if len(n) > 3)
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])", re.IGNORECASE)
