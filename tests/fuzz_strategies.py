"""Hypothesis strategies for fuzzing the web front end: SPARQL requests and saved-query parameters.

Shared by ``tests/test_fuzz.py`` (a fixed number of examples in CI) and ``bench/fuzz_soak.py`` (as
long as one likes, against a real ``mmkg serve``). Requests are plain data (:class:`FuzzRequest`) so
that both can send them: one through Flask's test client, the other over HTTP.

Three kinds of query text, because a fuzzer that only sends noise never gets past the parser:

* noise: any text, including control characters, surrogates escaped, lone quotes and braces;
* SPARQL-shaped: queries assembled from the grammar's parts (forms, triple patterns with property
  paths, FILTER / BIND / VALUES / OPTIONAL / UNION / MINUS / subqueries, aggregates, functions
  applied to values of the wrong type, triple terms, odd literals, huge LIMIT / OFFSET), which mostly
  parse and so reach the engine and the serialisers;
* mutants: the saved queries with characters inserted, deleted or replaced.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from urllib.parse import quote

from hypothesis import strategies as st

from kg.query.catalogue import Catalogue, SavedQuery

__all__ = ["FuzzRequest", "entity_paths", "parameter_requests", "problems", "sparql_requests"]

PREFIXES = ("PREFIX mmkg: <https://w3id.org/mmkg/>\nPREFIX res: <https://w3id.org/mmkg/resource/>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nPREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")

ACCEPTS = (
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "application/json",
    "text/html", "*/*", "", "image/png", "text/*;q=0.1, application/*", "application/sparql-results+json;q=0",
    "garbage/", ";;;", "text/turtle;q=abc",
)
FORMATS = ("json", "xml", "csv", "tsv", "turtle", "ttl", "nt", "jsonld", "rdf", "html", "", "nope", "srj")


@dataclass(frozen=True)
class FuzzRequest:
    """One HTTP request: method, path, URL parameters, form or raw body, headers."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    form: list[tuple[str, str]] | None = None
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """A line to reproduce the request with curl."""
        url = self.path
        if self.query:
            url += "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in self.query)
        parts = [f"curl -X {self.method} '{url}'"]
        parts += [f"-H '{k}: {v}'" for k, v in self.headers.items()]
        if self.content_type:
            parts.append(f"-H 'Content-Type: {self.content_type}'")
        if self.form is not None:
            parts += [f"--data-urlencode '{k}={v}'" for k, v in self.form]
        elif self.body is not None:
            parts.append(f"--data-binary {self.body!r}")
        return " ".join(parts)


# --- query text -----------------------------------------------------------------------------------

_VARS = st.sampled_from(["?s", "?p", "?o", "?x", "?y", "?n", "?g", "?label", "$v"])
_IRIS = st.sampled_from([
    "mmkg:Drug", "mmkg:Finding", "mmkg:HazardRatioFinding", "mmkg:pointEstimate", "mmkg:pValue", "mmkg:nope",
    "res:lenalidomide", "res:myeloma-xi", "rdfs:label", "rdfs:subClassOf", "a", "<urn:x>", "<http://example.org/>",
    "<https://w3id.org/mmkg/resource/thalidomide>", "<>", "<#frag>", "<rel/ative>", "xsd:integer",
])
_LITERALS = st.one_of(
    st.sampled_from(['"lenalidomide"', '"x"@en', '"x"@en-GB', '"x"@EN-gb-x-private', '"0.5"^^xsd:decimal',
                     '"abc"^^xsd:integer', '"1e400"^^xsd:double', '"NaN"^^xsd:double', '"-INF"^^xsd:float',
                     '"2024-02-30"^^xsd:date', '"P1Y"^^xsd:duration', '"true"^^xsd:boolean', '""',
                     "'''multi\nline'''", '"\\u0000"', '"\\uD800"', '"<script>alert(1)</script>"',
                     '"\\"><img src=x onerror=alert(1)>"', '"\\t\\r\\n"', '"x"@a-b-c-d-e-f-g-h', '"ok"^^<urn:dt>']),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=12).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                                    .replace("\r", "\\r") + '"'),
)
_TERMS = st.one_of(_VARS, _IRIS, _LITERALS, st.just("[]"), st.just("_:b0"))
_PATHS = st.one_of(
    _IRIS, _VARS,
    st.sampled_from(["rdfs:subClassOf*", "rdfs:subClassOf+", "^rdfs:label", "(mmkg:arm/mmkg:population)?",
                     "!(rdfs:label|a)", "a/rdfs:subClassOf*", "(a|^a)*", "!^rdfs:label", "(<urn:p>)+"]),
)
_FUNCTIONS = ("STR", "LANG", "DATATYPE", "IRI", "BNODE", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "ABS",
              "CEIL", "FLOOR", "ROUND", "YEAR", "MD5", "SHA512", "isIRI", "isLiteral", "isNumeric", "STRUUID",
              "xsd:integer", "xsd:dateTime", "xsd:boolean", "xsd:double", "BOUND", "TZ", "isTRIPLE")


