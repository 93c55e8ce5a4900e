"""Running the W3C SPARQL 1.1 test suites through ``/sparql``: manifests, data, requests, comparisons.

Each evaluation test's data is served by an app of its own (the default graph as a named graph
named by ``default-graph-uri``, each ``qt:graphData`` as the named graph its IRI names, unless the
query names its dataset with FROM), the query is sent with a ``BASE`` of its own location, and the
answer is compared with the expected results and with pyoxigraph's own answer on the same data:
equal to pyoxigraph's answer means any difference from the expected results is the engine's.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from flask.testing import FlaskClient
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from kg import paths
from kg.query.catalogue import Catalogue, load_catalogue
from kg.query.protocol.lexer import dataset_clause
from kg.query.store import Store
from web import create_app  # a helper called per W3C test, also outside pytest: it builds its own apps, no fixtures

__all__ = ["W3C_BASE", "EvalOutcome", "ProtocolOutcome", "Test", "evaluate", "manifest_entries", "run_protocol_test",
           "send_query", "suite_dir"]

W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DEFAULT = "urn:x-mmkg-w3c:default-graph"


def suite_dir() -> Path | None:
    """``../shared/w3c-sparql11/sparql/sparql11`` beside the checkout, if present."""
    candidates = [Path(__file__).resolve().parent.parent.parent / "shared" / "w3c-sparql11" / "sparql" / "sparql11"]
    return next((c for c in candidates if c.is_dir()), None)


@dataclass
class Test:
    """One entry of a manifest."""

    folder: str
    name: str  # the entry's local name, e.g. agg01
    kinds: set[str]
    query: Path | None = None
    data: list[Path] = field(default_factory=list)
    graph_data: list[tuple[str, Path]] = field(default_factory=list)  # (graph IRI, file)
    result: Path | None = None
    node: URIRef | None = None

    @property
    def id(self) -> str:
        return f"{self.folder}/{self.name}"


def _local(root: Path, folder: str, iri: URIRef) -> Path:
    text = str(iri)
    prefix = W3C_BASE + folder + "/"
    return root / folder / (text[len(prefix):] if text.startswith(prefix) else text.rsplit("/", 1)[-1])


def manifest_entries(root: Path, folder: str) -> tuple[Graph, list[Test]]:
    """The manifest of ``folder`` and its entries, in order."""
    graph = Graph().parse(root / folder / "manifest.ttl", format="turtle", publicID=W3C_BASE + folder + "/manifest.ttl")
    manifest = next(graph.subjects(MF.entries, None))
    found = []
    for node in Collection(graph, graph.value(manifest, MF.entries)):
        assert isinstance(node, URIRef)
        kinds = {str(k).rsplit("#", 1)[-1] for k in graph.objects(node, RDF_TYPE)}
        test = Test(folder, str(node).rsplit("#", 1)[-1], kinds, node=node)
        action = graph.value(node, MF.action)
        if isinstance(action, URIRef):
            test.query = _local(root, folder, action)
        elif action is not None:
            query = graph.value(action, QT.query)
            test.query = _local(root, folder, query) if isinstance(query, URIRef) else None
            test.data = [_local(root, folder, d) for d in graph.objects(action, QT.data) if isinstance(d, URIRef)]
            test.graph_data = [(str(g), _local(root, folder, g)) for g in graph.objects(action, QT.graphData)
                               if isinstance(g, URIRef)]
        result = graph.value(node, MF.result)
        test.result = _local(root, folder, result) if isinstance(result, URIRef) else None
        found.append(test)
    return graph, found


def _rdf_format(path: Path) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    return fmt or ox.RdfFormat.TURTLE


def _load(store: Store, path: Path, graph: str, base: str) -> None:
    store.raw.load(path=str(path), format=_rdf_format(path), to_graph=ox.NamedNode(graph), base_iri=base)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong")}


def _by_value(term: ox.Literal) -> str:
    """A literal as its value, as the W3C tests compare numbers and booleans: "1.0"^^decimal = "1"^^decimal."""
    datatype = term.datatype.value
    try:
        if datatype in _INTEGERS or datatype == _XSD + "decimal":
            return f"{Decimal(term.value).normalize()}^^{'decimal' if datatype == _XSD + 'decimal' else 'integer'}"
        if datatype in (_XSD + "double", _XSD + "float"):
            return f"{float(term.value)!r}^^{datatype}"
        if datatype == _XSD + "boolean":
            return f"{term.value in ('true', '1')}^^boolean"
    except (ArithmeticError, ValueError):
        pass
    return str(term)


def _canonical_rows(result: object, values: bool = False) -> list[tuple[tuple[str, str], ...]]:
    """Solutions as sorted tuples, blank nodes anonymised (a multiset, order ignored); with ``values``,
    numbers and booleans compared by value."""
    rows = []
    for solution in result:  # type: ignore[attr-defined]
        row = []
        for variable in result.variables:  # type: ignore[attr-defined]
            term = solution[variable]
            if term is None:
                continue
            text = "_:b" if isinstance(term, ox.BlankNode) else \
                _by_value(term) if values and isinstance(term, ox.Literal) else str(term)
            row.append((variable.value, text))
        rows.append(tuple(sorted(row)))
    return sorted(rows)


@dataclass
class _Replay:
    """A result read once, iterable again."""

    variables: list[ox.Variable]
    solutions: list[ox.QuerySolution]

    def __iter__(self) -> object:
        return iter(self.solutions)


@dataclass(frozen=True)
class EvalOutcome:
    """What one evaluation test gave."""

    matches_engine: bool  # our /sparql answer equals pyoxigraph's own
    matches_expected: bool  # pyoxigraph's answer equals the expected results
    detail: str = ""


def _expected(test: Test) -> tuple[str, object] | None:
    """The expected answer: ("graph", rdflib Graph), ("boolean", bool) or ("rows", canonical rows)."""
    path = test.result
    if path is None or not path.is_file():
        return None
    suffix = path.suffix.lower()
    if suffix in (".ttl", ".nt", ".rdf"):
        return "graph", Graph().parse(path, format={"ttl": "turtle", "nt": "nt", "rdf": "xml"}[suffix[1:]])
    fmt = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON, ".tsv": ox.QueryResultsFormat.TSV,
           ".csv": ox.QueryResultsFormat.CSV}.get(suffix)
    if fmt is None:
        return None
    parsed = ox.parse_query_results(path=str(path), format=fmt)
    if isinstance(parsed, ox.QueryBoolean):
        return "boolean", bool(parsed)
    return "rows", _canonical_rows(parsed, values=True)


def _graph(triples: list[ox.Triple]) -> Graph:
    data = "".join(f"{t} .\n" for t in triples)
    return Graph().parse(data=data, format="nt")


def _csv_lines(text: str) -> list[str]:
    return [line.rstrip("\r") for line in text.strip().splitlines()]


@functools.cache
def _catalogue() -> Catalogue:
    """The saved queries, parsed once per process (a catalogue is never changed by an app): each of the ~250 W3C
    tests builds its own app, and parsing the catalogue each time was half of the evaluation test's time."""
    return load_catalogue(paths.queries_dir())


