"""External identifiers: prefixes, patterns, link and IRI formats.

The table is copied from bioregistry (0.15.6) so that building the graph does not import the whole
registry; ``tests/test_identifiers.py`` checks every row against the installed bioregistry, so the
copy cannot drift unnoticed. Two deliberate departures from bioregistry's RDF forms:

* ``pubmed``: bioregistry's RDF form is a PubChem namespace; we use the PubMed page.
* ``ncbigene``: bioregistry's RDF form is UniProt's gene namespace; we use the NCBI page.

Prefixes without a stable IRI (``icdo``, ``meddra``) keep the CURIE only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CLASS_VOCABULARIES", "PREFIX_TABLE", "Curie", "PrefixInfo", "curie_from_iri", "lookup_prefix",
           "parse_curie"]


@dataclass(frozen=True)
class PrefixInfo:
    """What we know of one bioregistry prefix."""

    prefix: str
    display: str
    pattern: str
    link_format: str
    iri_format: str | None
    name: str

    def link(self, local_id: str) -> str:
        """A web page for the identifier."""
        return self.link_format.replace("$1", local_id)

    def iri(self, local_id: str) -> str | None:
        """The identifier's IRI for linked data, or None when the vocabulary has no stable one."""
        return self.iri_format.replace("$1", local_id) if self.iri_format else None


_OBO = "http://purl.obolibrary.org/obo/"
_ROWS: list[tuple[str, str, str, str, str | None, str]] = [
    ("chebi", "CHEBI", r"^\d+$", _OBO + "CHEBI_$1", _OBO + "CHEBI_$1", "ChEBI"),
    ("drugbank", "drugbank", r"^DB\d{5}$", "https://go.drugbank.com/drugs/$1", "https://go.drugbank.com/drugs/$1",
     "DrugBank"),
    ("mesh", "MESH", r"^(C|D|Q)\d+$", "https://meshb.nlm.nih.gov/record/ui?ui=$1", "http://id.nlm.nih.gov/mesh/$1",
     "MeSH"),
    ("ncit", "NCIT", r"^(C|R|P|A|NHC)\d+$", _OBO + "NCIT_$1", _OBO + "NCIT_$1", "NCI Thesaurus"),
    ("rxnorm", "rxnorm", r"^[0-9]{1,7}$", "https://mor.nlm.nih.gov/RxNav/search?searchBy=RXCUI&searchTerm=$1",
     "https://mor.nlm.nih.gov/RxNav/search?searchBy=RXCUI&searchTerm=$1", "RxNorm"),
    ("atc", "atc", r"^[A-Z](\d+([A-Z]{1,2}(\d+)?)?)?$", "http://www.whocc.no/atc_ddd_index/?code=$1",
     "http://www.whocc.no/atc_ddd_index/?code=$1", "ATC"),
    ("wikidata", "wikidata", r"^(Q|P|E|L)\d+$", "http://www.wikidata.org/entity/$1",
     "http://www.wikidata.org/entity/$1", "Wikidata"),
    ("pubchem.compound", "pubchem.compound", r"^\d+$", "https://pubchem.ncbi.nlm.nih.gov/compound/$1",
     "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID$1", "PubChem compound"),
    ("unii", "unii", r"^[A-Z0-9]+$", "https://precision.fda.gov/uniisearch/srs/unii/$1",
     "https://precision.fda.gov/uniisearch/srs/unii/$1", "UNII"),
    ("mondo", "MONDO", r"^\d{7}$", _OBO + "MONDO_$1", _OBO + "MONDO_$1", "MONDO"),
    ("doid", "DOID", r"^\d+$", _OBO + "DOID_$1", _OBO + "DOID_$1", "Disease Ontology"),
    ("hp", "HP", r"^\d{7}$", _OBO + "HP_$1", _OBO + "HP_$1", "Human Phenotype Ontology"),
    ("efo", "EFO", r"^\d{7}$", "http://www.ebi.ac.uk/efo/EFO_$1", "http://www.ebi.ac.uk/efo/EFO_$1",
     "Experimental Factor Ontology"),
    ("uniprot", "uniprot", r"^([OPQ]\d[A-Z0-9]{3}\d|[A-NR-Z]\d([A-Z][A-Z0-9]{2}\d){1,2})$",
     "http://purl.uniprot.org/uniprot/$1", "http://purl.uniprot.org/uniprot/$1", "UniProt"),
    ("hgnc", "hgnc", r"^\d{1,5}$", "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/$1",
     "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/$1", "HGNC"),
    ("ncbigene", "NCBIGene", r"^\d+$", "https://www.ncbi.nlm.nih.gov/gene/$1", "https://www.ncbi.nlm.nih.gov/gene/$1",
     "NCBI Gene"),
    ("clinicaltrials", "clinicaltrials", r"^NCT\d{8}$", "https://www.clinicaltrials.gov/study/$1",
     "https://www.clinicaltrials.gov/study/$1", "ClinicalTrials.gov"),
    ("isrctn", "isrctn", r"^ISRCTN\d+$", "https://www.isrctn.com/$1", "https://www.isrctn.com/$1", "ISRCTN"),
    ("doi", "doi", r"^10.\d{2,9}/.*$", "https://doi.org/$1", "https://doi.org/$1", "DOI"),
    ("pubmed", "pubmed", r"^\d+$", "https://pubmed.ncbi.nlm.nih.gov/$1/", "https://pubmed.ncbi.nlm.nih.gov/$1/",
     "PubMed"),
    ("pmc", "pmc", r"^PMC\d+(\.\d+)?$", "http://europepmc.org/articles/$1", "http://europepmc.org/articles/$1",
     "PubMed Central"),
    ("stato", "STATO", r"^\d{7}$", _OBO + "STATO_$1", _OBO + "STATO_$1", "STATO"),
    ("obi", "OBI", r"^\d{7}$", _OBO + "OBI_$1", _OBO + "OBI_$1", "OBI"),
    ("umls", "umls", r"^C\d+$", "https://uts.nlm.nih.gov/uts/umls/concept/$1",
     "https://uts.nlm.nih.gov/uts/umls/concept/$1", "UMLS"),
    ("orpha", "ORPHA", r"^C?\d+$", "http://www.orpha.net/ORDO/Orphanet_$1", "http://www.orpha.net/ORDO/Orphanet_$1",
     "Orphanet"),
    ("icd10", "icd10", r"^(([XVI]+)|([A-Z][0-9]+((-[A-Z][0-9]+)|(\.[0-9]))?))$",
     "https://icd.who.int/browse10/2019/en#/$1", "https://icd.who.int/browse10/2019/en#/$1", "ICD-10"),
    ("icdo", "icdo", r"^[8-9]\d{3}(/[0-3])?$",
     "http://codes.iarc.fr/search.php?cx=009987501641899931167%3A2_7lsevqpdm&cof=FORID%3A9&ie=UTF-8&ie=ISO-8859-1"
     "&oe=ISO-8859-1&sa=&q=$1", None, "ICD-O"),
    ("meddra", "meddra", r"^\d+$", "http://bioportal.bioontology.org/ontologies/MEDDRA?p=classes&conceptid=$1", None,
     "MedDRA"),
    ("maxo", "MAXO", r"^\d{7}$", _OBO + "MAXO_$1", _OBO + "MAXO_$1", "Medical Action Ontology"),
]

