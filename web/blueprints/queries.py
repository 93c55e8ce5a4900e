"""Saved queries as pages and as an API: ``/queries``, ``/queries/<name>`` and its data twins.

``.json``, ``.csv`` and ``.tsv`` after the name give the rows as data.

The page URL carries the parameter values (``/queries/adverse-events-by-drug?drug=res:thalidomide``),
so a result can be bookmarked and shared; adding ``.json`` or ``.csv`` before the ``?`` gives the
same rows as data. Values are bound through the store's substitutions, never pasted into the query.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request, url_for

from kg.errors import ParameterError
from kg.evidence.paging import pages_for
from kg.query.catalogue import Parameter, SavedQuery, expand_iri, unknown_iris
from kg.query.outside import OutsideQuery
from kg.query.results import csv_cell
from kg.query.store import QueryResult, term_to_python
from web.blueprints.sparql import TRUNCATED_HEADER
from web.context import ctx
from web.errors import HttpError
from web.forest import forest_svg
from web.forest_rows import result_forest_rows
from web.paging import page_number
from web.views import QueryListView, QueryView, RowsPage, editor_link, render

__all__ = ["TWINS", "bp", "catalogue_json", "query_json"]

bp = Blueprint("queries", __name__)

TWINS: dict[str, str] = {"json": "application/json", "csv": "text/csv", "tsv": "text/tab-separated-values",
                         "records.json": "application/json"}
"""Data twins of a saved query by suffix (``/queries/NAME.json``), with their media types. ``.records.json``
is a bare array of row objects, every column in each (null where unbound): ``pandas.read_json(url)``."""
_BY_ACCEPT = {"application/json": "json", "text/csv": "csv", "text/tab-separated-values": "tsv"}


def _saved(name: str) -> SavedQuery:
    try:
        return ctx().catalogue.get(name)
    except KeyError as exc:
        raise HttpError(404, str(exc.args[0])) from None


def parameter_json(param: Parameter) -> dict[str, Any]:
    """A parameter as the catalogue and OpenAPI describe it."""
    out: dict[str, Any] = {"name": param.name, "type": param.type, "description": param.description}
    if param.default is not None:
        out["default"] = param.default
    if param.values:
        out["values"] = list(param.values)
        out["of"] = param.of
    if param.prefixes:
        out["prefixes"] = list(param.prefixes)
    return out


def query_json(query: SavedQuery) -> dict[str, Any]:
    """A saved query's description (no results)."""
    return {"name": query.name, "title": query.title, "description": query.description, "tags": list(query.tags),
            "parameters": [parameter_json(p) for p in query.parameters], "units": query.units,
            "url": url_for("queries.show", name=query.name, _external=True),
            "json": url_for("queries.show", name=query.name + ".json", _external=True), "sparql": query.sparql}


def catalogue_json() -> list[dict[str, Any]]:
    return [query_json(q) for q in ctx().catalogue]


@bp.route("/queries")
def index() -> Response:
    return Response(render(QueryListView(queries=list(ctx().catalogue))), mimetype="text/html")


@bp.route("/queries.json")
def index_json() -> Response:
    return jsonify(catalogue_json())


def _given(query: SavedQuery) -> dict[str, str]:
    given: dict[str, str] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            raise HttpError(400, f"parameter {key!r} given {len(values)} times")
        given[key] = values[0]
    return given


