"""The build's per-source steps, each result reused while its inputs' digests are unchanged.

A source's parsed model depends on its file alone; its provenance check on its file and its text;
its RDF on its file and on the entries it names that other files define (their labels go into the
findings' labels). Each is looked up in the :class:`~kg.pipeline.cache.BuildCache` under a digest of
exactly those inputs and worked out only on a miss, so adding or changing one article redoes one
article's work. With a cache folder of None every step is worked out (the same results).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from kg.curation.factbase import FactBase, parse_file
from kg.curation.fields import references, sections
from kg.curation.provenance import check_provenance, quotations
from kg.curation.schema import SourceFile
from kg.curation.yamlread import LineMap
from kg.errors import BuildError, FactError
from kg.namespaces import MMKG, RES
from kg.pipeline.cache import BuildCache, digest
from kg.pipeline.finding_labels import FindingNamer
from kg.pipeline.rdfize import REFERENCE_GRAPH, add_reference, add_source, source_graph_iri
from kg.pipeline.trial_rdf import TrialLinks

__all__ = ["FileDigests", "GraphPart", "Provenance", "cached_parser", "check_sources", "nquads", "quotation_lines",
           "source_triples"]

Triple = tuple[Node, Node, Node]


@dataclass
class FileDigests:
    """The SHA-256 of every fact file read, by path."""

    by_path: dict[Path, str] = field(default_factory=dict)

    def of(self, path: Path) -> str:
        if path not in self.by_path:
            self.by_path[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        return self.by_path[path]


def cached_parser(cache: BuildCache, digests: FileDigests) -> Any:
    """A :data:`kg.curation.factbase.Parser` that reuses the model of a file parsed before."""
    def parse(path: Path, model: type[BaseModel]) -> tuple[Any, LineMap, list[FactError]]:
        key = digest(b"parse\n", f"{model.__module__}.{model.__qualname__}", digests.of(path))
        hit = cache.get("parse", key)
        if hit is not None:
            return hit[0], hit[1], []
        parsed, lines, errors = parse_file(path, model)
        if not errors:
            cache.put("parse", key, (parsed, lines))
        return parsed, lines, errors
    return parse


@dataclass
class Provenance:
    checked: int = 0
    problems: list[FactError] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)
    """Each checked source's quotations as N-Quads lines of the quotations graph (:func:`quotation_lines`)."""


def _one(base: FactBase, source: SourceFile) -> FactBase:
    return FactBase(reference=base.reference, sources=[source], kinds=base.kinds, origins=base.origins,
                    entries=base.entries, source_paths=base.source_paths)


def check_sources(base: FactBase, sources_dir: Path, cache: BuildCache, digests: FileDigests,
                  quotations_graph: URIRef | None = None) -> Provenance:
    """The provenance check of every source and, when ``quotations_graph`` is given, its quotations as
    N-Quads lines of that graph; reusing those of unchanged (file, text) pairs."""
    result = Provenance()
    for source in base.sources:
        text = sources_dir / source.source.file
        key = digest(b"provenance\n", digests.of(base.source_paths[source.source.id]),
                     digests.of(text) if text.is_file() else "missing", str(sources_dir.resolve()),
                     str(quotations_graph))
        hit: tuple[int, bytes] | None = cache.get("provenance", key)
        if hit is None:
            one = _one(base, source)
            checked, problems = check_provenance(one, sources_dir)
            if problems:
                result.problems.extend(problems)
                continue
            lines = (_quotation_nquads(quotations(one, sources_dir), quotations_graph)
                     if quotations_graph is not None else b"")
            hit = (checked, lines)
            cache.put("provenance", key, hit)
        result.checked += hit[0]
        result.lines.append(hit[1])
    return result


class _Names:
    """Per build: the ids each entry names and each entry's JSON, worked out once however many sources name it."""

    def __init__(self, base: FactBase) -> None:
        self.base = base
        self._refs: dict[str, list[str]] = {}
        self._json: dict[str, str] = {}

    def refs(self, entry_id: str) -> list[str]:
        if entry_id not in self._refs:
            self._refs[entry_id] = [t for _w, t, _k in references(self.base.entries[entry_id])]
        return self._refs[entry_id]

    def json(self, entry_id: str) -> str:
        if entry_id not in self._json:
            self._json[entry_id] = self.base.entries[entry_id].model_dump_json()
        return self._json[entry_id]


def _named(source: SourceFile) -> tuple[set[str], list[str]]:
    """The ids ``source`` defines and the ids its entries name."""
    own = {source.source.id}
    entries: list[BaseModel] = [source.source]
    for name in sections(type(source)):
        for entry in getattr(source, name):
            entries.append(entry)
            own.add(str(entry.model_dump(include={"id"})["id"]))
    return own, [target for entry in entries for _where, target, _kinds in references(entry)]


