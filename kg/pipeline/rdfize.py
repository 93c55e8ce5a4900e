"""Turn the checked fact base into RDF: one named graph per source document, plus the reference graph.

Every finding is a PROV entity derived from its source document (``mmkg:fromSource``, a
sub-property of ``prov:wasDerivedFrom``) with its locator; the source document carries its
citation. Numbers are ``xsd:decimal`` as stated (never floats), p-values keep their comparator.

An entity's external identifiers become ``mmkg:xref`` CURIEs, ``skos:*Match`` IRIs and
``mmkg:Mapping`` records (for SSSOM); a verified exact match into an OWL ontology (ChEBI, MONDO,
HPO, EFO, ...) also types the entity with that class, so the reasoner places it in the imported
hierarchy.
"""

from __future__ import annotations

import re

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.curation.factbase import FactBase
from kg.curation.schema import (
    AdverseEventEntry,
    ArmEntry,
    EndpointEntry,
    Entity,
    PopulationEntry,
    PublicationEntry,
    ReferenceFile,
    SourceFile,
    StudyEntry,
)
from kg.linking.identifiers import CLASS_VOCABULARIES, PREFIX_TABLE, parse_curie
from kg.namespaces import GRAPH, MMKG, RES
from kg.pipeline.finding_labels import FindingNamer
from kg.pipeline.finding_rdf import add_finding
from kg.pipeline.flag_rdf import add_flag
from kg.pipeline.literals import UNITS, date_literal, english, integer, unit
from kg.pipeline.trial_rdf import add_trials

__all__ = ["REFERENCE_GRAPH", "add_reference", "add_source", "facts_to_dataset", "source_graph_iri"]

REFERENCE_GRAPH = GRAPH["reference"]
_SAFE = re.compile(r"[^A-Za-z0-9._-]")

_DRUG_CLASSES = {
    "ImmunomodulatoryImideDrug": MMKG.ImmunomodulatoryImideDrug,
    "ProteasomeInhibitor": MMKG.ProteasomeInhibitor,
    "Glucocorticoid": MMKG.Glucocorticoid,
    "Interferon": MMKG.Interferon,
}
_ARM_ROLES = {
    "intervention": MMKG.InterventionArm,
    "placebo": MMKG.PlaceboArm,
    "observation": MMKG.ObservationArm,
    "no_maintenance": MMKG.NoMaintenanceArm,
    "active_comparator": MMKG.ActiveComparatorArm,
}
_MATCH = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch, "broad": SKOS.broadMatch,
          "narrow": SKOS.narrowMatch, "related": SKOS.relatedMatch}


def source_graph_iri(source_id: str) -> URIRef:
    """The named graph holding one source document's facts."""
    return GRAPH[f"source/{source_id}"]


def _entity(g: Graph, entry: Entity, rdf_type: URIRef) -> URIRef:
    node = RES[entry.id]
    g.add((node, RDF.type, rdf_type))
    g.add((node, RDF.type, OWL.NamedIndividual))
    g.add((node, RDFS.label, english(entry.label)))
    if entry.short_label:
        g.add((node, MMKG.shortLabel, english(entry.short_label)))
    if entry.definition:
        g.add((node, SKOS.definition, english(entry.definition)))
    for synonym in entry.synonyms:
        g.add((node, SKOS.altLabel, english(synonym)))
    if entry.note:
        g.add((node, SKOS.note, english(entry.note)))
    if entry.status == "draft":
        g.add((node, MMKG.curationStatus, Literal("draft")))
    for xref in entry.xrefs:
        curie = parse_curie(xref.curie)
        g.add((node, MMKG.xref, Literal(str(curie))))
        if curie.iri is not None:
            g.add((node, _MATCH[xref.match], URIRef(curie.iri)))
            if xref.match == "exact" and xref.confidence == "verified" and curie.info.prefix in CLASS_VOCABULARIES:
                g.add((node, RDF.type, URIRef(curie.iri)))  # the alignment the reasoner sees
        mapping = RES[f"mapping/{entry.id}/{curie.info.prefix}-{_SAFE.sub('-', curie.local_id)}"]
        g.add((mapping, RDF.type, MMKG.Mapping))
        g.add((mapping, MMKG.mappingSubject, node))
        g.add((mapping, MMKG.mappingPredicate, Literal(f"skos:{_MATCH[xref.match].split('#')[-1]}")))
        g.add((mapping, MMKG.mappingObject, Literal(str(curie))))
        g.add((mapping, MMKG.mappingConfidence, Literal(xref.confidence)))
        g.add((mapping, MMKG.verifiedBy, Literal(xref.checked_in)))
        if xref.note:
            g.add((mapping, SKOS.note, english(xref.note)))
    return node


