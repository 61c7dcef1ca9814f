"""Local model benchmark: how fast the cached llama.cpp server reads and writes on this machine.

Run: .venv/bin/python bench/llm_local.py [--model 1.5b] [--threads 1 2] [--prompt-tokens 1500]
     [--gen-tokens 128] [--json]
For each thread count, a server is started from the cache (`python -m agent.local_model build`
first) on a free loopback port with its own run folder, so a server you already run is left
alone. The load time is from launch until `/health` answers. One chat request then sends a
prompt of about --prompt-tokens tokens (an invented account note, repeated) and asks for
--gen-tokens tokens with end-of-text ignored, so every run writes the same amount; the speeds
are the server's own timings (prompt tokens/s, generated tokens/s). Resident memory is the
server's VmRSS after the request and VmHWM, its peak. Each server is stopped before the next.

Limits: one request per setting, so other work on the machine moves the figures (on a shared
2-core box, run it twice); the prompt cache is cold for every run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.local_model import server
from agent.local_model.build import verify_model
from agent.local_model.spec import DEFAULT_MODEL, MODELS, Layout, cache_root, model_spec

NOTE = (
    "Account note: Larkspur Analytics renewed its platform contract in March and asked for a "
    "review of seat usage before the next quarter. Their finance lead wants a forecast of "
    "spend by region, and the operations team reported two outages that delayed onboarding. "
)


@dataclass(frozen=True)
class Row:
    """One thread setting's figures."""

    model: str
    threads: int
    load_s: float
    prompt_tokens: int
    prompt_per_s: float
    generated_tokens: int
    generated_per_s: float
    rss_mb: float
    peak_rss_mb: float


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory and its peak, in MB, from /proc."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def measure(layout: Layout, key: str, threads: int, prompt_tokens: int, gen: int) -> Row:
    """Start a server with `threads`, time one request, read its memory, stop it."""
    spec = model_spec(key)
    config = server.config_for(layout, spec, port=server.free_port(), threads=threads)
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as run_dir:
        launched = time.perf_counter()
        state = server.start(config, Path(run_dir), log=lambda line: print(line, file=sys.stderr))
        load_s = time.perf_counter() - launched
        try:
            # About 45 tokens per note; the server's own count is what gets reported.
            body: dict[str, Any] = {
                "model": spec.alias,
                "messages": [
                    {"role": "system", "content": "You summarise account notes."},
                    {"role": "user", "content": NOTE * max(1, prompt_tokens // 45)},
                ],
                "max_tokens": gen,
                "temperature": 0,
                "ignore_eos": True,
                "cache_prompt": False,
            }
            with httpx.Client(timeout=1800, trust_env=False) as client:
                reply = client.post(f"{state.base_url}/chat/completions", json=body)
            reply.raise_for_status()
            timings = reply.json()["timings"]
            rss, peak = memory_mb(state.pid)
        finally:
            server.stop(Path(run_dir), log=lambda line: print(line, file=sys.stderr))
    return Row(
        model=key,
        threads=threads,
        load_s=round(load_s, 1),
        prompt_tokens=int(timings["prompt_n"]),
        prompt_per_s=round(float(timings["prompt_per_second"]), 1),
        generated_tokens=int(timings["predicted_n"]),
        generated_per_s=round(float(timings["predicted_per_second"]), 1),
        rss_mb=round(rss),
        peak_rss_mb=round(peak),
    )


def main() -> int:
    """Measure each thread setting and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=sorted(MODELS))
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--prompt-tokens", type=int, default=1500)
    parser.add_argument("--gen-tokens", type=int, default=128)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    layout = Layout(cache_root())
    spec = model_spec(args.model)
    verify_model(layout.model_file(spec), spec)
    rows = [
        measure(layout, args.model, n, args.prompt_tokens, args.gen_tokens) for n in args.threads
    ]
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return 0
    print("model threads  load s  prompt tok  prompt tok/s  gen tok  gen tok/s  RSS MB  peak MB")
    for r in rows:
        print(
            f"{r.model:>5} {r.threads:>7} {r.load_s:>7} {r.prompt_tokens:>11} "
            f"{r.prompt_per_s:>13} {r.generated_tokens:>8} {r.generated_per_s:>10} "
            f"{r.rss_mb:>7} {r.peak_rss_mb:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
