"""The evidence map and its exports: ``/evidence`` (regimens by outcomes, across sources), its
``.json`` twin, ``/evidence.csv`` (one row per ratio estimate with TE and seTE and its trial key, for
meta-analysis software), ``/evidence/contrasts.csv`` (contrasts for netmeta), ``/evidence/arms.csv``
(arm-level figures), the summary of findings ``/evidence/summary`` with its ``.csv`` and ``.json``
twins, and the sources as RIS and BibTeX.

Filters (population characteristic, study type, source) are query parameters, the same on every
twin, so a filtered map and its exports share one URL shape. The map pages (``page``; one cell with
``regimen`` and ``outcome``) and the summary pages by comparison (``page``, with ``drug``): the URL is the
state (:mod:`kg.evidence.paging`). The twins are never paged: each gives every result of its filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for

from kg.evidence import paging
from kg.evidence.bibliography import bibtex, references, ris
from kg.evidence.contrasts import CONTRAST_COLUMNS, contrast_rows
from kg.evidence.gather import Finding
from kg.evidence.grid import EvidenceMap, Filters
from kg.evidence.meta import ARM_COLUMNS, META_COLUMNS, arm_rows, duplicate_reports, meta_rows, to_csv
from kg.evidence.paging import ROW_PREVIEW, TABLES_PER_PAGE, MapPage, PageError, page_map, page_tables
from kg.evidence.sof import SOF_COLUMNS, SofTable, sof_csv_rows
from kg.namespaces import compact
from kg.query.catalogue import expand_iri
from web.blueprints.entities import MAX_PLOTTED
from web.context import ctx
from web.errors import HttpError
from web.forest import forest_svg
from web.forest_rows import forest_rows, outcome_of
from web.paging import page_number
from web.views import EvidenceView, View, reader_aids, render

__all__ = ["bp"]

bp = Blueprint("evidence", __name__)


_FILTERS = ("population", "study_type", "source")
_PLOTS_KEPT = 64


def _iri_arg(name: str) -> str | None:
    """The request's ``name`` parameter as a full IRI (an IRI or a CURIE), None when absent; 400 naming it."""
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        return expand_iri(value)
    except ValueError as exc:
        raise HttpError(400, f"parameter {name!r}: {exc}") from exc


def _filters(allowed: tuple[str, ...] = _FILTERS) -> Filters:
    """The filters of this request, checked against what the graph offers (400 naming the parameter)."""
    for key in request.args:
        if key not in allowed:
            raise HttpError(400, f"unknown parameter {key!r} (this view takes {', '.join(allowed)})")
    maps = ctx().maps
    population = _iri_arg("population")
    if population is not None and not maps.knows("population", population):
        raise HttpError(400, f"parameter 'population': no finding's population has <{population}>")
    study_type = request.args.get("study_type") or None
    if study_type is not None and not maps.knows("study_type", study_type):
        raise HttpError(400, f"parameter 'study_type': {study_type!r} is not a study type of any finding")
    source = request.args.get("source") or None
    if source is not None and not maps.knows("source", source):
        raise HttpError(400, f"parameter 'source': {source!r} is not a source of this graph")
    return Filters(population, study_type, source)


def _cell_choice() -> tuple[str | None, str | None]:
    """``regimen`` (an IRI or CURIE of a row of the map) and ``outcome`` (a column key), 400 naming either."""
    whole = ctx().maps.entry(Filters()).evidence
    regimen = _iri_arg("regimen")
    if regimen is not None and regimen not in {r.regimen.iri for r in whole.rows}:
        raise HttpError(400, f"parameter 'regimen': <{regimen}> is not a regimen of the evidence map")
    outcome = request.args.get("outcome") or None
    if outcome is not None and outcome not in {c.key for c in whole.columns}:
        keys = ", ".join(c.key for c in whole.columns)
        raise HttpError(400, f"parameter 'outcome': {outcome!r} is not a column of the evidence map ({keys})")
    return regimen, outcome


