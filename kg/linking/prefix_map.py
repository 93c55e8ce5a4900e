"""One prefix map and CURIE converter for the project, built on :mod:`curies`.

bioregistry's records for the vocabularies we link to (prefix, synonyms, pattern, link format, the IRI prefixes
it knows) are pinned in ``prefix_map.json`` beside this module, so the runtime needs neither bioregistry nor the
network; ``python -m kg.linking.prefix_map`` regenerates the file from the installed bioregistry and
``tests/test_identifiers.py`` checks that it still agrees. On top come the project's choices: the prefix as the
graph writes it (``CHEBI``, ``MESH``), the IRI each identifier has in the graph (the first IRI prefix of a record,
so expanding a CURIE gives exactly the graph's IRI), and our own namespaces (``mmkg:``, ``res:``, ``graph:``, the
W3C ones, ``wd:`` …). :func:`converter` is the one :class:`curies.Converter` that namespaces, identifiers, SSSOM,
the predeclared query prefixes, the catalogue and the readers use.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import curies

from kg.namespaces import COMMON_PREFIXES, PREFIXES

__all__ = ["PINNED", "VOCABULARIES", "converter", "declare_prefixes", "generate", "pinned", "prefixes_used"]

PINNED = Path(__file__).with_name("prefix_map.json")

_OBO = "http://purl.obolibrary.org/obo/"
VOCABULARIES: dict[str, tuple[str, str, str]] = {
    # bioregistry prefix: (the prefix as the graph writes it, the IRI prefix of its identifiers in the graph, name)
    "chebi": ("CHEBI", _OBO + "CHEBI_", "ChEBI"),
    "drugbank": ("drugbank", "https://go.drugbank.com/drugs/", "DrugBank"),
    "mesh": ("MESH", "http://id.nlm.nih.gov/mesh/", "MeSH"),
    "ncit": ("NCIT", _OBO + "NCIT_", "NCI Thesaurus"),
    "rxnorm": ("rxnorm", "https://mor.nlm.nih.gov/RxNav/search?searchBy=RXCUI&searchTerm=", "RxNorm"),
    "atc": ("atc", "http://www.whocc.no/atc_ddd_index/?code=", "ATC"),
    "wikidata": ("wikidata", "http://www.wikidata.org/entity/", "Wikidata"),
    "pubchem.compound": ("pubchem.compound", "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID", "PubChem compound"),
    "unii": ("unii", "https://precision.fda.gov/uniisearch/srs/unii/", "UNII"),
    "mondo": ("MONDO", _OBO + "MONDO_", "MONDO"),
    "doid": ("DOID", _OBO + "DOID_", "Disease Ontology"),
    "hp": ("HP", _OBO + "HP_", "Human Phenotype Ontology"),
    "efo": ("EFO", "http://www.ebi.ac.uk/efo/EFO_", "Experimental Factor Ontology"),
    "uniprot": ("uniprot", "http://purl.uniprot.org/uniprot/", "UniProt"),
    "hgnc": ("hgnc", "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/", "HGNC"),
    "ncbigene": ("NCBIGene", "https://www.ncbi.nlm.nih.gov/gene/", "NCBI Gene"),  # bioregistry's RDF form is UniProt's
    "clinicaltrials": ("clinicaltrials", "https://www.clinicaltrials.gov/study/", "ClinicalTrials.gov"),
    "isrctn": ("isrctn", "https://www.isrctn.com/", "ISRCTN"),
    "doi": ("doi", "https://doi.org/", "DOI"),
    "pubmed": ("pubmed", "https://pubmed.ncbi.nlm.nih.gov/", "PubMed"),  # bioregistry's RDF form is PubChem's
    "pmc": ("pmc", "http://europepmc.org/articles/", "PubMed Central"),
    "stato": ("STATO", _OBO + "STATO_", "STATO"),
    "obi": ("OBI", _OBO + "OBI_", "OBI"),
    "umls": ("umls", "https://uts.nlm.nih.gov/uts/umls/concept/", "UMLS"),
    "orpha": ("ORPHA", "http://www.orpha.net/ORDO/Orphanet_", "Orphanet"),
    "icd10": ("icd10", "https://icd.who.int/browse10/2019/en#/", "ICD-10"),
    "icdo": ("icdo", "https://bioregistry.io/icdo:", "ICD-O"),  # no stable IRI of its own: bioregistry's resolver
    "meddra": ("meddra", "https://bioregistry.io/meddra:", "MedDRA"),  # the same
    "maxo": ("MAXO", _OBO + "MAXO_", "Medical Action Ontology"),
}
"""The vocabularies we link to, with the project's own choices for each."""


