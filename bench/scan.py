"""Scan benchmark: a synthetic book against a local replay server with 50 ms per request.

Run: .venv/bin/python bench/scan.py [--sizes 100 1000 10000] [--latency 0.05] [--workers 4]
    [--phases cold warm]
Each size runs in its own process (a fresh workspace, so peak RSS is per size): a cold scan
(every source new: fetched, embedded, signals first seen) and a warm one (every board answers
304, nothing new). Prints accounts per minute, peak RSS, each phase's time against the
politeness bound (the most requests sent to one host divided by the per-host rate: no scan
can be faster without asking a host more often), and the cost ratios between sizes.

Each synthetic account has one Greenhouse board with one small posting; Google News and GDELT
(enabled for every account by its name) answer with nothing. The three endpoints sit on three
loopback addresses, as on the internet they are three hosts, each under the HTTP client's
per-host rate limit.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.book import upsert_accounts
from agent.config import load_settings
from agent.deps import Deps
from agent.scan.scan import scan
from agent.schemas import Account
from tests.replay_server import ReplayServer, Reply, Seen
from tools.http import DEFAULT_RATE

EMPTY_RSS = b"<?xml version='1.0'?><rss version='2.0'><channel><title>news</title></channel></rss>"


class _Counted(list[Seen]):
    """A replay server's record of requests that counts them and keeps none: the servers run
    in the bench's process, whose memory must not grow with the book on their account."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def append(self, item: Seen) -> None:
        """Count the request."""
        self.total += 1

    def __len__(self) -> int:
        return self.total


class _Boards(dict[str, list[Reply]]):
    """The job boards' routes, made when asked for: each board's posting the first time, then
    304 (the bench's process keeps one byte per board, not two replies)."""

    def __init__(self, size: int, latency: float) -> None:
        super().__init__()
        self.latency = latency
        self.asked = bytearray(size)

    def get(self, target: str, default: object = None) -> list[Reply] | None:  # type: ignore[override]
        """The replies for a board's path; None for any other target."""
        found = _BOARD_PATH.fullmatch(target)
        if found is None:
            return None
        n, etag = int(found[1]), {"ETag": f'"b{found[1]}"'}
        if n >= len(self.asked):
            return None
        first, self.asked[n] = not self.asked[n], 1
        not_modified = Reply(304, b"", headers=etag, delay=self.latency)
        if first:
            return [Reply(200, _board(n), headers=etag, delay=self.latency), not_modified]
        return [not_modified]


_BOARD_PATH = re.compile(r"/v1/boards/synth(\d+)/jobs")


def _board(n: int) -> bytes:
    job = {
        "id": 1000 + n,
        "title": "Senior Data Engineer",
        "absolute_url": f"https://job-boards.greenhouse.io/synth{n}/jobs/{1000 + n}",
        "updated_at": "2026-11-01T10:00:00-04:00",
        "location": {"name": "Remote"},
        "departments": [{"name": "Engineering"}],
        "content": (
            f"&lt;p&gt;Synth {n} is hiring a data engineer to move our pipelines to Snowflake "
            "and dbt, and to retire our legacy batch jobs.&lt;/p&gt;"
        ),
    }
    return json.dumps({"jobs": [job], "meta": {"total": 1}}).encode()


def one(size: int, latency: float, workers: int, phases: list[str]) -> dict[str, float]:
    """Cold and warm scans of a synthetic book of `size` accounts; figures for one size."""
    with (
        tempfile.TemporaryDirectory() as home,
        ReplayServer("127.0.0.1") as jobs,
        ReplayServer("127.0.0.2") as news,
        ReplayServer("127.0.0.3") as gdelt,
    ):
        for server in (jobs, news, gdelt):
            server.seen = _Counted()
        jobs.routes = _Boards(size, latency)
        news.route("/rss/search", Reply(200, EMPTY_RSS, "application/rss+xml", delay=latency))
        gdelt.route("/api/v2/doc/doc", Reply(200, b"{}", delay=latency))
        settings = load_settings(
            Path(home),
            greenhouse_url=jobs.base_url,
            google_news_url=news.base_url,
            gdelt_url=gdelt.base_url,
            scan_workers=workers,
        )
        book = [Account(account_id=f"synth{n}", name=f"Synth {n}", greenhouse=f"synth{n}")
                for n in range(size)]  # fmt: skip
        upsert_accounts(settings, book)
        figures: dict[str, float] = {"accounts": size}
        servers = (jobs, news, gdelt)
        for phase in phases:
            asked = [len(server.seen) for server in servers]
            started = time.perf_counter()
            with Deps.build(settings) as deps:
                digest = scan(deps, book, emit=lambda d: None)
                new_signals = digest.counts()["new_signals"]
            elapsed = time.perf_counter() - started
            errors = sum(bool(a.errors) for a in digest.entries)
            figures[f"{phase}_s"] = round(elapsed, 2)
            figures[f"{phase}_accounts_per_min"] = round(size / elapsed * 60, 1)
            figures[f"{phase}_new_signals"] = new_signals
            figures[f"{phase}_errors"] = errors
            most = max(len(server.seen) - n for server, n in zip(servers, asked, strict=True))
            figures[f"{phase}_bound_s"] = round(most / DEFAULT_RATE, 1)
            figures[f"{phase}_vs_bound"] = round(elapsed / (most / DEFAULT_RATE), 3)
        figures["requests"] = len(jobs.seen) + len(news.seen) + len(gdelt.seen)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> None:
    """Run each size in a child process and print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--phases", nargs="+", choices=["cold", "warm"], default=["cold", "warm"])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.latency, args.workers, args.phases)))
        return
    print(f"# {platform.platform()} · {os.cpu_count()} CPUs · latency {args.latency * 1000:.0f} ms")
    results = []
    for size in args.sizes:
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--latency", str(args.latency),
             "--workers", str(args.workers), "--phases", *args.phases],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(figures)
        print(" ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    for small, large in itertools.pairwise(results):
        size_ratio = large["accounts"] / small["accounts"]
        for phase in args.phases:
            cost_ratio = large[f"{phase}_s"] / small[f"{phase}_s"]
            print(f"{phase}: {size_ratio:.0f}x accounts took {cost_ratio:.2f}x the time")
        rss_ratio = large["peak_rss_mb"] / small["peak_rss_mb"]
        print(f"peak RSS: {size_ratio:.0f}x accounts, {rss_ratio:.2f}x the memory")


if __name__ == "__main__":
    main()
