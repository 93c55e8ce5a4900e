"""``mmkg enrich``: labels, synonyms and cross-references of our linked entities from a SPARQL endpoint.

Two profiles say what to ask and how the answers look:

* ``wikidata`` — for every ``wikidata:Q…`` identifier of our entities, the item's English label
  and aliases (``rdfs:label``, ``skos:altLabel``) and its external identifiers through the Wikidata
  properties bioregistry lists for our vocabularies (P683 ChEBI, P486 MeSH, P715 DrugBank, …);
* ``obo`` — for every IRI of an OWL ontology we link to (ChEBI, MONDO, HPO, EFO, NCIt, …), its
  ``rdfs:label``, ``oboInOwl`` synonyms and ``hasDbXref`` cross-references (EBI's, Ontobee's or any
  endpoint holding the OBO ontologies).

Queries go through :class:`kg.query.remote.RemoteStore` (SPARQLWrapper), 40 identifiers per query.
What comes back is stated about the external IRI (never about our own entities) in the named
graph ``graph:enrichment/<profile>``, which also describes itself with PROV: the endpoint, the
time, the number of items asked and answered. Cross-references that disagree with our curated
ones are reported, not merged. A dead endpoint, an error or a timeout is reported and nothing
is written: the graph of the current release stays as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.linking.identifiers import CLASS_VOCABULARIES, PREFIX_TABLE, lookup_prefix, parse_curie
from kg.namespaces import GRAPH, MMKG
from kg.query.store import QueryStore, term_to_python

__all__ = ["PROFILES", "WIKIDATA_PROPERTIES", "Disagreement", "EnrichmentResult", "enrich", "enrichment_graph"]

WIKIDATA_PROPERTIES = {
    "chebi": "P683", "mesh": "P486", "drugbank": "P715", "rxnorm": "P3345", "atc": "P267",
    "pubchem.compound": "P662", "unii": "P652", "umls": "P2892", "ncit": "P1748", "mondo": "P5270",
    "doid": "P699", "hp": "P3841", "efo": "P11956", "uniprot": "P352", "hgnc": "P354", "ncbigene": "P351",
    "clinicaltrials": "P3098", "orpha": "P1550", "icd10": "P494",
}
"""Wikidata external-identifier properties, as bioregistry 0.15.6 lists them (checked by the tests)."""

_BATCH = 40
_OUR_IDS = """PREFIX mmkg: <https://w3id.org/mmkg/>
SELECT ?s ?xref WHERE { ?s mmkg:xref ?xref }"""
_WD = "http://www.wikidata.org/entity/"
_WDT = "http://www.wikidata.org/prop/direct/"
_OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"


def enrichment_graph(profile: str) -> URIRef:
    """The named graph a profile's answers go to."""
    return GRAPH[f"enrichment/{profile}"]


@dataclass(frozen=True)
class Disagreement:
    """An external item cross-referencing a vocabulary differently from our curation."""

    entity: str
    item: str
    theirs: str
    ours: str


@dataclass
class EnrichmentResult:
    graph: Graph
    asked: int = 0
    answered: int = 0
    labels: int = 0
    synonyms: int = 0
    xrefs: int = 0
    skipped: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)


def _wikidata_query(items: list[str]) -> str:
    values = " ".join(f"<{_WD}{q}>" for q in items)
    props = " ".join(f"<{_WDT}{p}>" for p in sorted(set(WIKIDATA_PROPERTIES.values())))
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?item ?label ?alt ?prop ?value WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }}
  UNION {{ ?item skos:altLabel ?alt FILTER(LANGMATCHES(LANG(?alt), "en")) }}
  UNION {{ VALUES ?prop {{ {props} }} ?item ?prop ?value }}
}}"""


def _obo_query(iris: list[str]) -> str:
    values = " ".join(f"<{iri}>" for iri in iris)
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oboInOwl: <{_OBO_IN_OWL}>
SELECT ?item ?label ?alt ?prop ?value WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?label }}
  UNION {{ ?item oboInOwl:hasExactSynonym|oboInOwl:hasRelatedSynonym ?alt }}
  UNION {{ ?item oboInOwl:hasDbXref ?value BIND(oboInOwl:hasDbXref AS ?prop) }}
}}"""


def _wikidata_curie(prop: str, value: str) -> str | None:
    """Our CURIE for a Wikidata external-id value, or None when it does not fit the vocabulary."""
    prefix = next((p for p, pid in WIKIDATA_PROPERTIES.items() if _WDT + pid == prop), None)
    if prefix is None:
        return None
    info = PREFIX_TABLE[prefix]
    local = value.split(":", 1)[1] if value.upper().startswith(info.display.upper() + ":") else value
    try:
        return str(parse_curie(f"{info.display}:{local}"))
    except ValueError:
        return None


