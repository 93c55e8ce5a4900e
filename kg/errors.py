"""The project's error hierarchy: every error says what is wrong and where."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BuildError",
    "FactError",
    "FactErrors",
    "MmkgError",
    "ParameterError",
    "QueryFileError",
    "ReasonerUnavailable",
]


class MmkgError(Exception):
    """Base class of the errors this package raises on purpose."""


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
