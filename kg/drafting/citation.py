"""Read a printed reference ("1. Wang Y, Yang F, et al. Title. J Natl Cancer Inst. 2016;108(3):djv342.").

Only what the line prints is kept: authors, title, journal, year, volume, issue, pages, a DOI, a
PMID or PMCID and an online-publication date. Nothing is looked up, so nothing is invented.

>>> c = parse_reference("1. Wang Y, Yang F, Shen Y, et al. A title. J Natl Cancer Inst. 2016;108(3):dvj342.")
>>> (c.authors, c.journal, c.year, c.volume, c.issue, c.pages)
(['Wang Y', 'Yang F', 'Shen Y'], 'J Natl Cancer Inst', 2016, '108', '3', 'dvj342')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.drafting.design_figures import iso_date

__all__ = ["Citation", "is_reference", "parse_reference"]

_NAME = r"[A-Z][A-Za-z'’\-]+(?:\s[A-Z][A-Za-z'’\-]+)*\s[A-Z]{1,3}"
_LEAD = re.compile(rf"^\s*(?:\[?\d{{1,3}}[\].)]?\s+)?(?P<authors>{_NAME}(?:,\s*{_NAME})*)(?:,?\s*et al)?\.\s*"
                   rf"(?P<rest>.+)$")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s;,]+?)(?=[.;,]?(?:\s|$))")
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_PMCID = re.compile(r"\b(PMC\d{4,9})\b")
_VOLUME = re.compile(r"\b(?P<year>(?:19|20)\d{2})\s*;\s*(?P<volume>\d+)(?:\((?P<issue>[\w-]+)\))?\s*:\s*"
                     r"(?P<pages>[\w-]+)")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_ONLINE = re.compile(r"\[(?:published|epub)[^\]]*?(?P<month>January|February|March|April|May|June|July|August|"
                     r"September|October|November|December)\s+(?P<day>\d{1,2}),\s*(?P<year>\d{4})\]", re.IGNORECASE)


@dataclass
class Citation:
    """What a printed reference states."""

    authors: list[str] = field(default_factory=list)
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    date: str | None = None

    def text(self) -> str:
        """The citation in one line (Vancouver style, from the parts only)."""
        authors = ", ".join(self.authors) + (", et al" if len(self.authors) >= 3 else "")
        where = f"{self.year}" if self.year else ""
        if self.volume:
            where += f";{self.volume}" + (f"({self.issue})" if self.issue else "")
            where += f":{self.pages}" if self.pages else ""
        parts = [authors, self.title, self.journal, where]
        line = ". ".join(p for p in parts if p) + "."
        return line + (f" doi:{self.doi}" if self.doi else "")


def is_reference(paragraph: str) -> bool:
    """Whether a paragraph is a printed reference rather than prose."""
    return bool(_LEAD.match(paragraph)) and bool(_YEAR.search(paragraph)) and (
        bool(_VOLUME.search(paragraph) or _DOI.search(paragraph) or _PMID.search(paragraph))
        or bool(re.match(r"^\s*\[?\d{1,3}[\].)]\s", paragraph)))


def parse_reference(paragraph: str) -> Citation:
    """The parts of a printed reference; parts it does not print stay None."""
    citation = Citation()
    lead = _LEAD.match(paragraph)
    rest = paragraph
    if lead:
        citation.authors = [a.strip() for a in lead["authors"].split(",") if a.strip()]
        rest = lead["rest"]
    online = _ONLINE.search(rest)
    if online:
        citation.date = iso_date(online["year"], online["month"], online["day"])
        rest = rest[:online.start()] + rest[online.end():]
    title, _, tail = rest.partition(". ")
    citation.title = " ".join(title.split()) or None
    journal = re.match(r"\s*([A-Z][^.\d;]*?)\.?\s*(?:\d{4}|doi|$)", tail)
    if journal:
        citation.journal = journal[1].strip() or None
    if volume := _VOLUME.search(tail):
        citation.year = int(volume["year"])
        citation.volume, citation.issue, citation.pages = volume["volume"], volume["issue"], volume["pages"]
    elif citation.date:
        citation.year = int(citation.date[:4])
    elif year := _YEAR.search(tail):
        citation.year = int(year[1])
    if doi := _DOI.search(paragraph):
        citation.doi = doi[1].rstrip(".")
    if pmid := _PMID.search(paragraph):
        citation.pmid = pmid[1]
    if pmcid := _PMCID.search(paragraph):
        citation.pmcid = pmcid[1]
    return citation
