"""``mmkg serve``: the web app under waitress. The ``mmkg`` script is this module's :func:`run`.

``kg`` must not import ``web``, so the web commands are added to the core command group here, and
the console script points at this module; ``python -m kg`` has the core commands only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import click

from kg import paths
from kg.cli import main, open_store, release_dir, remote_options, remote_store
from kg.cli import run as run_cli
from kg.query.catalogue import load_catalogue
from kg.query.remote import RemoteStore
from kg.query.sandbox import QueryPool, StoreSpec
from kg.query.store import Store
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
    if graph_file is not None:
        store = _loading(graph_file, lambda: _load_graph(graph_file))
        spec = StoreSpec(rdf_file=graph_file.resolve())
    elif store_path is not None:
        store = open_store(out, store_path)
        spec = StoreSpec(store_dir=store_path.resolve())
    else:
        nquads = release_dir(out) / "mmkg.nq"
        store = _loading(nquads, lambda: Store.from_release(nquads))
        spec = StoreSpec(nquads=nquads.resolve())
    pool = QueryPool(spec, settings.workers, settings.query_timeout)
    try:
        app = create_app(store, load_catalogue(paths.queries_dir()), settings, pool=pool)
        click.echo(f"Serving {len(store):,} quads at http://{host}:{port}/ (Ctrl-C to stop); queries from "
                   f"outside run in {settings.workers} worker processes, stopped after {settings.query_timeout:g} s")
        if settings.allowed_services:
            click.echo("Federation: SERVICE may call " + ", ".join(settings.allowed_services))
        waitress.serve(app, host=host, port=port, threads=threads, ident="myeloma-kg", _quiet=True)
    finally:
        pool.close()


def _serve_remote(host: str, port: int, threads: int, settings: Settings, store: RemoteStore) -> None:
    """The whole app, read-only, on a remote SPARQL server: no worker pool, the server's own time
    limit plus ours as the client's timeout; the guard still refuses updates and SERVICE."""
    import waitress

    from web import create_app

    app = create_app(store, load_catalogue(paths.queries_dir()), settings)
    click.echo(f"Serving {store.endpoint} ({len(store):,} quads) at http://{host}:{port}/ (Ctrl-C to stop); "
               f"queries time out after {store.timeout:g} s")
    waitress.serve(app, host=host, port=port, threads=threads, ident="myeloma-kg", _quiet=True)


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
