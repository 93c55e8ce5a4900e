"""Materialise what the ontology says about our properties, so a query needs one triple pattern.

The ontology declares ``mmkg:regimen`` a super-property of ``intervention``, ``comparator`` and
``aboutRegimen`` and of the chain ``arm ∘ receivesRegimen``; ``mmkg:concernsDrug`` the chains from
a finding's regimens to their drugs; ``mmkg:fromStudy`` the chain through the arm's study. This
module applies the OWL 2 RL property rules to the asserted facts until nothing new follows:
sub-properties (prp-spo1), chains of any length (prp-spo2), inverses (prp-inv1/2), transitive
(prp-trp) and symmetric (prp-symp) properties. Only triples whose predicate is one of ours are
kept; they go to ``graph:inferred``. Two shortcuts are ours rather than OWL's: ``mmkg:concernsDrug``
is computed from stated links only (never through a link marked ``mmkg:inferredByCurator``), and
``mmkg:activeRegimen`` is ``mmkg:regimen`` without the comparators that are no active treatment; a
finding that names no population holds for its study's (``mmkg:population`` from ``mmkg:studiesPopulation``);
a trial is ``mmkg:reportedBy`` each source with a finding ``mmkg:aboutTrial`` it.

Significance: a ratio estimate whose source does not say whether it is significant is classified
by its confidence interval (significant when the interval excludes 1), with
``mmkg:significanceBasis mmkg:SignificanceFromInterval``, so ``?f mmkg:isSignificant true`` finds
every significant estimate and a query can still tell reported from classified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.namespaces import MMKG

__all__ = ["RULE_INPUTS", "classify_significance", "materialise_properties"]

RULE_INPUTS = frozenset({MMKG.inferredByCurator, MMKG.studiesPopulation, MMKG.population, MMKG.fromStudy,
                         MMKG.isSignificant, MMKG.ciLower, MMKG.ciUpper, MMKG.aboutTrial, MMKG.fromSource})
"""Predicates the rules read beyond those the ontology's property axioms name (the build hands the rules
only the triples of the predicates they read)."""

Pairs = dict[URIRef, set[tuple[Node, Node]]]


def _chains(tbox: Graph) -> list[tuple[URIRef, list[URIRef]]]:
    chains = []
    for prop, head in tbox.subject_objects(OWL.propertyChainAxiom):
        steps = [s for s in Collection(tbox, head) if isinstance(s, URIRef)]
        if isinstance(prop, URIRef) and len(steps) >= 2:
            chains.append((prop, steps))
    return chains


def _join(pairs: Pairs, steps: list[URIRef]) -> set[tuple[Node, Node]]:
    """The (start, end) pairs along a chain of properties."""
    current = set(pairs.get(steps[0], ()))
    for step in steps[1:]:
        by_start: dict[Node, set[Node]] = defaultdict(set)
        for start, end in pairs.get(step, ()):
            by_start[start].add(end)
        current = {(a, c) for a, b in current for c in by_start.get(b, ())}
        if not current:
            break
    return current


def _pairs(abox: Graph, stated_only: bool) -> Pairs:
    """The abox's pairs by property; ``stated_only`` leaves out the links the curator inferred."""
    inferred = {(s, p) for s, p in abox.subject_objects(MMKG.inferredByCurator)} if stated_only else set()
    pairs: Pairs = defaultdict(set)
    for s, p, o in abox:
        if isinstance(p, URIRef) and (s, p) not in inferred:
            pairs[p].add((s, o))
    return pairs


