"""Briefs before each meeting: the meetings of a calendar export (.ics, from Google Calendar or
Outlook) in the coming day(s), each matched to the accounts its attendees work for, and the
personas to aim the brief at, from the attendees' titles in the CRM's contacts.

calendar.ics ─► meetings in the window (recurring ones expanded, cancelled ones and declined
attendees left out) ─► attendees' addresses ─► accounts (a contact's address, else the
account's domain or its contacts' domains) ─► personas from the matched contacts' titles
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import icalendar
from dateutil.rrule import rrulestr

from agent.crm import Contact
from agent.errors import ParseError
from agent.schemas import Account, Persona
from tools.problems import failure, note

#: Title words that say which value language a person hears, most telling first: a "Chief
#: Financial Officer" hears finance, a "Director of Procurement" procurement.
_TITLE_PERSONAS: tuple[tuple[Persona, re.Pattern[str]], ...] = tuple(
    (persona, re.compile(pattern, re.IGNORECASE))
    for persona, pattern in (
        (Persona.procurement, r"\b(procurement|sourcing|purchasing|vendor management|buyer)\b"),
        (
            Persona.finance,
            r"\b(cfo|finance|financial|controller|treasurer|fp&a|accounting|budget)\b",
        ),
        (
            Persona.executive_sponsor,
            r"\b(chief|ceo|cto|cio|coo|cmo|cdo|cpo|cro|ciso|president|founder|co-founder"
            r"|evp|svp|executive vice president|senior vice president|managing director)\b",
        ),
        (
            Persona.business_unit_leader,
            r"\b(vp|vice president|head of|director|general manager|gm)\b",
        ),
        (
            Persona.end_user,
            r"\b(manager|lead|engineer|analyst|specialist|associate|coordinator|administrator"
            r"|developer|designer|architect|consultant|agent|representative|planner|owner)\b",
        ),
    )
)
#: CRM buying roles that name a persona outright.
_ROLE_PERSONAS: dict[str, Persona] = {
    "champion": Persona.champion,
    "executive_sponsor": Persona.executive_sponsor,
    "procurement": Persona.procurement,
    "finance": Persona.finance,
    "end_user": Persona.end_user,
}
#: Mail providers anyone can use: an address there says nothing about an employer.
_PUBLIC_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "qq.com",
        "163.com",
    }
)
_MAX_OCCURRENCES = 1000


@dataclass(frozen=True)
class Attendee:
    """Someone invited to a meeting."""

    email: str
    name: str | None = None

    @property
    def domain(self) -> str:
        """The part of the address after the @, lower-cased."""
        return self.email.rpartition("@")[2].casefold()


@dataclass(frozen=True)
class Meeting:
    """One occurrence of a calendar event."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    attendees: tuple[Attendee, ...]


@dataclass
class Attending:
    """An account met in a meeting: who of it attends, as the CRM knows them, and the
    personas a brief for them speaks to."""

    account: Account
    attendees: list[Attendee] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def personas(self) -> list[Persona]:
        """The personas of the attendees' titles and roles (empty when none is known)."""
        return personas_of(self.contacts)


@dataclass
class MeetingMatch:
    """A meeting and the accounts it meets (none: the meeting matches no account)."""

    meeting: Meeting
    accounts: list[Attending] = field(default_factory=list)


