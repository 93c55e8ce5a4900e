"""Giving memory back after a large answer.

glibc keeps freed memory in the arenas of the threads that used it, so a server that once held a
50 MB answer per thread stays that large for good. Worse, its *dynamic* mmap threshold rises each
time a large block is freed, so later blocks of up to 32 MiB come from the thread arenas instead of
their own mappings, and the server crept up ~9 MB per 51 MB answer at 1M triples (835 → 979 MB over
16 answers) even with ``malloc_trim``. :func:`tune_allocator`, called when ``mmkg serve`` starts,
fixes the thresholds (blocks of 1 MiB and more are mapped and unmapped on their own; free memory
over 1 MiB at the top of a heap is returned), and the same server stays at its baseline (835 → 820
MB over the same 16 answers; tests/test_admission.py checks it). :func:`trim_after` still asks glibc
to return free memory (``malloc_trim``) once a large response has been sent. Elsewhere than glibc
both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

from flask import Response

__all__ = ["LARGE", "THRESHOLD", "trim", "trim_after", "tune_allocator"]

LARGE = 8 * 2**20
"""Responses at least this large are followed by a trim."""

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6") if sys.platform == "linux" else None


THRESHOLD = 2**20
"""Blocks this large or larger get their own mapping, returned to the system when freed."""
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def tune_allocator(threshold: int = THRESHOLD) -> bool:
    """Fix glibc's mmap and trim thresholds at ``threshold`` bytes; True when the allocator took them."""
    if _libc is None or not hasattr(_libc, "mallopt"):
        return False
    return bool(_libc.mallopt(_M_MMAP_THRESHOLD, threshold)) and bool(_libc.mallopt(_M_TRIM_THRESHOLD, threshold))


def trim() -> None:
    """Ask glibc to give free memory back to the system (nothing elsewhere)."""
    _trim()


def _trim() -> None:
    if _libc is not None and hasattr(_libc, "malloc_trim"):
        _libc.malloc_trim(0)


def trim_after(response: Response, size: int) -> Response:
    """``response``, returning free memory to the system once it is sent if it is ``size`` ≥ :data:`LARGE` bytes."""
    if size >= LARGE:
        response.call_on_close(_trim)
    return response
