"""`dossier prep`: meetings of a calendar export in the coming day(s), matched to accounts by
their attendees, each met account briefed for the attendees' personas."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.crm import Contact
from agent.errors import ParseError
from agent.prep import match_meetings, persona_of_title, personas_of, read_meetings
from agent.schemas import Account, Persona

# Three meetings on 2026-12-07: one with two Larkspur contacts (by address), one recurring
# Quarrystone meeting with a person the CRM does not know (by domain), one with no account.
CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
BEGIN:VEVENT
UID:qbr-1@example.test
DTSTART:20261207T150000Z
DTEND:20261207T160000Z
SUMMARY:Larkspur QBR prep
ORGANIZER;CN=Jordan Avery:mailto:jordan@our-company.test
ATTENDEE;CN=Jordan Avery;PARTSTAT=ACCEPTED:mailto:jordan@our-company.test
ATTENDEE;CN=Marcus Bell;PARTSTAT=ACCEPTED:mailto:Marcus.Bell@larkspurhome.com
ATTENDEE;CN=Priya Raman;PARTSTAT=NEEDS-ACTION:mailto:priya.raman@larkspurhome.com
END:VEVENT
BEGIN:VEVENT
UID:weekly-2@example.test
DTSTART;TZID=America/Chicago:20261123T090000
DTEND;TZID=America/Chicago:20261123T093000
RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301
EXDATE;TZID=America/Chicago:20261130T090000
SUMMARY:Quarrystone weekly sync
ATTENDEE;CN=Robin Vale:mailto:robin.vale@ops.quarrystonelogistics.com
END:VEVENT
BEGIN:VEVENT
UID:other-3@example.test
DTSTART:20261207T190000Z
DTEND:20261207T193000Z
SUMMARY:Partner sync with Brightpath
ATTENDEE;CN=Alex Moor:mailto:alex@brightpath.test
ATTENDEE;CN=Sam Lee:mailto:sam.lee@gmail.com
END:VEVENT
END:VCALENDAR
"""
MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def calendar(tmp_path: Path) -> Path:
    path = tmp_path / "calendar.ics"
    path.write_text(CALENDAR.replace("\n", "\r\n"), encoding="utf-8")
    return path


def test_meetings_of_the_day_are_read_with_recurrences_exceptions_and_zones(
    calendar: Path, tmp_path: Path
) -> None:
    day = read_meetings(calendar, MORNING, MORNING + timedelta(days=1))
    assert [(m.summary, m.start.strftime("%H:%M")) for m in day] == [
        ("Larkspur QBR prep", "15:00"),
        ("Quarrystone weekly sync", "15:00"),  # 09:00 in Chicago
        ("Partner sync with Brightpath", "19:00"),
    ]
    week_before = read_meetings(calendar, MORNING - timedelta(days=7), MORNING - timedelta(days=6))
    assert week_before == []  # 2026-11-30 is an exception of the weekly series
    changed = CALENDAR.replace(
        "SUMMARY:Partner sync", "STATUS:CANCELLED\nSUMMARY:Partner sync"
    ).replace("PARTSTAT=NEEDS-ACTION", "PARTSTAT=DECLINED")
    path = tmp_path / "changed.ics"
    path.write_text(changed, encoding="utf-8")
    day = read_meetings(path, MORNING, MORNING + timedelta(days=1))
    assert [m.summary for m in day] == ["Larkspur QBR prep", "Quarrystone weekly sync"]
    assert [a.email for a in day[0].attendees] == [
        "jordan@our-company.test",
        "marcus.bell@larkspurhome.com",
    ]


def test_a_broken_calendar_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ics"
    path.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:notadate\n", encoding="utf-8")
    with pytest.raises(ParseError, match="not a calendar file"):
        read_meetings(path, MORNING, MORNING + timedelta(days=1))


@pytest.mark.parametrize(
    ("title", "persona"),
    [
        ("Chief Financial Officer", Persona.finance),
        ("Senior Manager, Strategic Sourcing", Persona.procurement),
        ("Director of Procurement, Technology", Persona.procurement),
        ("Co-founder & CTO", Persona.executive_sponsor),
        ("VP Digital Product", Persona.business_unit_leader),
        ("Head of Patient Access", Persona.business_unit_leader),
        ("Product Manager, Checkout", Persona.end_user),
        ("Brokerage Team Lead", Persona.end_user),
        ("Board observer", None),
        (None, None),
    ],
)
def test_a_title_names_the_value_language_its_holder_hears(
    title: str | None, persona: Persona | None
) -> None:
    assert persona_of_title(title) is persona


def test_attendees_match_accounts_by_address_then_domain_and_give_personas(
    calendar: Path,
) -> None:
    accounts = {
        "larkspur-home": Account(
            account_id="larkspur-home", name="Larkspur Home", domain="https://www.larkspurhome.com/"
        ),
        "quarrystone": Account(
            account_id="quarrystone", name="Quarrystone", domain="quarrystonelogistics.com"
        ),
    }
    contacts = [
        Contact(
            account_id="larkspur-home",
            name="Marcus Bell",
            email="marcus.bell@larkspurhome.com",
            title="VP Digital Product",
            role="champion",
        ),
        Contact(account_id="larkspur-home", name="Priya Raman", title="Chief Financial Officer"),
        Contact(account_id="quarrystone", name="Sam Lee", email="sam.lee@gmail.com"),
    ]
    meetings = read_meetings(calendar, MORNING, MORNING + timedelta(days=1))
    qbr, weekly, partner = match_meetings(meetings, accounts, contacts)
    assert [a.account.account_id for a in qbr.accounts] == ["larkspur-home"]
    assert [c.name for c in qbr.accounts[0].contacts] == ["Marcus Bell", "Priya Raman"]
    assert qbr.accounts[0].personas == [
        Persona.finance,
        Persona.business_unit_leader,
        Persona.champion,
    ]
    assert [a.account.account_id for a in weekly.accounts] == ["quarrystone"]
    assert weekly.accounts[0].personas == []  # nobody the CRM knows: every persona
    # a public mail address matches only the contact who has it, never a whole domain
    assert [a.account.account_id for a in partner.accounts] == ["quarrystone"]
    assert personas_of([]) == []


def test_prep_writes_a_brief_per_matched_meeting_and_names_the_unmatched_one(
    calendar: Path, demo_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "workspace"
    shutil.copytree(demo_home, home)
    folder = tmp_path / "briefs"
    result = CliRunner().invoke(
        app,
        ["--home", str(home), "prep", "--calendar", str(calendar),
         "--from", MORNING.isoformat(), "--days", "1", "-o", str(folder)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in folder.iterdir())
    assert written == [
        "2026-12-07-1500-larkspur-home.md",
        "2026-12-07-1500-quarrystone.md",
    ]
    larkspur = (folder / written[0]).read_text(encoding="utf-8")
    assert "Larkspur Home" in larkspur and "Finance" in larkspur
    assert "Partner sync with Brightpath" in result.stdout
    assert "no account in the book (brightpath.test, gmail.com)" in result.stdout
    assert "aimed at finance, business_unit_leader, champion" in result.stdout


def test_prep_with_a_missing_calendar_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path), "prep", "--calendar", str(tmp_path / "none.ics")]
    )
    assert result.exit_code == 2
