"""A remote store: any SPARQL 1.1 server (Oxigraph, Fuseki, Virtuoso, GraphDB, QLever) as a backend.

Queries go through SPARQLWrapper to the server's query endpoint (SPARQL JSON for SELECT/ASK,
N-Triples for CONSTRUCT/DESCRIBE, read back with pyoxigraph's parsers into the same
:class:`kg.query.store.QueryResult` the embedded store gives). Loading goes through the SPARQL 1.1 Graph
Store Protocol: one ``PUT ?graph=<iri>`` per named graph, so each graph is replaced as a whole and a
failed push leaves every other graph as it was.

Saved-query parameters are bound with a trailing ``VALUES`` clause written from RDF terms (what
rdflib does with ``initBindings``), never pasted from user text. The queries expect the union of
the named graphs as the default graph: :meth:`RemoteStore.check` says so when the server does not
(Oxigraph ``--union-default-graph``, Fuseki ``tdb2:unionDefaultGraph true``; Virtuoso and GraphDB
do it by default).

Credentials come only from the environment: ``auth_env`` names a variable holding ``user:password``
(HTTP Basic) or ``Bearer <token>``; the value is never logged or shown.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import RemoteError, RemoteTimeout
from kg.query.protocol.lexer import dataset_clause, declared_prefixes, has_dataset_clause, tokens, unescape
from kg.query.store import (
    BASE_IRI,
    QueryResult,
    Term,
    collect,
    result_too_large,
    syntax_error,
    term_size,
    term_to_python,
)

__all__ = ["EMPTY_GRAPH", "RemoteStore", "auth_header", "trailing_values", "with_values"]

EMPTY_GRAPH = "urn:mmkg:empty-default-graph"
"""A graph no store holds: named as the default graph, it makes the default graph empty."""

_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def auth_header(auth_env: str | None) -> str | None:
    """The ``Authorization`` header from the environment variable ``auth_env``.

    :raises RemoteError: when the variable is unset or holds neither ``user:password`` nor ``Bearer <token>``.

    >>> os.environ["MMKG_DOCTEST_AUTH"] = "reader:secret"
    >>> auth_header("MMKG_DOCTEST_AUTH")
    'Basic cmVhZGVyOnNlY3JldA=='
    """
    if not auth_env:
        return None
    value = os.environ.get(auth_env)
    if not value:
        raise RemoteError(f"the environment variable {auth_env} (named by --auth) is not set")
    if value.startswith("Bearer "):
        return value
    if ":" not in value:
        raise RemoteError(f"the environment variable {auth_env} holds neither 'user:password' nor 'Bearer <token>'")
    return "Basic " + base64.b64encode(value.encode()).decode("ascii")


def trailing_values(bindings: Mapping[str, Term]) -> str:
    """Bindings as a trailing ``VALUES`` clause written from RDF terms."""
    names = list(bindings)
    for name in names:
        ox.Variable(name)  # raises ValueError for a name that is not a variable
    cells = " ".join(str(bindings[name]) for name in names)
    return f"\nVALUES ({' '.join('?' + n for n in names)}) {{ ({cells}) }}"


def with_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with its parameter bindings as a ``VALUES`` block at the start of its WHERE clause,
    which binds them before the pattern is evaluated, as pyoxigraph's substitutions do (Virtuoso 7
    joins a trailing ``VALUES`` with the projected rows only, so it is not used for servers).

    >>> with_values("SELECT ?x WHERE { ?x a ?c }", {"c": ox.NamedNode("http://e/C")})
    'SELECT ?x WHERE { VALUES (?c) { (<http://e/C>) } ?x a ?c }'
    """
    if not bindings:
        return sparql
    values = trailing_values(bindings).strip()
    toks = list(tokens(sparql))  # positions in the text as written (escapes are rare in saved queries)
    start = next((i for i, t in enumerate(toks) if t.upper == "WHERE"), None)
    brace = next((t for t in toks[(start or 0):] if t.kind == "other" and t.text == "{"), None)
    if brace is None:
        return sparql + "\n" + values
    lines = sparql.split("\n")
    offset = sum(len(line) + 1 for line in lines[: brace.line - 1]) + brace.column  # just after the "{"
    return sparql[:offset] + " " + values + sparql[offset:]


