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
from pathlib import Path

from rdflib import Dataset, Graph, Literal

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.curation.provenance import check_provenance, quotations
from kg.errors import BuildError, FactErrors
from kg.namespaces import GRAPH, MMKG, PREFIXES, RES
from kg.pipeline.property_rules import classify_significance, materialise_properties
from kg.pipeline.qc import check_quality
from kg.pipeline.rdfize import facts_to_dataset
from kg.pipeline.reasoning import entailed_closure, reason
from kg.pipeline.validation import validate_shapes

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
    sources_dir: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    built_at: str = ""
    release: str | None = None
    inputs: str | None = None
    """The fingerprint of everything the build read (:func:`kg.pipeline.releases.inputs_fingerprint`)."""


@dataclass
class BuiltGraph:
    """The result of :func:`build_graph`, not yet written."""

    dataset: Dataset
    facts: FactBase
    report: BuildReport


def _timed(report: BuildReport, name: str, started: float) -> float:
    now = time.perf_counter()
    report.timings[name] = round(now - started, 3)
    return now


BUILD_STEPS = ("loading facts", "checking provenance", "converting to RDF", "reasoning (HermiT) and SHACL",
               "assembling the graph", "quality-control queries")


def build_graph(sources_dir: Path | None, facts_dir: Path | None = None,
                progress: Callable[[str], None] | None = None) -> BuiltGraph:
    """Load, convert, check provenance, reason and validate.

    :param sources_dir: folder of the source texts for the provenance check, or None to skip it.
    :param facts_dir: folder holding ``reference.yaml`` and ``sources/`` (default: the package's).
    :param progress: called with each of :data:`BUILD_STEPS` as it starts.
    :raises FactErrors: for problems in the fact files (each with file, line and field).
    :raises BuildError: for an inconsistent ontology, a SHACL violation or a quality-control violation.
    """
    def announce(step_name: str) -> None:
        if progress is not None:
            progress(step_name)

    report = BuildReport(built_at=datetime.now(UTC).isoformat(timespec="seconds"))
    start = step = time.perf_counter()
    announce(BUILD_STEPS[0])
    facts = facts_dir or paths.facts_dir()
    ontology = Graph().parse(paths.ontology_file(), format="turtle")
    imports = Graph().parse(paths.imports_file(), format="turtle")
    tbox = ontology + imports  # the reasoner sees the external terms' hierarchy and our alignments to it
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    step = _timed(report, "load", step)

    announce(BUILD_STEPS[1])
    if sources_dir is not None:
        checked, problems = check_provenance(base, sources_dir)
        if problems:
            raise FactErrors(problems)
        report.provenance_checked = checked
        report.sources_dir = str(sources_dir)
        quoted = quotations(base, sources_dir)
    else:
        quoted = {}
    step = _timed(report, "provenance", step)

    announce(BUILD_STEPS[2])
    ds = Dataset()
    facts_to_dataset(base, ds)
    abox = Graph()
    for graph in ds.graphs():
        for triple in graph:
            abox.add(triple)
    step = _timed(report, "rdf", step)

    announce(BUILD_STEPS[3])
    # HermiT runs in a Java subprocess; SHACL runs meanwhile in a thread. The shapes target only
    # asserted classes and their superclasses, so the asserted hierarchy's closure is all they need.
    def timed_shacl() -> tuple[bool, str]:
        started = time.perf_counter()
        try:
            return validate_shapes(abox + entailed_closure(tbox, abox, Graph()), paths.shapes_file())
        finally:
            report.timings["shacl"] = round(time.perf_counter() - started, 3)

    with ThreadPoolExecutor(max_workers=1) as pool:
        shacl = pool.submit(timed_shacl)
        result = reason(tbox, abox)
        inferred = result.inferred
        for triple in entailed_closure(tbox, abox, inferred):
            inferred.add(triple)
        for triple in materialise_properties(tbox, abox) + classify_significance(abox):
            inferred.add(triple)
        report.inferred_types = result.individual_types
        report.inferred_subclass_edges = result.subclass_edges
        step = _timed(report, "reason", step)
        conforms, text = shacl.result()
    if not conforms:
        raise BuildError(f"SHACL validation failed:\n{text}")
    report.shacl_conforms = True
    step = _timed(report, "validate_wait", step)

    announce(BUILD_STEPS[4])
    for name, part in ((ONTOLOGY_GRAPH, ontology), (IMPORTS_GRAPH, imports)):
        target = ds.graph(name)
        for triple in part:
            target.add(triple)
    quotation_graph = ds.graph(QUOTATIONS_GRAPH)
    for finding_id, sentence in quoted.items():  # the source's own sentence, for pages; never in the repository
        quotation_graph.add((RES[finding_id], MMKG.quotation, Literal(sentence, lang="en")))
    inferred_graph = ds.graph(INFERRED_GRAPH)
    for triple in inferred:
        inferred_graph.add(triple)
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)

    step = _timed(report, "assemble", step)

    announce(BUILD_STEPS[5])
    report.qc_checked = check_quality(ds)
    step = _timed(report, "qc", step)

    report.graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    report.triples = sum(report.graphs.values())
    report.findings_by_source = {s.source.id: len(s.findings) for s in base.sources}
    report.findings = sum(report.findings_by_source.values())
    report.timings["total"] = round(time.perf_counter() - start, 3)
    return BuiltGraph(ds, base, report)


