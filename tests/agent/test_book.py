"""The book: CRM-style headers, bad rows reported by line, lookups by id or name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agent.book import ensure_account, find_account, import_csv, load_book, upsert_accounts
from agent.config import load_settings
from agent.errors import ConfigError, ParseError


def test_crm_headers_lists_and_bad_rows(tmp_path: Path) -> None:
    csv = tmp_path / "accounts.csv"
    csv.write_text(
        "\ufeffAccount Name;Website;Ticker Symbol;Competitors;ARR;Renewal Date;Extra\n"
        'Larkspur Home;larkspur.example;LRKH;"Hearthly; Nestwell";1,200,000;2027-02-15;x\n'
        ";;;;;;\n"
        "Broken Co;broken.example;;;lots;2027-01-01;\n"
        "Meridian Health;meridian.example;MRHS;;950000;03/31/2027;\n",
        encoding="utf-8",
    )
    result = import_csv(csv)
    names = [a.name for a in result.accounts]
    assert names == ["Larkspur Home", "Meridian Health"]
    larkspur = result.accounts[0]
    assert larkspur.account_id == "larkspur-home"
    assert larkspur.competitors == ["Hearthly", "Nestwell"]
    assert larkspur.arr == 1_200_000
    assert result.accounts[1].renewal_date == date(2027, 3, 31)
    assert result.problems == ["accounts.csv line 4: arr 'lots' is not a number"]


def test_csv_without_a_name_column_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "x.csv"
    csv.write_text("foo,bar\n1,2\n")
    with pytest.raises(ParseError, match="no account name"):
        import_csv(csv)


def test_find_by_id_or_name_and_create_on_add(home: Path) -> None:
    settings = load_settings(home)
    account = ensure_account(settings, "Quarrystone Logistics")
    assert account.account_id == "quarrystone-logistics"
    assert find_account(settings, "quarrystone logistics") == account
    assert find_account(settings, "quarrystone-logistics") == account
    with pytest.raises(ConfigError, match="no account 'nobody'"):
        find_account(settings, "nobody")
    upsert_accounts(settings, [account.model_copy(update={"ticker": "QRY"})])
    assert load_book(settings)["quarrystone-logistics"].ticker == "QRY"
