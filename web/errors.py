"""Errors a client can cause, answered with the right status and a message that says what and where."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from kg.errors import EngineError, QueryError, QueryRefused, QuerySyntaxError, RemoteError, RemoteTimeout
from kg.query.results import NotRepresentable

__all__ = ["HttpError", "as_http_error", "query_error_message", "register_error_handlers"]

_log = logging.getLogger("mmkg.web")


class HttpError(Exception):
    """A client error: status, message and (for a query) the line and column of the problem."""

    def __init__(self, status: int, message: str, position: tuple[int, int] | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.position = position
        self.detail = detail
        """The engine's own words, when ``message`` is our short version of them."""


def as_http_error(exc: QueryError) -> HttpError:
    """A store-boundary error as the client error it becomes: status, message, position, engine detail."""
    return HttpError(exc.http_status, query_error_message(exc), getattr(exc, "position", None),
                     getattr(exc, "detail", None))


def query_error_message(exc: QueryError) -> str:
    """What a client reads for each of the store boundary's errors (its status is ``exc.http_status``)."""
    if isinstance(exc, QuerySyntaxError):
        return f"the query does not parse: {exc.message}"
    if isinstance(exc, QueryRefused):
        return exc.reason
    if isinstance(exc, EngineError):
        return f"the query failed: {exc}"
    if isinstance(exc, RemoteTimeout):
        return f"The SPARQL server behind this app did not answer in time: {exc}"
    if isinstance(exc, RemoteError):
        return f"The SPARQL server behind this app failed: {exc}"
    return str(exc)


def _wants_plain() -> bool:
    """Protocol endpoints answer errors in plain text, unless the client asks for JSON by name."""
    if request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/plain"] and \
            "application/json" in request.accept_mimetypes.values():
        return False
    return request.path == "/sparql" or request.path.startswith("/.well-known/")


def _wants_json() -> bool:
    if request.path.endswith(".json") or request.path == "/openapi.json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes["application/json"] > \
        request.accept_mimetypes["text/html"]


def error_response(status: int, message: str, position: tuple[int, int] | None = None,
                   detail: str | None = None) -> Response:
    """The error as text (protocol endpoints), JSON (data twins, API clients; with the engine's own
    message as ``detail``) or an HTML page."""
    # A message may quote the query, and a query may hold a lone surrogate that UTF-8 cannot carry.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    detail = detail.encode("utf-8", "backslashreplace").decode("utf-8") if detail else detail
    if _wants_plain():
        text = message if position is None else f"{message}\n(line {position[0]}, column {position[1]})"
        response = Response(text + "\n", status=status, mimetype="text/plain")
    elif _wants_json():
        body: dict[str, object] = {"status": status, "error": message}
        if position:
            body["line"], body["column"] = position
        if detail and detail != message:
            body["detail"] = detail
        response = jsonify(body)
        response.status_code = status
    else:
        response = Response(render_template("error.html", status=status, message=message, position=position,
                                            detail=detail if detail != message else None),
                            status=status, mimetype="text/html")
    return response


def register_error_handlers(app: Flask) -> None:
    """4xx for everything a client can send wrong; a logged, generic 500 for our own bugs."""

    @app.errorhandler(HttpError)
    def _client_error(exc: HttpError) -> Response:
        return error_response(exc.status, exc.message, exc.position, exc.detail)

    @app.errorhandler(QueryError)
    def _query_error(exc: QueryError) -> Response:
        if isinstance(exc, RemoteError):
            _log.warning("remote store failed on %s %s: %s", request.method, request.path, exc)
        client = as_http_error(exc)
        response = error_response(client.status, client.message, client.position, client.detail)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:  # 429 over a client's share, 503 every worker busy
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(NotRepresentable)
    def _not_representable(exc: NotRepresentable) -> Response:
        return error_response(406, str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        messages = {404: f"Nothing at {request.path}.",
                    405: f"{request.method} is not allowed on {request.path}.",
                    413: "The request is too large."}
        response = error_response(status, messages.get(status, exc.description or exc.name))
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _bug(exc: Exception) -> Response:
        _log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal error: this is a bug in myeloma-kg, not in your request.")
