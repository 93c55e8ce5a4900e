"""The findings that concern an entity, flattened into rows for tables and forest plots.

:func:`findings_about` finds them (bounded, so a hub of a large graph stays fast) and reads each
one's fields in one query; :class:`FindingRow` gives typed access to what a table shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, Term, term_to_python
from kg.readers.sparqlterms import values_clause

__all__ = ["FindingRow", "findings_about", "findings_sparql"]

MMKG = PREFIXES["mmkg"]
RDF_TYPE = PREFIXES["rdf"] + "type"
INFERRED = PREFIXES["graph"] + "inferred"
_PREFIX_DECL = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())


@dataclass
class FindingRow:
    """One finding about the entity, flattened for the findings table and the forest plot."""

    iri: str
    label: str | None = None
    kind: str | None = None
    values: dict[str, Term] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | int | float | bool | None:
        term = self.values.get(key)
        return None if term is None else term_to_python(term)

    def iri_of(self, key: str) -> str | None:
        term = self.values.get(key)
        return term.value if isinstance(term, ox.NamedNode) else None

    def label_of(self, key: str) -> str | None:
        iri = self.iri_of(key)
        return self.labels.get(iri, iri) if iri else None

    @property
    def significant(self) -> bool | None:
        """Significance as reported, else as the reasoner classified the interval, else unknown."""
        reported = self.get("isSignificant")
        if isinstance(reported, bool):
            return reported
        interval = self.iri_of("interval")
        if interval in (MMKG + "SignificantHazardReduction", MMKG + "SignificantRiskIncrease"):
            return True
        if interval == MMKG + "IntervalIncludesNoEffect":
            return False
        return None

    @property
    def is_ratio(self) -> bool:
        return all(k in self.values for k in ("estimate", "ciLower", "ciUpper"))



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


# Properties of a finding shown in the table, by local name.
_FINDING_FIELDS = {MMKG + k: k for k in (
    "endpoint", "intervention", "comparator", "arm", "estimate", "ciLower", "ciUpper", "ciLevel", "pValue",
    "pValueComparator", "isSignificant", "population", "fromSource", "locator", "statedAs", "value", "unit",
    "adverseEvent")} | {PREFIXES["rdfs"] + "label": "label"}
_INTERVAL_CLASSES = {MMKG + k for k in ("SignificantHazardReduction", "SignificantRiskIncrease",
                                        "IntervalIncludesNoEffect")}
# Generic kinds that a more specific asserted kind makes redundant.
_GENERIC_KINDS = {MMKG + k for k in ("Finding", "EffectEstimate", "RatioEstimate", "Statement")}



def findings_about(store: QueryStore, ref: str, max_findings: int) -> tuple[list[FindingRow], int]:
    """At most ``max_findings`` findings linked to the entity, and their number, or
    ``max_findings + 1`` when there are more (a hub drug of a large graph has tens of thousands:
    the page shows a bounded table and links to a query for all of them). No ORDER BY, so the
    engine stops after the first rows instead of sorting them all; the table is sorted after."""
    result = store.query(findings_sparql(ref, max_findings + 1))
    ids = [_v(r["f"]) for r in result.rows]
    total = len(ids)  # max_findings + 1 means "more than max_findings": counting them all costs a full scan
    ids = ids[: max_findings]
    if not ids:
        return [], 0
    rows = {f: FindingRow(f) for f in ids}
    query = f"SELECT ?f ?g ?p ?o WHERE {{ {values_clause('f', ids)} GRAPH ?g {{ ?f ?p ?o }} }}"
    for row in store.query(query).rows:
        finding, graph, predicate, obj = rows[_v(row["f"])], _v(row["g"]), _v(row["p"]), row["o"]
        if predicate == RDF_TYPE:
            kind = _v(obj)
            if graph == INFERRED:
                if kind in _INTERVAL_CLASSES:
                    finding.values["interval"] = obj
            elif kind.startswith(MMKG) and (finding.kind is None or finding.kind in _GENERIC_KINDS):
                finding.kind = kind
        elif predicate in _FINDING_FIELDS:
            key = "source" if _FINDING_FIELDS[predicate] == "fromSource" else _FINDING_FIELDS[predicate]
            finding.values.setdefault(key, obj)
    for finding in rows.values():
        label = finding.values.get("label")
        finding.label = label.value if isinstance(label, ox.Literal) else None
    ordered = sorted(rows.values(), key=lambda f: (str(f.get("source") or ""), _locator_key(f.get("locator")),
                                                   f.iri))
    return ordered, total


def _locator_key(locator: object) -> tuple[int, ...]:
    """``p3.s2`` sorts before ``p10.s1``."""
    return tuple(int(n) for n in re.findall(r"\d+", str(locator or "")))


def _v(term: Term) -> str:
    """The IRI (or lexical form) of a term."""
    return str(term_to_python(term))
