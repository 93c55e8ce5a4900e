"""Export commands: ``export`` (RDF formats and SSSOM) and ``push`` (to any SPARQL 1.1 server)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import main, release_dir, write_atomically
from kg.pipeline.releases import read_manifest
from kg.query.remote import RemoteStore
from kg.query.store import Store

_EXPORT_FORMATS = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld", "xml": "xml"}
_EVIDENCE_FORMATS = {
    "meta-analysis": "one row per ratio estimate with TE and seTE (CSV; R: meta::metagen, metafor::rma)",
    "arms": "arm-level medians, proportions and counts (CSV)",
    "ris": "the sources and cited publications (RIS)",
    "bibtex": "the sources and cited publications (BibTeX)",
}


def _export_evidence(fmt: str, output: Path, out: Path | None) -> None:
    from kg.evidence.bibliography import bibtex, references, ris
    from kg.evidence.gather import gather
    from kg.evidence.meta import ARM_COLUMNS, META_COLUMNS, arm_rows, meta_rows, to_csv

    store = Store.from_release(release_dir(out) / "mmkg.nq")
    if fmt in ("ris", "bibtex"):
        refs = references(store)
        text, count = (ris(refs) if fmt == "ris" else bibtex(refs)), len(refs)
    else:
        findings = gather(store)
        rows = meta_rows(findings) if fmt == "meta-analysis" else arm_rows(findings)
        text, count = to_csv(rows, META_COLUMNS if fmt == "meta-analysis" else ARM_COLUMNS), len(rows)
    write_atomically(output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))
    click.echo(f"Wrote {output}: {count} {'entries' if fmt in ('ris', 'bibtex') else 'rows'}, "
               f"{_EVIDENCE_FORMATS[fmt]}.")


@main.command()
@click.option("--format", "fmt", type=click.Choice([*sorted(_EXPORT_FORMATS), "sssom", *sorted(_EVIDENCE_FORMATS)]),
              default="trig", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
def export(fmt: str, output: Path, out: Path | None) -> None:
    """Export ontology + facts + inferences. Turtle, JSON-LD and RDF/XML merge the named graphs.

    ``--format sssom`` writes the mappings to external vocabularies as an SSSOM table instead;
    ``meta-analysis`` the ratio estimates with TE and seTE, ``arms`` the arm-level figures (CSV),
    ``ris`` / ``bibtex`` the sources and the publications they cite.
    """
    if fmt == "sssom":
        _export_sssom(output, out)
        return
    if fmt in _EVIDENCE_FORMATS:
        _export_evidence(fmt, output, out)
        return
    from rdflib import Dataset, Graph, URIRef

    from kg.linking.prefix_map import declare_prefixes, prefixes_used

    ds = Dataset()
    ds.parse(release_dir(out) / "mmkg.nq", format="nquads")
    target: Graph | Dataset = ds
    if fmt in ("turtle", "xml", "jsonld"):
        merged = Graph()
        for graph in ds.graphs():
            for triple in graph:
                merged.add(triple)
        target = merged
    iris = {str(term) for quad in ds.quads((None, None, None, None)) for term in quad if isinstance(term, URIRef)}
    used = prefixes_used(iris)  # every prefix the graph uses (CHEBI:, wd:, ...)
    for prefix, namespace in used.items():
        target.bind(prefix, namespace, override=True, replace=True)

    def write(tmp: str) -> None:
        target.serialize(tmp, format=_EXPORT_FORMATS[fmt], encoding="utf-8")
        if fmt in ("trig", "turtle"):
            path = Path(tmp)
            path.write_text(declare_prefixes(path.read_text(encoding="utf-8"), used), encoding="utf-8")
    write_atomically(output, write)
    click.echo(f"Wrote {output} ({fmt}).")


def _export_sssom(output: Path, out: Path | None) -> None:
    from kg.linking.sssom import count_by_vocabulary, mapping_rows, write_sssom

    if not output.name.endswith(".sssom.tsv"):
        raise click.BadParameter(f"{output}: name an SSSOM table *.sssom.tsv", param_hint="-o")
    release = release_dir(out)
    manifest = read_manifest(release)
    rows = mapping_rows(Store.from_release(release / "mmkg.nq"))
    text = write_sssom(rows, version=str(manifest.get("release")), date=str(manifest.get("built_at", ""))[:10])
    write_atomically(output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    counts = count_by_vocabulary(rows)
    click.echo(f"Wrote {output} (SSSOM): {len(rows)} mappings to {len(counts)} vocabularies.")
    click.echo("  " + ", ".join(f"{prefix} {n}" for prefix, n in counts.most_common()))


@main.command()
@click.option("--endpoint", required=True, metavar="URL", help="The server's SPARQL query endpoint.")
@click.option("--graph-store", metavar="URL",
              help="The server's Graph Store Protocol URL (default: the endpoint; Oxigraph /store, Fuseki /DS/data).")
@click.option("--auth", "auth_env", metavar="ENV",
              help="Name of an environment variable holding 'user:password' or 'Bearer TOKEN'.")
@click.option("--remote-timeout", type=click.FloatRange(1, 3600), default=60.0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
def push(endpoint: str, graph_store: str | None, auth_env: str | None, remote_timeout: float,
         out: Path | None) -> None:
    """Upload the built graph, named graph by named graph, to a SPARQL 1.1 server (Graph Store Protocol)."""
    nquads = release_dir(out) / "mmkg.nq"
    store = RemoteStore(endpoint, graph_store=graph_store, auth_env=auth_env, timeout=remote_timeout)
    total = sum(1 for _ in nquads.open("rb"))
    with click.progressbar(length=total, label=f"Pushing {nquads.parent.name}", file=sys.stderr,
                           show_pos=True) as bar:
        counts = store.push(nquads, progress=bar.update)
    click.echo(f"Pushed {sum(counts.values()):,} triples in {len(counts)} graphs to {store.graph_store}; "
               f"counts read back through {endpoint} match.")
    for warning in store.check():
        click.echo(f"warning: {warning}", err=True)
