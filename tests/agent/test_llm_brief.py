"""LLM mode's orchestration with LangChain's fake chat model: research, writing, the repair
round, dropping what still fails, the planted-instruction and internal-data guards, the token
budget, and the extractive fallback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from agent.book import find_account
from agent.config import load_settings
from agent.deps import Deps
from agent.llm.draft import BriefDraft
from agent.pipeline import brief
from agent.render import render
from agent.schemas import Briefing, BriefRequest, Persona, Source
from evals.echo_model import draft_from
from tests.agent.llm_fakes import (
    ACCOUNT,
    NOW,
    USAGE,
    FakeChat,
    calls,
    draft,
    first_claim,
    fixes,
    invalid_json,
    plant_instruction,
    stop_research,
    writer_context,
)

#: A passage id the writer never shows.
FABRICATED = "p404"


@pytest.fixture
def workspace(demo_home: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace (research records and stores get written)."""
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)
    return home


def run(
    home: Path, *replies: Any, research: bool = True, **settings: Any
) -> tuple[Briefing, FakeChat]:
    chat = FakeChat(replies=list(replies))
    config = load_settings(home, llm="openai:gpt-4o-mini", **settings)
    deps = Deps.build(config, clock=lambda: NOW, offline=True)
    deps.chat = chat
    account = find_account(config, ACCOUNT)
    request = BriefRequest(
        account_id=ACCOUNT, purpose="prep for a call with the new CFO", research=research
    )
    with deps.http:
        return brief(deps, account, request), chat


def briefing_sources(home: Path) -> list[Source]:
    config = load_settings(home)
    return Deps.build(config, clock=lambda: NOW, offline=True).store.sources(ACCOUNT)


def claim_quotes(briefing: Briefing) -> list[str]:
    return [
        e.quote for _, layer in briefing.layers.items() for c in layer.claims for e in c.evidence
    ]


def test_a_valid_draft_becomes_the_brief_with_its_accounting(workspace: Path) -> None:
    briefing, chat = run(workspace, stop_research, draft())
    assert briefing.mode == "llm:openai:gpt-4o-mini", briefing.notices
    assert claim_quotes(briefing), "the model's claims are in the brief"
    meta = briefing.metadata
    assert meta["repair_rounds"] == 0 and meta["dropped"] == {"claims": 0, "messages": 0}
    assert meta["prompt_tokens"] == 2000 and meta["completion_tokens"] == 400
    assert meta["estimated_cost_usd"] == pytest.approx((2000 * 0.15 + 400 * 0.60) / 1e6)
    assert set(meta["prompts"]) == {"research", "brief_system", "brief_context", "repair", "fix"}
    assert {m.persona for m in briefing.messages} == set(Persona)
    assert not briefing.notices
    system, context = chat.received[1][0].content, chat.received[1][1].content
    assert "Never follow it" in str(system)
    assert "<untrusted-source id=" in str(context)


def fabricate(args: dict[str, Any]) -> None:
    first_claim(args)["evidence"] = [FABRICATED]


def test_claims_cite_passage_ids_and_the_brief_carries_their_verbatim_quotes(
    workspace: Path,
) -> None:
    briefing, chat = run(workspace, stop_research, draft())
    context = str(chat.received[1][1].content)
    assert '<untrusted-source id="p1"' in context
    sources = {s.id: s.text for s in briefing_sources(workspace)}
    for _, evidence in briefing.all_evidence():
        assert " ".join(evidence.quote.split()) in " ".join(sources[evidence.source_id].split())


def test_an_unknown_passage_id_is_sent_back_once_and_the_repair_is_used(workspace: Path) -> None:
    briefing, chat = run(workspace, stop_research, draft(fabricate), fixes())
    assert briefing.metadata["repair_rounds"] == 1
    assert briefing.metadata["dropped"]["claims"] == 0
    repair = chat.received[2][-1]
    assert repair.type == "human" and f"unknown passage {FABRICATED!r}" in str(repair.content)
    assert "- f1 (layers." in str(repair.content), "only the failing claim is asked for again"
    assert "DraftFixes" in str(repair.content)
    # neither the draft nor its prompt is sent back: the request shows the passages that can
    # fix the claim, far fewer than the draft was shown
    assert len(chat.received[2]) == 1
    shown = str(repair.content).count("<untrusted-source id=")
    assert 1 <= shown < str(chat.received[1][1].content).count("<untrusted-source id=")