def _dependencies(names: _Names, source: SourceFile, cache: BuildCache | None = None, file_key: str = "") -> str:
    """The entries ``source`` names (and those they name) that other files define, as JSON.

    What a source names depends on its file alone: cached under the file's digest (``file_key``)."""
    key = digest(b"named\n", file_key)
    named: tuple[set[str], list[str]] | None = cache.get("named", key) if cache is not None and file_key else None
    if named is None:
        named = _named(source)
        if cache is not None and file_key:
            cache.put("named", key, named)
    own, frontier = named
    base = names.base
    seen: set[str] = set()
    for _depth in range(2):
        following: list[str] = []
        for target in frontier:
            if target in seen or target in own or target not in base.entries:
                continue
            seen.add(target)
            following.extend(names.refs(target))
        frontier = following
    return "\n".join(f"{t}={names.json(t)}" for t in sorted(seen))


class GraphPart:
    """One named graph's triples (loaded from the cache when first asked for), and the same as N-Quads lines."""

    def __init__(self, triples: list[Triple] | None, nquads: bytes, key: str, size: int | None = None,
                 load: Callable[[], list[Triple]] | None = None) -> None:
        self._triples = triples
        self.nquads = nquads
        self.key = key
        """The digest of the inputs the triples were made from: the same key, the same triples."""
        self.size = size if size is not None else len(triples or ())
        self._load = load
        self.outlines: dict[str, Any] = {}
        """Outlines of the triples made in this build (:mod:`kg.pipeline.outline`), by key."""

    @property
    def triples(self) -> list[Triple]:
        if self._triples is None:
            assert self._load is not None
            self._triples = self._load()
        return self._triples

    @classmethod
    def of(cls, graph: Graph, name: URIRef, key: str) -> GraphPart:
        triples = sorted(graph)
        return cls(triples, nquads(triples, name), key)


def _cached_part(cache: BuildCache, key: str) -> GraphPart | None:
    """The part stored under ``key``: its N-Quads now, its triples when asked for."""
    hit = cache.get("rdf", key)
    if hit is None or not cache.has("rdf-triples", key):
        return None

    def load() -> list[Triple]:
        triples: list[Triple] | None = cache.get("rdf-triples", key)
        if triples is None:
            raise BuildError(f"the build cache lost an entry while building (rdf-triples/{key}): build again")
        return triples
    return GraphPart(None, hit[0], key, hit[1], load)


def _store_part(cache: BuildCache, part: GraphPart) -> None:
    cache.put("rdf-triples", part.key, part.triples)
    cache.put("rdf", part.key, (part.nquads, part.size))


def _quotation_nquads(quoted: dict[str, str], graph: URIRef) -> bytes:
    triples: list[Triple] = [(RES[finding_id], MMKG.quotation, Literal(sentence, lang="en"))
                             for finding_id, sentence in sorted(quoted.items())]
    return nquads(triples, graph)


def quotation_lines(checked: Provenance) -> tuple[bytes, int]:
    """The quotations graph's N-Quads (each finding's sentence, for its page), source by source as
    :func:`check_sources` made them, and its size."""
    data = b"".join(checked.lines)
    return data, data.count(b"\n")


def nquads(triples: Iterable[Triple], name: URIRef) -> bytes:
    """N-Quads lines of ``triples`` in graph ``name``, as rdflib's N-Quads serialiser writes them."""
    context = Graph(identifier=name)
    rows = (_nq_row(t, context.identifier) for t in triples)  # type: ignore[no-untyped-call]
    return "".join(rows).encode("utf-8", "replace")


def source_triples(base: FactBase, cache: BuildCache, digests: FileDigests,
                   reference_path: Path) -> dict[URIRef, GraphPart]:
    """The reference graph and every source's graph, by graph IRI."""
    graphs: dict[URIRef, GraphPart] = {}
    links = TrialLinks(base)  # a record's trial follows identifications across files: part of the keys
    key = digest(b"rdf-reference\n", digests.of(reference_path), links.reference_key(base))
    part = _cached_part(cache, key)
    if part is None:
        g = Graph()
        add_reference(g, base)
        links.add_reference(g, base)
        part = GraphPart.of(g, REFERENCE_GRAPH, key)
        _store_part(cache, part)
    graphs[REFERENCE_GRAPH] = part
    namer, names = FindingNamer(base), _Names(base)
    for source in base.sources:
        name = source_graph_iri(source.source.id)
        file_key = digests.of(base.source_paths[source.source.id])
        key = digest(b"rdf-source\n", file_key, _dependencies(names, source, cache, file_key),
                     links.source_key(source))
        part = _cached_part(cache, key)
        if part is None:
            g = Graph()
            add_source(g, source, namer)
            links.add_source(g, source)
            part = GraphPart.of(g, name, key)
            _store_part(cache, part)
        graphs[name] = part
    return graphs
