"""External identifiers: every CURIE passes bioregistry, and none is invented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.linking.identifiers import PREFIX_TABLE, parse_curie
from kg.linking.prefix_map import converter, generate, pinned
from kg.namespaces import MMKG
from kg.pipeline.steps import BuiltGraph

IDENTIFIERS_MD = Path(__file__).resolve().parents[2] / "shared" / "reference" / "identifiers.md"


def _curies(built: BuiltGraph) -> set[str]:
    return {str(o) for g in built.dataset.graphs() for o in g.objects(None, MMKG.mappingObject)}


@pytest.mark.slow  # over 3 s: the full suite runs it, the fast loop does not
def test_the_pinned_prefix_map_is_what_bioregistry_gives() -> None:
    """The runtime reads bioregistry's records from kg/linking/prefix_map.json; regenerating it from the installed
    bioregistry (python -m kg.linking.prefix_map) changes nothing."""
    assert pinned() == generate()


def test_every_vocabulary_expands_to_the_graph_iri_and_back() -> None:
    for prefix, info in PREFIX_TABLE.items():
        iri = info.iri("1")
        assert iri is not None and converter().expand(f"{info.display}:1") == iri, prefix
        assert converter().expand(f"{prefix}:1") == iri, prefix  # bioregistry's own spelling is a synonym
        assert converter().compress(iri) == f"{info.display}:1", prefix


def test_prefix_table_agrees_with_bioregistry() -> None:
    import bioregistry  # here, not at module level: a second of import in every pytest worker at collection

    for prefix, info in PREFIX_TABLE.items():
        resource = bioregistry.get_resource(prefix)
        assert resource is not None, prefix
        assert bioregistry.get_pattern(prefix) == info.pattern, prefix
        assert bioregistry.get_uri_format(prefix) == info.link_format, prefix


@pytest.mark.java
def test_every_curie_passes_bioregistry(built: BuiltGraph) -> None:
    import bioregistry

    curies = _curies(built)
    assert len(curies) > 80
    for curie in curies:
        parsed = parse_curie(curie)
        assert bioregistry.is_valid_identifier(parsed.info.prefix, parsed.local_id), curie
        assert bioregistry.normalize_prefix(curie.split(":")[0]) == parsed.info.prefix, curie


@pytest.mark.java
def test_no_identifier_is_invented(built: BuiltGraph) -> None:
    """Every local identifier we use appears in identifiers.md, and never only as a candidate."""
    if not IDENTIFIERS_MD.is_file():
        pytest.skip("../shared/reference/identifiers.md is not present")
    text = IDENTIFIERS_MD.read_text(encoding="utf-8")
    for curie in _curies(built):
        local = curie.split(":", 1)[1]
        assert re.search(rf"(?<![\w]){re.escape(local)}(?![\w])", text), f"{curie} is not in identifiers.md"
        assert not re.search(rf"{re.escape(local)}\s*\*\*\(cand\.\)\*\*", text), f"{curie} is an unverified candidate"


@pytest.mark.java
def test_known_traps_are_respected(built: BuiltGraph) -> None:
    curies = _curies(built)
    assert "CHEBI:9513" in curies and "CHEBI:74947" not in curies
    assert not {"MONDO:0024881", "EFO:0009812", "NCIT:C4968", "NCIT:C1666", "wikidata:Q421094"} & curies
    assert "atc:L01XG01" in curies and "atc:L01XX32" not in curies


def test_pubmed_links_use_the_pubmed_site() -> None:
    assert parse_curie("pubmed:26582244").iri == "https://pubmed.ncbi.nlm.nih.gov/26582244"  # a prefix form
    assert parse_curie("pubmed:26582244").link == "https://pubmed.ncbi.nlm.nih.gov/26582244/"
    with pytest.raises(ValueError, match="unknown prefix"):
        parse_curie("nosuch:1")
