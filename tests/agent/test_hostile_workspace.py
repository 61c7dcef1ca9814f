"""The workspace under faults and concurrency: a read-only folder, a full disk, a corrupt ledger,
index or book, and processes writing at once give one line naming the file and the remedy,
never a traceback, and lose nothing."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import event
from typer.testing import CliRunner

import agent.atomic
import agent.scan.ledger
from agent.atomic import locked, write_atomic
from agent.book import ensure_account, load_book, upsert_accounts
from agent.cli import app
from agent.config import load_settings
from agent.errors import WorkspaceError, workspace_error
from agent.scan.ledger import Ledger
from agent.schemas import Account

REPO = Path(__file__).resolve().parents[2]
NOTE = (
    "Account note, March 3, 2026\n\n"
    "Our champion at Acme Corp said the team wants to cut onboarding time by half this year.\n"
)
runner = CliRunner()


def invoke(home: Path, *args: str) -> Result:
    """One command, as in its own process: Chroma's per-path cache of opened (or failed)
    stores does not outlive it."""
    from chromadb.api.shared_system_client import SharedSystemClient

    try:
        return runner.invoke(app, ["--home", str(home), *args])
    finally:
        SharedSystemClient.clear_system_cache()


def assert_one_line(result: Result, *words: str) -> str:
    """Exit 1, no traceback, and one `error:` line that contains every word."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], errors[0]
    print(errors[0])
    return errors[0]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one account, one stored note and a ledger written by a scan."""
    root = tmp_path_factory.mktemp("base")
    home, note = root / "home", root / "note.txt"
    note.write_text(NOTE, encoding="utf-8")
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("DOSSIER_")}
    try:
        assert invoke(home, "add", "Acme Corp", str(note)).exit_code == 0
        assert invoke(home, "scan", "--offline", "-f", "json").exit_code == 0
    finally:
        os.environ.update(saved)
    assert (home / "ledger.sqlite").is_file() and (home / "chroma" / "chroma.sqlite3").is_file()
    return root


@pytest.fixture
def ws(base: Path, tmp_path: Path) -> Path:
    """A fresh copy of the base workspace (the note beside it)."""
    shutil.copytree(base, tmp_path / "ws")
    return tmp_path / "ws" / "home"


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(20_000))


def _truncated(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(4096)


def _header_then_garbage(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100] + os.urandom(8_000))


CORRUPTIONS = [_garbage, _truncated, _header_then_garbage]


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
def test_a_corrupt_ledger_is_named_with_its_remedy(
    ws: Path, corrupt: Callable[[Path], None]
) -> None:
    corrupt(ws / "ledger.sqlite")
    line = assert_one_line(
        invoke(ws, "scan", "--offline"), str(ws / "ledger.sqlite"), "move it aside"
    )
    assert "not a SQLite database" in line


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
def test_a_corrupt_ledger_costs_a_brief_only_what_changed(
    ws: Path, corrupt: Callable[[Path], None]
) -> None:
    """The brief is still printed; one warning names the ledger, its remedy and what is lost."""
    corrupt(ws / "ledger.sqlite")
    result = invoke(ws, "brief", "acme-corp", "--offline")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "## Commercial" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and str(ws / "ledger.sqlite") in warnings[0]
    assert "move it aside" in warnings[0] and "since the last one" in warnings[0]


def test_a_corrupt_ledger_moved_aside_is_started_anew(ws: Path) -> None:
    _garbage(ws / "ledger.sqlite")
    assert invoke(ws, "scan", "--offline").exit_code == 1
    (ws / "ledger.sqlite").rename(ws / "ledger.sqlite.bad")
    assert invoke(ws, "scan", "--offline").exit_code == 0


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
def test_a_corrupt_index_is_named_with_its_remedy(
    ws: Path, corrupt: Callable[[Path], None]
) -> None:
    index = ws / "chroma" / "chroma.sqlite3"
    corrupt(index)
    note = ws.parent / "note.txt"
    for command in (["brief", "acme-corp", "--offline"], ["add", "acme-corp", str(note)]):
        line = assert_one_line(invoke(ws, *command), str(index), "aside")
        assert "corrupt" in line
    result = invoke(ws, "scan", "--offline")
    assert "Traceback" not in result.output and result.exit_code in (0, 1)
    # the remedy works: the index is rebuilt from the stored sources as they are added again
    shutil.move(ws / "chroma", ws / "chroma.bad")
    assert invoke(ws, "add", "acme-corp", str(note)).exit_code == 0
    assert invoke(ws, "brief", "acme-corp", "--offline").exit_code == 0


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff garbage", b'[{"account_id": "acme"', b"[1, 2]", b'{"a": 1}', b"[" * 100_000],
)
def test_a_corrupt_book_is_named(ws: Path, content: bytes) -> None:
    (ws / "book.json").write_bytes(content)
    for command in (["book", "list"], ["scan", "--offline"], ["add", "Acme Corp", "x.txt"]):
        line = assert_one_line(invoke(ws, *command), str(ws / "book.json"))
        assert "unreadable book" in line


@pytest.fixture
def read_only(ws: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The workspace made read-only: by its mode where the user is not root, else by making
    every write into it fail as a read-only file system does (root ignores modes)."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [ws, *ws.rglob("*")]}
        for path in modes:
            path.chmod(stat.S_IMODE(modes[path]) & ~0o222)
        yield ws
        for path, mode in modes.items():
            path.chmod(stat.S_IMODE(mode))
        return

    def refuse(path: Any) -> None:
        if Path(path).resolve().is_relative_to(ws.resolve()):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    real_mkstemp, real_open = agent.atomic.tempfile.mkstemp, open

    def mkstemp(*args: Any, dir: Any = None, **kwargs: Any) -> Any:
        refuse(Path(dir) / "tmp")
        return real_mkstemp(*args, dir=dir, **kwargs)

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(c in mode for c in "wax+"):
            refuse(file)
        return real_open(file, mode, *args, **kwargs)

    real_engine = agent.scan.ledger._engine

    def engine(url: Any) -> Any:
        made = real_engine(url)
        # SQLite's own answer on a read-only file: "attempt to write a readonly database"
        event.listen(made, "connect", lambda conn, _: conn.execute("PRAGMA query_only = ON"))
        return made

    def chroma(settings: Any) -> Any:
        from chromadb.errors import InternalError

        # what the Rust binding raises when it opens an index it cannot write
        raise InternalError(
            "error returned from database: (code: 8) attempt to write a readonly database"
        )

    monkeypatch.setattr(agent.atomic.tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(agent.atomic, "open", open_, raising=False)
    monkeypatch.setattr(agent.scan.ledger, "_engine", engine)
    monkeypatch.setattr("knowledge.store._make_client", chroma)
    yield ws


@pytest.mark.parametrize(
    "command",
    [
        ["add", "acme-corp", "NOTE"],
        ["add", "New Account", "NOTE"],
        ["book", "import", "CSV"],
        ["scan", "--offline"],
        ["brief", "acme-corp", "--offline"],
    ],
)
def test_a_read_only_workspace_is_one_line(read_only: Path, command: list[str]) -> None:
    csv = read_only.parent / "accounts.csv"
    csv.write_text("name\nZed Co\n", encoding="utf-8")
    files = {"NOTE": str(read_only.parent / "note.txt"), "CSV": str(csv)}
    before = (read_only / "book.json").read_bytes()
    line = assert_one_line(invoke(read_only, *[files.get(a, a) for a in command]))
    assert str(read_only) in line
    assert "read-only" in line or "permission denied" in line
    assert (read_only / "book.json").read_bytes() == before


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every whole-file write fails as on a full disk; the ledger may not grow by a page."""
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return Full(handle) if "w" in mode else handle

    real_engine = agent.scan.ledger._engine

    def engine(url: Any) -> Any:
        made = real_engine(url)
        # SQLite's own answer when a page cannot be added: "database or disk is full"
        event.listen(made, "connect", lambda conn, _: conn.execute("PRAGMA max_page_count = 1"))
        return made

    monkeypatch.setattr(agent.atomic.os, "fdopen", fdopen)
    monkeypatch.setattr(agent.scan.ledger, "_engine", engine)


