"""Who speaks on an earnings call: sections, roles and titles read from the transcript itself.

Many transcripts label turns with bare names ("Bill Reyes: ..."). The document still says who is
who: the operator announces each questioner ("our next question comes from X with Firm"), the
host introduces the executives ("joining me today are our CEO, Bill Reyes, and ..."), prepared
remarks are the company's, and whoever answers an analyst speaks for the company. `infer_roles`
reads those cues; a role or title that a label, a roster or a participants list states wins.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import Literal

from tools.transcript_names import (
    CORE_TITLE,
    name_pattern,
    name_words,
    same_person,
    title_after,
    title_before,
)

Role = Literal["operator", "executive", "analyst", "unknown"]
Section = Literal["prepared", "qa", "unknown"]


@dataclass(frozen=True)
class Turn:
    """One speaker turn: who spoke, in which part of the call, and the words."""

    speaker: str
    title: str | None
    role: Role
    section: Section
    text: str
    affiliation: str | None = None

    @property
    def label(self) -> str:
        """`Name (Title, Affiliation)` as written in the stored text."""
        extra = ", ".join(x for x in (self.title, self.affiliation) if x)
        return f"{self.speaker} ({extra})" if extra else self.speaker


#: The conference operator, however the transcript labels them.
OPERATOR = re.compile(r"^(?:the |conference |call |unidentified |unknown )?operator$", re.I)
#: "Unidentified Analyst", "Unknown Speaker": a placeholder, never matched to a person.
PLACEHOLDER = re.compile(
    r"^(?:unidentified|unknown) (?:analyst|speaker|participant|company representative|"
    r"executive|corporate participant)$",
    re.I,
)
#: A written name: capitalized words, initials ("J."), particles; a period ends it otherwise.
_WORD = r"(?:[A-Z]\.|[A-Z][\w'’\-]+)"
_NAME = rf"{_WORD}(?:\s+(?:{_WORD}|de|da|del|der|di|van|von|la|le)){{0,4}}"
_FIRM = r"(?:(?:[A-Z]\.)+|[A-Z][\w&'’\-]*)(?:\s+(?:&|and|of|de|(?:[A-Z]\.)+|[A-Z][\w&'’\-]*))*"
_WITH_FIRM = rf"(?:\s+(?:with|from|of|at)\s+(?P<firm>{_FIRM}))?"
_MISTER = r"(?:(?:Mr|Ms|Mrs|Dr)\.?\s+)?"
#: The operator or the host naming the next questioner.
_ANNOUNCE = [
    re.compile(rf"\bquestions?\b[^.?!]{{0,30}}?\bfrom\s+(?:the\s+line\s+of\s+)?{_MISTER}"
               rf"(?P<name>{_NAME}){_WITH_FIRM}"),
    re.compile(rf"\bline\s+of\s+{_MISTER}(?P<name>{_NAME}){_WITH_FIRM}"),
    re.compile(rf"\b(?:go|move|turn)\s+(?:on\s+)?(?:next\s+)?to\s+{_MISTER}(?P<name>{_NAME})"
               rf"\s+(?:with|from|of|at)\s+(?P<firm>{_FIRM})"),
    re.compile(rf"(?P<name>{_NAME})\s+(?:with|from|of|at)\s+(?P<firm>{_FIRM})[.,]?\s+"
               r"(?:[Pp]lease go ahead|[Yy]our line is (?:now )?open|"
               r"[Yy]ou may (?:begin|proceed))"),
]  # fmt: skip
#: The operator's formula that a transcript may glue into another speaker's turn.
_FORMULA = re.compile(
    rf"\b(?:next|first|last|final|following)\s+question\b[^.?!]{{0,30}}?\bfrom\s+"
    rf"(?:the\s+line\s+of\s+)?{_MISTER}(?P<name>{_NAME}){_WITH_FIRM}"
)
#: The operator's shorter forms: "We will begin with X with Firm", "That will come from X".
_OPERATOR_ANNOUNCE = re.compile(
    rf"\b(?:(?:comes?|coming)\s+from|(?:begin|start)\s+with)\s+(?:the\s+line\s+of\s+)?"
    rf"{_MISTER}(?P<name>{_NAME}){_WITH_FIRM}"
)
#: The operator or host opening the questions ("we will now open the lines for a question and
#: answer session", "The first question is, ...").
_QA_OPENS = re.compile(
    r"\b(?:will|'ll|shall)\s+now\s+(?:open|begin|start|take|conduct|move)\b[^.?!]{0,60}?"
    r"\bquestions?\b|(?:^|[.?!]\s+)(?:\w+,?\s+)?(?:the|our|your)\s+(?:first|next)\s+question\s+"
    r"(?:is|comes|will come)\b|(?:(?:^|[.?!]\s+)(?:(?:so|and|okay),?\s+)?(?:moving|turning|"
    r"let's\s+(?:move|turn|go))|\bnow\b[^.?!]{0,30}?\b(?:move|moving|turn|turning|go|going))"
    r"\s+(?:on\s+)?to\s+(?:[\w.&'’-]+\s+){0,3}?(?:Q&A|Q and A|question-and-answer|"
    r"question and answer|questions)\b",
    re.I,
)
#: Words in a turn that only greets ("Good morning, Vebs.") before the questioner speaks.
_GREETING = 12
_WELCOME = re.compile(r"\bwelcome to\b", re.I)
#: The operator coming back after the company's remarks: the questions begin.
_OPERATOR_QA = re.compile(r"\bquestions?\b|\[operator instructions?\]", re.I)
_TURN_OVER = re.compile(
    r"\b(?:turn|hand|pass)(?:\s+(?:it|things|the call|the conference|the floor|this))?"
    rf"(?:\s+(?:back|off))?\s+(?:over\s+)?to\s+{_MISTER}(?P<name>{_NAME})"
)


def _people(turns: list[Turn]) -> dict[str, str]:
    """Each speaker's name → the first-written name of the same person ("Samuel Ortiz" is
    "Sam Ortiz" when both label turns); operators and placeholders are nobody."""
    canon: dict[str, str] = {}
    for t in turns:
        if t.role == "operator" or t.speaker in canon or PLACEHOLDER.match(t.speaker):
            continue
        full = len(name_words(t.speaker)) > 1
        known = dict.fromkeys(canon.values())
        canon[t.speaker] = next(
            (c for c in known if full and len(name_words(c)) > 1 and same_person(c, t.speaker)),
            t.speaker,
        )
    return canon


@dataclass
class _Cast:
    """What is known of each person so far (keyed by their first-written name)."""

    people: dict[str, str]
    role: dict[str, Role]
    title: dict[str, str]
    firm: dict[str, str]
    host: str | None
    #: each person's full-name forms in running text ("Bill Reyes" for "William J. Reyes")
    mentions: dict[str, re.Pattern[str]]

    def of(self, turn: Turn) -> str | None:
        return self.people.get(turn.speaker)


def _stated(turns: list[Turn]) -> _Cast:
    """What the labels state: roles, titles, firms; and who hosts the call."""
    people = _people(turns)
    forms = {who: [n for n, w in people.items() if w == who] for who in people.values()}
    mentions = {who: p for who, names in forms.items() if (p := name_pattern(names))}
    cast = _Cast(people, {}, {}, {}, None, mentions)
    for t in turns:
        who = people.get(t.speaker)
        if who is not None and t.role == "analyst":
            cast.role[who] = "analyst"
    for t in turns:
        who = people.get(t.speaker)
        if who is None:
            continue
        if t.role == "executive":
            cast.role.setdefault(who, "executive")
        if t.title:
            cast.title.setdefault(who, t.title)
        if t.affiliation:
            cast.firm.setdefault(who, t.affiliation)
    first = next((i for i, t in enumerate(turns) if t.role != "operator"), None)
    # the first voice after the operator's welcome is the company's host (usually IR)
    if first is not None and first <= 2 and turns[first].section != "qa":
        cast.host = people.get(turns[first].speaker)
    return cast


def _announcer(cast: _Cast, turn: Turn) -> bool:
    return turn.role == "operator" or (cast.host is not None and cast.of(turn) == cast.host)


def _last_announcement(turn: Turn, cast: _Cast) -> re.Match[str] | None:
    if turn.role == "operator":
        patterns = [*_ANNOUNCE, _OPERATOR_ANNOUNCE]
    else:
        # others announce only in the operator's own formula (transcripts glue the operator's
        # words into the previous turn): never "a question ... from Ram" in an analyst's turn
        patterns = _ANNOUNCE if _announcer(cast, turn) else [_FORMULA]
    # "... your speaker today, Jane Roe, Head of Investor Relations. Please go ahead" is no
    # questioner: a title is never a name
    found = [m for p in patterns for m in p.finditer(turn.text)
             if not CORE_TITLE.search(m["name"])]  # fmt: skip
    return max(found, key=lambda m: m.start("name")) if found else None


def _questioner(m: re.Match[str], i: int, turns: list[Turn], cast: _Cast) -> str | None:
    """Who the announcement in turn `i` names: the speaker among the next few whose name fits
    (an executive may greet them first: "Hi, Nigel"), else, after the operator, the first new
    voice (a colleague may stand in: "this is Steven on for Vincent")."""
    after = list(itertools.takewhile(lambda s: s.role != "operator", turns[i + 1 : i + 5]))
    for s in after:
        if s.speaker != turns[i].speaker and _fits(m["name"], s.speaker):
            return cast.of(s)
    earlier = turns[:i]
    if turns[i].role != "operator" or any(_fits(m["name"], p.speaker) for p in earlier):
        return None  # "the line of Mr. Marc just dropped" names someone already speaking
    for k, s in enumerate(after[:2]):
        if all(p.speaker != s.speaker for p in earlier):
            return cast.of(s)
        if k == 0 and len(s.text.split()) > _GREETING:
            break  # a full answer, not a greeting before the questioner speaks
    return None


def _fits(announced: str, speaker: str) -> bool:
    """Whether the name the operator announces is this speaker's ("Vebs Vaishnav" for
    "Vaibhav Vaishnav": a full name with the same surname is enough)."""
    said, label = name_words(announced), name_words(speaker)
    surname = len(said) > 1 and len(label) > 1 and said[-1] == label[-1]
    return surname or same_person(announced, speaker, loose=True)


def _announced(turns: list[Turn], cast: _Cast) -> int | None:
    """Mark the questioners the operator or host announces as analysts; the index of the first
    announcement, where the questions start."""
    first: int | None = None
    # the operator's welcome hands the call to the host, not to a questioner
    welcome = next((i for i, t in enumerate(turns) if t.role != "operator"), len(turns))
    for i, t in enumerate(turns[welcome:], welcome):
        # it starts the Q&A when the operator says it with a question, or it names who
        # speaks next (the host's, or the operator's words glued into another turn)
        if (m := _last_announcement(t, cast)) is None:
            continue
        who = _questioner(m, i, turns, cast)
        if who is not None or (t.role == "operator" and _OPERATOR_QA.search(t.text)):
            first = i if first is None else first
        if who is None or cast.role.get(who) == "executive":
            continue
        cast.role[who] = "analyst"
        if m["firm"]:
            cast.firm.setdefault(who, m["firm"])
    return first


def _sections(turns: list[Turn], cast: _Cast, announced: int | None) -> list[Turn]:
    """Sections where no marker gave them: questions start at the first announcement, the
    operator or host opening them, or the first analyst's turn."""
    company = next((i for i, t in enumerate(turns) if cast.of(t)), len(turns))
    cues = [
        (i for i, t in enumerate(turns) if t.section == "qa"),
        (i for i, t in enumerate(turns) if _announcer(cast, t) and _QA_OPENS.search(t.text)),
        # the operator back after the company's remarks, with instructions or a question
        (i for i, t in enumerate(turns) if i > company and t.role == "operator"
         and _OPERATOR_QA.search(t.text) and not _WELCOME.search(t.text)),
        (i for i, t in enumerate(turns) if cast.role.get(cast.of(t) or "") == "analyst"),
        (i for i, t in enumerate(turns) if t.role == "analyst"),
    ]  # fmt: skip
    starts = [i for cue in cues if (i := next(cue, None)) is not None]
    if announced is not None:
        starts.append(announced)
    if not starts and turns[0].role != "operator":
        return turns
    # a call the operator opens and nobody asks anything in is all prepared remarks
    qa = min(starts, default=len(turns))
    return [t if t.section != "unknown" else replace(t, section="prepared" if i < qa else "qa")
            for i, t in enumerate(turns)]  # fmt: skip


