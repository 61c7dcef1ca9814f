"""`python -m agent.local_model build|start|stop|status|env`: the team's local model, one
command each. Progress goes to stderr; `start` and `env` print the settings on stdout, so
`eval "$(python -m agent.local_model env)"` points the shell at the server."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from agent.commands.common import handle_errors
from agent.errors import ConfigError
from agent.local_model import build as builder
from agent.local_model import server
from agent.local_model.spec import DEFAULT_MODEL, MODELS, Layout, cache_root, model_spec

app = typer.Typer(
    name="local-model",
    help="A local llama.cpp server with a pinned small model, built and cached outside the repo.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

Model = Annotated[str, typer.Option("--model", help=f"Which pinned model: {', '.join(MODELS)}.")]


def progress(line: str) -> None:
    """A progress line on stderr (stdout carries only the settings)."""
    print(line, file=sys.stderr, flush=True)


@app.command()
@handle_errors
def build(model: Model = DEFAULT_MODEL) -> None:
    """Download, build and hash-check the server and the model (does nothing when done)."""
    layout = Layout(cache_root())
    progress(f"cache: {layout.root}")
    builder.build_server(layout, log=progress)
    builder.build_model(layout, model_spec(model), log=progress)
    progress("built; start it with: python -m agent.local_model start")


@app.command()
@handle_errors
def start(
    model: Model = DEFAULT_MODEL,
    port: Annotated[int, typer.Option(help="Loopback port (0: any free one).")] = (
        server.DEFAULT_PORT
    ),
    threads: Annotated[int, typer.Option(help="Generation threads.")] = 1,
    context: Annotated[int | None, typer.Option(help="Context size in tokens.")] = None,
) -> None:
    """Start the server on 127.0.0.1 (the model's hash checked first) and print the settings."""
    overrides = {"port": port or server.free_port(), "threads": threads}
    if context:
        overrides["context"] = context
    state = server.ensure_running(Layout(cache_root()), model_spec(model), progress, **overrides)
    print("\n".join(server.export_lines(state)))


@app.command()
@handle_errors
def stop() -> None:
    """Stop the server `start` left running."""
    server.stop(Layout(cache_root()).run, log=progress)


@app.command()
@handle_errors
def status() -> None:
    """Say what is built and what is running."""
    layout = Layout(cache_root())
    print(f"cache:  {layout.root}")
    print(f"server: {'built' if layout.server_binary.is_file() else 'not built'}")
    for spec in MODELS.values():
        built = layout.model_file(spec).is_file()
        print(f"model {spec.key}: {'built' if built else 'not built'} ({spec.alias})")
    state = server.running_state(layout.run)
    if state is None:
        print("running: no")
    else:
        health = "ready" if server.is_ready(state.port) else "not answering"
        print(f"running: pid {state.pid}, {state.alias} at {state.base_url} ({health})")


@app.command()
@handle_errors
def env() -> None:
    """Print the settings that point dossier at the running server (`export` lines)."""
    state = server.running_state(Layout(cache_root()).run)
    if state is None:
        raise ConfigError("the local model is not running; run: python -m agent.local_model start")
    print("\n".join(server.export_lines(state)))
