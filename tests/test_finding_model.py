"""One finding model: the entity reader's finding tables and the evidence layer read the same
:class:`kg.evidence.gather.Finding`, with the same fields (trial, population, flags)."""

from __future__ import annotations

from kg.evidence.gather import Finding, gather
from kg.query.store import Store
from kg.readers.describe import Describer
from kg.readers.findings import findings_about

R = "https://w3id.org/mmkg/resource/"


def test_entity_findings_are_the_evidence_layers_findings(store: Store) -> None:
    everything = {f.iri: f for f in gather(store)}
    rows, total = findings_about(store, f"<{R}myeloma-xi>", 50)
    assert rows and total == len(rows)
    assert all(isinstance(f, Finding) for f in rows)
    for f in rows:
        assert f == everything[f.iri]  # the same model, the same values
    te = next(f for f in rows if f.iri == R + "s003-os-te")
    assert te.subgroup and te.population_label == "Myeloma XI transplant-eligible patients"
    assert [t.id for t in te.trials] == ["myeloma-xi"]


def test_only_reads_just_the_named_findings_and_a_bound_caps_the_table(store: Store) -> None:
    assert [f.id for f in gather(store, only=[R + "s001-os-hr"])] == ["s001-os-hr"]
    assert gather(store, only=[]) == []
    rows, total = findings_about(store, f"<{R}lenalidomide>", 3)
    assert len(rows) == 3 and total == 4  # "more than 3"


def test_the_describer_uses_the_one_model(store: Store) -> None:
    entity = Describer(store).describe(R + "s001")
    assert entity is not None and entity.findings
    lead = next(f for f in entity.findings if f.iri == R + "s001-lead-os")
    assert any(kind == "claim exceeds figures" for kind, _ in lead.flags)
    assert [p.id for p in entity.provenance] == ["s001"]  # the findings' sources, from the model's source field
