"""`dossier mcp`: the workspace as a Model Context Protocol server (the official `mcp` SDK,
stdio transport), so a CSM's assistant (Claude, Cursor, ChatGPT desktop) can ask for a brief.

Tools: list_accounts, get_brief, get_signals, list_sources, read_source, search, last_digest.
Each validates its input as the CLI does (an unknown account, persona or date is a one-line
error result, never a traceback), and a brief goes through the same pipeline, validation and
grounding as `dossier brief`: every quote it carries occurs in the stored text of its source.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

import typer
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from agent.assess import assess
from agent.book import find_account
from agent.commands.common import parse_as_of
from agent.config import Settings
from agent.deps import Deps
from agent.errors import DossierError, workspace_error
from agent.scan.digest import load_digest
from agent.schemas import Account, Persona
from agent.web.book import Book
from agent.web.briefs import make_brief
from agent.web.quotes import stored_source
from tools.problems import failure

P = ParamSpec("P")
R = TypeVar("R")

INSTRUCTIONS = (
    "dossier keeps a CSM's book of client accounts and what the client's world says about "
    "itself (earnings calls, filings, news, job postings, reviews). Start with list_accounts; "
    "get_brief gives a pre-call briefing in which every claim quotes a stored source (cite "
    "those quotes, do not invent figures); search and read_source show the stored texts. "
    "Triage, renewal dates and CRM notes are internal: never repeat them to the customer."
)
#: Characters read_source returns at most per call.
MAX_READ = 20_000

AccountKey = Annotated[str, Field(description="Account id or name from the book.")]
AsOfDate = Annotated[
    str | None,
    Field(
        description="Read the store as it stood that day (YYYY-MM-DD) or at that ISO time; "
        "omit for now."
    ),
]


def build_server(deps: Deps) -> MCPServer:
    """The MCP server over the workspace of `deps`, its tools registered."""
    server: MCPServer = MCPServer("dossier", instructions=INSTRUCTIONS, log_level="WARNING")
    book = Book(deps)

    @server.tool()
    @_one_line_errors
    def list_accounts(
        triage: Annotated[
            Literal["red", "yellow", "green"] | None,
            Field(description="Only accounts of this triage."),
        ] = None,
        assessed: Annotated[
            bool,
            Field(
                description="Assess each account for its triage and signals (a second or more "
                "per account); false lists the book at once."
            ),
        ] = True,
    ) -> dict[str, Any]:
        """The CSM's accounts: id, name, domain, renewal date and, when assessed, triage
        (red/yellow/green), expansion flag, signal counts and the last scan's new signals."""
        digest = load_digest(deps.settings)
        rows, _ = book.rows(wait=assessed)
        listed = []
        for row in rows:
            if triage is not None and row.triage != triage:
                continue
            entry: dict[str, Any] = {
                "account_id": row.account.account_id,
                "name": row.account.name,
                "domain": row.account.domain,
                "ticker": row.account.ticker,
                "renewal_date": _iso(row.account.renewal_date),
                "new_signals_last_scan": row.new_signals,
            }
            if assessed:
                entry |= {
                    "triage": row.triage,
                    "expansion": row.expansion,
                    "signals": row.signals,
                    "red_signals": row.red_signals,
                    "error": row.error,
                }
            listed.append(entry)
        return {
            "accounts": listed,
            "last_scan_at": _iso(digest.started_at) if digest else None,
        }

    @server.tool()
    @_one_line_errors
    def get_brief(
        account: AccountKey,
        personas: Annotated[
            list[Persona] | None,
            Field(description="Write value messages for these personas only (default: all)."),
        ] = None,
        purpose: Annotated[
            str | None,
            Field(description="What the CSM prepares for, e.g. 'a call with the new CFO'."),
        ] = None,
        as_of: AsOfDate = None,
    ) -> dict[str, Any]:
        """A grounded four-layer pre-call briefing (JSON): headline, focus layer, layers with
        claims, signals, triage, stakeholders, value messages per persona, and the sources;
        every claim's evidence quotes its source verbatim."""
        target = _account(deps, account)
        briefing = make_brief(
            deps, target, personas or [], (purpose or "")[:500] or None, _as_of(as_of)
        )
        return briefing.model_dump(mode="json")

    @server.tool()
    @_one_line_errors
    def get_signals(account: AccountKey, as_of: AsOfDate = None) -> dict[str, Any]:
        """What changed at the client and in the CSM's own data (signals with severity,
        polarity, date and evidence), and the triage with its plays."""
        target = _account(deps, account)
        moment = _as_of(as_of)
        sources = deps.store.sources(target.account_id, moment)
        result = assess(deps, target, sources, moment or deps.clock())
        return {
            "account_id": target.account_id,
            "signals": [s.model_dump(mode="json") for s in result.signals],
            "triage": result.triage.model_dump(mode="json"),
        }

    @server.tool()
    @_one_line_errors
    def list_sources(account: AccountKey) -> dict[str, Any]:
        """The sources stored for an account: id, kind, title, URL, dates and length (read
        one with read_source)."""
        target = _account(deps, account)
        return {
            "account_id": target.account_id,
            "sources": [
                {
                    "id": s.id,
                    "kind": s.kind.value,
                    "title": s.title,
                    "url": s.url,
                    "published_at": _iso(s.published_at),
                    "retrieved_at": _iso(s.retrieved_at),
                    "internal": s.internal,
                    "chars": len(s.text),
                }
                for s in deps.store.sources(target.account_id)
            ],
        }

    @server.tool()
    @_one_line_errors
    def read_source(
        account: AccountKey,
        source_id: Annotated[str, Field(description="A source id from list_sources.")],
        offset: Annotated[int, Field(ge=0, description="First character to return.")] = 0,
    ) -> dict[str, Any]:
        """The stored text of one source (up to 20,000 characters from `offset`): the words
        a brief's quotes come from."""
        target = _account(deps, account)
        source = stored_source(deps.store, target.account_id, source_id)
        if source is None:
            raise ToolError(f"{target.account_id} has no stored source {source_id!r}")
        end = min(len(source.text), offset + MAX_READ)
        return {
            "id": source.id,
            "kind": source.kind.value,
            "title": source.title,
            "url": source.url,
            "published_at": _iso(source.published_at),
            "internal": source.internal,
            "text": source.text[offset:end],
            "offset": offset,
            "next_offset": end if end < len(source.text) else None,
            "total_chars": len(source.text),
        }

    @server.tool()
    @_one_line_errors
    def search(
        account: AccountKey,
        query: Annotated[str, Field(min_length=1, max_length=500, description="What to find.")],
        limit: Annotated[int, Field(ge=1, le=50, description="Passages to return.")] = 8,
    ) -> dict[str, Any]:
        """The passages of an account's stored sources nearest in meaning to the query, best
        first, each verbatim with its source."""
        target = _account(deps, account)
        hits = deps.store.query(target.account_id, [query], n_results=limit)
        return {
            "account_id": target.account_id,
            "query": query,
            "hits": [
                {
                    "source_id": h.chunk.source_id,
                    "title": h.title,
                    "kind": h.kind.value,
                    "published_at": _iso(h.published_at),
                    "text": h.chunk.text,
                    "similarity": round(h.similarity, 4),
                }
                for h in hits[:limit]
            ],
        }

    @server.tool()
    @_one_line_errors
    def last_digest() -> dict[str, Any]:
        """The last scan of the book: accounts red first, each with the new signals it found
        (quotes and sources), plays and errors."""
        digest = load_digest(deps.settings)
        if digest is None:
            return {"digest": None, "message": "no scan recorded in this workspace yet"}
        return {"digest": digest.model_dump(mode="json")}

    return server


def serve_stdio(settings: Settings) -> None:
    """Run the server on stdin/stdout until the client closes it."""
    with Deps.build(settings) as deps:
        build_server(deps).run("stdio")


def _one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """A tool's failure as one clear line for the client: dossier's message, a workspace
    fault with its remedy, or what went wrong."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ToolError:
            raise
        except Exception as exc:  # the edge: whatever failed becomes the tool's error text
            fault = workspace_error(exc)
            raise ToolError(str(fault) if fault else failure(exc)) from exc

    return wrapper


def _account(deps: Deps, key: str) -> Account:
    try:
        return find_account(deps.settings, key)
    except DossierError as exc:
        raise ToolError(str(exc)) from None


def _as_of(value: str | None) -> datetime | None:
    """A day (read to its end, UTC) or an ISO time, read as `--as-of` reads it."""
    if value is None or not value.strip():
        return None
    try:
        return parse_as_of(value)
    except typer.BadParameter as exc:
        raise ToolError(f"as_of: {exc}") from None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
