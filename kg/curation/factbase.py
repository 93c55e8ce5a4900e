"""Load the fact files: parse, check against the schema, resolve every reference.

All problems of one pass are collected and raised together as :class:`~kg.errors.FactErrors`,
each naming file, line and field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kg.collector import keeping, pause, settle
from kg.curation.fields import references, sections
from kg.curation.schema import (
    ArmEntry,
    FindingBase,
    PopulationEntry,
    PublicationEntry,
    ReferenceFile,
    SourceFile,
    StudyEntry,
    finding_kinds,
)
from kg.curation.yamlread import LineMap, load_yaml
from kg.errors import FactError, FactErrors

__all__ = ["FactBase", "Origin", "Parser", "load_facts", "parse_file"]


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
    entries: dict[str, BaseModel] = field(default_factory=dict)
    """Every entry (drug, regimen, study, arm, finding ...) by its id."""
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
    return isinstance(part, str) and part in finding_kinds()


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


def _entries(parsed: BaseModel) -> Iterable[tuple[str, int, str, BaseModel]]:
    for section, kind in sections(type(parsed)).items():
        for index, entry in enumerate(getattr(parsed, section)):
            yield section, index, kind, entry


Parser = Callable[[Path, type[BaseModel]], tuple[Any, LineMap, list[FactError]]]
"""Parses one fact file into its model, line map and problems (the default: :func:`parse_file`)."""


def parse_file(path: Path, model: type[BaseModel]) -> tuple[Any, LineMap, list[FactError]]:
    """Read one fact file and check it against ``model``: (the model or None, its line map, the problems)."""
    return _parse(path, model)


@keeping
def load_facts(reference_path: Path, source_paths: Iterable[Path], *,
               reference_model: type[ReferenceFile] = ReferenceFile,
               source_model: type[SourceFile] = SourceFile, parse: Parser = parse_file) -> FactBase:
    """Load and check ``reference.yaml`` and the per-source files.

    Which lists hold entries and which fields name other entries is read from the models
    (:class:`~kg.curation.fields.Section`, :class:`~kg.curation.fields.Refers`); a subclass of the
    file models with a new field is checked the same way.

    The models live as long as the fact base: the cyclic collector is paused while they are made
    and they are frozen after (:mod:`kg.collector`).

    :raises FactErrors: listing every problem found, each with file, line and field.
    """
    pause()
    try:
        base = _load(reference_path, source_paths, reference_model, source_model, parse)
    finally:
        settle()
    return base


def _load(reference_path: Path, source_paths: Iterable[Path], reference_model: type[ReferenceFile],
          source_model: type[SourceFile], parse: Parser) -> FactBase:
    errors: list[FactError] = []
    reference, ref_lines, ref_errors = parse(reference_path, reference_model)
    errors.extend(ref_errors)
    parsed_sources: list[tuple[Path, SourceFile, LineMap]] = []
    for path in sorted(source_paths):
        parsed, lines, file_errors = parse(path, source_model)
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
        base.entries[entry_id] = entry
        located.append((path, lines, section, index, entry))

    for section, index, kind, entry in _entries(reference):
        register(reference_path, ref_lines, section, index, kind, entry)
    for path, parsed, lines in parsed_sources:
        meta = parsed.source
        if meta.id in base.kinds:
            errors.append(FactError(path, lines.line(("source", "id")), "source.id", f"duplicate id {meta.id!r}"))
        base.kinds[meta.id] = "source"
        base.origins[meta.id] = Origin(path, lines.line(("source", "id")))
        base.source_paths[meta.id] = path
        for section, index, kind, entry in _entries(parsed):
            register(path, lines, section, index, kind, entry)
        for where, target, kinds in references(meta):
            _check_ref(base, errors, path, lines, ("source", *where), target, kinds)

    for path, lines, section, index, entry in located:
        for where, target, kinds in references(entry):
            _check_ref(base, errors, path, lines, (section, index, *where), target, kinds)
    if errors:
        raise FactErrors(errors)
    return base


def _check_ref(
    base: FactBase, errors: list[FactError], path: Path, lines: LineMap,
    loc: tuple[str | int, ...], target: str, allowed: tuple[str, ...],
) -> None:
    field_name = ".".join(str(p) for p in loc)
    kind = base.kinds.get(target)
    if kind is None:
        errors.append(FactError(path, lines.line(loc), field_name, f"unknown reference {target!r}"))
    elif kind not in allowed:
        errors.append(FactError(path, lines.line(loc), field_name,
                                f"{target!r} is a {kind}, expected a {' or '.join(allowed)}"))
