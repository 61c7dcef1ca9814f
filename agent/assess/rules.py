"""What an event of a given type names: an amount, a round, a target, a person and role, a
guidance direction, a KPI; one reader per signal type.

The classifier (`agent/assess/classifier.py`) says which type a sentence reports; the reader
of that type reads what such an event states where its structure is exact (figures, dates,
names, titles), and turns away the few sentences that lack what the event must name (an
appointment without a person or a role). The taxonomy's trigger patterns
(`knowledge/taxonomy.yaml`) mark where the event's words are, when they match. Dates,
organisations and vendors come from `agent/assess/entities.py`, people and titles from
`agent/assess/people.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from agent.assess.attribution import DENIAL
from agent.assess.entities import (
    ORG_STOP,
    Context,
    event_date,
    lexicon,
    orgs_in,
    strip_client,
    vendors_in,
)
from agent.assess.people import REPORTS_TO, person_near, role_of
from agent.schemas import Polarity, Severity, SignalType
from knowledge.taxonomy import load_taxonomy, straight_quotes, vendor_categories

T = SignalType

_NOT_PARTNER = lexicon("""Office Department Team Squad Board Division Group""")
#: An amount: "$85 million", "£10bn", "€1.2 billion", "88 billion Hong Kong dollars".
_MONEY = re.compile(
    r"[$£€]\s?\d[\d,]*(?:\.\d+)?\s?(?:million|billion|bn\b|[MBK]\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s(?:million|billion)\s(?:[A-Z][a-z]+\s){0,2}"
    r"(?:dollars|euros|pounds|yuan|yen|rupees|rand|francs|kronor)\b",
    re.IGNORECASE,
)
#: Money a company pays out or lends, or pays its people: not capital raised.
_CAPITAL_RETURNS = re.compile(
    r"\b(?:dividends?|repurchas\w*|buybacks?|pension|loans? (?:grew|balances?|growth)|"
    r"deposits grew|debt maturities|(?:equity|retention|stock) (?:based )?awards?)\b",
    re.IGNORECASE,
)
_RAISING = re.compile(
    r"\b(?:offerings?|rounds?|facility|rais(?:e|es|ed|ing)|IPO|listing|placement)\b", re.IGNORECASE
)
#: Investors named as such: "new entrant Scale Venture Partners", "existing investors Sequoia".
_INVESTORS = re.compile(
    r"\b(?:new|existing|lead|returning) (?:investors?|entrants?|backers?)\b\W{0,3}(?:such as |"
    r"including )?[A-Z]"
)
_ROUND = re.compile(r"\b(Series [A-H]\d?|seed round|pre-seed|growth round)\b", re.IGNORECASE)
_LED_BY = re.compile(r"\bled by ([A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*)*)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_HEADCOUNT = re.compile(
    r"\b(\d[\d,]*)\s+(?:jobs|employees|roles|positions|people|workers|staff)\b", re.IGNORECASE
)
_HIRE_COUNT = re.compile(
    r"\b(?:hire|add)\b\s+(?:roughly |about |approximately |more than |nearly |some |up to )?"
    r"(\d[\d,]*)\s+((?:[a-z-]+ ){0,3}?(?:people|employees|engineers|nurses|staff|workers|"
    r"roles|positions|hires|salespeople|associates))\b",
    re.IGNORECASE,
)
#: Hiring that slows, stops or shrinks: the opposite of a surge.
_SLOWING = re.compile(
    r"\b(?:slow(?:s|ed|ing)?|freez\w*|frozen|paus\w*|flat|fewer|down from|reduc\w*|"
    r"cut(?:s|ting)? back|halt\w*)\b",
    re.IGNORECASE,
)
#: A hiring surge is about people: hiring, jobs, roles, staff.
_PEOPLE = re.compile(
    r"\b(?:hir(?:e|es|ed|ing)|recruit\w*|jobs?|roles?|positions?|openings?|vacanc\w+|headcount|"
    r"people|employees?|staff\w*|workers?|workforce|engineers?|nurses?|associates?|talent|"
    r"team members?|salespeople|reps?|"
    r"(?:brand[- ]new|new|growing|expanding) (?:teams?|functions?))\b",
    re.IGNORECASE,
)
_TARGET_AFTER = re.compile(
    r"\b(?:acquire|buy|acquisition of|purchase of|bought|acquired|buys|merge with)\s+(?:the\s+)?"
    r"([A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|&|of))*)"
)
_WITH_ORG = re.compile(r"\bwith\s+(?:the\s+)?([A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|&))*)")
_PRODUCT = re.compile(
    r"\b(?:launch(?:es|ed|ing)?|unveil(?:s|ed)?|introduc(?:es|ed|ing)|roll(?:s|ed|ing)? out|"
    r"debut(?:s|ed)?|making)\s+(?:its |our |the |a |an |new )*"
    r"([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)"
)

_GUIDANCE_DIRECTIONS = [
    ("lowered", r"\blower(?:s|ed|ing)?\b|\bcut(?:s|ting)?\b|\breduc\w*\b|\btrim(?:s|med)?\b|"
     r"\bbelow\b|\bdowngrad\w*\b|\bwithdr[ae]w\w*\b"),
    ("raised", r"\brais(?:e|es|ed|ing)\b|\bincreas(?:e|es|ed|ing)\b|\blift(?:s|ed)?\b|"
     r"\bboost\w*\b|\bupgrad\w*\b|\babove\b"),
    ("narrowed", r"\bnarrow(?:s|ed|ing|er)?\b"),
    ("maintained", r"\bmaintain\w*\b|\breaffirm\w*\b|\breiterat\w*\b|\bcontinue to expect\b|"
     r"\bkeep(?:s|ing)?\b|\bunchanged\b|\bon track\b"),
]  # fmt: skip
GUIDANCE_RANK = {"lowered": 0, "raised": 1, "narrowed": 2, "maintained": 3, "issued": 4}
_GUIDANCE_RES = [(label, re.compile(p, re.IGNORECASE)) for label, p in _GUIDANCE_DIRECTIONS]

_KPIS = re.compile(
    r"\b(mobile (?:checkout )?conversion|checkout conversion|conversion rate|cost per (?:patient )?"
    r"encounter|cost per \w+|gross margin|operating margin|adjusted EBITDA margin|EBITDA margin|"
    r"free cash flow|net revenue retention|revenue growth|average order value|customer retention|"
    r"churn|market share|same-store sales|annual recurring revenue|vacancy rate|on-time \w+)\b",
    re.IGNORECASE,
)
_REGULATORS = [
    (r"HIPAA|Office for Civil Rights|\bHHS\b|\bOCR\b", "HHS OCR (HIPAA)"),
    (r"\bFTC\b|Federal Trade Commission", "FTC"),
    (r"\bSEC\b|Securities and Exchange Commission", "SEC"),
    (r"\bDOJ\b|Department of Justice|antitrust", "DOJ / antitrust"),
    (r"\bFDA\b|recall", "FDA / recall"),
    (r"\bCFPB\b", "CFPB"),
    (r"\bEEOC\b|discrimination", "EEOC"),
    (r"\bOSHA\b", "OSHA"),
    (r"\bGDPR\b|data protection authority", "GDPR"),
    (r"attorney general", "State attorney general"),
    (r"class action|lawsuit|\bsu(?:ed|es|ing)\b", "lawsuit"),
    (r"data breach", "data breach"),
]
_REGULATOR_RES = [(re.compile(p, re.IGNORECASE), label) for p, label in _REGULATORS]
_BUDGET_KINDS = [
    (r"hiring freeze|freez\w* (?:on )?(?:all )?hiring", "hiring freeze"),
    (r"freez|frozen", "spending freeze"),
    (r"going concern|bankruptcy|chapter 11|covenant|liquidity", "financial distress"),
    (r"every dollar|approval|justify every", "spend approval"),
    (r"restructuring", "restructuring"),
]
_BUDGET_RES = [(re.compile(p, re.IGNORECASE), label) for p, label in _BUDGET_KINDS]
_DISTRESS = re.compile(r"going concern|bankruptcy|chapter 11", re.IGNORECASE)


@dataclass
class Hit:
    """One event a sentence reports."""

    type: SignalType
    summary: str
    entity: str | None = None
    when: date | None = None
    precision: int = 0  # 3: a stated day, 1: a stated month, 0: none (the source's date)
    severity: Severity | None = None
    polarity: Polarity | None = None
    person: str | None = None
    metrics: dict[str, float | int | str] = field(default_factory=dict)


_Rule = Callable[[str, "re.Match[str]", "Context"], "Hit | None"]


def _trigger(kind: SignalType, sentence: str) -> re.Match[str] | None:
    spec = load_taxonomy()[kind]
    sentence = straight_quotes(sentence)
    # One search rules most sentences out; the first matching pattern, in order, is still
    # the one whose match the rule reads.
    combined = spec.any_pattern()
    if combined is None or not combined.search(sentence):
        return None
    for pattern in spec.compiled():
        if m := pattern.search(sentence):
            return m
    return None


def _compact(sentence: str, limit: int = 220) -> str:
    text = " ".join(sentence.lstrip("-•* ").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


#: Client events that, done by a competitor, are a competitor move instead.
MOVES = frozenset({T.product_launch, T.expansion, T.acquisition, T.partnership, T.funding_round})
_NO_TRIGGER = re.compile("")


def trigger(kind: SignalType, sentence: str) -> re.Match[str] | None:
    """Where the taxonomy's trigger patterns of `kind` match the sentence, if they do."""
    return _trigger(kind, sentence)