def read_meetings(path: Path, start: datetime, end: datetime) -> list[Meeting]:
    """The meetings of a calendar file that overlap [start, end), in time order."""
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except OSError:
        raise
    except Exception as exc:  # the parser raises ValueError and others on broken files
        reason = failure(exc)
        raise ParseError(f"{path}: not a calendar file (.ics) that can be read: {reason}") from exc
    # components are read loosely (Any): exports put any value type in any property
    events: list[Any] = [e for e in calendar.walk("VEVENT") if "DTSTART" in e]
    # an occurrence moved or cancelled on its own is an event of its own (RECURRENCE-ID)
    moved = set()
    for event in events:
        with contextlib.suppress(Exception):  # a broken one is reported when it is read
            if "RECURRENCE-ID" in event:
                moved.add((_uid(event), _moment(event["RECURRENCE-ID"].dt)))
    found: list[Meeting | None] = []
    for event in events:
        try:
            found += _event_meetings(event, start, end, moved)
        except Exception as exc:  # one broken event; the others are still read
            note(f"{path}: event {str(event.get('SUMMARY', ''))!r} skipped: {failure(exc)}")
    return sorted(
        (m for m in found if m is not None and m.end > start and m.start < end),
        key=lambda m: (m.start, m.summary),
    )


def match_meetings(
    meetings: Iterable[Meeting], accounts: Mapping[str, Account], contacts: Sequence[Contact]
) -> list[MeetingMatch]:
    """Each meeting with the accounts its attendees work for."""
    by_email = {c.email.casefold(): c for c in contacts if c.email}
    domains = _account_domains(accounts, contacts)
    matches = []
    for meeting in meetings:
        met: dict[str, Attending] = {}
        for attendee in meeting.attendees:
            contact = by_email.get(attendee.email.casefold())
            account_id = contact.account_id if contact else _by_domain(domains, attendee.domain)
            if account_id is None or account_id not in accounts:
                continue
            entry = met.setdefault(account_id, Attending(account=accounts[account_id]))
            entry.attendees.append(attendee)
            contact = contact or _by_name(contacts, account_id, attendee.name)
            if contact is not None and contact not in entry.contacts:
                entry.contacts.append(contact)
        matches.append(MeetingMatch(meeting=meeting, accounts=list(met.values())))
    return matches


def persona_of_title(title: str | None) -> Persona | None:
    """The persona whose value language a job title hears, or None when it does not say."""
    if not title:
        return None
    for persona, pattern in _TITLE_PERSONAS:
        if pattern.search(title):
            return persona
    return None


def personas_of(contacts: Iterable[Contact]) -> list[Persona]:
    """The personas of these people: from each one's title, and their CRM role where it names
    one (a champion hears the champion's language too), each once, in persona order."""
    found: set[Persona] = set()
    for contact in contacts:
        by_title = persona_of_title(contact.title)
        if by_title is not None:
            found.add(by_title)
        if contact.role in _ROLE_PERSONAS:
            found.add(_ROLE_PERSONAS[contact.role])
    return [p for p in Persona if p in found]


def _event_meetings(
    event: Any, start: datetime, end: datetime, moved: set[tuple[str, datetime]]
) -> list[Meeting | None]:
    """The meetings of one event (each occurrence of a recurring one) from `start` to `end`;
    occurrences moved or cancelled on their own are left to their own events."""
    if "RECURRENCE-ID" in event:
        return [_meeting(event, None)]
    uid = _uid(event)
    return [
        _meeting(event, begins)
        for begins in _occurrences(event, start, end)
        if (uid, begins) not in moved
    ]


def _occurrences(event: Any, start: datetime, end: datetime) -> Iterator[datetime]:
    """The start times of an event (each of a recurring one) that may overlap [start, end)."""
    first = _moment(event["DTSTART"].dt)
    if "RRULE" not in event:
        yield first
        return
    length = _end(event, first) - first
    anchor = event["DTSTART"].dt
    if not isinstance(anchor, datetime):
        anchor = datetime.combine(anchor, time.min).astimezone()
    elif anchor.tzinfo is None:
        anchor = anchor.astimezone()
    rules = event["RRULE"] if isinstance(event["RRULE"], list) else [event["RRULE"]]
    excluded = {_moment(d.dt) for x in _listed(event.get("EXDATE")) for d in x.dts}
    for rule in rules:
        text = _utc_until(rule.to_ical().decode())
        try:
            recurrence = rrulestr(text, dtstart=anchor)
        except (ValueError, TypeError) as exc:
            summary = str(event.get("SUMMARY", ""))
            raise ParseError(f"event {summary!r}: recurrence {text!r}: {exc}") from exc
        for count, moment in enumerate(recurrence.xafter(start - length, inc=True)):
            if moment >= end or count >= _MAX_OCCURRENCES:
                break
            if _moment(moment) not in excluded:
                yield _moment(moment)


