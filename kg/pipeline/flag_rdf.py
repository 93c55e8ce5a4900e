"""Flags: one shape for every caveat a curator records (``?x mmkg:flag ?flag``).

A flag is a node with its kind (``mmkg:flagKind``), its note (``skos:note``) and, where there is
one, what it relates to (``mmkg:flagRelatesTo``): the figures a claim exceeds, the publication that
disagrees, the property the curator inferred. Curators write flags as ``flags:`` entries; the
build adds the flags other fields already imply (an ``inferred`` field, a discrepancy, an
identification with a named trial, a pool's inferred members), so ``queries/flags.rq`` finds every
caveat with one pattern. The links themselves (``mmkg:discrepantWith``, ``mmkg:inferredByCurator``,
...) stay as they were.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import MMKG, RES
from kg.pipeline.literals import english

__all__ = ["FLAG_KINDS", "add_flag"]

FLAG_KINDS: dict[str, URIRef] = {
    "claim_exceeds_figures": MMKG.ClaimExceedsFigures,
    "discrepant_figures": MMKG.DiscrepantFigures,
    "discrepant_with_publication": MMKG.DiscrepantWithPublicationFlag,
    "inferred_by_curator": MMKG.InferredByCuratorFlag,
    "misprint_in_source": MMKG.MisprintInSource,
    "not_significant_but_ranked_first": MMKG.NotSignificantButRankedFirst,
    "curator_reading": MMKG.CuratorReading,
}


def add_flag(g: Graph, about: URIRef, kind: str, note: str, relates_to: URIRef | None = None) -> URIRef:
    """Attach a flag of ``kind`` with ``note`` to ``about``; the flag's IRI is stable (about, kind, n)."""
    local = str(about).removeprefix(str(RES))
    number = 1
    while (node := RES[f"flag/{local}/{kind.replace('_', '-')}-{number}"], RDF.type, MMKG.Flag) in g:
        number += 1
    node = RES[f"flag/{local}/{kind.replace('_', '-')}-{number}"]
    g.add((about, MMKG.flag, node))
    g.add((node, RDF.type, MMKG.Flag))
    g.add((node, MMKG.flagKind, FLAG_KINDS[kind]))
    g.add((node, SKOS.note, english(note)))
    if relates_to is not None:
        g.add((node, MMKG.flagRelatesTo, relates_to))
    return node