def _publication(g: Graph, pub: PublicationEntry) -> None:
    node = _entity(g, pub, MMKG.Publication)
    g.add((node, DCTERMS.bibliographicCitation, Literal(pub.citation)))
    for author in pub.authors:
        g.add((node, MMKG.author, Literal(author)))
    if pub.journal:
        g.add((node, MMKG.journal, Literal(pub.journal)))
    if pub.date:
        g.add((node, MMKG.publicationDate, date_literal(pub.date)))
    elif pub.year:
        g.add((node, MMKG.publicationDate, date_literal(str(pub.year))))
    if pub.doi:
        g.add((node, MMKG.doi, Literal(pub.doi)))
        g.add((node, SKOS.exactMatch, URIRef(_iri("doi", pub.doi))))
    if pub.pmid:
        g.add((node, MMKG.pmid, Literal(pub.pmid)))
        g.add((node, SKOS.exactMatch, URIRef(_iri("pubmed", pub.pmid))))
    if pub.pmcid:
        g.add((node, MMKG.pmcid, Literal(pub.pmcid)))
        g.add((node, SKOS.exactMatch, URIRef(_iri("pmc", pub.pmcid))))


def _iri(prefix: str, local_id: str) -> str:
    """A publication identifier's IRI, as the one prefix map expands it (so SSSOM and the graph agree)."""
    iri = PREFIX_TABLE[prefix].iri(local_id)
    assert iri is not None
    return iri


def _study(g: Graph, study: StudyEntry) -> None:
    node = _entity(g, study, MMKG.Study)
    for name in study.types:
        g.add((node, RDF.type, MMKG[name]))
    if study.phase is not None:
        g.add((node, MMKG.phase, integer(study.phase)))
    if study.disease:
        g.add((node, MMKG.studiesDisease, RES[study.disease]))
    for pop in study.populations:
        g.add((node, MMKG.studiesPopulation, RES[pop]))
    for regimen in study.compares:
        g.add((node, MMKG.comparesRegimen, RES[regimen]))
    for included in study.includes:
        g.add((node, MMKG.includesStudy, RES[included]))
    for endpoint in study.primary_endpoints:
        g.add((node, MMKG.primaryEndpoint, RES[endpoint]))
    for pub in study.published_in:
        g.add((node, MMKG.publishedIn, RES[pub]))
    if study.cited_as:
        g.add((node, MMKG.citedAs, Literal(study.cited_as)))
    if study.identified_with:
        g.add((node, MMKG.identifiedWith, RES[study.identified_with]))
        g.add((node, MMKG.identificationNote, english(study.identification_note or "")))
        add_flag(g, node, "inferred_by_curator", study.identification_note or "", RES[study.identified_with])
    if study.includes_not_named:
        g.add((node, MMKG.includesNotNamed, Literal(True)))
    for flag in study.flags:
        add_flag(g, node, flag.kind, flag.note)
    if study.at:
        g.add((node, MMKG.locator, Literal(study.at)))


def _population(g: Graph, pop: PopulationEntry) -> None:
    node = _entity(g, pop, MMKG.Population)
    g.add((node, MMKG.hasDisease, RES[pop.disease]))
    for characteristic in pop.characteristics:
        g.add((node, MMKG.hasCharacteristic, RES[characteristic]))
    for characteristic in pop.characteristics_by_identification:
        g.add((node, MMKG.hasCharacteristicByIdentification, RES[characteristic]))
    if pop.subgroup_of:
        g.add((node, MMKG.subgroupOf, RES[pop.subgroup_of]))


def _arm(g: Graph, arm: ArmEntry) -> None:
    node = _entity(g, arm, _ARM_ROLES[arm.role])
    g.add((RES[arm.study], MMKG.hasArm, node))
    g.add((node, MMKG.receivesRegimen, RES[arm.regimen]))


def _reference(g: Graph, base: FactBase) -> None:
    ref = base.reference
    _vocabulary(g, ref)
    for molecular_target in ref.targets:
        node = _entity(g, molecular_target, MMKG.MolecularTarget)
        g.add((node, SKOS.altLabel, Literal(molecular_target.gene_symbol)))
    for disease in ref.diseases:
        _entity(g, disease, MMKG.Disease)
    for characteristic in ref.characteristics:
        _entity(g, characteristic, MMKG.TreatmentContext if characteristic.context else MMKG.PopulationCharacteristic)
    for agency in ref.agencies:
        _entity(g, agency, MMKG.RegulatoryAgency)
    for unit_name, label in UNITS.items():
        unit_node = unit(unit_name)
        g.add((unit_node, RDF.type, MMKG.Unit))
        g.add((unit_node, RDF.type, OWL.NamedIndividual))
        g.add((unit_node, RDFS.label, english(label)))
    _studies_and_context(g, ref)


