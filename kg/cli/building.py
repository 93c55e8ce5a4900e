"""Build commands: ``build``, ``validate``, ``stats``, ``schema``, ``docs`` and ``synth``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg import paths
from kg.cli.common import main, release_dir, sources_option
from kg.drafting.workflow import preview_inputs
from kg.pipeline.releases import build_lock, data_home, inputs_fingerprint, read_manifest, up_to_date, write_release
from kg.pipeline.steps import BUILD_STEPS, BuildReport, BuiltGraph, build_graph
from kg.query.store import Store, term_to_python


def _print_report(report: BuildReport, release: Path | None) -> None:
    t = report.timings
    click.echo(f"Built {report.triples:,} triples in {len(report.graphs)} named graphs, "
               f"{report.findings} findings from {len(report.findings_by_source)} sources.")
    for source, count in sorted(report.findings_by_source.items()):
        click.echo(f"  {source}: {count} findings")
    click.echo(f"Reasoner (HermiT): {report.inferred_types} inferred individual types, "
               f"{report.inferred_subclass_edges} inferred subclass edges; SHACL: "
               f"{'conforms' if report.shacl_conforms else 'VIOLATIONS'}; quality control: {report.qc_checked} "
               "checks, no violations.")
    if report.provenance_checked is not None:
        click.echo(f"Provenance: {report.provenance_checked} figures found at their locators in {report.sources_dir}.")
    else:
        click.echo("Provenance: not checked (no source texts; use --sources DIR).")
    click.echo("Time: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
    if release is not None:
        click.echo(f"Written to {release}")


_FACTS_OPTION = click.option(
    "--facts", type=click.Path(path_type=Path, exists=True, file_okay=False), envvar="MMKG_FACTS",
    help="Fact folder with reference.yaml and sources/ (default: the package's curated facts).")


@main.command()
@click.option("--out", type=click.Path(path_type=Path), help="Data directory (default $MMKG_HOME or ./build).")
@click.option("--sources", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Source texts for the provenance check (default ../shared/seeds when present).")
@click.option("--no-sources", is_flag=True, help="Skip the provenance check.")
@click.option("--force", is_flag=True, help="Build even when the inputs are unchanged since the current release.")
@_FACTS_OPTION
@click.option("--draft", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Build a preview release with this draft (from `mmkg draft`) added; default --out build/preview.")
@click.option("--source", "article", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="With --draft: the article the draft was made from.")
def build(out: Path | None, sources: Path | None, no_sources: bool, force: bool, facts: Path | None,
          draft: Path | None, article: Path | None) -> None:
    """Build, reason, validate and write the graph atomically (skipped when nothing changed)."""
    if draft is not None:
        _build_preview(draft, article, out, sources_option(sources, no_sources), facts)
        return
    home = data_home(out)
    sources_dir = sources_option(sources, no_sources)
    with build_lock(home, lambda: click.echo(f"Another build into {home} is running; waiting for it…", err=True)):
        fingerprint = inputs_fingerprint(sources_dir, facts, home)
        if not force and (current := up_to_date(home, fingerprint)) is not None:
            click.echo(f"Up to date: {current} was built from the same ontology, facts, source texts and code "
                       "(--force rebuilds).")
            return
        built = _build_with_progress(sources_dir, facts, cache_dir=home / "cache")
        built.report.inputs = fingerprint
        release = write_release(built, home)
    _print_report(built.report, release)
    click.echo("\nNext: mmkg stats | mmkg queries | mmkg query significant-pfs-benefit | mmkg serve")


def _build_preview(draft: Path, article: Path | None, out: Path | None, sources_dir: Path | None,
                   facts: Path | None) -> None:
    """A preview release: the curated facts plus the draft, checked like curated facts (provenance, SHACL, QC)."""
    if article is None:
        raise click.UsageError("--draft needs --source ARTICLE (the text the draft was made from)")
    if sources_dir is None:
        raise click.UsageError("a preview checks every source's figures: point --sources at the source texts")
    home = out or data_home(None) / "preview"
    with build_lock(home, lambda: click.echo(f"Another build into {home} is running; waiting for it…", err=True)), \
            preview_inputs(draft, article, facts or paths.facts_dir(), sources_dir) as (preview_facts, preview_sources):
        built = _build_with_progress(preview_sources, preview_facts)
        built.report.inputs = inputs_fingerprint(preview_sources, preview_facts, home)
        release = write_release(built, home)
    _print_report(built.report, release)
    click.echo(f"\nPreview: mmkg serve --out {home}   (the draft's findings are marked draft on their pages)")


def _build_with_progress(sources: Path | None, facts: Path | None, cache_dir: Path | None = None) -> BuiltGraph:
    """:func:`build_graph` with a progress bar over its steps on a terminal (stderr)."""
    with click.progressbar(length=len(BUILD_STEPS), label="Building", file=sys.stderr,
                           item_show_func=lambda step: step) as bar:
        def advance(step: str) -> None:
            bar.update(1 if step != BUILD_STEPS[0] else 0, step)

        built = build_graph(sources, facts, progress=advance, cache_dir=cache_dir)
        bar.update(1, "done")
    return built


@main.command()
@click.option("--sources", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Source texts for the provenance check (default ../shared/seeds when present).")
@click.option("--no-sources", is_flag=True, help="Skip the provenance check.")
@_FACTS_OPTION
def validate(sources: Path | None, no_sources: bool, facts: Path | None) -> None:
    """Run every check of the build (schema, references, provenance, reasoner, SHACL) without writing."""
    built = build_graph(sources_option(sources, no_sources), facts)
    _print_report(built.report, None)
    click.echo("All checks passed; nothing written.")


_STATS_BY_CLASS = """
PREFIX mmkg: <https://w3id.org/mmkg/>
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class } FILTER(STRSTARTS(STR(?class), STR(mmkg:)))
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""
_STATS_BY_SOURCE = """
PREFIX mmkg: <https://w3id.org/mmkg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?source ?label (COUNT(?f) AS ?findings) WHERE {
  ?f mmkg:fromSource ?source . ?source rdfs:label ?label
} GROUP BY ?source ?label ORDER BY ?source
"""


