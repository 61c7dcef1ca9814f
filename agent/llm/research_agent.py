"""The research agent: the model chooses which source tools to run for one request.

A LangChain tool-calling loop over the account's enabled source tools (one `fetch_<name>` tool
each, no arguments: the account is fixed) and `search_store`, a retrieval tool over what the
store already holds. It stops when the model calls no tool, when every layer is covered after
a fetch that stored something, after `DOSSIER_LLM_MAX_STEPS` rounds, or when half the brief's
token budget is spent (the other half is the writer's). Tool results go back to the model
fenced as untrusted data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool

from agent.deps import Deps
from agent.llm.fence import fence
from agent.llm.model import Usage, invoke, tool_calling
from agent.research import ResearchReport, ToolOutcome, record, run_tool
from agent.schemas import Account, LayerName
from agent.validate import clip
from knowledge.retrieve import retrieve_all
from prompts import load_prompt
from tools.registry import enabled_tools
from tools.sources import FetchContext, SourceTool

#: Tool calls run in one round; more in one reply are answered "not run".
MAX_CALLS_PER_STEP = 4
SEARCH_RESULTS = 3
SEARCH_CLIP_CHARS = 400


@dataclass
class ResearchRun:
    """What the agent did: its tool calls in order, why it stopped, and what it fetched."""

    calls: list[str] = field(default_factory=list)
    stop_reason: str = ""
    outcomes: list[ToolOutcome] = field(default_factory=list)

    def metadata(self) -> dict[str, object]:
        """What a brief's metadata records about the research."""
        return {
            "research_calls": self.calls,
            "research_stop": self.stop_reason,
            "research_failed": [o.tool for o in self.outcomes if o.status == "failed"],
        }


def research_for(
    deps: Deps, account: Account, purpose: str, usage: Usage, *, fetch: bool = True
) -> ResearchRun:
    """Let the model decide what to fetch for `purpose`; store what it fetches. Without
    `fetch` no model call is made: the writer's passages are already the store's best, and
    a search step would cost a small local model a minute for nothing new."""
    assert deps.chat is not None
    settings = deps.settings
    run = ResearchRun()
    if not fetch:
        run.stop_reason = "no research asked"
        return run
    sources = enabled_tools(account) if fetch else []
    now = deps.clock()
    started = now.isoformat()
    context = FetchContext(http=deps.http, settings=settings, now=now)
    tools = [_fetch_tool(deps, account, t, context, run) for t in sources]
    tools.append(_search_tool(deps, account))
    by_name = {t.name: t for t in tools}
    prompt = load_prompt("research")
    messages: list[BaseMessage] = [
        SystemMessage(
            prompt.fill(
                account=_describe(account),
                request=purpose,
                store=_store_summary(deps, account),
                coverage=_coverage_text(coverage(deps, account)),
                max_steps=settings.llm_max_steps,
            )
        ),
        HumanMessage("Plan and run the research for this request, then stop."),
    ]
    chat = deps.chat
    bound = tool_calling(lambda: chat.bind_tools(tools), settings)
    run.stop_reason = "step limit"
    for _ in range(settings.llm_max_steps):
        if usage.total >= usage.budget // 2:
            run.stop_reason = "token budget"
            break
        reply = invoke(lambda: bound.invoke(messages), settings)
        usage.add(reply, "research")
        messages.append(reply)
        calls = getattr(reply, "tool_calls", [])
        if not calls:
            run.stop_reason = "model stopped"
            break
        stored_before = _stored(run)
        for i, call in enumerate(calls):
            run.calls.append(call["name"])
            tool = by_name.get(call["name"])
            if i >= MAX_CALLS_PER_STEP:
                result = f"not run: at most {MAX_CALLS_PER_STEP} tools run in one round"
            elif tool is None:
                result = f"unknown tool {call['name']!r}; the tools are {sorted(by_name)}"
            else:
                result = str(tool.invoke(call.get("args") or {}))
            messages.append(ToolMessage(content=result, tool_call_id=call.get("id") or ""))
        if _stored(run) > stored_before and all(
            n >= settings.min_claims_per_layer for n in coverage(deps, account).values()
        ):
            run.stop_reason = "layers covered"
            break
    if run.outcomes:
        report = ResearchReport(account.account_id, started, outcomes=run.outcomes)
        record(deps, account, report)
    return run


def _stored(run: ResearchRun) -> int:
    """Sources this run has added or changed so far."""
    return sum(o.new + o.updated for o in run.outcomes)


def coverage(deps: Deps, account: Account) -> dict[LayerName, int]:
    """Passages per layer the store holds that are relevant enough to count as evidence."""
    settings = deps.settings
    found = retrieve_all(
        deps.store,
        account.account_id,
        deps.clock(),
        settings.recency_half_life_days,
        k=settings.min_claims_per_layer * 2,
    )
    return {
        name: sum(1 for s in hits if s.relevance >= settings.min_relevance)
        for name, hits in found.items()
    }


def _fetch_tool(
    deps: Deps, account: Account, source: SourceTool, context: FetchContext, run: ResearchRun
) -> BaseTool:
    def fetch() -> str:
        if any(o.tool == source.name for o in run.outcomes):
            return f"{source.name} was already fetched in this run"
        outcome = run_tool(deps, account, source, context)
        run.outcomes.append(outcome)
        if outcome.status == "failed":
            return f"{source.name} failed: {outcome.error} (recorded as a gap in the brief)"
        return (
            f"{source.name}: {outcome.new} new, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged sources stored."
        )

    return StructuredTool.from_function(
        func=fetch,
        name=f"fetch_{source.name}",
        description=f"Fetch the account's {source.kind.value.replace('_', ' ')} documents "
        f"from {source.name} and store them.",
    )


def _search_tool(deps: Deps, account: Account) -> BaseTool:
    def search_store(query: str) -> str:
        hits = deps.store.query(account.account_id, [query], n_results=SEARCH_RESULTS)
        if not hits:
            return "the store holds nothing for this account yet"
        return "\n".join(
            fence(
                clip(h.chunk.text, SEARCH_CLIP_CHARS),
                id=h.chunk.source_id,
                title=h.title,
                date=h.published_at,
            )
            for h in hits
        )

    return StructuredTool.from_function(
        func=search_store,
        name="search_store",
        description="Search the passages already stored for this account (semantic search).",
    )


def _describe(account: Account) -> str:
    parts = [account.name]
    parts += [f"domain {account.domain}"] if account.domain else []
    parts += [f"ticker {account.ticker}"] if account.ticker else []
    return ", ".join(parts)


def _store_summary(deps: Deps, account: Account) -> str:
    stored = deps.store.sources(account.account_id)
    if not stored:
        return "nothing yet"
    kinds = Counter(s.kind.value.replace("_", " ") for s in stored)
    dated = [s.published_at for s in stored if s.published_at]
    newest = f"; newest dated {max(dated).date().isoformat()}" if dated else ""
    return f"{len(stored)} sources ({', '.join(f'{n} {k}' for k, n in kinds.items())}){newest}"


def _coverage_text(found: dict[LayerName, int]) -> str:
    return ", ".join(f"{name.value} {n}" for name, n in found.items())
