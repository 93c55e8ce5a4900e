"""``/search?q=``: labels, synonyms and identifiers; HTML, or JSON by ``Accept`` or ``/search.json``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from kg.query.catalogue import expand_iri
from web.conneg import negotiate
from web.context import ctx
from web.errors import HttpError
from web.iris import local_path
from web.views import SearchView, render

__all__ = ["bp"]

bp = Blueprint("search", __name__)


def _hits() -> tuple[str, list[dict[str, str | None]]]:
    q = request.args.get("q", "")
    if len(q) > 200:
        raise HttpError(400, "parameter 'q' is longer than 200 characters")
    raw_limit = request.args.get("limit", "20")
    try:
        limit = int(raw_limit)
    except ValueError:
        raise HttpError(400, f"parameter 'limit': {raw_limit!r} is not an integer") from None
    if not 1 <= limit <= 100:
        raise HttpError(400, f"parameter 'limit': {limit} is not between 1 and 100")
    type_iri = None
    if request.args.get("type"):
        try:
            type_iri = expand_iri(request.args["type"])
        except ValueError as exc:
            raise HttpError(400, f"parameter 'type': {exc}") from exc
    hits = ctx().search.search(q, limit, type_iri)
    return q, [{"label": h.label, "iri": h.iri, "url": local_path(h.iri), "type": h.type, "matched": h.matched}
               for h in hits]


@bp.route("/search")
def search() -> Response:
    media = negotiate(["text/html", "application/json"])
    q, hits = _hits()
    if media == "application/json":
        response = jsonify(hits)
    else:
        response = Response(render(SearchView(q=q, hits=hits, shown=request.args.get("kind", ""))),
                            mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/search.json")
def search_json() -> Response:
    return jsonify(_hits()[1])