def _vocabulary(g: Graph, entries: ReferenceFile | SourceFile) -> None:
    """Drugs, endpoints, adverse events and regimens, which a source file may define too (a draft does)."""
    ref = entries
    for drug in ref.drugs:
        node = _entity(g, drug, MMKG.Drug)
        for name in drug.classes:
            g.add((node, RDF.type, _DRUG_CLASSES[name]))
        for target in drug.targets:
            g.add((node, MMKG.hasMolecularTarget, RES[target]))
    concepts: list[tuple[EndpointEntry | AdverseEventEntry, URIRef]] = [
        *((e, MMKG.Endpoint) for e in ref.endpoints), *((e, MMKG.AdverseEvent) for e in ref.adverse_events)]
    for concept, concept_class in concepts:
        node = _entity(g, concept, concept_class)
        for broader in concept.broader:
            g.add((node, SKOS.broader, RES[broader]))
        for related in concept.related:
            g.add((node, SKOS.related, RES[related]))
    for regimen in ref.regimens:
        node = _entity(g, regimen, MMKG.Regimen)
        if regimen.kind == "no_active_treatment":
            g.add((node, RDF.type, MMKG.NoActiveTreatment))
        if regimen.kind == "pooled":
            g.add((node, RDF.type, MMKG.PooledRegimen))
            for member_id in regimen.pools:
                g.add((node, MMKG.poolsRegimen, RES[member_id]))
            for member_id in regimen.pools_by_inference:
                g.add((node, MMKG.poolsRegimenByInference, RES[member_id]))
                add_flag(g, node, "inferred_by_curator", regimen.inference_note or "", RES[member_id])
            for drug_id in regimen.every_member_contains:
                g.add((node, MMKG.everyMemberContains, RES[drug_id]))
            if regimen.contains_class:
                restriction = BNode(f"contains-{regimen.id}")
                g.add((restriction, RDF.type, OWL.Restriction))
                g.add((restriction, OWL.onProperty, MMKG.hasComponent))
                g.add((restriction, OWL.someValuesFrom, _DRUG_CLASSES[regimen.contains_class]))
                g.add((node, RDF.type, restriction))
        for component in regimen.components:
            g.add((node, MMKG.hasComponent, RES[component]))


def _studies_and_context(g: Graph, entries: ReferenceFile | SourceFile) -> None:
    """Publications, studies, populations and arms, which both kinds of fact file may define."""
    for publication in entries.publications:
        _publication(g, publication)
    for study in entries.studies:
        _study(g, study)
    for population in entries.populations:
        _population(g, population)
    for arm in entries.arms:
        _arm(g, arm)


def _source(g: Graph, source: SourceFile, namer: FindingNamer) -> None:
    meta = source.source
    node = RES[meta.id]
    g.add((node, RDF.type, MMKG.SourceDocument))
    g.add((node, RDF.type, OWL.NamedIndividual))
    g.add((node, RDFS.label, english(meta.title)))
    g.add((node, MMKG.documentKind, Literal(meta.kind)))
    g.add((node, MMKG.fileName, Literal(meta.file)))
    if meta.date:
        g.add((node, MMKG.publicationDate, date_literal(meta.date)))
    for author in meta.authors:
        g.add((node, MMKG.author, Literal(author)))
    for study_id in meta.reports:
        g.add((node, MMKG.reports, RES[study_id]))
    for publication_id in meta.cites:
        g.add((node, MMKG.cites, RES[publication_id]))
    if meta.note:
        g.add((node, SKOS.note, english(meta.note)))
    for flag in meta.flags:
        add_flag(g, node, flag.kind, flag.note)
    citation = f"{meta.title}. Seed file {meta.file}" + (f", {meta.date}" if meta.date else "") + "."
    g.add((node, DCTERMS.bibliographicCitation, Literal(citation)))
    _vocabulary(g, source)
    _studies_and_context(g, source)
    for finding in source.findings:
        add_finding(g, meta.id, finding, namer.label(finding))


def facts_to_dataset(base: FactBase, dataset: Dataset | None = None) -> Dataset:
    """Add the fact base to ``dataset`` (a new one if None) as named graphs and return it."""
    ds = dataset if dataset is not None else Dataset()
    _reference(ds.graph(REFERENCE_GRAPH), base)
    namer = FindingNamer(base)
    for source in base.sources:
        _source(ds.graph(source_graph_iri(source.source.id)), source, namer)
    add_trials(base, lambda source_id: ds.graph(REFERENCE_GRAPH if source_id is None else source_graph_iri(source_id)))
    return ds


def add_reference(g: Graph, base: FactBase) -> None:
    """The triples :func:`facts_to_dataset` puts in the reference graph, added to ``g``."""
    _reference(g, base)


def add_source(g: Graph, source: SourceFile, namer: FindingNamer) -> None:
    """The triples :func:`facts_to_dataset` puts in one source's graph, added to ``g`` (the build
    converts and caches each source on its own, :mod:`kg.pipeline.cache`)."""
    _source(g, source, namer)
