"""The myeloma-kg web front end: SPARQL endpoint, saved queries, editor, entity pages and search.

``create_app(store, catalogue)`` builds a Flask app over any store with the :class:`kg.query.store.Store`
interface; ``mmkg serve`` runs it under waitress. One blueprint per concern lives in
``web/blueprints``; templates and static files (with the vendored CodeMirror editor) ship inside
the package.
"""

from __future__ import annotations

from flask import Flask, Response, request

from kg.query.catalogue import Catalogue
from kg.query.protocol.sandbox import QueryPool
from kg.query.store import QueryStore
from web.context import AppContext
from web.errors import register_error_handlers
from web.fast_sparql import sparql_fast_path
from web.head import head_as_get
from web.page_cache import PageCache, Release, install_page_cache
from web.render import register_filters
from web.settings import Settings
from web.site_headers import CORS_PREFLIGHT_HEADERS, CORS_READ_HEADERS, SECURITY_HEADERS

__all__ = ["create_app"]

def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response


def create_app(store: QueryStore, catalogue: Catalogue, settings: Settings | None = None, *,
               pool: QueryPool | None = None, warm: bool = True, release: Release | None = None) -> Flask:
    """A Flask app serving ``store`` and the saved queries of ``catalogue``.

    Queries from outside (``/sparql``, the editor) are checked by :mod:`kg.query.protocol.guard` and, given a
    ``pool``, run in its worker processes under the time limit. ``warm`` builds the search index,
    vocabulary and counts before the first request. Given the ``release`` the store holds (immutable
    data), pages are cached per release and carry ETag and Last-Modified (:mod:`web.page_cache`).
    """
    from web.blueprints import api, docs, draft, entities, evidence, interop, pages, queries, search, sparql

    app = Flask(__name__)
    settings = settings or Settings()
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    context = AppContext(store, catalogue, settings, pool)
    app.extensions["mmkg"] = context
    app.extensions["mmkg_release"] = release  # VoID's dcterms:modified
    # interop before entities: /resource/<id>.fhir.json is more specific than /resource/<path>
    for blueprint in (sparql.bp, queries.bp, interop.bp, entities.bp, search.bp, pages.bp, api.bp, docs.bp, evidence.bp,
                      draft.bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    register_filters(app)
    app.jinja_env.globals["settings"] = settings
    app.after_request(_security_headers)

    @app.after_request
    def _cors(response: Response) -> Response:
        """Browser clients on other origins (YASGUI, notebooks) may query /sparql by GET or POST (the
        preflight of a POST with a Content-Type is answered) and read every other page and data file by
        GET. Reads only: updates are refused anyway, and the draft form's POST gets no CORS header."""
        if not settings.cors or request.path.startswith("/draft") or (
                request.path != "/sparql" and request.method not in ("GET", "HEAD", "OPTIONS")):
            return response
        for name, value in CORS_READ_HEADERS:
            response.headers[name] = value
        if request.method == "OPTIONS":
            for name, value in CORS_PREFLIGHT_HEADERS:
                response.headers[name] = value
        return response

    if release is not None and settings.page_cache_bytes > 0:
        context.page_cache = PageCache(settings.page_cache_bytes)
        install_page_cache(app, release, context.page_cache, settings.cache_max_age)
    app.wsgi_app = head_as_get(app.wsgi_app)  # type: ignore[method-assign,assignment]
    app.wsgi_app = sparql_fast_path(app, app.wsgi_app)  # type: ignore[method-assign,assignment]
    if warm:
        context.warm()
    return app
