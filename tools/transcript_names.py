"""People's names and job titles as an earnings call writes them.

A call names one person several ways ("Jane R. Doe" in the label, "Jane Doe" in the host's
introduction, "Jane" in a question) and states titles in passing ("our CEO, Jane Doe",
"Maria Lopez, VP of Finance and our next CFO"). These helpers decide when two written names can
be one person and read the title written next to a name, keeping the document's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agent.assess.entities import lexicon

_HONORIFICS = lexicon("mr mrs ms dr sir")
_SUFFIXES = lexicon("jr sr ii iii iv")
PARTICLES = lexicon("de da del della der di du la le van von bin ter")


def _nickname_table(table: str) -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for entry in table.split():
        shorts, formal = entry.split(":")
        for short in shorts.split(","):
            pairs.setdefault(short, set()).update(formal.split(","))
    return {short: frozenset(formal) for short, formal in pairs.items()}


#: Short forms of first names. A prefix ("Ken" for "Kenneth") also counts when the surname or the
#: turn order backs it; the table covers the forms that are no prefix ("Bill", "Dave", "Jim").
_NICKNAMES = _nickname_table("""
    bill,billy,will,willy:william bob,bobby,rob,robbie,robby:robert dave,davy:david
    jim,jimmy,jamie:james mike,mikey,mick,mickey,micky:michael tony:anthony andy,drew:andrew
    dick,rick,rich,ricky:richard jack,johnny:john ted,ned,eddie,ed:edward ted,teddy:theodore
    liz,beth,betsy,betty,lisa,eliza:elizabeth peggy,meg,maggie:margaret sue,suzy:susan
    chuck,charlie:charles hank:henry larry:lawrence,laurence jerry:gerald,jerome
    kate,kathy,katie,cathy:katherine,catherine,kathleen jen,jenny:jennifer tim:timothy tom:thomas
    ben:benjamin dan,danny:daniel doug:douglas ken,kenny:kenneth matt:matthew
    chris:christopher,christine,christina steve:steven,stephen joe,joey:joseph jon:jonathan
    nick:nicholas pat:patrick,patricia sam:samuel,samantha alex:alexander,alexandra greg:gregory
    jeff:jeffrey,geoffrey fred,freddie:frederick phil:philip,phillip ron,ronnie:ronald
    don,donnie:donald ray:raymond vince:vincent walt:walter zach:zachary nate:nathan,nathaniel
    al:albert,alan,allan,alfred gus:gustavo,augustus abby:abigail
""")


def name_words(name: str) -> list[str]:
    """The words of a person's name, lowercased, without honorifics, initials or suffixes."""
    words = [w.strip(".,'’").lower() for w in name.split()]
    return [w for w in words if len(w) > 1 and w not in _HONORIFICS | _SUFFIXES]


def _first_forms(first: str) -> set[str]:
    forms = {first} | set(_NICKNAMES.get(first, ()))
    forms |= {short for short, formal in _NICKNAMES.items() if forms & formal}
    return forms


def _first_names_match(a: str, b: str, *, loose: bool) -> bool:
    if b in _first_forms(a):
        return True
    # "Kai-Lin" and "Kailin", "Tim" and "Timothy": a prefix is a short form only when the
    # surname or the order of turns already ties the two names together
    short, long = sorted((a.split("-")[0], b.split("-")[0]), key=len)
    return loose and len(short) >= 3 and long.startswith(short)


