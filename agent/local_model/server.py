"""Run the built `llama-server` on loopback: start it detached with a pid file, wait until it
answers, say what is running, stop it, and print the `DOSSIER_LLM*` settings that point at it."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from agent.errors import ConfigError
from agent.local_model.build import verify_model
from agent.local_model.spec import TEMPLATES_DIR, Layout, ModelSpec

HOST = "127.0.0.1"
DEFAULT_PORT = 8178
#: One model call of a small model on 2 cores: ~4,600 prompt tokens at 12-45/s plus up to
#: --n-predict (2,048) written at 2.5-10/s. Measured with other work on the machine, a writer
#: call took over 10 minutes; a timeout only makes the client ask for the same work again.
TIMEOUT_S = 1800
READY_TIMEOUT_S = 180.0
Log = Callable[[str], None]


@dataclass(frozen=True)
class ServerConfig:
    """How to run one server: which binary, model and template, where, and on how many threads."""

    binary: Path
    model: Path
    template: Path
    alias: str
    port: int = DEFAULT_PORT
    context: int = 8192
    #: Generation threads. One thread with polling off keeps its pace when other work shares
    #: the two cores; more threads win only on an idle machine.
    threads: int = 1
    #: Threads for reading the prompt (batched, so extra cores pay off even under load).
    batch_threads: int = 2
    #: Most tokens one reply may write when the request sets no limit: a small model that
    #: loops would otherwise write until the context is full (8k tokens: 13 minutes here).
    max_tokens: int = 2048


@dataclass(frozen=True)
class ServerState:
    """What `start` wrote into the run folder: enough to find, check and stop the server."""

    pid: int
    port: int
    alias: str
    model: str
    binary: str
    started_at: float
    #: The server's context size (a state file written before it was recorded: the default).
    context: int = 8192

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible endpoint dossier's settings point at."""
        return f"http://{HOST}:{self.port}/v1"


def config_for(layout: Layout, spec: ModelSpec, **overrides: int) -> ServerConfig:
    """The server configuration of a built model in `layout`, with optional port/threads/context."""
    values: dict[str, int] = {"context": spec.context, **overrides}
    return ServerConfig(
        binary=layout.server_binary,
        model=layout.model_file(spec),
        template=TEMPLATES_DIR / spec.chat_template,
        alias=spec.alias,
        **values,
    )


def server_command(config: ServerConfig) -> list[str]:
    """The `llama-server` command line for `config`."""
    return [
        str(config.binary),
        "--model", str(config.model),
        "--alias", config.alias,
        "--host", HOST,
        "--port", str(config.port),
        "--ctx-size", str(config.context),
        # One slot: the whole context serves the one brief being written (more slots split it).
        "--parallel", "1",
        "--threads", str(config.threads),
        "--threads-batch", str(config.batch_threads),
        "--poll", "0",
        "--n-predict", str(config.max_tokens),
        "--jinja",
        "--chat-template-file", str(config.template),
        "--no-webui",
    ]  # fmt: skip


def settings_for(state: ServerState) -> dict[str, str | float | int]:
    """The settings (`load_settings` keywords) that send dossier's LLM mode to this server;
    a local model costs nothing per token."""
    return {
        "llm": f"openai:{state.alias}",
        "llm_base_url": state.base_url,
        # llama.cpp's json_schema grammar lets the model indent; compact JSON is a quarter fewer
        # tokens to write
        "llm_structured": "grammar",
        "llm_timeout_s": float(TIMEOUT_S),
        "llm_context_tokens": state.context,
        "llm_price_input": 0.0,
        "llm_price_output": 0.0,
    }


def env_settings(state: ServerState) -> dict[str, str]:
    """The same settings as `DOSSIER_*` environment variables."""
    return {
        f"DOSSIER_{name.upper()}": f"{value:g}" if isinstance(value, float) else str(value)
        for name, value in settings_for(state).items()
    }


def export_lines(state: ServerState) -> list[str]:
    """The settings as `export NAME=value` lines, for `eval "$(... env)"`."""
    return [f"export {name}={shlex.quote(value)}" for name, value in env_settings(state).items()]


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def is_ready(port: int, timeout: float = 2.0) -> bool:
    """True when the server on `port` answers `/health` with 200 (it says 503 while loading)."""
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as client:
            return client.get(f"http://{HOST}:{port}/health").status_code == 200
    except httpx.HTTPError:
        return False


def read_state(run_dir: Path) -> ServerState | None:
    """The state `start` left in `run_dir`, or None when there is none or it is unreadable."""
    try:
        data = json.loads((run_dir / "server.json").read_text(encoding="utf-8"))
        return ServerState(**data)
    except (OSError, ValueError, TypeError):
        return None


