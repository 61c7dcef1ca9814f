"""People in text: names, executive titles and roles, and whether a person arrives or leaves.

The one place dossier finds people: the stakeholder map reads "Name, Title" and "Title Name"
through `named_people`; a departure or appointment signal reads the person nearest its verb
and the role named in its clause through `person_near` and `role_of`; an 8-K's item 5.02 and
a stakeholder's status read the same verbs, `DEPARTED` and `APPOINTED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from agent.assess.entities import lexicon

#: Verbs of a person leaving: resigns, retires, steps down, departs, leaves.
DEPARTED = re.compile(
    r"\b(?:step(?:s|ped|ping)? down|resign\w*|retir(?:e|es|ed|ing|ement)|depart(?:s|ed|ing|ure)?"
    r"|leav(?:e|es|ing)|left the company|exit(?:s|ed)?|terminat\w*)\b",
    re.IGNORECASE,
)
#: Verbs of a person arriving: appointed, named, elected, hired, promoted, joins.
APPOINTED = re.compile(
    r"\b(?:appoint\w*|named(?! executive officers?\b)|elected|hired|promoted|joins|joined)\b",
    re.IGNORECASE,
)

_ROLES: list[tuple[str, str]] = [
    (r"chief executive(?: officer)?|\bCEO\b", "CEO"),
    (r"chief financial officer|finance chief|\bCFO\b", "CFO"),
    (r"chief operating officer|operations chief|\bCOO\b", "COO"),
    (r"chief digital officer|digital chief|\bCDO\b", "CDO"),
    (r"chief medical information officer|\bCMIO\b", "CMIO"),
    (r"chief information officer|\bCIO\b", "CIO"),
    (r"chief technology officer|technology chief|\bCTO\b", "CTO"),
    (r"chief marketing officer|marketing chief|\bCMO\b", "CMO"),
    (r"chief revenue officer|\bCRO\b", "CRO"),
    (r"chief product officer|\bCPO\b", "CPO"),
    (r"chief nursing officer|\bCNO\b", "CNO"),
    (r"chief (?:people|human resources) officer|\bCHRO\b", "CHRO"),
    (r"chief information security officer|\bCISO\b", "CISO"),
    (r"chief strategy officer|\bCSO\b", "CSO"),
    (r"general counsel|chief legal officer", "General Counsel"),
    (r"(?:chair(?:man|woman)?) of the board|board chair|\bchairman\b", "Chair"),
    (r"\bco-presidents?\b", "Co-President"),
    (r"\bco-(?:CEO|chief executive)s?\b", "Co-CEO"),
    (r"\bjoin\w* (?:\w+'s |the |its |our )?board\b|\bboard member\b|\bmember of its board\b",
     "Board member"),
]  # fmt: skip
_ROLE_RES = [(re.compile(p, re.IGNORECASE), label) for p, label in _ROLES]
#: Any other capitalised chief title, as written: "Chief Patient Safety & Quality Officer".
_CHIEF = re.compile(r"\bChief (?:(?:[A-Z][\w-]*|&|and) ){1,5}(?:Officer|Leader)\b")
_VP = re.compile(
    r"\b(?:senior |executive )?(?:vice president|VP),? (?:of )?((?:[A-Za-z&]+ ?){1,3}?)"
    r"(?=[,.;)]|\s+(?:who|will|at|and|to|on|has|is|leaves|joins)\b|$)",
    re.IGNORECASE,
)
_HEAD = re.compile(
    r"\b(?:president|head|director|leader|chief) of ((?:[A-Za-z&]+ ?){1,3}?)"
    r"(?=[,.;)]|\s+(?:on|at|and|who|will|to)\b|$)"
    r"|\b((?:digital product|product|engineering|marketing|sales|operations|finance)) "
    r"(?:chief|head|leader)\b",
    re.IGNORECASE,
)
#: "reporting to the CEO": a role named as someone's manager, not the person's own.
REPORTS_TO = re.compile(r"\breport(?:s|ing)? (?:directly )?to\b[^,.;]*", re.IGNORECASE)
#: A person's name: "Jane Roe", "Maria K. Olsen", "Steve C. de Baca", "Jeff DiLullo".
_NAME = re.compile(
    r"\b[A-Z][a-z]+(?:[ -](?:[A-Z]\.|(?:(?:de|da|del|di|van|von|der|den|du|la|le) )?"
    r"(?:Mc|Mac|Di|De|O')?[A-Z][a-z'’]+)){1,2}\b"
)
_NOT_NAME = lexicon("""chief vice president officer director head executive senior inc corp health
    systems logistics home partners capital group network holdings the our its new series
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday united states north south east west board
    financial digital product operations research securities ventures company co presidents""")
#: Capitalised words that open a sentence or headline but are no part of a name.
_NAME_LEAD = lexicon("""Welcoming Welcome Introducing Meet Congratulations Today Naming Please
    Former New Interim Dear""")

# "Jane Roe, CFO", "named Jane Roe as its CFO", "CFO Jane Roe": a name next to its title.
_TITLED_NAME = r"(?P<name>[A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-zA-Z'-]+){1,2})"
_TITLE = (
    r"(?P<title>(?:[Cc]hief [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)? [Oo]fficer|CEO|CFO|CTO|COO|CIO|CMO"
    r"|[Pp]resident|(?:[Ss]enior |[Ee]xecutive )?[Vv]ice [Pp]resident"
    r"(?: of [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)?)?"
    r"|[Hh]ead of [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)?|[Gg]eneral [Cc]ounsel))"
)
_TITLED = [
    re.compile(
        _TITLED_NAME + r", (?:the company's |its |our )?(?:new |former |interim )?" + _TITLE
    ),
    re.compile(
        r"(?:named|appointed|hired|promoted) " + _TITLED_NAME + r" (?:as|to be|to) "
        r"(?:its |the |our )?(?:new |first |next |permanent |interim )?" + _TITLE
    ),
    re.compile(_TITLE + r" " + _TITLED_NAME),
]
_JOINS = re.compile(r"\b(?:appointed|named|hired|joins|joined|promoted|new)\b", re.IGNORECASE)

Status = Literal["current", "new", "departed"]


@dataclass(frozen=True)
class NamedPerson:
    """A person a sentence names with a title, and whether they arrive, leave or stay."""

    name: str
    title: str
    status: Status


def role_of(text: str) -> str | None:
    """The normalized executive role a text names ("CFO", "VP Digital Product"), if any."""
    text = REPORTS_TO.sub("", text)
    found: list[tuple[int, str]] = []
    for pattern, label in _ROLE_RES:
        if m := pattern.search(text):
            found.append((m.start(), label))
    if (m := _CHIEF.search(text)) and all(start != m.start() for start, _ in found):
        found.append((m.start(), m[0]))
    if m := _VP.search(text):
        found.append((m.start(), "VP " + m[1].strip().title()))
    if m := _HEAD.search(text):
        area = (m[1] or m[2]).strip()
        label = "VP " + area.title() if m[2] else f"Head of {area.title()}"
        if m[0].lower().startswith("president"):
            label = f"President, {area.title()}"
        found.append((m.start(), label))
    after_as = re.search(
        r"\b(?:as|becomes?|become) (?:its |our |the )?(?:new |first |interim |next )?", text
    )
    if after_as and found:
        later = [f for f in found if f[0] >= after_as.end() - 1]
        if later:
            return min(later)[1]
    return min(found)[1] if found else None


def person_near(text: str, near: int, organisations: Iterable[str] = ()) -> str | None:
    """The person's name nearest to position `near`, not an organisation, role or place."""
    banned = {n.lower() for n in organisations}
    best: tuple[int, str] | None = None
    for m in _NAME.finditer(text):
        name = m[0]
        while name.split()[0] in _NAME_LEAD and len(name.split()) > 2:
            name = name.split(" ", 1)[1]
        words = [w.lower().strip("'’") for w in re.split(r"[ -]", name)]
        if any(w in _NOT_NAME for w in words) or any(
            name.lower() in b or b in name.lower() for b in banned
        ):
            continue
        distance = abs(m.start() - near)
        if best is None or distance < best[0]:
            best = (distance, name)
    if best is None:
        return _surname_before(text, near, banned)
    return best[1]


