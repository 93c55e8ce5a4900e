"""The sources and the publications they cite as RIS and BibTeX, for reference managers.

Authors come in the order the citation prints them (the graph holds them unordered); a DOI, PMID or
PMC id is written only when the graph has it (never guessed). Source documents are entries of their
own (``GEN`` / ``@misc``) with the publication they report in a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, Term

__all__ = ["Reference", "bibtex", "references", "ris"]

_QUERY = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + """
SELECT ?e ?kind ?label ?citation ?author ?journal ?date ?doi ?pmid ?pmcid ?docKind ?file WHERE {
  { ?e a mmkg:Publication BIND("pub" AS ?kind) } UNION { ?e a mmkg:SourceDocument BIND("source" AS ?kind) }
  OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e dcterms:bibliographicCitation ?citation }
  OPTIONAL { ?e mmkg:author ?author } OPTIONAL { ?e mmkg:journal ?journal }
  OPTIONAL { ?e mmkg:publicationDate ?date } OPTIONAL { ?e mmkg:doi ?doi } OPTIONAL { ?e mmkg:pmid ?pmid }
  OPTIONAL { ?e mmkg:pmcid ?pmcid } OPTIONAL { ?e mmkg:documentKind ?docKind } OPTIONAL { ?e mmkg:fileName ?file }
}
ORDER BY ?e
"""


@dataclass
class Reference:
    """One bibliographic entry."""

    iri: str
    kind: str  # pub | source
    label: str = ""
    citation: str = ""
    authors: list[str] = field(default_factory=list)
    journal: str | None = None
    year: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    document_kind: str | None = None

    @property
    def key(self) -> str:
        """A citation key: first author's surname and year (``gay2018``), else the local id."""
        local = self.iri.rsplit("/", 1)[-1]
        if self.kind == "source" or not self.authors:
            return "mmkg-" + local
        surname = unicodedata.normalize("NFKD", self.authors[0].split()[0]).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]", "", surname.lower()) + (self.year or "") or local


def _value(term: Term | None) -> str | None:
    return None if term is None or not hasattr(term, "value") else str(term.value)


def references(store: QueryStore) -> list[Reference]:
    """Every publication and source document of the graph."""
    found: dict[str, Reference] = {}
    for row in store.query(_QUERY).rows:
        iri = _value(row.get("e")) or ""
        ref = found.setdefault(iri, Reference(iri, _value(row.get("kind")) or "pub"))
        ref.label = _value(row.get("label")) or ref.label
        ref.citation = _value(row.get("citation")) or ref.citation
        if (author := _value(row.get("author"))) and author not in ref.authors:
            ref.authors.append(author)
        ref.journal = _value(row.get("journal")) or ref.journal
        ref.year = ((_value(row.get("date")) or "")[:4] or ref.year) or None
        ref.doi = _value(row.get("doi")) or ref.doi
        ref.pmid = _value(row.get("pmid")) or ref.pmid
        ref.pmcid = _value(row.get("pmcid")) or ref.pmcid
        ref.document_kind = _value(row.get("docKind")) or ref.document_kind
    for ref in found.values():
        text = ref.citation

        def position(author: str, text: str = text) -> int:
            at = text.find(author.split()[0])
            return at if at >= 0 else len(text)

        ref.authors.sort(key=position)
        if ref.year is None and (years := re.findall(r"\b(?:19|20)\d\d\b", ref.citation)):
            ref.year = years[0]
    return sorted(found.values(), key=lambda r: (r.kind != "pub", r.key))


def ris(refs: list[Reference]) -> str:
    """RIS (Zotero, EndNote, Mendeley)."""
    lines: list[str] = []
    for ref in refs:
        lines.append("TY  - " + ("JOUR" if ref.kind == "pub" else "GEN"))
        lines += [f"AU  - {a}" for a in ref.authors]
        lines.append(f"TI  - {ref.label}")
        if ref.journal:
            lines.append(f"JO  - {ref.journal}")
        if ref.year:
            lines.append(f"PY  - {ref.year}")
        if ref.doi:
            lines += [f"DO  - {ref.doi}", f"UR  - https://doi.org/{ref.doi}"]
        if ref.pmid:
            lines.append(f"AN  - PMID:{ref.pmid}")
        if ref.pmcid:
            lines.append(f"C2  - {ref.pmcid}")
        if ref.citation:
            lines.append(f"N1  - {ref.citation}")
        lines += [f"ID  - {ref.key}", f"L2  - {ref.iri}", "ER  - ", ""]
    return "\r\n".join(lines)


def _braced(text: str) -> str:
    return "{" + text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}") + "}"


def bibtex(refs: list[Reference]) -> str:
    """BibTeX (LaTeX, Zotero, JabRef)."""
    entries = []
    for ref in refs:
        fields = [("title", ref.label)]
        if ref.authors:
            fields.append(("author", " and ".join(ref.authors)))
        for name, value in (("journal", ref.journal), ("year", ref.year), ("doi", ref.doi), ("pmid", ref.pmid),
                            ("pmcid", ref.pmcid), ("note", ref.citation or ref.document_kind), ("url", ref.iri)):
            if value:
                fields.append((name, value))
        body = ",\n".join(f"  {name} = {_braced(value)}" for name, value in fields)
        entries.append(f"@{'article' if ref.kind == 'pub' else 'misc'}{{{ref.key},\n{body}\n}}\n")
    return "\n".join(entries)