def test_a_full_disk_is_one_line_and_keeps_the_old_files(ws: Path, full_disk: None) -> None:
    book = (ws / "book.json").read_bytes()
    csv = ws.parent / "accounts.csv"
    csv.write_text("name\nZed Co\n", encoding="utf-8")
    line = assert_one_line(invoke(ws, "book", "import", str(csv)), str(ws / "book.json"))
    assert line.startswith("error: no space left on device")
    assert (ws / "book.json").read_bytes() == book
    assert not [p for p in ws.iterdir() if p.name.endswith(".tmp")]

    other = ws.parent / "other.txt"
    other.write_text(NOTE.replace("half", "a third"), encoding="utf-8")
    line = assert_one_line(invoke(ws, "add", "acme-corp", str(other)), str(ws / "sources"))
    assert "no space left on device" in line


def test_a_full_disk_under_a_fresh_ledger_is_one_line(ws: Path, full_disk: None) -> None:
    (ws / "ledger.sqlite").unlink()
    line = assert_one_line(invoke(ws, "scan", "--offline"), str(ws / "ledger.sqlite"))
    assert "no space left on device" in line


def test_an_unexpected_error_is_one_line(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("agent.commands.book.load_book", boom)
    assert_one_line(invoke(ws, "book", "list"), "RecursionError")


def test_database_errors_are_recognized_however_wrapped() -> None:
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    found = workspace_error(wrapped, "/w/ledger.sqlite", "ledger")
    assert found is not None and str(found).startswith("no space left on device writing /w/")
    try:
        try:
            raise sqlite3.DatabaseError("file is not a database")
        except sqlite3.DatabaseError as exc:
            raise RuntimeError("opening the ledger") from exc
    except RuntimeError as outer:
        found = workspace_error(outer, "/w/ledger.sqlite", "ledger")
    assert found is not None and "move it aside" in str(found)
    # a message that only looks like a fault, from code that is no database, is not one
    assert workspace_error(ValueError("file is not a database")) is None
    assert workspace_error(OSError(errno.ENOENT, "missing")) is None


def test_a_failed_write_keeps_the_old_file_and_names_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "book.json"
    target.write_text("old", encoding="utf-8")

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(src))

    monkeypatch.setattr(agent.atomic.os, "replace", refuse)
    with pytest.raises(OSError) as caught:
        write_atomic(target, "new")
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.json"]


