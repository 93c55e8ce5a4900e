"""Home, ontology reference and the SPARQL editor."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request
from markupsafe import Markup

from kg import paths
from kg.errors import QueryError
from kg.evidence.grid import Filters
from kg.namespaces import PREFIXES
from kg.query.editor import EDITOR_START
from kg.query.lint import QueryWarning
from kg.query.prefixes import PREDECLARED
from kg.query.store import QueryResult, result_too_large
from kg.readers.graphs import completion_entities
from web.blueprints.docs import model_arrows, model_diagram
from web.blueprints.sparql import outside_query
from web.context import ctx
from web.errors import HttpError, as_http_error
from web.iris import compact
from web.views import EditorView, HomeView, OntologyView, at_a_glance, render

__all__ = ["bp"]

bp = Blueprint("pages", __name__)

# Bookkeeping classes that say nothing about the evidence: left out of the home page's counts.
_INTERNAL_CLASSES = ("Mapping", "PopulationCharacteristic", "TreatmentContext", "Unit", "CountKind", "Direction",
                     "SignificanceBasis", "Publication", "SourceDocument")
_ENTRY_POINTS = ("lenalidomide", "thalidomide", "bortezomib", "myeloma-xi", "pfs", "os", "gay-2018-nma")
_DEFAULT_QUERY = EDITOR_START


@bp.route("/")
def home() -> Response:
    app = ctx()
    labels = app.describer.labels({PREFIXES["res"] + e for e in _ENTRY_POINTS})
    entry_points = [(PREFIXES["res"] + e, labels[PREFIXES["res"] + e]) for e in _ENTRY_POINTS
                    if PREFIXES["res"] + e in labels]
    internal = {PREFIXES["mmkg"] + name for name in _INTERNAL_CLASSES}
    ours = [(c, n) for c, n in app.stats.classes if c.startswith(PREFIXES["mmkg"]) and c not in internal]
    evidence = app.maps.entry(Filters()).evidence  # worked out once per release
    view = HomeView(stats=app.stats, classes=ours[:24], entry_points=entry_points, queries=list(app.catalogue)[:8],
                    vocabulary=app.vocabulary, glance=at_a_glance(evidence), source_names=app.source_names)
    return Response(render(view), mimetype="text/html")


@bp.route("/ontology")
def ontology() -> Response:
    if request.args.get("format") or request.accept_mimetypes.best == "text/turtle":
        if request.args.get("format", "ttl") not in ("ttl", "turtle"):
            raise HttpError(406, "the ontology source is available as Turtle (format=ttl)")
        return Response(paths.ontology_file().read_bytes(), mimetype="text/turtle", headers={"Vary": "Accept"})
    vocab = ctx().vocabulary
    classes = [t for t in vocab.classes() if vocab.is_ours(t.iri)]
    known = {t.iri for t in classes}
    roots = [t for t in classes if not any(p in known for p, _ in t.parents)]
    children = {parent: sorted((vocab.terms[c] for c in kids if c in known), key=lambda t: vocab.label(t.iri))
                for parent, kids in vocab.children().items()}
    imported: dict[str, list[tuple[str, str, str]]] = {}
    for iri, labels in sorted(vocab.external.items()):
        if any(e.source == "import module" for e in labels):
            curie = vocab.curie_of(iri)
            imported.setdefault(curie.split(":", 1)[0], []).append((iri, curie, labels[0].label))
    view = OntologyView(vocabulary=vocab, roots=roots, children=children, classes=classes,
                        properties=[t for t in vocab.properties() if vocab.is_ours(t.iri)],
                        imported=sorted(imported.items(), key=lambda kv: kv[0].lower()),
                        # Markup: the SVG is drawn by kg.docs.diagram from the packaged ontology, escaped there
                        diagram=Markup(model_diagram()), arrows=model_arrows())
    return Response(render(view), mimetype="text/html", headers={"Vary": "Accept"})  # Turtle by Accept too


@bp.route("/ontology.ttl")
def ontology_source() -> Response:
    return Response(paths.ontology_file().read_bytes(), mimetype="text/turtle")


def _examples() -> list[dict[str, str]]:
    return [{"name": q.name, "title": q.title, "sparql": q.sparql} for q in ctx().catalogue]


@bp.route("/query")
def editor() -> Response:
    app = ctx()
    text = request.args.get("query")
    example = request.args.get("example")
    if text is None and example:
        try:
            text = app.catalogue.get(example).sparql
        except KeyError as exc:
            raise HttpError(404, str(exc.args[0])) from None
    if text is not None and len(text.encode()) > app.settings.max_query_bytes:
        raise HttpError(413, f"the query is longer than {app.settings.max_query_bytes} bytes")
    run = text is not None and request.args.get("run", "1") != "0" and example is None
    result: QueryResult | None = None
    error: HttpError | None = None
    labels: dict[str, str] = {}
    warnings: list[QueryWarning] = []
    if run and text is not None and text.strip():
        try:
            answer = app.outside.rows(outside_query(text, {k: request.args.getlist(k) for k in ("timeout", "strict")
                                                           if k in request.args}), rows=app.settings.page_rows)
            result, warnings = answer.result, answer.warnings
            if result.kind == "select":
                labels = app.describer.labels({t.value for row in result.rows for t in row.values()
                                               if isinstance(t, ox.NamedNode)})
        except HttpError as exc:
            error = exc
        except QueryError as exc:
            error = as_http_error(exc)
    graph_text = None
    if result is not None and result.kind == "graph":
        graph_text = (ox.serialize(result.triples or [], format=ox.RdfFormat.TURTLE,
                                   prefixes=dict(PREFIXES)) or b"").decode()
    view = EditorView(text=text if text is not None else _DEFAULT_QUERY, result=result, error=error, labels=labels,
                      examples=_examples(), graph_text=graph_text, ran=run, warnings=warnings)
    page = render(view)
    if len(page.encode()) > app.settings.max_result_bytes:  # never a page over the byte budget: the error instead
        too_large = as_http_error(result_too_large(app.settings.max_result_bytes))
        page = render(replace(view, result=None, labels={}, graph_text=None, error=too_large))
        error = too_large
    return Response(page, status=error.status if error else 200, mimetype="text/html")


@bp.route("/query/vocabulary.json")
def vocabulary_json() -> Response:
    """What the editor completes: the predeclared prefixes, our classes and properties, and the entities
    (drugs, regimens, studies, endpoints, adverse events, populations) by label and synonym."""
    vocab = ctx().vocabulary
    terms: list[dict[str, Any]] = [
        {"curie": compact(t.iri), "label": t.label or "", "kind": t.kind, "definition": (t.definition or "")[:200]}
        for t in vocab.terms.values() if compact(t.iri) != t.iri]
    entities: dict[str, dict[str, Any]] = {}
    for iri, label, type_iri, name in completion_entities(ctx().store):
        entry = entities.setdefault(iri, {"curie": compact(iri), "label": label,
                                          "kind": type_iri.rsplit("/", 1)[-1], "names": []})
        if name is not None and name not in entry["names"]:
            entry["names"].append(name)
    return jsonify({"prefixes": PREDECLARED, "terms": sorted(terms, key=lambda t: t["curie"]),
                    "entities": sorted(entities.values(), key=lambda e: str(e["label"]).lower()),
                    "examples": _examples()})

