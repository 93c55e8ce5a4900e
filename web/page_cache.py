"""Pages of an immutable release, rendered once: an LRU cache by bytes, strong ETags, 304s.

A release never changes, so a page rendered from it is the same until the next release: every
successful GET of a page or data twin is kept (key: scheme, host, path with query string, ``Accept``)
up to ``Settings.page_cache_bytes``, least recently used first out. Each carries a strong ETag made
of the release id and a digest of the body, ``Last-Modified`` (when the release was built) and
``Cache-Control: public, max-age=…``; a conditional GET whose ``If-None-Match`` or
``If-Modified-Since`` still holds gets 304 without rendering anything.

The budget counts what an entry really holds in memory (:func:`footprint`: the key's strings, the
body, every header object, the map's own node), and a request whose key is over
:data:`MAX_KEY_CHARS` (a 60 KB query string, a padded ``Accept``) is served uncached: thousands of
distinct tiny pages cannot hold more than the budget.

Not cached: ``/sparql`` (its queries run in the worker pool under the time limit), static files (Flask
sends them with their own validators), answers other than 200, and anything when the app serves a
remote store (whose data can change under us: ``release`` is None).
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask, Response, g, request

from kg.query.listings import most_linked_resources
from kg.query.store import QueryStore

__all__ = ["MAX_KEY_CHARS", "CachedPage", "PageCache", "Release", "footprint", "install_page_cache", "most_linked",
           "warm_pages"]

MAX_KEY_CHARS = 2048
"""Longest key (scheme, host, path with query string and ``Accept``, in characters) a page is cached under."""
_NODE = 176
"""Bytes the ordered map spends per entry besides key and page: its slot, list node and the (page, size) pair (measured
with tracemalloc on CPython 3.11, rounded up)."""


@dataclass(frozen=True)
class Release:
    """What identifies the data being served: an id that changes with it, and when it was made."""

    id: str
    modified: datetime
    nquads: Path | None = None
    """A file holding exactly the served quads as N-Quads (a release's own ``mmkg.nq``, pinned while served):
    ``/dump.nq`` sends it as it is. None: the dump is written from the store."""


@dataclass(frozen=True, slots=True)
class CachedPage:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def size(self) -> int:
        """Bytes this page holds in memory: the object, its body, each header pair and its strings."""
        return (sys.getsizeof(self) + sys.getsizeof(self.body) + sys.getsizeof(self.headers)
                + sum(sys.getsizeof(pair) + sys.getsizeof(pair[0]) + sys.getsizeof(pair[1]) for pair in self.headers))


def footprint(key: tuple[str, ...], page: CachedPage) -> int:
    """Bytes an entry holds in a :class:`PageCache`: key tuple and strings, the page, the map's node."""
    return sys.getsizeof(key) + sum(sys.getsizeof(part) for part in key) + page.size + _NODE


class PageCache:
    """A thread-safe LRU map bounded by the bytes of what it holds."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple[str, ...], tuple[CachedPage, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: tuple[str, ...]) -> CachedPage | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: tuple[str, ...], page: CachedPage) -> None:
        """Keep ``page`` under ``key``, unless the key is over :data:`MAX_KEY_CHARS` or the entry over a
        quarter of the budget (one huge answer must not flush everything else)."""
        if sum(map(len, key)) > MAX_KEY_CHARS:
            return
        size = footprint(key, page)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._pages[key] = (page, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._pages:
                _, (_, evicted) = self._pages.popitem(last=False)
                self.bytes -= evicted

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.bytes = 0


_SKIP_PREFIXES = ("/sparql", "/static/")


def _cacheable_request() -> bool:
    return request.method in ("GET", "HEAD") and not request.path.startswith(_SKIP_PREFIXES)


def _key() -> tuple[str, ...] | None:
    """What a page is cached under; None when that is longer than :data:`MAX_KEY_CHARS` (served uncached)."""
    key = (request.scheme, request.host, request.full_path, request.headers.get("Accept", ""))
    return key if sum(map(len, key)) <= MAX_KEY_CHARS else None


def install_page_cache(app: Flask, release: Release, cache: PageCache, max_age: int) -> None:
    """Answer repeated GETs of ``app`` from ``cache`` and give every page of ``release`` its validators."""
    cache_control = f"public, max-age={max_age}"

    @app.before_request
    def _from_cache() -> Response | None:
        key = _key() if _cacheable_request() else None
        page = cache.get(key) if key is not None else None
        if page is None:
            return None
        g.mmkg_cached = True
        response = Response(page.body, status=page.status, headers=list(page.headers))
        response.make_conditional(request)
        return response

    @app.after_request
    def _into_cache(response: Response) -> Response:
        key = _key() if _cacheable_request() else None
        if (key is None or g.get("mmkg_cached") or response.status_code != 200
                or response.direct_passthrough or response.is_streamed or "Set-Cookie" in response.headers):
            return response
        body = response.get_data()
        response.set_etag(f"{release.id}-{hashlib.sha256(body).hexdigest()[:20]}")
        response.last_modified = release.modified
        response.headers["Cache-Control"] = cache_control
        vary = {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}
        response.headers["Vary"] = ", ".join(sorted(vary | {"Accept"}))
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() != "content-length")
        cache.put(key, CachedPage(200, headers, body))
        response.make_conditional(request)
        return response


def warm_pages(app: Flask, paths: Iterable[str], base_url: str) -> int:
    """Render ``paths`` (as HTML, for requests to ``base_url``) into the app's cache; how many were 200."""
    client = app.test_client()
    done = 0
    for path in paths:
        if client.get(path, base_url=base_url, headers={"Accept": "text/html"}).status_code == 200:
            done += 1
    return done


def most_linked(store: QueryStore, n: int) -> list[str]:
    """Local paths of the ``n`` resources most often the object of a triple: the hub pages."""
    from web.iris import local_path

    return [local_path(iri) for iri in most_linked_resources(store, n)]
