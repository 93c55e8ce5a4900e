"""The evidence map and its exports: ``/evidence`` (regimens by outcomes, across sources), its
``.json`` twin, ``/evidence.csv`` (one row per ratio estimate with TE and seTE and its trial key, for
meta-analysis software), ``/evidence/contrasts.csv`` (contrasts for netmeta), ``/evidence/arms.csv``
(arm-level figures), the summary of findings ``/evidence/summary`` with its ``.csv`` and ``.json``
twins, and the sources as RIS and BibTeX.

Filters (population characteristic, study type, source) are query parameters, the same on every
twin, so a filtered map and its exports share one URL shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for

from kg.evidence.bibliography import bibtex, references, ris
from kg.evidence.contrasts import CONTRAST_COLUMNS, contrast_rows
from kg.evidence.grid import EvidenceMap, Filters, apply_filters, build_map
from kg.evidence.meta import ARM_COLUMNS, META_COLUMNS, arm_rows, duplicate_reports, meta_rows, to_csv
from kg.evidence.sof import SOF_COLUMNS, SofTable, sof_csv_rows, summary_of_findings
from kg.query.catalogue import expand_iri
from web.blueprints.entities import MAX_PLOTTED
from web.context import ctx
from web.errors import HttpError
from web.forest import forest_svg
from web.forest_rows import forest_rows, outcome_of
from web.views import EvidenceView, View, reader_aids, render

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
    aids = reader_aids()
    title = "Ratio estimates in the evidence map"
    if len(ratios) > MAX_PLOTTED:  # a grown graph: plot a readable first page, as entity pages do (issue 30)
        title += f" (the first {MAX_PLOTTED} of {len(ratios):,}, by outcome; filter to see the others)"
        ratios = sorted(ratios, key=lambda f: (outcome_of(f), f.estimate or 0.0))[:MAX_PLOTTED]
    plot = forest_svg(forest_rows(ratios, aids.names.source, aids.contexts.patients, aids.names.text), title)
    query = _query_string(filters)
    view = EvidenceView(evidence=evidence, plot=plot, source_names=ctx().source_names, query_string=query,
                        downloads=[("Evidence map (JSON)", url_for("evidence.evidence_json") + query),
                                   ("Ratio estimates for meta-analysis (CSV: TE, seTE)",
                                    url_for("evidence.evidence_csv") + query),
                                   ("Contrasts for network meta-analysis (CSV: treat1, treat2, TE, seTE)",
                                    url_for("evidence.contrasts_csv") + query),
                                   ("Arm-level figures (CSV)", url_for("evidence.arms_csv") + query),
                                   ("Summary of findings (page, CSV, JSON)", url_for("evidence.summary")),
                                   ("Sources (RIS)", url_for("evidence.sources_ris")),
                                   ("Sources (BibTeX)", url_for("evidence.sources_bib"))],
                        warnings=duplicate_reports(meta_rows(apply_filters(ctx().findings, filters), ctx().trials)))
    return Response(render(view), mimetype="text/html")


def _result_json(result: Any) -> dict[str, object]:
    f = result.finding
    return {"finding": f.iri, "label": f.label, "kind": f.kind, "figures": result.figures,
            "significance": result.mark.text or None, "significance_basis": f.basis, "direction": f.direction,
            "comparator": result.comparator, "study": result.study, "population": result.population,
            "trials": [t.id for t in f.trials], "supporting": result.supporting or None,
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
    """One row per ratio estimate, with TE = ln(estimate) and seTE from the interval (R: meta, metafor),
    its trial key, design and overlaps; duplicate reports of one trial's result are named in a header."""
    findings = apply_filters(ctx().findings, _filters())
    rows = meta_rows(findings, ctx().trials)
    response = _csv(to_csv(rows, META_COLUMNS), "mmkg-ratio-estimates.csv")
    if warnings := duplicate_reports(rows):
        response.headers["X-MMKG-Duplicate-Reports"] = "; ".join(warnings)[:2000]
    return response


@bp.route("/evidence/contrasts.csv")
def contrasts_csv() -> Response:
    """One row per contrast (treat1, treat2, TE, seTE, studlab = trial key), multi-arm sets completed (netmeta)."""
    findings = apply_filters(ctx().findings, _filters())
    return _csv(to_csv(contrast_rows(findings, ctx().trials), CONTRAST_COLUMNS), "mmkg-contrasts.csv")


@bp.route("/evidence/arms.csv")
def arms_csv() -> Response:
    findings = apply_filters(ctx().findings, _filters())
    return _csv(to_csv(arm_rows(findings, ctx().trials), ARM_COLUMNS), "mmkg-arm-figures.csv")


@dataclass
class SummaryView(View):
    """``/evidence/summary``: summary-of-findings tables, one per regimen against its comparator."""

    template: ClassVar[str] = "evidence_summary.html"
    tables: list[SofTable]
    drug: str | None
    drug_label: str | None
    query_string: str


def _summary_tables() -> tuple[list[SofTable], str | None]:
    """The tables, narrowed to those about ``?drug=`` (an IRI or CURIE) when given (400 naming it otherwise)."""
    for key in request.args:
        if key != "drug":
            raise HttpError(400, f"unknown parameter {key!r} (the summary of findings takes drug)")
    tables = summary_of_findings(ctx().findings, ctx().trials, ctx().source_names)
    drug = request.args.get("drug") or None
    if drug is None:
        return tables, None
    try:
        drug = expand_iri(drug)
    except ValueError as exc:
        raise HttpError(400, f"parameter 'drug': {exc}") from exc
    if drug not in {d.iri for f in ctx().findings for d in f.drugs}:
        raise HttpError(400, f"parameter 'drug': no finding concerns <{drug}>")
    return [t for t in tables if drug in t.drugs], drug


@bp.route("/evidence/summary")
def summary() -> Response:
    tables, drug = _summary_tables()
    label = next((d.label for f in ctx().findings for d in f.drugs if d.iri == drug), None)
    query = ("?" + urlencode({"drug": request.args["drug"]})) if drug else ""
    return Response(render(SummaryView(tables=tables, drug=drug, drug_label=label, query_string=query)),
                    mimetype="text/html")


@bp.route("/evidence/summary.csv")
def summary_csv() -> Response:
    tables, _ = _summary_tables()
    return _csv(to_csv(sof_csv_rows(tables), SOF_COLUMNS), "mmkg-summary-of-findings.csv")


@bp.route("/evidence/summary.json")
def summary_json() -> Response:
    tables, drug = _summary_tables()
    return jsonify({"drug": drug, "columns": list(SOF_COLUMNS), "tables": [
        {"intervention": t.intervention.iri, "intervention_label": t.intervention.label,
         "comparator": t.comparator.iri, "comparator_label": t.comparator.label,
         "rows": [{"outcome": r.outcome, "population": r.population, "relative_effect": r.effects,
                   "participants": r.participants, "follow_up": r.follow_up, "certainty": r.certainty,
                   "comments": r.comments, "sources": r.sources, "findings": [f.iri for f in r.findings]}
                  for r in t.rows]} for t in tables]})


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
