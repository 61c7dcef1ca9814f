"""The ledger: what every scan saw and reported — accounts, source items, signals, runs, alerts.

SQLAlchemy 2.0 ORM on SQLite in the workspace by default, any database URL via
`DOSSIER_LEDGER_URL` (PostgreSQL for a team). Every write is one transaction; on SQLite every
transaction takes the write lock when it begins (BEGIN IMMEDIATE) and waits for another
process's, so two scans at once never interleave a read and a write, and the tables are created
once, in one transaction, however many processes open a fresh ledger together. A database error
leaves the ledger as a WorkspaceError that names the file and what to do.

Exactly once: a signal is recorded with `first_seen_run` / `last_seen_run` and stays
unreported (`reported_run` null) until a run that found it completes. A run killed midway
leaves its signals unreported, so the next run reports them. Alerts are recorded as pending
before they are sent and marked sent after, with the fingerprints they covered, so a signal
is never alerted twice even when the run that sent it died before completing.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, TypeVar

from pydantic import ValidationError
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    create_engine,
    event,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from agent.clock import Clock, utc_now
from agent.config import Settings
from agent.errors import WorkspaceError, workspace_error
from agent.schemas import Account, Signal, Source
from knowledge.store import content_hash

RunStatus = Literal["running", "completed", "failed"]
AlertStatus = Literal["pending", "sent"]

#: How long a SQLite ledger waits for another process's write lock.
BUSY_TIMEOUT_S = 30.0
_CREATE_ATTEMPTS = 5
_NAME_CHARS = 500  # the accounts.name column's width (PostgreSQL enforces it)

P = ParamSpec("P")
R = TypeVar("R")


class Base(DeclarativeBase):
    """The ledger's tables."""


