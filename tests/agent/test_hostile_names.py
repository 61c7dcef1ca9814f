"""Account names and ids: unique, bounded and stable for any script; names merge only when they
are the same account; an import says what it created, updated and merged; quoted CSV fields with
escaped quotes keep their columns in the book and every CRM file."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.book import (
    MAX_ID_CHARS,
    account_id_for,
    ensure_account,
    find_account,
    import_accounts,
    import_csv,
    load_book,
    name_key,
    save_book,
    slugify,
)
from agent.cli import app
from agent.config import load_settings
from agent.crm import import_contacts, import_meetings, import_tickets, import_usage
from agent.errors import ConfigError
from agent.schemas import Account

runner = CliRunner()
ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

HOSTILE_NAMES = [
    "東京",
    "大阪",
    "北京",
    "背景",  # the same transliteration as 北京
    "Société Générale",
    "Societe Generale",
    "Москва",
    "한국전력",
    "العربية للطيران",
    "עברית בע״מ",
    "🚀",
    "🚀🚀",
    "Rocket",
    "!!!",
    "???",
    "../../etc/passwd",
    "a/b\\c",
    "CON",
    ".",
    "-",
    "Acme\x1b[31m Red\x07",
    "\u200bZero\u200dWidth",
    "Ａｃｍｅ Fullwidth",
    "x" * 5000,
    "x" * 4999 + "y",
    "東" * 5000,
    "a-" * 3000,
]


def invoke(home: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_every_name_gets_a_bounded_ascii_id_that_is_stable(name: str) -> None:
    account_id = slugify(name)
    assert ID.fullmatch(account_id) and len(account_id) <= MAX_ID_CHARS, account_id
    assert slugify(name) == account_id
    assert slugify(unicodedata.normalize("NFD", name)) == account_id
    Account(account_id=account_id, name=name)  # a valid id, and a valid folder name


def test_different_names_get_different_ids() -> None:
    by_key: dict[str, set[str]] = {}
    for name in HOSTILE_NAMES:
        by_key.setdefault(name_key(name), set()).add(slugify(name))
    ids = [next(iter(found)) for found in by_key.values()]
    assert len(set(ids)) == len(ids)


def test_names_merge_only_when_they_are_the_same_account() -> None:
    same = ["Acme, Inc.", "Acme Inc", "ACME INC", "acme  inc.", "Acme Incorporated", "AcmeInc"]
    assert len({name_key(n) for n in same}) == 1
    for other in ("Acme Corp", "Acme Ltd", "Acme Industries Inc", "Acme", "Acne Inc"):
        assert name_key(other) != name_key("Acme Inc"), other
    assert name_key("東京") != name_key("大阪")


def test_scripts_without_ascii_letters_are_separate_accounts(home: Path) -> None:
    settings = load_settings(home)
    tokyo, osaka = ensure_account(settings, "東京"), ensure_account(settings, "大阪")
    beijing, backdrop = ensure_account(settings, "北京"), ensure_account(settings, "背景")
    accounts = [tokyo, osaka, beijing, backdrop]
    assert len({a.account_id for a in accounts}) == 4
    assert [find_account(settings, a.name) for a in accounts] == accounts
    assert ensure_account(settings, "東京") == tokyo
    assert "account" not in load_book(settings)


def test_legal_forms_and_words_keep_accounts_apart(home: Path) -> None:
    settings = load_settings(home)
    inc = ensure_account(settings, "Acme Inc")
    corp = ensure_account(settings, "Acme Corp")
    assert inc.account_id != corp.account_id
    assert ensure_account(settings, "Acme, Inc.") == inc
    assert ensure_account(settings, "ACME CORPORATION") == corp
    with pytest.raises(ConfigError, match="several accounts"):
        find_account(settings, "Acme")  # both answer to it: the CSM must choose
    only = ensure_account(settings, "Zenith Labs Ltd")
    assert find_account(settings, "zenith labs") == only
    assert len(load_book(settings)) == 3


def test_a_name_taking_anothers_id_gets_its_own(home: Path) -> None:
    settings = load_settings(home)
    save_book(settings, [Account(account_id="rocket", name="Something Else")])
    rocket = ensure_account(settings, "Rocket!")
    assert rocket.account_id != "rocket" and rocket.account_id.startswith("rocket-")
    assert ensure_account(settings, "rocket!") == rocket
    assert find_account(settings, "ROCKET").name == "Something Else"  # an id, in any case


def test_a_blank_name_is_refused(home: Path) -> None:
    settings = load_settings(home)
    for name in ("", "   ", "\x00\x1b"):
        with pytest.raises(ConfigError, match="needs a name"):
            ensure_account(settings, name)
    assert load_book(settings) == {}


def test_add_keeps_each_scripts_notes_in_its_own_account(home: Path, tmp_path: Path) -> None:
    tokyo_note, osaka_note = tmp_path / "tokyo.txt", tmp_path / "osaka.txt"
    tokyo_note.write_text("Account note\n\nThe Tokyo team renews in March.\n", encoding="utf-8")
    osaka_note.write_text("Account note\n\nThe Osaka team wants a pilot.\n", encoding="utf-8")
    assert invoke(home, "add", "東京", str(tokyo_note))[0] == 0
    assert invoke(home, "add", "大阪", str(osaka_note))[0] == 0
    texts = {}
    for name in ("東京", "大阪"):
        code, out, _ = invoke(home, "sources", name, "--format", "json")
        assert code == 0
        texts[name] = " ".join(s["text"] for s in json.loads(out)["sources"])
    assert "Tokyo" in texts["東京"] and "Osaka" not in texts["東京"]
    assert "Osaka" in texts["大阪"] and "Tokyo" not in texts["大阪"]


def test_add_with_a_very_long_name_works(home: Path, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Account note\n\nThe team renews in March.\n", encoding="utf-8")
    name = "Long " * 1000
    code, _, err = invoke(home, "add", name, str(note))
    assert code == 0, err
    (account,) = load_book(load_settings(home)).values()
    assert len(account.account_id) <= MAX_ID_CHARS and account.name == name.strip()
    assert invoke(home, "sources", name, "--format", "json")[0] == 0


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_says_what_it_created_updated_and_merged(home: Path, tmp_path: Path) -> None:
    csv = _write(tmp_path / "a.csv", 'name,domain\n"Acme, Inc.",acme.example\nAcme Inc,\n')
    code, out, err = invoke(home, "book", "import", str(csv))
    assert code == 0, err
    assert "imported 1 account(s)" in out and "1 created, 0 updated" in out
    assert "1 row(s) merged" in out
    assert "'Acme Inc' is the same account as 'Acme, Inc.'" in err
    (acme,) = load_book(load_settings(home)).values()
    assert (acme.name, acme.domain) == ("Acme Inc", "acme.example")

    two = _write(tmp_path / "b.csv", "name,ticker\nAcme Inc,ACM\nAcme Corp,ACC\n")
    code, out, _ = invoke(home, "book", "import", str(two))
    assert code == 0 and "1 created, 1 updated, 0 unchanged, 0 row(s) merged" in out
    code, out, _ = invoke(home, "book", "import", str(two))
    assert "0 created, 0 updated, 2 unchanged" in out
    assert len(load_book(load_settings(home))) == 2


def test_import_keeps_the_ids_of_an_existing_workspace(home: Path, tmp_path: Path) -> None:
    settings = load_settings(home)
    # ids as an earlier version made them from these names
    old = [
        Account(account_id="account", name="東京"),
        Account(account_id="soci-t-g-n-rale", name="Société Générale"),
    ]
    save_book(settings, old)
    csv = _write(tmp_path / "a.csv", "name,ticker\n東京,TKY\nSociété Générale,GLE\n大阪,OSK\n")
    result = import_csv(csv)
    changes = import_accounts(settings, result)
    assert sorted(changes.updated) == ["account", "soci-t-g-n-rale"]
    book = load_book(settings)
    assert book["account"].ticker == "TKY" and book["soci-t-g-n-rale"].ticker == "GLE"
    assert find_account(settings, "大阪").account_id not in ("account", "soci-t-g-n-rale")
    assert ensure_account(settings, "東京").account_id == "account"
    assert account_id_for(book, "Société Générale") == "soci-t-g-n-rale"


def test_given_ids_win_and_never_collide_with_made_ones(tmp_path: Path, home: Path) -> None:
    csv = _write(
        tmp_path / "a.csv",
        "account_id,name\nbar,Foo Holdings\n,Bar\nbaz,Twin\nqux,Twin\n"
        + f"{'z' * 65},Too Long\n../etc,Traversal\n",
    )
    result = import_csv(csv)
    ids = {a.name: a.account_id for a in result.accounts}
    assert ids["Foo Holdings"] == "bar" and ids["Bar"] not in ("bar", "baz", "qux")
    assert sorted(a.account_id for a in result.accounts if a.name == "Twin") == ["baz", "qux"]
    assert len(result.problems) == 2 and "longer than 64" in result.problems[0]
    changes = import_accounts(load_settings(home), result)
    assert len(changes.created) == 4
    with pytest.raises(ConfigError, match="several accounts"):
        find_account(load_settings(home), "Twin")


QUOTED = 'say ""hi"", then, leave'


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_escaped_quotes_keep_their_columns_in_the_book(tmp_path: Path, sep: str) -> None:
    rows = [
        ["account_id", "name", "notes", "domain", "competitors"],
        ["acme", '"Acme ""Rocket"" Inc"', f'"{QUOTED}"', "acme.example", '"Hearthly; ""Nest"""'],
    ]
    csv = _write(tmp_path / "book.csv", "\n".join(sep.join(r) for r in rows) + "\n")
    result = import_csv(csv)
    assert result.problems == []
    (acme,) = result.accounts
    assert acme.name == 'Acme "Rocket" Inc' and acme.domain == "acme.example"
    assert acme.competitors == ["Hearthly", '"Nest"']


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_escaped_quotes_keep_their_columns_in_every_crm_file(tmp_path: Path, sep: str) -> None:
    def table(name: str, *rows: list[str]) -> Path:
        return _write(tmp_path / name, "\n".join(sep.join(r) for r in rows) + "\n")

    contacts = import_contacts(
        table(
            "contacts.csv",
            ["Company ID", "First Name", "Last Name", "Job Title", "Contact Role", "Email"],
            ["acme", '"Dana ""DJ"""', "Reyes", '"VP, ""Growth"""', "Champion", "dj@acme.example"],
        )
    )
    (dana,) = contacts.rows
    assert (dana.name, dana.title, dana.role) == ('Dana "DJ" Reyes', 'VP, "Growth"', "champion")
    assert dana.email == "dj@acme.example"

    usage = import_usage(
        table(
            "usage.csv",
            ["Company ID", "Notes", "Date", "Active Users", "Licenses Used", "Health"],
            ["acme", f'"{QUOTED}"', "2026-08-02", "298", "336", "71"],
        )
    )
    (point,) = usage.rows
    assert (point.active_users, point.seats_used, point.health_score) == (298, 336, 71.0)

    tickets = import_tickets(
        table(
            "tickets.csv",
            ["Case Number", "Account ID", "Subject", "Created Date", "Priority", "Status"],
            ["0100", "acme", f'"{QUOTED}"', "8/5/2026 9:00 AM", "High", "Open"],
        )
    )
    (ticket,) = tickets.rows
    assert ticket.subject == 'say "hi", then, leave'
    assert (ticket.priority, ticket.status) == ("High", "Open")

    meetings = import_meetings(
        table(
            "meetings.csv",
            ["Meeting Date", "Company ID", "Meeting Type", "Attendees", "Outcome"],
            ['"Jul 22, 2026"', "acme", '"QBR ""Q3"""', f'"{QUOTED}"', "No show"],
        )
    )
    (meeting,) = meetings.rows
    assert (meeting.kind, meeting.status) == ("qbr", "missed")
    for result in (contacts, usage, tickets, meetings):
        assert result.problems == []


def test_crm_rows_join_the_books_own_id_for_their_name(home: Path, tmp_path: Path) -> None:
    """A contact row naming 大阪 joins that account's stored id, not a fresh slug of the name;
    a name two accounts answer to is a rejected row, never a wrong join."""
    book = tmp_path / "book.csv"
    book.write_text("name\n大阪\nAcme Inc\nAcme Corp\n", encoding="utf-8")
    assert runner.invoke(app, ["--home", str(home), "book", "import", str(book)]).exit_code == 0
    ids = {a.name: a.account_id for a in load_book(load_settings(home)).values()}
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "account_name,name,title\n大阪,Aiko Sato,CFO\nAcme,Rob Lane,CTO\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["--home", str(home), "book", "import", str(book), "--contacts", str(contacts)]
    )
    assert "line 3" in result.stderr  # "Acme" is both Acme Inc and Acme Corp
    stored = json.loads((home / "crm" / "contacts.json").read_text(encoding="utf-8"))
    assert [(c["account_id"], c["name"]) for c in stored] == [(ids["大阪"], "Aiko Sato")]
