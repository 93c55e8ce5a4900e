"""Content negotiation: pick a media type from ``Accept`` (or a format override) or answer 406."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache

import pyoxigraph as ox
from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.query.results import GRAPH_FORMATS, RESULT_FORMATS, serialise_triples
from web.errors import HttpError

__all__ = ["FORMAT_NAMES", "RDF_SUFFIXES", "negotiate", "negotiate_header", "rdf_response"]

#: ``format=`` / ``output=`` values and file suffixes accepted as overrides of ``Accept``.
FORMAT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "ttl": "text/turtle", "turtle": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml", "rdfxml": "application/rdf+xml",
    # Values SPARQLWrapper, Virtuoso and Fuseki clients send as format= / output=.
    "n3": "text/turtle", "rdf+xml": "application/rdf+xml", "json-ld": "application/ld+json",
    "sparql-results+json": "application/sparql-results+json", "sparql-results+xml": "application/sparql-results+xml",
    "nq": "application/n-quads", "nquads": "application/n-quads", "trig": "application/trig",
}
# The same wish for the other kind of result (JSON for a CONSTRUCT means JSON-LD).
_OTHER_KIND = {"application/sparql-results+json": "application/ld+json",
               "application/sparql-results+xml": "application/rdf+xml",
               "application/ld+json": "application/sparql-results+json",
               "application/rdf+xml": "application/sparql-results+xml"}
RDF_SUFFIXES: dict[str, str] = {"ttl": "text/turtle", "jsonld": "application/ld+json",
                                "nt": "application/n-triples", "rdf": "application/rdf+xml"}
# Synonyms clients send for the same formats.
_ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml",
            "text/xml": "application/sparql-results+xml", "application/x-turtle": "text/turtle",
            "text/plain": "application/n-triples", "application/json+ld": "application/ld+json"}
ALL_FORMATS = [*RESULT_FORMATS, *GRAPH_FORMATS]


def negotiate(offered: Sequence[str], override: str | None = None) -> str:
    """The best of ``offered`` for this request.

    :raises HttpError: 400 for an unknown override, 406 when ``Accept`` allows none of ``offered``.
    """
    return negotiate_header(request.headers.get("Accept"), offered, override)


_CACHED_ACCEPT = 512
"""``Accept`` headers up to this many characters have their outcome kept (256 at most)."""


def negotiate_header(accept: str | None, offered: Sequence[str], override: str | None = None) -> str:
    """The best of ``offered`` for an ``Accept`` header (None: absent) and a ``format=`` override.

    Outcomes are kept per (header, offer, override) for headers of usual length: parsing and matching
    ``Accept`` was a tenth of a small query's time through ``/sparql``.

    :raises HttpError: 400 for an unknown override, 406 when ``Accept`` allows none of ``offered``.
    """
    key = (accept, tuple(offered), override)
    small = (len(accept) if accept else 0) + (len(override) if override else 0) <= _CACHED_ACCEPT
    media, status, message = _negotiated(*key) if small else _negotiated.__wrapped__(*key)
    if media is None:
        raise HttpError(status, message)
    return media


@lru_cache(maxsize=256)
def _negotiated(accept: str | None, offered: tuple[str, ...], override: str | None) -> tuple[str | None, int, str]:
    """The chosen media type, or None with the error's status and message."""
    if override:
        media = FORMAT_NAMES.get(override.lower(), override.lower())
        if media not in offered:
            media = _ALIASES.get(media, media)
        if media not in offered and _OTHER_KIND.get(media) in offered:
            media = _OTHER_KIND[media]
        if media not in offered:
            return (None, 400 if media not in ALL_FORMATS and "/" not in override else 406,
                    f"format {override!r} is not available here (use one of: {', '.join(offered)})")
        return media, 200, ""
    parsed = parse_accept_header(accept, MIMEAccept)
    if not parsed:
        return offered[0], 200, ""
    candidates = list(offered) + [alias for alias, target in _ALIASES.items() if target in offered]
    best = parsed.best_match(candidates)
    if best is None:
        return None, 406, f"cannot answer with {accept!r}; available: {', '.join(offered)}"
    return (best if best in offered else _ALIASES[best]), 200, ""


def rdf_response(triples: list[ox.Triple], media: str, prefixes: Mapping[str, str]) -> Response:
    """Triples in the RDF format ``media`` (prefixes used where the format has them), varying on Accept.
    JSON-LD is compacted with the published context (:mod:`kg.interop.jsonld`)."""
    if media == "application/ld+json":
        from kg.interop.jsonld import compact_triples

        body = json.dumps(compact_triples(triples), ensure_ascii=False).encode()
    else:
        body = serialise_triples(triples, media, prefixes)
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    return response
