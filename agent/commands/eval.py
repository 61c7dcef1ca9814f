"""`dossier eval`: run the fixed cases offline, print the scorecard, fail below the floors."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from agent.commands.common import (
    AsOf,
    err,
    fail,
    handle_errors,
    out,
)
from agent.commands.common import write_output as write

if TYPE_CHECKING:
    # the harness runs the whole pipeline: it loads when an eval runs, not at `dossier --help`
    from evals.real_metrics import RealReport
    from evals.run import EvalReport

#: `--llm`: the choices of `evals.run.LlmPath`, spelled here so registering loads no harness.
LlmChoice = Literal["none", "scripted", "env", "local"]


@handle_errors
def eval_command(
    ctx: typer.Context,
    cases: Annotated[
        Path | None,
        typer.Option(
            "--cases",
            help="Folder of case folders (default: the bundled cases).",
            show_default=False,
        ),
    ] = None,
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
        LlmChoice,
        typer.Option(
            "--llm",
            help="none: extractive; scripted: the LLM path against the bundled scripted model "
            "server (offline); env: the model DOSSIER_LLM names; local: the local model server "
            "(make llm-local). With --real, LLM runs are reported, not gated.",
        ),
    ] = "none",
    write_baseline: Annotated[
        bool, typer.Option("--write-baseline", help="Set the floors to the scores measured.")
    ] = False,
    allow_regression: Annotated[
        bool, typer.Option("--allow-regression", help="Let --write-baseline lower a floor.")
    ] = False,
    real: Annotated[
        Path | None,
        typer.Option(
            "--real",
            help="A realdocs folder (e.g. ../shared/realdocs): every document in a workspace of "
            "its own, read as of its as_of, scored against its hand labels; floors in "
            "evals/baseline_real.json.",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="--real: documents run at once.")
    ] = 2,
    as_of: AsOf = None,
) -> None:
    """Score the eval cases and fail below the floors.

    Grounding, signals, facts, personas, injection and leaks are scored; the exit code is 1
    when an overall score is below its floor in evals/baseline.json. With --real, real
    documents are scored instead (signal recall per type, distractors, key facts, parsing).
    """
    from evals.run import (
        BASELINE_FILE,
        CASES_DIR,
        LLM_BASELINE_FILE,
        below_floor,
        case_dirs,
        llm_settings,
        load_floors,
        run_cases,
    )

    if real is not None:
        _real(real, fmt, output, baseline, jobs, as_of, write_baseline, allow_regression, llm)
        return
    cases = cases if cases is not None else CASES_DIR
    total = len(case_dirs(cases))
    with _progress() as progress:
        task = progress.add_task("eval", total=total)
        with llm_settings(llm) as overrides:
            report = run_cases(
                cases, overrides, on_case=lambda case_id: progress.advance(task), as_of=as_of
            )
    if baseline is None:
        baseline = BASELINE_FILE if llm == "none" else LLM_BASELINE_FILE
    floors = load_floors(baseline)
    if write_baseline:
        mode = "extractive mode" if llm == "none" else f"LLM path ({llm})"
        floors = _raise_floors(
            report.overall, floors, baseline, f"{len(report.cases)} cases, {mode}",
            allow_regression,
        )  # fmt: skip
    failures = below_floor(report.overall, floors)
    if fmt == "json":
        payload = report.to_dict(floors, failures)
        write(json.dumps(payload, indent=2, ensure_ascii=False), output)
    else:
        write(_table(report, floors, color=output is None), output)
    if failures:
        raise fail(f"below floor: {'; '.join(failures)}")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
    )


def _raise_floors(
    overall: dict[str, float | None],
    floors: dict[str, float],
    baseline: Path,
    measured: str,
    allow_regression: bool,
    gated: tuple[str, ...] | None = None,
) -> dict[str, float]:
    """New floors at the measured scores, written to `baseline`; never lower without leave."""
    from evals.metrics import GATED as METRICS_GATED
    from evals.run import new_floors, write_floors

    names = gated or METRICS_GATED
    floors, lowered = new_floors(overall, floors, names)
    if lowered and not allow_regression:
        raise fail(
            f"refusing to lower floors ({', '.join(lowered)}); "
            "pass --allow-regression and say why in the commit"
        )
    write_floors(baseline, floors, measured, date.today(), names)
    err.print(f"wrote {baseline}")
    return floors


def _real(
    root: Path,
    fmt: str,
    output: Path | None,
    baseline: Path | None,
    jobs: int,
    as_of: datetime | None,
    write_baseline: bool,
    allow_regression: bool,
    llm: LlmChoice = "none",
) -> None:
    """`eval --real DIR`: every real document scored, gated by evals/baseline_real.json (in
    extractive mode; an LLM run is reported against the floors, never gated by them)."""
    from evals.real import REAL_BASELINE_FILE, llm_summary, load_corpus, run_corpus
    from evals.real_metrics import GATED as REAL_GATED
    from evals.real_metrics import score_corpus
    from evals.real_scorecard import real_scorecard
    from evals.run import below_floor, llm_settings, load_floors

    corpus = load_corpus(root)
    with _progress() as progress, llm_settings(llm) as overrides:
        task = progress.add_task("real documents", total=len(corpus.docs))
        outcomes = run_corpus(
            corpus,
            jobs=jobs if llm == "none" else 1,  # one model server answers one brief at a time
            as_of=as_of,
            on_doc=lambda o: progress.update(task, advance=1, description=o.doc),
            settings_overrides=overrides,
        )
    report: RealReport = score_corpus(corpus, outcomes)
    baseline = baseline or REAL_BASELINE_FILE
    floors = load_floors(baseline)
    if llm != "none" and write_baseline:
        raise fail("the real-document floors are extractive; --write-baseline needs --llm none")
    if write_baseline:
        measured = f"{len(corpus.docs)} real documents of {root.name}, extractive mode"
        floors = _raise_floors(
            report.overall, floors, baseline, measured, allow_regression, REAL_GATED
        )
    failures = below_floor(report.overall, floors)
    cost = llm_summary(outcomes) if llm != "none" else None
    if cost is not None:
        err.print(
            f"LLM ({llm}): " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in cost.items())
        )
    if fmt == "json":
        payload = {**report.to_dict(floors, failures), **({"llm": cost} if cost else {})}
        write(json.dumps(payload, indent=2, ensure_ascii=False), output)
    else:
        write(_render(real_scorecard(report, floors), color=output is None), output)
    if failures and llm == "none":
        raise fail(f"below floor: {'; '.join(failures)}")


def _render(renderable: RenderableType, color: bool) -> str:
    """Rich output as text, wide enough for every column; colored on a terminal."""
    buffer = StringIO()
    width = max(out.width, 150)
    color = color and out.is_terminal
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color)
    console.print(renderable)
    return buffer.getvalue()


def _table(report: EvalReport, floors: dict[str, float], color: bool) -> str:
    """The scorecard as text, wide enough for every column; colored on a terminal."""
    from evals.scorecard import scorecard

    return _render(scorecard(report, floors), color)
