"""``mmkg publish``: a release as a static site any static host or CDN can serve.

Every page a visitor can reach without typing a query is rendered once by the app itself (the same
templates, so the site and the live app cannot drift) and written as a file: starting from the
home page, the evidence views, the saved queries, the ontology and every resource and named graph,
following every internal link without a query string. Beside each entity and graph page go its RDF
twins (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``); beside each saved query its ``.json``, ``.csv`` and
``.tsv`` answers with default parameters; the evidence map's data twins and the static files too.

What a static host cannot do — run a SPARQL query, search, a form with parameters — is sent by
redirect rules to a SPARQL endpoint (``--endpoint``: ours or any SPARQL 1.1 server) and to the live
app (``--app-url``) when given: ``_redirects`` (Netlify, Cloudflare Pages) and ``nginx.conf`` (which also
negotiates ``Accept`` to the RDF twins, as the app does, and sends any URL with a query string —
evidence filters, query parameters — to the live app; other hosts show the page without them).

The site is written into a staging folder beside ``out`` and moved into place when complete: a
failed run leaves nothing half-written, and a folder that is not an earlier site is never replaced.
"""

from __future__ import annotations

import re
import shutil
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from flask import Flask

from kg.atomic import staging_folder
from kg.query.listings import graph_names, local_subjects
from kg.query.store import QueryStore
from web.blueprints.queries import TWINS
from web.conneg import RDF_SUFFIXES
from web.iri_rules import nginx_locations, redirect_lines
from web.iris import local_path

__all__ = ["PublishError", "Published", "publish"]

MARKER = ".mmkg-site"
_RDF_TWINS = tuple(RDF_SUFFIXES)
_QUERY_TWINS = tuple(TWINS)
_SEEDS = ("/", "/evidence", "/evidence.json", "/evidence.csv", "/evidence/arms.csv", "/evidence/sources.ris",
          "/evidence/sources.bib", "/queries", "/queries.json", "/ontology", "/ontology.ttl", "/docs/querying",
          "/docs/model.svg", "/openapi.json", "/query/vocabulary.json", "/.well-known/void",
          # Files for other tools (web/blueprints/interop.py): JSON-LD context, OWL syntaxes, FHIR, the import module.
          "/context.jsonld", "/ontology.rdf", "/ontology.owl", "/ontology.owx", "/evidence.fhir.json",
          "/imports/external-terms.ttl", "/imports/external-terms.rdf", "/imports/external-terms.owl",
          "/imports/external-terms.owx")
#: Paths only a running app or endpoint can answer: sent there by the redirect rules.
DYNAMIC = ("/sparql", "/search", "/search.json", "/describe", "/query", "/draft", "/draft.yaml")
_LINK = re.compile(r'(?:href|src)="(/[^"#?]*)([?#][^"]*)?"')
_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json", "csv": "text/csv; charset=utf-8",
          "tsv": "text/tab-separated-values; charset=utf-8", "ttl": "text/turtle; charset=utf-8",
          "jsonld": "application/ld+json", "nt": "application/n-triples", "rdf": "application/rdf+xml",
          "svg": "image/svg+xml", "ris": "application/x-research-info-systems", "bib": "application/x-bibtex",
          "rq": "application/sparql-query", "owl": "application/rdf+xml", "owx": "application/owl+xml"}


class PublishError(Exception):
    """The site could not be written (nothing was changed)."""


@dataclass
class Published:
    """What a run wrote."""

    out: Path
    pages: int = 0
    files: int = 0
    bytes: int = 0
    broken: list[tuple[str, str, int]] = field(default_factory=list)
    """(page, link, status) of internal links that did not answer 200."""


def _file_for(path: str, html: bool) -> str:
    """Where the answer for ``path`` lives in the site: pages as ``…/index.html``, data under their name."""
    clean = unquote(path).lstrip("/")
    if html:
        return f"{clean}/index.html" if clean else "index.html"
    return clean


def _entities(store: QueryStore) -> list[str]:
    return [local_path(iri) for iri in [*local_subjects(store), *graph_names(store, non_empty=True)]]


