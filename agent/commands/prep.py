"""`dossier prep --calendar FILE.ics`: a brief for each account met in the coming day(s)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent.commands.common import (
    Format,
    err,
    handle_errors,
    out,
    parse_as_of,
    report_notice,
    settings_from,
)

if TYPE_CHECKING:
    from agent.prep import Attending, Meeting

_EXTENSIONS = {"md": "md", "json": "json", "html": "html"}


@handle_errors
def prep(
    ctx: typer.Context,
    calendar: Annotated[
        Path,
        typer.Option(
            "--calendar",
            "-c",
            exists=True,
            dir_okay=False,
            help="A calendar export (.ics) from Google Calendar or Outlook.",
        ),
    ],
    days: Annotated[
        int, typer.Option("--days", min=1, max=31, help="How many days ahead to prepare.")
    ] = 1,
    start: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            parser=parse_as_of,
            metavar="TIME",
            help="Start of the window (an ISO time, or a day from its end; default: now).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            file_okay=False,
            help="Folder for the briefs (default: prep/<day> in the workspace).",
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md, json or html.")] = "md",
) -> None:
    """Write a brief for every meeting of the coming day(s) with an account of the book.

    A meeting's attendees are matched by e-mail address to the CRM's contacts, else by domain
    to an account's domain (or its contacts' domains); each brief's value messages are aimed
    at the attendees' personas, from their titles and roles in the contacts. Meetings that
    match no account are listed as such.
    """
    from agent.book import load_book
    from agent.crm import load_crm
    from agent.deps import Deps
    from agent.prep import match_meetings, read_meetings  # the calendar parser loads only here
    from agent.render import render
    from agent.render.escape import terminal
    from agent.web.briefs import make_brief

    settings = settings_from(ctx)
    with Deps.build(settings) as deps:
        begin = start or deps.clock()
        end = begin + timedelta(days=days)
        meetings = read_meetings(calendar, begin, end)
        matches = match_meetings(meetings, load_book(settings), load_crm(settings).contacts)
        folder = output or settings.home / "prep" / begin.date().isoformat()
        written = 0
        if not matches:
            out.print(f"no meetings from {begin:%Y-%m-%d %H:%M} UTC for {days} day(s)")
        for match in matches:
            heading = f"{_when(match.meeting)}  {match.meeting.summary}  → "
            if not match.accounts:
                domains = sorted({a.domain for a in match.meeting.attendees}) or ["no attendees"]
                out.print(terminal(heading + f"no account in the book ({', '.join(domains)})"))
                continue
            for attending in match.accounts:
                path = folder / _file_name(match.meeting, attending, fmt)
                briefing = make_brief(
                    deps, attending.account, attending.personas, _purpose(match.meeting, attending)
                )
                for notice in briefing.notices:
                    report_notice(notice, f"{attending.account.account_id}: ")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render(briefing, fmt), encoding="utf-8")
                written += 1
                who = f"{attending.account.name} ({_people(attending)})"
                out.print(terminal(f"{heading}{who}: {path}"))
    if written:
        err.print(f"wrote {written} brief(s) to {folder}")


def _when(meeting: Meeting) -> str:
    return f"{meeting.start:%Y-%m-%d %H:%M} UTC"


def _people(attending: Attending) -> str:
    """Who attends for the account, with the personas the brief is aimed at."""
    names = [c.name + (f", {c.title}" if c.title else "") for c in attending.contacts]
    known = {c.email for c in attending.contacts if c.email}
    names += [a.name or a.email for a in attending.attendees if a.email not in known]
    personas = ", ".join(p.value for p in attending.personas) or "every persona"
    return f"{'; '.join(dict.fromkeys(names))}; aimed at {personas}"


def _purpose(meeting: Meeting, attending: Attending) -> str:
    """What the CSM prepares for, for the model in LLM mode."""
    people = "; ".join(c.name + (f" ({c.title})" if c.title else "") for c in attending.contacts)
    return f"the meeting '{meeting.summary}' on {_when(meeting)}" + (
        f" with {people}" if people else ""
    )


def _file_name(meeting: Meeting, attending: Attending, fmt: Format) -> str:
    return f"{meeting.start:%Y-%m-%d-%H%M}-{attending.account.account_id}.{_EXTENSIONS[fmt]}"