@st.composite
def _expression(draw: st.DrawFn, depth: int = 0) -> str:
    leaf = draw(st.one_of(_VARS, _LITERALS, _IRIS.filter(lambda t: t != "a")))
    if depth >= 2 or draw(st.booleans()):
        return leaf
    kind = draw(st.integers(0, 6))
    inner = draw(_expression(depth + 1))
    other = draw(_expression(depth + 1))
    if kind == 0:
        return f"{draw(st.sampled_from(_FUNCTIONS))}({inner})"
    if kind == 1:
        op = draw(st.sampled_from(["+", "-", "*", "/", "=", "!=", "<", ">=", "&&", "||"]))
        return f"({inner} {op} {other})"
    if kind == 2:
        pattern = draw(st.sampled_from(['"a.*"', '"("', '"[z-a]"', '"(a+)+$"', '"\\\\p{L}"', '""', '"x{99999}"']))
        return f'REGEX(STR({inner}), {pattern}, "{draw(st.sampled_from(["", "i", "q", "xz", "s"]))}")'
    if kind == 3:
        return f"SUBSTR(STR({inner}), {draw(st.integers(-3, 10**12))}, {draw(st.integers(-3, 5))})"
    if kind == 4:
        return f"IF({inner}, {other}, {leaf})"
    if kind == 5:
        return f"COALESCE({inner}, {other})"
    return f"CONCAT(STR({inner}), {other})"


@st.composite
def _pattern(draw: st.DrawFn, depth: int = 0) -> str:
    triples = draw(st.lists(st.tuples(_TERMS, _PATHS, _TERMS), min_size=1, max_size=3))
    body = " . ".join(f"{s} {p} {o}" for s, p, o in triples)
    if depth >= 2:
        return body
    extras = draw(st.lists(st.integers(0, 9), max_size=3))
    for kind in extras:
        if kind == 0:
            body += f" FILTER({draw(_expression())})"
        elif kind == 1:
            body += f" OPTIONAL {{ {draw(_pattern(depth + 1))} }}"
        elif kind == 2:
            body = f"{{ {body} }} UNION {{ {draw(_pattern(depth + 1))} }}"
        elif kind == 3:
            body += f" MINUS {{ {draw(_pattern(depth + 1))} }}"
        elif kind == 4:
            body += f" BIND({draw(_expression())} AS ?b{draw(st.integers(0, 2))})"
        elif kind == 5:
            values = " ".join(draw(st.lists(st.one_of(_LITERALS, _IRIS.filter(lambda t: t != 'a'), st.just('UNDEF')),
                                            min_size=1, max_size=3)))
            body += f" VALUES ?x {{ {values} }}"
        elif kind == 6:
            body += f" {{ SELECT * WHERE {{ {draw(_pattern(depth + 1))} }} LIMIT {draw(st.integers(0, 5))} }}"
        elif kind == 7:
            graph = draw(st.sampled_from(["?g", "<urn:nope>", "<https://w3id.org/mmkg/graph/s000>"]))
            body = f"GRAPH {graph} {{ {body} }}"
        elif kind == 8:
            body += " FILTER NOT EXISTS { ?s ?p ?s }"
        else:
            body += f" BIND(<<( {draw(_TERMS)} {draw(_IRIS.filter(lambda t: t != 'a'))} {draw(_TERMS)} )>> AS ?t)"
    return body


