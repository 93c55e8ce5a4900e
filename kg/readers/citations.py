"""Where an entity's facts come from and what it is elsewhere: source documents with the
publications they cite, and the entity's external identifiers with their mappings."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.linking.identifiers import parse_curie
from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, Term, term_to_python
from kg.readers.sparqlterms import values_clause

__all__ = ["Identifier", "Publication", "SourceInfo", "identifiers_of", "sources_info"]

MMKG = PREFIXES["mmkg"]
_PREFIX_DECL = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


@dataclass(frozen=True)
class Identifier:
    """An external identifier of the entity."""

    curie: str
    link: str
    vocabulary: str
    match: str  # exact, close, broad, narrow or xref
    confidence: str | None = None  # how the mapping was checked: verified, ...
    iri: str | None = None  # the identifier's IRI for linked data, where the vocabulary has one


@dataclass
class Publication:
    """A publication a source cites, with its resolvable identifiers."""

    iri: str
    label: str | None
    citation: str | None
    links: list[tuple[str, str]]  # (CURIE, URL)


@dataclass
class SourceInfo:
    """A source document that states facts shown on the page."""

    id: str
    iri: str
    label: str | None
    kind: str | None
    publications: list[Publication]



def sources_info(store: QueryStore, ids: list[str]) -> list[SourceInfo]:
        """The source documents ``s000``... with the publications they cite and their DOI/PMID links."""
        if not ids:
            return []
        iris = [PREFIXES["res"] + i for i in ids]
        query = f"""{_PREFIX_DECL}
SELECT ?source ?label ?kind ?pub ?pubLabel ?citation ?doi ?pmid ?pmcid WHERE {{
  {values_clause("source", iris)}
  OPTIONAL {{ ?source rdfs:label ?label }}
  OPTIONAL {{ ?source mmkg:documentKind ?kind }}
  OPTIONAL {{ ?source mmkg:cites ?pub .
             OPTIONAL {{ ?pub rdfs:label ?pubLabel }} OPTIONAL {{ ?pub dcterms:bibliographicCitation ?citation }}
             OPTIONAL {{ ?pub mmkg:doi ?doi }} OPTIONAL {{ ?pub mmkg:pmid ?pmid }}
             OPTIONAL {{ ?pub mmkg:pmcid ?pmcid }} }}
}} ORDER BY ?source ?pub"""
        found: dict[str, SourceInfo] = {}
        for row in store.query(query).rows:
            values = {k: str(term_to_python(v)) for k, v in row.items()}
            source = found.setdefault(values["source"], SourceInfo(
                values["source"][len(PREFIXES["res"]):], values["source"], values.get("label"), values.get("kind"),
                []))
            if "pub" in values and all(p.iri != values["pub"] for p in source.publications):
                links = []
                for key, prefix in (("doi", "doi"), ("pmid", "pubmed"), ("pmcid", "pmc")):
                    if key in values:
                        try:
                            curie = parse_curie(f"{prefix}:{values[key]}")
                        except ValueError:
                            continue
                        links.append((str(curie), curie.link))
                source.publications.append(Publication(values["pub"], values.get("pubLabel"),
                                                       values.get("citation"), links))
        return list(found.values())


_MATCH_CURIES = {f"skos:{k}Match": k for k in ("exact", "close", "broad", "narrow")}


def identifiers_of(store: QueryStore, ref: str, literals_by_property: dict[str, list[Term]]) -> list[Identifier]:
    """External identifiers: ``mmkg:xref`` CURIEs, with the match kind and confidence of their mapping."""
    mappings: dict[str, tuple[str, str | None]] = {}
    query = (f"PREFIX mmkg: <{MMKG}> SELECT ?object ?predicate ?confidence WHERE {{ "
             f"?m mmkg:mappingSubject {ref} ; mmkg:mappingObject ?object ; mmkg:mappingPredicate ?predicate . "
             f"OPTIONAL {{ ?m mmkg:mappingConfidence ?confidence }} }}")
    for row in store.query(query).rows:
        confidence_term = row.get("confidence")
        mappings[str(term_to_python(row["object"]))] = (
            _MATCH_CURIES.get(str(term_to_python(row["predicate"])), "xref"),
            str(term_to_python(confidence_term)) if confidence_term is not None else None)
    found: list[Identifier] = []
    literals = [t.value for t in literals_by_property.get(MMKG + "xref", []) if isinstance(t, ox.Literal)]
    for key, prefix in (("doi", "doi"), ("pmid", "pubmed"), ("pmcid", "pmc")):
        literals += [f"{prefix}:{t.value}" for t in literals_by_property.get(MMKG + key, [])
                     if isinstance(t, ox.Literal)]
    for text in literals:
        try:
            curie = parse_curie(text)
        except ValueError:
            continue
        match, confidence = mappings.get(text, mappings.get(str(curie), ("xref", None)))
        found.append(Identifier(str(curie), curie.link, curie.info.name, match, confidence, curie.iri))
    return sorted(found, key=lambda i: (i.vocabulary.lower(), i.curie))

