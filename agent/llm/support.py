"""Whether a claim says only what its quotes say: numbers, names, negation, direction.

A quote found verbatim proves the quote, not the claim written over it. A model that
paraphrases can slip in a figure the sources never gave, a competitor they never named, a
"not" that flips the meaning, or a decline where the client reported growth. Each rule here
is a cheap, explainable check of one such slip; a paraphrase that keeps the facts passes
(rounded figures, "12 percent" for "12%", "$1.2 billion" for "$1,200 million", "grew" for
"increased", a name written as the client's, the speaker's or the quote's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "mm": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "t": 1e12,
}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "twenty": 20,
    "thirty": 30,
    "fifty": 50,
    "hundred": 100,
}
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<unit>%|percent\b|per cent\b|percentage points?\b|basis points?\b|bps\b"
    r"|(?:thousand|million|billion|trillion|mn|bn|tn|mm|k|m|b|t)\b))?",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b", re.IGNORECASE)
#: A bare year or a quarter's number is the claim's context, not a figure it asserts.
_YEAR = range(1900, 2101)

_RUN = re.compile(r"[A-Z][\w'’&.-]*\w(?:\s+(?:&\s+)?[A-Z][\w'’&.-]*\w)+")
_TICKER = re.compile(r"(?<![\w$])[A-Z]{2,5}(?![\w])")
#: Capitalised for grammar or as a generic acronym, never a name the quotes must carry.
_COMMON_WORDS = """
    the a an in on at of for to by with as and or but our its their this that these those
    we it they he she his her during over after before while since from into about amid
    across management revenue company ceo cfo coo cto cio cmo chief officer president
    ai us usa uk eu emea apac eps gaap ebitda arr kpi kpis qbr fy yoy b2b saas api cloud
    q1 q2 q3 q4 h1 h2 ir esg it hr vp svp evp ir roi
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday"""
_COMMON = frozenset(_COMMON_WORDS.split())

_NEGATION = re.compile(
    r"\b(not|no|never|none|nor|neither|cannot|without|n't)\b|n't\b|\bno longer\b",
    re.IGNORECASE,
)
#: Words between a negation and what it negates ("did not yet see any").
_AUXILIARY_WORDS = (
    "be been being is are was were am have has had do does did to a an the any yet see seen "
    "expect expected expects we they it our their that this been so much more as"
)
_AUXILIARY = frozenset(_AUXILIARY_WORDS.split())
_NOT_ONLY = re.compile(r"\bnot only\b|\bno doubt\b|\bnot least\b", re.IGNORECASE)
_UP = re.compile(
    r"\b(ros[ea]|rising|rises|grow|grew|grown|growing|grows|growth|increas\w*|higher|gain\w*"
    r"|climb\w*|jump\w*|surg\w*|expand\w*|accelerat\w*|improv\w*|up\s+(?=\$?\d))",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\b(fell|fall\w*|declin\w*|decreas\w*|lower\w*|drop\w*|shr[iu]nk\w*|contract(ed|ing|ion)"
    r"|slow\w*|decelerat\w*|reduc\w*|down\s+(?=\$?\d))",
    re.IGNORECASE,
)


#: A claim of at least MIN_WORDS content words must share MIN_SHARED of them with its quotes
#: (by a five-letter stem): "the company's priorities include" over a quote about search
#: revenue is quoted, not supported.
MIN_WORDS = 3
MIN_SHARED = 0.5


@dataclass(frozen=True)
class Figure:
    """A number as written: its value in plain units and how precisely it was written."""

    value: float
    mantissa: float
    step: float
    scaled: bool
    percent: bool


def unsupported(
    claim: str, quotes: Sequence[str], known: Iterable[str] = (), *, restates: bool = True
) -> list[str]:
    """Why `claim` says more than `quotes` (one reason each); [] when it is supported.

    `known` are names the evidence carries besides its words (the client's name, the
    speaker and title of a quoted passage). A text that speaks in its own words around its
    quotes (a value message) is not held to restating them (`restates=False`), only to
    their figures, names, negations and direction."""
    evidence = " ".join(quotes)
    reasons = [f"the number {text!r} is in no quote" for text in _missing_figures(claim, evidence)]
    reasons += [
        f"the name {name!r} is in no quote"
        for name in _missing_names(claim, " ".join([evidence, *known]))
    ]
    shared, words = _overlap(claim, " ".join([evidence, *known]))
    if restates and words >= MIN_WORDS and shared < words * MIN_SHARED:
        reasons.append(f"it shares only {shared} of its {words} words with its quotes")
    if _negated(claim) and not _negated(evidence):
        reasons.append("the claim negates (not, no, never...) and its quotes do not")
    elif not _negated(claim) and _affirms_what_is_negated(claim, evidence):
        reasons.append("its quotes negate what the claim states (not, no, never...)")
    said, shown = _direction(claim), _direction(evidence)
    if said in ("up", "down") and shown in ("up", "down") and said != shown:
        reasons.append(f"the claim says {said}, its quotes say {shown}")
    return reasons


def figures(text: str) -> list[tuple[str, Figure]]:
    """Every number written in `text` (digits with scale words or %, and number words)."""
    found: list[tuple[str, Figure]] = []
    for match in _NUMBER.finditer(text):
        raw = match.group("num")
        unit = (match.group("unit") or "").casefold()
        mantissa = float(raw.replace(",", ""))
        decimals = len(raw.partition(".")[2])
        step = 10.0**-decimals
        scale = _SCALES.get(unit, 1.0)
        percent = unit.startswith(("%", "percent", "per cent"))
        if not unit and "." not in raw and "," not in raw and int(mantissa) in _YEAR:
            continue
        found.append(
            (match.group(0), Figure(mantissa * scale, mantissa, step * scale, scale > 1, percent))
        )
    for match in _NUMBER_WORD.finditer(text):
        n = float(_WORD_NUMBERS[match.group(1).casefold()])
        found.append((match.group(0), Figure(n, n, 1.0, False, False)))
    return found


def _missing_figures(claim: str, evidence: str) -> list[str]:
    have = [f for _, f in figures(evidence)]
    return [text for text, f in figures(claim) if not any(_same(f, q) for q in have)]


def _same(claim: Figure, quote: Figure) -> bool:
    """The claim's figure is the quote's, written as precisely as the claim writes it."""
    tolerance = claim.step / 2 + 1e-9 * max(abs(claim.value), 1.0)
    if math.isclose(claim.value, quote.value, abs_tol=tolerance):
        return True
    # "1.2" against "1.2 billion": the claim may leave the scale to the sentence around it
    return not claim.scaled and math.isclose(
        claim.mantissa, quote.mantissa, abs_tol=claim.step / 2 + 1e-9
    )


def _missing_names(claim: str, evidence: str) -> list[str]:
    words = {w.casefold() for w in re.findall(r"\w+", evidence)}
    missing: list[str] = []
    names = [m.group(0) for m in _RUN.finditer(claim)]
    names += [m.group(0) for m in _TICKER.finditer(claim)]
    for name in names:
        parts = [p for p in re.findall(r"\w+", name) if p.casefold() not in _COMMON]
        parts = [p for p in parts if not re.fullmatch(r"\d+|s", p)]
        if parts and any(p.casefold() not in words for p in parts) and name not in missing:
            missing.append(name)
    return missing


def content_words(text: str) -> set[str]:
    """The stems of a text's content words: longer than three letters, and not a common,
    auxiliary or number word."""
    return {
        _stem(w)
        for w in re.findall(r"[A-Za-z]+", text)
        if len(w) > 3 and w.casefold() not in _COMMON | _AUXILIARY | _WORD_NUMBERS.keys()
    }


def _overlap(claim: str, evidence: str) -> tuple[int, int]:
    """(content words of the claim found in the evidence, content words of the claim)."""
    have = {_stem(w) for w in re.findall(r"[A-Za-z]+", evidence)}
    words = content_words(claim)
    return len(words & have), len(words)


def _negated(text: str) -> bool:
    return _NEGATION.search(_NOT_ONLY.sub(" ", text)) is not None


def _affirms_what_is_negated(claim: str, evidence: str) -> bool:
    """The claim states, without a negation, a word that a quote negates ("did not expand"
    against "expanded"); a claim about another part of a long quote is not held to it."""
    said = {_stem(w) for w in re.findall(r"\w+", claim)}
    for match in _NEGATION.finditer(_NOT_ONLY.sub(" ", evidence)):
        after = re.findall(r"[A-Za-z]+", evidence[match.end() : match.end() + 60])[:4]
        if any(_stem(w) in said for w in after if w.casefold() not in _AUXILIARY):
            return True
    return False


def _stem(word: str) -> str:
    return word.casefold()[:5]


def _direction(text: str) -> str | None:
    up, down = _UP.search(text) is not None, _DOWN.search(text) is not None
    if up and down:
        return "both"
    return "up" if up else "down" if down else None
