"""Keeping the serving process small on glibc: fewer malloc arenas, freed memory returned."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

_M_ARENA_MAX = -8


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Threads of the HTTP server otherwise each get their own heap and hold on to it."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_ARENA_MAX, arenas)


def release_free_memory() -> None:
    """Return memory freed after start-up work (index build, model load) to the OS."""
    gc.collect()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
