"""``mmkg export --format sssom``: every mapping to an external vocabulary as an SSSOM table.

Three kinds of statement become mappings (one row each):

* the curated mapping records (``mmkg:Mapping``) of drugs, targets, diseases, adverse events,
  endpoints and trials, with the confidence the curators gave them (``verified`` / ``likely``, see
  ``../shared/reference/identifiers.md``) and where each was verified;
* the alignments of ontology terms (``skos:exactMatch`` / ``skos:closeMatch`` in ``ontology/mmkg.ttl``);
* the DOI, PubMed and PMC identifiers of publications.

The file follows the SSSOM TSV layout (https://mapping-commons.github.io/sssom/): a YAML metadata
block behind ``#`` with the CURIE map, licence and creator, then one tab-separated row per mapping.
Object labels come from the term imports (``graph:imports``) when the graph has them. The tests
parse and validate the output with sssom-py, which is not a runtime dependency.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields

from kg.linking.identifiers import PREFIX_TABLE, PrefixInfo, curie_from_iri, lookup_prefix
from kg.linking.prefix_map import converter
from kg.namespaces import COMMON_PREFIXES, PREFIXES, compact
from kg.query.store import QueryStore, Term, term_to_python

__all__ = ["CONFIDENCE", "SSSOM_LICENSE", "SssomRow", "count_by_vocabulary", "mapping_rows",
           "uri_prefix", "write_sssom"]

SSSOM_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
MAPPING_SET_ID = "https://w3id.org/mmkg/mappings/mmkg.sssom.tsv"
CONFIDENCE = {"verified": 0.95, "likely": 0.6}
"""SSSOM confidence for the curators' two grades: ``verified`` means identifier and label were seen
together in a named source; ``likely`` that the source was indirect or the label unconfirmed."""

_JUSTIFICATION = "semapv:ManualMappingCuration"
_RECORDS = """PREFIX mmkg: <https://w3id.org/mmkg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label ?predicate ?object ?confidence ?checked ?note WHERE {
  ?m a mmkg:Mapping ; mmkg:mappingSubject ?s ; mmkg:mappingPredicate ?predicate ; mmkg:mappingObject ?object ;
     mmkg:mappingConfidence ?confidence .
  OPTIONAL { ?m mmkg:verifiedBy ?checked }
  OPTIONAL { ?m skos:note ?note }
  OPTIONAL { ?s rdfs:label ?label }
}"""
_TERM_ALIGNMENTS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?label ?predicate ?object WHERE {
  GRAPH <https://w3id.org/mmkg/graph/ontology> {
    VALUES ?predicate { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch }
    ?s ?predicate ?object . FILTER(STRSTARTS(STR(?s), "https://w3id.org/mmkg/"))
    OPTIONAL { ?s rdfs:label ?label }
  }
}"""
_PUBLICATION_IDS = """PREFIX mmkg: <https://w3id.org/mmkg/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label ?property ?value WHERE {
  VALUES ?property { mmkg:doi mmkg:pmid mmkg:pmcid }
  ?s ?property ?value . OPTIONAL { ?s rdfs:label ?label }
}"""
_IMPORTED_LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?notation ?label WHERE { GRAPH <https://w3id.org/mmkg/graph/imports> { ?t skos:notation ?notation ;
  rdfs:label ?label } }"""
_PUBLICATION_PREFIX = {"doi": "doi", "pmid": "pubmed", "pmcid": "pmc"}


@dataclass(frozen=True)
class SssomRow:
    """One mapping, in SSSOM's column names and order."""

    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    object_label: str
    mapping_justification: str
    confidence: float
    comment: str


def uri_prefix(info: PrefixInfo) -> str:
    """The expansion of a prefix in the CURIE map: the IRI prefix the project's converter gives it, the one
    the graph's IRIs use (:mod:`kg.linking.prefix_map`), so converting the table to RDF names the graph's nodes."""
    expanded = converter().expand_pair(info.display, "")
    if expanded is None:
        raise ValueError(f"the prefix map has no IRI prefix for {info.display!r}")
    return expanded


def _text(row: Mapping[str, Term], name: str) -> str:
    value = row.get(name)
    return str(term_to_python(value)) if value is not None else ""