CLASS_VOCABULARIES = frozenset({"chebi", "efo", "mondo", "doid", "hp", "ncit", "stato", "obi", "maxo"})
"""Vocabularies that are OWL ontologies: their terms are classes (imported with ``rdfs:subClassOf``
parents), and an entity with a verified exact match to one is typed with it."""

PREFIX_TABLE: dict[str, PrefixInfo] = {row[0]: PrefixInfo(*row) for row in _ROWS}
_ALIASES = {"orphanet": "orpha", "ordo": "orpha", "nct": "clinicaltrials", "pmid": "pubmed", "pmcid": "pmc"}


@dataclass(frozen=True)
class Curie:
    """A checked compact identifier."""

    info: PrefixInfo
    local_id: str

    def __str__(self) -> str:
        return f"{self.info.display}:{self.local_id}"

    @property
    def link(self) -> str:
        return self.info.link(self.local_id)

    @property
    def iri(self) -> str | None:
        return self.info.iri(self.local_id)


def lookup_prefix(prefix: str) -> PrefixInfo | None:
    """Our row for a written prefix, whatever its case, or a known synonym (``pmid`` → pubmed)."""
    key = prefix.lower()
    return PREFIX_TABLE.get(_ALIASES.get(key, key))


def parse_curie(text: str) -> Curie:
    """Parse and check a CURIE against its prefix's pattern (prefixes are case-insensitive).

    :raises ValueError: for an unknown prefix or an identifier that does not fit the pattern.

    >>> str(parse_curie("chebi:63791"))
    'CHEBI:63791'
    >>> parse_curie("NCIT:63791")
    Traceback (most recent call last):
    ...
    ValueError: 'NCIT:63791': '63791' does not match the ncit pattern ^(C|R|P|A|NHC)\\d+$
    """
    prefix, sep, local_id = text.partition(":")
    if not sep or not local_id:
        raise ValueError(f"{text!r} is not a CURIE (prefix:identifier)")
    info = lookup_prefix(prefix)
    if info is None:
        raise ValueError(f"{text!r}: unknown prefix {prefix!r}")
    if not re.match(info.pattern, local_id):
        raise ValueError(f"{text!r}: {local_id!r} does not match the {info.prefix} pattern {info.pattern}")
    return Curie(info, local_id)


def curie_from_iri(iri: str) -> str | None:
    """The CURIE of an external IRI in our prefix table, or None.

    >>> curie_from_iri("http://purl.obolibrary.org/obo/NCIT_C93150")
    'NCIT:C93150'
    >>> curie_from_iri("http://id.nlm.nih.gov/mesh/D017418")
    'MESH:D017418'
    """
    best: tuple[int, str] | None = None
    for info in PREFIX_TABLE.values():
        if not info.iri_format or not info.iri_format.endswith("$1"):
            continue
        stem = info.iri_format[:-2]
        if iri.startswith(stem) and (best is None or len(stem) > best[0]):
            best = (len(stem), f"{info.display}:{iri[len(stem):]}")
    return best[1] if best else None
