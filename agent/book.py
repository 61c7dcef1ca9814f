"""The CSM's book of accounts: kept as `book.json` in the workspace, imported from CRM CSVs.

Account ids are ASCII slugs of at most 64 characters, the same for the same name in any
workspace: a name in another script is transliterated and tagged with a short hash of the name
(transliteration loses what tells two names apart), and a long name is cut and tagged the same
way; only an id another account already holds makes a new account's id differ (tagged again).
An id once given never changes, so an existing workspace keeps its ids.

Two names are the same account when they differ only in case, punctuation, spacing or the
spelling of one legal form ("Acme, Inc." = "ACME Inc" = "Acme Incorporated"); other words or
another legal form make another account ("Acme Corp"). Every change of the book is a
read-modify-write under a lock beside it, written atomically, so processes never lose accounts.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from anyascii import anyascii
from pydantic import ValidationError

from agent.atomic import locked, write_atomic
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


MAX_ID_CHARS = 64
_TAG_CHARS = 8
#: Legal forms at the end of a name, each spelling mapped to one form.
_LEGAL_FORMS: dict[str, str] = {
    "inc": "inc",
    "incorporated": "inc",
    "corp": "corp",
    "corporation": "corp",
    "co": "co",
    "company": "co",
    "ltd": "ltd",
    "limited": "ltd",
    "llc": "llc",
    "llp": "llp",
    "lp": "lp",
    "plc": "plc",
    "gmbh": "gmbh",
    "ag": "ag",
    "sa": "sa",
    "se": "se",
    "nv": "nv",
    "bv": "bv",
    "srl": "srl",
    "spa": "spa",
    "pty": "pty",
    "kk": "kk",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class ImportResult:
    """Accounts read from a CSV, the rows that could not be read (by line), and the rows that
    named an account an earlier row already named (merged into it)."""

    accounts: list[Account] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    #: Ids the CSV gave; the other accounts' ids were made from their names.
    given_ids: set[str] = field(default_factory=set)


@dataclass
class BookChanges:
    """What an import did to the book: accounts created, updated, unchanged, and notes."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def clean_name(name: str) -> str:
    """An account name as stored: control characters dropped, whitespace folded."""
    return " ".join(_CONTROL.sub(" ", name).split())


def slugify(name: str) -> str:
    """The id a new account of this name gets: an ASCII slug of at most 64 characters.

    Stable for any script: a name that transliteration changes, or that is too long, is
    tagged with a short hash of the name, so two different names never share an id.
    """
    plain = unicodedata.normalize("NFKC", clean_name(name))
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(plain).casefold()).strip("-")
    # a letter outside ASCII, or a name of no letters at all ("🚀" reads as "rocket")
    lossy = any(c.isalnum() and not c.isascii() for c in plain) or not any(
        c.isalnum() for c in plain
    )
    if not slug:
        return _tagged("account", _digest(name_key(name)))
    if lossy or len(slug) > MAX_ID_CHARS:
        return _tagged(slug, _digest(name_key(name)))
    return slug


def name_key(name: str) -> str:
    """What makes two names the same account: letters and digits folded (case, width,
    punctuation and spacing ignored), a legal form at the end spelled one way."""
    base, forms = _name_parts(name)
    key = "".join((*base, *forms))
    return key or " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def load_book(settings: Settings) -> dict[str, Account]:
    """The accounts of the workspace, by id."""
    path = settings.book_file
    if not path.is_file():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {row["account_id"]: Account.model_validate(row) for row in rows}
    except (OSError, ValueError, KeyError, TypeError, RecursionError, ValidationError) as exc:
        raise ConfigError(
            f"{path}: unreadable book ({exc.__class__.__name__}): move it aside and import "
            "the accounts again (stored sources stay with their account ids)"
        ) from exc


def save_book(settings: Settings, accounts: Iterable[Account]) -> None:
    """Write the book atomically (callers that read it first hold `locked(book_file)`)."""
    rows = [a.model_dump(mode="json") for a in sorted(accounts, key=lambda a: a.account_id)]
    write_atomic(settings.book_file, json.dumps(rows, indent=2))