@main.command()
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
def stats(out: Path | None) -> None:
    """Counts by class (asserted or inferred) and findings by source."""
    release = release_dir(out)
    store = Store.from_release(release / "mmkg.nq")
    manifest = read_manifest(release)
    click.echo(f"Release {manifest.get('release')}: {len(store):,} quads")
    click.echo("\nBy class:")
    for row in store.query(_STATS_BY_CLASS).rows:
        click.echo(f"  {term_to_python(row['n']):>5}  {str(term_to_python(row['class'])).rsplit('/', 1)[-1]}")
    click.echo("\nFindings by source:")
    for row in store.query(_STATS_BY_SOURCE).rows:
        source = str(term_to_python(row["source"])).rsplit("/", 1)[-1]
        click.echo(f"  {source}: {term_to_python(row['findings'])}  {term_to_python(row['label'])}")


@main.command()
@click.option("--triples", type=click.IntRange(1000), help="About how many quads to write (an N-Quads file).")
@click.option("--sources", "n_sources", type=click.IntRange(1),
              help="How many synthetic source documents to write, as a curated fact tree (a folder).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The N-Quads file to write (.nq) with --triples; the folder to write with --sources.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same output.")
def synth(triples: int | None, n_sources: int | None, output: Path, seed: int) -> None:
    """Write deterministic synthetic data for scale tests: a graph (--triples) or a curated corpus (--sources).

    With --sources N, OUTPUT gets reference.yaml, sources/*.yaml and texts/*.txt: build it with
    `mmkg build --facts OUTPUT --sources OUTPUT/texts`.
    """
    if (triples is None) == (n_sources is None):
        raise click.UsageError("give exactly one of --triples N (a graph) or --sources N (a fact tree)")
    if n_sources is not None:
        _synth_corpus(n_sources, output, seed)
        return
    assert triples is not None
    from kg.synthetic.triples import synthesise

    if output.suffix != ".nq":
        raise click.BadParameter(f"{output}: the synthetic graph is N-Quads; name it *.nq", param_hint="-o")
    with click.progressbar(length=triples, label="Synthesising", file=sys.stderr, show_pos=True) as bar:
        report = synthesise(output, triples, seed, progress=bar.update)
    click.echo(f"Wrote {report.triples:,} quads to {output}: {report.drugs} drugs, {report.regimens} regimens, "
               f"{report.trials} trials and sources, {report.findings:,} findings (seed {seed}).")


def _synth_corpus(n_sources: int, output: Path, seed: int) -> None:
    from kg.synthetic.corpus import synthesise_corpus

    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise click.BadParameter(f"{output}: give a new or empty folder for the fact tree", param_hint="-o")
    with click.progressbar(length=n_sources, label="Synthesising", file=sys.stderr, show_pos=True) as bar:
        report = synthesise_corpus(output, n_sources, seed, progress=bar.update)
    click.echo(f"Wrote {report.sources} sources ({report.findings:,} findings) reporting {report.trials} trials "
               f"to {output} (seed {seed}).\nBuild it: mmkg build --facts {output} --sources {output}/texts")


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write model.svg and querying.html into.")
def docs(output: Path) -> None:
    """Write the model diagram (drawn from the ontology) and the querying guide as HTML."""
    from kg.docs.guide import guide_examples, write_docs

    for path in write_docs(output):
        click.echo(f"Wrote {path}")
    click.echo(f"The guide has {len(guide_examples())} example queries; the web app serves it at /docs/querying.")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the fact files."""
    from kg.curation.schema import ReferenceFile, SourceFile

    click.echo(json.dumps({"reference.yaml": ReferenceFile.model_json_schema(),
                           "sources/*.yaml": SourceFile.model_json_schema()}, indent=2))
