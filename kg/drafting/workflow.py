"""From a draft to the graph: the preview inputs a draft builds from, and accepting a confirmed draft.

A preview never touches the curated facts or the source folder: it builds from a temporary fact
folder (the curated files plus the draft) and a temporary source folder (links to the source texts
plus the article), so the build's provenance check and SHACL hold the draft to the same rules as
curated facts. Accepting checks everything first (no entry still marked draft, the whole fact base
loads, every figure at its locator) and only then writes, each file atomically. What is stored
for the article is its derived text (:func:`kg.drafting.inputs.derived_text`: a plain text as it is,
a PDF, XML file or web page as the text and table blocks the drafter read).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.atomic import write_atomically
from kg.curation.factbase import load_facts
from kg.curation.provenance import check_provenance
from kg.curation.yamlread import load_yaml
from kg.drafting.inputs import derived_text
from kg.errors import FactError, FactErrors

__all__ = ["accept_draft", "draft_source", "preview_inputs"]


def draft_source(draft: Path) -> tuple[str, str]:
    """The draft's source id and article file name.

    :raises FactError: if the draft is not a source fact file.
    """
    data, lines = load_yaml(draft)
    source = data.get("source") if isinstance(data, dict) else None
    if not isinstance(source, dict) or not isinstance(source.get("id"), str) or not isinstance(source.get("file"), str):
        raise FactError(draft, lines.line(("source",)), "source", "a draft needs source.id and source.file")
    return source["id"], source["file"]


@contextmanager
def preview_inputs(draft: Path, article: Path, facts_dir: Path,
                   sources_dir: Path | None) -> Iterator[tuple[Path, Path]]:
    """A temporary (facts folder, sources folder) holding the curated inputs plus the draft and its article."""
    source_id, file_name = draft_source(draft)
    with tempfile.TemporaryDirectory(prefix="mmkg-preview-") as tmp:
        facts, sources = Path(tmp) / "facts", Path(tmp) / "sources"
        (facts / "sources").mkdir(parents=True)
        sources.mkdir()
        shutil.copy2(facts_dir / "reference.yaml", facts / "reference.yaml")
        for path in (facts_dir / "sources").glob("*.yaml"):
            if path.stem == source_id:
                raise FactError(draft, 1, "source.id", f"{source_id} is already a curated source ({path}); "
                                                       "give the draft a new id")
            shutil.copy2(path, facts / "sources" / path.name)
        shutil.copy2(draft, facts / "sources" / f"{source_id}.yaml")
        if sources_dir is not None:
            for text in sources_dir.glob("*.txt"):
                if text.name != file_name:
                    (sources / text.name).symlink_to(text.resolve())
        (sources / file_name).write_text(derived_text(article), encoding="utf-8")  # a PDF's or XML's derived text
        try:
            yield facts, sources
        except FactErrors as exc:  # name the user's draft, not its temporary copy
            copy = facts / "sources" / f"{source_id}.yaml"
            raise FactErrors([FactError(draft if e.path == copy else e.path, e.line, e.field, e.message)
                              for e in exc.errors]) from None
        except FactError as exc:
            copy = facts / "sources" / f"{source_id}.yaml"
            raise FactError(draft if exc.path == copy else exc.path, exc.line, exc.field, exc.message) from None


def _still_draft(draft: Path) -> list[FactError]:
    data, lines = load_yaml(draft)
    problems = []
    for section, entries in data.items():
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and entry.get("status") == "draft":
                problems.append(FactError(draft, lines.line((section, index, "status")), f"{section}.{entry.get('id')}",
                                          "still status: draft; confirm it (status: curated) or delete it"))
    return problems


def accept_draft(draft: Path, article: Path, facts_dir: Path, sources_dir: Path | None) -> list[Path]:
    """Move a confirmed draft into ``facts_dir/sources`` (and its article into ``sources_dir``).

    :returns: the files written.
    :raises FactErrors: if an entry is still a draft, the fact base does not load with the draft in
        it, or a figure is not at its locator; nothing is written then.
    """
    source_id, file_name = draft_source(draft)
    target = facts_dir / "sources" / f"{source_id}.yaml"
    if target.exists():
        raise FactError(draft, 1, "source.id", f"{target} exists already; give the draft a new id")
    if problems := _still_draft(draft):
        raise FactErrors(problems)
    text_target = sources_dir / file_name if sources_dir is not None else None
    derived = derived_text(article)
    if text_target is not None and text_target.exists() and text_target.read_text(encoding="utf-8") != derived:
        raise FactError(draft, 1, "source.file", f"{text_target} exists with other content; rename the article")
    with preview_inputs(draft, article, facts_dir, sources_dir) as (facts, sources):
        base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
        _, errors = check_provenance(base, sources)
        if errors:
            raise FactErrors(errors)
    write_atomically(target, lambda tmp: shutil.copyfile(draft, tmp))
    written = [target]
    if text_target is not None and not text_target.exists():
        write_atomically(text_target, lambda tmp: Path(tmp).write_text(derived, encoding="utf-8"))
        written.append(text_target)
    return written
