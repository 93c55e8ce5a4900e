"""The findings that concern an entity, for tables and forest plots.

:func:`findings_about` finds them (bounded, so a hub of a large graph stays fast) and reads them
as :class:`kg.evidence.gather.Finding`, the one finding model the evidence layer uses too.
"""

from __future__ import annotations

import re

from kg.evidence.gather import Finding, gather
from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, Term, term_to_python

__all__ = ["findings_about", "findings_sparql"]

MMKG = PREFIXES["mmkg"]
_PREFIX_DECL = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


# The one-path properties the build materialises (mmkg:regimen takes in intervention, comparator,
# aboutRegimen and the arm's regimen; mmkg:concernsDrug the drugs of those regimens, pooled ones
# too; mmkg:fromStudy the arm's study). Every property here has mmkg:Finding as its domain, so no
# "?f a mmkg:Finding" (which made the engine start from all findings); each branch starts from
# the entity.
_FINDING_LINKS = ("regimen", "concernsDrug", "fromStudy", "endpoint", "population", "fromSource", "arm",
                  "adverseEvent", "agency")
_FINDINGS = _PREFIX_DECL + """
SELECT DISTINCT ?f WHERE {
  VALUES ?e { %(entity)s }
  { %(links)s }
  UNION { ?s1 mmkg:includesStudy ?e . ?f mmkg:fromStudy ?s1 }
}
LIMIT %(limit)d
"""


def findings_sparql(ref: str, limit: int | None) -> str:
    """The findings linked to an entity: the first ``limit`` (for the page), or all in IRI order (for the editor)."""
    links = " UNION ".join(f"{{ ?f mmkg:{p} ?e }}" for p in _FINDING_LINKS)
    tail = f"LIMIT {limit}" if limit is not None else "ORDER BY ?f"
    return (_FINDINGS % {"links": links, "entity": ref, "limit": 0}).replace("LIMIT 0", tail).strip()


def findings_about(store: QueryStore, ref: str, max_findings: int) -> tuple[list[Finding], int]:
    """At most ``max_findings`` findings linked to the entity, and their number, or
    ``max_findings + 1`` when there are more (a hub drug of a large graph has tens of thousands:
    the page shows a bounded table and links to a query for all of them). No ORDER BY, so the
    engine stops after the first rows instead of sorting them all; the findings are read with
    :func:`kg.evidence.gather.gather` (the one finding model) and come back in source and locator order."""
    result = store.query(findings_sparql(ref, max_findings + 1))
    ids = [_v(r["f"]) for r in result.rows]
    total = len(ids)  # max_findings + 1 means "more than max_findings": counting them all costs a full scan
    return gather(store, only=ids[:max_findings]), total


def _locator_key(locator: object) -> tuple[int, ...]:
    """``p3.s2`` sorts before ``p10.s1``."""
    return tuple(int(n) for n in re.findall(r"\d+", str(locator or "")))


def _v(term: Term) -> str:
    """The IRI (or lexical form) of a term."""
    return str(term_to_python(term))