@st.composite
def _modifiers(draw: st.DrawFn) -> str:
    out = ""
    if draw(st.booleans()):
        out += f" ORDER BY {draw(st.sampled_from(['?s', 'DESC(?o)', 'RAND()', 'STR(?p)', '?nope']))}"
    if draw(st.booleans()):
        out += f" LIMIT {draw(st.integers(0, 2**64))}"
    if draw(st.booleans()):
        out += f" OFFSET {draw(st.integers(0, 2**64))}"
    return out


@st.composite
def shaped_queries(draw: st.DrawFn) -> str:
    """A query built from SPARQL's parts; most parse, many do something odd."""
    where = draw(_pattern())
    form = draw(st.integers(0, 6))
    if form == 0:
        head = f"SELECT {draw(st.sampled_from(['*', 'DISTINCT *', 'REDUCED ?s ?o', '?s', '?nope']))}"
    elif form == 1:
        agg = draw(st.sampled_from(["COUNT(*)", "COUNT(DISTINCT ?o)", "SUM(?o)", "AVG(?o)", "MIN(?s)", "MAX(?o)",
                                    'GROUP_CONCAT(?o; SEPARATOR="|")', "SAMPLE(?p)"]))
        return (f"{PREFIXES}SELECT ?p ({agg} AS ?n) WHERE {{ {where} }} GROUP BY ?p "
                f"HAVING({draw(_expression())}){draw(_modifiers())}")
    elif form == 2:
        head = f"SELECT ({draw(_expression())} AS ?e) ?s"
    elif form == 3:
        return f"{PREFIXES}ASK {{ {where} }}"
    elif form == 4:
        template = draw(_pattern(2))
        return f"{PREFIXES}CONSTRUCT {{ {template} }} WHERE {{ {where} }}{draw(_modifiers())}"
    elif form == 5:
        return f"{PREFIXES}DESCRIBE {draw(st.sampled_from(['?s', '*', 'res:lenalidomide', '<urn:x>']))} " \
               f"WHERE {{ {where} }}{draw(_modifiers())}"
    else:
        head = "SELECT *"
        where = "?s ?p ?o"
    return f"{PREFIXES}{head} WHERE {{ {where} }}{draw(_modifiers())}"


_INSERTS = [*"{}()<>\"'?.;,*#\\^@ \n\x00é𝔸", "\\u0022", "}}"]


@st.composite
def _mutant(draw: st.DrawFn, texts: list[str]) -> str:
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        action = draw(st.integers(0, 2))
        if action == 0:
            text = text[:at] + text[at + 1:]
        elif action == 1:
            text = text[:at] + draw(st.sampled_from(_INSERTS)) + text[at:]
        else:
            text = text[:at] + draw(st.characters()) + text[at + 1:]
    return text


def query_texts(catalogue: Catalogue) -> st.SearchStrategy[str]:
    """Noise, SPARQL-shaped queries and mutants of the saved queries."""
    saved = [q.sparql for q in catalogue]
    return st.one_of(
        st.text(max_size=200),
        shaped_queries(),
        shaped_queries(),
        _mutant(saved),
        st.sampled_from(["SELECT * WHERE { ?s ?p ?o } LIMIT 3", "ASK {}", "DESCRIBE <urn:x>",
                         "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "LOAD <http://127.0.0.1:9/>", "CLEAR ALL",
                         "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"]),
    )


