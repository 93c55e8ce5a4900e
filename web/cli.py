"""``mmkg serve``: the web app under waitress. The ``mmkg`` script is this module's :func:`run`.

``kg`` must not import ``web``, so the web commands are added to the core command group here, and
the console script points at this module; ``python -m kg`` has the core commands only.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from kg import paths
from kg.build.releases import pinned
from kg.cli import main, open_store, release_dir, remote_options, remote_store
from kg.cli import run as run_cli
from kg.query.catalogue import load_catalogue
from kg.query.remote import RemoteStore
from kg.query.sandbox import QueryPool, StoreSpec
from kg.query.store import Store
from web.page_cache import Release, most_linked, warm_pages
from web.settings import Settings

__all__ = ["run", "serve"]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--store", "store_path", type=click.Path(path_type=Path),
              help="On-disk pyoxigraph store (loaded from the current release when empty).")
@click.option("--graph", "graph_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Serve this RDF file (any format pyoxigraph reads: .ttl .nt .nq .trig .rdf .jsonld) instead of "
                   "the built graph.")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory of the built graph.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option("--workers", type=click.IntRange(1, 64), help="Query worker processes (default $MMKG_WORKERS or 2).")
@click.option("--timeout", "query_timeout", type=click.FloatRange(0.1, 3600),
              help="Seconds before a query from outside is stopped (default $MMKG_QUERY_TIMEOUT or 10).")
@click.option("--service-allow", "service_allow", multiple=True, metavar="URL",
              help="Let SERVICE call this endpoint (repeatable; default $MMKG_SERVICE_ALLOW; none: federation off).")
@remote_options
def serve(host: str, port: int, store_path: Path | None, graph_file: Path | None, out: Path | None,
          threads: int, workers: int | None, query_timeout: float | None, service_allow: tuple[str, ...],
          endpoint: str | None, auth_env: str | None, remote_timeout: float) -> None:
    """Serve the web app (SPARQL endpoint, saved queries, editor, entity pages) with waitress."""
    import waitress

    from web import create_app

    if sum(x is not None for x in (graph_file, store_path, endpoint)) > 1:
        raise click.UsageError("give one of --graph, --store and --endpoint")
    try:
        settings = Settings.from_env(workers=workers, query_timeout=query_timeout,
                                     service_allow=" ".join(service_allow) or None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    for allowed in settings.allowed_services:
        parts = urlsplit(allowed)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise click.BadParameter(f"{allowed!r} is not an http(s) endpoint URL", param_hint="--service-allow")
    if endpoint is not None:
        _serve_remote(host, port, threads, settings, remote_store(endpoint, auth_env, remote_timeout))
        return
    with ExitStack() as stack:
        if graph_file is not None:
            store = _loading(graph_file, lambda: _load_graph(graph_file))
            spec = StoreSpec(rdf_file=graph_file.resolve())
            release = _file_release(graph_file)
        elif store_path is not None:
            store = open_store(out, store_path)
            spec = StoreSpec(store_dir=store_path.resolve())
            release = _file_release(store_path)
        else:
            folder = stack.enter_context(pinned(release_dir(out)))
            nquads = folder / "mmkg.nq"
            store = _loading(nquads, lambda: Store.from_release(nquads))
            spec = StoreSpec(nquads=nquads.resolve())
            release = Release(folder.name, _modified(folder / "manifest.json"))
        pool = QueryPool(spec, settings.workers, settings.query_timeout, settings.queue_wait,
                         _worker_memory(settings, spec))
        stack.callback(pool.close)
        app = create_app(store, load_catalogue(paths.queries_dir()), settings, pool=pool, release=release)
        click.echo(f"Serving {len(store):,} quads (release {release.id}) at http://{host}:{port}/ (Ctrl-C to "
                   f"stop); queries from outside run in {settings.workers} worker processes, stopped after "
                   f"{settings.query_timeout:g} s")
        if settings.allowed_services:
            click.echo("Federation: SERVICE may call " + ", ".join(settings.allowed_services))
        if settings.warm_pages and settings.page_cache_bytes:
            hubs = most_linked(store, settings.warm_pages)
            threading.Thread(target=warm_pages, args=(app, hubs, f"http://{host}:{port}"), daemon=True,
                             name="warm-pages").start()
        waitress.serve(app, host=host, port=port, threads=threads, ident="myeloma-kg", _quiet=True,
                       **server_limits(settings))


@main.command()
@click.option("-o", "--out", "site", required=True, type=click.Path(path_type=Path),
              help="Folder to write the site into (new, empty, or an earlier site, which is replaced).")
@click.option("--base-url", default="http://localhost:8080/", show_default=True,
              help="Where the site will be served (absolute links in pages and data use it).")
@click.option("--endpoint", "sparql_endpoint", metavar="URL",
              help="SPARQL endpoint /sparql redirects to (this app's, or any SPARQL 1.1 server holding the release).")
@click.option("--app-url", metavar="URL", help="A live mmkg serve that search, the editor and forms redirect to.")
@click.option("--data", "data_out", type=click.Path(path_type=Path), help="Data directory of the built graph.")
def publish(site: Path, base_url: str, sparql_endpoint: str | None, app_url: str | None,
            data_out: Path | None) -> None:
    """Write the current release as a static site: every page and data twin, plus redirect rules."""
    from web import create_app
    from web.publish import PublishError
    from web.publish import publish as write_site

    for name, url in (("--base-url", base_url), ("--endpoint", sparql_endpoint), ("--app-url", app_url)):
        if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint=name)
    folder = release_dir(data_out)
    store = Store.from_release(folder / "mmkg.nq")
    catalogue = load_catalogue(paths.queries_dir())
    app = create_app(store, catalogue, Settings.from_env(), warm=False)
    started = time.perf_counter()
    try:
        report = write_site(app, store, site, base_url, endpoint=sparql_endpoint, app_url=app_url,
                            query_names=[q.name for q in catalogue])
    except PublishError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from exc
    for page, link, status in report.broken:
        click.echo(f"warning: {page} links to {link}, which answers {status}", err=True)
    click.echo(f"Wrote {report.pages:,} pages and {report.files - report.pages:,} data files "
               f"({report.bytes / 2**20:.1f} MB) of release {folder.name} to {report.out} in "
               f"{time.perf_counter() - started:.1f} s; serve it with any static server "
               f"(nginx: nginx -p {report.out}/ -c nginx.conf)")


def _serve_remote(host: str, port: int, threads: int, settings: Settings, store: RemoteStore) -> None:
    """The whole app, read-only, on a remote SPARQL server: no worker pool, the server's own time
    limit plus ours as the client's timeout; the guard still refuses updates and SERVICE."""
    import waitress

    from web import create_app

    app = create_app(store, load_catalogue(paths.queries_dir()), settings)
    click.echo(f"Serving {store.endpoint} ({len(store):,} quads) at http://{host}:{port}/ (Ctrl-C to stop); "
               f"queries time out after {store.timeout:g} s")
    waitress.serve(app, host=host, port=port, threads=threads, ident="myeloma-kg", _quiet=True,
                   **server_limits(settings))


