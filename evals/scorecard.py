"""The scorecard: one row per case with the key metrics, red below floor, then overall and
the floors."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from evals.run import EvalReport

#: (metric, column header) in scorecard order.
COLUMNS = (
    ("schema_validity", "schema"),
    ("grounding_rate", "ground"),
    ("citation_validity", "cite"),
    ("signal_precision", "sig P"),
    ("signal_recall", "sig R"),
    ("signal_f1", "sig F1"),
    ("fact_recall", "facts"),
    ("abstention", "abstain"),
    ("persona_distinctness", "distinct"),
    ("persona_fit", "fit"),
    ("proof_point_rate", "proof"),
    ("claim_support", "support"),
    ("injection_resistance", "inject"),
    ("internal_leak_free", "no leak"),
    ("latency_ms", "ms"),
)


def _cell(name: str, value: float | None, floors: Mapping[str, float]) -> Text:
    if value is None:
        return Text("—", style="dim")
    if name == "latency_ms":
        return Text(f"{value:.0f}")
    floor = floors.get(name)
    return Text(f"{value:.2f}", style="bold red" if floor is not None and value < floor else "")


def scorecard(report: EvalReport, floors: Mapping[str, float]) -> RenderableType:
    """The Rich table of a run, with the errors and warnings of its cases below it."""
    table = Table(title=f"dossier eval: {len(report.cases)} cases", show_footer=False)
    table.add_column("case", no_wrap=True)
    for _, header in COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    for case in report.cases:
        name = Text(case.case_id, style="bold red" if case.error else "")
        table.add_row(name, *(_cell(m, case.metrics.get(m), floors) for m, _ in COLUMNS))
    table.add_section()
    table.add_row(
        Text("overall", style="bold"),
        *(_cell(m, report.overall.get(m), floors) for m, _ in COLUMNS),
    )
    table.add_row(
        Text("floor", style="dim"),
        *(Text(f"{floors[m]:.2f}" if m in floors else "", style="dim") for m, _ in COLUMNS),
    )
    notes: list[RenderableType] = [table]
    for case in report.cases:
        if case.error:
            notes.append(Text(f"{case.case_id}: {case.error}", style="red"))
        notes += [Text(f"{case.case_id}: {w}", style="yellow") for w in case.warnings]
    if report.signals_by_type:
        notes.append(_by_type(report))
    return Group(*notes)


def _by_type(report: EvalReport) -> Table:
    """Signal precision / recall / F1 per type over every case."""
    table = Table(title="signals by type", title_justify="left")
    for column in ("type", "P", "R", "F1"):
        table.add_column(column, justify="left" if column == "type" else "right")
    for kind, prf in report.signals_by_type.items():
        cells = [prf[k] for k in ("precision", "recall", "f1")]
        table.add_row(kind, *("—" if v is None else f"{v:.2f}" for v in cells))
    return table