def test_a_held_book_lock_times_out_with_a_clear_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(home)
    monkeypatch.setattr(agent.atomic, "LOCK_TIMEOUT_S", 0.2)
    with locked(settings.book_file), pytest.raises(WorkspaceError, match="locked by another"):
        upsert_accounts(settings, [Account(account_id="acme", name="Acme")])
    upsert_accounts(settings, [Account(account_id="acme", name="Acme")])
    assert list(load_book(settings)) == ["acme"]


def _run_together(script: str, args: list[list[str]], folder: Path, timeout: float = 60) -> None:
    """Start one process per argument list; once all have imported what they need, release
    them at the same moment, and wait for all to succeed."""
    go = folder / "go"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        f"{textwrap.dedent(script)}\n"
        "Path(sys.argv[1]).touch()\n"
        f"while not Path({str(go)!r}).exists():\n"
        "    time.sleep(0.002)\n"
        "main(*sys.argv[2:])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    ready = [folder / f"ready-{i}" for i in range(len(args))]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(flag), *a],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flag, a in zip(ready, args, strict=True)
    ]
    try:
        deadline = time.monotonic() + timeout
        while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
            assert all(p.poll() is None for p in procs), "a process died before starting"
            time.sleep(0.01)
        go.touch()
        for proc in procs:
            _, err = proc.communicate(timeout=timeout)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


def test_processes_creating_and_writing_one_fresh_ledger_all_succeed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = """
        from datetime import date
        from agent.config import load_settings
        from agent.scan.ledger import Ledger
        from agent.schemas import Account, Evidence, Signal, SignalType

        def main(home):
            ledger = Ledger.open(load_settings(Path(home)))
            run, _ = ledger.start_run()
            signal = Signal(
                type=SignalType.layoffs, severity="red", polarity="risk", summary="cuts",
                occurred_at=date(2026, 3, 1), evidence=[Evidence(source_id="n1", quote="cuts")],
            )
            ledger.record_account(run, Account(account_id="acme", name="Acme"), [], [signal])
            ledger.complete_run(run, report=False)
            ledger.close()
        """
    _run_together(script, [[str(home)]] * 3, tmp_path)
    ledger = Ledger.open(load_settings(home))
    assert [status for _, status in ledger.runs()] == ["completed"] * 3
    ledger.close()
    with sqlite3.connect(home / "ledger.sqlite") as db:
        assert db.execute("select count(*) from signals").fetchone() == (1,)