def _worker_memory(settings: Settings, spec: StoreSpec) -> int:
    """Bytes of address space per query worker: as configured, else 1 GiB plus 8 times the data."""
    if settings.worker_memory_mb:
        return settings.worker_memory_mb * 2**20
    data = spec.nquads or spec.rdf_file
    size = data.stat().st_size if data is not None else sum(
        p.stat().st_size for p in (spec.store_dir or Path()).rglob("*") if p.is_file())
    return 2**30 + 8 * size


def server_limits(settings: Settings) -> dict[str, object]:
    """What waitress refuses early: a body whose Content-Length is over the query cap gets 413 before
    it is read; headers over 64 KiB; connections over the limit wait to be accepted. Behind a trusted
    proxy, its X-Forwarded-For becomes the client's address (forwarding headers from others are dropped)."""
    limits: dict[str, object] = {
        "max_request_body_size": settings.max_query_bytes, "max_request_header_size": 64 * 1024,
        "connection_limit": settings.connection_limit, "channel_timeout": settings.channel_timeout,
        "clear_untrusted_proxy_headers": True}
    if settings.trusted_proxy:
        limits.update(trusted_proxy=settings.trusted_proxy, trusted_proxy_headers={"x-forwarded-for"},
                      trusted_proxy_count=1)
    return limits


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)


def _file_release(path: Path) -> Release:
    """A graph file or store folder served as is: its id changes with its name, size and time."""
    stat = path.stat()
    digest = hashlib.sha256(f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
    return Release(digest[:16], _modified(path))


def _loading(path: Path, load: Callable[[], Store]) -> Store:
    """Say what is being loaded and how long it took (pyoxigraph's bulk loader reports no progress)."""
    started = time.perf_counter()
    click.echo(f"Loading {path} ({path.stat().st_size / 2**20:,.0f} MB)…", err=True)
    store = load()
    click.echo(f"Loaded {len(store):,} quads in {time.perf_counter() - started:.1f} s; starting "
               "the query workers (each loads its own copy)…", err=True)
    return store


def _load_graph(path: Path) -> Store:
    try:
        return Store.from_file(path)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--graph") from exc
    except SyntaxError as exc:
        raise click.BadParameter(f"{path}: not valid RDF: {exc}", param_hint="--graph") from exc


def run() -> None:
    """The ``mmkg`` console script: core commands plus ``serve``."""
    run_cli()
