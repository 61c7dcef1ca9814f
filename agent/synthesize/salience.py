"""What makes a sentence worth a CSM's attention, read from its words alone.

A sentence a CSM needs before a call states something specific: a result with its number, a
plan with its date, a named partner, product or person. Spoken filler ("thanks, great
question"), hedged musing, agenda talk ("I'll now turn to...") and generic praise ("strong
momentum") carry little. The weights below were set once by reading real earnings calls
against hand-picked key facts; they are general properties of business prose, not rules for
any one document.

`statement_kind` is the test a value message's proof point must pass: a statement of the
client's result, plan or priority.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

#: Sentences whose text-only readings are remembered per process (a large account's warm brief
#: reads a few thousand; each reading is a small dict).
TEXT_CACHE = 20_000

_SCALE = r"(?:billion|million|thousand|trillion|bn|mn|[bmk])\b"
MONEY = re.compile(
    rf"[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?{_SCALE})?|\b\d[\d,]*(?:\.\d+)?\s?(?:billion|million|trillion)\b",
    re.IGNORECASE,
)
PERCENT = re.compile(
    r"\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|percentage points?\b|basis points\b|bps\b)"
    r"|\b(?:low|mid|high)[- ]?(?:to[- ](?:mid|high)[- ]?)?(?:single|double)[- ]digits?\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?!\w)")
#: The company saying what it will do or expects: first person or its own name, then a verb
#: of intent; or the words of guidance.
PLAN = re.compile(
    r"\b(?:we|the company)\s+(?:now\s+|still\s+|also\s+|currently\s+|continue\s+to\s+)?"
    r"(?:expects?|plans?|intends?|aims?|anticipates?|will|are\s+(?:going\s+to|planning|on\s+track"
    r"|targeting|committed|expecting))\b|\bwe(?:'ll|’ll|'re going to|’re going to)\b"
    r"|\b(?:guidance|outlook|forecast|expected to|on track|by the end of|over the next)\b",
    re.IGNORECASE,
)
#: Something the company did or is doing: launched, signed, appointed, migrating...
ACTION = re.compile(
    r"\bwe(?:'ve|’ve| have)?\s+(?:also\s+|recently\s+|just\s+)?(?:launched|announced|signed"
    r"|acquired|opened|introduced|completed|hired|appointed|named|reduced|cut|raised|lowered"
    r"|closed|converted|secured|committed|invested|partnered|began|started|rolled out|onboarded"
    r"|furloughed|deployed|entered|expanded|built|migrated|created)\b"
    r"|\bwe(?:'re|’re| are)\s+(?:now\s+|also\s+)?(?:investing|building|launching|expanding"
    r"|entering|partnering|migrating|reallocating|renegotiating|moving|shifting|hiring|reducing"
    r"|closing|converting|bringing|rolling out|working with|rebuilding|adding)\b",
    re.IGNORECASE,
)
PRIORITY = re.compile(
    r"\b(?:priorit(?:y|ies|ize)|focus(?:ed|ing)? on|strateg(?:y|ic|ies)|bets?|roadmap|road map"
    r"|mandate|the (?:single |one )?metric|goal|target|objective|invest(?:ing|ment)? in)\b",
    re.IGNORECASE,
)
_HEADLINE = re.compile(
    r"\b(?:revenues?|net sales|guidance|outlook|capex|capital expenditures?|backlog|bookings"
    r"|margins?|eps|earnings per share|operating income|free cash flow|liquidity|headcount"
    r"|workforce|market share)\b",
    re.IGNORECASE,
)
#: Line items a CSM rarely needs (they crowd out the figures that matter).
_DETAIL = re.compile(
    r"\b(?:depreciation|amortization|tax rate|other income|interest expense|share count"
    r"|dividends?|buybacks?|repurchases?|marketable securities|cost of revenues?"
    r"|foreign exchange|sequentially)\b",
    re.IGNORECASE,
)
_PRAISE = re.compile(
    r"\b(?:incredible|incredibly|great|strong|excited|exciting|proud|fantastic|amazing|thrilled"
    r"|love|loving|wonderful|terrific|tremendous|phenomenal|outstanding|remarkable|pleased"
    r"|happy|delighted|momentum|robust|healthy|solid)\b",
    re.IGNORECASE,
)
#: Courtesy and hand-offs anywhere in the sentence.
_COURTESY = re.compile(
    r"\b(?:thank(?:s| you)|congratulations|great question|good question|appreciate the"
    r"|good (?:morning|afternoon|evening)|welcome to)\b",
    re.IGNORECASE,
)
#: Who is on the call, and the call's own agenda: evidence of who leads (see `roster_lines`),
#: never a claim about the business.
ROSTER = re.compile(
    r"(?i:\b(?:joining me|joined (?:today |here )?by|with me (?:today|on the call|here)"
    r"|with us today|on the call (?:today )?(?:are|is|with me)|speaking (?:first )?today"
    r"|my name is|(?:after that|then) we(?:'ll|’ll| will) open the call"
    r"|question-and-answer session|ready for (?:your |any )?questions"
    r"|open (?:it|the (?:call|line|floor)) (?:up )?(?:for|to)))"
    r"|\bI(?:'m|’m| am) [A-Z][\w.]*(?: [A-Z][\w.]*){0,2}, (?:the |our )?[A-Z]"
    r"|^With that,|\b[Oo]perator,"
)
#: The call's own housekeeping: where its documents are, which conferences investors may
#: attend, what the speaker or the moderator turns to next. Never a fact about the business.
_HOUSEKEEPING = re.compile(
    r"\b(?:website|webcast|replay|press release|slides?|supplemental|commentary|conferences?"
    r"|keynote|(?:turning|moving|shifting|turn) (?:now )?to|let me (?:now )?(?:turn|move|start)"
    r"|i(?:'ll|’ll| will) (?:now |then )?(?:start|begin|turn|cover|discuss|provide|finish|wrap up)"
    r"|next question|(?:move|go) (?:on )?to (?:the next|[A-Z]\w+ (?:from|at|with)))\b",
    re.IGNORECASE,
)
#: A relation with another company: a partner, a customer adopting, a competitor, a vendor.
#: Named (see `entities`), it is what the ecosystem and competitive layers are made of.
_RELATION = re.compile(
    r"\b(?:partner(?:s|ed|ing|ships?)?|alliance|collaborat\w+|joint venture|integrat\w+"
    r"|customers? (?:like|such as|including)|adopt(?:s|ed|ing|ion)|competitors?|rivals?|peers"
    r"|vendors?|suppliers?)\b",
    re.IGNORECASE,
)
#: A spoken sentence that breaks off and starts again ("the pilot -- well, it covers 40 stores").
_BROKEN = re.compile(r"\s--\s")
_CONNECTIVE = re.compile(r"^(?:and|so|but|now|well|yes|yeah|okay|ok|look|again|also)\b", re.I)
_WE = re.compile(r"\b(?:we|our|us)\b|\bwe[’'](?:re|ve|ll)\b", re.IGNORECASE)
_I = re.compile(r"\b(?:i|me|my)\b|\bi[’'](?:m|ve|d|ll)\b", re.IGNORECASE)
#: Addressing the reader ("you will own...", "your experience"): a job posting's role, not
#: the client's business.
_YOU = re.compile(r"\b(?:you|your)\b|\byou[’'](?:ll|re|ve)\b", re.IGNORECASE)
#: A word run starting with a capital letter (a name, product, place, company).
_CAPITALIZED = re.compile(
    r"\b[A-Z][\w&'’.-]*[A-Za-z0-9](?:\s+(?:of\s+|&\s+)?[A-Z][\w&'’.-]*[A-Za-z0-9])*"
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOT_ENTITIES = _word_set(
    """I We Our The And But So In On This That As For It Its There These Those If When While With
    At By From To Of Now Then Also Yes No Okay Well Look Today Finally First Second Third Overall
    January February March April May June July August September October November December
    Q1 Q2 Q3 Q4 CEO CFO COO GAAP US U.S"""
)
_CONTENT_WORD = re.compile(r"[A-Za-z][A-Za-z&'’-]+")
_STOP = _word_set(
    """about above after again also and any are because been before being below between both but
    can could did does doing down during each few for from further had has have having here how
    into its just more most much not now off once only other our out over own same should some
    such than that the their them then there these they this those through too under until very
    was were what when where which while who whom why will with would you your going really
    quite thing things kind sort lot lots well yes okay get got make made let"""
)

StatementKind = Literal["result", "plan", "priority"]

#: The weights of `Salience.score`; `similarity` is to the nearest example of the sentence's
#: kind of fact (0-1), the rest are counts or flags.
WEIGHTS: Mapping[str, float] = {
    "similarity": 7.0,
    "entities": 0.5,
    "specific": 0.4,
    "praise": -0.7,
    "numbers": 0.35,
    "money": 0.5,
    "percent": 0.45,
    "plan": 0.6,
    "action": 0.5,
    "headline": 0.35,
    "detail": -1.2,
    "connective": -0.5,
    "we": 0.45,
    "i": -0.2,
    "you": -1.0,
    "prepared": 0.35,
    "long": 0.8,
    "courtesy": -3.5,
    "investor_relations": -2.0,
    "signal": 1.0,
    "echo": 0.5,
    "housekeeping": -1.5,
    "relation": 0.7,
    "broken": -0.8,
}


@dataclass(frozen=True)
class Salience:
    """The features of one sentence and what they add up to."""

    features: Mapping[str, float]

    @property
    def score(self) -> float:
        """The weighted sum of the features."""
        return sum(WEIGHTS.get(name, 0.0) * value for name, value in self.features.items())


def entities(text: str) -> set[str]:
    """Names of companies, products, people and places in a sentence (capitalized runs that do
    not open it and are not calendar or function words)."""
    found = set()
    for match in _CAPITALIZED.finditer(text):
        words = match.group(0).split()
        if match.start() == 0 or (len(words) == 1 and words[0] in _NOT_ENTITIES):
            continue
        found.add(match.group(0))
    return found


@functools.lru_cache(maxsize=8_192)
def figures(text: str, money_only: bool = False) -> frozenset[str]:
    """The money figures and percentages of a sentence, spelled alike ("$94 billion", "10%").
    Remembered for the most recent sentences: telling echoes apart compares each chosen claim
    with every candidate left out (a large account: 100,000 comparisons a brief)."""
    found = {" ".join(m.group(0).casefold().split()) for m in MONEY.finditer(text)}
    if not money_only:
        found |= {" ".join(m.group(0).casefold().split()) for m in PERCENT.finditer(text)}
        found = {f for f in found if "%" in f or not PERCENT.fullmatch(f)}
    return frozenset(found)


class Echo:
    """How often a document repeats a sentence's money figures: a call states its headline
    figures more than once (the CEO, then the CFO, then in answers); a line item once."""

    def __init__(self, sentences: Iterable[str]) -> None:
        self._count = Counter(f for s in sentences for f in figures(s, money_only=True))

    def of(self, text: str) -> int:
        """How many other sentences of the document state one of the sentence's money figures."""
        return sum(self._count[f] - 1 for f in figures(text, money_only=True))