# --- requests -------------------------------------------------------------------------------------

_GRAPH_PARAMS = st.sampled_from([
    "https://w3id.org/mmkg/graph/s000", "https://w3id.org/mmkg/graph/ontology", "urn:nope", "not an iri",
    "http://127.0.0.1:9/", "", "<x>",
])
_EXTRA_PARAMS = st.lists(st.one_of(
    st.tuples(st.just("default-graph-uri"), _GRAPH_PARAMS),
    st.tuples(st.just("named-graph-uri"), _GRAPH_PARAMS),
    st.tuples(st.just("format"), st.sampled_from(FORMATS)),
    st.tuples(st.just("output"), st.sampled_from(FORMATS)),
    st.tuples(st.just("timeout"), st.sampled_from(["1", "0", "-1", "nan", "inf", "1e309", "abc", "", "0.5"])),
    st.tuples(st.text(max_size=8), st.text(max_size=8)),
), max_size=3)


@st.composite
def sparql_requests(draw: st.DrawFn, catalogue: Catalogue) -> FuzzRequest:
    """A request to ``/sparql`` by any of the protocol's three ways, or a malformed one."""
    query = draw(query_texts(catalogue))
    extra = draw(_EXTRA_PARAMS)
    headers = {"Accept": draw(st.sampled_from(ACCEPTS))}
    way = draw(st.integers(0, 5))
    if way == 0:
        return FuzzRequest("GET", "/sparql", [("query", query), *extra], headers=headers)
    if way == 1:
        return FuzzRequest("POST", "/sparql", extra, form=[("query", query)], headers=headers,
                           content_type="application/x-www-form-urlencoded")
    if way == 2:
        return FuzzRequest("POST", "/sparql", extra, body=query.encode("utf-8", "surrogatepass"), headers=headers,
                           content_type="application/sparql-query")
    if way == 3:
        body = draw(st.binary(max_size=64))
        media = draw(st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded",
                                      "application/sparql-update", "text/plain", "multipart/form-data"]))
        return FuzzRequest("POST", "/sparql", extra, body=body, headers=headers, content_type=media)
    if way == 4:
        return FuzzRequest("GET", "/sparql", [("query", query), ("query", query)], headers=headers)
    return FuzzRequest("GET", "/query", [("query", query), *extra], headers={"Accept": "text/html"})


def _value_for(draw: st.DrawFn, values: tuple[str, ...]) -> str:
    return draw(st.one_of(
        st.sampled_from(values) if values else st.nothing(),
        st.text(max_size=30),
        st.sampled_from(["res:lenalidomide", "mmkg:Drug", "https://w3id.org/mmkg/resource/thalidomide",
                         "javascript:alert(1)", "http://evil.example/", "res:", "nope:x", "<urn:x>", "?x",
                         "} ; DROP ALL ; {", '" . ?s ?p ?o . "', "1e999", "-0", "0x10", "NaN", "1" * 400,
                         "http://a b/", "urn:x>", "mmkg:Drug> } SERVICE <http://127.0.0.1:9/> {"]),
    ))


@st.composite
def parameter_requests(draw: st.DrawFn, catalogue: Catalogue) -> tuple[SavedQuery, FuzzRequest]:
    """A saved query run with arbitrary values for its parameters (and some it does not have)."""
    saved = draw(st.sampled_from(list(catalogue)))
    params: list[tuple[str, str]] = []
    for p in saved.parameters:
        if draw(st.integers(0, 4)) > 0:
            params.append((p.name, _value_for(draw, p.values)))
    if draw(st.integers(0, 5)) == 0:
        params.append((draw(st.sampled_from(["nope", "limit", "format", ""])), draw(st.text(max_size=5))))
    suffix = draw(st.sampled_from(["", ".json", ".csv", ".tsv"]))
    return saved, FuzzRequest("GET", f"/queries/{saved.name}{suffix}", params)


