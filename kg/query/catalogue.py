"""Saved queries: ``queries/*.rq`` files that describe themselves.

A saved query starts with a header of lines beginning ``#+ ``, which together form a YAML mapping
(the grlc format, parsed strictly)::

    #+ title: Drugs of a class
    #+ description: Drugs that belong to a drug class, with their ChEBI identifier.
    #+ tags: [drugs]
    #+ parameters:
    #+   class:
    #+     type: iri
    #+     default: mmkg:ImmunomodulatoryImideDrug
    #+     prefixes: [mmkg]
    SELECT ...

Parameter types: ``iri`` (a full IRI or a CURIE with a known prefix, optionally restricted to
``prefixes``), ``string``, ``number``, ``enumeration`` (one of ``values``; ``of: iri`` makes the
values IRIs). A parameter is the query variable of the same name; its value is bound through the
store's substitutions, never pasted into the query text. A parameter without a value and without
a default stays unbound. A broken header is an error naming file and line.

``columns`` gives a result column (a variable the query's SELECT projects) a ``title`` and, for numbers, a
``unit`` shown in the table header ("Median (months)") and in the ``.json`` twin's ``units``::

    #+ columns:
    #+   value: {title: Median, unit: months}

Declare a unit only where the query fixes it (``mmkg:unit res:unit-month``, a count of patients); where it
varies per row, select the unit's label as a column of its own. An unknown column is an error naming its line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox
import yaml

from kg.errors import ParameterError, QueryFileError
from kg.linking.prefix_map import converter
from kg.namespaces import PREFIXES
from kg.query.store import QueryStore

__all__ = [
    "RESERVED_PARAMETERS",
    "Catalogue",
    "Column",
    "Parameter",
    "SavedQuery",
    "column_title",
    "expand_iri",
    "load_catalogue",
    "parse_query_file",
]

ParamType = Literal["iri", "string", "number", "enumeration"]
_HEADER_KEYS = {"title", "description", "tags", "parameters", "examples", "columns"}
_COLUMN_KEYS = {"title", "unit"}
_ACRONYMS = {"hr": "HR", "rr": "RR", "ci": "CI", "os": "OS", "pfs": "PFS", "ttp": "TTP", "iri": "IRI", "doi": "DOI",
             "pmid": "PMID", "ae": "AE", "nct": "NCT"}
_PARAM_KEYS = {"type", "default", "values", "of", "description", "prefixes", "label"}
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s<>\"{}|\\^`]+$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_PARAMETERS = frozenset({"page"})
"""Names a saved query's parameter may not have: its web page reads them itself (``page=N``)."""


def expand_iri(value: str, allowed_prefixes: list[str] | None = None) -> str:
    """Expand a CURIE with a prefix of the project's converter (:mod:`kg.linking.prefix_map`: ours, the
    vocabularies we link to), or check a full IRI.

    :raises ValueError: for a value that is neither, or whose namespace is not allowed.

    >>> expand_iri("res:lenalidomide")
    'https://w3id.org/mmkg/resource/lenalidomide'
    """
    _, sep, local = value.partition(":")
    expanded = converter().expand(value) if sep and not local.startswith("//") else None
    if expanded is not None:
        iri = expanded
    elif _IRI.match(value):
        iri = value
    else:
        raise ValueError(f"{value!r} is not an IRI or a CURIE with a known prefix ({', '.join(sorted(PREFIXES))})")
    if not _IRI.match(iri):
        raise ValueError(f"{value!r} does not expand to a valid IRI")
    if allowed_prefixes and not any(iri.startswith(PREFIXES[p]) for p in allowed_prefixes):
        raise ValueError(f"{value!r} is outside the allowed namespaces {allowed_prefixes}")
    return iri


@dataclass(frozen=True)
class Column:
    """How a result column is shown: its title and, for numbers, their unit."""

    title: str
    unit: str | None = None


