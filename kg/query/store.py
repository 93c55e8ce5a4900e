"""The embedded store: the built graph served from pyoxigraph.

rdflib builds the graph; pyoxigraph serves it. At 1M synthetic triples (``bench/scale.py``)
pyoxigraph loads a release in about 3.3 s against about 70 s for an rdflib ``Dataset`` and answers
the saved queries a median 9 times faster, which is why queries never go through rdflib. Queries
see the union of all named graphs as their default graph; ``GRAPH ?g`` still tells asserted
(``graph:source/...``, ``graph:reference``) from inferred (``graph:inferred``) triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.errors import EngineError, MmkgError, QuerySyntaxError, ResultTooLarge
from kg.query.prefixes import used_prefixes
from kg.query.protocol.lexer import has_dataset_clause
from kg.query.protocol.parse_errors import explain

__all__ = [
    "BASE_IRI",
    "LOADED_GRAPH",
    "QueryResult",
    "QueryStore",
    "Store",
    "Term",
    "collect",
    "engine_errors",
    "parse_error_position",
    "result_too_large",
    "rows_as_values",
    "syntax_error",
    "term_size",
    "term_to_python",
    "value_of",
]

LOADED_GRAPH = "https://w3id.org/mmkg/graph/loaded"
"""Where :meth:`Store.from_file` puts the triples of a triple-format file."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

BASE_IRI = "https://w3id.org/mmkg/sparql"
"""Where relative IRIs in a query resolve by default: the published endpoint's IRI, so ``<resource/len>``
is ``res:len``. The web endpoint passes its own URL instead, as Oxigraph's server does."""


@dataclass
class QueryResult:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str]
    rows: list[dict[str, Term]]
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None
    truncated: bool = False


def value_of(row: dict[str, Term], name: str) -> str:
    """The lexical value of a row's IRI, blank node or literal (typed access to a result row).

    :raises KeyError: when the row does not bind ``name``.
    :raises TypeError: when it is bound to a triple term, which has no lexical value.
    """
    term = row[name]
    if isinstance(term, ox.Triple):
        raise TypeError(f"?{name} is a triple term, not a value")
    return term.value


