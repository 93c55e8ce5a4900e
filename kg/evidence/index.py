"""Which findings concern an entity, and how: directly, or via a pooled regimen, a trial identification,
a narrower adverse event, a population.

A drug page lists the findings about its regimens and those about pooled regimens that group one
of them ("via IMiD-based maintenance"); a regimen page those of the pooled regimens it belongs to;
a named trial those of the studies identified with it ("via ref. 4 of s002"); an adverse event
those of its narrower kinds ("as AML/MDS"); a characteristic those of the populations that have it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.evidence.gather import Finding
from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, value_of

__all__ = ["Concerning", "EvidenceIndex"]

_PROLOGUE = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
_RELATIONS = _PROLOGUE + """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { mmkg:poolsRegimen mmkg:hasComponent mmkg:everyMemberContains mmkg:identifiedWith mmkg:includesStudy
              skos:broader }
  ?s ?p ?o
}
"""


@dataclass(frozen=True)
class Concerning:
    """A finding about an entity; ``via`` says how when it is not about the entity itself."""

    finding: Finding
    via: str | None = None


class EvidenceIndex:
    """Findings by the entities they concern."""

    def __init__(self, store: QueryStore, findings: list[Finding]) -> None:
        pools: dict[str, set[str]] = defaultdict(set)
        components: dict[str, set[str]] = defaultdict(set)
        identified: dict[str, set[str]] = defaultdict(set)
        includes: dict[str, set[str]] = defaultdict(set)
        broader: dict[str, set[str]] = defaultdict(set)
        tables = {"poolsRegimen": pools, "hasComponent": components, "everyMemberContains": components,
                  "identifiedWith": identified,
                  "includesStudy": includes, "broader": broader}
        for row in store.query(_RELATIONS).rows:
            predicate = value_of(row, "p")
            tables[predicate.rsplit("/", 1)[-1].rsplit("#", 1)[-1]][value_of(row, "s")].add(value_of(row, "o"))
        self._by_entity: dict[str, list[Concerning]] = defaultdict(list)
        self._seen: set[tuple[str, str]] = set()
        self._sorted: dict[str, list[Concerning]] = {}
        for f in findings:
            self._index(f, pools, components, identified, includes, broader)

    def _add(self, entity: str, finding: Finding, via: str | None = None) -> None:
        if (entity, finding.iri) in self._seen:
            return
        self._seen.add((entity, finding.iri))
        self._by_entity[entity].append(Concerning(finding, via))

    def _index(self, f: Finding, pools: dict[str, set[str]], components: dict[str, set[str]],
               identified: dict[str, set[str]], includes: dict[str, set[str]], broader: dict[str, set[str]]) -> None:
        direct_regimens = [r for r in f.regimens if "PooledRegimen" not in r.kinds]
        pooled = [r for r in f.regimens if "PooledRegimen" in r.kinds]
        for regimen in direct_regimens:
            self._add(regimen.iri, f)
            for drug in components.get(regimen.iri, ()):
                self._add(drug, f)
        for regimen in pooled:
            self._add(regimen.iri, f)
            for drug in components.get(regimen.iri, ()):  # the drugs a pool's name says every member contains
                self._add(drug, f, f"via {regimen.label}")
            for member in pools.get(regimen.iri, ()):
                self._add(member, f, f"via {regimen.label}")
                for drug in components.get(member, ()):
                    self._add(drug, f, f"via {regimen.label}")
        for concerned in f.drugs:  # aboutDrug, and anything the chains reached that the loops above did not
            self._add(concerned.iri, f)
        for study in f.studies:
            self._add(study.iri, f)
            for trial in identified.get(study.iri, ()):
                self._add(trial, f, f"via {study.short} (identified with this trial)")
            for included in includes.get(study.iri, ()):
                self._add(included, f, f"via {study.short}")
        if f.endpoint is not None:
            self._add(f.endpoint.iri, f)
        if f.main_adverse_event is not None:  # singled out ("mainly for neuropathy"), not an incidence of it
            self._add(f.main_adverse_event.iri, f, "singled out by the source")
        if f.adverse_event is not None:
            self._add(f.adverse_event.iri, f)
            for ancestor in self._ancestors(f.adverse_event.iri, broader):
                self._add(ancestor, f, f"as {f.adverse_event.short}")
        for population in f.populations:
            self._add(population.iri, f)
        for characteristic in f.characteristics:
            self._add(characteristic, f, "via its population")
        self._add(PREFIXES["res"] + f.source, f)

    @staticmethod
    def _ancestors(iri: str, broader: dict[str, set[str]]) -> set[str]:
        found: set[str] = set()
        todo = list(broader.get(iri, ()))
        while todo:
            node = todo.pop()
            if node not in found:
                found.add(node)
                todo.extend(broader.get(node, ()))
        return found

    def about(self, iri: str) -> list[Concerning]:
        """The findings that concern ``iri``: direct ones first, then by source and locator.

        Sorted once per entity (a release never changes): a hub of a large graph has thousands.
        """
        if iri not in self._by_entity:  # remember only the graph's entities, not every path asked for
            return []
        ordered = self._sorted.get(iri)
        if ordered is None:
            ordered = sorted(self._by_entity.get(iri, []), key=lambda c: (c.via is not None, c.finding.source,
                                                                          c.finding.locator, c.finding.iri))
            self._sorted[iri] = ordered
        return ordered
