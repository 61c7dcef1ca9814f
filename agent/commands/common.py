"""What every command shares: the workspace settings and the one-line error edge."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from agent.errors import DossierError, FileRole, database_of, workspace_error

if TYPE_CHECKING:
    # Every command module imports this one, `dossier --help` included: the workspace's
    # settings, dependencies and renderers load inside the functions that use them.
    from agent.config import Settings
    from agent.deps import Deps

F = TypeVar("F", bound=Callable[..., Any])

#: `--format` of the commands that print a brief; the choices of `agent.render.Format` (and of
#: the scan digest), spelled here so that registering a command loads no renderer.
Format = Literal["md", "json", "html"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def parse_as_of(value: str) -> datetime:
    """`--as-of`: a day (read to its end, UTC) or an ISO time (UTC when it names no zone)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or ISO time") from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


#: `--as-of DATE`, shared by brief, signals, scan and eval.
AsOf = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        parser=parse_as_of,
        metavar="DATE",
        help="Read the store as it stood on that day (YYYY-MM-DD, to its end, or an ISO time): "
        "only sources published (or, undated, retrieved) by then; staleness and recency "
        "relative to it.",
        show_default=False,
    ),
]


def settings_from(ctx: typer.Context) -> Settings:
    """Settings for the workspace chosen by `--home` or `DOSSIER_HOME`."""
    from agent.config import load_settings

    home: Path | None = (ctx.obj or {}).get("home")
    return load_settings(home)


def deps_from(ctx: typer.Context) -> Deps:
    """Real dependencies for the chosen workspace."""
    from agent.deps import Deps

    return Deps.build(settings_from(ctx))


def report_error(message: str) -> None:
    """Print one error line on stderr."""
    err.print(Text("error: ", style="bold red") + _plain(message))


class WarningLines(logging.Handler):
    """dossier's own log warnings (a damaged stored source, a record skipped outside a command's
    report) printed as the other warnings are: one `warning:` line each on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        """Print the record as a warning line."""
        report_warning(record.getMessage())


#: The packages whose warnings are dossier's to print; libraries keep their own logging.
_OWN_LOGGERS = ("agent", "tools", "knowledge", "evals", "dossier")


def print_log_warnings() -> None:
    """Route dossier's log warnings to `warning:` lines (once per process)."""
    for name in _OWN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, WarningLines) for h in logger.handlers):
            handler = WarningLines(logging.WARNING)
            logger.addHandler(handler)


def report_warning(message: str) -> None:
    """Print one warning line on stderr (a record skipped, the rest kept)."""
    err.print(Text("warning: ", style="yellow") + _plain(message))


def report_notice(notice: str, about: str = "") -> None:
    """Print a brief's notice on stderr, after `about` ("acme-corp: "): set-up advice (no
    seller profile yet) as a `note:` line, anything that cost the brief something as a warning."""
    from agent.seller import NO_SELLER

    if notice == NO_SELLER:
        err.print(Text("note: ", style="cyan") + _plain(about + notice))
    else:
        report_warning(about + notice)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line on stderr and return the exit to raise."""
    report_error(message)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn every error into one line on stderr and exit code 1, never a traceback.

    dossier's own errors carry their message; a fault of the workspace's files (read-only,
    disk full, a corrupt ledger or index, from the OS, SQLite, SQLAlchemy or Chroma) is named
    with its file and remedy; anything else is an unexpected error, shown with its traceback
    only when DOSSIER_DEBUG is set.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DossierError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except Exception as exc:
            # typer's exits and usage errors (typer.Exit, BadParameter: all carry an exit code)
            if isinstance(exc, typer.Exit | typer.Abort) or hasattr(exc, "exit_code"):
                raise
            if os.environ.get(DEBUG_ENV):
                raise
            raise fail(_explain(exc, kwargs.get("ctx"))) from None

    return wrapper  # type: ignore[return-value]


#: Set to show the traceback of an unexpected error instead of its one line.
DEBUG_ENV = "DOSSIER_DEBUG"


def _explain(exc: Exception, ctx: typer.Context | None) -> str:
    """One line for an error dossier did not raise itself."""
    path, role = _file_of(exc, ctx)
    problem = workspace_error(exc, path, role)
    if problem is not None:
        return str(problem)
    if isinstance(exc, OSError):
        return f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc)
    return f"unexpected {type(exc).__name__}: {exc} (run with {DEBUG_ENV}=1 for the traceback)"


def _file_of(exc: Exception, ctx: typer.Context | None) -> tuple[Path | None, FileRole]:
    """The workspace file a database error came from: Chroma's index or the ledger."""
    role = database_of(exc)
    if role is None:
        return None, "file"
    try:
        settings = settings_from(ctx) if ctx is not None else None
    except DossierError:
        settings = None
    if settings is None:
        return None, role
    if role == "index":
        return settings.chroma_dir / "chroma.sqlite3", role
    from agent.scan.ledger import ledger_file  # the ledger's engine loads only where it is used

    return ledger_file(settings), role


def write_output(text: str, output: Path | None) -> None:
    """Write to a file when asked, else to stdout."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}")


def _plain(message: str) -> Text:
    """The message on one line, inert in a terminal (no markup, no escape codes)."""
    from agent.render.escape import terminal

    return terminal(" ".join(message.split()))
