"""The Python API: ``kg.open()`` and a :class:`Graph` that runs SPARQL and the saved queries.

Example (``docs/python-api.md`` has the whole notebook, run by ``tests/test_python_api.py``)::

    import kg
    g = kg.open()                       # the current release (built first when there is none)
    g.query("adverse-events-by-drug", drug="res:thalidomide").to_pandas()
    g.sparql("SELECT ?d ?label WHERE { ?d a mmkg:Drug ; rdfs:label ?label }")
    remote = kg.open(endpoint="https://example.org/sparql")   # any SPARQL 1.1 server holding the graph

Every predeclared prefix (``mmkg:``, ``res:``, ``CHEBI:`` …, :mod:`kg.query.prefixes`) works without a
``PREFIX`` line, and the default graph is the union of the named graphs, as on the web endpoint. Results
are :class:`Rows`: a list of dicts of plain Python values (IRIs as strings, numbers as numbers), with the
RDF terms kept, and ``to_pandas()`` (``pip install myeloma-kg[pandas]``) giving typed columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import pyoxigraph as ox

from kg import paths
from kg.query.catalogue import Catalogue, SavedQuery, load_catalogue
from kg.query.prefixes import PREDECLARED
from kg.query.store import QueryResult, QueryStore, Store, Term, term_to_python

if TYPE_CHECKING:
    import pandas

__all__ = ["Graph", "Rows", "open"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + n for n in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
                                "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "gYear")}
_FLOATS = {_XSD + n for n in ("decimal", "double", "float")}
_DATES = {_XSD + "date", _XSD + "dateTime"}
Value = str | int | float | bool | dt.date | None


def _value(term: Term | None) -> Value:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype in _DATES:
                return dt.date.fromisoformat(term.value[:10])
        except ValueError:
            return term.value
    return term_to_python(term)


@dataclass
class Rows(Sequence[dict[str, Value]]):
    """The answer of a SELECT: rows of plain values (``rows[0]["label"]``), the RDF ``terms`` behind them,
    the ``variables`` in order; ``boolean`` for an ASK, ``triples`` for a CONSTRUCT or DESCRIBE."""

    variables: list[str]
    terms: list[dict[str, Term]]
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    @classmethod
    def of(cls, result: QueryResult) -> Rows:
        return cls(result.variables, result.rows, result.boolean, list(result.triples or []), result.truncated)

    @overload
    def __getitem__(self, index: int) -> dict[str, Value]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Value]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Value] | list[dict[str, Value]]:
        if isinstance(index, slice):
            return [self._row(r) for r in self.terms[index]]
        return self._row(self.terms[index])

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[dict[str, Value]]:
        return (self._row(r) for r in self.terms)

    def _row(self, row: dict[str, Term]) -> dict[str, Value]:
        return {v: _value(row.get(v)) for v in self.variables}

    def column(self, variable: str) -> list[Value]:
        """One column's values (None where unbound)."""
        if variable not in self.variables:
            raise KeyError(f"?{variable} is not a variable of the result (it has: {', '.join(self.variables)})")
        return [_value(r.get(variable)) for r in self.terms]

    def to_pandas(self) -> pandas.DataFrame:
        """A DataFrame with one typed column per variable: ``Int64`` for integers (and years), ``Float64``
        for decimals and doubles, ``boolean``, ``datetime64`` for dates, ``string`` otherwise (IRIs too);
        unbound cells are missing values (``<NA>`` / ``NaT``)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError("to_pandas() needs pandas: pip install 'myeloma-kg[pandas]'") from exc
        columns: dict[str, Any] = {}
        for variable in self.variables:
            terms = [r.get(variable) for r in self.terms]
            columns[variable] = pd.Series([_value(t) for t in terms], dtype=_dtype(terms), name=variable)
        return pd.DataFrame(columns, columns=self.variables)


def _dtype(terms: list[Term | None]) -> str:
    """The pandas dtype that holds every bound value of a column."""
    datatypes = {t.datatype.value if isinstance(t, ox.Literal) else "iri" for t in terms if t is not None}
    if not datatypes:
        return "object"
    if datatypes <= _INTEGERS:
        return "Int64"
    if datatypes <= _INTEGERS | _FLOATS:
        return "Float64"
    if datatypes == {_XSD + "boolean"}:
        return "boolean"
    if datatypes <= _DATES:
        return "datetime64[ns]"
    return "string"


class Graph:
    """The knowledge graph in a store (a release in memory, or a remote SPARQL endpoint)."""

    def __init__(self, store: QueryStore, catalogue: Catalogue | None = None, *, location: str = "") -> None:
        self.store = store
        self.catalogue = catalogue if catalogue is not None else load_catalogue(paths.queries_dir())
        self.location = location

    def __repr__(self) -> str:
        return f"<kg.Graph {self.location or self.store!r}: {len(self.catalogue)} saved queries>"

    @property
    def queries(self) -> list[str]:
        """The names of the saved queries."""
        return sorted(q.name for q in self.catalogue)

    def describe_query(self, name: str) -> SavedQuery:
        """A saved query: title, description, typed parameters, SPARQL text."""
        return self.catalogue.get(name)

    def sparql(self, text: str, limit: int | None = None, **bindings: str | int | float | bool) -> Rows:
        """Run SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) with the predeclared prefixes.

        ``bindings`` set variables before the query runs (``drug="res:lenalidomide"`` binds ``?drug``
        to that IRI: strings with a known prefix or ``http(s)://`` are IRIs, other values literals).

        :raises kg.errors.QuerySyntaxError: with the line and column of a query that does not parse.
        """
        terms = {name: _term(value) for name, value in bindings.items()}
        return Rows.of(self.store.query(text, terms or None, limit=limit, prefixes=PREDECLARED))

    def query(self, name: str, limit: int | None = None, **params: str | int | float) -> Rows:
        """Run the saved query ``name`` with its typed parameters (defaults for those not given).

        :raises KeyError: for an unknown name (with the closest known one).
        :raises kg.errors.ParameterError: for an unknown parameter or a malformed value, naming it.
        """
        saved = self.catalogue.get(name)
        bound = saved.bindings({key: str(value) for key, value in params.items()})
        return Rows.of(self.store.query(saved.sparql, bound, limit=limit, prefixes=PREDECLARED))

    def frame(self, name_or_sparql: str, **params: str | int | float) -> pandas.DataFrame:
        """:meth:`query` (a saved query's name) or :meth:`sparql` (a query text) as a DataFrame."""
        known = {q.name for q in self.catalogue}
        if name_or_sparql in known:
            return self.query(name_or_sparql, None, **params).to_pandas()
        return self.sparql(name_or_sparql, None, **params).to_pandas()


def _term(value: str | int | float | bool) -> ox.NamedNode | ox.Literal:
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int | float):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + ("integer" if isinstance(value, int) else "double")))
    prefix, colon, local = value.partition(":")
    if value.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(value)
    if colon and prefix in PREDECLARED and " " not in local:
        return ox.NamedNode(PREDECLARED[prefix] + local)
    return ox.Literal(value)


