"""Entity pages: ``/resource/<id>``, ``/graph/<id>``, ``/ontology/<Term>`` and ``/describe?iri=``.

One URL per entity, with its data on the same URL: ``Accept: text/turtle`` (or JSON-LD, N-Triples,
RDF/XML), or the suffixes ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``. The RDF holds every triple
with the entity as subject or object (a symmetric concise bounded description).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kg.evidence.gather import Finding
from kg.namespaces import PREFIXES
from kg.query.results import GRAPH_FORMATS
from kg.readers.describe import Entity, graph_sparql, incoming_sparql, instances_sparql
from kg.readers.graphs import description_triples, graph_size, graph_subjects, graph_triples
from web.conneg import RDF_SUFFIXES, negotiate, rdf_response
from web.context import ctx
from web.entity_evidence import TABLE_LIMIT, evidence_table, finding_card, trial_summary
from web.errors import HttpError
from web.forest import forest_svg
from web.forest_rows import forest_rows, outcome_of
from web.iris import compact, iri_for_path
from web.views import EntityView, GraphView, editor_link, reader_aids, render

__all__ = ["bp"]

bp = Blueprint("entities", __name__)

_STUDY_TYPES = {"RandomisedControlledTrial", "ClinicalTrial", "OpenLabelStudy", "AdaptiveDesignStudy", "MetaAnalysis",
                "NetworkMetaAnalysis", "SystematicReview", "NarrativeReview", "NonRandomisedComparison",
                "EvidenceSynthesis", "Study"}
# A finding's properties in the order a clinician reads them: what, the figures, where from.
_CLINICAL = [PREFIXES["mmkg"] + name for name in (
    "intervention", "comparator", "regimen", "arm", "aboutRegimen", "aboutDrug", "concernsDrug", "endpoint",
    "adverseEvent", "singledOutAdverseEvent", "gradeMin", "gradeMax", "population", "estimate", "ciLower", "ciUpper",
    "ciLevel", "pValue", "pValueComparator", "isSignificant", "significanceBasis", "direction", "value", "valueMin",
    "valueMax", "unit", "timepoint", "statedAs", "isImplied", "fromStudy", "fromSource", "locator", "paragraph",
    "sentence", "supportedBy", "corroborates", "discrepantWith", "discrepantWithPublication", "discrepancyNote")]


def _clinical_rank(predicate: str) -> tuple[int, str]:
    first = [PREFIXES["rdfs"] + "label", PREFIXES["rdfs"] + "comment"]
    if predicate in first:
        return (first.index(predicate), predicate)
    if predicate in _CLINICAL:
        return (10 + _CLINICAL.index(predicate), predicate)
    return (100, predicate)


def _split_suffix(rest: str) -> tuple[str, str | None]:
    stem, dot, suffix = rest.rpartition(".")
    if dot and suffix in RDF_SUFFIXES and stem:
        return stem, RDF_SUFFIXES[suffix]
    return rest, None


def rdf_description(iri: str) -> list[ox.Triple]:
    """Triples with ``iri`` as subject or object."""
    return description_triples(ctx().store, iri, ctx().settings.max_rows)


def _rdf(triples: list[ox.Triple], media: str) -> Response:
    return rdf_response(triples, media, {k: v for k, v in PREFIXES.items() if k != "obo"})


def _local_iri(kind: str, stem: str) -> str:
    """The IRI a local path shows; 404 when the path cannot name an IRI (e.g. it holds a space or a quote)."""
    iri = iri_for_path(kind, stem)
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise HttpError(404, f"/{kind}/{stem} does not name an IRI of this dataset.") from None
    return iri


MAX_PLOTTED = 60
"""Rows of an entity page's forest plot; the evidence table lists every estimate."""


