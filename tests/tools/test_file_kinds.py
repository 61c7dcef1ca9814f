"""A file's format and kind come from its content; the suffix only breaks ties."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.errors import ParseError
from agent.schemas import SourceKind
from tests.tools.pdf_maker import make_pdf
from tools.file_kinds import Format, infer_kind, sniff, sniff_delimiter

REVIEW = {"rating": 4.0, "title": "Good team", "pros": "Kind people", "cons": "Slow", "date": ""}
POSTING = {
    "id": "a1",
    "text": "Data Engineer",
    "hostedUrl": "https://jobs.example/a1",
    "categories": {"location": "Remote"},
}
TRANSCRIPT = (
    "Operator: Welcome to the Fabrikam call.\n"
    "Dana Whitfield: Revenue grew 12%.\n"
    "Operator: Next question from Sam Ortiz.\n"
    "Sam Ortiz: What about churn?\n"
    "Dana Whitfield: Churn improved.\n"
)


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _sniff(tmp_path: Path, name: str, data: bytes | str) -> Format:
    path = _write(tmp_path, name, data)
    return sniff(path, path.read_bytes()).format


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("report.bin", make_pdf(["Hello"]), Format.PDF),
        ("export.txt", json.dumps({"jobs": []}), Format.JSON),
        ("export.txt", "[1, 2]", Format.JSON),
        ("reviews.json", "\n".join(json.dumps(REVIEW) for _ in range(3)), Format.JSONL),
        ("reviews.txt", "\n".join(json.dumps(REVIEW) for _ in range(3)), Format.JSONL),
        ("one.jsonl", json.dumps(REVIEW) + "\n", Format.JSONL),
        ("feed.txt", "<?xml version='1.0'?>\n<rss version='2.0'><channel/></rss>", Format.FEED),
        ("feed.html", "<feed xmlns='http://www.w3.org/2005/Atom'></feed>", Format.FEED),
        ("page.txt", "<!DOCTYPE html>\n<html><body><p>Hi</p></body></html>", Format.HTML),
        (
            "saved.txt",
            "<!-- saved from url=(0020)https://x.example -->\n<html></html>",
            Format.HTML,
        ),
        (
            "xhtml.xml",
            "<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'/>",
            Format.HTML,
        ),
        ("0001.txt", "<DOCUMENT>\n<TYPE>8-K\n<TEXT>\n<html></html>", Format.HTML),
        ("full.txt", "<SEC-DOCUMENT>0001.txt : 20260105\n<SEC-HEADER>...", Format.HTML),
        ("fragment.htm", "<section><p>Hi</p></section>", Format.HTML),
        ("data.txt", "name,rating,pros\nAna,4,Nice\nBo,3,Fine\n", Format.CSV),
        ("data.txt", "name\trating\tpros\nAna\t4\tNice\nBo\t3\tFine\n", Format.CSV),
        (
            "notes.md",
            "# Call notes\n\nThey asked about pricing, seats, and SSO.\nNext: QBR.\n",
            Format.TEXT,
        ),
        ("call.txt", TRANSCRIPT, Format.TEXT),
        ("draft.txt", "[Draft] notes from the QBR\nAll good.", Format.TEXT),
    ],
)
def test_format_from_content(
    tmp_path: Path, name: str, data: bytes | str, expected: Format
) -> None:
    assert _sniff(tmp_path, name, data) == expected


def test_delimiters_are_sniffed() -> None:
    assert sniff_delimiter("a;b;c\n1;2;3\n4;5;6\n") == ";"
    assert sniff_delimiter(",date,pros\n0,2026-01-02,Nice\n1,2026-01-03,Fine\n") == ","
    # a quoted field may hold the delimiter and line breaks
    assert sniff_delimiter('"",pros,cons\n"1","A, B","line one\nline two"\n"2","C","D"\n') == ","
    assert (
        sniff_delimiter("We met Ana, Bo and Cy.\nThey want SSO, SCIM.\nNext call Friday.") is None
    )
    assert sniff_delimiter("1,2\n3,4\n") is None  # numbers are no header


def test_json_lines_keep_the_good_lines_and_name_the_bad_one(tmp_path: Path) -> None:
    lines = [json.dumps(REVIEW), "{broken", "", json.dumps(REVIEW), json.dumps(REVIEW)]
    path = _write(tmp_path, "reviews.jsonl", "\n".join(lines))
    sniffed = sniff(path, path.read_bytes())
    assert sniffed.format is Format.JSONL
    assert len(sniffed.value) == 3 and sniffed.lines == [1, 4, 5]
    assert sniffed.problems == [
        "reviews.jsonl line 2: not JSON (Expecting property name enclosed in double quotes)"
    ]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        (
            "reviews.txt",
            "rating,title,pros,cons\n4,Good,Nice,Slow\n3,Ok,Fine,Pay\n",
            "employee_review",
        ),
        ("reviews.tsv", "rating\ttitle\tpros\tcons\n4\tGood\tNice\tSlow\n", "employee_review"),
        ("reviews.json", "\n".join(json.dumps(REVIEW) for _ in range(2)), "employee_review"),
        ("postings.jsonl", "\n".join(json.dumps(POSTING) for _ in range(2)), "job_posting"),
        ("call.md", TRANSCRIPT, "earnings_call"),
        ("call.pdf", make_pdf([TRANSCRIPT]), "earnings_call"),
        ("notes.txt", "Call with Acme\nThey want SSO.", "crm_note"),
        ("notes.csv.txt", "We met Ana, Bo and Cy.\nThey want SSO, SCIM.\n", "crm_note"),
    ],
)
def test_kind_from_content(tmp_path: Path, name: str, data: bytes | str, kind: str) -> None:
    path = _write(tmp_path, name, data)
    assert infer_kind(path, path.read_bytes()) == SourceKind(kind)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("data.json", '{"hello": "world", "n": 1}', "layout: an object with keys hello, n)"),
        ("rows.jsonl", '{"a": 1}\n{"a": 2}\n', "a list of 2 of objects with keys a)"),
        ("broken.json", '{"jobs": [', "malformed JSON"),
        ("broken.txt", '{\n  "jobs": [\n', "malformed JSON"),
        ("catalog.txt", "<?xml version='1.0'?><catalog/>", "XML <catalog>, not an RSS or Atom"),
        ("people.csv", "name,title\nAna,CEO\n", "CSV without rating and pros/cons columns: name"),
        ("notes.csv", "Just a note, nothing tabular here.\n", "no header row"),
        ("deck.pptx", b"PK\x03\x04rest of a zip", "ZIP container"),
    ],
)
def test_unknown_content_is_one_clear_line(
    tmp_path: Path, name: str, data: bytes | str, reason: str
) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(ParseError) as info:
        infer_kind(path, path.read_bytes())
    message = str(info.value)
    assert message.startswith(str(path)) and reason in message and "\n" not in message
