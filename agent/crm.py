"""The CSM's own data: contacts, usage, support tickets and meetings, imported from CRM exports
(Salesforce, HubSpot, a product-analytics CSV) and kept as `crm/<kind>.json` in the workspace.

Every file joins the book on `account_id`; an export without an id column joins on the account
name, slugified the way the book makes ids. Values are mapped loosely: buying roles ("Exec
Sponsor", "Economic Buyer"; a multi-select keeps the role that matters most, champion first),
contact statuses ("Left Company", "Inactive" → departed), meeting kinds ("Quarterly Business
Review" → qbr) and outcomes ("Completed" → held, "No show" → missed, "Canceled" and
"Rescheduled" → cancelled; a blank outcome → held, as exports leave it blank once a meeting
took place).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from agent.atomic import write_atomic
from agent.book import account_id_for, load_book, slugify
from agent.config import Settings
from agent.csvio import Imported, Table, parse_date, parse_float, parse_int, read_csv
from agent.errors import ConfigError, ParseError

#: The account id of a CRM row's account name (the book's, when it has that account).
Resolver = Callable[[str], str]

ContactRole = Literal[
    "champion",
    "decision_maker",
    "economic_buyer",
    "procurement",
    "finance",
    "it",
    "end_user",
    "executive_sponsor",
    "other",
]
MeetingStatus = Literal["held", "missed", "cancelled", "scheduled"]
CrmKind = Literal["contacts", "usage", "tickets", "meetings"]
CRM_KINDS: tuple[CrmKind, ...] = ("contacts", "usage", "tickets", "meetings")


class CrmRecord(BaseModel):
    """What every CRM record has: the account it belongs to."""

    model_config = ConfigDict(extra="forbid")

    account_id: str


class Contact(CrmRecord):
    """A person at the client as the CRM knows them."""

    name: str
    email: str | None = None
    title: str | None = None
    role: ContactRole = "other"
    status: Literal["active", "departed"] = "active"
    departed_on: date | None = None


class UsagePoint(CrmRecord):
    """One reading of product usage and health (a day or a week, as the export has it)."""

    date: date
    active_users: int | None = None
    seats_used: int | None = None
    api_calls: int | None = None
    api_limit: int | None = None
    health_score: float | None = None


class Ticket(CrmRecord):
    """A support ticket (a Salesforce case, a HubSpot or Zendesk ticket)."""

    ticket_id: str
    opened_on: date
    priority: str | None = None
    status: str | None = None
    subject: str | None = None


class Meeting(CrmRecord):
    """A customer meeting and what became of it."""

    date: date
    kind: str
    status: MeetingStatus


@dataclass
class CrmData:
    """All of the CSM's own records, for the whole book or for one account."""

    contacts: list[Contact] = field(default_factory=list)
    usage: list[UsagePoint] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)

    def for_account(self, account_id: str) -> CrmData:
        """The records of one account."""
        return CrmData(
            contacts=[r for r in self.contacts if r.account_id == account_id],
            usage=[r for r in self.usage if r.account_id == account_id],
            tickets=[r for r in self.tickets if r.account_id == account_id],
            meetings=[r for r in self.meetings if r.account_id == account_id],
        )


_MODELS: dict[CrmKind, type[CrmRecord]] = {
    "contacts": Contact,
    "usage": UsagePoint,
    "tickets": Ticket,
    "meetings": Meeting,
}

#: Export spellings every kind shares: how a row names its account.
_ACCOUNT_ALIASES = {
    "accountid": "account_id",
    "accountid18": "account_id",
    "companyid": "account_id",
    "associatedcompanyid": "account_id",
    "customerid": "account_id",
    "accountname": "account_name",
    "account": "account_name",
    "company": "account_name",
    "companyname": "account_name",
    "associatedcompany": "account_name",
    "customer": "account_name",
}
CONTACT_ALIASES = _ACCOUNT_ALIASES | {
    "name": "name",
    "fullname": "name",
    "contactname": "name",
    "contact": "name",
    "firstname": "first_name",
    "lastname": "last_name",
    "email": "email",
    "emailaddress": "email",
    "title": "title",
    "jobtitle": "title",
    "role": "role",
    "contactrole": "role",
    "buyingrole": "role",
    "buyingcommitteerole": "role",
    "status": "status",
    "contactstatus": "status",
    "departedon": "departed_on",
    "departuredate": "departed_on",
    "leftcompanyon": "departed_on",
    "dateleft": "departed_on",
}
USAGE_ALIASES = _ACCOUNT_ALIASES | {
    "date": "date",
    "day": "date",
    "week": "date",
    "weekending": "date",
    "weekof": "date",
    "period": "date",
    "snapshotdate": "date",
    "activeusers": "active_users",
    "wau": "active_users",
    "dau": "active_users",
    "mau": "active_users",
    "weeklyactiveusers": "active_users",
    "dailyactiveusers": "active_users",
    "monthlyactiveusers": "active_users",
    "seatsused": "seats_used",
    "licensesused": "seats_used",
    "activeseats": "seats_used",
    "apicalls": "api_calls",
    "apirequests": "api_calls",
    "apilimit": "api_limit",
    "apiquota": "api_limit",
    "apicalllimit": "api_limit",
    "healthscore": "health_score",
    "health": "health_score",
    "customerhealth": "health_score",
}
TICKET_ALIASES = _ACCOUNT_ALIASES | {
    "ticketid": "ticket_id",
    "ticketnumber": "ticket_id",
    "casenumber": "ticket_id",
    "caseid": "ticket_id",
    "id": "ticket_id",
    "created": "opened_on",
    "opened": "opened_on",
    "createddate": "opened_on",
    "createdat": "opened_on",
    "createdon": "opened_on",
    "createdate": "opened_on",
    "dateopened": "opened_on",
    "openeddate": "opened_on",
    "priority": "priority",
    "status": "status",
    "ticketstatus": "status",
    "subject": "subject",
    "ticketname": "subject",
    "title": "subject",
}
MEETING_ALIASES = _ACCOUNT_ALIASES | {
    "date": "date",
    "meetingdate": "date",
    "startdate": "date",
    "starttime": "date",
    "activitydate": "date",
    "type": "kind",
    "meetingtype": "kind",
    "kind": "kind",
    "status": "status",
    "outcome": "status",
    "meetingoutcome": "status",
}