def _page_number() -> int:
    return page_number(request.args.get("page"))


def _map(filters: Filters) -> EvidenceMap:
    return ctx().maps.entry(filters).evidence


def _query_string(filters: Filters) -> str:
    params = filters.as_params()
    return ("?" + urlencode(params)) if params else ""


def _state(filters: Filters, regimen: str | None, outcome: str | None) -> dict[str, str]:
    """The URL state of a map page but its page number: filters, then the chosen row and column."""
    return {**filters.as_params(), **({"regimen": compact(regimen)} if regimen else {}),
            **({"outcome": outcome} if outcome else {})}


def _plot(filters: Filters, page: MapPage) -> str:
    """The forest plot: one cell's ratio estimates on its page; else the first of the filtered map's, cached."""
    aids = reader_aids()
    if page.cell:
        ratios = [r.finding for row in page.rows for rs in row.cells.values() for r in rs if r.finding.is_ratio]
        return forest_svg(forest_rows(ratios, aids.names.source, aids.contexts.patients, aids.names.text),
                          "Ratio estimates in this cell's page")
    plots = ctx().map_plots
    plot = plots.get(filters)
    if plot is None:
        ratios = ctx().maps.entry(filters).ratios
        title = "Ratio estimates in the evidence map"
        if len(ratios) > MAX_PLOTTED:  # a grown graph: plot a readable first page, as entity pages do (issue 30)
            title += f" (the first {MAX_PLOTTED} of {len(ratios):,}, by outcome; filter to see the others)"
            ratios = sorted(ratios, key=lambda f: (outcome_of(f), f.estimate or 0.0))[:MAX_PLOTTED]
        plot = forest_svg(forest_rows(ratios, aids.names.source, aids.contexts.patients, aids.names.text), title)
        if len(plots) >= _PLOTS_KEPT:
            plots.clear()
        plots[filters] = plot
    return plot


@bp.route("/evidence")
def evidence_map() -> Response:
    """The map, paged: rows of regimens with each cell's first results, or one cell's results (URL as state)."""
    filters = _filters((*_FILTERS, "regimen", "outcome", "page"))
    regimen, outcome = _cell_choice()
    entry = ctx().maps.entry(filters)
    try:
        page = page_map(entry.evidence, _page_number(), regimen, outcome)
    except PageError as exc:
        raise HttpError(400, f"parameter 'page': {exc}") from exc
    query = _query_string(filters)
    state = _state(filters, regimen, outcome)
    view = EvidenceView(evidence=entry.evidence, plot=_plot(filters, page), source_names=ctx().source_names,
                        query_string=query, page=page, state=state,
                        json_query=("?" + urlencode(state)) if state else "",
                        downloads=[("Evidence map (JSON, every result)", url_for("evidence.evidence_json") + query),
                                   ("Ratio estimates for meta-analysis (CSV: TE, seTE)",
                                    url_for("evidence.evidence_csv") + query),
                                   ("Contrasts for network meta-analysis (CSV: treat1, treat2, TE, seTE)",
                                    url_for("evidence.contrasts_csv") + query),
                                   ("Arm-level figures (CSV)", url_for("evidence.arms_csv") + query),
                                   ("Summary of findings (page, CSV, JSON)", url_for("evidence.summary")),
                                   ("Sources (RIS)", url_for("evidence.sources_ris")),
                                   ("Sources (BibTeX)", url_for("evidence.sources_bib"))],
                        warnings=entry.warnings)
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
    """Every result of the filtered map (narrowed to ``regimen``/``outcome`` when given), never paged."""
    evidence = _map(_filters((*_FILTERS, "regimen", "outcome")))
    regimen, outcome = _cell_choice()
    columns = [c for c in evidence.columns if outcome is None or c.key == outcome]
    keys = {c.key for c in columns}
    rows = [r for r in evidence.rows if (regimen is None or r.regimen.iri == regimen)
            and any(k in keys for k in r.cells)]
    return jsonify({
        "filters": evidence.filters.as_params(), "findings": evidence.findings,
        "columns": [{"key": c.key, "label": c.label, "title": c.title} for c in columns],
        "rows": [{"regimen": r.regimen.iri, "label": r.regimen.label,
                  "cells": {k: [_result_json(x) for x in v] for k, v in r.cells.items() if k in keys}}
                 for r in rows],
    })


