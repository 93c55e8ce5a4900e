"""HEAD is GET without the body (RFC 9110 §9.3.2), on every route.

Flask answers HEAD on a GET route by calling the view with ``request.method == "HEAD"``, and a view
that branches on ``request.method == "GET"`` (``/sparql``, ``/draft``) then took it for a POST (415,
400). :func:`head_as_get` hands the app a GET instead and sends back only its status and headers:
the same status, ``Content-Type`` and ``Content-Length`` a GET gets, and where there is no GET, the
same 405 with its ``Allow`` header.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["head_as_get"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def head_as_get(app: WsgiApp) -> WsgiApp:
    """``app`` with HEAD requests answered as GETs whose body is dropped."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "HEAD":
            return app(environ, start_response)
        environ["REQUEST_METHOD"] = "GET"
        environ["mmkg.head"] = True
        body = app(environ, start_response)
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return []

    return wrapped