def upsert_accounts(settings: Settings, accounts: Iterable[Account]) -> None:
    """Add or replace accounts in the book, by id."""
    with locked(settings.book_file):
        book = load_book(settings)
        book.update({a.account_id: a for a in accounts})
        save_book(settings, book.values())


def find_account(settings: Settings, key: str) -> Account:
    """The account whose id or name is `key`: the same name (case, punctuation and spacing
    aside), or the name without its legal form when only one account has it."""
    found = _lookup(load_book(settings), clean_name(key))
    if found is None:
        raise ConfigError(
            f"no account {key!r} in the book at {settings.home} (see `dossier book list`)"
        )
    return found


def ensure_account(settings: Settings, key: str) -> Account:
    """The account `key`, created with that name if the book does not have it yet."""
    name = clean_name(key)
    if not name:
        raise ConfigError("an account needs a name")
    found = _lookup(load_book(settings), name)
    if found is not None:
        return found
    with locked(settings.book_file):
        book = load_book(settings)  # another process may have added it meanwhile
        found = _lookup(book, name)
        if found is not None:
            return found
        account = Account(account_id=_free_id(book, name), name=name)
        book[account.account_id] = account
        save_book(settings, book.values())
    return account


def account_id_for(book: Mapping[str, Account], name: str) -> str:
    """The id of the book's account named `name`, else the id a new account of it would get.

    A name that several accounts answer to raises ValueError (a CRM row cannot be joined).
    """
    try:
        found = _lookup(book, clean_name(name))
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    return found.account_id if found is not None else slugify(name)


def import_csv(path: Path) -> ImportResult:
    """Read a book CSV; a bad row is reported by line, rows naming one account are merged."""
    table = read_csv(path, HEADER_ALIASES)
    if not table.columns & {"name", "account_id"}:
        raise ParseError(f"{path}: no account name or id column in the header")
    imported = table.convert(lambda values: (_account_from_row(values), "account_id" in values))
    rows: list[tuple[Account, bool]] = []
    merged: list[str] = []
    # Rows are the same account with the same given id, or with the same name when one of
    # them gave no id; two different given ids are two accounts even under one name.
    by_id: dict[str, int] = {}
    by_name: dict[str, int] = {}
    by_name_without_id: dict[str, int] = {}
    for account, given in imported.rows:
        key = name_key(account.name)
        index = by_id.get(account.account_id) if given else by_name.get(key)
        if given and index is None:
            index = by_name_without_id.get(key)
        if index is None:
            index = len(rows)
            rows.append((account, given))
        else:
            first, first_given = rows[index]
            rows[index] = (_merged(first, account, given), given or first_given)
            merged.append(f"{path.name}: {account.name!r} is the same account as {first.name!r}")
            if given and not first_given:  # that row has an id now
                by_name_without_id = {k: i for k, i in by_name_without_id.items() if i != index}
        by_name.setdefault(key, index)
        if rows[index][1]:
            by_id[rows[index][0].account_id] = index
        else:
            by_name_without_id.setdefault(key, index)
    given_ids = {a.account_id for a, given in rows if given}
    # an id made from a name never takes an id the file gave to another account
    taken = {a.account_id: a for a, _ in rows}
    accounts = [
        a.model_copy(update={"account_id": _free_id(taken, a.name)})
        if not given and a.account_id in given_ids
        else a
        for a, given in rows
    ]
    return ImportResult(accounts, imported.problems, merged, given_ids)


