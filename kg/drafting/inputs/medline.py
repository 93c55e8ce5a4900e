"""PubMed MEDLINE XML (``PubmedArticleSet`` / ``PubmedArticle`` / ``MedlineCitation``): title, structured
abstract (each labelled ``AbstractText`` a paragraph "LABEL: text"), and the citation as a printed reference."""

from __future__ import annotations

from lxml import etree

from kg.drafting.inputs.limits import Deadline
from kg.drafting.inputs.model import Block, InputDocument, compose
from kg.drafting.inputs.xmlsafe import local, text_of

__all__ = ["read_medline"]


def _find(node: etree._Element, path: str) -> str:
    found = node.find(path)
    return text_of(found) if found is not None else ""


def _reference(citation: etree._Element, article: etree._Element, record: etree._Element) -> str:
    authors = []
    for author in citation.iterfind(".//Author"):
        last, initials = _find(author, "LastName"), _find(author, "Initials")
        if last:
            authors.append(f"{last} {initials}".strip())
        elif collective := _find(author, "CollectiveName"):
            authors.append(collective)
    journal = _find(article, "Journal/ISOAbbreviation") or _find(article, "Journal/Title")
    year = _find(article, "Journal/JournalIssue/PubDate/Year") or _find(article, "ArticleDate/Year")
    volume, issue = _find(article, "Journal/JournalIssue/Volume"), _find(article, "Journal/JournalIssue/Issue")
    pages = _find(article, "Pagination/MedlinePgn")
    doi = next((text_of(e) for e in record.iter() if local(e) in ("ArticleId", "ELocationID")
                and e.get("IdType", e.get("EIdType")) == "doi"), "")
    pmid = _find(citation, "PMID")
    where = f"{year};{volume}" + (f"({issue})" if issue else "") + (f":{pages}" if pages else "")
    names = ", ".join(authors[:6]) + (", et al" if len(authors) > 6 else "")
    parts = [names, _find(article, "ArticleTitle").rstrip("."), journal, where,
             f"doi: {doi}" if doi else "", f"PMID: {pmid}" if pmid else ""]
    return ". ".join(p for p in parts if p)


def read_medline(root: etree._Element, where: str, deadline: Deadline) -> InputDocument:
    """The derived text of every citation in a MEDLINE file, in order."""
    blocks: list[Block] = []
    records = [root] if local(root) in ("PubmedArticle", "MedlineCitation") else list(root)
    references: list[str] = []
    for record in records:
        deadline.check("a PubmedArticle")
        citation = record if local(record) == "MedlineCitation" else record.find("MedlineCitation")
        if citation is None:
            continue
        article = citation.find("Article")
        if article is None:
            continue
        blocks.append(Block(_find(article, "ArticleTitle")))
        for part in article.iterfind("Abstract/AbstractText"):
            label = part.get("Label") or ""
            text = text_of(part)
            if text:
                blocks.append(Block(f"{label.capitalize() if label.isupper() else label}: {text}" if label else text))
        references.append(_reference(citation, article, record))
    blocks += [Block(f"{i}. {r}") for i, r in enumerate(references, 1)]
    return compose("medline", blocks)