def evaluate(test: Test, root: Path) -> EvalOutcome:
    """Serve the test's data, run its query through /sparql and directly, compare the three answers."""
    assert test.query is not None
    base = W3C_BASE + test.folder + "/" + test.query.name
    text = test.query.read_text(encoding="utf-8")
    store = Store()
    from_default, from_named = dataset_clause(text, {}, base)
    for path in test.data:
        _load(store, path, DEFAULT, W3C_BASE + test.folder + "/" + path.name)
    for iri, path in test.graph_data:
        _load(store, path, iri, iri)
    for iri in [*from_default, *from_named]:
        local = root / test.folder / iri.rsplit("/", 1)[-1]
        if local.is_file() and iri not in {g for g, _ in test.graph_data}:
            _load(store, local, iri, iri)
    protocol = not (from_default or from_named)
    named = [g for g, _ in test.graph_data]
    options: dict[str, object] = {"base_iri": base}
    params: list[tuple[str, str]] = []
    if protocol:
        # The test's dataset, exactly: its default graph (when it has data) and its named graphs.
        default = [DEFAULT] if ox.NamedNode(DEFAULT) in set(store.raw.named_graphs()) else []
        options.update(default_graph=[ox.NamedNode(g) for g in default], named_graphs=[ox.NamedNode(g) for g in named])
        params = [*(("default-graph-uri", g) for g in default), *(("named-graph-uri", g) for g in named)]
    try:
        engine = store.raw.query(text, **options)  # type: ignore[arg-type]
    except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
        engine = exc
    app = create_app(store, _catalogue(), warm=False)
    client: FlaskClient = app.test_client()
    if "CSVResultFormatTest" in test.kinds and test.result is not None:
        url = "/sparql" + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")
        got = client.post(url, data=f"BASE <{base}>\n{text}".encode(), content_type="application/sparql-query",
                          headers={"Accept": "text/csv"})
        ours_lines = _csv_lines(got.data.decode())
        wanted = _csv_lines(test.result.read_text(encoding="utf-8"))
        same = Counter(ours_lines[1:]) == Counter(wanted[1:]) and ours_lines[:1] == wanted[:1]
        return EvalOutcome(got.status_code == 200 and not isinstance(engine, Exception), same,
                           "" if same else f"CSV differs: {ours_lines[:3]} vs {wanted[:3]}")
    is_graph = bool(re.search(r"\b(CONSTRUCT|DESCRIBE)\b", re.sub(r"#[^\n]*", "", text), re.IGNORECASE))
    accept = "application/n-triples" if is_graph else "application/sparql-results+json"
    url = "/sparql" + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")
    response = client.post(url, data=f"BASE <{base}>\n{text}".encode(), content_type="application/sparql-query",
                           headers={"Accept": accept})
    expected = _expected(test)
    if isinstance(engine, Exception):
        ours_failed = response.status_code >= 400
        return EvalOutcome(ours_failed, False, f"engine: {type(engine).__name__}: {str(engine)[:120]}; "
                                               f"ours: HTTP {response.status_code}")
    if response.status_code != 200:
        return EvalOutcome(False, False, f"ours: HTTP {response.status_code}: {response.data[:200]!r}")
    if isinstance(engine, ox.QueryTriples):
        engine_graph = _graph(list(engine))
        ours_graph = Graph().parse(data=response.data.decode(), format="nt")
        same = isomorphic(engine_graph, ours_graph)
        good = expected is not None and expected[0] == "graph" and isomorphic(engine_graph, expected[1])  # type: ignore[arg-type]
        return EvalOutcome(same, good, "" if same else "graph answers differ")
    ours = ox.parse_query_results(response.data, format=ox.QueryResultsFormat.JSON)
    if isinstance(engine, ox.QueryBoolean):
        same = isinstance(ours, ox.QueryBoolean) and bool(ours) == bool(engine)
        good = expected is not None and expected == ("boolean", bool(engine))
        return EvalOutcome(same, good)
    engine_list = list(engine)
    engine_rows = _canonical_rows(_Replay(engine.variables, engine_list))
    engine_values = _canonical_rows(_Replay(engine.variables, engine_list), values=True)
    ours_rows = _canonical_rows(ours)
    same = Counter(engine_rows) == Counter(ours_rows)
    good = expected is not None and expected[0] == "rows" and Counter(expected[1]) == Counter(engine_values)  # type: ignore[arg-type]
    engine_rows = engine_values
    if not same:
        detail = f"ours {len(ours_rows)} rows, engine {len(engine_rows)}: " \
            f"{json.dumps(sorted(set(ours_rows) ^ set(engine_rows))[:3], default=str)[:300]}"
    elif not good and expected is not None and expected[0] == "rows":
        missing = sorted(set(expected[1]) - set(engine_rows))[:1]  # type: ignore[arg-type]
        extra = sorted(set(engine_rows) - set(expected[1]))[:1]  # type: ignore[arg-type]
        detail = f"expected {missing} not {extra}"[:240]
    else:
        detail = ""
    return EvalOutcome(same, good, detail)


HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")


@dataclass(frozen=True)
class ProtocolOutcome:
    passed: bool
    detail: str


def run_protocol_test(manifest: Graph, test: Test, root: Path) -> ProtocolOutcome:
    """Send a protocol test's requests to an app holding its graphs; check status, format and boolean."""
    assert test.node is not None
    store = Store()
    for spec in manifest.objects(test.node, UT.graphData):
        name, graph = manifest.value(spec, RDFS.label), manifest.value(spec, UT.graph)
        if name is not None and isinstance(graph, URIRef):
            _load(store, _local(root, test.folder, graph), str(name), str(name))
    client: FlaskClient = create_app(store, _catalogue(), warm=False).test_client()
    action = manifest.value(test.node, MF.action)
    for request in Collection(manifest, manifest.value(action, HT.requests)):
        path = str(manifest.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
        method = str(manifest.value(request, HT.methodName))
        headers = {str(manifest.value(h, HT.fieldName)): str(manifest.value(h, HT.fieldValue))
                   for h in Collection(manifest, manifest.value(request, HT.headers))} \
            if manifest.value(request, HT.headers) is not None else {}
        body_node = manifest.value(request, HT.body)
        body = b""
        if body_node is not None:
            encoding = str(manifest.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = str(manifest.value(body_node, CNT.chars)).encode(encoding.replace("UTF-16", "utf-16"))
        response = client.open(path, method=method, data=body, headers=headers)
        resp = manifest.value(request, HT.resp)
        statuses = {str(s).rsplit("#", 1)[-1] for s in manifest.objects(resp, MF.expectedStatus)}
        klass = f"StatusCode{response.status_code // 100}xx"
        if statuses and klass not in statuses:
            return ProtocolOutcome(False, f"{method} {path}: HTTP {response.status_code}, expected {sorted(statuses)}: "
                                          f"{response.data[:160]!r}")
        wanted = manifest.value(resp, MF.expectedFormat)
        if wanted is not None and response.status_code < 300:
            media = response.mimetype
            ok = {"boolean": media.startswith("application/sparql-results"), "tabular": "sparql-results" in media
                  or media in ("text/csv", "text/tab-separated-values"),
                  "RDF": media in ("text/turtle", "application/n-triples", "application/rdf+xml",
                                   "application/ld+json")}.get(str(wanted), True)
            if not ok:
                return ProtocolOutcome(False, f"{method} {path}: {media} is not {wanted}")
        boolean = manifest.value(resp, MF.expectedBoolean)
        if boolean is not None and response.status_code < 300:
            got = ox.parse_query_results(response.data, format=ox.QueryResultsFormat.from_media_type(
                response.mimetype) or ox.QueryResultsFormat.JSON)
            if not isinstance(got, ox.QueryBoolean) or bool(got) != boolean.toPython():
                return ProtocolOutcome(False, f"{method} {path}: boolean {got}, expected {boolean}")
    return ProtocolOutcome(True, "")


def send_query(client: FlaskClient, text: str) -> tuple[int, str]:
    """POST a query (application/sparql-query, any result form accepted): the status and the message."""
    response = client.post("/sparql", data=text.encode("utf-8", "surrogatepass"),
                           content_type="application/sparql-query",
                           headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
    return response.status_code, response.data.decode("utf-8", "replace")