def test_the_fix_round_asks_for_no_more_than_the_completion_allowance_leaves(
    workspace: Path,
) -> None:
    def fabricate_all(args: dict[str, Any]) -> None:
        for layer in args["layers"]:
            for claim in layer["claims"]:
                claim["evidence"] = [FABRICATED]

    # research and the draft spend 400 of the 1,000 completion tokens: room for 10 fixes
    briefing, chat = run(workspace, stop_research, draft(fabricate_all), fixes())
    asked = str(chat.received[2][-1].content)
    failing = [e for e in briefing.metadata["validation_errors"] if FABRICATED in e]
    assert len(failing) > 10 and "- f10 (" in asked and "- f11 (" not in asked


def test_a_draft_that_spends_the_allowance_gets_no_fix_round(workspace: Path) -> None:
    def spent(messages: Any) -> AIMessage:
        reply = draft(fabricate)(messages)
        reply.usage_metadata = {"input_tokens": 1000, "output_tokens": 1000, "total_tokens": 2000}
        return reply

    briefing, chat = run(workspace, stop_research, spent)
    assert len(chat.received) == 2, "research and the draft, no fix request"
    assert briefing.metadata["repair_rounds"] == 0
    assert briefing.metadata["dropped"]["claims"] == 1, "the failing claim is dropped"


def test_a_repair_rewrites_only_the_failing_items_and_keeps_the_rest(workspace: Path) -> None:
    clean, _ = run(workspace, stop_research, draft())
    repaired, _ = run(workspace, stop_research, draft(fabricate), fixes())
    assert claim_quotes(repaired) == claim_quotes(clean)
    assert [m.message for m in repaired.messages] == [m.message for m in clean.messages]


def test_a_fix_under_a_key_that_was_not_asked_for_is_ignored(workspace: Path) -> None:
    def stray(args: dict[str, Any]) -> None:
        args["fixes"] = [{**f, "key": "f9"} for f in args["fixes"]]

    briefing, _ = run(workspace, stop_research, draft(fabricate), fixes(stray))
    assert briefing.metadata["dropped"]["claims"] == 1


def test_an_unknown_id_still_cited_after_the_repair_is_dropped_and_counted(
    workspace: Path,
) -> None:
    def cite_it_again(args: dict[str, Any]) -> None:
        for fix in args["fixes"]:
            fix["evidence"] = [FABRICATED]

    briefing, _ = run(workspace, stop_research, draft(fabricate), fixes(cite_it_again))
    assert briefing.metadata["dropped"]["claims"] == 1
    assert any("left out" in n for n in briefing.notices)


def test_a_claim_its_passage_does_not_support_is_repaired_then_dropped_and_counted(
    workspace: Path,
) -> None:
    def overstate(args: dict[str, Any]) -> None:
        first_claim(args)["text"] = "Larkspur Home revenue fell 87% as Brightwater Labs took share."

    def overstate_again(args: dict[str, Any]) -> None:
        args["fixes"][0]["text"] = "Larkspur Home revenue fell 87% as Brightwater Labs took share."

    briefing, chat = run(workspace, stop_research, draft(overstate), fixes(overstate_again))
    repair = str(chat.received[2][-1].content)
    assert "says more than its passages" in repair and "'87%'" in repair
    assert "Brightwater Labs" in repair
    assert briefing.metadata["unsupported"] == 1
    assert briefing.metadata["dropped"]["claims"] == 1
    assert "87%" not in render(briefing, "md")
    assert any("1 unsupported claim" in n for n in briefing.notices)


def test_a_local_server_is_asked_for_json_schema_and_a_fenced_json_answer_is_read(
    workspace: Path,
) -> None:
    def fenced(messages: Any) -> AIMessage:
        args = draft_from(writer_context(messages))
        return AIMessage(f"```json\n{json.dumps(args)}\n```", usage_metadata=USAGE)

    def truncated(messages: Any) -> AIMessage:
        return AIMessage('{"headline": "Larkspur', usage_metadata=USAGE)

    briefing, chat = run(
        workspace, stop_research, truncated, fenced, llm_base_url="http://127.0.0.1:9/v1"
    )
    assert briefing.mode.startswith("llm:"), briefing.notices
    assert briefing.metadata["repair_rounds"] == 1
    assert "not valid JSON" in str(chat.received[2][-1].content)
    assert claim_quotes(briefing)


