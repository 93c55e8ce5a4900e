"""Load the fact files: parse, check against the schema, resolve every reference.

All problems of one pass are collected and raised together as :class:`~kg.errors.FactErrors`,
each naming file, line and field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kg.errors import FactError, FactErrors
from kg.schema import (
    ArmEntry,
    FindingBase,
    PopulationEntry,
    PublicationEntry,
    ReferenceFile,
    SourceFile,
    StudyEntry,
)
from kg.yamlread import LineMap, load_yaml

__all__ = ["FactBase", "Origin", "load_facts"]


@dataclass(frozen=True)
class Origin:
    """Where an entry was written."""

    path: Path
    line: int


@dataclass
class FactBase:
    """Everything the fact files say, checked and cross-referenced."""

    reference: ReferenceFile
    sources: list[SourceFile]
    kinds: dict[str, str] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    source_paths: dict[str, Path] = field(default_factory=dict)

    def findings(self) -> Iterator[tuple[SourceFile, FindingBase]]:
        """Every finding with the source file it belongs to."""
        for source in self.sources:
            for finding in source.findings:
                yield source, finding

    def studies(self) -> Iterator[StudyEntry]:
        yield from self.reference.studies
        for source in self.sources:
            yield from source.studies

    def populations(self) -> Iterator[PopulationEntry]:
        yield from self.reference.populations
        for source in self.sources:
            yield from source.populations

    def arms(self) -> Iterator[ArmEntry]:
        yield from self.reference.arms
        for source in self.sources:
            yield from source.arms

    def publications(self) -> Iterator[PublicationEntry]:
        yield from self.reference.publications
        for source in self.sources:
            yield from source.publications


def _validation_errors(path: Path, lines: LineMap, exc: ValidationError) -> list[FactError]:
    errors = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # Discriminated unions add the tag ("hazard_ratio") to the location: drop it from the field.
        field_path = ".".join(str(part) for part in loc if not _is_union_tag(part))
        clean = tuple(part for part in loc if not _is_union_tag(part))
        errors.append(FactError(path, lines.line(clean), field_path, err["msg"]))
    return errors


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in _FINDING_KINDS


_FINDING_KINDS = {
    "hazard_ratio", "risk_ratio", "median", "proportion", "count", "dose", "comparison",
    "statement", "ranking", "approval",
}

# field of an entry -> the kinds of entity it may name
_REFS: dict[str, tuple[str, ...]] = {
    "targets": ("target",),
    "components": ("drug",),
    "pools": ("regimen",),
    "disease": ("disease",),
    "populations": ("population",),
    "compares": ("regimen",),
    "includes": ("study",),
    "primary_endpoints": ("endpoint",),
    "published_in": ("publication",),
    "identified_with": ("study",),
    "characteristics": ("characteristic",),
    "subgroup_of": ("population",),
    "study": ("study",),
    "regimen": ("regimen",),
    "population": ("population",),
    "endpoint": ("endpoint",),
    "intervention": ("regimen",),
    "comparator": ("regimen",),
    "arm": ("arm",),
    "drug": ("drug",),
    "adverse_event": ("adverse_event",),
    "agency": ("agency",),
    "supported_by": ("finding",),
    "corroborates": ("finding",),
    "reports": ("study",),
    "cites": ("publication",),
}

_REFERENCE_SECTIONS = {
    "drugs": "drug", "targets": "target", "diseases": "disease", "endpoints": "endpoint",
    "adverse_events": "adverse_event", "characteristics": "characteristic", "regimens": "regimen",
    "agencies": "agency", "publications": "publication", "studies": "study",
    "populations": "population", "arms": "arm",
}
_SOURCE_SECTIONS = {
    "publications": "publication", "studies": "study", "populations": "population", "arms": "arm",
    "findings": "finding",
}


def _parse(path: Path, model: type[BaseModel]) -> tuple[Any, LineMap, list[FactError]]:
    try:
        raw, lines = load_yaml(path)
    except FactError as exc:
        return None, LineMap(), [exc]
    if not isinstance(raw, dict):
        return None, lines, [FactError(path, 1, "", "the file must hold a mapping at its top level")]
    try:
        return model.model_validate(raw), lines, []
    except ValidationError as exc:
        return None, lines, _validation_errors(path, lines, exc)


def _entries(parsed: BaseModel, sections: dict[str, str]) -> Iterable[tuple[str, int, str, BaseModel]]:
    for section, kind in sections.items():
        for index, entry in enumerate(getattr(parsed, section)):
            yield section, index, kind, entry


def _refs_of(entry: BaseModel) -> Iterable[tuple[str, int | None, str]]:
    for name in type(entry).model_fields:
        if name not in _REFS:
            continue
        value = getattr(entry, name)
        if value is None:
            continue
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield name, i, item
        else:
            yield name, None, value
    for i, disc in enumerate(getattr(entry, "discrepant_with", [])):
        yield "discrepant_with", i, disc.finding


def load_facts(reference_path: Path, source_paths: Iterable[Path]) -> FactBase:
    """Load and check ``reference.yaml`` and the per-source files.

    :raises FactErrors: listing every problem found, each with file, line and field.
    """
    errors: list[FactError] = []
    reference, ref_lines, ref_errors = _parse(reference_path, ReferenceFile)
    errors.extend(ref_errors)
    parsed_sources: list[tuple[Path, SourceFile, LineMap]] = []
    for path in sorted(source_paths):
        parsed, lines, file_errors = _parse(path, SourceFile)
        errors.extend(file_errors)
        if parsed is not None:
            parsed_sources.append((path, parsed, lines))
    if errors:
        raise FactErrors(errors)

    base = FactBase(reference=reference, sources=[s for _, s, _ in parsed_sources])
    located: list[tuple[Path, LineMap, str, int, BaseModel]] = []

    def register(path: Path, lines: LineMap, section: str, index: int, kind: str, entry: BaseModel) -> None:
        entry_id = str(entry.model_dump(include={"id"})["id"])
        line = lines.line((section, index, "id"))
        if entry_id in base.kinds:
            first = base.origins[entry_id]
            errors.append(FactError(path, line, f"{section}.{index}.id",
                                    f"duplicate id {entry_id!r} (first defined at {first.path}:{first.line})"))
            return
        base.kinds[entry_id] = kind
        base.origins[entry_id] = Origin(path, line)
        located.append((path, lines, section, index, entry))

    for section, index, kind, entry in _entries(reference, _REFERENCE_SECTIONS):
        register(reference_path, ref_lines, section, index, kind, entry)
    for path, parsed, lines in parsed_sources:
        meta = parsed.source
        if meta.id in base.kinds:
            errors.append(FactError(path, lines.line(("source", "id")), "source.id", f"duplicate id {meta.id!r}"))
        base.kinds[meta.id] = "source"
        base.origins[meta.id] = Origin(path, lines.line(("source", "id")))
        base.source_paths[meta.id] = path
        for section, index, kind, entry in _entries(parsed, _SOURCE_SECTIONS):
            register(path, lines, section, index, kind, entry)
        for name, i, target in _refs_of(meta):
            _check_ref(base, errors, path, lines, ("source", name, i), f"source.{name}", target, _REFS[name])

    for path, lines, section, index, entry in located:
        for name, i, target in _refs_of(entry):
            loc: tuple[str | int, ...] = (section, index, name) if i is None else (section, index, name, i)
            allowed = ("finding",) if name == "discrepant_with" else _REFS[name]
            field_name = ".".join(str(p) for p in loc)
            _check_ref(base, errors, path, lines, loc, field_name, target, allowed)
    if errors:
        raise FactErrors(errors)
    return base


def _check_ref(
    base: FactBase, errors: list[FactError], path: Path, lines: LineMap,
    loc: tuple[str | int | None, ...], field_name: str, target: str, allowed: tuple[str, ...],
) -> None:
    clean = tuple(p for p in loc if p is not None)
    kind = base.kinds.get(target)
    if kind is None:
        errors.append(FactError(path, lines.line(clean), field_name, f"unknown reference {target!r}"))
    elif kind not in allowed:
        errors.append(FactError(path, lines.line(clean), field_name,
                                f"{target!r} is a {kind}, expected a {' or '.join(allowed)}"))
