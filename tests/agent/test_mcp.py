"""The MCP server through the SDK's own client: `dossier mcp` over stdio answers initialize,
lists its tools and returns a grounded brief; each tool validates its input as the CLI does."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from agent.config import load_settings
from agent.deps import Deps
from agent.mcp import build_server
from agent.scan.digest import Digest, DigestAccount, save_digest
from agent.validate import quote_found

ACCOUNT = "larkspur-home"
TOOLS = {
    "list_accounts",
    "get_brief",
    "get_signals",
    "list_sources",
    "read_source",
    "search",
    "last_digest",
}


@pytest.fixture
def workspace(demo_home: Path, tmp_path: Path) -> Path:
    """A copy of the demo workspace (a brief records itself in the ledger)."""
    copy = tmp_path / "workspace"
    shutil.copytree(demo_home, copy)
    return copy


def _dossier() -> str:
    found = Path(sys.executable).with_name("dossier")
    return str(found) if found.exists() else shutil.which("dossier") or "dossier"


def _texts(home: Path) -> dict[str, str]:
    with Deps.build(load_settings(home), offline=True) as deps:
        return deps.store.source_texts(ACCOUNT)


def test_dossier_mcp_over_stdio_initializes_lists_tools_and_returns_a_grounded_brief(
    workspace: Path,
) -> None:
    params = StdioServerParameters(command=_dossier(), args=["--home", str(workspace), "mcp"])

    async def session() -> tuple[Any, set[str], Any]:
        # "legacy": the initialize handshake, as the desktop clients send it
        async with Client(params, mode="legacy", read_timeout_seconds=240) as client:
            info = client.server_info
            tools = {t.name for t in (await client.list_tools()).tools}
            brief = await client.call_tool("get_brief", {"account": "Larkspur Home"})
            return info, tools, brief

    info, tools, brief = anyio.run(session)
    assert info is not None and info.name == "dossier"
    assert tools >= TOOLS
    assert not brief.is_error, brief.content
    data = brief.structured_content
    assert data["account"]["account_id"] == ACCOUNT
    texts = _texts(workspace)
    evidence = [
        e
        for layer in data["layers"].values()
        for claim in layer["claims"]
        for e in claim["evidence"]
    ]
    assert evidence, "the demo brief has claims"
    for item in evidence:
        assert quote_found(item["quote"], texts[item["source_id"]]), item


def _call(home: Path, tool: str, arguments: dict[str, Any]) -> Any:
    async def call() -> Any:
        with Deps.build(load_settings(home), offline=True) as deps:
            async with Client(build_server(deps)) as client:
                return await client.call_tool(tool, arguments)

    return anyio.run(call)


def _error(result: Any) -> str:
    assert result.is_error
    return " ".join(c.text for c in result.content)


def test_bad_input_is_a_one_line_error_result(workspace: Path) -> None:
    assert "no account 'acme' in the book" in _error(
        _call(workspace, "get_brief", {"account": "acme"})
    )
    bad_date = _call(workspace, "get_signals", {"account": ACCOUNT, "as_of": "last week"})
    assert "'last week' is not a date" in _error(bad_date)
    sneaky = _call(workspace, "read_source", {"account": ACCOUNT, "source_id": "../../book"})
    assert "no stored source '../../book'" in _error(sneaky)
    persona = _call(workspace, "get_brief", {"account": ACCOUNT, "personas": ["boss"]})
    assert "personas" in _error(persona)
    for text in (c.text for r in (bad_date, sneaky) for c in r.content):
        assert "Traceback" not in text and "\n" not in text


def test_accounts_sources_search_and_reading_a_source(workspace: Path) -> None:
    listed = _call(workspace, "list_accounts", {"assessed": False}).structured_content
    assert {a["account_id"] for a in listed["accounts"]} == {
        "larkspur-home",
        "quarrystone",
        "meridian-health",
    }
    sources = _call(workspace, "list_sources", {"account": ACCOUNT}).structured_content
    first = sources["sources"][0]
    read = _call(workspace, "read_source", {"account": ACCOUNT, "source_id": first["id"]})
    assert read.structured_content["total_chars"] == first["chars"]
    hits = _call(
        workspace, "search", {"account": ACCOUNT, "query": "mobile checkout conversion", "limit": 3}
    ).structured_content["hits"]
    assert 1 <= len(hits) <= 3
    texts = _texts(workspace)
    assert all(quote_found(h["text"], texts[h["source_id"]]) for h in hits)
    signals = _call(workspace, "get_signals", {"account": ACCOUNT}).structured_content
    assert signals["triage"]["status"] in ("red", "yellow", "green")


def test_the_last_digest_is_said_to_be_missing_then_returned(workspace: Path) -> None:
    missing = _call(workspace, "last_digest", {}).structured_content
    assert missing["digest"] is None and "no scan" in missing["message"]
    settings = load_settings(workspace)
    now = Deps.build(settings).clock()
    entry = DigestAccount(account_id=ACCOUNT, name="Larkspur Home, Inc.", triage="yellow")
    save_digest(settings, Digest(run_id="r9", started_at=now, finished_at=now, accounts=[entry]))
    found = _call(workspace, "last_digest", {}).structured_content
    assert found["digest"]["run_id"] == "r9"
    assert json.dumps(found)  # plain JSON for the client
