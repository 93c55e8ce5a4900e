"""The evidence map and its exports: ``/evidence`` (regimens by outcomes, across sources), its
``.json`` twin, ``/evidence.csv`` (one row per ratio estimate with TE and seTE, for meta-analysis
software), ``/evidence/arms.csv`` (arm-level figures) and the sources as RIS and BibTeX.

Filters (population characteristic, study type, source) are query parameters, the same on every
twin, so a filtered map and its exports share one URL shape.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for

from kg.evidence.bibliography import bibtex, references, ris
from kg.evidence.grid import EvidenceMap, Filters, apply_filters, build_map
from kg.evidence.meta import ARM_COLUMNS, META_COLUMNS, arm_rows, meta_rows, to_csv
from kg.query.catalogue import expand_iri
from web.blueprints.entities import MAX_PLOTTED
from web.context import ctx
from web.errors import HttpError
from web.forest import forest_svg
from web.forest_rows import forest_rows, outcome_of
from web.views import EvidenceView, render

__all__ = ["bp"]

bp = Blueprint("evidence", __name__)


def _filters() -> Filters:
    """The filters of this request, checked against what the graph offers (400 naming the parameter)."""
    for key in request.args:
        if key not in ("population", "study_type", "source"):
            raise HttpError(400, f"unknown parameter {key!r} (the evidence map takes population, study_type, source)")
    population = request.args.get("population") or None
    if population is not None:
        try:
            population = expand_iri(population)
        except ValueError as exc:
            raise HttpError(400, f"parameter 'population': {exc}") from exc
        known = {c for f in ctx().findings for c in f.characteristics}
        if population not in known:
            raise HttpError(400, f"parameter 'population': no finding's population has <{population}>")
    study_type = request.args.get("study_type") or None
    if study_type is not None and study_type not in {t for f in ctx().findings for t in f.study_types}:
        raise HttpError(400, f"parameter 'study_type': {study_type!r} is not a study type of any finding")
    source = request.args.get("source") or None
    if source is not None and source not in {f.source for f in ctx().findings}:
        raise HttpError(400, f"parameter 'source': {source!r} is not a source of this graph")
    return Filters(population, study_type, source)


def _map(filters: Filters) -> EvidenceMap:
    return build_map(ctx().store, ctx().findings, filters)


def _query_string(filters: Filters) -> str:
    params = filters.as_params()
    return ("?" + urlencode(params)) if params else ""


@bp.route("/evidence")
def evidence_map() -> Response:
    filters = _filters()
    evidence = _map(filters)
    ratios = [f for f in apply_filters(ctx().findings, filters) if f.is_ratio]
    title = "Ratio estimates in the evidence map"
    if len(ratios) > MAX_PLOTTED:  # a grown graph: plot a readable first page, as entity pages do (issue 30)
        title += f" (the first {MAX_PLOTTED} of {len(ratios):,}, by outcome; filter to see the others)"
        ratios = sorted(ratios, key=lambda f: (outcome_of(f), f.estimate or 0.0))[:MAX_PLOTTED]
    plot = forest_svg(forest_rows(ratios), title)
    query = _query_string(filters)
    view = EvidenceView(evidence=evidence, plot=plot, source_names=ctx().source_names, query_string=query,
                        downloads=[("Evidence map (JSON)", url_for("evidence.evidence_json") + query),
                                   ("Ratio estimates for meta-analysis (CSV: TE, seTE)",
                                    url_for("evidence.evidence_csv") + query),
                                   ("Arm-level figures (CSV)", url_for("evidence.arms_csv") + query),
                                   ("Sources (RIS)", url_for("evidence.sources_ris")),
                                   ("Sources (BibTeX)", url_for("evidence.sources_bib"))])
    return Response(render(view), mimetype="text/html")


def _result_json(result: Any) -> dict[str, object]:
    f = result.finding
    return {"finding": f.iri, "label": f.label, "kind": f.kind, "figures": result.figures,
            "significance": result.mark.text or None, "significance_basis": f.basis, "direction": f.direction,
            "comparator": result.comparator, "study": result.study, "supporting": result.supporting or None,
            "sources": [{"source": b.source, "locator": b.locator, "finding": b.finding} for b in result.badges],
            "corroborated_elsewhere": [b.finding for b in result.corroborated_elsewhere],
            "discrepant": result.discrepant}


@bp.route("/evidence.json")
def evidence_json() -> Response:
    evidence = _map(_filters())
    return jsonify({
        "filters": evidence.filters.as_params(), "findings": evidence.findings,
        "columns": [{"key": c.key, "label": c.label, "title": c.title} for c in evidence.columns],
        "rows": [{"regimen": r.regimen.iri, "label": r.regimen.label,
                  "cells": {k: [_result_json(x) for x in v] for k, v in r.cells.items()}} for r in evidence.rows],
    })


def _csv(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.route("/evidence.csv")
def evidence_csv() -> Response:
    """One row per ratio estimate, with TE = ln(estimate) and seTE from the interval (R: meta, metafor)."""
    findings = apply_filters(ctx().findings, _filters())
    return _csv(to_csv(meta_rows(findings), META_COLUMNS), "mmkg-ratio-estimates.csv")


@bp.route("/evidence/arms.csv")
def arms_csv() -> Response:
    findings = apply_filters(ctx().findings, _filters())
    return _csv(to_csv(arm_rows(findings), ARM_COLUMNS), "mmkg-arm-figures.csv")


@bp.route("/evidence/sources.ris")
def sources_ris() -> Response:
    response = Response(ris(references(ctx().store)), mimetype="application/x-research-info-systems")
    response.headers["Content-Disposition"] = 'attachment; filename="mmkg-sources.ris"'
    return response


@bp.route("/evidence/sources.bib")
def sources_bib() -> Response:
    response = Response(bibtex(references(ctx().store)), mimetype="application/x-bibtex")
    response.headers["Content-Disposition"] = 'attachment; filename="mmkg-sources.bib"'
    return response