def is_running(state: ServerState) -> bool:
    """True while the state's process is alive and is still our `llama-server`."""
    try:
        cmdline = Path(f"/proc/{state.pid}/cmdline").read_bytes()
    except OSError:
        return _pid_alive(state.pid)
    # A pid reused by another program must never be mistaken for the server (nor stopped);
    # the binary is the first word, or the second behind an interpreter running a script.
    words = [w.decode(errors="replace") for w in cmdline.split(b"\0")[:2]]
    return state.binary in words


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_state(run_dir: Path) -> ServerState | None:
    """The state of the server running from `run_dir`, or None when none is."""
    state = read_state(run_dir)
    return state if state is not None and is_running(state) else None


def start(
    config: ServerConfig,
    run_dir: Path,
    log: Log = print,
    ready_timeout: float = READY_TIMEOUT_S,
    launch: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen,
) -> ServerState:
    """Start the server detached (unless it already runs from `run_dir`) and wait until ready."""
    current = running_state(run_dir)
    if current is not None:
        log(f"server: already running (pid {current.pid}, {current.base_url})")
        return current
    for needed, what in ((config.binary, "server"), (config.model, "model")):
        if not needed.is_file():
            raise ConfigError(f"the {what} is not built; run: python -m agent.local_model build")
    if not config.template.is_file():
        raise ConfigError(f"chat template {config.template} is missing")
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / "server.log"
    log(f"server: starting {config.alias} on {HOST}:{config.port} (log: {log_path})")
    with log_path.open("ab") as sink:
        process = launch(
            server_command(config),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            # Its own session: the server outlives this command and a Ctrl-C in its terminal.
            start_new_session=True,
        )
    state = ServerState(
        pid=process.pid,
        port=config.port,
        alias=config.alias,
        model=str(config.model),
        binary=str(config.binary),
        started_at=time.time(),
        context=config.context,
    )
    _write_state(run_dir, state)
    deadline = time.monotonic() + ready_timeout
    while not is_ready(config.port):
        if process.poll() is not None:
            _clear_state(run_dir)
            raise ConfigError(
                f"llama-server exited ({process.returncode}) while loading: {_tail(log_path)}"
            )
        if time.monotonic() > deadline:
            stop(run_dir, log=lambda _line: None)
            raise ConfigError(
                f"llama-server was not ready after {ready_timeout:.0f} s; see {log_path}"
            )
        time.sleep(0.5)
    log(f"server: ready in {time.time() - state.started_at:.1f} s (pid {state.pid})")
    return state


def ensure_running(
    layout: Layout, spec: ModelSpec, log: Log = print, **overrides: int
) -> ServerState:
    """The server of `spec` from `layout`: the one running, else started now once the model's
    hash checks; ConfigError when another model runs or nothing is built."""
    running = running_state(layout.run)
    if running is not None and running.alias != spec.alias:
        raise ConfigError(f"{running.alias} is running already; stop it first")
    if running is None:
        log(f"model {spec.key}: checking sha256")
        verify_model(layout.model_file(spec), spec)
    return start(config_for(layout, spec, **overrides), layout.run, log=log)


def stop(run_dir: Path, log: Log = print, grace_s: float = 15.0) -> bool:
    """Stop the server started from `run_dir`; False when none was running."""
    state = read_state(run_dir)
    if state is None or not is_running(state):
        _clear_state(run_dir)
        log("server: not running")
        return False
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while is_running(state) and time.monotonic() < deadline:
        _reap(state.pid)
        time.sleep(0.2)
    if is_running(state):
        os.kill(state.pid, signal.SIGKILL)
        _reap(state.pid)
    _clear_state(run_dir)
    log(f"server: stopped (pid {state.pid})")
    return True


def _reap(pid: int) -> None:
    """Collect the exit status when the server is our own child, so it leaves no zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _write_state(run_dir: Path, state: ServerState) -> None:
    partial = run_dir / "server.json.partial"
    partial.write_text(json.dumps(asdict(state)), encoding="utf-8")
    partial.replace(run_dir / "server.json")
    (run_dir / "server.pid").write_text(f"{state.pid}\n", encoding="utf-8")


def _clear_state(run_dir: Path) -> None:
    for name in ("server.json", "server.pid"):
        (run_dir / name).unlink(missing_ok=True)


def _tail(path: Path, lines: int = 3) -> str:
    """The last lines of the server log, joined as one line for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:]) or "(empty log)"
