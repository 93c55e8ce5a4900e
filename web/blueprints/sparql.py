"""``/sparql``: the SPARQL 1.1 Protocol (query operation only), its service description and VoID.

* Queries by ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) and ``POST``
  direct (``application/sparql-query``), with ``default-graph-uri`` / ``named-graph-uri``.
* Results by ``Accept`` (or ``format=``): SPARQL JSON, XML, CSV, TSV for SELECT and ASK; Turtle,
  N-Triples, JSON-LD, RDF/XML for CONSTRUCT and DESCRIBE.
* Read-only: updates are refused (403) whichever way they come.
* A bad query: 400 with the parser's message and its line and column. A malformed request (two
  ``query`` parameters, a missing or wrong media type, a body that is not UTF-8): 4xx.
* ``GET /sparql`` without a query: the service description (an HTML page for browsers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Blueprint, Response, request, url_for

from kg.namespaces import PREFIXES
from kg.query.listings import graph_names
from kg.query.outside import WARNING_HEADER, OutsideQuery, Written, warning_headers
from kg.query.prefixes import PREDECLARED
from kg.query.results import GRAPH_FORMATS, RESULT_FORMATS
from web.conneg import ALL_FORMATS, negotiate, negotiate_header, rdf_response
from web.context import AppContext, client_id, ctx
from web.errors import HttpError
from web.memory import trim_after
from web.views import ServiceView, render

__all__ = ["FAST_PATH_ERROR", "TRUNCATED_HEADER", "ProtocolRequest", "bp", "outside_query", "protocol_answer",
           "response_parts"]

TRUNCATED_HEADER = "MMKG-Results-Truncated"
"""Set to ``true`` on every answer cut at the row budget (/sparql, the saved-query twins)."""

bp = Blueprint("sparql", __name__)

_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"
_UPDATE = "application/sparql-update"
_READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HttpError(400, f"{what} is not UTF-8 (byte {exc.start})") from exc


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise HttpError(400, f"{len(values)} '{name}' parameters given; the protocol allows one")
    return values[0] if values else None


def _graph_iris(params: dict[str, list[str]], name: str) -> list[str]:
    iris = []
    for value in params.get(name, []):
        try:
            iris.append(ox.NamedNode(value).value)
        except ValueError as exc:
            raise HttpError(400, f"{name}={value!r} is not an IRI: {exc}") from exc
    return iris


def _url_params() -> dict[str, list[str]]:
    return {key: request.args.getlist(key) for key in request.args}


@dataclass(frozen=True)
class ProtocolRequest:
    """What the protocol reads of one request, however it arrived (Flask, or the WSGI fast path of
    :mod:`web.fast_sparql`): both answer through :func:`protocol_answer`."""

    method: str
    params: dict[str, list[str]]
    """The URL's parameters, each with its values in order."""
    media: str
    """The body's media type, lower case, without parameters ("" when there is none)."""
    content_length: int | None
    body: Callable[[], bytes]
    accept: str | None
    base_iri: str
    """This endpoint's URL (relative IRIs in a query resolve against it)."""
    client: str


def read_protocol_request() -> tuple[str | None, dict[str, list[str]]]:
    """The query text (None when there is none) and all protocol parameters of this request.

    :raises HttpError: for updates (403), malformed requests (400), unsupported media types (415).
    """
    return protocol_query(flask_protocol_request(), ctx().settings.max_query_bytes)


def flask_protocol_request() -> ProtocolRequest:
    """The current Flask request as a :class:`ProtocolRequest`."""
    return ProtocolRequest(request.method, _url_params(), request.mimetype, request.content_length,
                           lambda: request.get_data(cache=True), request.headers.get("Accept"), endpoint_iri(),
                           client_id())