def mapping_rows(store: QueryStore) -> list[SssomRow]:
    """Every mapping of the graph, sorted by subject then object."""
    labels: dict[str, str] = {}
    for row in store.query(_IMPORTED_LABELS).rows:
        labels.setdefault(_text(row, "notation"), _text(row, "label"))
    found: dict[tuple[str, str, str], SssomRow] = {}

    def add(subject: str, subject_label: str, predicate: str, obj: str, confidence: float, comment: str) -> None:
        key = (subject, predicate, obj)
        if key not in found:
            found[key] = SssomRow(compact(subject), subject_label, predicate, obj, labels.get(obj, ""),
                                  _JUSTIFICATION, confidence, comment)

    for row in store.query(_RECORDS).rows:
        grade = _text(row, "confidence")
        comment = "; ".join(filter(None, [f"{grade}: {_text(row, 'checked')}",
                                          _text(row, "note")]))
        add(_text(row, "s"), _text(row, "label"), _text(row, "predicate"),
            _text(row, "object"), CONFIDENCE[grade], comment)
    for row in store.query(_TERM_ALIGNMENTS).rows:
        obj = curie_from_iri(_text(row, "object"))
        if obj is None:
            continue
        predicate = "skos:" + _text(row, "predicate").rsplit("#", 1)[-1]
        grade = "verified" if predicate == "skos:exactMatch" else "likely"
        add(_text(row, "s"), _text(row, "label"), predicate, obj, CONFIDENCE[grade],
            "ontology term alignment (ontology/mmkg.ttl)")
    for row in store.query(_PUBLICATION_IDS).rows:
        prefix = _PUBLICATION_PREFIX[_text(row, "property").rsplit("/", 1)[-1]]
        info = PREFIX_TABLE[prefix]
        add(_text(row, "s"), _text(row, "label"), "skos:exactMatch",
            f"{info.display}:{_text(row, 'value')}", CONFIDENCE["verified"],
            "verified: publication identifier (identifiers.md, section 9)")
    return sorted(found.values(), key=lambda r: (r.subject_id, r.predicate_id, r.object_id))


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_sssom(rows: list[SssomRow], version: str, date: str) -> str:
    """The SSSOM TSV text of ``rows``: metadata block, header, rows."""
    used = sorted({r.object_id.split(":", 1)[0] for r in rows})
    curie_map: dict[str, str] = {p: PREFIXES[p] for p in ("mmkg", "res", "skos")}
    curie_map["semapv"] = COMMON_PREFIXES["semapv"]
    for prefix in used:
        info = lookup_prefix(prefix)
        if info is None:
            raise ValueError(f"mapping object prefix {prefix!r} is not in the prefix table")
        curie_map[prefix] = uri_prefix(info)
    description = ("Curated by hand; each identifier was checked against the source named in its comment "
                   f"(see identifiers.md). Confidence: verified {CONFIDENCE['verified']}, likely "
                   f"{CONFIDENCE['likely']}.")
    lines = ["curie_map:"]
    lines += [f"  {prefix}: {_yaml_string(uri)}" for prefix, uri in curie_map.items()]
    lines += [
        f"mapping_set_id: {_yaml_string(MAPPING_SET_ID)}",
        f"mapping_set_version: {_yaml_string(version)}",
        f"mapping_set_title: {_yaml_string('myeloma-kg: mappings of its entities and terms to external vocabularies')}",
        f"mapping_set_description: {_yaml_string(description)}",
        f"license: {_yaml_string(SSSOM_LICENSE)}",
        "creator_label:",
        "  - myeloma-kg curators",
        f"publication_date: {_yaml_string(date)}",
        f"mapping_date: {_yaml_string(date)}",
        "subject_source: mmkg:ontology",
    ]
    buffer = io.StringIO()
    for line in lines:
        buffer.write(f"#{line}\n")
    columns = [f.name for f in fields(SssomRow)]
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([getattr(row, c) for c in columns])
    return buffer.getvalue()


def count_by_vocabulary(rows: list[SssomRow]) -> Counter[str]:
    """How many mappings point into each target vocabulary (by CURIE prefix)."""
    return Counter(r.object_id.split(":", 1)[0] for r in rows)