def _promote(cast: _Cast, who: str | None) -> None:
    if who is not None and who not in cast.role:
        cast.role[who] = "executive"


def _introduced(turns: list[Turn], cast: _Cast) -> None:
    """The company's people: the host, who speaks in prepared remarks, and whom the operator
    and the company introduce or hand the call to."""
    if turns[0].role == "operator":
        _promote(cast, cast.host)  # the first voice after the operator's welcome
    for t in turns:
        if t.section == "prepared" and t.role != "operator":
            _promote(cast, cast.of(t))  # prepared remarks are the company's
    for i, t in enumerate(turns):
        if t.section == "prepared" or (t.section == "unknown" and _announcer(cast, t)):
            # "with us today are ...", "joined by our CFO, ..."
            for named, pattern in cast.mentions.items():
                if pattern.search(t.text):
                    _promote(cast, named)
        if t.section == "prepared" or _announcer(cast, t):
            for m in _TURN_OVER.finditer(t.text):
                _promote(cast, _resolve(m["name"], turns[i + 1 :], cast))


def _unannounced_questioners(turns: list[Turn], cast: _Cast) -> None:
    """A new voice the operator hands the line to in Q&A ("Next question, please"), whom
    nothing made one of the company's people, is a questioner."""
    for i, t in enumerate(turns[1:], 1):
        who = cast.of(t)
        if who is None or who in cast.role or t.section != "qa" or turns[i - 1].role != "operator":
            continue
        # when the operator named the questioner, a new voice first is someone greeting them
        named = _last_announcement(turns[i - 1], cast) is not None
        if not named and all(cast.of(s) != who for s in turns[:i]):
            cast.role[who] = "analyst"