def read_hit(kind: SignalType, sentence: str, ctx: Context) -> Hit | None:
    """The event of `kind` a sentence reports, with its entity, summary and date; None when
    the sentence lacks what such an event must name."""
    match = _trigger(kind, sentence) or _NO_TRIGGER.match(sentence)
    assert match is not None  # an empty pattern always matches
    hit = RULES[kind](sentence, match, ctx)
    if hit is not None and hit.when is None:
        hit.when, hit.precision = event_date(sentence, ctx.published)
    return hit


def competitor_move(sentence: str, actor: str) -> Hit:
    """A competitor's launch, deal or expansion, told by a sentence about it."""
    return Hit(T.competitor_move, f"{actor}: {_compact(sentence)}", entity=actor)


#: A sentence that speaks of the client's rivals as such: "competitors like TikTok", "our
#: primary competitor", "our peers", "everyone who has followed" (a move copied).
_RIVALS = re.compile(
    r"\b(?:competitors?|rivals?|peers|competing (?:banks|firms|companies|brands|players)|"
    r"the competition|(?:every|any)(?:one|body) (?:who|that) (?:has |have )?followed)\b",
    re.IGNORECASE,
)
_RIVAL_NAMED = re.compile(
    r"\b(?:(?:competitors?|rivals?|peers) (?:like|such as|including)|rivals?) "
    r"((?:[A-Z][\w&'’.-]*)(?:\s+[A-Z][\w&'’.-]*)*)"
)
#: What rivals may do, or who they are, is no move: "our competitors may develop", "Competing
#: brands include".
_NO_MOVE = re.compile(
    r"\b(?:may|might|could)\b|\b(?:competitors|brands|rivals) (?:include|are)\b", re.I
)


