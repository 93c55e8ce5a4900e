"""What ``mmkg serve`` runs: the data it serves, the app over it, and switching to new data live.

:class:`Source` says where the data comes from (the current release of a data home, an RDF file, an
on-disk store) and how to tell that it changed. :func:`open_served` loads it — store, worker pool,
app, the release pinned against pruning — as one :class:`Served` that can be closed.
:class:`SwitchingApp` is the WSGI callable waitress serves: :meth:`SwitchingApp.watch` loads a new
release when ``current`` moves (``--watch``, polled) or on SIGHUP, switches new requests to it at
once, and closes the old one when the requests it was answering have had their time limit. A
release that fails to load is reported and the old one keeps serving.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from kg import paths
from kg.pipeline.releases import current_release, pinned
from kg.query.catalogue import load_catalogue
from kg.query.protocol.sandbox import QueryPool, StoreSpec
from kg.query.store import Store
from web.page_cache import Release, most_linked, warm_pages
from web.settings import Settings

__all__ = ["Served", "Source", "SwitchingApp", "open_served", "worker_memory"]

_log = logging.getLogger("mmkg.serve")


@dataclass(frozen=True)
class Source:
    """Where the served data comes from: exactly one of the three."""

    home: Path | None = None
    """A data home: serve its current release."""
    graph: Path | None = None
    """An RDF file."""
    store_dir: Path | None = None
    """An on-disk pyoxigraph store (not watched)."""
    opener: Callable[[], Store] | None = None
    """How to open ``store_dir`` (filling it from the current release when empty)."""

    def identity(self) -> str | None:
        """Changes when the data does: the current release's folder, or a file's size and time."""
        if self.home is not None:
            release = current_release(self.home)
            return str(release) if release is not None else None
        path = self.graph or self.store_dir
        assert path is not None
        try:
            stat = path.stat()
        except OSError:
            return None
        return f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"


@dataclass
class Served:
    """The app over one version of the data, and how to let it go."""

    app: Flask
    store: Store
    release: Release
    close: Callable[[], None]


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)


def _file_release(path: Path) -> Release:
    """A graph file or store folder served as is: its id changes with its name, size and time."""
    stat = path.stat()
    digest = hashlib.sha256(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
    return Release(digest[:16], _modified(path))


def worker_memory(settings: Settings, spec: StoreSpec) -> int:
    """Bytes of address space per query worker: as configured, else 1 GiB plus 8 times the data."""
    if settings.worker_memory_mb:
        return settings.worker_memory_mb * 2**20
    data = spec.nquads or spec.rdf_file
    size = data.stat().st_size if data is not None else sum(
        p.stat().st_size for p in (spec.store_dir or Path()).rglob("*") if p.is_file())
    return 2**30 + 8 * size


def open_served(source: Source, settings: Settings, load: Callable[[Path, Callable[[], Store]], Store],
                base_url: str) -> Served:
    """Load ``source``: its store (through ``load``, which may report progress), a worker pool, the app,
    the release pinned; its hub pages warmed in the background.

    :raises FileNotFoundError: when a data home has no release.
    """
    stack = ExitStack()
    try:
        if source.home is not None:
            folder = current_release(source.home)
            if folder is None:
                raise FileNotFoundError(f"{source.home} has no release; run mmkg build")
            stack.enter_context(pinned(folder))
            nquads = folder / "mmkg.nq"
            store = load(nquads, lambda: Store.from_release(nquads))
            spec = StoreSpec(nquads=nquads.resolve())
            release = Release(folder.name, _modified(folder / "manifest.json"), nquads=nquads.resolve())
        elif source.graph is not None:
            graph = source.graph
            store = load(graph, lambda: Store.from_file(graph))
            spec = StoreSpec(rdf_file=graph.resolve())
            release = _file_release(graph)
        else:
            assert source.store_dir is not None
            store = source.opener() if source.opener is not None else Store.read_only(source.store_dir)
            spec = StoreSpec(store_dir=source.store_dir.resolve())
            release = _file_release(source.store_dir)
        pool = QueryPool(spec, settings.workers, settings.query_timeout, settings.queue_wait,
                         worker_memory(settings, spec), settings.reserved_workers)
        stack.callback(pool.close)
        from web import create_app

        app = create_app(store, load_catalogue(paths.queries_dir()), settings, pool=pool, release=release)
    except BaseException:
        stack.close()
        raise
    if settings.warm_pages and settings.page_cache_bytes:
        threading.Thread(target=warm_pages, args=(app, most_linked(store, settings.warm_pages), base_url),
                         daemon=True, name="warm-pages").start()
    return Served(app, store, release, stack.close)


class SwitchingApp:
    """A WSGI app that forwards to the current :class:`Served` and can switch to a new one live."""

    def __init__(self, served: Served, source: Source, settings: Settings,
                 load: Callable[[Path, Callable[[], Store]], Store], base_url: str) -> None:
        self.served = served
        self.source = source
        self.settings = settings
        self._load = load
        self._base_url = base_url
        self._identity = source.identity()
        self._wake = threading.Event()
        self.switches = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        app: Flask = self.served.app
        return app(environ, start_response)

    def reload(self) -> bool:
        """Load the source again if it changed, switch to it, and let the old data go; whether it switched."""
        identity = self.source.identity()
        if identity is None or identity == self._identity:
            return False
        self._identity = identity
        try:
            fresh = open_served(self.source, self.settings, self._load, self._base_url)
        except Exception:
            _log.exception("the new data could not be loaded; still serving release %s", self.served.release.id)
            return False
        old, self.served = self.served, fresh
        self.switches += 1
        _log.warning("now serving release %s (was %s)", fresh.release.id, old.release.id)
        grace = self.settings.query_timeout + 2  # requests already on the old app finish first
        threading.Timer(grace, old.close).start()
        return True

    def watch(self, interval: float | None) -> None:
        """Reload on SIGHUP, and every ``interval`` seconds when given, in a background thread."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, lambda *_: self._wake.set())

        def loop() -> None:
            while True:
                self._wake.wait(interval)
                self._wake.clear()
                self.reload()

        threading.Thread(target=loop, daemon=True, name="mmkg-reload").start()

    def close(self) -> None:
        self.served.close()
