"""The build: ontology + facts -> reasoned, validated graph (:func:`build_graph`).

Loading and reference checks, the provenance check, conversion to RDF, HermiT and SHACL (in
parallel), then the named graphs assembled. Writing the result is :mod:`kg.pipeline.releases`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg import collector, paths
from kg.curation.factbase import FactBase, load_facts
from kg.errors import BuildError, FactErrors
from kg.namespaces import GRAPH, PREFIXES
from kg.pipeline.cache import BuildCache, digest
from kg.pipeline.inferred import property_lines, tbox_key
from kg.pipeline.outline import Outline, outline
from kg.pipeline.per_source import (
    FileDigests,
    GraphPart,
    Provenance,
    cached_parser,
    check_sources,
    nquads,
    quotation_lines,
    source_triples,
)
from kg.pipeline.property_rules import RULE_INPUTS
from kg.pipeline.qc import QualityStore
from kg.pipeline.reasoning import entailed_closure, reason, reasoned_predicates
from kg.pipeline.shacl_parts import backward_predicates, validate_by_source
from kg.pipeline.typing_parts import type_lines

__all__ = ["BUILD_STEPS", "IMPORTS_GRAPH", "INFERRED_GRAPH", "ONTOLOGY_GRAPH", "QUOTATIONS_GRAPH", "BuildReport",
           "BuiltGraph",
           "build_graph"]

ONTOLOGY_GRAPH = GRAPH["ontology"]
IMPORTS_GRAPH = GRAPH["imports"]
INFERRED_GRAPH = GRAPH["inferred"]
QUOTATIONS_GRAPH = GRAPH["quotations"]


@dataclass
class BuildReport:
    """What a build did, as printed by ``mmkg build`` and stored in the manifest."""

    triples: int = 0
    graphs: dict[str, int] = field(default_factory=dict)
    findings: int = 0
    findings_by_source: dict[str, int] = field(default_factory=dict)
    inferred_types: int = 0
    inferred_subclass_edges: int = 0
    shacl_conforms: bool = False
    provenance_checked: int | None = None
    qc_checked: int = 0
    """How many quality-control queries (queries/qc) ran, each returning no rows."""
    shacl_parts_validated: int | None = None
    """How many parts of the graph SHACL validated; the others' neighbourhoods conformed in an earlier build."""
    sources_dir: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    built_at: str = ""
    release: str | None = None
    inputs: str | None = None
    """The fingerprint of everything the build read (:func:`kg.pipeline.releases.inputs_fingerprint`)."""


@dataclass
class BuiltGraph:
    """The result of :func:`build_graph`, not yet written: every named graph as N-Quads."""

    pieces: tuple[bytes, ...]
    """The release's N-Quads in whole lines, graph by graph, as the build made them: written one after
    the other (:func:`kg.pipeline.releases.write_release`), never copied into one buffer unless asked."""
    facts: FactBase
    report: BuildReport
    cache: BuildCache = field(default_factory=lambda: BuildCache(None))
    """The per-source results it used; :func:`kg.pipeline.releases.write_release` prunes the rest once published."""

    @cached_property
    def nquads(self) -> bytes:
        """The whole release as one N-Quads document."""
        return b"".join(self.pieces)

    @cached_property
    def dataset(self) -> Dataset:
        """The graphs as an rdflib dataset (parsed when first asked for: the build itself needs none)."""
        ds = Dataset()
        ds.parse(data=self.nquads, format="nquads")
        for prefix, namespace in PREFIXES.items():
            ds.bind(prefix, namespace)
        return ds


def _types(graphs: dict[URIRef, GraphPart], outlines: dict[URIRef, Outline], tbox: Graph, tkey: str,
           cache: BuildCache) -> tuple[bytes, int, int]:
    """HermiT's types and the type closure as N-Quads lines, part by part when every subject has one graph."""
    subjects = sum(len(found.subjects) for found in outlines.values())
    if len(frozenset().union(*(found.subjects for found in outlines.values()))) == subjects:
        return type_lines(graphs, outlines, tbox, tkey, cache, INFERRED_GRAPH)
    abox = Graph()  # a node several graphs describe: its types from all of them
    for found in outlines.values():
        for triple in found.typing:
            abox.add(triple)
    result = reason(tbox, abox, cache=cache)
    for triple in entailed_closure(tbox, abox, result.inferred):
        result.inferred.add(triple)
    return nquads(list(result.inferred), INFERRED_GRAPH), result.individual_types, result.subclass_edges


def _tbox_lines(graph: Graph, name: URIRef, source: Path, cache: BuildCache, digests: FileDigests) -> bytes:
    """The ontology's (or the imports') N-Quads lines, cached by the file they were read from."""
    key = digest(b"tbox-lines\n", str(name), digests.of(source))
    lines: bytes | None = cache.get("tbox-lines", key)
    if lines is None:
        lines = nquads(list(graph), name)
        cache.put("tbox-lines", key, lines)
    return lines


def _timed(report: BuildReport, name: str, started: float) -> float:
    now = time.perf_counter()
    report.timings[name] = round(now - started, 3)
    return now


BUILD_STEPS = ("loading facts", "checking provenance", "converting to RDF", "reasoning (HermiT) and SHACL",
               "assembling the graph", "quality-control queries")


