"""`dossier scan [ACCOUNT...]`: refresh the book, report what is new once, alert."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from agent.atomic import atomic_text
from agent.commands.common import (
    AsOf,
    Format,
    err,
    fail,
    handle_errors,
    report_error,
    settings_from,
    write_output,
)
from agent.errors import ConfigError
from agent.schemas import Account

if TYPE_CHECKING:
    from agent.config import Settings
    from agent.scan.digest import DigestRun
    from agent.scan.scan import AccountScan


@handle_errors
def scan_command(
    ctx: typer.Context,
    accounts: Annotated[
        list[str] | None, typer.Argument(help="Account ids or names (default: the whole book).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md, json or html.")] = "md",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    notify: Annotated[
        Literal["slack"] | None,
        typer.Option("--notify", help="Alert on a channel: slack (DOSSIER_SLACK_WEBHOOK_URL)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Send nothing and mark nothing reported; with --notify, print the payload.",
        ),
    ] = False,
    shard: Annotated[
        str | None, typer.Option("--shard", help="Scan only shard I of N (I/N), e.g. 2/3.")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only cached responses; send no request.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="Allow a private or loopback host (HOST or HOST:PORT)."),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Refresh the book, report each new signal once, triage and alert.

    Researches every account incrementally and reports the signals no earlier scan reported,
    red accounts first, then yellow, then expansion. A failing account is listed with its error
    and never stops the scan (exit 0). A scan cut
    short reports its signals on the next run; no signal is alerted twice. With --as-of, a
    backtest: the store as it stood that day, no research, and (as with --dry-run) nothing
    marked reported or sent.
    """
    # the research tools, the store and the ledger load only when a scan runs
    from agent.deps import Deps
    from agent.scan.digest import write_digest
    from agent.scan.notify import CHANNEL, notify_slack, slack_payload, unalerted
    from agent.scan.scan import in_shard, parse_shard, scan

    settings = settings_from(ctx)
    dry_run = dry_run or as_of is not None
    targets = _targets(settings, accounts or [])
    if shard:
        part = parse_shard(shard)
        targets = [a for a in targets if in_shard(a.account_id, part)]
    webhook = settings.slack_webhook_url
    if notify == "slack" and not dry_run and not webhook:
        raise fail("--notify slack needs DOSSIER_SLACK_WEBHOOK_URL (an incoming-webhook URL)")
    deps = Deps.build(settings, offline=offline, allow_hosts=allow_host or ())
    payload_out = notify == "slack" and dry_run

    def emit(digest: DigestRun) -> None:
        # A dry run's stdout is the payload; the digest then goes only to a named file.
        if output is not None:
            with atomic_text(output) as out:
                write_digest(digest, fmt, out)
            err.print(f"wrote {output}")
        elif not payload_out:
            write_digest(digest, fmt, sys.stdout)

    def send(run_id: str, digest: DigestRun) -> None:
        if payload_out:
            payload = slack_payload(unalerted(digest, deps.ledger.alerted(CHANNEL)))
            write_output(json.dumps(payload, indent=2), None)
        elif notify == "slack" and webhook:
            sent = notify_slack(deps, run_id, digest, webhook)
            err.print("slack: alert sent" if sent else "slack: nothing new to send")

    with deps, _progress(len(targets)) as progress:
        task = progress.add_task("scanning", total=len(targets))

        def done(result: AccountScan) -> None:
            progress.update(task, advance=1, description=result.account.account_id)

        digest = scan(
            deps,
            targets,
            emit=emit,
            notify=send if notify else None,
            shard=shard,
            report=not dry_run,
            on_account=done,
            as_of=as_of,
        )
    _summary(digest)


def _targets(settings: Settings, keys: list[str]) -> list[Account]:
    """The named accounts (each once), else the whole book."""
    from agent.book import find_account, load_book

    if keys:
        chosen = {a.account_id: a for a in (find_account(settings, k) for k in keys)}
        return list(chosen.values())
    book = load_book(settings)
    if not book:
        raise ConfigError(f"the book at {settings.home} is empty (see `dossier book import`)")
    return sorted(book.values(), key=lambda a: a.account_id)


def _progress(total: int) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=total == 0,
    )


def _summary(digest: DigestRun) -> None:
    counts = digest.counts()
    err.print(
        f"scanned {digest.scanned} account(s): {counts['new_signals']} new signal(s), "
        f"{counts['red']} red, {counts['yellow']} yellow, {counts['expansion']} expansion"
    )
    for account in digest.entries:
        for problem in account.errors:
            report_error(f"{account.account_id}: {problem}")