def column_title(variable: str) -> str:
    """A variable in words for a table header: ``interventionLabel`` -> ``Intervention``, ``ciLower`` -> ``CI lower``.

    >>> column_title("adverseEventLabel"), column_title("ciLower"), column_title("p_value")
    ('Adverse event', 'CI lower', 'P value')
    """
    name = re.sub(r"Label$", "", variable) or variable
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
    text = " ".join(w if w.isupper() else _ACRONYMS.get(w.lower(), w.lower()) for w in words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a saved query."""

    name: str
    type: ParamType
    description: str = ""
    default: str | None = None
    values: tuple[str, ...] = ()
    of: Literal["iri", "string"] = "string"
    prefixes: tuple[str, ...] = ()

    def bind(self, raw: str) -> ox.NamedNode | ox.Literal:
        """Turn a value given by a user into an RDF term.

        :raises ParameterError: naming this parameter and what is wrong.
        """
        try:
            if self.type == "iri":
                return ox.NamedNode(expand_iri(raw, list(self.prefixes) or None))
            if self.type == "number":
                number = Decimal(raw)
                if not number.is_finite():
                    raise ValueError(f"{raw!r} is not a finite number")
                return ox.Literal(str(number), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
            if self.type == "enumeration":
                if raw not in self.values:
                    raise ValueError(f"{raw!r} is not one of {list(self.values)}")
                if self.of == "iri":
                    return ox.NamedNode(expand_iri(raw))
                return ox.Literal(raw)
            if len(raw) > 1000:
                raise ValueError("longer than 1000 characters")
            return ox.Literal(raw)
        except (ValueError, InvalidOperation) as exc:
            raise ParameterError(self.name, str(exc) or f"{raw!r} is not a {self.type}") from exc


@dataclass(frozen=True)
class SavedQuery:
    """A saved query: its text, its description and its parameters."""

    name: str
    path: Path
    title: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    sparql: str
    header_lines: int = 0
    examples: tuple[dict[str, str], ...] = field(default=())
    columns: dict[str, Column] = field(default_factory=dict)
    """Declared titles and units of result columns, by variable name."""

    @property
    def units(self) -> dict[str, str]:
        """The declared unit of each column that has one, by variable name."""
        return {name: column.unit for name, column in self.columns.items() if column.unit}

    def column(self, variable: str) -> Column:
        """The title and unit to show for a result column (a declared one, else the variable in words)."""
        return self.columns.get(variable) or Column(column_title(variable))

    def parameter(self, name: str) -> Parameter:
        for param in self.parameters:
            if param.name == name:
                return param
        raise ParameterError(name, f"unknown parameter of query {self.name!r} (known: "
                                   f"{', '.join(p.name for p in self.parameters) or 'none'})")

    def bindings(self, given: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Bind given values and defaults.

        :raises ParameterError: for an unknown parameter or a malformed value.
        """
        for name in given:
            self.parameter(name)
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.parameters:
            raw = given.get(param.name)
            if raw is None or raw == "":
                raw = param.default
            if raw is not None:
                bound[param.name] = param.bind(raw)
        return bound


def _fail(path: Path, line: int, message: str) -> QueryFileError:
    return QueryFileError(path, line, message)


def _parameter(path: Path, line: int, name: str, spec: Any) -> Parameter:
    if not _NAME.match(name):
        raise _fail(path, line, f"parameter name {name!r} is not a SPARQL variable name")
    if name in RESERVED_PARAMETERS:
        raise _fail(path, line, f"parameter name {name!r} is reserved: a saved query's page uses it ({name}=N)")
    if not isinstance(spec, dict):
        raise _fail(path, line, f"parameter {name!r} must be a mapping with at least 'type'")
    unknown = set(spec) - _PARAM_KEYS
    if unknown:
        raise _fail(path, line, f"parameter {name!r}: unknown key(s) {sorted(unknown)}")
    kind = spec.get("type")
    if kind not in ("iri", "string", "number", "enumeration"):
        raise _fail(path, line, f"parameter {name!r}: type must be iri, string, number or enumeration, not {kind!r}")
    values = tuple(str(v) for v in spec.get("values", []) or [])
    if kind == "enumeration" and not values:
        raise _fail(path, line, f"parameter {name!r}: an enumeration needs 'values'")
    of = spec.get("of", "string")
    if of not in ("iri", "string"):
        raise _fail(path, line, f"parameter {name!r}: 'of' must be iri or string")
    prefixes = tuple(spec.get("prefixes", []) or [])
    for prefix in prefixes:
        if prefix not in PREFIXES:
            raise _fail(path, line, f"parameter {name!r}: unknown prefix {prefix!r}")
    default = spec.get("default")
    param = Parameter(name, kind, str(spec.get("description", "")), None if default is None else str(default),
                      values, of, prefixes)
    if param.default is not None:
        try:
            param.bind(param.default)
        except ParameterError as exc:
            raise _fail(path, line, f"default of {exc}") from exc
    return param


def parse_query_file(path: Path) -> SavedQuery:
    """Parse one ``.rq`` file strictly.

    :raises QueryFileError: naming the file and line of the problem.
    """
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    header: list[str] = []
    for line in lines:
        if line.startswith("#+"):
            header.append(line[3:] if line.startswith("#+ ") else line[2:])
        else:
            break
    if not header:
        raise _fail(path, 1, "missing the '#+' header (title, description, ...)")
    try:
        meta = yaml.safe_load("\n".join(header))
    except yaml.MarkedYAMLError as exc:
        error_line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise _fail(path, error_line, f"header is not valid YAML: {exc.problem}") from exc
    if not isinstance(meta, dict):
        raise _fail(path, 1, "the header must be a YAML mapping")

    def line_of(key: str) -> int:
        for i, line in enumerate(header, 1):
            if line.lstrip().startswith(f"{key}:"):
                return i
        return 1

    unknown = set(meta) - _HEADER_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise _fail(path, line_of(key), f"unknown header key {key!r} (allowed: {sorted(_HEADER_KEYS)})")
    for key in ("title", "description"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise _fail(path, line_of(key), f"header needs a non-empty {key!r}")
    tags = meta.get("tags", []) or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _fail(path, line_of("tags"), "tags must be a list of strings")
    raw_params = meta.get("parameters", {}) or {}
    if not isinstance(raw_params, dict):
        raise _fail(path, line_of("parameters"), "parameters must be a mapping of name to spec")
    sparql = "\n".join(lines[len(header):]).strip() + "\n"
    params = []
    for name, spec in raw_params.items():
        param = _parameter(path, line_of(str(name)), str(name), spec)
        if not re.search(rf"[?$]{re.escape(param.name)}\b", sparql):
            raise _fail(path, line_of(str(name)), f"parameter {name!r} is not a variable of the query")
        params.append(param)
    examples = meta.get("examples", []) or []
    if not isinstance(examples, list) or not all(isinstance(e, dict) for e in examples):
        raise _fail(path, line_of("examples"), "examples must be a list of parameter mappings")
    try:
        probe = ox.Store().query(sparql)
    except SyntaxError as exc:
        raise _fail(path, len(header) + 1, f"the query does not parse: {exc}") from exc
    projected = [v.value for v in probe.variables] if isinstance(probe, ox.QuerySolutions) else []
    columns = _columns(path, header, meta.get("columns", {}) or {}, projected)
    for param in params:
        # pyoxigraph binds only variables the query projects (SELECT ?x or SELECT *).
        try:
            ox.Store().query(sparql, substitutions={ox.Variable(param.name): ox.NamedNode("urn:mmkg:probe")})
        except RuntimeError as exc:
            raise _fail(path, line_of(param.name), f"parameter {param.name!r} must be projected by the query's "
                                                   f"SELECT so that it can be bound ({exc})") from exc
    return SavedQuery(
        name=path.stem, path=path, title=meta["title"].strip(), description=meta["description"].strip(),
        tags=tuple(tags), parameters=tuple(params), sparql=sparql, header_lines=len(header),
        examples=tuple({str(k): str(v) for k, v in e.items()} for e in examples), columns=columns,
    )


def _columns(path: Path, header: list[str], raw: object, projected: list[str]) -> dict[str, Column]:
    """The ``columns`` header: each a variable the SELECT projects, with a title and/or a unit (strings)."""
    start = next((i for i, line in enumerate(header, 1) if line.startswith("columns:")), 1)

    def line_of(name: str) -> int:  # the column's own line inside the columns block
        for i, line in enumerate(header[start:], start + 1):
            if not line.startswith((" ", "\t")):
                break
            if line.lstrip().startswith((f"{name}:", f"'{name}':", f'"{name}":')):
                return i
        return start

    if not isinstance(raw, dict):
        raise _fail(path, start, "columns must be a mapping of variable to {title, unit}")
    found: dict[str, Column] = {}
    for key, spec in raw.items():
        name = str(key)
        if name not in projected:
            close = difflib.get_close_matches(name, projected, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise _fail(path, line_of(name), f"unknown column {name!r}: {hint}the query's columns are "
                                             f"{', '.join(projected) or 'none (not a SELECT)'}")
        if not isinstance(spec, dict) or not spec or not set(spec) <= _COLUMN_KEYS \
                or not all(isinstance(spec[k], str) and spec[k].strip() for k in spec):
            raise _fail(path, line_of(name), f"column {name!r}: give a mapping with a 'title' and/or a 'unit' "
                                             "(non-empty strings)")
        found[name] = Column(spec.get("title", "").strip() or column_title(name), spec.get("unit", "").strip() or None)
    return found


@dataclass
class Catalogue:
    """All saved queries of a folder, by name."""

    queries: dict[str, SavedQuery]

    def get(self, name: str) -> SavedQuery:
        """:raises KeyError: for an unknown name, listing the known ones."""
        try:
            return self.queries[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.queries), n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise KeyError(f"no saved query named {name!r}; {hint}known: {', '.join(sorted(self.queries))}") from None

    def __iter__(self) -> Any:
        return iter(sorted(self.queries.values(), key=lambda q: q.name))

    def __len__(self) -> int:
        return len(self.queries)


def load_catalogue(folder: Path) -> Catalogue:
    """Parse every ``.rq`` file of ``folder``.

    :raises QueryFileError: for the first malformed file.
    """
    return Catalogue({q.name: q for q in map(parse_query_file, sorted(folder.glob("*.rq")))})


def unknown_iris(store: QueryStore, query: SavedQuery,
                 bindings: dict[str, ox.NamedNode | ox.Literal]) -> list[tuple[str, str]]:
    """The IRI parameters whose value names nothing in the graph (a typo answers with no rows, silently):
    (parameter, IRI) pairs, for a warning."""
    found = []
    for param in query.parameters:
        value = bindings.get(param.name)
        if isinstance(value, ox.NamedNode):
            ask = f"ASK {{ {{ <{value.value}> ?p ?o }} UNION {{ ?s ?p <{value.value}> }} }}"
            if store.query(ask).boolean is False:
                found.append((param.name, value.value))
    return found
