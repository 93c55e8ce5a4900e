"""Giving memory back after a large answer.

glibc keeps freed memory in the arenas of the threads that used it, so a server that once held a
50 MB answer per thread stays that large for good. :func:`trim_after` asks glibc to return free
memory to the system (``malloc_trim``) once a large response has been sent; elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

from flask import Response

__all__ = ["LARGE", "trim_after"]

LARGE = 8 * 2**20
"""Responses at least this large are followed by a trim."""

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6") if sys.platform == "linux" else None


def _trim() -> None:
    if _libc is not None and hasattr(_libc, "malloc_trim"):
        _libc.malloc_trim(0)


def trim_after(response: Response, size: int) -> Response:
    """``response``, returning free memory to the system once it is sent if it is ``size`` ≥ :data:`LARGE` bytes."""
    if size >= LARGE:
        response.call_on_close(_trim)
    return response
