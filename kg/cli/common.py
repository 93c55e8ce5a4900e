"""What the command groups share: the ``mmkg`` group, where the graph is, atomic writes, remote options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg.atomic import write_atomically
from kg.curation.provenance import default_sources_dir
from kg.pipeline.releases import current_release, data_home, write_release
from kg.pipeline.steps import build_graph
from kg.query.remote import RemoteStore
from kg.query.store import Store

__all__ = ["main", "open_store", "release_dir", "remote_options", "remote_store", "sources_option",
           "write_atomically"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="myeloma-kg")
def main() -> None:
    """myeloma-kg: the evidence on maintenance therapy in multiple myeloma as a knowledge graph."""


def sources_option(sources: Path | None, no_sources: bool) -> Path | None:
    if no_sources:
        return None
    return sources if sources is not None else default_sources_dir()


def release_dir(out: Path | None) -> Path:
    """The current release of the data home, built first when there is none."""
    home = data_home(out)
    release = current_release(home)
    if release is None:
        click.echo(f"No graph in {home} yet: building it first.", err=True)
        release = write_release(build_graph(default_sources_dir()), home)
    return release


def open_store(out: Path | None, store_path: Path | None) -> Store:
    """The current release in a pyoxigraph store (in memory, or on disk at ``store_path``)."""
    return Store.from_release(release_dir(out) / "mmkg.nq", store_path)




def remote_options(func: Any) -> Any:
    """``--endpoint``, ``--auth`` and ``--remote-timeout``: run on any SPARQL 1.1 server instead."""
    func = click.option("--remote-timeout", type=click.FloatRange(1, 3600), default=30.0, show_default=True,
                        help="Seconds to wait for the remote server.")(func)
    func = click.option("--auth", "auth_env", metavar="ENV",
                        help="Name of an environment variable holding 'user:password' or 'Bearer TOKEN' "
                             "(credentials never go on the command line).")(func)
    return click.option("--endpoint", metavar="URL",
                        help="A SPARQL 1.1 query endpoint to use instead of the embedded store.")(func)


def remote_store(endpoint: str, auth_env: str | None, timeout: float, graph_store: str | None = None) -> RemoteStore:
    """A :class:`RemoteStore`, with its set-up warnings shown on stderr."""
    store = RemoteStore(endpoint, graph_store=graph_store, auth_env=auth_env, timeout=timeout)
    for warning in store.check():
        click.echo(f"warning: {warning}", err=True)
    return store
