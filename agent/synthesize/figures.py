"""The client's key numbers, each as its source writes it: revenue, growth, guidance, margin,
EPS, capex, cash, headcount, customers; and the revenue figure a value estimate starts from.

Only public sources count: the CSM's own notes hold our figures, not the client's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agent.schemas import Evidence, KeyNumber
from agent.synthesize.evidence import Candidate
from agent.synthesize.salience import MONEY, PERCENT

_COUNT = re.compile(
    r"\b\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand))?\b(?!\s?%)", re.IGNORECASE
)
_REVENUE = r"\b(?:net |total |consolidated |annual )?(?:revenues?|net sales|sales|turnover)\b"
_GROWTH = r"\b(?:up|increase[ds]?|grew|growth|rose|declined?|down|decrease[ds]?|fell)\b"


@dataclass(frozen=True)
class _Metric:
    name: str
    words: re.Pattern[str]
    figure: re.Pattern[str]
    also: re.Pattern[str] | None = None
    kinds: tuple[str, ...] = ()


_METRICS = (
    _Metric("Revenue", re.compile(_REVENUE, re.I), MONEY, kinds=("results", "segments")),
    _Metric(
        "Growth",
        re.compile(_REVENUE, re.I),
        PERCENT,
        also=re.compile(_GROWTH, re.I),
        kinds=("results",),
    ),
    _Metric(
        "Guidance",
        re.compile(r"\b(?:guidance|outlook|we (?:now )?expect|forecast)\b", re.I),
        re.compile(f"{MONEY.pattern}|{PERCENT.pattern}", re.I),
        # a financial figure, not "we expect to reach 80% of households"
        also=re.compile(
            rf"{_REVENUE}|\b(?:earnings|eps|margins?|income|ebitda|cash flow|growth)\b", re.I
        ),
        kinds=("guidance",),
    ),
    _Metric(
        "Margin",
        re.compile(r"\b(?:gross|operating|ebitda|net|profit) margins?\b", re.I),
        PERCENT,
        kinds=("results", "guidance"),
    ),
    _Metric("EPS", re.compile(r"\b(?:eps|earnings per share)\b", re.I), MONEY),
    _Metric(
        "Capex",
        re.compile(r"\b(?:capex|capital expenditures?|capital spending)\b", re.I),
        MONEY,
        kinds=("capital",),
    ),
    _Metric(
        "Cash and liquidity",
        re.compile(r"\b(?:cash|liquidity)\b", re.I),
        MONEY,
        kinds=("capital",),
    ),
    _Metric(
        "Headcount",
        re.compile(r"\b(?:headcount|employees|workforce)\b", re.I),
        re.compile(f"{PERCENT.pattern}|{_COUNT.pattern}", re.I),
        kinds=("workforce",),
    ),
    _Metric(
        "Customers",
        re.compile(r"\b(?:active customers|customers|subscribers|members|users)\b", re.I),
        _COUNT,
        kinds=("results", "customers"),
    ),
)
_PERIOD = re.compile(
    r"\b(?:(?:first|second|third|fourth) quarter(?: of (?:fiscal )?(?:20\d\d))?"
    r"|Q[1-4](?: (?:FY)?20\d\d)?|full[- ]year(?: (?:fiscal )?20\d\d)?|fiscal(?: year)? 20\d\d"
    r"|(?:June|September|December|March) quarter|for (?:the )?(?:full )?year(?: 20\d\d)?"
    r"|(?:in|for) 20\d\d)\b",
    re.IGNORECASE,
)
_SCALES = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "mn": 1e6}
_SCALES |= {"m": 1e6, "thousand": 1e3, "k": 1e3}
_ANNUAL = re.compile(r"\b(?:full[- ]year|annual|fiscal year|for the year|this year|20\d\d)\b", re.I)


@dataclass(frozen=True)
class Revenue:
    """A revenue figure a value estimate can start from."""

    amount: float
    text: str
    note: str
    evidence: Evidence


def key_numbers(candidates: Sequence[Candidate], limit: int = 8) -> list[KeyNumber]:
    """The client's key figures, one per metric, each from its most salient public sentence."""
    public = [c for c in candidates if not c.source.internal]
    numbers = []
    for metric in _METRICS:
        found = _best(metric, public)
        if found is not None:
            numbers.append(found)
    return numbers[:limit]


