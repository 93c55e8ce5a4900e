"""Where the ontology, shapes, facts and saved queries live, in a checkout and in an installed wheel.

In a source checkout (or an editable install) they are read from the repository: ``ontology/``
and ``queries/`` at the top, facts in ``kg/facts/``. A wheel carries copies of ``ontology/``,
``queries/`` and ``docs/`` inside the package as ``kg/_data/`` (see ``pyproject.toml``), so an installed tool
used from any folder finds them too.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["docs_dir", "facts_dir", "ontology_dir", "ontology_file", "queries_dir", "shapes_file"]

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    bundled = _PACKAGE / "_data" / name
    if bundled.is_dir():
        return bundled
    raise FileNotFoundError(f"cannot find the {name}/ folder: looked in {checkout} and {bundled}")


def ontology_dir() -> Path:
    """The folder holding ``mmkg.ttl`` and ``shapes.ttl``."""
    return _data_dir("ontology")


def ontology_file() -> Path:
    """The hand-edited ontology source."""
    return ontology_dir() / "mmkg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes the build validates against."""
    return ontology_dir() / "shapes.ttl"


def queries_dir() -> Path:
    """The saved-query catalogue."""
    return _data_dir("queries")


def docs_dir() -> Path:
    """The querying guide (``docs/querying.md``)."""
    return _data_dir("docs")


def facts_dir() -> Path:
    """The curated fact files (part of the ``kg`` package)."""
    return _PACKAGE / "facts"