@functools.lru_cache(maxsize=TEXT_CACHE)
def content_words(text: str) -> frozenset[str]:
    """The distinct content words of a text, lowercased."""
    words = (w.casefold() for w in _CONTENT_WORD.findall(text) if len(w) > 2)
    return frozenset(w for w in words if w not in _STOP)


class Rarity:
    """How specific a sentence's vocabulary is within its own document: words the document
    uses once (a product, a partner, a place) say more than words it uses everywhere."""

    def __init__(self, sentences: Iterable[str]) -> None:
        sets = [content_words(s) for s in sentences]
        self._count = Counter(w for words in sets for w in words)
        self._total = max(1, len(sets))

    def of(self, text: str, top: int = 4) -> float:
        """Mean inverse document frequency of the sentence's `top` rarest words."""
        values = sorted(
            (math.log(self._total / self._count[w]) for w in content_words(text) if self._count[w]),
            reverse=True,
        )
        return sum(values[:top]) / top if values else 0.0


def salience(
    text: str,
    similarity: float,
    specific: float = 0.0,
    section: str | None = None,
    title: str | None = None,
    signalled: bool = False,
    posting: bool = False,
    echoed: int = 0,
) -> Salience:
    """The features of a sentence: its words, how near it is to a kind of fact a CSM needs
    (`similarity`), how specific it is in its document, where in a call it was said and by
    whom, whether a detected signal quotes it, how often its document repeats its figures
    (`echoed`), and (in a job `posting`) whether it speaks to the applicant rather than of the
    company."""
    features = {
        **_read(text),
        "similarity": similarity,
        "specific": specific,
        "you": float(posting and _YOU.search(text) is not None),
        "prepared": float(section == "prepared"),
        "investor_relations": float(bool(title and re.search(r"investor relations|\bIR\b", title))),
        "signal": float(signalled),
        "echo": float(min(2, echoed)),
    }
    return Salience(features)