def same_person(a: str, b: str, *, loose: bool = False) -> bool:
    """True when two written names can be one person: the same surname and a matching first
    name ("Bill Reyes", "William J. Reyes"); a first name alone matches a full name by the nickname
    table, or by prefix too when `loose` (the order of turns already links the two)."""
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return False
    if len(wa) > 1 and len(wb) > 1:
        return wa[-1] == wb[-1] and _first_names_match(wa[0], wb[0], loose=True)
    return _first_names_match(wa[0], wb[0], loose=loose)


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for the full-name forms of one person in running text: any known first-name
    form, optional middle names or initials, then a surname ("Bill Reyes", "William J. Reyes")."""
    firsts: set[str] = set()
    lasts: set[str] = set()
    for name in names:
        words = name_words(name)
        if len(words) < 2:
            continue
        firsts |= _first_forms(words[0]) | {words[0].split("-")[0]}
        lasts.add(words[-1])
    if not firsts or not lasts:
        return None
    first = "|".join(re.escape(f.capitalize()) for f in sorted(firsts, key=len, reverse=True))
    last = "|".join(re.escape(x) for x in sorted(lasts, key=len, reverse=True))
    middle = r"(?:\s+(?:[A-Z]\.|[A-Z][\w'’\-]+|" + "|".join(sorted(PARTICLES)) + r")){0,3}?"
    return re.compile(rf"(?<![\w'’])(?:{first})[\w\-]*{middle}\s+(?=[A-Z])(?i:{last})(?![\w'’])")


# --- titles ------------------------------------------------------------------------------------

#: A title has one of these words ("Head of Investor Relations", "EVP & CFO", "VP, IR").
CORE_TITLE = re.compile(
    r"\b(?:chief|ceo|cfo|coo|cto|cio|cmo|cro|cpo|cao|cco|chro|ciso|evp|svp|vp|president|head|"
    r"director|chair(?:man|woman|person)?|treasurer|controller|founder|secretary|counsel|"
    r"officer|designer|investor relations|ir)\b",
    re.I,
)
#: Lowercase words a title may be written with ("vice president of investor relations").
_LOWER_TITLE = lexicon(
    "chief vice president officer director head executive senior financial operating marketing "
    "technology information investor relations treasurer controller counsel general secretary "
    "chairman chairwoman chair founder co-founder managing partner principal deputy"
)
#: Small words inside a title ("VP of Finance and our incoming CFO").
_GLUE = lexicon("of and & for the our incoming interim acting")
#: Capitalized words that start a clause, never a title word.
_NOT_TITLE = lexicon(
    "i i'm i'll i've i'd we we're we'll we've you he she they it this that these those thanks "
    "thank today and but so also now with as please good welcome joining mr ms mrs dr"
)
_TOKEN = re.compile(r"(?:[A-Z]\.)+|[A-Za-z&][\w'’\-]*|,|[^\w\s]")


def _title_word(tok: str) -> bool:
    low = tok.lower()
    if low in _NOT_TITLE or re.search(r"['’]s$", tok):
        return False
    return tok[0].isupper() or low in _LOWER_TITLE


def _title_span(tokens: list[re.Match[str]], *, from_end: bool = False) -> tuple[int, int] | None:
    """Offsets of the title in the tokens: glue trimmed from both ends, and only the parts
    (split at "and" and commas) that hold a title word, counted from the name outwards, so
    "CEO and Sam Ortiz, CFO" gives "CEO"."""
    parts: list[list[re.Match[str]]] = [[]]
    for tok in tokens:
        if tok.group().lower() == "and" or tok.group() == ",":
            parts.append([tok])
        else:
            parts[-1].append(tok)
    kept: list[re.Match[str]] = []
    for part in reversed(parts) if from_end else parts:
        if not CORE_TITLE.search(" ".join(t.group() for t in part)):
            break
        kept = part + kept if from_end else kept + part
    while kept and (kept[0].group().lower() in _GLUE or kept[0].group() == ","):
        kept.pop(0)
    while kept and (kept[-1].group().lower() in _GLUE or kept[-1].group() == ","):
        kept.pop()
    return (kept[0].start(), kept[-1].end()) if kept else None


def _fits(tok: str, nxt: str | None) -> bool:
    if tok == ",":
        # "VP, Investor Relations" goes on; ", and he'll ..." does not
        return nxt is not None and _title_word(nxt)
    return tok.lower() in _GLUE or _title_word(tok)


def title_after(text: str) -> str | None:
    """The title written right after a name: ", Director of Investor Relations. ..." or
    " our President, ..."."""
    if not re.match(r",|\s+(?:our|its|the company's)\s", text):
        return None
    tokens = list(_TOKEN.finditer(text[:160]))
    if tokens and tokens[0].group() == ",":
        tokens.pop(0)
    taken: list[re.Match[str]] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1].group() if i + 1 < len(tokens) else None
        if not _fits(tok.group(), nxt):
            break
        taken.append(tok)
    span = _title_span(taken)
    return text[span[0] : span[1]] if span else None


def title_before(text: str) -> str | None:
    """The title written right before a name: "... followed by CFO, " or "President and CEO "."""
    tail = text[-160:]
    tokens = list(_TOKEN.finditer(tail))
    if tokens and tokens[-1].group() == ",":
        tokens.pop()
    taken: list[re.Match[str]] = []
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i].group()
        nxt = taken[0].group() if taken else None
        if not _fits(tok, nxt):
            break
        taken.insert(0, tokens[i])
    span = _title_span(taken, from_end=True)
    if span is None:
        return None
    # "Victor Vale, our Chairman and CEO, Mark Lowe": the title belongs to the name before it
    lead = [t.group() for t in tokens if t.end() <= span[0]]
    while lead and lead[-1].lower() in ("our", "its", "the"):
        lead.pop()
    if len(lead) >= 2 and lead[-1] == "," and lead[-2][0].isupper():
        return None
    return tail[span[0] : span[1]]