def _surname_before(text: str, near: int, banned: set[str]) -> str | None:
    """A lone surname right before the verb ("as Ortega retires"), when no full name is near."""
    m = re.search(r"\b([A-Z][a-z]{2,})\s+(?:will\s+|has\s+|is\s+|was\s+)?$", text[:near])
    if m is None:
        return None
    word = m[1]
    if word.lower() in _NOT_NAME or word.lower() in banned or word in _NAME_LEAD:
        return None
    return word


def named_people(sentence: str) -> Iterator[NamedPerson]:
    """People a sentence names next to their title, each with whether they arrive or leave."""
    for pattern in _TITLED:
        for match in pattern.finditer(sentence):
            name = _clean_name(match.group("name"))
            yield NamedPerson(name, match.group("title"), _status(sentence, match))


def _clean_name(raw: str) -> str:
    words = raw.split()
    while len(words) > 2 and words[0] in _NAME_LEAD:
        words = words[1:]
    return " ".join(words)


def _status(sentence: str, match: re.Match[str]) -> Status:
    """Read the verbs next to the name only, so a sentence about a departure and a successor
    marks each person right."""
    after = sentence[match.end() : match.end() + 60].split(";")[0]
    before = sentence[max(0, match.start() - 40) : match.start()]
    if DEPARTED.search(after) or re.search(r"\bsucceed(?:s|ing)?\s*$", before):
        return "departed"
    if _JOINS.search(before + match.group(0)) or re.search(r"\b(?:will )?join", after):
        return "new"
    return "current"
