"""Headers every answer of the site carries, worked out once: the security headers, and CORS for reads."""

from __future__ import annotations

__all__ = ["CORS_PREFLIGHT_HEADERS", "CORS_READ_HEADERS", "CSP", "SECURITY_HEADERS"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"))
"""Set on every answer that does not set them itself."""

CORS_READ_HEADERS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "MMKG-Results-Truncated, Content-Type"))
"""On every read (and on ``/sparql`` by POST) when ``Settings.cors`` is on."""

CORS_PREFLIGHT_HEADERS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"), ("Access-Control-Allow-Headers", "Content-Type, Accept"),
    ("Access-Control-Max-Age", "86400"))
"""Added to the answer of a preflight (``OPTIONS``)."""
