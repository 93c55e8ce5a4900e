"""The building blocks of the fact schema: base model, value types, and the markers that make it self-describing.

A field that names another entry is annotated with :class:`Refers` (which kinds of entry it may
name); a list of entries in a fact file is annotated with :class:`Section` (which kind of entry it
holds). The loader and the RDF conversion read these markers from the models, so a new field or
section is checked the moment it is declared, with no table to keep in step elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
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


@cache
def _sections(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    return tuple((name, section.kind) for name in model.model_fields
                 if (section := _marker(model, name, Section)) is not None)


def sections(model: type[BaseModel]) -> dict[str, str]:
    """The fields of a file model that hold entries, each with the kind of entry it holds."""
    return dict(_sections(model))


Location = tuple[str | int, ...]


@cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """Each field of ``model`` with the kinds it may name (None when it names none itself), read once per
    model class: a model's fields and markers are fixed when the class is made (a new field is a new class)."""
    return tuple((name, refers.kinds if (refers := _marker(model, name, Refers)) is not None else None)
                 for name in model.model_fields)


def references(entry: BaseModel) -> Iterator[tuple[Location, str, tuple[str, ...]]]:
    """Every id an entry names: (location inside the entry, the id, the kinds it may be), nested models too."""
    for name, kinds in _fields(type(entry)):
        value = getattr(entry, name)
        if value is None:
            continue
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if kinds is not None and isinstance(item, str):
                    yield (name, index), item, kinds
                elif isinstance(item, BaseModel):
                    for inner, target, inner_kinds in references(item):
                        yield (name, index, *inner), target, inner_kinds
        elif kinds is not None and isinstance(value, str):
            yield (name,), value, kinds
        elif isinstance(value, BaseModel):
            for inner, target, inner_kinds in references(value):
                yield (name, *inner), target, inner_kinds