def entity_paths() -> st.SearchStrategy[FuzzRequest]:
    """Entity, search and describe pages with arbitrary names."""
    name = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
    return st.one_of(
        st.builds(lambda n, s: FuzzRequest("GET", f"/resource/{quote(n, safe='')}{s}"), name,
                  st.sampled_from(["", ".ttl", ".jsonld", ".nt", ".rdf", ".html", ".xyz"])),
        st.builds(lambda n: FuzzRequest("GET", f"/ontology/{quote(n, safe='')}"), name),
        st.builds(lambda n: FuzzRequest("GET", f"/graph/{quote(n, safe='')}"), name),
        st.builds(lambda n: FuzzRequest("GET", "/describe", [("iri", n)]), name),
        st.builds(lambda n, a: FuzzRequest("GET", "/search", [("q", n)], headers={"Accept": a}), name,
                  st.sampled_from(["text/html", "application/json", "image/png"])),
        st.builds(lambda n: FuzzRequest("GET", f"/queries/{quote(n, safe='')}"), name),
    )


# --- the oracle -----------------------------------------------------------------------------------

_HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", 'href="javascript:', 'src="javascript:')


def problems(request: FuzzRequest, status: int, content_type: str, body: bytes,
             parameters: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with an answer; empty when it is fine.

    * never a 5xx except 503 (a query stopped at its time limit, no worker free in time, or an engine
      crash contained in its worker: pyoxigraph 0.5 can abort on ORDER BY over mixed values);
    * a 200 from ``/sparql`` parses in the format it claims;
    * a 400 for a saved query's parameters names one of the parameters sent;
    * no HTML page carries a hostile string unescaped.
    """
    found: list[str] = []
    if status >= 500 and status != 503:
        found.append(f"{status}: {body[:300]!r}")
    contained = (b"time limit", b"ran longer", b"query workers are busy", b"crashed the engine", b"may use")
    if status == 503 and not any(reason in body for reason in contained):
        found.append(f"503 without a message saying why (time limit, busy, crash): {body[:200]!r}")
    media = content_type.split(";")[0].strip()
    if status == 200 and request.path == "/sparql":
        try:
            _parse(media, body)
        except Exception as exc:
            found.append(f"200 {media} does not parse: {type(exc).__name__}: {exc}")
    if status == 400 and parameters:
        text = html.unescape(body.decode("utf-8", "replace"))
        if not any(repr(name) in text or f"'{name}'" in text or f"parameter {name}" in text for name in parameters):
            found.append(f"400 not naming a parameter of {parameters}: {text[:200]}")
    if media == "text/html":
        text = body.decode("utf-8", "replace")
        found += [f"unescaped {bad!r} in HTML" for bad in _HOSTILE if bad in text]
    return found


def _drain(result: object) -> None:
    """Read every row of a parsed SELECT result (an ASK result is a boolean: nothing to read)."""
    if not isinstance(result, bool) and hasattr(result, "__iter__"):
        list(result)


def _parse(media: str, body: bytes) -> None:
    import csv
    import io
    import json
    import xml.etree.ElementTree as ET

    import pyoxigraph as ox

    if media in ("application/sparql-results+json", "application/json"):
        parsed = json.loads(body)
        if "boolean" not in parsed and "results" not in parsed:
            raise ValueError("neither boolean nor results")
    elif media == "application/sparql-results+xml":
        ET.fromstring(body)
        _drain(ox.parse_query_results(body, format=ox.QueryResultsFormat.XML))
    elif media == "text/csv":
        list(csv.reader(io.StringIO(body.decode("utf-8"))))
    elif media == "text/tab-separated-values":
        _drain(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV))
    else:
        rdf = ox.RdfFormat.from_media_type(media)
        if rdf is None:
            raise ValueError(f"unexpected media type {media}")
        list(ox.parse(body, format=rdf))
