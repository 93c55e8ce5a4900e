"""The building blocks of the fact schema: base model, value types, and the markers that make it self-describing.

A field that names another entry is annotated with :class:`Refers` (which kinds of entry it may
name); a list of entries in a fact file is annotated with :class:`Section` (which kind of entry it
holds). The loader and the RDF conversion read these markers from the models, so a new field or
section is checked the moment it is declared, with no table to keep in step elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Refers", "Section", "Slug", "Strict", "Text", "references", "sections"]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1)]


@dataclass(frozen=True)
class Refers:
    """Field metadata: the value (an id, or a list of ids) names an entry of one of these kinds."""

    kinds: tuple[str, ...]

    def __init__(self, *kinds: str) -> None:
        object.__setattr__(self, "kinds", kinds)


@dataclass(frozen=True)
class Section:
    """Field metadata: the list holds entries of this kind (``drug``, ``study``, ``finding`` ...)."""

    kind: str


class Strict(BaseModel):
    """Base: unknown fields are errors; values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _marker(model: type[BaseModel], name: str, marker: type[Any]) -> Any:
    for item in model.model_fields[name].metadata:
        if isinstance(item, marker):
            return item
    return None


def sections(model: type[BaseModel]) -> dict[str, str]:
    """The fields of a file model that hold entries, each with the kind of entry it holds."""
    found: dict[str, str] = {}
    for name in model.model_fields:
        section = _marker(model, name, Section)
        if section is not None:
            found[name] = section.kind
    return found


Location = tuple[str | int, ...]


def references(entry: BaseModel) -> Iterator[tuple[Location, str, tuple[str, ...]]]:
    """Every id an entry names: (location inside the entry, the id, the kinds it may be), nested models too."""
    model = type(entry)
    for name in model.model_fields:
        value = getattr(entry, name)
        if value is None:
            continue
        refers = _marker(model, name, Refers)
        items = list(enumerate(value)) if isinstance(value, list | tuple) else [(None, value)]
        for index, item in items:
            where: Location = (name,) if index is None else (name, index)
            if refers is not None and isinstance(item, str):
                yield where, item, refers.kinds
            elif isinstance(item, BaseModel):
                for inner, target, kinds in references(item):
                    yield (*where, *inner), target, kinds