def protocol_query(req: ProtocolRequest, limit: int) -> tuple[str | None, dict[str, list[str]]]:
    """The query text of ``req`` (None when there is none) and all its protocol parameters.

    :raises HttpError: for updates (403), malformed requests (400), unsupported media types (415), a query or
        body over ``limit`` bytes (413).
    """
    params = {key: list(values) for key, values in req.params.items()}
    if req.method == "GET":
        if "update" in params:
            raise HttpError(403, _READ_ONLY)
        query = _single(params, "query")
        if query is not None and len(query.encode()) > limit:
            raise HttpError(413, f"the query is longer than {limit} bytes")
        return query, params
    media = req.media
    if media == _UPDATE:
        raise HttpError(403, _READ_ONLY)
    if media not in (_FORM, _DIRECT):
        shown = media or "no Content-Type"
        raise HttpError(415, f"{shown} is not a SPARQL request; POST {_FORM} or {_DIRECT}")
    if req.content_length is not None and req.content_length > limit:
        raise HttpError(413, f"the request body is larger than {limit} bytes")
    body = req.body()
    if len(body) > limit:
        raise HttpError(413, f"the request body is larger than {limit} bytes")
    if media == _DIRECT:
        if "query" in params:
            raise HttpError(400, "a query in the body and another in the URL; send one")
        return _decode(body, "the request body"), params
    try:
        form = parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=False, encoding="utf-8",
                        errors="strict")
    except UnicodeDecodeError as exc:
        raise HttpError(400, "the form body is not UTF-8 (or not URL-encoded ASCII)") from exc
    if "update" in form:
        raise HttpError(403, _READ_ONLY)
    if "query" in params and "query" in form:
        raise HttpError(400, "a query in the body and another in the URL; send one")
    for key, values in form.items():
        params.setdefault(key, []).extend(values)
    query = _single(params, "query")
    return query, params


