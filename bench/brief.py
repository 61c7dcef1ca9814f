"""Brief benchmark: ingest rate, raw embedding rate, brief latency cold and warm, the cold
start of `dossier --help`, peak RSS.

Run: .venv/bin/python bench/brief.py [--warm-runs 10] [--cold-runs 3] [--help-runs 10]
Prints one figure per line for the demo account and a synthetic account of 500 chunks.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# The in-process figures measure the model: no vectors from an earlier run's disk cache. The
# cold CLI runs keep the cache, as a CSM's second brief does (see process_p50).
os.environ["DOSSIER_VECTOR_CACHE"] = "0"

from agent.book import import_csv, upsert_accounts
from agent.commands.demo import (
    DEFAULT_ACCOUNT,
    build_demo_account,
    demo_dir,
    import_demo_crm,
    install_demo_seller,
)
from agent.config import load_settings
from agent.deps import Deps
from agent.pipeline import brief
from agent.schemas import Account, BriefRequest, Source, SourceKind
from knowledge.chunk import chunk_source
from knowledge.embed import MiniLMEmbedding
from tools.files import ingest_path

_WORDS = [
    "revenue",
    "growth",
    "margin",
    "conversion",
    "mobile",
    "checkout",
    "competitor",
    "launch",
    "pricing",
    "share",
    "vendor",
    "platform",
    "integration",
    "cloud",
    "migration",
    "chief",
    "officer",
    "appointed",
    "departure",
    "budget",
    "approval",
    "customers",
    "retention",
    "guidance",
    "quarter",
    "priority",
    "investment",
    "engineers",
    "hiring",
    "stack",
    "data",
    "analytics",
    "partner",
    "expansion",
    "market",
    "region",
    "team",
    "leadership",
    "morale",
    "workflow",
    "automation",
]


def synthetic_sources(account_id: str, chunks: int, chunk_chars: int) -> list[Source]:
    """Deterministic sources that chunk into about `chunks` chunks."""
    rng = random.Random(7)
    sources = []
    per_source = 5
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(chunks // per_source):
        sentences: list[str] = []
        while sum(len(s) + 1 for s in sentences) < per_source * chunk_chars * 0.95:
            words = rng.choices(_WORDS, k=rng.randint(12, 24))
            sentences.append(" ".join(words).capitalize() + ".")
        sources.append(
            Source(
                id=f"news-synthetic{i:05d}",
                account_id=account_id,
                kind=SourceKind.news,
                title=f"Synthetic article {i}",
                published_at=start + timedelta(days=i),
                retrieved_at=start,
                text=" ".join(sentences),
            )
        )
    return sources


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_rate(texts: list[str], parallel: int | None = None) -> float:
    """Texts per second the model alone embeds, each text once, after a warm-up (a fresh
    embedder, so nothing it remembers from earlier calls counts)."""
    embedder = MiniLMEmbedding() if parallel is None else MiniLMEmbedding(parallel=parallel)
    embedder.embed(["warm up"])
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def warm_p50(deps: Deps, account: Account, runs: int, as_of: datetime | None = None) -> float:
    """Median in-process brief latency in seconds, after one warm-up."""
    request = BriefRequest(account_id=account.account_id, as_of=as_of)
    brief(deps, account, request)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        brief(deps, account, request)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def process_p50(args: list[str], runs: int) -> float:
    """Median wall time of a fresh `dossier ARGS...` process in seconds (imports included)."""
    exe = Path(sys.executable).with_name("dossier")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        env = {**os.environ, "DOSSIER_VECTOR_CACHE": "1"}
        subprocess.run([str(exe), *args], check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_p50(home: Path, account_id: str, runs: int) -> float:
    """Median latency of a fresh `dossier brief` process in seconds (imports included)."""
    args = ["--home", str(home), "brief", account_id, "--offline", "--format", "json"]
    return process_p50(args, runs)


def largest_transcript(deps: Deps, realdocs: Path, runs: int) -> None:
    """Warm p50 of a brief of the largest real transcript, read where it lies (never copied),
    under the account and as of the moment the real-document eval gives it."""
    from evals.real import account_of, load_corpus

    calls = [d for d in load_corpus(realdocs).docs if d.folder == "transcripts"]
    doc = max(calls, key=lambda d: (realdocs / d.doc).stat().st_size)
    account = account_of(doc)
    upsert_accounts(deps.settings, [account])
    deps.store.add_sources(ingest_path(realdocs / doc.doc, account.account_id).sources)
    warm = warm_p50(deps, account, runs, doc.clock())
    chunks = deps.store.chunk_count(account.account_id)
    print(f"brief {doc.doc} ({chunks} chunks): warm p50 {warm * 1000:.0f} ms")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm-runs", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--help-runs", type=int, default=10)
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument(
        "--realdocs", type=Path, help="also brief the largest real transcript (../shared/realdocs)"
    )
    args = parser.parse_args()

    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    # the command line's own cold start: what every command pays before it does anything
    print(f"dossier --help: p50 {process_p50(['--help'], args.help_runs):.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = load_settings(home)
        deps = Deps.build(settings)

        sentences = [" ".join(random.Random(i).choices(_WORDS, k=20)) + "." for i in range(1000)]
        deps.store.embed(sentences[:10])
        started = time.perf_counter()
        deps.store.embed(sentences)
        print(
            f"embedding model raw: {len(sentences) / (time.perf_counter() - started):,.0f} "
            "sentences/s"
        )

        book = import_csv(demo_dir() / "book.csv").accounts
        upsert_accounts(settings, book)
        # as `dossier demo` builds it: the brief maps KPIs to the seller's products
        install_demo_seller(settings)
        import_demo_crm(settings)
        started = time.perf_counter()
        for account in book:
            build_demo_account(deps, account)
        seconds = time.perf_counter() - started
        demo_chunks = sum(deps.store.chunk_count(a.account_id) for a in book)
        print(
            f"demo research + ingest: {demo_chunks} chunks in {seconds:.2f} s = "
            f"{demo_chunks / seconds:,.0f} chunks/s"
        )

        synthetic = Account(account_id="synthetic", name="Synthetic Corp")
        upsert_accounts(settings, [synthetic])
        sources = synthetic_sources(synthetic.account_id, args.chunks, settings.chunk_chars)
        started = time.perf_counter()
        deps.store.add_sources(sources)
        seconds = time.perf_counter() - started
        count = deps.store.chunk_count(synthetic.account_id)
        # the limit: the model alone on the same chunks
        raw = raw_rate([c.text for s in sources for c in chunk_source(s, settings.chunk_chars)])
        print(
            f"synthetic ingest: {count} chunks in {seconds:.2f} s = {count / seconds:,.0f} "
            f"chunks/s; the embedding model alone {raw:,.0f} chunks/s "
            f"(ingest = {count / seconds / raw:.2f}x the model)"
        )

        demo_account = next(a for a in book if a.account_id == DEFAULT_ACCOUNT)
        for account in (demo_account, synthetic):
            warm = warm_p50(deps, account, args.warm_runs)
            cold = cold_p50(home, account.account_id, args.cold_runs)
            print(
                f"brief {account.account_id}: warm p50 {warm * 1000:.0f} ms, cold p50 {cold:.2f} s"
            )
        if args.realdocs:
            largest_transcript(deps, args.realdocs, args.warm_runs)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: {peak_rss_mb():.0f} MB in-process, {children:.0f} MB per cold CLI process")


if __name__ == "__main__":
    main()
