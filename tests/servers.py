"""Real database and index servers for the tests: a throwaway PostgreSQL cluster and a Chroma
server (`chroma run`), each on a free loopback port and gone when the test session ends.

PostgreSQL comes from Debian's `postgresql` package (`make test` installs it when missing);
as root, the cluster runs as the `postgres` system user, since PostgreSQL refuses root.
Without the package the tests that need it are skipped, or fail when `DOSSIER_TEST_SERVERS`
is `required` (as `make test` sets it), so a missing server never passes silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REQUIRED_ENV = "DOSSIER_TEST_SERVERS"
_START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unavailable(reason: str) -> None:
    """Skip the test, or fail it where the servers are required."""
    if os.environ.get(REQUIRED_ENV) == "required":
        pytest.fail(f"{reason} ({REQUIRED_ENV}=required)")
    pytest.skip(reason)


def postgres_bindir() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest installed version."""
    found = shutil.which("pg_ctl")
    if found and (Path(found).resolve().parent / "initdb").exists():
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


class Postgres:
    """A PostgreSQL cluster in a temporary folder, trusting local connections, tuned for
    tests (no fsync); `database()` gives each test a database of its own."""

    def __init__(self) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            unavailable("PostgreSQL is not installed (apt-get install postgresql)")
        assert bindir is not None
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="dossier-pg-"))
        self.data = self.root / "data"
        self._user: str | None = None
        if os.geteuid() == 0:
            # PostgreSQL will not run as root; its package creates this user
            self._user = "postgres"
            shutil.chown(self.root, self._user)
        self._count = 0

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=_START_TIMEOUT_S,
            cwd=self.root,
            **self._as_owner(),
        )

    def _as_owner(self) -> dict[str, Any]:
        """subprocess arguments that run a command as the cluster's owner."""
        if self._user is None:
            return {}
        return {"user": self._user, "group": self._user, "extra_groups": []}

    def start(self) -> Postgres:
        """initdb and start the server; returns when it accepts connections."""
        self._run("initdb", "-D", str(self.data), "-U", "dossier", "-A", "trust",
                  "-E", "UTF8", "--no-locale", "--no-sync")  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.root / "server.log"), "-o", options)  # fmt: skip
        return self

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL of a database of this cluster (the psycopg 3 driver)."""
        return f"postgresql+psycopg://dossier@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        self._count += 1
        name = f"test_{self._count}"
        conninfo = f"host=127.0.0.1 port={self.port} user=dossier dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its files."""
        if self.data.exists():
            subprocess.run(
                [str(self.bindir / "pg_ctl"), "stop", "-m", "immediate", "-D", str(self.data)],
                capture_output=True,
                timeout=_START_TIMEOUT_S,
                check=False,
                **self._as_owner(),
            )
        shutil.rmtree(self.root, ignore_errors=True)


class ChromaServer:
    """The Chroma server that ships with chromadb (`chroma run`) over a temporary folder."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="dossier-chroma-"))
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> ChromaServer:
        """Start the server; returns when its heartbeat answers."""
        chroma = Path(sys.executable).parent / "chroma"
        if not chroma.exists():
            unavailable("the chroma command of chromadb is not installed")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        args = [str(chroma), "run", "--path", str(self.root / "data"),
                "--host", "127.0.0.1", "--port", str(self.port)]  # fmt: skip
        log = (self.root / "server.log").open("wb")
        self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"chroma run exited: {(self.root / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("chroma run did not answer within a minute")

    def clear(self) -> None:
        """Delete every collection (tests share the server, not their accounts' indexes)."""
        import chromadb
        from chromadb.config import Settings

        client = chromadb.HttpClient(
            host="127.0.0.1", port=self.port, settings=Settings(anonymized_telemetry=False)
        )
        for collection in client.list_collections():
            client.delete_collection(collection.name)

    def stop(self) -> None:
        """Stop the server and remove its files."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One PostgreSQL cluster for the session."""
    server = Postgres()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chroma_server() -> Iterator[ChromaServer]:
    """One Chroma server for the session."""
    server = ChromaServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def ledger_url(postgres: Postgres) -> str:
    """A fresh PostgreSQL database for one test; its URL."""
    return postgres.database()


@pytest.fixture
def chroma_url(chroma_server: ChromaServer) -> Iterator[str]:
    """The Chroma server, emptied after the test."""
    yield chroma_server.url
    chroma_server.clear()
