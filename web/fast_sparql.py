"""``GET`` and ``POST /sparql`` answered at the WSGI level, in front of Flask: the same protocol, a shorter way.

A small query's own work (guard and lint verdicts kept per text, the worker hand-off, the engine) takes a few
hundred microseconds; Flask's request context, URL routing, three ``Accept`` parsings and the after-request hooks
took as long again. :func:`sparql_fast_path` reads the request straight from the WSGI environ into the same
:class:`~web.blueprints.sparql.ProtocolRequest` the Flask view reads, answers it with the same
:func:`~web.blueprints.sparql.protocol_answer` (so through :class:`kg.query.outside.OutsideQueries`: guard, lint,
admission, the worker pool, the budget; nothing is skipped) and sends the same headers, the site's fixed ones
(security, CORS) worked out once.

The same request sent again (method, URL parameters, body, ``Accept``, the endpoint's address) is not read
again: :class:`~web.request_memo.RequestMemo` remembers which kept answer it got, and
:meth:`~kg.query.outside.OutsideQueries.again` admits it and gives that answer back (an answer gone from the
cache: the request is read anew).

Only the answer itself is sent from here. Everything else goes to the Flask app: other paths and methods (HEAD,
OPTIONS), the service description, a POST whose body has no stated length or is over the limit (Flask refuses
it), and every error: the exception is handed to the Flask view in the environ (:data:`FAST_PATH_ERROR`), which
raises it, so each error gets the app's own handler, status, message and headers, and a query that already ran
(or timed out) is never run again.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.http import parse_options_header
from werkzeug.wsgi import get_content_length, get_input_stream

from web.blueprints.sparql import FAST_PATH_ERROR, ProtocolRequest, protocol_answer, response_parts
from web.context import AppContext
from web.memory import LARGE, trim
from web.request_memo import Remembered, RequestMemo
from web.site_headers import CORS_READ_HEADERS, SECURITY_HEADERS

__all__ = ["EndpointIris", "sparql_fast_path"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_PATH = "/sparql"


class EndpointIris:
    """``url_for("sparql.endpoint", _external=True)`` for a request's scheme, host and mount point, worked out
    by the app's own URL adapter and kept (64 at most: a client sending many ``Host`` headers gains nothing)."""

    def __init__(self, app: Flask, size: int = 64) -> None:
        self.app = app
        self.size = size
        self._known: dict[tuple[object, ...], str] = {}

    @staticmethod
    def key(environ: dict[str, Any]) -> tuple[object, ...]:
        """What the endpoint's IRI depends on in ``environ``."""
        return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME"))

    def __call__(self, environ: dict[str, Any], key: tuple[object, ...] | None = None) -> str:
        key = key or self.key(environ)
        iri = self._known.get(key)
        if iri is None:
            adapter = self.app.create_url_adapter(self.app.request_class(environ))
            if adapter is None:  # only without a request; kept for the type checker
                raise RuntimeError("no URL adapter for this request")
            iri = adapter.build("sparql.endpoint", {}, force_external=True)
            if len(self._known) >= self.size:
                self._known.clear()
            self._known[key] = iri
        return iri


class _Trimmed:
    """A large answer's body: once the server has sent it, free memory goes back to the system."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self._body

    def close(self) -> None:
        self._body = b""
        trim()


def _url_params(environ: dict[str, Any]) -> dict[str, list[str]]:
    """The URL's parameters as Flask's ``request.args`` has them (invalid bytes stay percent-encoded)."""
    params: dict[str, list[str]] = {}
    raw = environ.get("QUERY_STRING", "").encode("latin1").decode()
    for key, value in parse_qsl(raw, keep_blank_values=True, errors="werkzeug.url_quote"):
        params.setdefault(key, []).append(value)
    return params


def _send(start_response: Callable[..., Any], answer: bytes, headers: list[tuple[str, str]]) -> Iterable[bytes]:
    headers.append(("Content-Length", str(len(answer))))
    start_response("200 OK", headers)
    return _Trimmed(answer) if len(answer) >= LARGE else [answer]


def sparql_fast_path(app: Flask, inner: WsgiApp) -> WsgiApp:
    """``inner`` (the Flask app's WSGI callable) with ``GET`` / ``POST /sparql`` answered in front of it."""
    context: AppContext = app.extensions["mmkg"]
    limit = context.settings.max_query_bytes
    fixed = [*SECURITY_HEADERS, *(CORS_READ_HEADERS if context.settings.cors else ())]
    endpoint_iri = EndpointIris(app)
    memo = RequestMemo()

    def fast(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != _PATH or method not in ("GET", "POST"):
            return inner(environ, start_response)
        if method == "POST":
            length = get_content_length(environ)
            if length is None or length > limit:  # Flask streams or refuses it
                return inner(environ, start_response)
        body = b""
        try:
            if method == "POST":
                try:
                    body = get_input_stream(environ, max_content_length=limit).read()
                finally:  # for Flask, should it answer after all (a body cut short: what arrived)
                    environ["wsgi.input"] = io.BytesIO(body)
            media = parse_options_header(environ.get("CONTENT_TYPE", ""))[0].lower() if method == "POST" else ""
            where = EndpointIris.key(environ)
            client = environ.get("REMOTE_ADDR") or "unknown"
            signature = memo.signature(method, environ.get("QUERY_STRING", ""), media, body,
                                       environ.get("HTTP_ACCEPT"), where)
            known = memo.get(signature) if signature is not None else None
            if known is not None:
                again = context.outside.again(known.key, known.warnings, client)
                if again is not None:
                    return _send(start_response, again.body, list(known.headers))
                memo.forget(signature)
            request = ProtocolRequest(
                method, _url_params(environ), media, get_content_length(environ), lambda: body,
                environ.get("HTTP_ACCEPT"), endpoint_iri(environ, where), client)
            written, _ = protocol_answer(context, request)
        except Exception as exc:  # answered by the app's own error handlers, never run again
            environ[FAST_PATH_ERROR] = exc
            return inner(environ, start_response)
        if written is None:  # the service description
            return inner(environ, start_response)
        answer, headers = response_parts(written)
        headers.extend(fixed)
        if signature is not None and written.kept_as is not None:
            memo.put(signature, Remembered(written.kept_as, written.warnings, tuple(headers)))
        return _send(start_response, answer, headers)

    fast.inner = inner  # type: ignore[attr-defined]
    return fast