class AccountRow(Base):
    """An account the ledger has seen."""

    __tablename__ = "accounts"
    account_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SourceItemRow(Base):
    """One stored source of an account and the digest of its content."""

    __tablename__ = "source_items"
    __table_args__ = (UniqueConstraint("account_id", "source_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.account_id"), index=True)
    source_id: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SignalRow(Base):
    """A signal of an account, identified across runs by its fingerprint."""

    __tablename__ = "signals"
    __table_args__ = (UniqueConstraint("account_id", "fingerprint"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.account_id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    first_seen_run: Mapped[str] = mapped_column(String(64))
    last_seen_run: Mapped[str] = mapped_column(String(64), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_run: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class RunRow(Base):
    """One scan."""

    __tablename__ = "runs"
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    shard: Mapped[str | None] = mapped_column(String(32), nullable=True)


class AlertRow(Base):
    """A notification of a run: recorded pending before sending, marked sent after."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.run_id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    payload_hash: Mapped[str] = mapped_column(String(64), index=True)
    fingerprints: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BriefRow(Base):
    """A brief given to the CSM, and the signals it carried."""

    __tablename__ = "briefs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(200), index=True)
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fingerprints: Mapped[list[str]] = mapped_column(JSON)


def fingerprint(signal: Signal) -> str:
    """A digest that names the same event across runs of unchanged sources.

    Type, severity (an escalation is news), who or what it is about, and the month it
    happened; without a date, the evidence sources stand in for it. Summaries and quotes are
    left out: their wording may change while the event does not.
    """
    entity = " ".join((signal.entity or "").casefold().split())
    if signal.occurred_at is not None:
        when = signal.occurred_at.strftime("%Y-%m")
    else:
        when = ",".join(sorted({e.source_id for e in signal.evidence}))
    key = "|".join((signal.type.value, signal.severity, entity, when))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """A signal as the ledger holds it."""

    account_id: str
    fingerprint: str
    signal: Signal
    first_seen_run: str


def ledger_file(settings: Settings) -> Path:
    """Where the workspace's SQLite ledger lives (when no database URL is set)."""
    return settings.home / "ledger.sqlite"


def _guarded(method: Callable[Concatenate[Ledger, P], R]) -> Callable[Concatenate[Ledger, P], R]:
    """A database error of the method becomes a WorkspaceError that names the ledger."""

    @functools.wraps(method)
    def wrapper(self: Ledger, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except (SQLAlchemyError, sqlite3.Error, OSError, ValidationError) as exc:
            raise _problem(exc, self.where) from exc

    return wrapper


class Ledger:
    """The ledger of one workspace (or of a team, through a database URL)."""

    def __init__(self, url: str | URL, clock: Clock = utc_now) -> None:
        self.url = url
        self.where = _shown(url)
        self.clock = clock
        try:
            self.engine: Engine = _engine(url)
            self._create_tables()
        except ImportError as exc:
            raise WorkspaceError(
                f"the ledger at {self.where} needs a database driver that is not installed "
                f"({exc.name or exc})"
            ) from exc
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            raise _problem(exc, self.where) from exc

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utc_now) -> Ledger:
        """The ledger `settings` point at: `ledger_url`, else SQLite in the workspace; its
        records are stamped by `clock`."""
        if settings.ledger_url:
            return cls(settings.ledger_url, clock)
        path = ledger_file(settings)
        try:
            settings.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _problem(exc, path) from exc
        # a URL object, not a string: a folder name with '?' or '%' stays a file name
        return cls(URL.create("sqlite", database=str(path.resolve())), clock)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def _create_tables(self) -> None:
        """Create the missing tables in one transaction; a process that raced another to it
        (PostgreSQL has no lock to wait on) tries again and finds them made."""
        for attempt in range(1, _CREATE_ATTEMPTS + 1):
            try:
                with self.engine.begin() as connection:
                    Base.metadata.create_all(connection)
                return
            except SQLAlchemyError as exc:
                text = str(exc).casefold()
                racing = any(w in text for w in ("already exists", "locked", "duplicate"))
                if not racing or attempt == _CREATE_ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)

    @_guarded
    def start_run(self, shard: str | None = None) -> tuple[str, datetime]:
        """A new run, recorded as running; its id and start time."""
        run_id, now = uuid.uuid4().hex, self.clock()
        with Session(self.engine) as session, session.begin():
            session.add(RunRow(run_id=run_id, started_at=now, status="running", shard=shard))
        return run_id, now

    @_guarded
    def record_account(
        self, run_id: str, account: Account, sources: Iterable[Source], signals: Sequence[Signal]
    ) -> None:
        """What one run saw of one account, in one transaction."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            row = session.get(AccountRow, account.account_id)
            if row is None:
                row = AccountRow(account_id=account.account_id, first_seen=now, last_seen=now)
                session.add(row)
            row.name, row.last_seen = account.name[:_NAME_CHARS], now
            session.flush()
            items = {
                i.source_id: i
                for i in session.scalars(
                    select(SourceItemRow).where(SourceItemRow.account_id == account.account_id)
                )
            }
            for source in sources:
                digest = content_hash(source)
                item = items.get(source.id)
                if item is None:
                    session.add(
                        SourceItemRow(
                            account_id=account.account_id,
                            source_id=source.id,
                            content_hash=digest,
                            first_seen=now,
                            last_seen=now,
                        )
                    )
                else:
                    item.content_hash, item.last_seen = digest, now
            known = {
                s.fingerprint: s
                for s in session.scalars(
                    select(SignalRow).where(SignalRow.account_id == account.account_id)
                )
            }
            for signal in signals:
                key = fingerprint(signal)
                payload = signal.model_dump(mode="json")
                found = known.get(key)
                if found is None:
                    found = SignalRow(
                        account_id=account.account_id,
                        fingerprint=key,
                        first_seen_run=run_id,
                        first_seen_at=now,
                        last_seen_run=run_id,
                        payload=payload,
                    )
                    session.add(found)
                    known[key] = found
                else:
                    found.last_seen_run, found.payload = run_id, payload

    @_guarded
    def unreported(self, run_id: str) -> list[Recorded]:
        """The signals this run found that no completed run has reported yet."""
        query = select(SignalRow).where(
            SignalRow.last_seen_run == run_id, SignalRow.reported_run.is_(None)
        )
        with Session(self.engine) as session:
            return [_recorded(row) for row in session.scalars(query.order_by(SignalRow.id))]

    @_guarded
    def listed(self, run_id: str, account_ids: Sequence[str]) -> list[Recorded]:
        """The signals of these accounts the run's digest lists: found by it and reported by
        no other run (the same before the run completes, when it reports them, and after)."""
        query = select(SignalRow).where(
            SignalRow.last_seen_run == run_id,
            or_(SignalRow.reported_run.is_(None), SignalRow.reported_run == run_id),
            SignalRow.account_id.in_(list(account_ids)),
        )
        with Session(self.engine) as session:
            return [_recorded(row) for row in session.scalars(query.order_by(SignalRow.id))]

    @_guarded
    def unreported_counts(self, run_id: str) -> dict[str, int]:
        """How many unreported signals this run found, per account (those with any)."""
        query = (
            select(SignalRow.account_id, func.count())
            .where(SignalRow.last_seen_run == run_id, SignalRow.reported_run.is_(None))
            .group_by(SignalRow.account_id)
        )
        with Session(self.engine) as session:
            return {account_id: n for account_id, n in session.execute(query)}

    @_guarded
    def alerted(self, channel: str) -> set[str]:
        """What the alerts sent on `channel` covered (the keys `alert_pending` was given)."""
        query = select(AlertRow.fingerprints).where(
            AlertRow.channel == channel, AlertRow.status == "sent"
        )
        with Session(self.engine) as session:
            return {f for row in session.scalars(query) for f in row}

    @_guarded
    def was_sent(self, channel: str, payload_hash: str) -> bool:
        """Whether an alert with this payload hash was already sent on `channel`."""
        query = select(AlertRow.id).where(
            AlertRow.channel == channel,
            AlertRow.payload_hash == payload_hash,
            AlertRow.status == "sent",
        )
        with Session(self.engine) as session:
            return session.scalars(query).first() is not None

    @_guarded
    def alert_pending(
        self, run_id: str, channel: str, payload_hash: str, covered: Sequence[str]
    ) -> int:
        """Record an alert about to be sent, with keys of the signals it covers; its id."""
        row = AlertRow(
            run_id=run_id,
            channel=channel,
            payload_hash=payload_hash,
            fingerprints=sorted(covered),
            status="pending",
            created_at=self.clock(),
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    @_guarded
    def alert_sent(self, alert_id: int) -> None:
        """Mark an alert as delivered."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(AlertRow)
                .where(AlertRow.id == alert_id)
                .values(status="sent", sent_at=self.clock())
            )

    @_guarded
    def complete_run(self, run_id: str, report: bool = True) -> datetime:
        """Mark the run completed and, when it reported them (`report`), every signal it
        found unreported as reported by it: what its digest listed. Atomically."""
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            if report:
                session.execute(
                    update(SignalRow)
                    .where(SignalRow.last_seen_run == run_id, SignalRow.reported_run.is_(None))
                    .values(reported_run=run_id)
                )
            session.execute(
                update(RunRow)
                .where(RunRow.run_id == run_id)
                .values(status="completed", finished_at=now)
            )
        return now

    @_guarded
    def fail_run(self, run_id: str) -> None:
        """Mark a run that stopped on a fatal error."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(RunRow)
                .where(RunRow.run_id == run_id)
                .values(status="failed", finished_at=self.clock())
            )

    @_guarded
    def since_last_brief(
        self, account_id: str, signals: Sequence[Signal], generated_at: datetime
    ) -> tuple[datetime | None, list[Signal]]:
        """The previous brief's time and the signals it did not carry; this brief is recorded.

        The previous brief is the last one generated by `generated_at`, so a brief as of a past
        day compares with the brief before that day, not with today's.
        """
        prints = [fingerprint(s) for s in signals]
        query = (
            select(BriefRow)
            .where(BriefRow.account_id == account_id, BriefRow.generated_at <= generated_at)
            .order_by(BriefRow.generated_at.desc(), BriefRow.id.desc())
            .limit(1)
        )
        with Session(self.engine) as session, session.begin():
            last = session.execute(query).scalar_one_or_none()
            previous = (last.generated_at, set(last.fingerprints)) if last else None
            session.add(
                BriefRow(account_id=account_id, generated_at=generated_at, fingerprints=prints)
            )
        if previous is None:
            return None, []
        when, seen = previous
        new = [s for s, p in zip(signals, prints, strict=True) if p not in seen]
        return when, new

    @_guarded
    def runs(self) -> list[tuple[str, str]]:
        """Every run's id and status, oldest first."""
        query = select(RunRow.run_id, RunRow.status).order_by(RunRow.started_at)
        with Session(self.engine) as session:
            return [(r, s) for r, s in session.execute(query)]


def _recorded(row: SignalRow) -> Recorded:
    return Recorded(
        account_id=row.account_id,
        fingerprint=row.fingerprint,
        signal=Signal.model_validate(row.payload),
        first_seen_run=row.first_seen_run,
    )


def _engine(url: str | URL) -> Engine:
    """The engine; on SQLite, transactions that take the write lock up front and wait for it.

    A PostgreSQL URL without a driver (`postgresql://`, `postgres://`) uses psycopg 3, the
    driver dossier installs; a pooled connection is tested before use, since a scan may
    outlive a server restart.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    # Python's sqlite3 would begin a transaction only at the first write, after the reads of
    # the same transaction; SQLAlchemy's recipe: no implicit BEGIN, an explicit immediate one.
    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _shown(url: str | URL) -> str:
    """The ledger as a message names it: the SQLite file, else the URL without its password."""
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError):
        return "the ledger URL (DOSSIER_LEDGER_URL)"
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def _problem(exc: BaseException, where: str | Path) -> WorkspaceError:
    """A ledger error as one line: a workspace fault with its remedy, else what the database
    said."""
    if isinstance(exc, ValidationError):
        return WorkspaceError(
            f"the ledger at {where} holds a record this version cannot read: move it aside; "
            "the next scan starts a new one"
        )
    found = workspace_error(exc, where, "ledger")
    if found is not None:
        return found
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return WorkspaceError(f"the ledger at {where} cannot be used: {detail[0] if detail else exc}")