def rivals_named(sentence: str) -> str | None:
    """The rival a sentence names as such ("competitors like TikTok" -> "TikTok"), "" when it
    speaks of unnamed rivals ("our primary competitor"), None when it speaks of none."""
    if not _RIVALS.search(sentence) or _NO_MOVE.search(sentence):
        return None
    m = _RIVAL_NAMED.search(sentence)
    return m[1].rstrip(".,;:") if m else ""


def people_moves(sentence: str, ctx: Context) -> list[Hit] | None:
    """A sentence with both a departure and an appointment ("names X president as Ortega
    retires"): each clause judged on its own. None when the sentence holds only one move."""
    if not (
        _trigger(T.executive_departure, sentence) and _trigger(T.executive_appointment, sentence)
    ):
        return None
    clauses = [c for c in CLAUSES.split(sentence) if c.strip()]
    if len(clauses) < 2:
        return None
    people: list[Hit] = []
    for clause in clauses:
        departure = _trigger(T.executive_departure, clause)
        kind = T.executive_departure if departure else T.executive_appointment
        match = departure or _trigger(T.executive_appointment, clause)
        if match is None or DENIAL.search(clause):
            continue
        if (hit := _executive(kind)(clause, match, ctx)) is not None:
            hit.when, hit.precision = event_date(clause, ctx.published)
            if hit.when is None:
                hit.when, hit.precision = event_date(sentence, ctx.published)
            people.append(hit)
    return people


#: Clause breaks: "names X president as Ortega retires", "X has left, and that Y now oversees"
#: each hold two people's moves, one per clause (a full stop after an initial or "Mr" is none).
CLAUSES = re.compile(
    r";|,? and (?:that )?(?=[A-Z]|that )|,? while |(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)\. "
    r"|,? as (?=(?:[A-Z][a-z]+ ){1,2}(?:retires|steps down|resigns|leaves|departs|exits)\b)"
)


