"""Ingest benchmark: the store's chunks/s against the embedding model's raw rate (the limit).

Run: .venv/bin/python bench/ingest.py [--chunks 500] [--rounds 3] [--parallel 1 2]
For each setting of batches run side by side (`--parallel`), in interleaved rounds so that a
busy machine weighs on each alike: the raw rate (the model alone on the synthetic account's
chunk texts, and on its sentences), then a fresh store's `add_sources` of the same account,
in chunks/s, with CPU seconds per 100 chunks and the ratio ingest / raw. The load average is
printed: other processes on the machine slow every figure.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ["DOSSIER_VECTOR_CACHE"] = "0"  # measure the model, not vectors an earlier run kept
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from brief import raw_rate, synthetic_sources  # bench/brief.py: the account, the limit

from agent.config import load_settings
from knowledge.chunk import chunk_source, sentence_spans
from knowledge.embed import PARALLEL, MiniLMEmbedding
from knowledge.store import KnowledgeStore


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), _cpu()
    work()
    return time.perf_counter() - wall, _cpu() - cpu


def main() -> None:
    """Print the raw rates, the ingest rate and their ratio for each setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parallel", type=int, nargs="+", default=[PARALLEL])
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"# {platform.platform()} · {os.cpu_count()} CPUs · load {load[0]:.1f} {load[1]:.1f}")

    settings = load_settings(Path(tempfile.mkdtemp()))
    sources = synthetic_sources("synthetic", args.chunks, settings.chunk_chars)
    chunks = [c.text for s in sources for c in chunk_source(s, settings.chunk_chars)]
    sentences = [s.text[a:b] for s in sources for a, b in sentence_spans(s.text)]
    print(f"{len(sources)} sources, {len(chunks)} chunks, {len(sentences)} sentences")
    figures: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for p in args.parallel:
            figures.setdefault(f"{p} raw chunks/s", []).append(raw_rate(chunks, p))
            figures.setdefault(f"{p} raw sentences/s", []).append(raw_rate(sentences, p))
            with tempfile.TemporaryDirectory() as home:
                store = KnowledgeStore(load_settings(Path(home)), MiniLMEmbedding(parallel=p))
                store.embed(["warm up"])
                wall, cpu = timed(lambda: store.add_sources(sources))  # noqa: B023
                count = store.chunk_count("synthetic")
            figures.setdefault(f"{p} ingest chunks/s", []).append(count / wall)
            figures.setdefault(f"{p} ingest cpu s/100 chunks", []).append(100 * cpu / count)
    for p in args.parallel:
        raw = statistics.median(figures[f"{p} raw chunks/s"])
        ingest = statistics.median(figures[f"{p} ingest chunks/s"])
        print(
            f"parallel={p}: raw {raw:.1f} chunks/s "
            f"({statistics.median(figures[f'{p} raw sentences/s']):.0f} sentences/s) · "
            f"ingest {ingest:.1f} chunks/s = {ingest / raw:.2f}x raw · "
            f"{statistics.median(figures[f'{p} ingest cpu s/100 chunks']):.1f} CPU s/100 chunks"
        )
    for name, values in figures.items():
        print(f"  {name}: " + " ".join(f"{v:.1f}" for v in values))


if __name__ == "__main__":
    main()
