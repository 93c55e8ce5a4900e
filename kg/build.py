"""The build: ontology + facts -> reasoned, validated graph, written atomically to the data directory.

Layout of the data directory (``./build`` by default, ``--out`` or ``$MMKG_HOME`` to change)::

    build/
      current -> releases/<timestamp>      (a symbolic link, swapped atomically)
      releases/<timestamp>/mmkg.nq         (every named graph, N-Quads)
      releases/<timestamp>/manifest.json   (counts, timings, checks)
      enrichment/<profile>.nq              (answers of ``mmkg enrich``, added to every release)

A failed build writes nothing: the previous ``current`` release stays in place and usable.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Dataset, Graph

from kg import resources
from kg.errors import BuildError, FactErrors
from kg.facts import FactBase, load_facts
from kg.namespaces import GRAPH, PREFIXES
from kg.provenance import check_provenance
from kg.rdfize import facts_to_dataset
from kg.reasoning import entailed_closure, reason
from kg.validation import validate_shapes

__all__ = [
    "IMPORTS_GRAPH",
    "INFERRED_GRAPH",
    "ONTOLOGY_GRAPH",
    "BuildReport",
    "add_enrichment",
    "build_graph",
    "current_release",
    "data_home",
    "write_release",
]

ONTOLOGY_GRAPH = GRAPH["ontology"]
IMPORTS_GRAPH = GRAPH["imports"]
INFERRED_GRAPH = GRAPH["inferred"]
NQUADS = "mmkg.nq"
ENRICHMENT_DIR = "enrichment"
MANIFEST = "manifest.json"
_KEEP_RELEASES = 3


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
    sources_dir: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    built_at: str = ""
    release: str | None = None


@dataclass
class BuiltGraph:
    """The result of :func:`build_graph`, not yet written."""

    dataset: Dataset
    facts: FactBase
    report: BuildReport


def data_home(out: Path | None = None) -> Path:
    """The data directory: ``out``, else ``$MMKG_HOME``, else ``./build``."""
    if out is not None:
        return out
    return Path(os.environ.get("MMKG_HOME", "build"))


def current_release(home: Path) -> Path | None:
    """The folder of the current release, or None if nothing was built yet."""
    link = home / "current"
    if link.is_symlink() or link.is_dir():
        target = link.resolve()
        if (target / NQUADS).is_file() and (target / MANIFEST).is_file():
            return target
    return None


def _timed(report: BuildReport, name: str, started: float) -> float:
    now = time.perf_counter()
    report.timings[name] = round(now - started, 3)
    return now


BUILD_STEPS = ("loading facts", "checking provenance", "converting to RDF", "reasoning (HermiT) and SHACL",
               "assembling the graph")


def build_graph(sources_dir: Path | None, facts_dir: Path | None = None,
                progress: Callable[[str], None] | None = None) -> BuiltGraph:
    """Load, convert, check provenance, reason and validate.

    :param sources_dir: folder of the source texts for the provenance check, or None to skip it.
    :param facts_dir: folder holding ``reference.yaml`` and ``sources/`` (default: the package's).
    :param progress: called with each of :data:`BUILD_STEPS` as it starts.
    :raises FactErrors: for problems in the fact files (each with file, line and field).
    :raises BuildError: for an inconsistent ontology or a SHACL violation.
    """
    def announce(step_name: str) -> None:
        if progress is not None:
            progress(step_name)

    report = BuildReport(built_at=datetime.now(UTC).isoformat(timespec="seconds"))
    start = step = time.perf_counter()
    announce(BUILD_STEPS[0])
    facts = facts_dir or resources.facts_dir()
    ontology = Graph().parse(resources.ontology_file(), format="turtle")
    imports = Graph().parse(resources.imports_file(), format="turtle")
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
    with ThreadPoolExecutor(max_workers=1) as pool:
        shacl = pool.submit(validate_shapes, abox + entailed_closure(tbox, abox, Graph()), resources.shapes_file())
        result = reason(tbox, abox)
        inferred = result.inferred
        for triple in entailed_closure(tbox, abox, inferred):
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
    inferred_graph = ds.graph(INFERRED_GRAPH)
    for triple in inferred:
        inferred_graph.add(triple)
    for prefix, namespace in PREFIXES.items():
        ds.bind(prefix, namespace)

    report.graphs = {str(g.identifier): len(g) for g in ds.graphs() if len(g)}
    report.triples = sum(report.graphs.values())
    report.findings_by_source = {s.source.id: len(s.findings) for s in base.sources}
    report.findings = sum(report.findings_by_source.values())
    report.timings["total"] = round(time.perf_counter() - start, 3)
    return BuiltGraph(ds, base, report)


def write_release(built: BuiltGraph, home: Path) -> Path:
    """Write the graph and its manifest as a new release and make it current, atomically.

    Enrichment graphs kept in ``home/enrichment/`` (see ``mmkg enrich``) are added to the release.
    """
    def write(staging: Path, stamp: str) -> None:
        built.dataset.serialize(staging / NQUADS, format="nquads", encoding="utf-8")
        built.report.release = stamp
        manifest = asdict(built.report)
        manifest["enrichment"] = _append_enrichment(staging / NQUADS, home)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    return _publish(home, write)


def add_enrichment(home: Path, profile: str, nquads: bytes) -> Path:
    """Keep an enrichment graph in ``home/enrichment/<profile>.nq`` and publish the current release
    again with it (replacing that profile's earlier answers), atomically.

    :raises BuildError: when there is no current release to add it to.
    """
    current = current_release(home)
    if current is None:
        raise BuildError(f"no graph in {home} yet: run mmkg build first")
    folder = home / ENRICHMENT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{profile}.", dir=folder)
    with os.fdopen(fd, "wb") as handle:
        handle.write(nquads)
    os.replace(tmp, folder / f"{profile}.nq")

    def write(staging: Path, stamp: str) -> None:
        marker = f"<{GRAPH['enrichment/']}"
        with (current / NQUADS).open("rb") as source, (staging / NQUADS).open("wb") as target:
            for line in source:
                if marker.encode() not in line:
                    target.write(line)
        manifest = read_manifest(current)
        manifest["release"] = stamp
        manifest["enrichment"] = _append_enrichment(staging / NQUADS, home)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    return _publish(home, write)


def _append_enrichment(nquads: Path, home: Path) -> dict[str, int]:
    """Append every kept enrichment graph to a release's N-Quads; quads per profile."""
    counts: dict[str, int] = {}
    folder = home / ENRICHMENT_DIR
    if not folder.is_dir():
        return counts
    with nquads.open("ab") as target:
        for path in sorted(folder.glob("*.nq")):
            data = path.read_bytes()
            target.write(data)
            counts[path.stem] = data.count(b"\n")
    return counts


def _publish(home: Path, write: Callable[[Path, str], None]) -> Path:
    """Let ``write`` fill a staging folder, then rename it into ``releases/`` and point ``current`` at it."""
    releases = home / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=releases))
    try:
        write(staging, stamp)
        final = releases / stamp
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = home / "current"
    tmp_link = home / f".current-{stamp}"
    tmp_link.symlink_to(Path("releases") / stamp)
    os.replace(tmp_link, link)
    _prune(releases, keep=final)
    return final


def _prune(releases: Path, keep: Path) -> None:
    done = sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in done[:-_KEEP_RELEASES]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(release: Path) -> dict[str, object]:
    """The manifest of a release."""
    data: dict[str, object] = json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    return data
