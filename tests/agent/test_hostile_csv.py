"""CRM exports with hostile rows: placeholder dates, huge fields and values of no known shape
become problem lines with their row's line; every other row is imported."""

from __future__ import annotations

from pathlib import Path

from agent.crm import import_contacts, import_usage


def test_placeholder_dates_are_refused_by_line(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "account_id,date,active_users\n"
        "nw,2026-05-01,40\n"
        "nw,0001-01-01,41\n"
        "nw,9999-12-31,42\n"
        "nw,2026-05-08,38\n"
    )
    result = import_usage(path)
    assert [p.active_users for p in result.rows] == [40, 38]
    assert result.problems == [
        "usage.csv line 3: date '0001-01-01' is out of range (1900-2199)",
        "usage.csv line 4: date '9999-12-31' is out of range (1900-2199)",
    ]


def test_a_200_kb_crm_field_is_read(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    title = "Head of Operations and " * 9_000
    path.write_text(f'account_id,name,title\nnw,Ann Lee,"{title}"\nnw,Bo Chen,CFO\n')
    result = import_contacts(path)
    assert [c.name for c in result.rows] == ["Ann Lee", "Bo Chen"]
    assert not result.problems
