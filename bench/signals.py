"""Signal detection benchmark: seconds per 1,000 sentences, cold and warm.

Run: .venv/bin/python bench/signals.py [--realdocs ../shared/realdocs] [--repeat 2]

Reads the demo workspace's sources (and, with --realdocs, every real document), then times
`detect_signals` over them:
- cold: nothing cached, every sentence embedded and classified (a first scan of a book);
- warm: vectors cached, the per-source cache cleared (sources re-read after a change of
  account names, or another process reading the same documents' sentences);
- hot: everything cached (a re-scan of unchanged sources).
Sentences are the units the classifier reads (sentences and clauses of long ones), the cost
driver: per 1,000 of them is the figure to compare across machines and books.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DOSSIER_VECTOR_CACHE"] = "0"  # measure the model, not vectors an earlier run kept

from agent.assess import classifier, signals
from agent.assess.sentences import clauses, read_sentences
from agent.book import import_csv
from agent.schemas import Account, Source
from tools.files import ingest_path

DEMO = Path(__file__).resolve().parents[1] / "agent" / "demo"


def demo_accounts() -> list[tuple[Account, list[Source], datetime]]:
    """The demo book's accounts with their sources, read as of the demo's day."""
    as_of = datetime(2026, 11, 23, 12, tzinfo=UTC)
    out = []
    for account in import_csv(DEMO / "book.csv").accounts:
        sources: list[Source] = []
        for path in sorted((DEMO / account.account_id).iterdir()):
            if path.name in {"recordings.yaml", "crm_notes.md"}:
                continue
            try:
                sources += ingest_path(path, account.account_id, now=as_of).sources
            except Exception:  # a demo file no parser reads is no part of the benchmark
                continue
        out.append((account, sources, as_of))
    return out


def real_accounts(root: Path) -> list[tuple[Account, list[Source], datetime]]:
    """Every realdocs document as an account of its own, read as of its day."""
    from evals.real import account_of, load_corpus

    out = []
    for doc in load_corpus(root).docs:
        account = account_of(doc)
        try:
            sources = ingest_path(root / doc.doc, account.account_id, now=doc.clock()).sources
        except Exception:  # a document that does not parse is the parser benchmark's concern
            continue
        out.append((account, sources, doc.clock()))
    return out


def units(books: list[tuple[Account, list[Source], datetime]]) -> int:
    """Sentences and clauses the classifier reads."""
    return sum(
        1 + len(clauses(s.text))
        for _, sources, _ in books
        for source in sources
        for s in read_sentences(source)
    )


def run(books: list[tuple[Account, list[Source], datetime]]) -> float:
    """Seconds to detect the signals of every account."""
    started = time.perf_counter()
    for account, sources, as_of in books:
        signals.detect_signals(account, sources, as_of)
    return time.perf_counter() - started


def main() -> None:
    """Time cold, warm and hot detection and print seconds per 1,000 sentences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdocs", type=Path, help="also read every realdocs document")
    parser.add_argument("--repeat", type=int, default=2, help="hot runs to average")
    args = parser.parse_args()
    books = demo_accounts()
    if args.realdocs:
        books += real_accounts(args.realdocs)
    n = units(books)
    machine = f"{platform.platform()} · {os.cpu_count()} CPUs"
    print(f"# {machine} · {len(books)} accounts · {n} sentences")
    classifier.embed(["warm up the model"])  # loading the model is no per-sentence cost
    classifier._VECTORS.clear()
    classifier._SCORES.clear()
    signals._FOUND.clear()
    cold = run(books)
    classifier._SCORES.clear()
    signals._FOUND.clear()
    warm = run(books)
    hot = sum(run(books) for _ in range(args.repeat)) / args.repeat
    for name, seconds in (("cold", cold), ("warm", warm), ("hot", hot)):
        print(f"{name}: {seconds:.2f} s, {seconds / n * 1000:.3f} s per 1,000 sentences")


if __name__ == "__main__":
    main()