def _plotted(iri: str, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
    """The ratio estimates an entity's forest plot shows (at most :data:`MAX_PLOTTED`, by outcome) and
    how many it has; worked out once per entity, as the release never changes."""
    memo = ctx().plotted
    if (known := memo.get(iri)) is not None:
        return known
    plottable = [f for f in findings if f.is_ratio and None not in (f.estimate, f.lower, f.upper)]
    total = len(plottable)
    if total > MAX_PLOTTED:  # a hub of a large graph: a plot of thousands of rows helps nobody
        plottable = sorted(plottable, key=lambda f: (outcome_of(f), f.estimate or 0.0))[:MAX_PLOTTED]
    memo[iri] = (plottable, total)
    return plottable, total


def _page(iri: str, suffix_media: str | None) -> Response:
    app = ctx()
    offered = ["text/html", *GRAPH_FORMATS]
    media = suffix_media or negotiate(offered, request.args.get("format"))
    if media != "text/html":
        triples = rdf_description(iri)
        if not triples:
            raise HttpError(404, f"{compact(iri)} is not in the graph.")
        return _rdf(triples, media)
    concerning = app.evidence.about(iri)
    # The evidence index already holds the findings about an entity it covers: describe need not fetch them.
    # (the sources of as many of them as describe would have listed)
    shown = concerning[:app.describer.max_findings]
    sources = sorted({c.finding.source for c in shown}) if concerning else None
    entity: Entity | None = app.describer.describe(iri, findings_from=sources)
    if entity is None:
        raise HttpError(404, f"{compact(iri)} is not in the graph.")
    finding = app.findings_by_iri.get(iri)
    card = finding_card(finding, app.findings_by_iri, app.supports.get(iri, []),
                        app.source_names.get(finding.source, finding.source)) \
        if finding is not None else None
    types = {t.rsplit("/", 1)[-1] for t, _ in entity.asserted_types + entity.inferred_types
             if t.startswith(PREFIXES["mmkg"])}
    study_types = types & _STUDY_TYPES if "Study" in types else set()
    title = f"Effect estimates concerning {entity.label or compact(iri)}"
    plottable, total = _plotted(iri, [finding] if finding is not None else (c.finding for c in concerning))
    if total > MAX_PLOTTED:
        title += f" (the first {MAX_PLOTTED} of {total:,}, by outcome; all are in the table below)"
    aids = reader_aids()
    plot = forest_svg(forest_rows(plottable, aids.names.source, aids.contexts.patients, aids.names.text), title)
    if finding is not None:
        entity.outgoing.sort(key=lambda pv: _clinical_rank(pv.predicate))
    term = app.vocabulary.terms.get(iri)
    children = app.vocabulary.children().get(iri, []) if term is not None else []
    view = EntityView(
        entity=entity, plot=plot, term=term, children=children, vocabulary=app.vocabulary, card=card,
        evidence=evidence_table(concerning) if concerning and finding is None else None,
        trial=trial_summary(study_types, concerning), source_names=app.source_names,
        instances_url=editor_link(instances_sparql(iri)) if term is not None and term.instances else None,
        findings_url=editor_link(entity.findings_query)
        if entity.findings_total > len(entity.findings) or len(concerning) > TABLE_LIMIT else None,
        incoming_urls={inc.predicate: editor_link(incoming_sparql(inc.predicate, iri))
                       for inc in entity.incoming if inc.count > len(inc.subjects)})
    response = Response(render(view), mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/resource/<path:rest>")
def resource(rest: str) -> Response:
    stem, media = _split_suffix(rest)
    return _page(_local_iri("resource", stem), media)


@bp.route("/graph/<path:rest>")
def graph(rest: str) -> Response:
    """A named graph: its size, the source document it holds, its subjects; or its triples as RDF."""
    stem, media = _split_suffix(rest)
    iri = _local_iri("graph", stem)
    app = ctx()
    count = graph_size(app.store, iri)
    if count == 0:
        return _page(iri, media)
    media = media or negotiate(["text/html", *GRAPH_FORMATS], request.args.get("format"))
    if media != "text/html":
        triples = graph_triples(app.store, iri, app.settings.max_rows)
        return _rdf(triples, media)
    subjects = graph_subjects(app.store, iri, 500)
    labels = app.describer.labels(set(subjects))
    source = PREFIXES["res"] + stem[len("source/"):] if stem.startswith("source/") else None
    view = GraphView(iri=iri, count=count, subjects=[(s, labels.get(s)) for s in subjects], source=source,
                     inferred=stem == "inferred", editor_url=editor_link(graph_sparql(iri)))
    return Response(render(view), mimetype="text/html", headers={"Vary": "Accept"})  # RDF by Accept too


@bp.route("/ontology/<name>")
def term(name: str) -> Response:
    stem, media = _split_suffix(name)
    return _page(_local_iri("ontology", stem), media)


@bp.route("/describe")
def describe() -> Response:
    iri = request.args.get("iri", "")
    if not iri:
        raise HttpError(400, "parameter 'iri' is missing")
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise HttpError(400, f"parameter 'iri': {iri!r} is not an IRI ({exc})") from exc
    return _page(iri, None)