#: Buying-role values, compared on letters only; anything else is "other".
_ROLES: dict[str, ContactRole] = {
    "champion": "champion",
    "decisionmaker": "decision_maker",
    "economicbuyer": "economic_buyer",
    "budgetholder": "economic_buyer",
    "procurement": "procurement",
    "purchasing": "procurement",
    "sourcing": "procurement",
    "finance": "finance",
    "it": "it",
    "itsecurity": "it",
    "technicalbuyer": "it",
    "enduser": "end_user",
    "user": "end_user",
    "executivesponsor": "executive_sponsor",
    "execsponsor": "executive_sponsor",
    "sponsor": "executive_sponsor",
}
#: When a multi-select role lists several, the one that matters most for triggers wins.
_ROLE_RANK: tuple[ContactRole, ...] = (
    "champion",
    "executive_sponsor",
    "economic_buyer",
    "decision_maker",
    "procurement",
    "finance",
    "it",
    "end_user",
)
_DEPARTED = {"departed", "leftcompany", "left", "inactive", "former", "nolongeratcompany"}
_MEETING_STATUS: dict[str, MeetingStatus] = {
    "held": "held",
    "completed": "held",
    "complete": "held",
    "done": "held",
    "occurred": "held",
    "missed": "missed",
    "noshow": "missed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "rescheduled": "cancelled",
    "scheduled": "scheduled",
    "planned": "scheduled",
    "upcoming": "scheduled",
}


def import_contacts(path: Path, resolve: Resolver = slugify) -> Imported[Contact]:
    """Contacts from a CRM export; a bad row is reported by line and the rest are kept."""
    table = _read(path, CONTACT_ALIASES, any_of={"name", "first_name", "last_name"})
    return table.convert(functools.partial(_contact, resolve=resolve))


def import_usage(path: Path, resolve: Resolver = slugify) -> Imported[UsagePoint]:
    """Usage and health readings from an export; bad rows are reported by line."""
    return _read(path, USAGE_ALIASES, any_of={"date"}).convert(
        functools.partial(_usage_point, resolve=resolve)
    )


def import_tickets(path: Path, resolve: Resolver = slugify) -> Imported[Ticket]:
    """Support tickets from a helpdesk or CRM export; bad rows are reported by line."""
    return _read(path, TICKET_ALIASES, any_of={"opened_on"}).convert(
        functools.partial(_ticket, resolve=resolve)
    )


def import_meetings(path: Path, resolve: Resolver = slugify) -> Imported[Meeting]:
    """Meetings (QBRs, EBRs, check-ins) from a CRM export; bad rows are reported by line."""
    return _read(path, MEETING_ALIASES, any_of={"date"}).convert(
        functools.partial(_meeting, resolve=resolve)
    )


#: The importer of each kind, for commands that take one file of each.
IMPORTERS: dict[CrmKind, Callable[[Path, Resolver], Imported[Any]]] = {
    "contacts": import_contacts,
    "usage": import_usage,
    "tickets": import_tickets,
    "meetings": import_meetings,
}


def crm_file(settings: Settings, kind: CrmKind) -> Path:
    """Where one kind of CRM record is kept in the workspace."""
    return settings.home / "crm" / f"{kind}.json"


def save_crm(settings: Settings, kind: str, rows: Sequence[CrmRecord]) -> None:
    """Store imported records, replacing those of the accounts they cover (so importing the
    same file twice changes nothing); written atomically."""
    crm_kind = _kind(kind)
    covered = {r.account_id for r in rows}
    stored = _load(settings, crm_kind, _MODELS[crm_kind])
    kept = [r for r in stored if r.account_id not in covered]
    data = [r.model_dump(mode="json") for r in [*kept, *rows]]
    write_atomic(crm_file(settings, crm_kind), json.dumps(data, indent=1, ensure_ascii=False))


