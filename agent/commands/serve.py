"""`dossier serve`: the web app over the workspace, on this machine by default."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from agent.commands.common import err, handle_errors, settings_from
from agent.web.security import TOKEN_ENV, check_binding, is_loopback


@handle_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a --host beyond this machine (then a token is required).",
        ),
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar=TOKEN_ENV,
            help="Token every request must carry (Authorization: Bearer, or open /?token=... "
            "once); required beyond loopback.",
            show_default=False,
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Research sends no request (cache only).")
    ] = False,
) -> None:
    """Serve the book, each account's brief and sources, and the last scan, as web pages.

    Listens on 127.0.0.1 by default; another address needs --allow-remote and a token.
    Research, briefs and scans run in the background; the pages show their progress.
    """
    check_binding(host, token, allow_remote=allow_remote)
    import uvicorn  # the server loads only for this command

    from agent.deps import Deps
    from agent.web.app import create_app

    settings = settings_from(ctx)
    with Deps.build(settings, offline=offline) as deps:
        app = create_app(deps, token=token, loopback_only=is_loopback(host))
        shown = f"[{host}]" if ":" in host else host
        err.print(f"dossier: serving {settings.home} on http://{shown}:{port}/ (Ctrl-C stops)")
        if token and not os.environ.get(TOKEN_ENV):
            err.print("open the page once with ?token=... to sign this browser in")
        uvicorn.run(app, host=host, port=port, log_level="warning")
