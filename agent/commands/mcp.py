"""`dossier mcp`: the workspace as a Model Context Protocol server on stdin/stdout."""

from __future__ import annotations

import typer

from agent.commands.common import handle_errors, settings_from


@handle_errors
def mcp(ctx: typer.Context) -> None:
    """Serve the workspace to an AI assistant over MCP (stdio).

    Tools: the account list, briefs (JSON), signals, sources, a search over an account's
    store, and the last scan's digest. An MCP client starts it as a command (the README shows
    the configuration block); stdout carries the protocol, so nothing else is printed there.
    """
    from agent.mcp import serve_stdio  # the SDK loads only for this command

    serve_stdio(settings_from(ctx))