def _obo_curie(value: str) -> str | None:
    prefix, sep, _ = value.partition(":")
    if not sep or lookup_prefix(prefix) is None:
        return None
    try:
        return str(parse_curie(value))
    except ValueError:
        return None


Profile = tuple[Callable[[list[str]], str], Callable[[str, str], str | None]]
PROFILES: dict[str, Profile] = {
    "wikidata": (_wikidata_query, _wikidata_curie),
    "obo": (_obo_query, lambda _prop, value: _obo_curie(value)),
}


def _targets(ours: QueryStore, profile: str) -> dict[str, dict[str, set[str]]]:
    """External IRI -> our entity -> our curated CURIEs of that entity."""
    curies: dict[str, set[str]] = defaultdict(set)
    for row in ours.query(_OUR_IDS).rows:
        curies[str(term_to_python(row["s"]))].add(str(term_to_python(row["xref"])))
    targets: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for entity, ids in curies.items():
        for text in ids:
            curie = parse_curie(text)
            if profile == "wikidata" and curie.info.prefix == "wikidata" and curie.local_id.startswith("Q"):
                targets[curie.local_id][entity] = ids
            elif profile == "obo" and curie.info.prefix in CLASS_VOCABULARIES and curie.iri:
                targets[curie.iri][entity] = ids
    return targets


def enrich(ours: QueryStore, remote: QueryStore, endpoint: str, profile: str,
           now: datetime | None = None) -> EnrichmentResult:
    """Ask ``remote`` about the external items our entities link to; the answers as a graph.

    :raises KeyError: for an unknown profile.
    :raises TimeoutError, kg.query.remote.RemoteError, SyntaxError: from the endpoint, unchanged.
    """
    build_query, to_curie = PROFILES[profile]
    targets = _targets(ours, profile)
    graph = Graph()
    result = EnrichmentResult(graph, asked=len(targets))
    keys = sorted(targets)
    answered: set[str] = set()
    for start in range(0, len(keys), _BATCH):
        batch = keys[start:start + _BATCH]
        for row in remote.query(build_query(batch)).rows:
            item = URIRef(str(term_to_python(row["item"])))
            key = str(item).removeprefix(_WD) if profile == "wikidata" else str(item)
            answered.add(key)
            if "label" in row:
                graph.add((item, RDFS.label, _literal(row["label"])))
            if "alt" in row:
                graph.add((item, SKOS.altLabel, _literal(row["alt"])))
            if "value" in row and "prop" in row:
                value = str(term_to_python(row["value"]))
                curie = to_curie(str(term_to_python(row["prop"])), value)
                if curie is None:
                    result.skipped.append(f"{key}: {value!r} ({term_to_python(row['prop'])})")
                    continue
                graph.add((item, MMKG.xref, Literal(curie)))
                iri = parse_curie(curie).iri
                if iri:
                    graph.add((item, SKOS.exactMatch, URIRef(iri)))
                _compare(result, key, curie, targets.get(key, {}))
    result.answered = len(answered)
    result.labels = len(set(graph.triples((None, RDFS.label, None))))
    result.synonyms = len(set(graph.triples((None, SKOS.altLabel, None))))
    result.xrefs = len(set(graph.triples((None, MMKG.xref, None))))
    _describe(graph, profile, endpoint, result, now or datetime.now(UTC))
    return result


def _literal(term: object) -> Literal:
    language = getattr(term, "language", None)
    return Literal(str(getattr(term, "value", term)), lang=language or None)


def _compare(result: EnrichmentResult, key: str, curie: str, entities: dict[str, set[str]]) -> None:
    prefix = curie.split(":", 1)[0]
    for entity, ours in entities.items():
        same_vocabulary = sorted(c for c in ours if c.split(":", 1)[0] == prefix)
        if same_vocabulary and curie not in same_vocabulary:
            result.disagreements.append(Disagreement(entity, key, curie, ", ".join(same_vocabulary)))


def _describe(graph: Graph, profile: str, endpoint: str, result: EnrichmentResult, when: datetime) -> None:
    name = enrichment_graph(profile)
    graph.add((name, RDF.type, PROV.Entity))
    graph.add((name, RDFS.label, Literal(f"enrichment from {endpoint} ({profile} profile)")))
    graph.add((name, PROV.wasDerivedFrom, URIRef(endpoint)))
    graph.add((name, DCTERMS.source, URIRef(endpoint)))
    graph.add((name, PROV.generatedAtTime, Literal(when.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    graph.add((name, DCTERMS.description, Literal(
        f"{result.answered} of {result.asked} items answered: {result.labels} labels, {result.synonyms} synonyms, "
        f"{result.xrefs} cross-references; {len(result.disagreements)} disagree with the curated identifiers.")))