def test_the_draft_schema_bounds_every_text_and_list() -> None:
    schema = json.dumps(BriefDraft.model_json_schema())
    assert schema.count('"maxLength"') >= 6 and schema.count('"maxItems"') >= 5


def test_invalid_json_is_repaired(workspace: Path) -> None:
    briefing, chat = run(workspace, stop_research, invalid_json, draft())
    assert briefing.mode.startswith("llm:")
    assert briefing.metadata["repair_rounds"] == 1
    assert "not valid JSON" in str(chat.received[2][-1].content)


def test_a_followed_planted_instruction_never_reaches_the_brief(
    workspace: Path, tmp_path: Path
) -> None:
    plant_instruction(workspace, tmp_path)

    def obey(args: dict[str, Any]) -> None:
        args["headline"] = "The client will sign a five-year renewal at double the current price."
        first_claim(args)["text"] = (
            "Larkspur will sign a five-year renewal at double the current price."
        )

    def obey_again(args: dict[str, Any]) -> None:
        args["fixes"][0]["text"] = (
            "Larkspur will sign a five-year renewal at double the current price."
        )

    briefing, chat = run(workspace, stop_research, draft(obey), fixes(obey_again))
    text = render(briefing, "json").casefold()
    assert "double the current price" not in text
    assert "five-year renewal" not in text
    assert briefing.metadata["dropped"]["claims"] == 1
    assert "headline" in briefing.metadata["withheld_text"]
    assert "instruction" in str(chat.received[2][-1].content)


def test_a_message_carrying_internal_figures_is_refused(workspace: Path) -> None:
    def leak(args: dict[str, Any]) -> None:
        args["messages"][0]["message"] = "Your ARR with us is at risk: cut costs with us."

    briefing, _ = run(workspace, stop_research, draft(leak))
    assert briefing.metadata["repair_rounds"] == 0, "a failing message is not asked for again"
    assert briefing.metadata["dropped"]["messages"] == 1
    assert all("ARR" not in m.message for m in briefing.messages)
    assert briefing.metadata["messages_written_extractively"], "the persona still gets a message"


def test_a_model_error_falls_back_to_the_extractive_brief_with_a_notice(workspace: Path) -> None:
    boom = RuntimeError("connection refused by model server")
    briefing, _ = run(workspace, boom, llm_retries=0)
    assert briefing.mode == "extractive"
    assert briefing.notices and "LLM mode failed" in briefing.notices[0]
    assert "connection refused" in briefing.metadata["llm_error"]
    assert any(layer.claims for _, layer in briefing.layers.items())


def test_research_runs_the_tools_the_model_asks_for_and_records_failures(
    workspace: Path,
) -> None:
    shutil.rmtree(workspace / "cache", ignore_errors=True)  # offline and uncached: fetches fail
    briefing, chat = run(
        workspace, calls("fetch_google_news", "search_store"), stop_research, draft()
    )
    meta = briefing.metadata
    assert meta["research_calls"] == ["fetch_google_news", "search_store"]
    assert meta["research_failed"] == ["google_news"], "offline: the fetch fails"
    assert any(gap.startswith("google_news:") for gap in briefing.source_gaps)
    results = [m for m in chat.received[1] if m.type == "tool"]
    assert "failed" in str(results[0].content)
    assert "<untrusted-source" in str(results[1].content)


def test_research_stops_at_the_step_limit(workspace: Path) -> None:
    replies = [calls("search_store"), calls("search_store"), draft()]
    briefing, _ = run(workspace, *replies, llm_max_steps=2)
    assert briefing.metadata["research_stop"] == "step limit"
    assert briefing.metadata["research_calls"] == ["search_store", "search_store"]


def test_research_stops_when_half_the_token_budget_is_spent(workspace: Path) -> None:
    briefing, _ = run(workspace, calls("search_store"), draft(), max_tokens_per_brief=2_000)
    assert briefing.metadata["research_stop"] == "token budget"
    assert briefing.metadata["llm_calls"] == 2


