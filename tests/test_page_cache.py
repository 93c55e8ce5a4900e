"""Pages of an immutable release: strong ETags, Last-Modified, 304s, an LRU cache bounded by bytes,
warm hub pages, and releases that a server uses kept from pruning."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.pipeline import releases
from kg.query.catalogue import Catalogue
from kg.query.store import Store
from web import create_app
from web.context import AppContext
from web.page_cache import MAX_KEY_CHARS, CachedPage, PageCache, Release, footprint, most_linked, warm_pages
from web.settings import Settings

from .conftest import AppFactory

BUILT = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _app(store: Store, catalogue: Catalogue, release_id: str = "r1", **settings: int) -> Flask:
    # also behind module-scoped fixtures (one cache shared by the module's tests): not the per-test make_app
    return create_app(store, catalogue, Settings(**settings), warm=False,  # type: ignore[arg-type]
                      release=Release(release_id, BUILT))


@pytest.fixture(scope="module")
def cached(store: Store, catalogue: Catalogue) -> Flask:
    return _app(store, catalogue)


def _cache(app: Flask) -> PageCache:
    context: AppContext = app.extensions["mmkg"]
    assert context.page_cache is not None
    return context.page_cache


@pytest.mark.parametrize("path, accept", [
    ("/resource/lenalidomide", "text/html"),
    ("/resource/lenalidomide", "text/turtle"),
    ("/queries/significant-pfs-benefit.json", "*/*"),
    ("/evidence.csv", "*/*"),
    ("/evidence", "text/html"),
])
def test_every_page_of_a_release_carries_validators_and_answers_304(cached: Flask, path: str, accept: str) -> None:
    client = cached.test_client()
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"r1-') and not etag.startswith("W/")
    assert first.headers["Last-Modified"] == format_datetime(BUILT, usegmt=True)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert "Accept" in first.headers["Vary"]
    again = client.get(path, headers={"Accept": accept})
    assert again.data == first.data and again.headers["ETag"] == etag
    assert again.headers["X-Content-Type-Options"] == "nosniff"  # security headers on cached answers too
    not_modified = client.get(path, headers={"Accept": accept, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    since = client.get(path, headers={"Accept": accept, "If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    changed = client.get(path, headers={"Accept": accept, "If-None-Match": '"r0-stale"'})
    assert changed.status_code == 200 and changed.data == first.data


def test_representations_are_cached_apart_and_hits_are_counted(cached: Flask) -> None:
    client = cached.test_client()
    cache = _cache(cached)
    html = client.get("/resource/myeloma-xi", headers={"Accept": "text/html"})
    turtle = client.get("/resource/myeloma-xi", headers={"Accept": "text/turtle"})
    assert html.headers["ETag"] != turtle.headers["ETag"]
    assert html.mimetype == "text/html" and turtle.mimetype == "text/turtle"
    hits = cache.hits
    assert client.get("/resource/myeloma-xi", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    assert client.head("/resource/myeloma-xi", headers={"Accept": "text/html"}).status_code == 200
    assert cache.hits == hits + 2


def test_what_is_not_cached(cached: Flask) -> None:
    client = cached.test_client()
    cache = _cache(cached)
    size = len(cache)
    missing = client.get("/resource/no-such-thing")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    answer = client.get("/sparql", query_string={"query": "ASK {}"},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and "ETag" not in answer.headers
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200
    assert len(cache) == size


def test_a_new_release_gives_new_etags(store: Store, catalogue: Catalogue, cached: Flask) -> None:
    old = cached.test_client().get("/resource/lenalidomide").headers["ETag"]
    new = _app(store, catalogue, "r2").test_client().get("/resource/lenalidomide").headers["ETag"]
    assert old.split("-", 1)[1] == new.split("-", 1)[1] and old != new


def test_without_a_release_nothing_is_cached(client: FlaskClient) -> None:
    response = client.get("/resource/lenalidomide")
    assert response.status_code == 200 and "ETag" not in response.headers


def test_the_cache_is_bounded_by_bytes_least_recently_used_first() -> None:
    cache = PageCache(40_000)
    page = CachedPage(200, (("Content-Type", "text/html"),), b"x" * 9_000)
    for name in "abcd":
        cache.put((name,), page)
    assert cache.get(("a",)) is not None  # a is now the most recent
    cache.put(("e",), page)
    assert cache.get(("b",)) is None and cache.get(("a",)) is not None
    assert cache.bytes <= 40_000 and len(cache) == 4
    cache.put(("huge",), CachedPage(200, (), b"x" * 20_000))  # over a quarter of the budget: not kept
    assert cache.get(("huge",)) is None and len(cache) == 4


def test_warming_renders_the_hub_pages(store: Store, catalogue: Catalogue) -> None:
    app = _app(store, catalogue, warm_pages=5)
    hubs = most_linked(store, 5)
    assert len(hubs) == 5 and all(p.startswith("/resource/") for p in hubs)
    assert warm_pages(app, hubs, "http://127.0.0.1:5000") == 5
    cache = _cache(app)
    assert len(cache) == 5
    app.test_client().get(hubs[0], base_url="http://127.0.0.1:5000", headers={"Accept": "text/html"})
    assert cache.hits == 1


def _fake_release(home: Path, stamp: str) -> Path:
    folder = home / "releases" / stamp
    folder.mkdir(parents=True)
    (folder / releases.NQUADS).write_text("")
    (folder / releases.MANIFEST).write_text("{}")
    return folder


def test_a_pinned_release_is_never_pruned(tmp_path: Path) -> None:
    served = _fake_release(tmp_path, "20260101T000000000000Z")
    dead = _fake_release(tmp_path, "20260102T000000000000Z")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (dead / ".pins").mkdir()
    (dead / ".pins" / gone.stdout.strip()).touch()  # pinned by a process that has exited
    newer = [_fake_release(tmp_path, f"2026020{i}T000000000000Z") for i in range(1, 5)]
    with releases.pinned(served):
        assert (served / ".pins" / str(os.getpid())).exists()
        releases._prune(tmp_path / "releases", keep=newer[-1])
        assert served.is_dir() and not dead.exists()
    assert not (served / ".pins" / str(os.getpid())).exists()
    releases._prune(tmp_path / "releases", keep=newer[-1])
    assert not served.exists() and all(p.is_dir() for p in newer[-3:])


def test_a_hub_page_of_a_large_graph_plots_a_readable_number_of_rows(tmp_path: Path, make_app: AppFactory) -> None:
    from kg.synthetic.triples import synthesise
    from web.blueprints.entities import MAX_PLOTTED

    synthesise(tmp_path / "big.nq", 60_000, seed=1)
    app = make_app(Settings(), store=Store.from_file(tmp_path / "big.nq"), warm=False)
    page = app.test_client().get("/resource/lenalidomide").get_data(as_text=True)
    assert f"the first {MAX_PLOTTED} of" in page
    wide = page[page.index('class="forest forest-wide"'):]
    wide = wide[:wide.index("</svg>")]
    assert wide.count('<g class="fp-row') == MAX_PLOTTED


def test_two_builds_into_one_home_take_turns(tmp_path: Path) -> None:
    import threading
    import time

    order: list[str] = []
    waited = threading.Event()
    with releases.build_lock(tmp_path):
        def second() -> None:
            with releases.build_lock(tmp_path, waited.set):
                order.append("second")

        thread = threading.Thread(target=second)
        thread.start()
        assert waited.wait(5)
        time.sleep(0.2)
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]


def test_an_uncached_entity_page_does_not_fetch_its_findings_twice(store: Store, make_app: AppFactory) -> None:
    """The evidence index already holds what concerns an entity: describing it asks the store only for the
    entity's own triples, incoming links, labels, identifiers and sources (no findings query), so a hub of a
    large graph renders in tens of milliseconds (bench/cold_pages.py)."""
    app = make_app(Settings(page_cache_bytes=0))
    client = app.test_client()
    queries: list[str] = []
    original = store.query

    def counting(query: str, *args: object, **kwargs: object) -> object:
        queries.append(query)
        return original(query, *args, **kwargs)  # type: ignore[arg-type]

    store.query = counting  # type: ignore[method-assign,assignment]
    try:
        page = client.get("/resource/lenalidomide")
        again = client.get("/resource/lenalidomide")
    finally:
        del store.query  # type: ignore[method-assign]
    assert page.status_code == again.status_code == 200
    assert page.data == again.data
    html = page.get_data(as_text=True)
    assert "evidence-table" in html and "s000" in html and "s001" in html  # the table and its sources
    assert not any("fromSource" in q and "LIMIT" in q for q in queries)  # no findings_about query
    assert len(queries) <= 24  # one page: its own queries plus one per incoming predicate (lenalidomide has 12)


def test_a_request_whose_key_is_too_long_is_served_uncached(cached: Flask) -> None:
    client = cached.test_client()
    cache = _cache(cached)
    size = len(cache)
    long_query = "/search.json?q=lenalidomide&pad=" + "p" * MAX_KEY_CHARS
    first, again = client.get(long_query), client.get(long_query)
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert "ETag" not in first.headers and len(cache) == size  # answered, not kept
    padded_accept = client.get("/search.json?q=lenalidomide", headers={"Accept": "*/*;" + "q=1;" * 600})
    assert padded_accept.status_code == 200 and len(cache) == size
    assert client.get("/search.json?q=lenalidomide&pad=short").headers.get("ETag")  # a short key is cached
    assert len(cache) == size + 1


def test_the_budget_counts_what_entries_really_hold_keys_included() -> None:
    """Thousands of tiny pages under distinct keys just under the cap: what clearing the cache gives back
    (tracemalloc) is within the budget, and the cache's own count is no less than that."""
    import gc
    import tracemalloc

    budget = 4 * 2**20
    cache = PageCache(budget)
    tracemalloc.start()
    try:
        for i in range(5_000):  # about 1,000 entries fill the budget: five times over, evicting all along
            key = ("http", "127.0.0.1:5000", f"/search.json?q=x{i}&pad=" + "p" * (MAX_KEY_CHARS - 60), "*/*")
            headers = tuple((f"X-Header-{n}", f"value {i} {n}") for n in range(8))
            cache.put(key, CachedPage(200, headers, b"[]"))
        counted = cache.bytes
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        cache.clear()
        gc.collect()
        freed = held - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert counted <= budget and freed <= budget * 1.05, (counted, freed)
    assert counted >= freed * 0.95, f"the cache counted {counted:,} bytes but held {freed:,}"
    assert 1000 < freed < budget * 1.05  # it did hold a budget's worth (the old count let it hold ~3x)


def test_footprint_is_at_least_the_key_and_the_body() -> None:
    key = ("http", "h", "/p?" + "q" * 1000, "*/*")
    page = CachedPage(200, (("Content-Type", "text/html"),), b"x" * 5000)
    assert footprint(key, page) > 6000


def test_unknown_entities_are_not_remembered(make_app: AppFactory) -> None:
    app = make_app(Settings(page_cache_bytes=0), warm=False)
    context: AppContext = app.extensions["mmkg"]
    client = app.test_client()
    assert client.get("/resource/lenalidomide").status_code == 200
    remembered = len(context.evidence._sorted), len(context.plotted)
    for i in range(200):
        assert client.get(f"/resource/no-such-thing-{i}-" + "x" * 2000).status_code == 404
    assert (len(context.evidence._sorted), len(context.plotted)) == remembered
