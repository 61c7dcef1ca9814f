"""Hostile local files: devices, FIFOs, private files behind symlinks, huge CSV fields, deep
JSON. Each is one clear ParseError line or a partial import with its problems, never a hang."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from agent.csvio import read_csv, records
from agent.errors import ParseError
from tools.files import ingest_path, read_limited
from tools.reviews import parse_reviews_csv

HEADER = "rating,pros,cons,date\n"


def test_devices_and_fifos_are_refused_without_blocking(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not a regular file"):
        read_limited(Path("/dev/zero"))
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    with pytest.raises(ParseError, match="not a regular file"):
        ingest_path(fifo, "nw")
    # a symlink to a device is the device
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(ParseError, match="not a regular file"):
        ingest_path(link, "nw")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc")
def test_a_proc_file_is_not_read() -> None:
    # it says it is empty, then gives the process's environment: secrets, not a document
    with pytest.raises(ParseError, match="not a regular file"):
        read_limited(Path("/proc/self/environ"))


def test_a_symlink_is_followed_only_to_a_file_anyone_may_read(tmp_path: Path) -> None:
    private = tmp_path / "id_rsa"
    private.write_text("Note\n\nA private key would be here.\n")
    private.chmod(0o600)
    link = tmp_path / "notes.txt"
    link.symlink_to(private)
    with pytest.raises(ParseError, match=r"notes.txt: a symlink to a private file"):
        ingest_path(link, "nw")
    private.chmod(0o644)
    assert ingest_path(link, "nw").sources[0].text.startswith("Note")
    # the private file itself, named directly, is the CSM's own choice
    private.chmod(0o600)
    assert ingest_path(private, "nw").sources


def test_deep_json_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_text('{"jobs": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ParseError) as info:
        ingest_path(path, "nw")
    assert str(info.value) == f"{path}: JSON nested deeper than 64 levels"


def test_a_deep_json_line_is_a_problem_the_other_lines_are_read(tmp_path: Path) -> None:
    review = {"rating": 4, "pros": "Kind team", "cons": "Slow builds", "date": "2026-03-01"}
    lines = [json.dumps(review), "[" * 50_000 + "]" * 50_000, json.dumps({**review, "rating": 2})]
    path = tmp_path / "reviews.jsonl"
    path.write_text("\n".join(lines))
    result = ingest_path(path, "nw")
    assert len(result.sources) == 2
    assert result.problems == ["reviews.jsonl line 2: JSON nested deeper than 64 levels"]


def test_review_fields_over_the_csv_modules_default_limit_are_read(tmp_path: Path) -> None:
    long_pros = "Generous mentoring. " * 10_000  # 200 KB, past the module's 128 KB default
    path = tmp_path / "reviews.csv"
    path.write_text(HEADER + f'5,"{long_pros}",None,2026-02-01\n4,Fair pay,Long hours,2026-03-01\n')
    result = ingest_path(path, "nw")
    assert len(result.sources) == 2 and not result.problems
    assert "Generous mentoring." in result.sources[0].text


def test_a_csv_record_the_module_cannot_read_is_a_problem_with_its_line(tmp_path: Path) -> None:
    text = (
        HEADER
        + "5,Good,Bad,2026-01-01\n4,"
        + "x" * 5_000
        + ",Bad,2026-01-02\n3,Ok,Meh,2026-01-03\n"
    )
    saved = csv.field_size_limit(1_000)  # a record past the limit, whatever the limit is
    try:
        parsed = parse_reviews_csv(text)
        crm = tmp_path / "contacts.csv"
        crm.write_text("account_id,name,notes\nnw,Ann Lee,ok\nnw,Bo Chen," + "y" * 5_000 + "\n")
        table = read_csv(crm, {})
        lines = list(records("a,b\n" + "z" * 5_000 + ",1\n2,3\n"))
    finally:
        csv.field_size_limit(saved)
    assert len(parsed.sources) == 2
    assert [str(p) for p in parsed.problems] == [
        "line 3: not CSV (field larger than field limit (1000))"
    ]
    assert [r.values["name"] for r in table.rows] == ["Ann Lee"]
    assert table.problems == ["contacts.csv line 3: not CSV (field larger than field limit (1000))"]
    assert [type(r).__name__ for _, r in lines] == ["list", "Error", "list"]


def test_crm_fields_of_200_kb_are_read(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    notes = "Prefers email. " * 14_000
    path.write_text(f'account_id,name,notes\nnw,Ann Lee,"{notes}"\nnw,Bo Chen,short\n')
    table = read_csv(path, {})
    assert [len(r.values["notes"]) for r in table.rows] == [len(notes.strip()), 5]
    assert not table.problems
