"""``mmkg serve``: the web app under waitress. The ``mmkg`` script is this module's :func:`run`.

``kg`` must not import ``web``, so the web commands are added to the core command group here, and
the console script points at this module; ``python -m kg`` has the core commands only.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import click

from kg import paths
from kg.cli import main, open_store, release_dir, remote_options, remote_store
from kg.cli import run as run_cli
from kg.pipeline.releases import data_home
from kg.query.catalogue import load_catalogue
from kg.query.remote import RemoteStore
from kg.query.store import Store
from web.http_server import create_server
from web.memory import tune_allocator
from web.serving import Source, SwitchingApp, open_served
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
@click.option("--watch", type=click.FloatRange(0.2, 3600), metavar="SECONDS",
              help="Check this often for a new release (or a changed --graph file) and switch to it without a "
                   "restart; SIGHUP does the same at any time.")
@click.option("--write-deadline", type=click.FloatRange(0, 3600), metavar="SECONDS",
              help="Seconds a client may take to read an answer, plus one per MMKG_WRITE_MIN_RATE bytes of it; "
                   "then it is dropped and its spool freed (default $MMKG_WRITE_DEADLINE or 30; 0: none).")
@click.option("--max-spool-mb", type=click.IntRange(0, 1 << 20), metavar="MB",
              help="MiB of unread answers all connections may hold; past it an answer gets 503 with "
                   "Retry-After (default $MMKG_MAX_SPOOL_BYTES or 256 MiB; 0: no cap).")
@remote_options
def serve(host: str, port: int, store_path: Path | None, graph_file: Path | None, out: Path | None,
          threads: int, workers: int | None, query_timeout: float | None, service_allow: tuple[str, ...],
          watch: float | None, write_deadline: float | None, max_spool_mb: int | None, endpoint: str | None,
          auth_env: str | None, remote_timeout: float) -> None:
    """Serve the web app (SPARQL endpoint, saved queries, editor, entity pages) with waitress."""
    tune_allocator()  # large answers' memory goes back to the system (web/memory.py)
    if sum(x is not None for x in (graph_file, store_path, endpoint)) > 1:
        raise click.UsageError("give one of --graph, --store and --endpoint")
    try:
        settings = Settings.from_env(workers=workers, query_timeout=query_timeout,
                                     service_allow=" ".join(service_allow) or None, write_deadline=write_deadline,
                                     max_spool_bytes=None if max_spool_mb is None else max_spool_mb * 2**20)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    for allowed in settings.allowed_services:
        parts = urlsplit(allowed)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise click.BadParameter(f"{allowed!r} is not an http(s) endpoint URL", param_hint="--service-allow")
    if endpoint is not None:
        _serve_remote(host, port, threads, settings, remote_store(endpoint, auth_env, remote_timeout))
        return
    if graph_file is not None:
        source = Source(graph=graph_file)
    elif store_path is not None:
        source = Source(store_dir=store_path, opener=lambda: open_store(out, store_path))
    else:
        release_dir(out)  # builds when there is no release yet
        source = Source(home=data_home(out))
    if watch is not None and source.store_dir is not None:
        raise click.UsageError("--watch needs the built graph or --graph (an on-disk store is not watched)")
    base_url = f"http://{host}:{port}"
    served = open_served(source, settings, _loading, base_url)
    app = SwitchingApp(served, source, settings, _loading, base_url)
    try:
        click.echo(f"Serving {len(served.store):,} quads (release {served.release.id}) at {base_url}/ (Ctrl-C to "
                   f"stop); queries from outside run in {settings.workers} worker processes, stopped after "
                   f"{settings.query_timeout:g} s")
        if settings.allowed_services:
            click.echo("Federation: SERVICE may call " + ", ".join(settings.allowed_services))
        if source.store_dir is None:
            app.watch(watch)
            click.echo("New releases are picked up " + (f"every {watch:g} s and " if watch else "") + "on SIGHUP "
                       f"(kill -HUP {os.getpid()})")
        create_server(app, settings, host, port, threads).run()
    finally:
        app.close()


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

    from web import create_app

    app = create_app(store, load_catalogue(paths.queries_dir()), settings)
    click.echo(f"Serving {store.endpoint} ({len(store):,} quads) at http://{host}:{port}/ (Ctrl-C to stop); "
               f"queries time out after {store.timeout:g} s")
    create_server(app, settings, host, port, threads).run()


def _loading(path: Path, load: Callable[[], Store]) -> Store:
    """Say what is being loaded and how long it took (pyoxigraph's bulk loader reports no progress);
    a file that is not RDF is a bad ``--graph``."""
    started = time.perf_counter()
    click.echo(f"Loading {path} ({path.stat().st_size / 2**20:,.0f} MB)…", err=True)
    try:
        store = load()
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--graph") from exc
    except SyntaxError as exc:
        raise click.BadParameter(f"{path}: not valid RDF: {exc}", param_hint="--graph") from exc
    click.echo(f"Loaded {len(store):,} quads in {time.perf_counter() - started:.1f} s; starting "
               "the query workers (each loads its own copy)…", err=True)
    return store


def run() -> None:
    """The ``mmkg`` console script: core commands plus ``serve``."""
    run_cli()