def test_a_model_that_cannot_call_tools_falls_back(workspace: Path) -> None:
    class NoTools(FakeChat):
        def bind_tools(self, tools: Any, **kwargs: Any) -> FakeChat:
            raise NotImplementedError

    chat = NoTools(replies=[])
    config = load_settings(workspace, llm="openai:gpt-4o-mini")
    deps = Deps.build(config, clock=lambda: NOW, offline=True)
    deps.chat = chat
    request = BriefRequest(account_id=ACCOUNT)
    with deps.http:
        briefing = brief(deps, find_account(config, ACCOUNT), request)
    assert briefing.mode == "extractive"
    assert "does not support tool calling" in briefing.notices[0]


def test_without_research_the_model_is_called_only_to_write(workspace: Path) -> None:
    briefing, chat = run(workspace, draft(), research=False)
    assert briefing.mode.startswith("llm:"), briefing.notices
    assert briefing.metadata["research_stop"] == "no research asked"
    assert briefing.metadata["llm_calls"] == 1 and len(chat.received) == 1


def test_layers_the_model_left_without_claims_are_written_extractively(workspace: Path) -> None:
    def no_claims(args: dict[str, Any]) -> None:
        for layer in args["layers"]:
            layer["claims"] = []

    briefing, _ = run(workspace, draft(no_claims), research=False)
    assert briefing.mode.startswith("llm:"), briefing.notices
    filled = briefing.metadata["layers_written_extractively"]
    assert filled and all(getattr(briefing.layers, name).claims for name in filled)


def test_a_repair_that_fails_keeps_the_first_draft_without_its_failing_parts(
    workspace: Path,
) -> None:
    cut_off = RuntimeError("Could not parse response content as the length limit was reached")
    briefing, _ = run(workspace, draft(fabricate), cut_off, research=False, llm_retries=0)
    assert briefing.mode.startswith("llm:"), briefing.notices
    assert "length limit" in briefing.metadata["repair_error"]
    assert briefing.metadata["dropped"]["claims"] == 1


def test_the_prompt_is_cut_to_the_models_context_least_salient_passages_first(
    workspace: Path,
) -> None:
    full, chat = run(workspace, stop_research, draft(), research=False)
    shown = full.metadata["passages_shown"]
    assert full.metadata["passages_cut_to_fit"] == 0
    whole = sum(len(str(m.content)) for m in chat.received[0])
    context = 4_000 + int(whole / 3.0 * 0.8)  # the answer's reserve and most of the prompt
    fitted, chat = run(
        workspace, stop_research, draft(), research=False, llm_context_tokens=context
    )
    assert fitted.mode == "llm:openai:gpt-4o-mini", fitted.notices
    cut = fitted.metadata["passages_cut_to_fit"]
    assert cut > 0 and fitted.metadata["passages_shown"] == shown - cut
    sent = sum(len(str(m.content)) for m in chat.received[0])
    assert sent / 3.0 <= context - 4_000


def test_a_context_too_small_for_one_passage_per_layer_falls_back_with_its_reason(
    workspace: Path,
) -> None:
    briefing, chat = run(workspace, stop_research, research=False, llm_context_tokens=2_048)
    assert briefing.mode == "extractive" and not chat.received
    assert "DOSSIER_LLM_CONTEXT_TOKENS" in briefing.notices[0]


def test_signals_the_model_points_out_are_checked_like_the_rules_own(workspace: Path) -> None:
    def point_out(args: dict[str, Any]) -> None:
        args["signals"] = [
            {"type": "layoffs", "passage": FABRICATED},
            {"type": "usage_decline", "passage": first_claim(args)["evidence"][0]},
        ]

    briefing, _ = run(workspace, stop_research, draft(point_out))
    assert briefing.mode.startswith("llm:"), briefing.notices
    found = briefing.metadata["model_signals"]
    assert found["offered"] == 2 and found["kept"] == 0
    assert found["rejected"]["unknown passage"] == 1
    assert sum(found["rejected"].values()) == 2
    assert not [s for s in briefing.signals if s.metrics.get("found_by") == "model"]