def revenue_base(candidates: Iterable[Candidate]) -> Revenue | None:
    """The client's yearly revenue as it states it (full-year figures or guidance first, then
    a quarter's revenue annualized), for value estimates."""
    yearly: list[tuple[float, Candidate, str]] = []
    quarterly: list[tuple[float, Candidate, str]] = []
    for candidate in candidates:
        if candidate.source.internal or not re.search(_REVENUE, candidate.text, re.I):
            continue
        match = _figure_after(re.compile(_REVENUE, re.I), MONEY, candidate.text)
        amount = money_value(match) if match else None
        if match is None or amount is None:
            continue
        annual = bool(_ANNUAL.search(candidate.text)) and not re.search(
            r"\bquarter\b", candidate.text, re.I
        )
        (yearly if annual else quarterly).append((candidate.salience, candidate, match))
    for pool, note in ((yearly, "as stated"), (quarterly, "a quarter's revenue × 4")):
        if pool:
            _, candidate, text = max(pool, key=lambda p: (p[0], -p[1].start))
            amount = money_value(text)
            assert amount is not None
            factor = 1.0 if pool is yearly else 4.0
            return Revenue(amount * factor, text, note, candidate.evidence())
    return None


def money_value(text: str) -> float | None:
    """The amount a money figure stands for ("$2.46 billion" -> 2.46e9); None if unreadable."""
    match = re.search(r"(\d[\d,]*(?:\.\d+)?)\s?([a-z]+)?", text.casefold())
    if match is None:
        return None
    number = float(match.group(1).replace(",", ""))
    scale = _SCALES.get(match.group(2) or "", 1.0)
    return number * scale


def format_money(amount: float, symbol: str = "$") -> str:
    """An amount as a reader says it: "$12.3 million", "$1.2 billion", "$850 thousand"."""
    for word, size in (("trillion", 1e12), ("billion", 1e9), ("million", 1e6)):
        if amount >= size:
            return f"{symbol}{amount / size:.3g} {word}"
    if amount >= 1e3:
        return f"{symbol}{amount / 1e3:.3g} thousand"
    return f"{symbol}{amount:,.0f}"


def currency_of(text: str) -> str:
    """The currency symbol a figure is written with ($ when none)."""
    match = re.search(r"[$€£¥]", text)
    return match.group(0) if match else "$"


def _best(metric: _Metric, candidates: Sequence[Candidate]) -> KeyNumber | None:
    ranked = []
    for candidate in candidates:
        text = candidate.text
        if not metric.words.search(text) or (metric.also and not metric.also.search(text)):
            continue
        figure = _figure_after(metric.words, metric.figure, text)
        if figure is None:
            continue
        preferred = candidate.kind in metric.kinds if metric.kinds else True
        ranked.append(((preferred, candidate.salience), candidate, figure))
    if not ranked:
        return None
    _, candidate, figure = max(ranked, key=lambda r: r[0])
    period = _PERIOD.search(candidate.text)
    return KeyNumber(
        metric=metric.name,
        value=figure,
        period=period.group(0) if period else None,
        evidence=[candidate.evidence()],
    )


def _figure_after(words: re.Pattern[str], figure: re.Pattern[str], text: str) -> str | None:
    """The figure nearest the metric's word, one after it winning a tie."""
    anchor = words.search(text)
    if anchor is None:
        return None
    figures = [m for m in figure.finditer(text) if m.group(0).strip()]
    if not figures:
        return None

    def distance(m: re.Match[str]) -> tuple[int, int]:
        after = m.start() >= anchor.end()
        return (m.start() - anchor.end() if after else anchor.start() - m.end(), 0 if after else 1)

    return min(figures, key=distance).group(0).strip()
