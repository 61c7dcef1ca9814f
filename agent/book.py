"""The CSM's book of accounts: kept as `book.json` in the workspace, imported from CRM CSVs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agent.atomic import write_atomic
from agent.config import Settings
from agent.csvio import parse_date, read_csv
from agent.errors import ConfigError, ParseError
from agent.schemas import Account

#: Common CRM-export spellings of the book's columns (compared after lower-casing and
#: dropping everything but letters and digits).
HEADER_ALIASES: dict[str, str] = {
    "accountid": "account_id",
    "id": "account_id",
    "accountname": "name",
    "company": "name",
    "companyname": "name",
    "website": "domain",
    "companydomainname": "domain",
    "tickersymbol": "ticker",
    "greenhouseboard": "greenhouse",
    "leversite": "lever",
    "ashbyboard": "ashby",
    "newsquery": "news_query",
    "newsroomfeed": "newsroom_feed",
    "reviewsurl": "reviews_url",
    "annualrecurringrevenue": "arr",
    "renewaldate": "renewal_date",
    "contractenddate": "renewal_date",
    "seatspurchased": "seats_purchased",
    "seats": "seats_purchased",
    "accountowner": "owner",
    "owner": "owner",
}
_LIST_FIELDS = {"aliases", "competitors"}


@dataclass
class ImportResult:
    """Accounts read from a CSV and the rows that could not be read, by line."""

    accounts: list[Account] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def slugify(name: str) -> str:
    """An account id from a name: lower case, words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug or "account"


def load_book(settings: Settings) -> dict[str, Account]:
    """The accounts of the workspace, by id."""
    path = settings.book_file
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {row["account_id"]: Account.model_validate(row) for row in rows}
    except (OSError, ValueError, KeyError, ValidationError) as exc:
        raise ConfigError(f"{path}: unreadable book ({exc.__class__.__name__})") from exc


def save_book(settings: Settings, accounts: Iterable[Account]) -> None:
    """Write the book atomically."""
    rows = [a.model_dump(mode="json") for a in sorted(accounts, key=lambda a: a.account_id)]
    write_atomic(settings.book_file, json.dumps(rows, indent=2))


def upsert_accounts(settings: Settings, accounts: Iterable[Account]) -> None:
    """Add or replace accounts in the book."""
    book = load_book(settings)
    book.update({a.account_id: a for a in accounts})
    save_book(settings, book.values())


def find_account(settings: Settings, key: str) -> Account:
    """The account whose id or name is `key` (case-insensitive)."""
    book = load_book(settings)
    if key in book:
        return book[key]
    wanted = _plain_name(key)
    for account in book.values():
        if wanted in (_plain_name(account.account_id), _plain_name(account.name)):
            return account
    raise ConfigError(
        f"no account {key!r} in the book at {settings.home} (see `dossier book list`)"
    )


_SUFFIXES = re.compile(r"\b(inc|incorporated|corp|corporation|co|company|ltd|llc|plc|gmbh|sa|ag)\b")


def _plain_name(name: str) -> str:
    """A name folded for lookup: case, punctuation and legal suffixes ignored."""
    words = re.sub(r"[^a-z0-9]+", " ", name.casefold())
    return " ".join(_SUFFIXES.sub(" ", words).split())


def ensure_account(settings: Settings, key: str) -> Account:
    """The account `key`, created with that name if the book does not have it yet."""
    try:
        return find_account(settings, key)
    except ConfigError:
        account = Account(account_id=slugify(key), name=key)
        upsert_accounts(settings, [account])
        return account


def import_csv(path: Path) -> ImportResult:
    """Read a book CSV; a bad row is reported by line and the rest are kept."""
    table = read_csv(path, HEADER_ALIASES)
    if not table.columns & {"name", "account_id"}:
        raise ParseError(f"{path}: no account name or id column in the header")
    imported = table.convert(_account_from_row)
    return ImportResult(imported.rows, imported.problems)


def _account_from_row(values: dict[str, str]) -> Account:
    data: dict[str, Any] = {}
    for key, value in values.items():
        if key not in Account.model_fields or not value:
            continue
        if key in _LIST_FIELDS:
            data[key] = [v.strip() for v in value.split(";") if v.strip()]
        elif key == "arr":
            digits = re.sub(r"[^\d.\-]", "", value)
            if not digits:
                raise ValueError(f"arr {value!r} is not a number")
            data[key] = float(digits)
        elif key == "renewal_date":
            data[key] = _renewal_date(value)
        elif key == "seats_purchased":
            data[key] = int(float(value.replace(",", "")))
        else:
            data[key] = value
    if "name" not in data:
        raise ValueError("no account name")
    data.setdefault("account_id", slugify(data["name"]))
    return Account.model_validate(data)


def _renewal_date(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(f"renewal date {value!r} is not a date") from None
