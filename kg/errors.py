"""The project's error hierarchy: every error says what is wrong and where.

Two families. Curation and build errors (:class:`FactError`, :class:`BuildError`,
:class:`QueryFileError`, :class:`ParameterError`) name a file and line or a parameter. Query
errors (:class:`QueryError` and its subclasses) are all a store, the remote store or the worker
pool may raise: each carries the HTTP status the web app answers with (``http_status``) and the
exit status of the command line (``exit_code``), so both map them in one place.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ArticleError",
    "BuildError",
    "ClientOverLimit",
    "EngineError",
    "FactError",
    "FactErrors",
    "MmkgError",
    "ParameterError",
    "PoolBusy",
    "QueryError",
    "QueryFileError",
    "QueryRefused",
    "QuerySyntaxError",
    "QueryTimeout",
    "ReasonerUnavailable",
    "RemoteError",
    "RemoteTimeout",
    "ResultTooLarge",
    "WorkerCrashed",
]


class MmkgError(Exception):
    """Base class of the errors this package raises on purpose."""

    http_status = 500
    exit_code = 1


class FactError(MmkgError):
    """A problem in a fact file, located by file, line and field."""

    def __init__(self, path: Path | str, line: int, field: str, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        where = f"{self.path}:{line}"
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class FactErrors(MmkgError):
    """Several fact-file problems found in one pass, reported together."""

    def __init__(self, errors: list[FactError]) -> None:
        self.errors = errors
        lines = "\n".join(str(e) for e in errors)
        super().__init__(f"{len(errors)} problem(s) in the fact files:\n{lines}")


class BuildError(MmkgError):
    """The build could not finish (reasoning, validation, provenance)."""


class ReasonerUnavailable(BuildError):
    """HermiT could not run, typically because no Java runtime is installed."""


class ArticleError(MmkgError):
    """An article given to the drafter cannot be read as text: empty, binary, not UTF-8 or too large."""

    http_status = 400
    exit_code = 2

    def __init__(self, where: str, message: str, *, http_status: int = 400) -> None:
        self.where = where
        self.message = message
        self.http_status = http_status
        super().__init__(f"{where}: {message}")


class QueryFileError(MmkgError):
    """A saved-query file is malformed, located by file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}:{line}: {message}")


class ParameterError(MmkgError):
    """A saved-query parameter value is missing, unknown or malformed."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        self.message = message
        super().__init__(f"parameter {parameter!r}: {message}")


# ------------------------------------------------------------------------------------------------
# Query errors: everything a store, the remote store or the worker pool raises
# ------------------------------------------------------------------------------------------------


class QueryError(MmkgError):
    """A query could not be answered; subclasses say why."""

    http_status = 400


class QuerySyntaxError(QueryError, SyntaxError):
    """The query does not parse; ``position`` is (line, column) inside the query when known, ``detail``
    the engine's own message (``message`` is the short one for people)."""

    http_status = 400

    def __init__(self, message: str, position: tuple[int, int] | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.detail = detail or message


class EngineError(QueryError):
    """The engine refused or failed on a query that parses (a type error, an unsupported feature)."""

    http_status = 400


class QueryRefused(QueryError):
    """A query the policy does not allow (an update, SERVICE, an unknown graph), with its position."""

    def __init__(self, message: str, line: int, column: int, status: int = 403) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.reason = message
        self.position = (line, column)
        self.status = status
        self.http_status = status


class QueryTimeout(QueryError, TimeoutError):
    """The query did not finish within its time limit and was stopped, or no worker was free."""

    http_status = 503


class WorkerCrashed(QueryTimeout):
    """The engine died on this query; its worker process was replaced."""

    http_status = 503


class ClientOverLimit(QueryError):
    """A client is over its share: too many queries at once, or its time budget spent (429)."""

    http_status = 429

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PoolBusy(QueryTimeout):
    """Every query worker stayed busy for the queue's short wait (503, try again shortly)."""

    http_status = 503

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ResultTooLarge(QueryError):
    """The answer would be larger than the server sends (bytes, not rows: rows are cut and flagged)."""

    http_status = 413


class RemoteError(QueryError):
    """The remote SPARQL server cannot be reached, refused the request, or is set up wrongly."""

    http_status = 502


class RemoteTimeout(QueryTimeout):
    """The remote SPARQL server did not answer within the client's timeout."""

    http_status = 503
