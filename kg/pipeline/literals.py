"""The RDF terms the conversion writes: typed literals, units, id lists (shared by entities and findings)."""

from __future__ import annotations

from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.namespaces import RES

__all__ = ["UNITS", "date_literal", "decimal", "english", "ids", "integer", "unit"]

UNITS = {"month": "month", "week": "week", "day": "day", "year": "year", "percent": "percent", "mg": "milligram",
         "mg/day": "milligram per day", "mg/m2": "milligram per square metre of body surface",
         "mg/kg": "milligram per kilogram of body weight"}


def decimal(value: Decimal | int) -> Literal:
    """An ``xsd:decimal`` as stated (never a float)."""
    return Literal(Decimal(value), datatype=XSD.decimal)


def integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def english(text: str) -> Literal:
    return Literal(text, lang="en")


def unit(name: str) -> URIRef:
    """The unit individual for a schema unit name (``mg/day`` -> ``res:unit-mg-per-day``)."""
    return RES[f"unit-{name.replace('/', '-per-')}"]


def date_literal(text: str) -> Literal:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as gYear, gYearMonth or date."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(text)]
    return Literal(text, datatype=datatype)


def ids(value: str | list[str] | None) -> list[str]:
    """A field that holds one id or a list of ids, as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)