def generate() -> dict[str, Any]:
    """bioregistry's records for :data:`VOCABULARIES`, as pinned in :data:`PINNED` (needs bioregistry)."""
    import bioregistry

    records: dict[str, Any] = {}
    full = bioregistry.get_converter()
    for prefix in sorted(VOCABULARIES):
        record = full.get_record(prefix)
        if record is None:
            raise ValueError(f"bioregistry has no record for {prefix!r}")
        records[prefix] = {
            "preferred_prefix": bioregistry.get_preferred_prefix(prefix) or prefix,
            "prefix_synonyms": sorted(record.prefix_synonyms),
            "pattern": bioregistry.get_pattern(prefix),
            "uri_format": bioregistry.get_uri_format(prefix),
            "uri_prefix": record.uri_prefix,
            "uri_prefix_synonyms": sorted(record.uri_prefix_synonyms),
        }
    return {"bioregistry": importlib.metadata.version("bioregistry"), "records": records}


@cache
def pinned() -> dict[str, Any]:
    """The pinned bioregistry records (see :data:`PINNED`)."""
    data: dict[str, Any] = json.loads(PINNED.read_text(encoding="utf-8"))
    return data


@cache
def converter() -> curies.Converter:
    """The project's converter: our vocabularies with their written prefixes and the graph's IRI forms (the rest
    of bioregistry's prefixes and IRI prefixes as synonyms), then our own and the common namespaces.

    >>> converter().expand("MESH:D017418"), converter().expand("mesh:D017418")
    ('http://id.nlm.nih.gov/mesh/D017418', 'http://id.nlm.nih.gov/mesh/D017418')
    >>> converter().compress("https://w3id.org/mmkg/graph/inferred")
    'graph:inferred'
    """
    records: list[curies.Record] = []
    taken: set[str] = set()
    for prefix, (written, iri_prefix, _) in VOCABULARIES.items():
        record = pinned()["records"][prefix]
        synonyms = {prefix, record["preferred_prefix"], *record["prefix_synonyms"]} - {written}
        uri_synonyms = {record["uri_prefix"], *record["uri_prefix_synonyms"]} - {iri_prefix}
        synonyms -= taken
        uri_synonyms -= taken
        taken |= synonyms | uri_synonyms | {written, iri_prefix}
        records.append(curies.Record(prefix=written, uri_prefix=iri_prefix, prefix_synonyms=sorted(synonyms),
                                     uri_prefix_synonyms=sorted(uri_synonyms), pattern=record["pattern"]))
    for prefix, namespace in {**COMMON_PREFIXES, **PREFIXES}.items():
        if prefix not in taken and namespace not in taken:
            records.append(curies.Record(prefix=prefix, uri_prefix=namespace))
            taken |= {prefix, namespace}
    return curies.Converter(records)


def prefixes_used(iris: Iterable[str]) -> dict[str, str]:
    """The prefixes of the converter whose namespaces ``iris`` use (ours always), for an export to declare.

    >>> prefixes_used(["http://purl.obolibrary.org/obo/CHEBI_1", "http://www.wikidata.org/entity/Q1"])["CHEBI"]
    'http://purl.obolibrary.org/obo/CHEBI_'
    """
    found: dict[str, str] = {p: ns for p, ns in PREFIXES.items() if p != "obo"}  # obo: only where no OBO prefix fits
    names = converter().prefix_map
    compress = converter().compress
    for iri in iris:
        curie = compress(iri)
        if curie is not None:
            prefix = curie.split(":", 1)[0]
            found.setdefault(prefix, names[prefix])
    namespaces = set(found.values())
    for prefix, namespace in COMMON_PREFIXES.items():  # wd: beside wikidata:, as Wikidata's own queries write it
        if namespace in namespaces:
            found.setdefault(prefix, namespace)
    return found


def declare_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """Turtle or TriG ``text`` with an ``@prefix`` line for each of ``prefixes`` it does not declare yet (rdflib
    declares only those it could use, and it cannot write ``CHEBI:63791`` for an OBO IRI).

    >>> declare_prefixes("@prefix a: <http://a/> .\\n", {"a": "http://a/", "b": "http://b/"}).splitlines()
    ['@prefix b: <http://b/> .', '@prefix a: <http://a/> .']
    """
    declared = set(re.findall(r"^@prefix ([^:\s]*):", text, re.MULTILINE))
    missing = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()) if p not in declared)
    return missing + text


def main() -> None:
    """Write :data:`PINNED` from the installed bioregistry."""
    PINNED.write_text(json.dumps(generate(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {PINNED}\n")


if __name__ == "__main__":
    main()