def _close(tbox: Graph, pairs: Pairs) -> Pairs:
    """Apply the property rules to ``pairs`` until nothing new follows."""
    sub = [(p, q) for p, q in tbox.subject_objects(RDFS.subPropertyOf)
           if isinstance(p, URIRef) and isinstance(q, URIRef)]
    inverse = [(p, q) for p, q in tbox.subject_objects(OWL.inverseOf)
               if isinstance(p, URIRef) and isinstance(q, URIRef)]
    transitive = [p for p in tbox.subjects(RDF.type, OWL.TransitiveProperty) if isinstance(p, URIRef)]
    symmetric = [p for p in tbox.subjects(RDF.type, OWL.SymmetricProperty) if isinstance(p, URIRef)]
    chains = _chains(tbox)
    changed = True
    while changed:
        changed = False

        def add(prop: URIRef, new: Iterable[tuple[Node, Node]]) -> None:
            nonlocal changed
            before = len(pairs[prop])
            pairs[prop].update(new)
            changed = changed or len(pairs[prop]) != before

        for p, q in sub:
            add(q, list(pairs.get(p, ())))
        for p, q in inverse:
            add(q, [(o, s) for s, o in pairs.get(p, ())])
            add(p, [(o, s) for s, o in pairs.get(q, ())])
        for p in symmetric:
            add(p, [(o, s) for s, o in pairs.get(p, ())])
        for p in transitive:
            add(p, _join(pairs, [p, p]))
        for prop, steps in chains:
            add(prop, _join(pairs, steps))
    return pairs


# Shortcuts that lead to drugs: computed from stated links only, so a comparator, intervention or
# pool member the curator inferred never makes a finding concern a drug its source does not name.
_STATED_ONLY = (MMKG.concernsDrug,)


def materialise_properties(tbox: Graph, abox: Graph) -> Graph:
    """The triples of our properties that the ontology's property axioms add to ``abox``.

    ``mmkg:concernsDrug`` follows stated links only; ``mmkg:activeRegimen`` is ``mmkg:regimen``
    without the regimens typed ``mmkg:NoActiveTreatment`` (placebo, observation, no maintenance).
    """
    pairs = _close(tbox, _pairs(abox, stated_only=False))
    stated = _close(tbox, _pairs(abox, stated_only=True))
    for prop in _STATED_ONLY:
        pairs[prop] = stated.get(prop, set())
    pairs[MMKG.activeRegimen] = {(f, r) for f, r in pairs.get(MMKG.regimen, ())
                                 if (r, RDF.type, MMKG.NoActiveTreatment) not in abox}
    pairs[MMKG.population] |= _study_populations(pairs)
    pairs[MMKG.reportedBy] |= _reported_by(pairs)
    found = Graph()
    ours = str(MMKG)
    for prop, values in pairs.items():
        if not str(prop).startswith(ours):
            continue
        for s, o in values:
            if (s, prop, o) not in abox:
                found.add((s, prop, o))
    return found


def _reported_by(pairs: Pairs) -> set[tuple[Node, Node]]:
    """A trial (or analysis) is reported by each source with a finding about it."""
    sources: dict[Node, set[Node]] = defaultdict(set)
    for finding, source in pairs.get(MMKG.fromSource, ()):
        sources[finding].add(source)
    return {(trial, source) for finding, trial in pairs.get(MMKG.aboutTrial, ()) for source in sources[finding]}


def _study_populations(pairs: Pairs) -> set[tuple[Node, Node]]:
    """A finding that names no population holds for the population its study (record) studies."""
    studied: dict[Node, set[Node]] = defaultdict(set)
    for study, population in pairs.get(MMKG.studiesPopulation, ()):
        studied[study].add(population)
    has_population = {f for f, _ in pairs.get(MMKG.population, ())}
    return {(f, p) for f, study in pairs.get(MMKG.fromStudy, ()) if f not in has_population
            for p in studied.get(study, ())}


def classify_significance(abox: Graph) -> Graph:
    """``mmkg:isSignificant`` from the interval for every ratio estimate whose source does not say."""
    found = Graph()
    for kind in (MMKG.HazardRatioEstimate, MMKG.RiskRatioEstimate):
        for finding in abox.subjects(RDF.type, kind):
            if abox.value(finding, MMKG.isSignificant) is not None:
                continue
            lower, upper = abox.value(finding, MMKG.ciLower), abox.value(finding, MMKG.ciUpper)
            if not isinstance(lower, Literal) or not isinstance(upper, Literal):
                continue
            excludes_one = Decimal(str(lower)) > 1 or Decimal(str(upper)) < 1
            found.add((finding, MMKG.isSignificant, Literal(excludes_one)))
            found.add((finding, MMKG.significanceBasis, MMKG.SignificanceFromInterval))
    return found