class Store:
    """A pyoxigraph store holding one release of the graph."""

    def __init__(self, path: Path | None = None) -> None:
        """Open an in-memory store, or an on-disk one at ``path``."""
        self._store = ox.Store(str(path)) if path is not None else ox.Store()

    @classmethod
    def from_release(cls, nquads: Path, path: Path | None = None) -> Store:
        """A store loaded with a release's N-Quads.

        An on-disk store that already holds data is reused as it is: delete its folder after a
        rebuild to reload it.
        """
        store = cls(path)
        if path is None or len(store._store) == 0:
            # Lenient: a release is our own output, already validated (SHACL, reasoner); skipping
            # pyoxigraph's IRI and literal checks loads 1M quads in ~3.8 s instead of ~5.3 s.
            store._store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        return store

    @classmethod
    def read_only(cls, path: Path) -> Store:
        """An on-disk store opened read-only (several processes may do so at once)."""
        store = cls.__new__(cls)
        store._store = ox.Store.read_only(str(path))
        return store

    @classmethod
    def from_file(cls, rdf_file: Path) -> Store:
        """A store loaded with any RDF file whose format pyoxigraph knows from the extension.

        Quads keep their graphs; the triples of a triple format go to the named graph
        :data:`LOADED_GRAPH`, so that ``GRAPH ?g`` patterns (entity pages, provenance) see them.

        :raises ValueError: for an extension pyoxigraph does not know.
        :raises SyntaxError: for a file that does not parse, with its position.
        """
        store = cls()
        fmt = ox.RdfFormat.from_extension(rdf_file.suffix.lstrip("."))
        if fmt is None:
            raise ValueError(f"{rdf_file}: unknown RDF format for extension {rdf_file.suffix!r}")
        target = None if fmt.supports_datasets else ox.NamedNode(LOADED_GRAPH)
        store._store.bulk_load(path=str(rdf_file), format=fmt, to_graph=target)
        return store

    def __len__(self) -> int:
        return len(self._store)

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store."""
        return self._store

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *, limit: int | None = None,
              default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
              base_iri: str | None = BASE_IRI, prefixes: Mapping[str, str] | None = None,
              max_bytes: int | None = None) -> QueryResult:
        """Run a query; parameters are bound, never spliced.

        The dataset follows SPARQL 1.1: the protocol's ``default_graphs`` / ``named_graphs``
        (``default-graph-uri`` / ``named-graph-uri``) when either is given, else the query's own
        ``FROM`` / ``FROM NAMED``, else the union of all named graphs as the default graph and every
        named graph for ``GRAPH``. Relative IRIs resolve against ``base_iri``; ``prefixes`` are
        predeclared (the query's own ``PREFIX`` wins). At most ``limit`` rows (or triples) are kept
        and ``truncated`` says whether more were there; kept values over ``max_bytes`` in all refuse the answer.

        :raises QuerySyntaxError: for a query that does not parse, with the position of the error.
        :raises ResultTooLarge: when the kept rows' values come to more than ``max_bytes``.
        :raises EngineError: for any other error of the engine.
        """
        with engine_errors(sparql, prefixes):
            return collect(self.execute(sparql, bindings, default_graphs=default_graphs, named_graphs=named_graphs,
                                        base_iri=base_iri, prefixes=prefixes), limit, max_bytes)

    def execute(self, sparql: str, bindings: Mapping[str, Term] | None = None, *,
                default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
                base_iri: str | None = BASE_IRI, prefixes: Mapping[str, str] | None = None,
                ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """pyoxigraph's own (lazy) result of a query with the dataset rules of :meth:`query`; evaluate
        it inside :func:`engine_errors` so that errors raised while iterating are mapped too."""
        substitutions = {ox.Variable(name): value for name, value in (bindings or {}).items()}
        used = used_prefixes(prefixes, sparql) if prefixes else None
        options: dict[str, object] = {"substitutions": substitutions, "base_iri": base_iri, "prefixes": used}
        if default_graphs is not None or named_graphs is not None:  # the protocol's dataset wins
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        elif not has_dataset_clause(sparql):
            options["use_default_graph_as_union"] = True
        with engine_errors(sparql, prefixes):
            try:
                return self._store.query(sparql, **options)  # type: ignore[arg-type]
            except SyntaxError:
                if not prefixes or used is None or len(used) == len(prefixes):
                    raise
            # a prefix the text uses that used_prefixes did not see: the same query with all of them
            options["prefixes"] = dict(prefixes)
            return self._store.query(sparql, **options)  # type: ignore[arg-type]


@contextmanager
def engine_errors(sparql: str, prefixes: Mapping[str, str] | None = None) -> Iterator[None]:
    """pyoxigraph's errors as ours: :class:`QuerySyntaxError` with a position, else :class:`EngineError`."""
    try:
        yield
    except MmkgError:
        raise
    except SyntaxError as exc:
        raise syntax_error(sparql, str(exc), prefixes) from None
    except (RuntimeError, OSError, ValueError, TypeError) as exc:
        raise EngineError(str(exc)) from None


_POSITION = re.compile(r"error at (\d+):(\d+)")



def syntax_error(sparql: str, raw: str, prefixes: Mapping[str, str] | None = None) -> QuerySyntaxError:
    """The engine's parse error ``raw`` as a :class:`QuerySyntaxError` a person can act on."""
    explained = explain(sparql, raw, prefixes or {})
    return QuerySyntaxError(explained.message, explained.position or parse_error_position(raw), raw)


def parse_error_position(message: str) -> tuple[int, int] | None:
    """(line, column) of a pyoxigraph parse error such as ``error at 1:25: expected ...``.

    >>> parse_error_position("error at 2:7: expected '}'")
    (2, 7)
    """
    match = _POSITION.search(message)
    return (int(match.group(1)), int(match.group(2))) if match else None


def result_too_large(max_bytes: int) -> ResultTooLarge:
    """The one refusal of an answer over the byte budget, whichever path ran the query (413)."""
    return ResultTooLarge(f"the answer is larger than {max_bytes / 2**20:g} MiB; ask for fewer or shorter "
                          "values (LIMIT, fewer variables, no huge strings)")


def term_size(term: Term) -> int:
    """Bytes a term takes in an answer, about (its value in UTF-8 and a little for the markup around it)."""
    if isinstance(term, ox.Triple):
        return term_size(term.subject) + term_size(term.predicate) + term_size(term.object)
    return len(term.value.encode("utf-8", "surrogatepass")) + 8


def collect(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, limit: int | None = None,
            max_bytes: int | None = None) -> QueryResult:
    """A pyoxigraph result (from a store or parsed from a server's answer) as a :class:`QueryResult`,
    keeping at most ``limit`` rows or triples.

    :raises ResultTooLarge: as soon as the kept values come to more than ``max_bytes`` (the rest is never read).
    """
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", [], [], boolean=bool(result))
    size = 0
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[dict[str, Term]] = []
        truncated = False
        row: dict[str, Term]
        for solution in result:
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            row = {name: value for name, value in zip(variables, solution, strict=True) if value is not None}
            if max_bytes is not None:  # sizes only where there is a budget (the app's own queries have none)
                size += sum(map(term_size, row.values()))
                if size > max_bytes:
                    raise result_too_large(max_bytes)
            rows.append(row)
        return QueryResult("select", variables, rows, truncated=truncated)
    triples: list[ox.Triple] = []
    for triple in result if limit is None else islice(result, limit + 1):
        triples.append(triple)
        if len(triples) <= (limit if limit is not None else len(triples)):
            size += term_size(triple)
            if max_bytes is not None and size > max_bytes:
                raise result_too_large(max_bytes)
    truncated = limit is not None and len(triples) > limit
    return QueryResult("graph", [], [], triples=triples[:limit] if truncated else triples, truncated=truncated)


class QueryStore(Protocol):
    """What the CLI and the web app need of a store: the embedded :class:`Store` or a
    :class:`kg.query.remote.RemoteStore` on any SPARQL 1.1 server."""

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *, limit: int | None = None,
              default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
              base_iri: str | None = BASE_IRI, prefixes: Mapping[str, str] | None = None,
              max_bytes: int | None = None) -> QueryResult: ...

    def __len__(self) -> int: ...


def term_to_python(term: Term) -> str | int | float | bool:
    """A plain value for tables and JSON: IRIs as strings, numeric literals as numbers."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        xsd = "http://www.w3.org/2001/XMLSchema#"
        if datatype in (xsd + "integer", xsd + "int", xsd + "long", xsd + "nonNegativeInteger"):
            return int(term.value)
        if datatype in (xsd + "decimal", xsd + "double", xsd + "float"):
            number = float(term.value)
            return int(number) if number.is_integer() and "." not in term.value else number
        if datatype == xsd + "boolean":
            return term.value == "true"
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def rows_as_values(result: QueryResult) -> list[dict[str, str | int | float | bool]]:
    """Rows with plain values."""
    return [{k: term_to_python(v) for k, v in row.items()} for row in result.rows]