def _meeting(event: Any, start: datetime | None) -> Meeting | None:
    """One occurrence as a meeting (starting at `start` for a recurring one), or None when
    it is cancelled."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    first = _moment(event["DTSTART"].dt)
    begins = start or first
    ends = begins + (_end(event, first) - first)
    attendees = tuple(
        Attendee(email=email, name=str(a.params.get("CN")) if a.params.get("CN") else None)
        for a in _listed(event.get("ATTENDEE"))
        if str(a.params.get("PARTSTAT", "")).upper() != "DECLINED" and (email := _address(str(a)))
    )
    return Meeting(
        uid=_uid(event),
        summary=" ".join(str(event.get("SUMMARY", "(no title)")).split()),
        start=begins,
        end=ends,
        attendees=attendees,
    )


def _end(event: Any, first: datetime) -> datetime:
    if "DTEND" in event:
        return max(first, _moment(event["DTEND"].dt))
    if "DURATION" in event:
        return first + event["DURATION"].dt
    all_day = not isinstance(event["DTSTART"].dt, datetime)
    return first + (timedelta(days=1) if all_day else timedelta(0))


def _moment(value: date | datetime) -> datetime:
    """A calendar time in UTC: a floating time is the machine's local time, a day its start."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(UTC)


def _utc_until(rule: str) -> str:
    """A rule's UNTIL in UTC, as RFC 5545 asks when the start has a zone (exports differ)."""

    def fix(match: re.Match[str]) -> str:
        value = match.group(1)
        if len(value) == 8:
            return f"UNTIL={value}T235959Z"
        return f"UNTIL={value}" if value.endswith("Z") else f"UNTIL={value}Z"

    return re.sub(r"UNTIL=([0-9TZ]+)", fix, rule)


def _uid(event: Any) -> str:
    return str(event.get("UID", ""))


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _address(value: str) -> str | None:
    email = value.strip()
    if email.casefold().startswith("mailto:"):
        email = email[7:]
    email = email.strip().casefold()
    return email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) else None


def _account_domains(
    accounts: Mapping[str, Account], contacts: Sequence[Contact]
) -> dict[str, str]:
    """Mail domains of each account: its own domain, and its contacts' (public mail left out)."""
    domains: dict[str, str] = {}
    for contact in contacts:
        domain = (contact.email or "").rpartition("@")[2].casefold()
        if domain and domain not in _PUBLIC_MAIL and contact.account_id in accounts:
            domains.setdefault(domain, contact.account_id)
    for account in accounts.values():
        own = _domain_of(account.domain)
        if own:
            domains[own] = account.account_id
    return domains


def _domain_of(value: str | None) -> str | None:
    """A book's domain column ("https://www.acme.com/about") as a bare domain."""
    if not value:
        return None
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.strip().casefold())
    text = text.split("/")[0].split(":")[0].removeprefix("www.")
    return text or None


def _by_domain(domains: Mapping[str, str], domain: str) -> str | None:
    """The account of a mail domain, or of the nearest parent domain (eu.acme.com → acme.com)."""
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        found = domains.get(".".join(parts[i:]))
        if found:
            return found
    return None


def _by_name(contacts: Sequence[Contact], account_id: str, name: str | None) -> Contact | None:
    if not name:
        return None
    key = " ".join(name.split()).casefold()
    for contact in contacts:
        if contact.account_id == account_id and " ".join(contact.name.split()).casefold() == key:
            return contact
    return None
