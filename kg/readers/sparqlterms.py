"""Writing IRIs into SPARQL text the app generates itself (never user text: that is bound)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["iri_ref", "values_clause"]


def iri_ref(iri: str) -> str:
    """``<iri>`` after pyoxigraph has checked it is an IRI.

    :raises ValueError: for a string that is not a valid IRI (so it cannot break out of ``<...>``).
    """
    return str(ox.NamedNode(iri))


def values_clause(variable: str, iris: Iterable[str]) -> str:
    """``VALUES ?variable { <a> <b> }`` for checked IRIs."""
    return f"VALUES ?{variable} {{ {' '.join(iri_ref(i) for i in iris)} }}"
