"""CRM imports: Salesforce and HubSpot exports, messy files, problems by line, idempotent saves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.config import load_settings
from agent.crm import (
    Contact,
    Meeting,
    UsagePoint,
    import_contacts,
    import_meetings,
    import_tickets,
    import_usage,
    load_crm,
    save_crm,
)
from agent.csvio import parse_date
from agent.errors import ConfigError, ParseError

CRM = Path(__file__).parents[1] / "fixtures" / "crm"
DEMO = Path(__file__).parents[2] / "agent" / "demo"


def test_hubspot_contacts_with_bom_semicolons_blank_rows_and_a_bad_date() -> None:
    result = import_contacts(CRM / "hubspot_contacts.csv")
    assert result.problems == ["hubspot_contacts.csv line 6: bad date '31/31/2026'"]
    people = {c.name: c for c in result.rows}
    assert list(people) == ["Ana Lima", "Raj Patel", "Li Wei", "Sam Ng", "Kim Ode"]
    assert people["Ana Lima"] == Contact(
        account_id="acme",
        name="Ana Lima",
        email="ana@acme.example",
        title="VP Operations",
        role="champion",
    )
    raj = people["Raj Patel"]
    assert (raj.role, raj.status, raj.departed_on) == (
        "executive_sponsor",
        "departed",
        date(2026, 11, 3),
    )
    assert people["Li Wei"].role == "procurement"
    assert people["Li Wei"].email is None
    assert (people["Sam Ng"].role, people["Sam Ng"].status) == ("end_user", "active")
    kim = people["Kim Ode"]
    assert (kim.account_id, kim.role, kim.status) == ("globex", "executive_sponsor", "departed")


def test_salesforce_contacts_join_on_the_account_name() -> None:
    result = import_contacts(CRM / "salesforce_contacts.csv")
    assert result.problems == []
    tomas, jo = result.rows
    assert (tomas.account_id, tomas.name, tomas.role) == (
        "quarrystone-logistics",
        "Tomás Reyes",
        "champion",
    )
    assert (jo.role, jo.email) == ("it", None)


def test_usage_export_tab_separated_with_bad_numbers_and_dates() -> None:
    result = import_usage(CRM / "product_usage.tsv")
    assert result.problems == [
        "product_usage.tsv line 5: bad number 'many'",
        "product_usage.tsv line 7: bad date '2026-13-05'",
    ]
    first, second, third = result.rows
    assert first == UsagePoint(
        account_id="acme",
        date=date(2026, 11, 1),
        active_users=1204,
        seats_used=88,
        api_calls=10000,
        api_limit=50000,
        health_score=71.5,
    )
    assert second.date == date(2026, 11, 2) and second.api_calls is None
    assert (third.date, third.health_score) == (date(2026, 11, 4), 70.0)


def test_salesforce_cases_report_by_line() -> None:
    result = import_tickets(CRM / "salesforce_cases.csv")
    assert result.problems == [
        "salesforce_cases.csv line 4: no ticket id",
        "salesforce_cases.csv line 5: bad date 'yesterday'",
    ]
    assert [(t.ticket_id, t.opened_on) for t in result.rows] == [
        ("00001001", date(2026, 11, 18)),
        ("00001002", date(2026, 11, 19)),
    ]
    assert result.rows[0].priority == "High" and result.rows[0].subject == "SSO broken"


def test_hubspot_meetings_kinds_and_outcomes() -> None:
    result = import_meetings(CRM / "hubspot_meetings.csv")
    assert result.problems == [
        "hubspot_meetings.csv line 6: unknown meeting status 'Postponed indefinitely'"
    ]
    assert [(m.account_id, m.kind, m.status) for m in result.rows] == [
        ("acme-corp", "qbr", "held"),
        ("acme-corp", "ebr", "missed"),
        ("acme-corp", "check-in", "cancelled"),
        ("acme-corp", "qbr", "scheduled"),
        ("acme-corp", "training", "held"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", date(2026, 11, 3)),
        ("11/3/2026", date(2026, 11, 3)),
        ("03.11.2026", date(2026, 11, 3)),
        ("Nov 3, 2026", date(2026, 11, 3)),
        ("November 3, 2026", date(2026, 11, 3)),
        ("3 Nov 2026", date(2026, 11, 3)),
        ("2026-11-03T23:59:00Z", date(2026, 11, 3)),
        ("11/3/2026 9:14 AM", date(2026, 11, 3)),
    ],
)
def test_dates_as_exports_write_them(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/31/2026", "2026-02-30", "soon", ""])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="bad date"):
        parse_date(text)


def test_a_file_without_an_account_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("Date,Active Users\n2026-11-01,5\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no account id or account name column"):
        import_usage(path)
    path.write_text("Account ID,Active Users\nacme,5\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no date column"):
        import_usage(path)


def test_reimport_replaces_the_accounts_a_file_covers(home: Path) -> None:
    settings = load_settings(home)
    meetings = import_meetings(CRM / "hubspot_meetings.csv").rows
    other = Meeting(account_id="globex", date=date(2026, 9, 1), kind="qbr", status="held")
    save_crm(settings, "meetings", [other])
    save_crm(settings, "meetings", meetings)
    save_crm(settings, "meetings", meetings)
    stored = load_crm(settings).meetings
    assert stored == [other, *meetings]
    save_crm(settings, "meetings", meetings[:1])
    assert load_crm(settings).for_account("acme-corp").meetings == meetings[:1]
    assert load_crm(settings).for_account("globex").meetings == [other]
    assert not list((home / "crm").glob("*.tmp"))


def test_unknown_kind_and_empty_workspace(home: Path) -> None:
    settings = load_settings(home)
    assert load_crm(settings).contacts == []
    with pytest.raises(ConfigError, match="unknown CRM data kind 'deals'"):
        save_crm(settings, "deals", [])


def test_demo_crm_exports_import_cleanly() -> None:
    crm = DEMO / "crm"
    contacts = import_contacts(crm / "contacts.csv")
    usage = import_usage(crm / "usage.csv")
    tickets = import_tickets(crm / "tickets.csv")
    meetings = import_meetings(crm / "meetings.csv")
    for result in (contacts, usage, tickets, meetings):
        assert result.problems == []
    ids = {"larkspur-home", "quarrystone", "meridian-health"}
    for rows in (contacts.rows, usage.rows, tickets.rows, meetings.rows):
        assert {r.account_id for r in rows} == ids
    marcus = next(c for c in contacts.rows if c.name == "Marcus Bell")
    assert (marcus.role, marcus.status) == ("champion", "active")


def test_book_import_with_crm_files(home: Path) -> None:
    runner = CliRunner()
    crm = DEMO / "crm"
    args = ["--home", str(home), "book", "import", str(DEMO / "book.csv")]
    for kind in ("contacts", "usage", "tickets", "meetings"):
        args += [f"--{kind}", str(crm / f"{kind}.csv")]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "imported 15 contacts row(s) for 3 account(s)" in first.output
    before = {p.name: p.read_bytes() for p in (home / "crm").iterdir()}
    assert sorted(before) == ["contacts.json", "meetings.json", "tickets.json", "usage.json"]
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert {p.name: p.read_bytes() for p in (home / "crm").iterdir()} == before


def test_book_import_reports_bad_crm_rows_and_keeps_the_rest(home: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(home),
            "book",
            "import",
            str(DEMO / "book.csv"),
            "--tickets",
            str(CRM / "salesforce_cases.csv"),
            "--meetings",
            str(CRM / "product_usage.tsv"),
        ],
    )
    assert result.exit_code == 1
    assert "salesforce_cases.csv line 4: no ticket id" in result.output
    assert "accounts not in the book: acme" in result.output
    assert "no date column in the header" in result.output
    tickets = load_crm(load_settings(home)).tickets
    assert [t.ticket_id for t in tickets] == ["00001001", "00001002"]
