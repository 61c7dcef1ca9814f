"""`dossier eval`: run the fixed cases offline, print the scorecard, fail below the floors."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from agent.commands.common import (
    err,
    fail,
    handle_errors,
    out,
)
from agent.commands.common import write_output as write
from evals.run import (
    BASELINE_FILE,
    CASES_DIR,
    LLM_BASELINE_FILE,
    EvalReport,
    LlmPath,
    below_floor,
    case_dirs,
    llm_settings,
    load_floors,
    new_floors,
    run_cases,
    write_floors,
)
from evals.scorecard import scorecard


@handle_errors
def eval_command(
    ctx: typer.Context,
    cases: Annotated[
        Path,
        typer.Option(
            "--cases",
            help="Folder of case folders (default: the bundled cases).",
            show_default=False,
        ),
    ] = CASES_DIR,
    fmt: Annotated[
        Literal["table", "json"], typer.Option("--format", "-f", help="table or json.")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Floors file (default: evals/baseline.json; with --llm, evals/baseline_llm.json).",
            show_default=False,
        ),
    ] = None,
    llm: Annotated[
        LlmPath,
        typer.Option(
            "--llm",
            help="none: extractive; scripted: the LLM path against the bundled scripted model "
            "server (offline); env: the model DOSSIER_LLM names.",
        ),
    ] = "none",
    write_baseline: Annotated[
        bool, typer.Option("--write-baseline", help="Set the floors to the scores measured.")
    ] = False,
    allow_regression: Annotated[
        bool, typer.Option("--allow-regression", help="Let --write-baseline lower a floor.")
    ] = False,
) -> None:
    """Score the eval cases and fail below the floors.

    Grounding, signals, facts, personas, injection and leaks are scored; the exit code is 1
    when an overall score is below its floor in evals/baseline.json.
    """
    total = len(case_dirs(cases))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("eval", total=total)
        with llm_settings(llm) as overrides:
            report = run_cases(cases, overrides, on_case=lambda case_id: progress.advance(task))
    if baseline is None:
        baseline = BASELINE_FILE if llm == "none" else LLM_BASELINE_FILE
    floors = load_floors(baseline)
    if write_baseline:
        floors, lowered = new_floors(report.overall, floors)
        if lowered and not allow_regression:
            raise fail(
                f"refusing to lower floors ({', '.join(lowered)}); "
                "pass --allow-regression and say why in the commit"
            )
        write_floors(baseline, floors, len(report.cases), date.today())
        err.print(f"wrote {baseline}")
    failures = below_floor(report.overall, floors)
    if fmt == "json":
        payload = report.to_dict(floors, failures)
        write(json.dumps(payload, indent=2, ensure_ascii=False), output)
    else:
        write(_table(report, floors, color=output is None and out.is_terminal), output)
    if failures:
        raise fail(f"below floor: {'; '.join(failures)}")


def _table(report: EvalReport, floors: dict[str, float], color: bool) -> str:
    """The scorecard as text, wide enough for every column; colored on a terminal."""
    buffer = StringIO()
    width = max(out.width, 150)
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color)
    console.print(scorecard(report, floors))
    return buffer.getvalue()