def publish(app: Flask, store: QueryStore, out: Path, base_url: str, *, endpoint: str | None = None,
            app_url: str | None = None, query_names: list[str] | None = None) -> Published:
    """Write the static site of ``app`` (serving ``store``) into ``out``, as it would be seen at ``base_url``.

    :raises PublishError: when ``out`` is a file or a non-empty folder that is not an earlier site.
    """
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise PublishError(f"{out} exists and is not a site written by mmkg publish; choose an empty or new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(out.parent, f".{out.name}-staging-")
    try:
        report = _write_site(app, store, staging, base_url, endpoint, app_url, query_names or [])
        (staging / MARKER).write_text("written by mmkg publish\n", encoding="utf-8")
        if out.exists():
            old = out.with_name(f".{out.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report.out = out
    return report


def _write_site(app: Flask, store: QueryStore, site: Path, base_url: str, endpoint: str | None,
                app_url: str | None, query_names: list[str]) -> Published:
    client = app.test_client()
    report = Published(site)
    entity_paths = _entities(store)
    queue: deque[tuple[str, str]] = deque(("(start)", p) for p in (*_SEEDS, *entity_paths))
    for name in query_names:
        queue.append(("(start)", f"/queries/{name}"))
        queue.extend(("(start)", f"/queries/{name}.{suffix}") for suffix in _QUERY_TWINS)
    queue.extend(("(start)", f"{p}.{suffix}") for p in entity_paths for suffix in _RDF_TWINS)
    seen: set[str] = set()
    while queue:
        page, path = queue.popleft()
        if path in seen or path.startswith("/static/") or path.split("?")[0] in DYNAMIC:
            continue
        seen.add(path)
        response = client.get(path, base_url=base_url, headers={"Accept": "text/html"})
        if response.status_code == 406:  # data without an HTML form (the VoID description)
            response = client.get(path, base_url=base_url, headers={"Accept": "*/*"})
        if response.status_code != 200:
            if page != "(start)":  # a twin the start list guessed may not exist; a link must
                report.broken.append((page, path, response.status_code))
            continue
        html = response.mimetype == "text/html"
        target = site / _file_for(path, html)
        if not html and target.is_dir():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(response.data)
        report.files += 1
        report.bytes += len(response.data)
        if html:
            report.pages += 1
            for link, _ in _LINK.findall(response.get_data(as_text=True)):
                if link not in seen:
                    queue.append((path, link))
    static = Path(app.static_folder or "")
    shutil.copytree(static, site / "static", ignore=shutil.ignore_patterns("__pycache__"))
    _write_rules(site, endpoint, app_url)
    return report


def _write_rules(site: Path, endpoint: str | None, app_url: str | None) -> None:
    """Redirect rules for what needs a server, and media types for the data files."""
    redirects = ["# Written by mmkg publish: what a static host cannot answer goes to a live server."]
    if endpoint:
        redirects.append(f"/sparql  {endpoint}  307")
    if app_url:
        base = app_url.rstrip("/")
        # 307 for the drafter: its form is a POST, which a 302 would turn into a GET
        redirects += [f"{p}  {base}{p}  {307 if p.startswith('/draft') else 302}" for p in DYNAMIC
                      if p != "/sparql" or not endpoint]
    redirects += redirect_lines(endpoint)
    (site / "_redirects").write_text("\n".join(redirects) + "\n", encoding="utf-8")
    headers = ["# Written by mmkg publish: media types of the data files (Netlify, Cloudflare Pages)."]
    for suffix, media in _TYPES.items():
        headers += [f"/*.{suffix}", f"  Content-Type: {media}"]
    (site / "_headers").write_text("\n".join(headers) + "\n", encoding="utf-8")
    (site / "nginx.conf").write_text(_nginx(endpoint, app_url), encoding="utf-8")


def _nginx(endpoint: str | None, app_url: str | None) -> str:
    """A complete nginx configuration serving the site: ``nginx -p SITE/ -c nginx.conf`` (port 8080)."""
    types = "\n".join(f"        {media.split(';')[0]} {suffix};" for suffix, media in _TYPES.items())
    dynamic = []
    if endpoint:
        dynamic += ["        location = /sparql {", f"            return 307 {endpoint}$is_args$args;", "        }"]
    if app_url:
        base = app_url.rstrip("/")
        for p in DYNAMIC:
            if p != "/sparql" or not endpoint:
                dynamic += [f"        location = {p} {{",
                            f"            return {307 if p.startswith('/draft') else 302} {base}{p}$is_args$args;",
                            "        }"]
    lines = [
        "# Written by mmkg publish: nginx -p /path/to/this/folder/ -c nginx.conf (listens on 8080).",
        "# To serve it from your own nginx, copy the map and server blocks into its http { } block.",
        "daemon off;",
        "pid nginx.pid;",
        "error_log stderr;",
        "events {}",
        "http {",
        "    access_log off;",
        "    types {",
        types,
        "    }",
        "    # Accept negotiates the RDF twins of entity pages, as the app does.",
        "    map $http_accept $mmkg_twin {",
        '        default "";',
        "        ~*text/turtle .ttl;",
        "        ~*application/ld\\+json .jsonld;",
        "        ~*application/n-triples .nt;",
        "        ~*application/rdf\\+xml .rdf;",
        "    }",
        "    server {",
        "        listen 8080;",
        "        root .;",
        "        location ~ ^/(resource|ontology|graph)/ {",
        "            add_header Vary Accept;",
        "            try_files $uri$mmkg_twin $uri $uri/index.html =404;",
        "        }",
        *nginx_locations(endpoint),
        "        location / {",
        *([f"            if ($args != \"\") {{ return 302 {app_url.rstrip('/')}$request_uri; }}"] if app_url else []),
        "            try_files $uri $uri/index.html =404;",
        "        }",
        *dynamic,
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"