def _answerers(turns: list[Turn], cast: _Cast) -> None:
    """Whoever answers an analyst, or a question the host reads out, speaks for the company."""
    asker: str | None = None
    replying = False  # the host asking an analyst "does that answer it?" reads out nothing
    for t in turns:
        speaker = cast.of(t)
        if t.section != "qa" or t.role == "operator" or speaker is None:
            asker, replying = None, False  # the operator moves on to the next questioner
        elif cast.role.get(speaker) == "analyst":
            asker, replying = speaker, True
        elif speaker == cast.host and "?" in t.text and not replying:
            asker = speaker
        elif asker is not None:
            _promote(cast, speaker)


def _resolve(name: str, following: list[Turn], cast: _Cast) -> str | None:
    """The person a short name means: the next speaker when the names fit ("over to Tim" before
    "William J. Reyes"), else the only speaker it can be."""
    nxt = next((t for t in following if t.role != "operator"), None)
    if nxt is not None and same_person(name, nxt.speaker, loose=True):
        return cast.of(nxt)
    fits = {w for n, w in cast.people.items() if same_person(name, n)}
    return fits.pop() if len(fits) == 1 else None


def _titles(turns: list[Turn], cast: _Cast) -> None:
    """Titles of executives stated anywhere in the call, next to their full name."""
    wanted = {w for w in cast.mentions if cast.role.get(w) == "executive" and w not in cast.title}
    for t in turns:
        if not wanted:
            return
        found = sorted((m.start(), m.end(), who) for who, p in cast.mentions.items()
                       for m in p.finditer(t.text))  # fmt: skip
        for k, (start, end, who) in enumerate(found):
            if who not in wanted:
                continue
            after = t.text[end : found[k + 1][0] if k + 1 < len(found) else len(t.text)]
            before = t.text[found[k - 1][1] if k else 0 : start]
            if title := title_after(after) or title_before(before):
                cast.title[who] = title
                wanted.discard(who)


def infer_roles(turns: list[Turn]) -> list[Turn]:
    """Turns with sections, roles, titles and firms completed from what the transcript itself
    says; what a label or roster states is kept, and an analyst is never an executive."""
    if not turns:
        return turns
    cast = _stated(turns)
    turns = _sections(turns, cast, _announced(turns, cast))
    _introduced(turns, cast)
    _unannounced_questioners(turns, cast)
    _answerers(turns, cast)
    _titles(turns, cast)
    done = []
    for t in turns:
        who = cast.of(t)
        role = t.role if who is None else cast.role.get(who, t.role)
        if role == "unknown" and t.section == "prepared" and PLACEHOLDER.match(t.speaker):
            role = "executive"  # "Unidentified Speaker" reading the safe harbor
        title = t.title or (cast.title.get(who) if who else None)
        firm = t.affiliation or (cast.firm.get(who) if who and role == "analyst" else None)
        done.append(replace(t, role=role, title=title, affiliation=firm))
    return done
