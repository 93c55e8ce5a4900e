"""Prove provenance: every figure of every fact occurs at its locator in its source text.

A locator is a sentence range (``pN.sM-K``) or table cells (``tN.rM.cK-L``); the text at cells is the
cells with their row and column headers (:mod:`kg.curation.tabletext`), so a figure a header states
for its cells (the ``95`` of "HR (95% CI)", the ``n = 310`` of an arm) is found there too.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.curation.factbase import FactBase
from kg.curation.numerals import numbers_in
from kg.curation.texts import SourceText, parse_locator
from kg.errors import FactError

__all__ = ["check_provenance", "default_sources_dir", "quotations"]


def default_sources_dir() -> Path | None:
    """``$MMKG_SOURCES``, else ``../shared/seeds`` beside the checkout or the working folder, if present."""
    env = os.environ.get("MMKG_SOURCES")
    if env:
        return Path(env)
    candidates = [
        Path(__file__).resolve().parent.parent.parent / "shared" / "seeds",
        Path.cwd().parent / "shared" / "seeds",
        Path.cwd() / ".." / "shared" / "seeds",
    ]
    return next((c for c in candidates if c.is_dir()), None)


def check_provenance(base: FactBase, sources_dir: Path) -> tuple[int, list[FactError]]:
    """Check every finding's locator and figures against the source texts in ``sources_dir``.

    :returns: the number of figures checked and the problems found (file, line, field of the fact).
    """
    errors: list[FactError] = []
    checked = 0
    for source in base.sources:
        path = base.source_paths[source.source.id]
        text_path = sources_dir / source.source.file
        if not text_path.is_file():
            line = base.origins[source.source.id].line
            errors.append(FactError(path, line, "source.file", f"source text {text_path} not found"))
            continue
        text = SourceText.from_file(text_path)
        for finding in source.findings:
            line = base.origins[finding.id].line
            try:
                stated = text.at(parse_locator(finding.at))
            except IndexError as exc:
                errors.append(FactError(path, line, f"{finding.id}.at", f"locator {finding.at}: {exc}"))
                continue
            numbers = numbers_in(stated)
            for figure in finding.figures():
                checked += 1
                if figure.normalize() not in numbers:
                    errors.append(FactError(
                        path, line, f"{finding.id}",
                        f"figure {figure} not found at {finding.at} of {source.source.file}",
                    ))
        for study in source.studies:
            if study.at is None:
                continue
            try:
                text.at(parse_locator(study.at))
            except IndexError as exc:
                errors.append(FactError(path, base.origins[study.id].line, f"{study.id}.at", str(exc)))
    return checked, errors


def quotations(base: FactBase, sources_dir: Path) -> dict[str, str]:
    """Each finding's sentence(s) as the source states them, by finding id, for display at build time.

    The texts are read from ``sources_dir`` when the build runs; they go into the release (never
    into the repository), so a page can quote the sentence a figure comes from.
    """
    found: dict[str, str] = {}
    for source in base.sources:
        text_path = sources_dir / source.source.file
        if not text_path.is_file():
            continue
        text = SourceText.from_file(text_path)
        for finding in source.findings:
            try:
                found[finding.id] = " ".join(text.at(parse_locator(finding.at)).split())
            except IndexError:
                continue
    return found
