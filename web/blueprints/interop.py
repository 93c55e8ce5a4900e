"""Files for other tools: the JSON-LD context, the ontology and its import module in RDF/XML and OWL/XML,
the import module at its own IRI, FHIR R5 Evidence twins of ratio estimates, and an N-Quads dump.

* ``/context.jsonld``: the ``@context`` of every JSON-LD answer (:mod:`kg.interop.jsonld`).
* ``/ontology.rdf``, ``/ontology.owl`` (RDF/XML), ``/ontology.owx`` (OWL/XML, written once by the OWL API).
* ``/imports/external-terms`` (``https://w3id.org/mmkg/imports/external-terms``; Turtle, or RDF/XML by
  ``Accept`` or the suffixes ``.ttl``, ``.rdf``, ``.owl``, ``.owx``).
* ``/resource/<id>.fhir.json``: a ratio estimate as a FHIR ``Evidence``; ``/evidence.fhir.json`` all of them.
* ``/dump.nq``: every quad of the served graph (VoID's ``void:dataDump``).
"""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, send_file, stream_with_context

from kg import paths
from kg.errors import ReasonerUnavailable
from kg.interop.fhir import evidence_bundle, evidence_resource
from kg.interop.jsonld import context_document
from kg.namespaces import PREFIXES
from kg.query.listings import our_nquads
from web.context import ctx
from web.errors import HttpError
from web.page_cache import Release

__all__ = ["bp"]

bp = Blueprint("interop", __name__)

_FHIR = "application/fhir+json"
_RDFXML = "application/rdf+xml"
_OWLXML = "application/owl+xml"


def _json(document: object, media: str, *, compact: bool = False) -> Response:
    """``document`` as JSON: indented for reading, or ``compact`` for a large one (Python's C encoder writes only
    unindented JSON: the whole graph's FHIR bundle at 1,000 sources takes 0.86 s indented, 0.15 s unindented)."""
    if compact:
        return Response(json.dumps(document, ensure_ascii=False, separators=(",", ":")), mimetype=media)
    return Response(json.dumps(document, ensure_ascii=False, indent=1), mimetype=media)


@bp.route("/context.jsonld")
def jsonld_context() -> Response:
    return _json(context_document(), "application/ld+json")


@lru_cache(maxsize=8)
def _converted(source: str, fmt: str) -> bytes:
    triples = list(ox.parse(path=source, format=ox.RdfFormat.TURTLE))
    if fmt == "owx":
        from kg.interop.owl import to_owlxml

        with tempfile.TemporaryDirectory() as folder:
            rdf = Path(folder) / "in.rdf"
            ox.serialize(triples, str(rdf), format=ox.RdfFormat.RDF_XML)
            to_owlxml(rdf, Path(folder) / "out.owx")
            return (Path(folder) / "out.owx").read_bytes()
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML,
                        prefixes={k: v for k, v in PREFIXES.items() if k not in ("res", "graph")}) or b""


def _ontology_file(source: Path, suffix: str | None) -> Response:
    if suffix is None:
        best = request.accept_mimetypes.best_match(["text/turtle", _RDFXML, _OWLXML]) or "text/turtle"
        suffix = {"text/turtle": "ttl", _RDFXML: "rdf", _OWLXML: "owx"}[best]
    if suffix == "ttl":
        response = Response(source.read_bytes(), mimetype="text/turtle")
    elif suffix in ("rdf", "owl"):
        response = Response(_converted(str(source), "rdf"), mimetype=_RDFXML)
    elif suffix == "owx":
        try:
            response = Response(_converted(str(source), "owx"), mimetype=_OWLXML)
        except ReasonerUnavailable as exc:  # no JDK here: say so, and where the other syntaxes are
            raise HttpError(503, f"OWL/XML is written by the OWL API, which cannot run here ({exc}); "
                                 f"the Turtle and RDF/XML forms (.ttl, .rdf) are available") from exc
    else:
        raise HttpError(404, f"no .{suffix} form of {source.name}: use .ttl, .rdf, .owl or .owx")
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/ontology.<any(rdf, owl, owx):suffix>")
def ontology_syntax(suffix: str) -> Response:
    return _ontology_file(paths.ontology_file(), suffix)


@bp.route("/imports/external-terms")
@bp.route("/imports/external-terms.<suffix>")
def import_module(suffix: str | None = None) -> Response:
    """The import module at its IRI, so that ``owl:imports`` resolves (Protégé, owlready2, the OWL API)."""
    return _ontology_file(paths.imports_file(), suffix)


@bp.route("/resource/<path:stem>.fhir.json")
def finding_fhir(stem: str) -> Response:
    iri = PREFIXES["res"] + stem
    finding = ctx().findings_by_iri.get(iri)
    if finding is None or not finding.is_ratio:
        raise HttpError(404, f"res:{stem} is not a hazard or risk ratio estimate of this graph")
    counts = [f for f in ctx().findings_by_iri.values() if f.count_kind]
    try:
        return _json(evidence_resource(finding, counts), _FHIR)
    except ValueError as exc:
        raise HttpError(404, str(exc)) from exc


@bp.route("/evidence.fhir.json")
def evidence_fhir() -> Response:
    return _json(evidence_bundle(ctx().findings_by_iri.values()), _FHIR, compact=True)


@bp.route("/dump.nq")
def dump() -> Response:
    """Every quad of the served graph's named graphs as N-Quads (not a remote server's own graphs).

    A served release's own file is sent as it is (conditional and range requests answered, nothing read into
    memory); other data is written from the store a chunk at a time (:func:`kg.query.listings.our_nquads`).
    """
    release: Release | None = current_app.extensions.get("mmkg_release")
    if release is not None and release.nquads is not None:
        return send_file(release.nquads, mimetype="application/n-quads", conditional=True, etag=release.id,
                         last_modified=release.modified, download_name="mmkg.nq", as_attachment=False)
    return Response(stream_with_context(our_nquads(ctx().store)), mimetype="application/n-quads")