def test_processes_adding_accounts_at_once_lose_none(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = """
        from agent.book import ensure_account
        from agent.config import load_settings

        def main(home, prefix):
            settings = load_settings(Path(home))
            for i in range(100):
                ensure_account(settings, f"{prefix} Account {i}")
        """
    _run_together(script, [[str(home), "North"], [str(home), "South"]], tmp_path)
    book = load_book(load_settings(home))
    assert len(book) == 200
    assert {a.name for a in book.values()} == {
        f"{side} Account {i}" for side in ("North", "South") for i in range(100)
    }
    json.loads((home / "book.json").read_text(encoding="utf-8"))  # whole, never half written


def test_ensure_account_twice_is_one_account(home: Path) -> None:
    settings = load_settings(home)
    first = ensure_account(settings, "Acme Corp")
    assert ensure_account(settings, "ACME  corp.") == first
    assert list(load_book(settings)) == [first.account_id]


def test_a_workspace_fault_ends_a_scan_but_an_accounts_own_error_does_not(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import agent.scan.scan as scan_module

    upsert_accounts(load_settings(ws), [Account(account_id="zed", name="Zed")])
    real = scan_module.scan_account

    def one_fails(deps: Any, account: Account, *args: Any, **kwargs: Any) -> Any:
        if account.account_id == "zed":
            raise failure
        return real(deps, account, *args, **kwargs)

    monkeypatch.setattr(scan_module, "scan_account", one_fails)
    failure: Exception = KeyError("own bug")
    result = invoke(ws, "scan", "--offline", "-f", "json")
    assert result.exit_code == 0, result.output
    accounts = {a["account_id"]: a for a in json.loads(result.stdout)["accounts"]}
    assert accounts["zed"]["errors"] == ["KeyError: 'own bug'"]
    assert accounts["acme-corp"]["triage"]

    from chromadb.errors import InternalError

    # the index is one file for every account: the scan stops at once, with the remedy
    failure = InternalError(
        "error returned from database: (code: 11) database disk image is malformed"
    )
    assert_one_line(invoke(ws, "scan", "--offline"), str(ws / "chroma"), "corrupt")
    ledger = Ledger.open(load_settings(ws))
    assert [status for _, status in ledger.runs()][-1] == "failed"
    ledger.close()


def test_a_planted_lock_file_never_hangs_and_is_never_followed(home: Path, tmp_path: Path) -> None:
    settings = load_settings(home)
    lock = home / "book.json.lock"
    os.mkfifo(lock)
    upsert_accounts(settings, [Account(account_id="acme", name="Acme")])
    lock.unlink()
    elsewhere = tmp_path / "elsewhere"
    lock.symlink_to(elsewhere)
    with pytest.raises(OSError) as caught:
        upsert_accounts(settings, [Account(account_id="zed", name="Zed")])
    assert caught.value.filename == str(lock) and not elsewhere.exists()
    assert list(load_book(settings)) == ["acme"]


def test_a_full_disk_while_reading_inputs_is_one_workspace_line_not_one_per_input(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-input and per-tool failures are recorded and the rest goes on, but a full or broken
    workspace fails every input alike: one line naming the fault, not a problem per file."""
    import agent.pipeline
    import tools.files
    from agent.config import load_settings
    from agent.deps import Deps
    from agent.errors import WorkspaceError

    notes = [tmp_path / f"note{i}.md" for i in range(3)]
    for note in notes:
        note.write_text("# Call notes\nThe renewal is on track.\n", encoding="utf-8")

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(home / "cache"))

    monkeypatch.setattr(tools.files, "ingest_path", full)
    deps = Deps.build(load_settings(home))
    with pytest.raises(WorkspaceError, match="no space left"):
        agent.pipeline.ingest(deps, Account(account_id="acme", name="Acme"), notes)