def import_crm_file(settings: Settings, kind: CrmKind, path: Path) -> Imported[Any]:
    """Read one CRM export and store its rows in the workspace; the rows rejected by line.

    A row naming its account joins the book's account of that name (its stored id), and a
    name several accounts answer to is a rejected row.
    """
    book = load_book(settings)
    imported = IMPORTERS[kind](path, lambda name: account_id_for(book, name))
    save_crm(settings, kind, imported.rows)
    return imported


def load_crm(settings: Settings) -> CrmData:
    """Everything imported so far; kinds never imported are empty."""
    return CrmData(
        contacts=_load(settings, "contacts", Contact),
        usage=_load(settings, "usage", UsagePoint),
        tickets=_load(settings, "tickets", Ticket),
        meetings=_load(settings, "meetings", Meeting),
    )


_R = TypeVar("_R", bound=CrmRecord)


def _load(settings: Settings, kind: CrmKind, model: type[_R]) -> list[_R]:
    path = crm_file(settings, kind)
    if not path.is_file():
        return []
    try:
        return TypeAdapter(list[model]).validate_json(path.read_bytes())  # type: ignore[valid-type]
    except (OSError, ValidationError) as exc:
        raise ConfigError(f"{path}: unreadable CRM data ({exc.__class__.__name__})") from exc


def _kind(kind: str) -> CrmKind:
    for known in CRM_KINDS:
        if kind == known:
            return known
    raise ConfigError(f"unknown CRM data kind {kind!r} (one of {', '.join(CRM_KINDS)})")


def _read(path: Path, aliases: dict[str, str], any_of: set[str]) -> Table:
    table = read_csv(path, aliases)
    if not table.columns & {"account_id", "account_name"}:
        raise ParseError(f"{path}: no account id or account name column in the header")
    if not table.columns & any_of:
        raise ParseError(f"{path}: no {' or '.join(sorted(any_of))} column in the header")
    return table


def _account_id(values: dict[str, str], resolve: Resolver) -> str:
    if "account_id" in values:
        return values["account_id"]
    if "account_name" in values:
        return resolve(values["account_name"])
    raise ValueError("no account id or name")


def _folded(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.casefold())


def _contact(values: dict[str, str], resolve: Resolver) -> Contact:
    name = values.get("name") or " ".join(
        values[k] for k in ("first_name", "last_name") if k in values
    )
    if not name:
        raise ValueError("no contact name")
    status = "departed" if _folded(values.get("status", "")) in _DEPARTED else "active"
    departed_on = values.get("departed_on")
    return Contact(
        account_id=_account_id(values, resolve),
        name=" ".join(name.split()),
        email=values.get("email"),
        title=values.get("title"),
        role=_role(values.get("role", "")),
        status=status,
        departed_on=parse_date(departed_on) if departed_on else None,
    )


def _role(value: str) -> ContactRole:
    found = {_ROLES[_folded(part)] for part in re.split(r"[;,|]", value) if _folded(part) in _ROLES}
    return next((role for role in _ROLE_RANK if role in found), "other")


def _usage_point(values: dict[str, str], resolve: Resolver) -> UsagePoint:
    def count(column: str) -> int | None:
        return parse_int(values[column]) if column in values else None

    health = values.get("health_score")
    return UsagePoint(
        account_id=_account_id(values, resolve),
        date=parse_date(values.get("date", "")),
        active_users=count("active_users"),
        seats_used=count("seats_used"),
        api_calls=count("api_calls"),
        api_limit=count("api_limit"),
        health_score=parse_float(health) if health else None,
    )


def _ticket(values: dict[str, str], resolve: Resolver) -> Ticket:
    if "ticket_id" not in values:
        raise ValueError("no ticket id")
    return Ticket(
        account_id=_account_id(values, resolve),
        ticket_id=values["ticket_id"],
        opened_on=parse_date(values.get("opened_on", "")),
        priority=values.get("priority"),
        status=values.get("status"),
        subject=values.get("subject"),
    )


def _meeting(values: dict[str, str], resolve: Resolver) -> Meeting:
    raw_status = values.get("status", "")
    status = _MEETING_STATUS.get(_folded(raw_status), "held" if not raw_status else None)
    if status is None:
        raise ValueError(f"unknown meeting status {raw_status!r}")
    return Meeting(
        account_id=_account_id(values, resolve),
        date=parse_date(values.get("date", "")),
        kind=_meeting_kind(values.get("kind", "")),
        status=status,
    )


def _meeting_kind(value: str) -> str:
    folded = _folded(value)
    if "qbr" in folded or "quarterlybusinessreview" in folded:
        return "qbr"
    if "ebr" in folded or "executivebusinessreview" in folded:
        return "ebr"
    if "checkin" in folded:
        return "check-in"
    return " ".join(value.casefold().split()) or "meeting"