def import_accounts(settings: Settings, imported: ImportResult) -> BookChanges:
    """Put imported accounts into the book under its lock: an account the book has (the same
    id, or with no id in the CSV the same name) is updated and keeps its id; others are created.
    """
    changes = BookChanges()
    given = [a for a in imported.accounts if a.account_id in imported.given_ids]
    named = [a for a in imported.accounts if a.account_id not in imported.given_ids]
    with locked(settings.book_file):
        book = load_book(settings)
        by_name: dict[str, set[str]] = {}
        for existing in book.values():
            by_name.setdefault(name_key(existing.name), set()).add(existing.account_id)
        for account in given:
            twins = sorted(by_name.get(name_key(account.name), set()) - {account.account_id})
            if twins and account.account_id not in book:
                changes.notes.append(
                    f"{account.name!r} (id {account.account_id}) has the name of an account "
                    f"already in the book ({', '.join(twins)}): both are kept"
                )
            _put(book, by_name, account, changes)
        for account in named:
            same = sorted(by_name.get(name_key(account.name), set()))
            account_id = same[0] if same else _free_id(book, account.name)
            _put(book, by_name, account.model_copy(update={"account_id": account_id}), changes)
        save_book(settings, book.values())
    return changes


def _put(
    book: dict[str, Account], by_name: dict[str, set[str]], account: Account, changes: BookChanges
) -> None:
    by_name.setdefault(name_key(account.name), set()).add(account.account_id)
    current = book.get(account.account_id)
    if current is None:
        changes.created.append(account.account_id)
    elif current.model_dump() == account.model_dump():
        changes.unchanged.append(account.account_id)
    else:
        changes.updated.append(account.account_id)
    book[account.account_id] = account


def _lookup(book: Mapping[str, Account], key: str) -> Account | None:
    """The account `key` names: its id (in any case), its name, or its name without the legal
    form when only one account answers to that; None when none does."""
    if key.casefold() in book:
        return book[key.casefold()]
    wanted = name_key(key)
    same = [a for a in book.values() if name_key(a.name) == wanted]
    if not same:
        base, forms = _name_parts(key)
        same = [a for a in book.values() if _loosely(base, forms, a.name)]
    if len(same) > 1:
        ids = ", ".join(sorted(a.account_id for a in same))
        raise ConfigError(f"{key!r} names several accounts ({ids}): give the account id")
    return same[0] if same else None


def _loosely(base: tuple[str, ...], forms: tuple[str, ...], name: str) -> bool:
    """The same words, one of the two names without a legal form ("Acme" for "Acme Inc")."""
    other_base, other_forms = _name_parts(name)
    return bool(base) and base == other_base and not (forms and other_forms)


def _name_parts(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A name's words (casefolded, NFKC) and the legal forms that end it."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", name).casefold())
    forms: list[str] = []
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        forms.insert(0, _LEGAL_FORMS[words.pop()])
    return tuple(words), tuple(forms)


def _free_id(book: Mapping[str, Account], name: str) -> str:
    """`slugify(name)`, or when another account holds that id, a variant tagged with a hash."""
    slug = slugify(name)
    key = name_key(name)
    attempt = 0
    candidate = slug
    while candidate in book:
        attempt += 1
        candidate = _tagged(slug, _digest(f"{key}\n{attempt}"))
    return candidate


def _tagged(slug: str, tag: str) -> str:
    head = slug[: MAX_ID_CHARS - len(tag) - 1].rstrip("-")
    return f"{head}-{tag}" if head else tag


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_TAG_CHARS]


def _merged(first: Account, later: Account, later_given: bool) -> Account:
    """Two rows of one account: the later row's values win, the first's fill the rest; an id
    the file gave wins over one made from a name."""
    values = later.model_dump(include=later.model_fields_set - {"account_id"})
    if later_given:
        values["account_id"] = later.account_id
    return first.model_copy(update=values)


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
            data[key] = _count(value)
        else:
            data[key] = value
    data["name"] = clean_name(data.get("name", ""))
    if not data["name"]:
        raise ValueError("no account name")
    if len(data.get("account_id", "")) > MAX_ID_CHARS:
        raise ValueError(f"account id longer than {MAX_ID_CHARS} characters")
    data.setdefault("account_id", slugify(data["name"]))
    return Account.model_validate(data)


def _count(value: str) -> int:
    try:
        return int(float(value.replace(",", "")))
    except (ValueError, OverflowError):
        raise ValueError(f"seats {value!r} is not a number") from None


def _renewal_date(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(f"renewal date {value!r} is not a date") from None