def open(path: str | Path | None = None, *, endpoint: str | None = None, auth_env: str | None = None,
         timeout: float = 30.0) -> Graph:
    """Open the graph.

    :param path: a data home (as ``mmkg build --out``), a release folder, or an ``mmkg.nq`` file; by
        default ``$MMKG_HOME`` or ``./build``, whose current release is built first when there is none.
    :param endpoint: a SPARQL 1.1 endpoint URL instead (``auth_env`` names an environment variable holding
        ``user:password`` or ``Bearer TOKEN``).
    """
    if endpoint is not None:
        from kg.query.remote import RemoteStore

        return Graph(RemoteStore(endpoint, auth_env=auth_env, timeout=timeout), location=endpoint)
    nquads = _release_file(Path(path) if path is not None else None)
    return Graph(Store.from_release(nquads), location=str(nquads))


def _release_file(path: Path | None) -> Path:
    from kg.pipeline.releases import current_release, data_home

    if path is not None and path.is_file():
        return path
    if path is not None and (path / "mmkg.nq").is_file():
        return path / "mmkg.nq"
    home = data_home(path)
    release = current_release(home)
    if release is None:
        from kg.curation.provenance import default_sources_dir
        from kg.pipeline.releases import write_release
        from kg.pipeline.steps import build_graph

        release = write_release(build_graph(default_sources_dir()), home)
    return release / "mmkg.nq"
