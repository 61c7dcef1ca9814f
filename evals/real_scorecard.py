"""The real-document eval's scorecard: a row per document, the overall rates against their
floors, and recall per signal type."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from evals.real_metrics import GATED, RealReport


def _ratio(hit: int, total: int) -> str:
    return f"{hit}/{total}" if total else "—"


def _documents(report: RealReport) -> Table:
    table = Table(title=f"dossier eval --real: {len(report.docs)} documents")
    for header in ("document", "kind", "sources", "signals", "labels found", "distractors hit",
                   "facts", "in layer", "executives", "date", "s"):  # fmt: skip
        table.add_column(header, justify="left" if header == "document" else "right")
    for row in report.docs:
        kind = Text("ok") if row.kind_ok else Text("WRONG", style="bold red")
        date = {None: "—", True: "ok", False: "WRONG"}[row.date_ok]
        table.add_row(
            Text(row.doc, style="bold red" if row.error else ""),
            kind,
            str(row.sources),
            str(row.signals),
            _ratio(row.found, row.labels),
            _ratio(row.distractor_hits, row.distractors),
            _ratio(row.facts_covered, row.facts),
            _ratio(row.facts_in_layer, row.facts),
            row.executives or "—",
            date,
            f"{row.seconds:.0f}",
        )
    return table


def _overall(report: RealReport, floors: Mapping[str, float]) -> Table:
    table = Table(title="overall")
    for header in ("score", "value", "floor"):
        table.add_column(header, justify="left" if header == "score" else "right")
    for name in GATED:
        value = report.overall.get(name)
        floor = floors.get(name)
        low = value is not None and floor is not None and value < floor
        shown = "—" if value is None else f"{value:.3f}"
        table.add_row(
            name,
            Text(shown, style="bold red" if low else ""),
            "—" if floor is None else f"{floor:.2f}",
        )
    return table


def _types(report: RealReport) -> Table:
    table = Table(title="signals by type")
    for header in ("type", "labels", "found", "recall", "reported", "on label", "distractors hit"):
        table.add_column(header, justify="left" if header == "type" else "right")
    for name, counts in sorted(report.by_type.items()):
        recall = counts.recall
        table.add_row(
            name,
            str(counts.labels),
            str(counts.found),
            "—" if recall is None else f"{recall:.2f}",
            str(counts.signals),
            str(counts.on_label),
            str(counts.distractor_hits),
        )
    return table


def real_scorecard(report: RealReport, floors: Mapping[str, float]) -> RenderableType:
    """The three tables of a real-document run, then each document's error."""
    errors = [Text(f"{row.doc}: {row.error}", style="red") for row in report.docs if row.error]
    return Group(_documents(report), _overall(report, floors), _types(report), *errors)