@collector.keeping
def build_graph(sources_dir: Path | None, facts_dir: Path | None = None,
                progress: Callable[[str], None] | None = None, cache_dir: Path | None = None) -> BuiltGraph:
    """Load, convert, check provenance, reason and validate.

    :param sources_dir: folder of the source texts for the provenance check, or None to skip it.
    :param facts_dir: folder holding ``reference.yaml`` and ``sources/`` (default: the package's).
    :param progress: called with each of :data:`BUILD_STEPS` as it starts.
    :param cache_dir: folder of per-source results to reuse (:mod:`kg.pipeline.cache`), or None.
    :raises FactErrors: for problems in the fact files (each with file, line and field).
    :raises BuildError: for an inconsistent ontology, a SHACL violation or a quality-control violation.
    """
    with QualityStore() as quality:  # loads the graphs for the QC queries while the build goes on
        return _build(sources_dir, facts_dir, progress, cache_dir, quality)


def _build(sources_dir: Path | None, facts_dir: Path | None, progress: Callable[[str], None] | None,
           cache_dir: Path | None, quality: QualityStore) -> BuiltGraph:
    def announce(step_name: str) -> None:
        if progress is not None:
            progress(step_name)

    report = BuildReport(built_at=datetime.now(UTC).isoformat(timespec="seconds"))
    cache = BuildCache(cache_dir)
    digests = FileDigests()
    start = step = time.perf_counter()
    announce(BUILD_STEPS[0])
    facts = facts_dir or paths.facts_dir()
    ontology = Graph().parse(paths.ontology_file(), format="turtle")
    imports = Graph().parse(paths.imports_file(), format="turtle")
    tbox = ontology + imports  # the reasoner sees the external terms' hierarchy and our alignments to it
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")),
                      parse=cached_parser(cache, digests))
    step = _timed(report, "load", step)

    announce(BUILD_STEPS[1])
    if sources_dir is not None:
        checked = check_sources(base, sources_dir, cache, digests, QUOTATIONS_GRAPH)
        if checked.problems:
            raise FactErrors(checked.problems)
        report.provenance_checked = checked.checked
        report.sources_dir = str(sources_dir)
    else:
        checked = Provenance()
    step = _timed(report, "provenance", step)

    announce(BUILD_STEPS[2])
    collector.pause()  # the triples live to the end: made without the cyclic collector, then frozen
    graphs = source_triples(base, cache, digests, facts / "reference.yaml")
    kept = reasoned_predicates(tbox) | RULE_INPUTS
    backward = backward_predicates(paths.shapes_file(), tbox)
    outlines = {name: outline(part, backward, cache) for name, part in graphs.items()}
    tkey = tbox_key()
    collector.settle()
    tbox_lines = [_tbox_lines(ontology, ONTOLOGY_GRAPH, paths.ontology_file(), cache, digests),
                  _tbox_lines(imports, IMPORTS_GRAPH, paths.imports_file(), cache, digests)]
    quality.add(*tbox_lines, *(part.nquads for part in graphs.values()))  # loads while HermiT runs
    step = _timed(report, "rdf", step)

    def whole() -> Graph:
        everything = Graph()
        for part in graphs.values():
            for triple in part.triples:
                everything.add(triple)
        return everything + entailed_closure(tbox, everything, Graph())

    announce(BUILD_STEPS[3])
    # HermiT runs in a Java subprocess; SHACL runs meanwhile in a thread. The shapes target only
    # asserted classes and their superclasses, so the asserted hierarchy's closure is all they need.
    def timed_shacl() -> tuple[bool, str]:
        started = time.perf_counter()
        try:
            conforms, text, validated = validate_by_source(
                graphs, tbox, paths.shapes_file(), cache, whole, tkey)
            report.shacl_parts_validated = validated
            return conforms, text
        finally:
            report.timings["shacl"] = round(time.perf_counter() - started, 3)

    collector.pause()  # SHACL's whole graph and the reasoner's closure: millions of objects, walked once at settle()
    with ThreadPoolExecutor(max_workers=1) as pool:
        shacl = pool.submit(timed_shacl)
        type_lines_, report.inferred_types, report.inferred_subclass_edges = _types(graphs, outlines, tbox, tkey, cache)
        rule_lines = property_lines(graphs, tbox, kept, cache, INFERRED_GRAPH)
        step = _timed(report, "reason", step)
        conforms, text = shacl.result()
    collector.settle()
    if not conforms:
        raise BuildError(f"SHACL validation failed:\n{text}")
    report.shacl_conforms = True
    step = _timed(report, "validate_wait", step)

    announce(BUILD_STEPS[4])
    quotations, quotation_count = quotation_lines(checked)  # for pages; never in the repository
    pieces = (*tbox_lines, *(part.nquads for part in graphs.values()), quotations, type_lines_, rule_lines)
    sizes = {ONTOLOGY_GRAPH: len(ontology), IMPORTS_GRAPH: len(imports)} | {
        name: part.size for name, part in graphs.items()} | {QUOTATIONS_GRAPH: quotation_count}
    report.graphs = {str(name): size for name, size in sizes.items() if size}
    report.graphs[str(INFERRED_GRAPH)] = type_lines_.count(b"\n") + rule_lines.count(b"\n")
    quality.add(quotations, type_lines_ + rule_lines)  # (one graph, one piece); its load is the QC step's
    step = _timed(report, "assemble", step)

    announce(BUILD_STEPS[5])
    report.qc_checked = quality.check()
    step = _timed(report, "qc", step)

    report.triples = sum(report.graphs.values())
    report.findings_by_source = {s.source.id: len(s.findings) for s in base.sources}
    report.findings = sum(report.findings_by_source.values())
    report.timings["total"] = round(time.perf_counter() - start, 3)
    return BuiltGraph(pieces, base, report, cache)