@functools.lru_cache(maxsize=TEXT_CACHE)
def _read(text: str) -> dict[str, float]:
    """The features a sentence's words alone decide, read once per process per sentence (a
    warm brief of a large account re-reads thousands of sentences). Callers must not change it."""
    return {
        "entities": float(min(3, len(entities(text)))),
        "praise": float(min(3, len(_PRAISE.findall(text)))),
        "numbers": float(min(3, len(_NUMBER.findall(text)))),
        "money": float(min(2, len(MONEY.findall(text)))),
        "percent": float(min(2, len(PERCENT.findall(text)))),
        "plan": float(bool(PLAN.search(text))),
        "action": float(bool(ACTION.search(text))),
        "headline": float(min(2, len(_HEADLINE.findall(text)))),
        "detail": float(min(2, len(_DETAIL.findall(text)))),
        "connective": float(bool(_CONNECTIVE.search(text))),
        "we": float(bool(_WE.search(text))),
        "i": float(bool(_I.search(text))),
        "long": float(len(text.split()) > 45),
        "courtesy": float(bool(_COURTESY.search(text))),
        "housekeeping": float(bool(_HOUSEKEEPING.search(text))),
        "relation": float(bool(_RELATION.search(text)) and bool(entities(text))),
        "broken": float(min(2, len(_BROKEN.findall(text)))),
    }


def proof_worthy(text: str) -> bool:
    """Whether a sentence may prove a value message: the client stating a result, plan or
    priority, never a roster line, greeting, hand-off or question."""
    return statement_kind(text) is not None and not ROSTER.search(text)


@functools.lru_cache(maxsize=TEXT_CACHE)
def statement_kind(text: str) -> StatementKind | None:
    """Whether a sentence states the client's result, plan or priority (else None): the test a
    value message's proof point must pass. A question, a greeting or a hand-off is none."""
    stripped = text.strip()
    if not stripped or stripped.rstrip("\"'”’)").endswith("?") or _COURTESY.search(stripped):
        return None
    if PRIORITY.search(stripped) and (_WE.search(stripped) or entities(stripped)):
        return "priority"
    if PLAN.search(stripped) or ACTION.search(stripped):
        return "plan"
    if (MONEY.search(stripped) or PERCENT.search(stripped)) and _HEADLINE.search(stripped):
        return "result"
    if PERCENT.search(stripped) or MONEY.search(stripped):
        return "result"
    return None
