"""Export commands: ``export`` (RDF formats and SSSOM) and ``push`` (to any SPARQL 1.1 server)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.common import main, release_dir, write_atomically
from kg.evidence.exports import CSV_FORMATS
from kg.interop.rdf_export import EXPORT_FORMATS as _EXPORT_FORMATS
from kg.interop.rdf_export import MERGED
from kg.pipeline.releases import read_manifest
from kg.query.remote import RemoteStore
from kg.query.store import Store

_EVIDENCE_FORMATS = {
    **CSV_FORMATS,
    "ris": "the sources and cited publications (RIS)",
    "bibtex": "the sources and cited publications (BibTeX)",
}


def _export_evidence(fmt: str, output: Path, out: Path | None) -> None:
    from kg.evidence.bibliography import bibtex, references, ris
    from kg.evidence.exports import evidence_csv

    store = Store.from_release(release_dir(out) / "mmkg.nq")
    if fmt in ("ris", "bibtex"):
        refs = references(store)
        text, count = (ris(refs) if fmt == "ris" else bibtex(refs)), len(refs)
    else:
        text, count = evidence_csv(store, fmt)
    write_atomically(output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8", newline=""))
    click.echo(f"Wrote {output}: {count} {'entries' if fmt in ('ris', 'bibtex') else 'rows'}, "
               f"{_EVIDENCE_FORMATS[fmt]}.")


@main.command()
@click.option("--format", "fmt",
              type=click.Choice([*sorted(_EXPORT_FORMATS), "sssom", "fhir", "owl", *sorted(_EVIDENCE_FORMATS)]),
              default="trig", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
def export(fmt: str, output: Path, out: Path | None) -> None:
    """Export ontology + facts + inferences. Turtle, N-Triples, JSON-LD and RDF/XML merge the named graphs.

    ``--format sssom`` writes the mappings to external vocabularies as an SSSOM table instead;
    ``meta-analysis`` the ratio estimates with TE and seTE, ``contrasts`` the contrasts for netmeta,
    ``arms`` the arm-level figures, ``summary-of-findings`` the summary of findings (CSV),
    ``ris`` / ``bibtex`` the sources and the publications they cite; ``fhir`` each ratio estimate as an
    HL7 FHIR R5 ``Evidence`` resource in one Bundle (JSON); ``owl`` the OWL 2 DL view (RDF/XML: no
    literal outside the OWL 2 datatype map, every individual declared) for the OWL API and HermiT.
    """
    if fmt == "sssom":
        _export_sssom(output, out)
        return
    if fmt in _EVIDENCE_FORMATS:
        _export_evidence(fmt, output, out)
        return
    if fmt == "fhir":
        _export_fhir(output, out)
        return
    if fmt == "owl":
        from kg.interop.owl import write_owl_view

        nq = release_dir(out) / "mmkg.nq"
        sizes: list[int] = []
        write_atomically(output, lambda tmp: sizes.append(write_owl_view(nq, Path(tmp))))
        click.echo(f"Wrote {output} (the OWL 2 DL view, RDF/XML: {sizes[0]:,} triples).")
        return
    from kg.interop.rdf_export import export_rdf

    nquads = release_dir(out) / "mmkg.nq"
    counts: list[int] = []
    used = _prefixes_used(nquads)  # every prefix the graph uses (CHEBI:, wd:, ...), declared by the export

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            counts.append(export_rdf(nquads, fmt, handle, prefixes=used))

    write_atomically(output, write)
    click.echo(f"Wrote {output} ({fmt}, {counts[0]:,} {'triples' if fmt in MERGED else 'quads'}).")


def _prefixes_used(nquads: Path) -> dict[str, str]:
    import pyoxigraph as ox

    from kg.linking.prefix_map import prefixes_used

    iris = {term.value for quad in ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS)
            for term in (quad.subject, quad.predicate, quad.object, quad.graph_name) if isinstance(term, ox.NamedNode)}
    return prefixes_used(iris)


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


def _export_fhir(output: Path, out: Path | None) -> None:
    import json

    from kg.evidence.gather import gather
    from kg.interop.fhir import evidence_bundle

    store = Store.from_release(release_dir(out) / "mmkg.nq")
    bundle = evidence_bundle(gather(store))
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    write_atomically(output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    click.echo(f"Wrote {output}: a FHIR R5 Bundle of {len(bundle['entry'])} Evidence resources.")
