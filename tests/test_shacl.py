"""SHACL catches broken facts that the schema cannot see (they arise in the graph)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from kg import paths
from kg.namespaces import MMKG, RES
from kg.pipeline.steps import INFERRED_GRAPH, ONTOLOGY_GRAPH, BuiltGraph
from kg.pipeline.validation import validate_shapes
from tests.conftest import union_without

pytestmark = pytest.mark.java


def _data(built: BuiltGraph) -> Graph:
    return union_without(built, ONTOLOGY_GRAPH)


def test_the_built_graph_conforms(built: BuiltGraph) -> None:
    conforms, text = validate_shapes(_data(built), paths.shapes_file())
    assert conforms, text


def test_a_lower_limit_above_the_estimate_is_caught(built: BuiltGraph) -> None:
    data = _data(built)
    node = RES["s000-pfs-hr-len"]
    data.set((node, MMKG.ciLower, Literal(Decimal("0.45"), datatype=XSD.decimal)))
    conforms, text = validate_shapes(data, paths.shapes_file())
    assert not conforms
    assert "s000-pfs-hr-len" in text and "lower confidence limit" in text


def test_a_finding_without_source_is_caught(built: BuiltGraph) -> None:
    data = _data(built)
    data.remove((RES["s003-n-itt"], MMKG.fromSource, None))
    conforms, text = validate_shapes(data, paths.shapes_file())
    assert not conforms
    assert "exactly one source document" in text


def test_a_p_value_without_comparator_is_caught(built: BuiltGraph) -> None:
    data = _data(built)
    data.remove((RES["s001-os-hr"], MMKG.pValueComparator, None))
    conforms, text = validate_shapes(data, paths.shapes_file())
    assert not conforms
    assert "comparator" in text
    assert INFERRED_GRAPH  # the inferred types are part of the validated data