def _csv(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.route("/evidence.csv")
def evidence_csv() -> Response:
    """One row per ratio estimate, with TE = ln(estimate) and seTE from the interval (R: meta, metafor),
    its trial key, design and overlaps; duplicate reports of one trial's result are named in a header."""
    findings = ctx().maps.findings(_filters())
    rows = meta_rows(findings, ctx().trials)
    response = _csv(to_csv(rows, META_COLUMNS), "mmkg-ratio-estimates.csv")
    if warnings := duplicate_reports(rows):
        response.headers["X-MMKG-Duplicate-Reports"] = "; ".join(warnings)[:2000]
    return response


@bp.route("/evidence/contrasts.csv")
def contrasts_csv() -> Response:
    """One row per contrast (treat1, treat2, TE, seTE, studlab = trial key), multi-arm sets completed (netmeta)."""
    findings = ctx().maps.findings(_filters())
    return _csv(to_csv(contrast_rows(findings, ctx().trials), CONTRAST_COLUMNS), "mmkg-contrasts.csv")


@bp.route("/evidence/arms.csv")
def arms_csv() -> Response:
    findings = ctx().maps.findings(_filters())
    return _csv(to_csv(arm_rows(findings, ctx().trials), ARM_COLUMNS), "mmkg-arm-figures.csv")


@dataclass
class SummaryView(View):
    """``/evidence/summary``: summary-of-findings tables, one per regimen against its comparator, paged."""

    template: ClassVar[str] = "evidence_summary.html"
    tables: list[SofTable]
    drug: str | None
    drug_label: str | None
    query_string: str
    page: int = 1
    pages: int = 1
    total: int = 0
    state: dict[str, str] = field(default_factory=dict)
    per_page: int = TABLES_PER_PAGE
    preview: int = ROW_PREVIEW
    """Estimates, participants, comments and sources a row shows; the rest in the map's cell and the twins."""
    map_column: Callable[[Finding], str | None] | None = None
    """The evidence map's column of a finding, for the link to a row's whole cell."""


def _summary_tables(allowed: tuple[str, ...] = ("drug",)) -> tuple[list[SofTable], str | None]:
    """The tables, narrowed to those about ``?drug=`` (an IRI or CURIE) when given (400 naming it otherwise)."""
    for key in request.args:
        if key not in allowed:
            raise HttpError(400, f"unknown parameter {key!r} (this view takes {', '.join(allowed)})")
    maps = ctx().maps
    drug = _iri_arg("drug")
    if drug is None:
        return maps.tables(), None
    if maps.drug_label(drug) is None:
        raise HttpError(400, f"parameter 'drug': no finding concerns <{drug}>")
    return maps.tables(drug), drug


@bp.route("/evidence/summary")
def summary() -> Response:
    """The tables, :data:`~kg.evidence.paging.TABLES_PER_PAGE` a page; ``drug`` and ``page`` are the URL state."""
    tables, drug = _summary_tables(("drug", "page"))
    try:
        shown, pages = page_tables(tables, _page_number())
    except PageError as exc:
        raise HttpError(400, f"parameter 'page': {exc}") from exc
    label = ctx().maps.drug_label(drug) if drug else None
    state = {"drug": compact(drug)} if drug else {}
    query = ("?" + urlencode(state)) if state else ""
    return Response(render(SummaryView(tables=shown, drug=drug, drug_label=label, query_string=query,
                                       page=_page_number(), pages=pages, total=len(tables), state=state,
                                       preview=paging.ROW_PREVIEW, per_page=paging.TABLES_PER_PAGE,
                                       map_column=ctx().maps.column_of)),
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
