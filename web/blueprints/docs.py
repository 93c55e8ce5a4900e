"""The querying guide (``docs/querying.md``) and the model diagram drawn from the ontology."""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, url_for
from markupsafe import Markup
from rdflib import Graph

from kg import paths
from kg.docs.diagram import model_of, model_svg
from kg.docs.guide import guide_examples, guide_text, render_guide_html
from web.views import DocsView, render

__all__ = ["bp", "model_arrows", "model_diagram"]

bp = Blueprint("docs", __name__)


@lru_cache(maxsize=1)
def model_diagram() -> str:
    """The model diagram of the packaged ontology (drawn once per process)."""
    return model_svg(Graph().parse(paths.ontology_file(), format="turtle"))


@lru_cache(maxsize=1)
def model_arrows() -> list[tuple[str, str, str]]:
    """The diagram's arrows as (class, property, class), for the list beside the drawing."""
    return model_of(Graph().parse(paths.ontology_file(), format="turtle")).arrows()


@bp.route("/docs/model.svg")
def model() -> Response:
    response = Response(model_diagram(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/docs/querying")
def querying() -> Response:
    """The guide, each example query followed by a link that opens it in the editor."""
    body = render_guide_html(guide_text(), lambda sparql: url_for("pages.editor", query=sparql))
    # Markup: the guide is a file of this package (trusted), rendered by Python-Markdown, never user input.
    return Response(render(DocsView(body=Markup(body), examples=len(guide_examples()))), mimetype="text/html")