def _clause_at(sentence: str, position: int) -> tuple[str, int]:
    """The clause of `sentence` holding `position`, and where that clause starts."""
    start = 0
    for brk in CLAUSES.finditer(sentence):
        if brk.start() > position:
            return sentence[start : brk.start()], start
        start = brk.end()
    return sentence[start:], start


#: A speaker telling of their own move.
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I'll|I’ll|I've|I’ve|my)\b")


def _executive(kind: SignalType) -> _Rule:
    verb = "leaves" if kind is T.executive_departure else "joins"

    def rule(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
        # The person and the role are read in the clause of the verb, not the whole sentence.
        clause, offset = _clause_at(sentence, match.start())
        blanked = REPORTS_TO.sub(lambda m: " " * len(m[0]), clause)
        person = person_near(blanked, match.start() - offset, (*ctx.client_names, *ctx.competitors))
        role = role_of(clause)
        if person is None and role is None and ctx.speaker and _FIRST_PERSON.search(clause):
            # "I will retire at the end of February": the speaker's own move, in their title
            name, _, title = ctx.speaker.partition(" (")
            person, role = name, role_of(title.rstrip(")"))
        if person is None and role is None:
            return None
        if kind is T.executive_appointment and (person is None or role is None):
            return None  # "the CFO must approve" names a role, not a hire
        who = ", ".join(x for x in (person, role) if x)
        return Hit(kind, f"{who} {verb}", entity=role or person, person=person)

    return rule


def _funding(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    money = _MONEY.search(sentence, match.start()) or _MONEY.search(sentence)
    stage = _ROUND.search(sentence)
    lead = _LED_BY.search(sentence)
    if _CAPITAL_RETURNS.search(sentence) and not _RAISING.search(sentence):
        return None  # dividends, buybacks, loan books and pay awards raise no capital
    if money is None and stage is None and lead is None and not _INVESTORS.search(sentence):
        return None  # "raising awareness" names no money, round or investor
    label = stage[1].title().replace("Series", "Series") if stage else None
    parts = [x for x in (money[0] if money else None, label) if x]
    summary = " ".join(parts) or "Funding round"
    if lead:
        summary += f" led by {lead[1]}"
    return Hit(T.funding_round, summary, entity=label)


def _layoffs(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    size = None
    if m := _PERCENT.search(sentence):
        size = f"{m[1]}%"
    elif m := _HEADCOUNT.search(sentence):
        size = f"{m[1]} jobs"
    summary = f"Layoffs of {size} of staff" if size and "%" in size else "Layoffs"
    if size and "%" not in size:
        summary = f"Layoffs: {size}"
    return Hit(T.layoffs, f"{summary}: {_compact(sentence)}", entity=size)


def _hiring(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    if not _PEOPLE.search(sentence):
        return None  # "we are adding capacity" hires no one
    if _SLOWING.search(sentence):
        # "hiring will slow and headcount stay flat": spend held back, not a surge
        return Hit(T.budget_pressure, f"Hiring slows: {_compact(sentence)}")
    m = _HIRE_COUNT.search(sentence)
    entity = " ".join(m[2].split()) if m else None
    what = f"plans to hire {m[1]} {entity}" if m else "hiring at scale"
    return Hit(T.hiring_surge, f"Hiring plan: {what}", entity=entity)


def _acquisition(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    target = _TARGET_AFTER.search(sentence)
    entity = strip_client(target[1], ctx) if target else None
    if entity and entity.lower() in {n.lower() for n in ctx.client_names}:
        entity = None
    money = _MONEY.search(sentence)
    summary = f"Acquisition of {entity}" if entity else "Acquisition"
    if money:
        summary += f" for {money[0]}"
    return Hit(T.acquisition, summary, entity=entity)


def _partnership(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    with_org = _WITH_ORG.match(sentence, match.end() - 4) if match[0].endswith("with") else None
    if match[0].endswith("with"):
        orgs = [with_org[1]] if with_org else []
    else:
        orgs = orgs_in(sentence[: match.start()] or sentence, ctx)
    if not orgs:
        # "partnering with them", "partners to include AWS": the partner is named elsewhere
        orgs = orgs_in(sentence[: match.start()], ctx) + orgs_in(sentence[match.end() :], ctx)
    orgs = [
        strip_client(o.rstrip(".,;:"), ctx)
        for o in orgs
        if o not in ctx.competitors and o.split()[0] not in _NOT_PARTNER
    ]
    if not orgs:
        return None
    return Hit(T.partnership, f"Partnership with {orgs[0]}", entity=orgs[0])


def _launch(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    product = _PRODUCT.search(sentence)
    name = strip_client(product[1], ctx) if product else None
    if name and (name in ctx.client_names or name in ORG_STOP):
        name = None
    available = re.search(r"\bgenerally available\b", sentence, re.I)
    before = re.findall(r"([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)+)", sentence[: match.start()])
    if name is None and available and before:
        name = strip_client(before[-1], ctx)
    return Hit(T.product_launch, f"Launch: {_compact(sentence)}", entity=name)


def _results(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    return Hit(T.financial_results, f"Results: {_compact(sentence)}")


def _guidance(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    direction = next((label for label, p in _GUIDANCE_RES if p.search(sentence)), "issued")
    severity: Severity = {"lowered": "red", "raised": "info"}.get(direction, "yellow")  # type: ignore[assignment]
    polarity: Polarity = {"lowered": "risk", "raised": "opportunity", "narrowed": "risk"}.get(
        direction, "context"
    )  # type: ignore[assignment]
    return Hit(
        T.earnings_guidance,
        f"Guidance {direction}: {_compact(sentence)}",
        entity=direction,
        severity=severity,
        polarity=polarity,
    )


def _priority(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    kpi = _KPIS.search(sentence)
    entity = kpi[1].lower().replace("checkout conversion", "conversion") if kpi else None
    who = f"{ctx.speaker}: " if ctx.speaker else ""
    return Hit(T.strategic_priority, f"{who}{_compact(sentence)}", entity=entity)


def _expansion(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    return Hit(T.expansion, f"Expansion: {_compact(sentence)}")


def _budget(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    if re.search(r"\bfreez|\bfrozen", sentence, re.I) and not re.search(
        r"\b(?:spend\w*|budget|hiring|headcount|IT|purchas\w*|projects?|costs?)\b", sentence, re.I
    ):
        return None
    entity = next((label for p, label in _BUDGET_RES if p.search(sentence)), "cost cutting")
    severity: Severity = "red" if _DISTRESS.search(sentence) else "yellow"
    return Hit(
        T.budget_pressure, f"Budget pressure ({entity}): {_compact(sentence)}", entity=entity,
        severity=severity,
    )  # fmt: skip


def _vendor_eval(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    named = list(dict.fromkeys(vendors_in(sentence)))
    if re.match(r"migrat|moving|switch|to\b", match[0], re.I) and not named:
        return None  # moving services between machines is not a vendor change
    categories = list(dict.fromkeys(vendor_categories()[v] for v in named))
    entity = categories[-1] if categories else "vendor consolidation"
    if re.search(r"\bEHR\b|electronic health record", sentence):
        entity = "EHR"
    summary = f"Vendor review ({entity})"
    if named:
        summary += ": " + ", ".join(named)
    hit = Hit(T.vendor_evaluation, f"{summary} — {_compact(sentence, 160)}", entity=entity)
    if named:
        hit.metrics["vendors"] = ", ".join(named)
    return hit


def _legal(sentence: str, match: re.Match[str], ctx: Context) -> Hit | None:
    entity = next((label for p, label in _REGULATOR_RES if p.search(sentence)), None)
    money = _MONEY.search(sentence)
    summary = f"Legal/regulatory ({entity or 'matter'})"
    if money:
        summary += f", {money[0]}"
    return Hit(T.legal_regulatory, f"{summary}: {_compact(sentence)}", entity=entity)


RULES: dict[SignalType, _Rule] = {
    T.executive_departure: _executive(T.executive_departure),
    T.executive_appointment: _executive(T.executive_appointment),
    T.funding_round: _funding,
    T.layoffs: _layoffs,
    T.hiring_surge: _hiring,
    T.acquisition: _acquisition,
    T.partnership: _partnership,
    T.product_launch: _launch,
    T.financial_results: _results,
    T.earnings_guidance: _guidance,
    T.strategic_priority: _priority,
    T.expansion: _expansion,
    T.budget_pressure: _budget,
    T.vendor_evaluation: _vendor_eval,
    T.legal_regulatory: _legal,
}
