"""The compact-JSON grammar a llama.cpp server is given instead of a json_schema: what it
admits (through the regex the same walk builds), and a brief asked for with it over HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from agent.book import find_account
from agent.config import load_settings
from agent.deps import Deps
from agent.llm.draft import CLAIM_CHARS, BriefDraft, DraftFixes
from agent.llm.grammar import compact_grammar, compact_pattern
from agent.pipeline import brief
from agent.schemas import BriefRequest
from evals.echo_model import EchoModel
from evals.llm_server import ScriptedLLM
from tests.agent.llm_fakes import ACCOUNT, NOW


def _draft(**changes: Any) -> dict[str, Any]:
    layer = {
        "name": "commercial",
        "summary": 'Revenue "rose" 8%.',
        "claims": [{"text": "", "evidence": ["p1", "p2"]}],
    }
    draft = {
        "headline": "Larkspur leans on mobile checkout",
        "focus_layer": "commercial",
        "focus_reason": "The CFO is new.",
        "layers": [layer, {"name": "internal", "summary": "Little is known.", "claims": []}],
        "messages": [{"persona": "finance", "message": "You said so.", "proof_points": ["p3"]}],
        "signals": [{"type": "layoffs", "passage": "p4"}],
    }
    return {**draft, **changes}


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def admits(model: type[BaseModel], text: str) -> bool:
    return compact_pattern(model).fullmatch(text) is not None


def test_a_valid_draft_written_compactly_is_admitted_and_reads_back() -> None:
    text = _compact(_draft())
    assert admits(BriefDraft, text)
    assert BriefDraft.model_validate_json(text).layers[0].summary == 'Revenue "rose" 8%.'


def test_whitespace_between_tokens_is_not_admitted() -> None:
    assert not admits(BriefDraft, json.dumps(_draft()))
    assert not admits(BriefDraft, json.dumps(_draft(), indent=2))


@pytest.mark.parametrize(
    "bad",
    [
        {"focus_layer": "finance"},  # not a layer
        {
            "layers": [
                {
                    "name": "commercial",
                    "summary": "",
                    "claims": [{"text": "x" * (CLAIM_CHARS + 1), "evidence": ["p1"]}],
                }
            ]
        },
        {
            "layers": [
                {"name": "commercial", "summary": "", "claims": [{"text": "", "evidence": []}]}
            ]
        },
        {"messages": [{"persona": "finance", "message": "a", "proof_points": ["p1"]}] * 4},
    ],
)
def test_what_breaks_the_schema_or_its_bounds_is_not_admitted(bad: dict[str, Any]) -> None:
    assert not admits(BriefDraft, _compact(_draft(**bad)))


def test_a_line_break_inside_a_text_must_be_escaped() -> None:
    escaped = _compact(_draft(headline="two\nlines"))
    assert admits(BriefDraft, escaped)
    assert not admits(BriefDraft, escaped.replace("\\n", "\n"))


def test_properties_come_in_the_schema_order() -> None:
    draft = _draft()
    reordered = {"focus_layer": draft.pop("focus_layer"), **draft}
    assert not admits(BriefDraft, _compact(reordered))


def test_the_fix_grammar_admits_fixes_and_an_empty_list() -> None:
    fixes = {"fixes": [{"key": "f1", "text": "Revenue rose 8%.", "evidence": ["p3"]}]}
    assert admits(DraftFixes, _compact(fixes))
    assert admits(DraftFixes, '{"fixes":[]}')


def test_the_grammar_is_gbnf_with_a_root_and_the_json_string_rule() -> None:
    grammar = compact_grammar(DraftFixes)
    assert grammar.startswith('root ::= "{" "\\"fixes\\":" "["')
    assert "char{0,4}" in grammar and f"char{{0,{CLAIM_CHARS}}}" in grammar
    assert grammar.splitlines()[1].startswith("char ::= ")


def test_a_schema_part_it_does_not_cover_is_refused() -> None:
    class Counted(BaseModel):
        n: int

    with pytest.raises(ValueError, match="does not cover"):
        compact_grammar(Counted)


def test_a_brief_asked_for_with_the_grammar_over_http(demo_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    shutil.copytree(demo_home, home)
    with ScriptedLLM(responder=EchoModel(fault_every=1)) as server:
        config = load_settings(
            home,
            llm="openai:local",
            llm_base_url=server.base_url,
            llm_structured="grammar",
            llm_retries=0,
        )
        deps = Deps.build(config, clock=lambda: NOW, offline=True)
        request = BriefRequest(account_id=ACCOUNT, research=False)
        with deps.http:
            briefing = brief(deps, find_account(config, ACCOUNT), request)
        sent = server.requests
    assert briefing.mode == "llm:openai:local", briefing.notices
    draft, fix = sent
    assert draft["grammar"] == compact_grammar(BriefDraft)
    assert "response_format" not in draft and "tools" not in draft
    # the fix round for the planted faults: json_schema, under which the model writes its fixes
    assert "grammar" not in fix and fix["response_format"]["json_schema"]["name"] == "DraftFixes"
    assert briefing.metadata["repair_rounds"] == 1
