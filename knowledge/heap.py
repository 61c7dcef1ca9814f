"""glibc's allocator, told how a long run uses memory; elsewhere (musl, macOS) nothing is done.

Chroma's native side, onnxruntime and the scan's threads allocate through the C allocator, and
glibc's defaults suit short programs: each thread gets an arena of its own whose free pieces are
kept, freed pages stay with the process, and large blocks stop getting pages of their own once
one has been freed (`own_pages_from`). Each setting says whether glibc took it.
"""

from __future__ import annotations

import ctypes
import os

# glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


def _glibc() -> ctypes.CDLL | None:
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        return ctypes.CDLL(None)
    except (ValueError, OSError):
        return None


def own_pages_from(size: int) -> bool:
    """Give blocks of `size` bytes or more pages of their own, returned when freed, for the rest
    of the process.

    glibc raises this threshold to the size of each such block it frees, so once Chroma's index
    cache has evicted an index (2-3 MB), later indexes are carved from the heap among small
    long-lived blocks and their memory stays with the process: 12-14 KB more for every
    collection touched, for good (4,000 collections; 1 KB with the threshold fixed). Setting it
    also stops the raising.
    """
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(_M_MMAP_THRESHOLD, size))


def bound_arenas(count: int) -> bool:
    """At most `count` arenas: glibc gives each thread its own, and their free pieces, never
    returned, grew a threaded scan by ~40 KB per account (the Python heap is guarded by one
    lock anyway)."""
    libc = _glibc()
    return libc is not None and bool(libc.mallopt(_M_ARENA_MAX, count))


def trim() -> None:
    """Hand the heap's free pages back to the system (about a millisecond)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