_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BNODE_SAFE = re.compile(r"[^A-Za-z0-9_]")


def _portable_blank_nodes(body: bytes) -> bytes:
    """SPARQL JSON results with blank-node labels every parser accepts (Virtuoso writes ``nodeID://b1``)."""
    if b'"bnode"' not in body:
        return body
    data = json.loads(body)
    for binding in data.get("results", {}).get("bindings", []):
        for value in binding.values():
            if value.get("type") == "bnode":
                value["value"] = "b" + _BNODE_SAFE.sub("_", str(value["value"]))
    return json.dumps(data).encode()


def _canonical_boolean(term: Term) -> Term:
    """``"1"^^xsd:boolean`` (Virtuoso's way) as ``"true"^^xsd:boolean``, so answers read the same everywhere."""
    if isinstance(term, ox.Literal) and term.datatype.value == _BOOLEAN and term.value in ("1", "0"):
        return ox.Literal("true" if term.value == "1" else "false", datatype=ox.NamedNode(_BOOLEAN))
    return term


class RemoteStore:
    """A SPARQL 1.1 server used like the embedded :class:`kg.query.store.Store`."""

    def __init__(self, endpoint: str, *, graph_store: str | None = None, auth_env: str | None = None,
                 timeout: float = 30.0) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RemoteError(f"--endpoint {endpoint!r} is not an http(s) URL")
        self.endpoint = endpoint
        self.graph_store = graph_store or endpoint
        self.timeout = timeout
        self._auth = auth_header(auth_env)

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # --- queries ------------------------------------------------------------------------------

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *, limit: int | None = None,
              default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None,
              base_iri: str | None = BASE_IRI, prefixes: Mapping[str, str] | None = None,
              max_bytes: int | None = None) -> QueryResult:
        """Run a query on the server; like :meth:`kg.query.store.Store.query`.

        The server knows none of our predeclared ``prefixes`` and not our base IRI, so the query is
        sent with a ``BASE`` and the ``PREFIX`` lines it does not declare itself in front.

        :raises QuerySyntaxError: when the server answers 400 (a query it cannot parse), with its message.
        :raises RemoteTimeout: when the server does not answer within the timeout.
        :raises RemoteError: when it cannot be reached or answers with another error.
        """
        front = f"BASE <{base_iri}>\n" if base_iri else ""
        if prefixes:
            declared = declared_prefixes(list(tokens(unescape(sparql))))
            front += "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items() if p not in declared)
        text = front + with_values(sparql, bindings or {})
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setQuery(text)
        wrapper.setMethod(POST)
        # URL-encoded POST: every server takes it (Virtuoso 7 hangs on an application/sparql-query body)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setTimeout(max(1, round(self.timeout)))
        graph_form = str(wrapper.queryType) in _GRAPH_FORMS
        wrapper.setReturnFormat(TURTLE if graph_form else JSON)
        if self._auth:
            wrapper.addCustomHttpHeader("Authorization", self._auth)
        if default_graphs is None and named_graphs is None and has_dataset_clause(sparql):
            # Servers with a union default graph (Oxigraph's --union-default-graph) let it override the
            # query's FROM; the protocol's dataset they honour. So FROM / FROM NAMED travel as both.
            default_graphs, named_graphs = dataset_clause(sparql, dict(prefixes or {}), base_iri)
            if not default_graphs:
                default_graphs = [EMPTY_GRAPH]  # FROM NAMED alone: the default graph is empty
        for graph in default_graphs or ():
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs or ():
            wrapper.addNamedGraph(graph)
        try:
            response = wrapper.query().response
            body = response.read()
            media = (response.headers.get("Content-Type") or "").split(";")[0].strip()
        except SPARQLWrapperException as exc:
            message = str(exc).split("Response:", 1)[-1].strip() or str(exc)
            if "QueryBadFormed" in type(exc).__name__:
                raise syntax_error(sparql, message, prefixes) from None
            raise RemoteError(f"{self.endpoint}: {type(exc).__name__}: {message[:500]}") from None
        except TimeoutError:
            raise RemoteTimeout(f"{self.endpoint} did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise RemoteTimeout(f"{self.endpoint} did not answer within {self.timeout:g} s") from None
            raise RemoteError(f"{self.endpoint} cannot be reached: {exc.reason}") from None
        if graph_form:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            triples = [q.triple for q in ox.parse(body, format=fmt)]
            kept = triples[:limit] if limit is not None else triples
            if max_bytes is not None and sum(term_size(t) for t in kept) > max_bytes:
                raise result_too_large(max_bytes)
            return QueryResult("graph", [], [], triples=kept, truncated=len(kept) < len(triples))
        result = collect(ox.parse_query_results(_portable_blank_nodes(body), format=ox.QueryResultsFormat.JSON),
                         limit, max_bytes)
        result.rows = [{k: _canonical_boolean(v) for k, v in row.items()} for row in result.rows]
        if str(wrapper.queryType) == "ASK" and result.kind == "select":
            # Virtuoso answers ASK as one row of ?__ASK_RETVAL (1 or 0) rather than a boolean.
            first = next(iter(result.rows[0].values()), None) if result.rows else None
            truth = first is not None and str(term_to_python(first)).lower() in ("1", "true")
            return QueryResult("ask", [], [], boolean=truth)
        return result

    def __len__(self) -> int:
        """Quads in the server's named graphs."""
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        return int(term_to_python(rows[0]["n"])) if rows else 0

    def check(self) -> list[str]:
        """Reach the server; warnings about how it is set up (empty when all is well).

        :raises RemoteError: when it cannot be reached.
        """
        try:
            in_graphs = self.query("ASK { GRAPH ?g { ?s ?p ?o } }").boolean
            in_default = self.query("ASK { ?s ?p ?o }").boolean
        except RemoteTimeout as exc:
            raise RemoteError(str(exc)) from None
        warnings = []
        if in_graphs and not in_default:
            warnings.append(f"{self.endpoint} does not query the union of its named graphs by default; the saved "
                            "queries and pages need it (Oxigraph: serve --union-default-graph; Fuseki: "
                            "tdb2:unionDefaultGraph true)")
        if not in_graphs and not in_default:
            warnings.append(f"{self.endpoint} holds no data yet: run mmkg push --endpoint ... first")
        return warnings

    # --- loading (Graph Store Protocol) -------------------------------------------------------

    def _request(self, method: str, url: str, body: bytes | None = None,
                 content_type: str | None = None) -> int:
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=max(self.timeout, 60.0)) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            hint = (" (is --graph-store the server's Graph Store Protocol URL? Oxigraph: /store, Fuseki: "
                    "/DATASET/data)") if exc.code in (404, 405, 415) else ""
            raise RemoteError(f"{method} {url}: HTTP {exc.code} {detail}{hint}") from None
        except urllib.error.URLError as exc:
            raise RemoteError(f"{method} {url}: cannot be reached: {exc.reason}") from None

    def _graph_url(self, graph: str | None) -> str:
        joiner = "&" if "?" in self.graph_store else "?"
        return self.graph_store + joiner + ("default" if graph is None else "graph=" + quote(graph, safe=""))

    def push(self, nquads: Path, progress: Callable[[int], None] | None = None) -> dict[str, int]:
        """Upload a release's N-Quads, one ``PUT`` per named graph; returns triples per graph.

        Each graph replaces the server's graph of the same name. After the upload the counts are
        read back through the query endpoint and compared.

        :raises RemoteError: when the server refuses a graph, or a count read back differs.
        """
        graphs: dict[str | None, list[ox.Triple]] = defaultdict(list)
        for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
            graphs[name].append(quad.triple)
        graphs = defaultdict(list, {name: list(dict.fromkeys(triples)) for name, triples in graphs.items()})
        counts: dict[str, int] = {}
        for name, triples in sorted(graphs.items(), key=lambda item: item[0] or ""):
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            self._request("PUT", self._graph_url(name), body, "application/n-triples")
            counts[name or "(default graph)"] = len(triples)
            if progress is not None:
                progress(len(triples))
        for name, expected in counts.items():
            if name == "(default graph)":
                continue
            rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").rows
            found = int(term_to_python(rows[0]["n"])) if rows else 0
            if found != expected:
                raise RemoteError(f"graph <{name}>: pushed {expected} triples, the server holds {found}")
        return counts
