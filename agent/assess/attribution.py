"""Whether a sentence states an event of the client: not a question, denial, wish, boilerplate
or old story, and about the client rather than another company.

The classifier says what kind of event a sentence speaks of; this module says whether it is
one, and whose. The rules read structure a sentence states exactly: a question mark, a
denial, the safe-harbor and roster formulas of calls and filings, a year long past, and the
organisation that is the sentence's subject.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from agent.assess.entities import ORG_STOP, common_word, event_date, lexicon
from agent.validate import instruction_like

# A sentence that denies, doubts or imagines an event reports none (nor one that says what
# has not been done yet, or what will be done as needed).
DENIAL = re.compile(
    r"\b(?:no plans?|not (?:planning|going|replacing|considering|expecting|intending|looking|"
    r"raising|cutting|lowering|reducing|changing|be|in discussions)|(?:do|does|did) not "
    r"(?:intend|plan|expect|anticipate|see)|(?:don't|doesn't|won't) (?:plan|intend|expect)|"
    r"no intention|denie[sd]|deny|speculat\w*|hypothetical\w*|if (?:we|they|the company|it|you|"
    r"he|she) (?:were|was|had|decide[sd]?)|were to|would consider|(?:chosen|decided) not to|"
    r"whether to|unlikely to|ruled out|has not engaged|not to comment|no comment|declined to "
    r"comment|(?:don't|do not|can't|cannot|won't) (?:want to )?(?:comment|speculate|provide|"
    r"give|get into|disclose)|too early to (?:comment|say|tell)|not the (?:forum|place)|"
    r"(?:haven't|have not|hasn't|has not)(?: yet)? (?:given|provided|issued|announced|decided|"
    r"finalized|set)|as (?:needed|necessary|required))\b",
    re.IGNORECASE,
)
# Boilerplate of filings, releases and calls: forward-looking statements, offers, proxies.
BOILERPLATE = re.compile(
    r"forward[-‐‑ ]looking (?:statement|information)|undertakes? no (?:obligation|duty)|"
    r"assumes? no obligation|speak only as of|does not constitute an offer|solicitation of "
    r"(?:an offer|proxies)|participants in the solicitation|risk factors? (?:described|"
    r"discussed|set forth)|actual results (?:may|could) differ|non-GAAP (?:financial )?measures?"
    r" (?:is|are) (?:included|available|provided)|this (?:call|conference) is being recorded|"
    r"(?:webcast|replay) (?:will be|is) available|should not be used to make projections|"
    r"(?:attached|furnished|filed|included) (?:hereto |herewith )?as Exhibit|incorporated "
    r"(?:herein )?by reference",
    re.IGNORECASE,
)
# Who is on the call: "joining me today", "with us today are", "speaking first today is".
ROSTER = re.compile(
    r"\b(?:joining (?:me|us)|with (?:me|us)|on the call(?: with (?:me|us))?|participating in "
    r"(?:this|today's) call|speaking (?:first )?today|I'm joined|I am joined|joined (?:today )?"
    r"(?:by|telephonically by))\b.{0,40}\b(?:today|are|is|by)\b"
    r"|\b(?:today|this (?:morning|afternoon)),? (?:I'm|I am|we are|we're) joined by\b",
    re.IGNORECASE,
)
# An event in the past tense of a story: "previous rounds", "back in 2014", "years ago".
_EARLIER = re.compile(
    r"\b(?:previous|prior|earlier|past|former) (?:rounds?|deals?|acquisitions?|funding)\b|"
    r"\bback in (?:19|20)\d\d\b|\b(?:decades?|\d+ years) ago\b|\bin the (?:mid-|late |early )?"
    r"(?:19|20)\d0s\b",
    re.IGNORECASE,
)
#: A relative clause or a founding story inside a sentence: background, not its event.
_ASIDE = re.compile(r",?\s*\b(?:which|who|whom)\b[^,;]*|\b(?:co-)?founded\b[^,;]*", re.IGNORECASE)
#: A relative clause that ends a sentence.
_TRAILING_ASIDE = re.compile(r",\s*(?:which|who|whom)\b[^,;]*$", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:in|since|of|during|back in|fiscal|FY) ?((?:19|20)\d\d)\b")
#: Words of an organisation's name that are not a person's.
_ORG_WORDS = lexicon(
    """Inc Inc. Corp Corp. Corporation Co Co. Ltd LLC plc Group Holdings Partners Capital
    Technologies Systems Networks Bank Bancorp Media Marketplace Pharmaceuticals Labs"""
)
#: Descriptors that introduce another organisation: "startup Onfido", "rival Globex".
_ORG_LEAD = re.compile(
    r"\b(?:startup|start-up|company|firm|platform|rival|competitor|maker|retailer|giant|"
    r"lender|bank|insurer|carrier|group|chain|provider)\s+$",
    re.IGNORECASE,
)
_LED_NAME = re.compile(
    r"^[a-z][\w -]{0,60}?\b(?:startup|start-up|company|firm|platform|rival|competitor|maker|"
    r"retailer|giant|lender)\s+([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*)"
)
_LEADING = re.compile(
    r"^(?:(?:and|but|so|also|meanwhile|however|still|now|then|today|recently|last (?:year|"
    r"week|month|quarter)|this (?:year|week|month|quarter)|just (?:last|this) \w+|earlier "
    r"this \w+|in \w+(?: \d{4})?|on \w+|[a-z]+ly(?=,))[,]?\s+)+",
    re.IGNORECASE,
)
_SUBJECT = re.compile(r"([A-Z][\w&.-]*(?:\s+(?:[A-Z][\w&.-]*|&))*)(['’]s\b)?")
#: An organisation acting as a sentence's subject: "Microsoft recently noted", "Alden on
#: Tuesday announced".
_ACT_VERBS = (
    "said|says|noted|notes|reported|reports|announced|announces|raised|raises|acquired|"
    "acquires|launched|launches|pledged|pledges|posted|earned|agreed|agrees|bought|buys|opened|"
    "opens|filed|files|settled|settles|promoted|promotes|hired|hires|unveiled|unveils|"
    "introduced|introduces|expects|predicted|estimated"
)
#: An organisation acting as a sentence's subject: "Microsoft recently noted".
_ACTS_NOW = re.compile(rf"(?:\s+[a-z]+ly)?\s+(?:{_ACT_VERBS})\b")
#: Words a company uses of itself: a posting's sentence without them is a duty of the role.
_OURSELVES = re.compile(
    r"\b(?:we|we're|we've|we'll|our|us|the (?:business|company|group|firm|organi[sz]ation))\b",
    re.IGNORECASE,
)
_THIRD_PERSON = re.compile(r"\b(?:their|they)\b", re.IGNORECASE)
#: A year this long before the document is history, not news.
HISTORY_YEARS = 2


@dataclass(frozen=True)
class Party:
    """Whom a sentence is about: the client, a named competitor or another organisation."""

    who: str  # "client", "competitor" or "other"
    name: str | None = None


def not_an_event(text: str) -> str | None:
    """Why a sentence states no event of its own (a question, denial, boilerplate, roster), or
    None when it may."""
    stripped = text.rstrip(" \"'”’)")
    if stripped.endswith("?"):
        return "question"
    if BOILERPLATE.search(text):
        return "boilerplate"
    if instruction_like(text):
        return "instruction"  # a planted instruction is data, never an event
    if ROSTER.search(text):
        return "roster"
    if (m := DENIAL.search(text)) and not (
        _DEGREE.match(text, m.start()) and _BUT_SO.search(text, m.end())
    ):
        return "denial"
    return None


#: "It's not going to be exponential growth, but it is going to grow substantially": what is
#: denied is a degree, what follows the "but" is stated ("not planning layoffs, but ..." is
#: still a denial).
_DEGREE = re.compile(r"not (?:going to )?be\b", re.IGNORECASE)
_BUT_SO = re.compile(
    r"[,;] but (?:it|we|they|this|that|the \w+)(?:'s|’s| is| are| will| 're| ’re|'re|’re)"
    r"(?! not\b)"
)


def is_history(text: str, published: date | None) -> bool:
    """True when the sentence tells of something long before the document (a year two or more
    before it was published, "back in 2014", "previous rounds"). An aside does not date the
    sentence: "layoffs at Meetup, which it acquired in 2017" tells of layoffs now."""
    text = _ASIDE.sub("", text) or text
    if _EARLIER.search(text):
        return True
    if published is None:
        return False
    when, precision = event_date(text, published)
    if when is not None and precision and (published - when).days > 365 * HISTORY_YEARS - 60:
        return True
    years = [int(y) for y in _YEAR.findall(text)]
    return bool(years) and max(years) <= published.year - HISTORY_YEARS


def without_old_aside(text: str, published: date | None) -> str:
    """The sentence without a trailing aside that is history ("..., which it acquired in
    2017"): what it reports now, still a verbatim slice of it."""
    m = _TRAILING_ASIDE.search(text)
    if m is None or not is_history(text[m.start() :].lstrip(", "), published):
        return text
    return text[: m.start()].rstrip(" ,;")


def subject_org(text: str, client_names: tuple[str, ...]) -> str | None:
    """Another organisation that is the subject of the sentence ("McClatchy reported ...",
    "ServiceNow's products drove ...", "startup Onfido raised ..."), or None."""
    body = _LEADING.sub("", text.lstrip("-•* "))
    m = _SUBJECT.match(body)
    if m is None:
        named = _LED_NAME.search(body[:80])
        if named and not _is_client(named[1], client_names):
            return named[1]
        return None
    name, possessive, rest = m[1].rstrip(".,"), bool(m[2]), body[m.end() :]
    if not possessive and not re.match(r"\s+[a-z(]|,\s", rest):
        return None  # "TL;DR - We're ...": no organisation acting
    words = name.split()
    if not words or words[0] in ORG_STOP or words[0].casefold() in _NOT_SUBJECT:
        return None
    if _is_client(name, client_names):
        return None
    lead = _ORG_LEAD.search(text[: max(0, text.find(name))]) is not None
    if any(w.rstrip(".,") in _ORG_WORDS for w in words) or lead:
        return name
    if len(words) > 1:
        return None  # two or three capitalised words: most often a person of the client
    if not common_word(name):
        return name
    # An ordinary word opening a sentence is most often just that ("Chief executive Dana
    # Roe said", "International growth is"); a company it is when it acts right away.
    return name if possessive or _ACTS_NOW.match(rest) else None


_NOT_SUBJECT = lexicon(
    """i we our you he she they it its this that these those there here the a an as at by for
    from in on of to with and but so yes no well okay ok now then also today yesterday
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday q1 q2 q3 q4 first second third
    fourth total revenue net sales operating gross adjusted overall"""
)


def _is_client(name: str, client_names: tuple[str, ...]) -> bool:
    folded = name.casefold().replace("’", "'")
    for client in client_names:
        c = client.casefold()
        if folded == c or folded.startswith(c + " ") or c.startswith(folded + " "):
            return True
        if folded.split("'")[0] == c:
            return True
    return False


def third_party(text: str, client_names: tuple[str, ...]) -> bool:
    """True when the sentence is about another organisation: its subject is one, or it speaks
    of "their" results without naming the client or "we"."""
    if any(re.search(rf"\b{re.escape(n)}\b", text) for n in client_names):
        subject = subject_org(text, client_names)
        if subject is not None and _joint(client_names).match(
            text, text.find(subject) + len(subject)
        ):
            return False  # "CTEC and HackerRank are working together": the client acts too
        return subject is not None and text.find(subject) < min(
            (m.start() for n in client_names if (m := re.search(rf"\b{re.escape(n)}\b", text))),
            default=len(text),
        )
    return subject_org(text, client_names) is not None


@functools.lru_cache(maxsize=64)
def _joint(client_names: tuple[str, ...]) -> re.Pattern[str]:
    """The client named beside another party as a second subject ("CTEC and HackerRank")."""
    names = "|".join(re.escape(n) for n in client_names)
    return re.compile(rf"\s+(?:and|&|together with)\s+(?:{names})\b")


def speaks_of_itself(text: str, client_names: tuple[str, ...]) -> bool:
    """True when a sentence speaks of the company ("we", "our", "the business", its name):
    in a job posting, the others are duties of the role, not the company's plans."""
    return _OURSELVES.search(text) is not None or any(
        n.casefold() in text.casefold() for n in client_names
    )


def speaks_of_them(text: str) -> bool:
    """True when the sentence speaks of "they" or "their" (a customer's or rival's numbers)."""
    return _THIRD_PERSON.search(text) is not None