def _timeout(params: Mapping[str, list[str]] | None, least: float) -> float | None:
    raw = (params or {}).get("timeout", [None])[0]
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise HttpError(400, f"parameter 'timeout': {raw!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise HttpError(400, f"parameter 'timeout': {raw} is not between 0 and 3600 seconds")
    return max(value, least)


def outside_query(text: str, params: Mapping[str, list[str]] | None = None, default_graphs: list[str] | None = None,
                  named_graphs: list[str] | None = None) -> OutsideQuery:
    """A client's query as :class:`kg.query.outside.OutsideQuery`: its dataset, this endpoint as base IRI, who
    asks, and the ``timeout`` and ``strict`` parameters."""
    return query_of(text, params, default_graphs, named_graphs, base_iri=endpoint_iri(), client=client_id(),
                    least_timeout=ctx().settings.min_query_timeout)


def query_of(text: str, params: Mapping[str, list[str]] | None, default_graphs: list[str] | None,
             named_graphs: list[str] | None, *, base_iri: str, client: str, least_timeout: float) -> OutsideQuery:
    """:func:`outside_query` with the endpoint's IRI, the client and the shortest ``timeout=`` given."""
    params = params or {}
    strict = (params.get("strict") or [""])[0].lower()
    if strict not in ("", "0", "1", "true", "false"):
        raise HttpError(400, f"parameter 'strict': {strict!r} is not 1 or 0")
    return OutsideQuery(text, default_graphs=default_graphs or (), named_graphs=named_graphs or (),
                        base_iri=base_iri, client=client, timeout=_timeout(params, least_timeout),
                        strict=strict in ("1", "true"))


def endpoint_iri() -> str:
    """This endpoint's URL: the base IRI relative IRIs in a query resolve against, as on Oxigraph's server."""
    return url_for("sparql.endpoint", _external=True)


FAST_PATH_ERROR = "mmkg.sparql_error"
"""The WSGI environ key under which :mod:`web.fast_sparql` hands an error to this view, which raises it, so every
error is answered by the app's own handlers."""


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    pending = request.environ.pop(FAST_PATH_ERROR, None)
    if isinstance(pending, Exception):
        raise pending
    written, override = protocol_answer(ctx(), flask_protocol_request())
    if written is None:
        return service_description(override)
    return _bytes_response(written)


def protocol_answer(context: AppContext, req: ProtocolRequest) -> tuple[Written | None, str | None]:
    """The answer to a protocol request through the one entry point (:mod:`kg.query.outside`), and the
    ``format=`` override; no answer for a GET without a query (the service description is asked for).

    :raises HttpError: for a malformed request; and the entry point's errors.
    """
    query, params = protocol_query(req, context.settings.max_query_bytes)
    # Clients (SPARQLWrapper) may repeat format/output in URL and body: the first one counts.
    override = next(iter(params.get("format", []) + params.get("output", [])), None)
    if query is None:
        if req.method == "POST":
            raise HttpError(400, "the form has no 'query' parameter (updates are not accepted here)")
        return None, override
    if not query.strip():
        raise HttpError(400, "the query is empty")
    # Refuse a hopeless Accept before doing any work.
    negotiate_header(req.accept, ALL_FORMATS, override)
    default_graphs, named_graphs = _graph_iris(params, "default-graph-uri"), _graph_iris(params, "named-graph-uri")
    outside = query_of(query, params, default_graphs, named_graphs, base_iri=req.base_iri, client=req.client,
                       least_timeout=context.settings.min_query_timeout)
    written = context.outside.written(outside, _acceptable(req.accept, RESULT_FORMATS, override),
                                      _acceptable(req.accept, GRAPH_FORMATS, override))
    return written, override


def _acceptable(accept: str | None, offered: Mapping[str, object], override: str | None) -> str | None:
    try:
        return negotiate_header(accept, list(offered), override)
    except HttpError:
        return None


def response_parts(written: Written) -> tuple[bytes, list[tuple[str, str]]]:
    """A written answer's body and headers: media type and charset, truncation, vocabulary warnings, Vary."""
    media_type = written.answer.media_type
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml"))
    headers = [("Content-Type", f"{media_type}; charset=utf-8" if textual else media_type)]
    if written.truncated:
        headers.append((TRUNCATED_HEADER, "true"))
    headers.extend((WARNING_HEADER, value) for value in warning_headers(written.warnings))
    headers.append(("Vary", "Accept"))
    return written.body, headers


def _bytes_response(written: Written) -> Response:
    """A written answer with its media type, charset, truncation header and vocabulary warnings."""
    body, headers = response_parts(written)
    response = Response(body, content_type=headers[0][1])
    for name, value in headers[1:]:
        response.headers.add(name, value)
    return trim_after(response, len(body))


def _rdf_response(triples: list[ox.Triple], override: str | None, html: str | None = None) -> Response:
    offered = (["text/html"] if html is not None else []) + list(GRAPH_FORMATS)
    media = negotiate(offered, override)
    if media == "text/html" and html is not None:  # the same description in RDF, for clients that follow links
        alternates = ", ".join(f'<{request.base_url}?format={name}>; rel="alternate"; type="{kind}"'
                               for name, kind in (("ttl", "text/turtle"), ("jsonld", "application/ld+json")))
        return Response(html, mimetype="text/html", headers={"Link": alternates, "Vary": "Accept"})
    prefixes = {k: v for k, v in PREFIXES.items() if k in ("rdf", "rdfs", "xsd", "mmkg", "owl")}
    prefixes.update(sd="http://www.w3.org/ns/sparql-service-description#", void="http://rdfs.org/ns/void#",
                    dcterms=PREFIXES["dcterms"], sh="http://www.w3.org/ns/shacl#")
    return rdf_response(triples, media, prefixes)


def service_description(override: str | None = None) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint."""
    from kg.query.service_description import service_triples

    endpoint_node = ox.NamedNode(endpoint_iri())
    graphs = graph_names(ctx().store)
    triples = service_triples(endpoint_node.value, [ox.NamedNode(g) for g in graphs],
                              federated=bool(ctx().settings.allowed_services), prefixes=PREDECLARED)
    html = None
    if override is None:
        html = render(ServiceView(endpoint=endpoint_node.value, graphs=graphs,
                                  prefixes=sorted(PREDECLARED.items(), key=lambda kv: kv[0].lower())))
    return _rdf_response(triples, override, html)


@bp.route("/.well-known/void")
def void() -> Response:
    """A VoID description of the dataset: size, named graphs, classes, vocabularies, endpoint."""
    from web.void import void_triples

    return _rdf_response(void_triples(url_for("sparql.endpoint", _external=True), request.url_root),
                         request.args.get("format"))
