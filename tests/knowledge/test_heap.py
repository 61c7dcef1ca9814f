"""glibc's allocator settings, probed in fresh processes (a setting lasts a process's life)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import heap

ROOT = Path(__file__).resolve().parents[2]
GLIBC = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")

# A 2 MB block after a 3 MB one was freed: pages of its own (mmapped, returned when freed), or
# carved from the heap, as glibc does once it has raised its threshold past 2 MB.
_PROBE = """
import ctypes, sys
from knowledge import heap
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena ordblks smblks hblks hblkhd usmblks "
                                                "fsmblks uordblks fordblks keepcost").split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "fixed":
    assert heap.own_pages_from(1 << 20)
libc.free(libc.malloc(3 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(2 << 20)
print(libc.mallinfo2().hblks > before)
libc.free(block)
"""


def _own_pages(mode: str) -> str:
    probe = [sys.executable, "-c", _PROBE, mode]
    found = subprocess.run(probe, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc")
def test_large_blocks_keep_pages_of_their_own_once_one_was_freed() -> None:
    assert _own_pages("glibc") == "False"  # what grew a scan by ~14 KB per account
    assert _own_pages("fixed") == "True"


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc")
def test_glibc_takes_the_arena_bound_and_trims() -> None:
    code = "from knowledge import heap; assert heap.bound_arenas(2); heap.trim(); print('ok')"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert found.stdout.strip() == "ok", found.stderr


def test_without_glibc_nothing_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(name: str) -> str:
        raise ValueError(f"unrecognized configuration name {name!r}")  # os.confstr on macOS

    monkeypatch.setattr(os, "confstr", no_such_name)
    assert not heap.own_pages_from(1 << 20)
    assert not heap.bound_arenas(2)
    heap.trim()
