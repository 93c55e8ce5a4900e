"""The VoID description of the served dataset (``/.well-known/void``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, metadata

import pyoxigraph as ox
from flask import current_app

from kg.namespaces import PREFIXES
from web.context import ctx

__all__ = ["void_triples"]

_VOID = "http://rdfs.org/ns/void#"
_A = ox.NamedNode(PREFIXES["rdf"] + "type")


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))


def void_triples(endpoint: str, root: str) -> list[ox.Triple]:
    """Dataset, one subset per named graph and one class partition per class."""
    stats = ctx().stats
    dataset = ox.NamedNode(root.rstrip("/") + "/.well-known/void#dataset")
    v = {name: ox.NamedNode(_VOID + name) for name in (
        "Dataset", "sparqlEndpoint", "triples", "distinctSubjects", "properties", "uriSpace", "vocabulary",
        "subset", "classPartition", "class", "entities", "rootResource")}
    triples = [
        ox.Triple(dataset, _A, v["Dataset"]),
        ox.Triple(dataset, ox.NamedNode(PREFIXES["dcterms"] + "title"), ox.Literal(ctx().settings.title)),
        ox.Triple(dataset, v["sparqlEndpoint"], ox.NamedNode(endpoint)),
        ox.Triple(dataset, v["triples"], _int(stats.triples)),
        ox.Triple(dataset, v["distinctSubjects"], _int(stats.subjects)),
        ox.Triple(dataset, v["properties"], _int(stats.properties)),
        ox.Triple(dataset, v["uriSpace"], ox.Literal(PREFIXES["res"])),
        ox.Triple(dataset, v["rootResource"], ox.NamedNode(PREFIXES["mmkg"] + "ontology")),
    ]
    triples += _about(dataset, root)
    for prefix in ("mmkg", "prov", "skos", "dcterms", "rdfs", "owl"):
        triples.append(ox.Triple(dataset, v["vocabulary"], ox.NamedNode(PREFIXES[prefix])))
    for i, (graph, count) in enumerate(stats.graphs):
        subset = ox.NamedNode(f"{dataset.value}-graph-{i}")
        triples += [ox.Triple(dataset, v["subset"], subset), ox.Triple(subset, _A, v["Dataset"]),
                    ox.Triple(subset, ox.NamedNode("http://www.w3.org/ns/sparql-service-description#name"),
                              ox.NamedNode(graph)),
                    ox.Triple(subset, v["triples"], _int(count))]
    for i, (cls, count) in enumerate(stats.classes):
        partition = ox.NamedNode(f"{dataset.value}-class-{i}")
        triples += [ox.Triple(dataset, v["classPartition"], partition),
                    ox.Triple(partition, v["class"], ox.NamedNode(cls)),
                    ox.Triple(partition, v["entities"], _int(count))]
    return triples


def _about(dataset: ox.NamedNode, root: str) -> list[ox.Triple]:
    """Licence (the package's SPDX expression), where the whole dump is, and when the release was made."""
    dcterms = PREFIXES["dcterms"]
    base = root.rstrip("/")
    triples = [ox.Triple(dataset, ox.NamedNode(_VOID + "dataDump"), ox.NamedNode(base + "/dump.nq")),
               ox.Triple(dataset, ox.NamedNode(_VOID + "exampleResource"),
                         ox.NamedNode(PREFIXES["res"] + "lenalidomide"))]
    try:
        info = metadata("myeloma-kg")
        spdx = info["License-Expression"] or info["License"]
    except PackageNotFoundError:  # pragma: no cover - a source tree without an install
        spdx = None
    if spdx:
        triples.append(ox.Triple(dataset, ox.NamedNode(dcterms + "license"),
                                 ox.NamedNode(f"https://spdx.org/licenses/{spdx}")))
    release = current_app.extensions.get("mmkg_release")
    if release is not None:
        triples.append(ox.Triple(dataset, ox.NamedNode(dcterms + "modified"), ox.Literal(
            release.modified.isoformat(), datatype=ox.NamedNode(PREFIXES["xsd"] + "dateTime"))))
    return triples