def _bind(query: SavedQuery, given: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
    try:
        return query.bindings(given)
    except ParameterError as exc:
        raise HttpError(400, str(exc)) from exc


def _run(query: SavedQuery, bindings: dict[str, ox.NamedNode | ox.Literal], limit: int) -> QueryResult:
    """A saved query with its parameters bound, through the one entry for outside queries (the byte and row
    budget of /sparql): in a worker under the time limit when there is a pool, on the workers kept for the
    app's own queries, so a saturated /sparql does not stop it."""
    return ctx().outside.rows(OutsideQuery(query.sparql, bindings, own=True), rows=limit).result


def _page_of(query: SavedQuery, bindings: dict[str, ox.NamedNode | ox.Literal],
             page: int) -> tuple[QueryResult, RowsPage | None]:
    """The rows page ``page`` shows and where they stand (None for an answer that is not rows).

    The query is asked for the rows up to this page's end and one more (whether a next page exists), so a page
    costs the engine's answer and this page's rows, never a table of every row.
    """
    size = ctx().settings.query_page_rows
    reach = ctx().settings.max_rows
    if (page - 1) * size >= reach:
        raise HttpError(400, f"parameter 'page': page {page} starts past the {reach:,} rows a page can reach; "
                             f"download the rows (JSON, CSV, TSV) or narrow the query")
    result = _run(query, bindings, min(page * size + 1, reach))
    if result.kind != "select":
        if page > 1:
            raise HttpError(400, f"parameter 'page': this query answers {result.kind.upper()}, one page only")
        return result, None
    shown = result.rows[(page - 1) * size:page * size]
    more = len(result.rows) > page * size  # the one row past this page's end
    if not shown and page > 1:
        last = pages_for(len(result.rows), size)
        raise HttpError(400, f"parameter 'page': page {page} is past the last page, {last}")
    capped = result.truncated and not more  # the last page a page can reach, and rows past it
    paged = replace(result, rows=shown, truncated=more or capped)
    return paged, RowsPage(page=page, size=size, first=(page - 1) * size + 1, shown=len(shown), more=more,
                           total=None if more or capped else len(result.rows), capped=capped)


def _linked(rows: RowsPage | None, query: SavedQuery, given: dict[str, str]) -> RowsPage | None:
    """``rows`` with the links to the pages before and after it, the parameters kept."""
    if rows is None:
        return None
    here = url_for("queries.show", name=query.name)

    def href(page: int) -> str:
        return here + "?" + urlencode({**given, "page": str(page)})

    return replace(rows, previous_href=href(rows.page - 1) if rows.page > 1 else None,
                   next_href=href(rows.page + 1) if rows.more else None)


def _twin(query: SavedQuery, fmt: str, given: dict[str, str]) -> Response:
    bindings = _bind(query, given)
    result = _run(query, bindings, ctx().settings.max_rows)
    rows = [{k: term_to_python(v) for k, v in row.items()} for row in result.rows]
    headers = {TRUNCATED_HEADER: "true"} if result.truncated else {}
    if fmt == "records.json":
        records = [{v: row.get(v) for v in result.variables} for row in rows]
        return Response(json.dumps(records, ensure_ascii=False), mimetype="application/json", headers=headers)
    if fmt == "json":
        body = {"query": query.name, "title": query.title,
                "parameters": {k: (v.value if isinstance(v, ox.NamedNode | ox.Literal) else str(v))
                               for k, v in bindings.items()},
                "columns": result.variables,
                "units": {v: query.units[v] for v in result.variables if v in query.units},
                "rows": rows, "truncated": result.truncated,
                "warnings": [f"parameter {p!r}: <{iri}> names nothing in the graph"
                             for p, iri in unknown_iris(ctx().store, query, bindings)]}
        if result.kind == "ask":
            body["boolean"] = result.boolean
        return Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json",
                        headers=headers)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=result.variables, delimiter="," if fmt == "csv" else "\t",
                            lineterminator="\r\n" if fmt == "csv" else "\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows)
    response = Response(buffer.getvalue(), content_type=f"{TWINS[fmt]}; charset=utf-8", headers=headers)
    response.headers["Content-Disposition"] = f'inline; filename="{query.name}.{fmt}"'
    return response


def _form_fields(query: SavedQuery, given: dict[str, str]) -> list[dict[str, Any]]:
    iris = [v for p in query.parameters if p.of == "iri" for v in p.values]
    labels = ctx().describer.labels({_expand(v) for v in iris})
    fields = []
    for param in query.parameters:
        options = [(v, labels.get(_expand(v), v)) for v in param.values] if param.values and param.of == "iri" \
            else [(v, v) for v in param.values]
        fields.append({"param": param, "value": given.get(param.name, param.default or ""), "options": options})
    return fields


def _expand(value: str) -> str:
    try:
        return expand_iri(value)
    except ValueError:
        return value


@bp.route("/queries/<name>")
def show(name: str) -> Response:
    for suffix in sorted(TWINS, key=len, reverse=True):
        if name.endswith("." + suffix) and len(name) > len(suffix) + 1:
            query = _saved(name[:-len(suffix) - 1])
            return _twin(query, suffix, _given(query))
    query = _saved(name)
    wanted = request.accept_mimetypes.best_match(["text/html", *_BY_ACCEPT]) if request.accept_mimetypes else None
    if wanted in _BY_ACCEPT:  # content negotiation: the twin's data at the page's URL
        response = _twin(query, _BY_ACCEPT[wanted], _given(query))
        response.headers["Vary"] = "Accept"
        return response
    given = _given(query)
    raw_page = given.pop("page", None)
    error: HttpError | None = None
    result: QueryResult | None = None
    rows: RowsPage | None = None
    labels: dict[str, str] = {}
    warnings: list[str] = []
    try:
        bindings = _bind(query, given)
        warnings = [f"parameter {param!r}: <{iri}> names nothing in the graph; check its spelling"
                    for param, iri in unknown_iris(ctx().store, query, bindings)]
        result, rows = _page_of(query, bindings, page_number(raw_page))
        labels = ctx().describer.labels({t.value for row in result.rows for t in row.values()
                                         if isinstance(t, ox.NamedNode)})
    except HttpError as exc:
        error = exc
    query_string = ("?" + urlencode(given)) if given else ""
    plot = forest_svg(result_forest_rows(result, labels), query.title) if result is not None else ""
    view = QueryView(query=query, fields=_form_fields(query, given), result=result, labels=labels, error=error,
                     query_string=query_string, editor_url=editor_link(query.sparql, run=False), plot=plot,
                     warnings=warnings, rows=_linked(rows, query, given))
    return Response(render(view), status=error.status if error else 200, mimetype="text/html",
                    headers={"Vary": "Accept"})
