"""SHACL validation with pySHACL."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

__all__ = ["validate_shapes"]


def validate_shapes(data: Graph, shapes_path: Path) -> tuple[bool, str]:
    """Validate ``data`` (asserted plus inferred triples) against the shapes file.

    No inference is asked of pySHACL: the build has already materialised the entailed types.

    :returns: whether the data conforms, and pySHACL's report text.
    """
    from pyshacl import validate

    shapes = Graph().parse(shapes_path, format="turtle")
    conforms, _report, text = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return bool(conforms), str(text)
