"""Research: run the source tools an account's book fields enable, store what they bring.

A tool that fails in any way becomes a recorded gap (the brief lists it), never a crash. The
last run of each account is kept in the workspace as `research/<account_id>.json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Literal

from agent.assess.aggregates import job_snapshot
from agent.atomic import write_atomic
from agent.config import Settings
from agent.deps import Deps
from agent.errors import workspace_error
from agent.schemas import Account
from tools.problems import collecting, failure
from tools.sources import FetchContext, SourceTool

Status = Literal["ok", "failed"]


@dataclass
class ToolOutcome:
    """What one tool did in one run."""

    tool: str
    status: Status
    new: int = 0
    unchanged: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class ResearchReport:
    """One research run of one account."""

    account_id: str
    started_at: str
    finished_at: str = ""
    outcomes: list[ToolOutcome] = field(default_factory=list)
    #: Open roles per department after this run, and after the run before it.
    jobs: dict[str, int] = field(default_factory=dict)
    previous_jobs: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[ToolOutcome]:
        """The tools that brought nothing because they failed."""
        return [o for o in self.outcomes if o.status == "failed"]


def research(
    deps: Deps,
    account: Account,
    tools: list[SourceTool] | None = None,
    on_tool: Callable[[SourceTool], None] | None = None,
) -> ResearchReport:
    """Run each enabled tool, store its sources, and record the run."""
    # the tools load their parsers' libraries: only a research run needs them, not a brief
    from tools.registry import enabled_tools

    chosen = enabled_tools(account) if tools is None else tools
    now = deps.clock()
    report = ResearchReport(account_id=account.account_id, started_at=now.isoformat())
    context = FetchContext(http=deps.http, settings=deps.settings, now=now)
    for tool in chosen:
        if on_tool:
            on_tool(tool)
        report.outcomes.append(run_tool(deps, account, tool, context))
    record(deps, account, report)
    return report


def record(deps: Deps, account: Account, report: ResearchReport) -> None:
    """Finish a run (the job counts it leaves, and those of the run before) and keep it as the
    account's research record, so its failures show as gaps in the brief."""
    before = load_report(deps.settings, account.account_id)
    report.jobs = job_snapshot(deps.store.sources(account.account_id))
    if before is not None:
        report.previous_jobs = before.jobs if before.jobs != report.jobs else before.previous_jobs
    report.finished_at = deps.clock().isoformat()
    save_report(deps.settings, report)


def run_tool(deps: Deps, account: Account, tool: SourceTool, context: FetchContext) -> ToolOutcome:
    """Fetch one tool's sources and store them; a failure of any kind while fetching and
    parsing is an outcome, not an exception, and the items it noted are its problems."""
    with collecting() as noted:
        try:
            fetched = tool.fetch(account, context)
        except Exception as exc:  # the one place a tool's failure becomes its gap
            if (fault := workspace_error(exc)) is not None:
                raise fault from exc  # a full or broken workspace fails every tool alike
            return ToolOutcome(tool=tool.name, status="failed", error=failure(exc), problems=noted)
    result = deps.store.add_sources(fetched.sources)
    return ToolOutcome(
        tool=tool.name,
        status="ok",
        new=len(result.new),
        unchanged=len(result.unchanged),
        updated=len(result.updated),
        problems=fetched.problems + noted,
    )


def save_report(settings: Settings, report: ResearchReport) -> None:
    """Keep the run as the account's latest research record (atomically)."""
    path = settings.home / "research" / f"{report.account_id}.json"
    write_atomic(path, json.dumps(asdict(report), indent=2))


def load_report(settings: Settings, account_id: str) -> ResearchReport | None:
    """The latest research record of an account, if research ever ran."""
    path = settings.home / "research" / f"{account_id}.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        outcomes = [ToolOutcome(**o) for o in data.pop("outcomes", [])]
        return ResearchReport(**data, outcomes=outcomes)
    except (OSError, ValueError, TypeError):
        return None


def source_gaps(report: ResearchReport | None) -> list[str]:
    """The research failures a brief should admit to, one line each."""
    if report is None:
        return []
    when = _date(report.started_at)
    return [f"{o.tool}: {o.error} (research on {when})" for o in report.failed]


def _date(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).date().isoformat()
    except ValueError:
        return stamp
