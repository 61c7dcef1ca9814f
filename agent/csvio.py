"""Reading CRM-export CSVs: any delimiter, a BOM, export spellings of the headers, loose dates,
and a bad row reported by its line while the rest are kept."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import ValidationError

from agent.errors import ParseError

T = TypeVar("T")

# A field may be as large as the file (a long review, a pasted email in a CRM note): the
# module's 128 KB default would make one such field a traceback. Files are size-limited.
csv.field_size_limit(2**31 - 1)

_DELIMITERS = (",", "\t", ";")
_NUMBER = re.compile(r"[-+]?[\d.,]+%?")
_SAMPLE = 65_536
_FIRST_YEAR, _LAST_YEAR = 1900, 2199

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d %b %Y",
    "%d %B %Y",
)
#: A date followed by a time, as exports write timestamps ("2026-11-03T09:14:00Z",
#: "11/18/2026 9:14 AM", "18.11.2026, 09:14").
_DATE_THEN_TIME = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\.\d{1,2}\.\d{4})[T ,]"
)


@dataclass
class Imported(Generic[T]):
    """Records read from a CSV and the rows that could not be read, by line."""

    rows: list[T] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """One non-blank data row: its line in the file and its non-empty values by column."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A CSV read with its headers mapped onto canonical column names."""

    name: str
    columns: frozenset[str]
    rows: list[Row]
    #: Records the csv module could not read, one line each.
    problems: list[str] = field(default_factory=list)

    def convert(self, build: Callable[[dict[str, str]], T]) -> Imported[T]:
        """Build a record from each row; a row that fails becomes a problem with its line."""
        result: Imported[T] = Imported(problems=list(self.problems))
        for row in self.rows:
            try:
                result.rows.append(build(row.values))
            except Exception as exc:  # any failure of one row; the others are still read
                result.problems.append(f"{self.name} line {row.line}: {reason(exc)}")
        return result


def records(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str] | csv.Error]]:
    """Each record of a CSV text with the line it ends on; a record the csv module cannot
    read is its error instead of its values, and the records after it are still read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, exc
        else:
            yield reader.line_num, values


def read_csv(path: Path, aliases: Mapping[str, str]) -> Table:
    """Read a CSV export; headers go through `aliases`, blank rows are skipped, and a record
    the csv module cannot read is a problem with its line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror})") from exc
    text = raw.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise ParseError(f"{path}: empty file")
    # the delimiter as local files are sniffed: the header row and rows of the same width
    found = records(text, sniff_delimiter(text) or ",")
    headers: list[str] = []
    for line, first in found:
        if isinstance(first, csv.Error):
            raise ParseError(f"{path}: header row on line {line} is not CSV ({first})")
        if first:
            headers = first
            break
    columns = [canonical(h, aliases) if h else "" for h in headers]
    rows: list[Row] = []
    problems: list[str] = []
    for line, record in found:
        if isinstance(record, csv.Error):
            problems.append(f"{path.name} line {line}: not CSV ({record})")
            continue
        values: dict[str, str] = {}
        for column, value in zip(columns, record, strict=False):
            cleaned = value.strip()
            if column and cleaned and column not in values:
                values[column] = cleaned
        if values:
            rows.append(Row(line, values))
    return Table(path.name, frozenset(c for c in columns if c), rows, problems)


def canonical(header: str, aliases: Mapping[str, str]) -> str:
    """The column a header names: an alias (compared on letters and digits only) or snake case."""
    key = re.sub(r"[^a-z0-9]", "", header.casefold())
    if key in aliases:
        return aliases[key]
    return re.sub(r"[^a-z0-9]+", "_", header.casefold()).strip("_")


def parse_date(value: str) -> date:
    """A date as CRM exports write it: ISO, m/d/Y, d.m.Y, "Nov 3, 2026", or any of those
    followed by a time."""
    text = " ".join(value.split())
    match = _DATE_THEN_TIME.match(text)
    candidates = (text, match.group(1)) if match else (text,)
    for candidate in candidates:
        for fmt in _DATE_FORMATS:
            try:
                day = datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
            if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
                # a placeholder ("0001-01-01", "9999-12-31"), and date arithmetic would overflow
                raise ValueError(f"date {value!r} is out of range ({_FIRST_YEAR}-{_LAST_YEAR})")
            return day
    raise ValueError(f"bad date {value!r}")


def parse_int(value: str) -> int:
    """A count with thousands separators ("1,204") or a trailing ".0"."""
    try:
        return int(float(re.sub(r"[,\s_]", "", value)))
    except ValueError:
        raise ValueError(f"bad number {value!r}") from None


def parse_float(value: str) -> float:
    """A number with thousands separators or a trailing percent sign."""
    try:
        return float(re.sub(r"[,\s_%]", "", value))
    except ValueError:
        raise ValueError(f"bad number {value!r}") from None


def reason(exc: Exception) -> str:
    """Why a row was rejected, in one short phrase."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    if isinstance(exc, ValueError):
        return str(exc)
    return f"unreadable ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"


def _header_like(cells: list[str]) -> bool:
    named = [c.strip() for c in cells if c.strip()]
    # pandas and R write the index column with an empty header
    return len(named) >= len(cells) - 1 and all(
        len(c) <= 60 and not _NUMBER.fullmatch(c) for c in named
    )


def sniff_delimiter(text: str) -> str | None:
    """The delimiter of a CSV/TSV with a header row and rows of the same width, else None."""
    size = _SAMPLE
    while True:
        sample = text[:size]
        cut = len(text) > len(sample)
        best: tuple[int, str] | None = None
        longer = False
        for delimiter in _DELIMITERS:
            rows = [r for _, r in records(sample, delimiter) if isinstance(r, list)]
            rows = [r for r in rows if any(c.strip() for c in r)][:200]
            if cut:
                rows = rows[:-1]  # the sample may end inside a record
            if not rows or len(rows[0]) < 2 or not _header_like(rows[0]):
                continue
            if len(rows) < 2:
                # a header, then a record longer than the sample (a long review or note)
                longer = cut
                continue
            same = sum(len(r) == len(rows[0]) for r in rows[1:])
            if same >= 0.9 * (len(rows) - 1) and (best is None or len(rows[0]) > best[0]):
                best = (len(rows[0]), delimiter)
        if best is not None or not longer:
            return best[1] if best else None
        size *= 8
