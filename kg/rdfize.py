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
from decimal import Decimal

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.facts import FactBase
from kg.identifiers import CLASS_VOCABULARIES, parse_curie
from kg.namespaces import GRAPH, MMKG, RES
from kg.schema import (
    ApprovalFinding,
    ArmEntry,
    CountFinding,
    DoseFinding,
    Entity,
    FindingBase,
    MedianFinding,
    PopulationEntry,
    ProportionFinding,
    PublicationEntry,
    RankingFinding,
    RatioFinding,
    ReferenceFile,
    SourceFile,
    StatementFinding,
    StudyEntry,
)
from kg.sources import parse_locator

__all__ = ["REFERENCE_GRAPH", "facts_to_dataset", "source_graph_iri"]

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
_DIRECTIONS = {"benefit": MMKG.Benefit, "no_difference": MMKG.NoDifference, "harm": MMKG.Harm}
_STATEMENT_CLASSES = {
    "background": MMKG.BackgroundStatement,
    "conclusion": MMKG.Conclusion,
    "consistency": MMKG.ConsistencyStatement,
    "mechanism": MMKG.MechanismStatement,
    "design": MMKG.DesignStatement,
    "hypothesis": MMKG.Hypothesis,
}
_MATCH = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch, "broad": SKOS.broadMatch,
          "narrow": SKOS.narrowMatch, "related": SKOS.relatedMatch}


def source_graph_iri(source_id: str) -> URIRef:
    """The named graph holding one source document's facts."""
    return GRAPH[f"source/{source_id}"]


def _dec(value: Decimal | int) -> Literal:
    return Literal(Decimal(value), datatype=XSD.decimal)


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


def _unit(name: str) -> URIRef:
    return RES[f"unit-{name.replace('/', '-per-')}"]


def _date(text: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(text)]
    return Literal(text, datatype=datatype)


def _ids(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _entity(g: Graph, entry: Entity, rdf_type: URIRef) -> URIRef:
    node = RES[entry.id]
    g.add((node, RDF.type, rdf_type))
    g.add((node, RDF.type, OWL.NamedIndividual))
    g.add((node, RDFS.label, _en(entry.label)))
    if entry.definition:
        g.add((node, SKOS.definition, _en(entry.definition)))
    for synonym in entry.synonyms:
        g.add((node, SKOS.altLabel, _en(synonym)))
    if entry.note:
        g.add((node, SKOS.note, _en(entry.note)))
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
            g.add((mapping, SKOS.note, _en(xref.note)))
    return node


def _publication(g: Graph, pub: PublicationEntry) -> None:
    node = _entity(g, pub, MMKG.Publication)
    g.add((node, DCTERMS.bibliographicCitation, Literal(pub.citation)))
    for author in pub.authors:
        g.add((node, MMKG.author, Literal(author)))
    if pub.journal:
        g.add((node, MMKG.journal, Literal(pub.journal)))
    if pub.date:
        g.add((node, MMKG.publicationDate, _date(pub.date)))
    elif pub.year:
        g.add((node, MMKG.publicationDate, _date(str(pub.year))))
    if pub.doi:
        g.add((node, MMKG.doi, Literal(pub.doi)))
        g.add((node, SKOS.exactMatch, URIRef(f"https://doi.org/{pub.doi}")))
    if pub.pmid:
        g.add((node, MMKG.pmid, Literal(pub.pmid)))
        g.add((node, SKOS.exactMatch, URIRef(f"https://pubmed.ncbi.nlm.nih.gov/{pub.pmid}/")))
    if pub.pmcid:
        g.add((node, MMKG.pmcid, Literal(pub.pmcid)))


def _study(g: Graph, study: StudyEntry) -> None:
    node = _entity(g, study, MMKG.Study)
    for name in study.types:
        g.add((node, RDF.type, MMKG[name]))
    if study.phase is not None:
        g.add((node, MMKG.phase, _int(study.phase)))
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
        g.add((node, MMKG.identificationNote, _en(study.identification_note or "")))
    if study.at:
        g.add((node, MMKG.locator, Literal(study.at)))


def _population(g: Graph, pop: PopulationEntry) -> None:
    node = _entity(g, pop, MMKG.Population)
    g.add((node, MMKG.hasDisease, RES[pop.disease]))
    for characteristic in pop.characteristics:
        g.add((node, MMKG.hasCharacteristic, RES[characteristic]))
    if pop.subgroup_of:
        g.add((node, MMKG.subgroupOf, RES[pop.subgroup_of]))


def _arm(g: Graph, arm: ArmEntry) -> None:
    node = _entity(g, arm, _ARM_ROLES[arm.role])
    g.add((RES[arm.study], MMKG.hasArm, node))
    g.add((node, MMKG.receivesRegimen, RES[arm.regimen]))


def _finding_class(finding: FindingBase) -> URIRef:
    if isinstance(finding, RatioFinding):
        return MMKG.HazardRatioEstimate if finding.kind == "hazard_ratio" else MMKG.RiskRatioEstimate
    if isinstance(finding, StatementFinding):
        return _STATEMENT_CLASSES[finding.role]
    table: dict[type[FindingBase], URIRef] = {
        MedianFinding: MMKG.ArmMedian, ProportionFinding: MMKG.Proportion, CountFinding: MMKG.Count,
        DoseFinding: MMKG.DoseSchedule, RankingFinding: MMKG.Ranking, ApprovalFinding: MMKG.RegulatoryApproval,
    }
    return table.get(type(finding), MMKG.ComparativeResult)


def _stated_as(finding: FindingBase) -> str | None:
    p = f"; p{finding.p.strip()}" if finding.p else ""
    if isinstance(finding, RatioFinding):
        name = "HR" if finding.kind == "hazard_ratio" else "RR"
        ci = f" ({finding.ci_level}% CI {finding.ci[0]}-{finding.ci[1]})" if finding.ci else ""
        return f"{name} {finding.estimate}{ci}{p}"
    if isinstance(finding, MedianFinding):
        value = f"{finding.value}" if finding.value is not None else f"{finding.range[0]}-{finding.range[1]}"  # type: ignore[index]
        return f"median {value} {finding.unit}s"
    if isinstance(finding, ProportionFinding):
        return f"{finding.value}%"
    if isinstance(finding, CountFinding):
        total = f" of {finding.of_total}" if finding.of_total is not None else ""
        return f"{finding.value}{total} {finding.counts.replace('_', ' ')}"
    if isinstance(finding, DoseFinding):
        return f"{finding.value} {finding.unit}, {finding.schedule}"
    return f"p{finding.p.strip()}" if finding.p else None


def _finding(g: Graph, source: SourceFile, finding: FindingBase) -> None:
    node = RES[finding.id]
    g.add((node, RDF.type, _finding_class(finding)))
    if finding.conclusion:
        g.add((node, RDF.type, MMKG.Conclusion))
    g.add((node, RDF.type, OWL.NamedIndividual))
    g.add((node, RDFS.label, _en(f"{finding.id}")))
    g.add((node, RDFS.comment, _en(finding.statement)))
    g.add((node, MMKG.fromSource, RES[source.source.id]))
    g.add((node, PROV.wasDerivedFrom, RES[source.source.id]))
    locator = parse_locator(finding.at)
    g.add((node, MMKG.locator, Literal(str(locator))))
    g.add((node, MMKG.paragraph, _int(locator.paragraph)))
    for sentence in locator.sentences:
        g.add((node, MMKG.sentence, _int(sentence)))
    if (stated := _stated_as(finding)) is not None:
        g.add((node, MMKG.statedAs, Literal(stated)))
    for study in _ids(finding.study):
        g.add((node, MMKG.fromStudy, RES[study]))
    for pop in _ids(finding.population):
        g.add((node, MMKG.population, RES[pop]))
    for regimen in _ids(finding.regimen):
        g.add((node, MMKG.aboutRegimen, RES[regimen]))
    single = {
        MMKG.endpoint: finding.endpoint, MMKG.intervention: finding.intervention,
        MMKG.comparator: finding.comparator, MMKG.arm: finding.arm, MMKG.aboutDrug: finding.drug,
        MMKG.adverseEvent: finding.adverse_event,
    }
    for predicate, target in single.items():
        if target:
            g.add((node, predicate, RES[target]))
    if finding.grades:
        g.add((node, MMKG.gradeMin, _int(min(finding.grades))))
        g.add((node, MMKG.gradeMax, _int(max(finding.grades))))
    if finding.direction:
        g.add((node, MMKG.direction, _DIRECTIONS[finding.direction]))
    if finding.significant is not None:
        g.add((node, MMKG.isSignificant, Literal(finding.significant)))
    if (parts := finding.p_parts()) is not None:
        g.add((node, MMKG.pValueComparator, Literal(parts[0])))
        g.add((node, MMKG.pValue, _dec(parts[1])))
    for other in finding.supported_by:
        g.add((node, MMKG.supportedBy, RES[other]))
    for other in finding.corroborates:
        g.add((node, MMKG.corroborates, RES[other]))
    for disc in finding.discrepant_with:
        g.add((node, MMKG.discrepantWith, RES[disc.finding]))
        g.add((node, MMKG.discrepancyNote, _en(disc.note)))
    if finding.note:
        g.add((node, SKOS.note, _en(finding.note)))
    _figures(g, node, finding)


def _figures(g: Graph, node: URIRef, finding: FindingBase) -> None:
    if isinstance(finding, RatioFinding):
        g.add((node, MMKG.estimate, _dec(finding.estimate)))
        if finding.ci is not None and finding.ci_level is not None:
            g.add((node, MMKG.ciLower, _dec(finding.ci[0])))
            g.add((node, MMKG.ciUpper, _dec(finding.ci[1])))
            g.add((node, MMKG.ciLevel, _dec(finding.ci_level / 100)))
    elif isinstance(finding, MedianFinding):
        g.add((node, MMKG.unit, _unit(finding.unit)))
        if finding.value is not None:
            g.add((node, MMKG.value, _dec(finding.value)))
        elif finding.range is not None:
            g.add((node, MMKG.valueMin, _dec(finding.range[0])))
            g.add((node, MMKG.valueMax, _dec(finding.range[1])))
    elif isinstance(finding, ProportionFinding):
        g.add((node, MMKG.value, _dec(finding.value)))
        g.add((node, MMKG.unit, _unit("percent")))
        if finding.timepoint:
            g.add((node, MMKG.timepoint, Literal(finding.timepoint)))
    elif isinstance(finding, CountFinding):
        g.add((node, MMKG.value, _dec(finding.value)))
        g.add((node, MMKG.countOf, Literal(finding.counts)))
        if finding.of_total is not None:
            g.add((node, MMKG.ofTotal, _int(finding.of_total)))
    elif isinstance(finding, DoseFinding):
        g.add((node, MMKG.value, _dec(finding.value)))
        g.add((node, MMKG.unit, _unit(finding.unit)))
        g.add((node, MMKG.schedule, Literal(finding.schedule)))
        if finding.route:
            g.add((node, MMKG.route, Literal(finding.route)))
    elif isinstance(finding, StatementFinding):
        if finding.date:
            g.add((node, MMKG.date, Literal(finding.date, datatype=XSD.date)))
    elif isinstance(finding, RankingFinding):
        g.add((node, MMKG.rank, _int(finding.rank)))
    elif isinstance(finding, ApprovalFinding):
        g.add((node, MMKG.agency, RES[finding.agency]))
        g.add((node, MMKG.indication, Literal(finding.indication)))


_UNITS = {"month": "month", "day": "day", "year": "year", "percent": "percent", "mg": "milligram",
          "mg/day": "milligram per day"}


def _reference(g: Graph, base: FactBase) -> None:
    ref = base.reference
    for drug in ref.drugs:
        node = _entity(g, drug, MMKG.Drug)
        for name in drug.classes:
            g.add((node, RDF.type, _DRUG_CLASSES[name]))
        for target in drug.targets:
            g.add((node, MMKG.hasMolecularTarget, RES[target]))
    for molecular_target in ref.targets:
        node = _entity(g, molecular_target, MMKG.MolecularTarget)
        g.add((node, SKOS.altLabel, Literal(molecular_target.gene_symbol)))
    for disease in ref.diseases:
        _entity(g, disease, MMKG.Disease)
    for endpoint in ref.endpoints:
        _entity(g, endpoint, MMKG.Endpoint)
    for event in ref.adverse_events:
        _entity(g, event, MMKG.AdverseEvent)
    for characteristic in ref.characteristics:
        _entity(g, characteristic, MMKG.TreatmentContext if characteristic.context else MMKG.PopulationCharacteristic)
    for agency in ref.agencies:
        _entity(g, agency, MMKG.RegulatoryAgency)
    for regimen in ref.regimens:
        node = _entity(g, regimen, MMKG.Regimen)
        if regimen.kind == "no_active_treatment":
            g.add((node, RDF.type, MMKG.NoActiveTreatment))
        if regimen.kind == "pooled":
            g.add((node, RDF.type, MMKG.PooledRegimen))
            for member_id in regimen.pools:
                g.add((node, MMKG.poolsRegimen, RES[member_id]))
            if regimen.contains_class:
                restriction = BNode(f"contains-{regimen.id}")
                g.add((restriction, RDF.type, OWL.Restriction))
                g.add((restriction, OWL.onProperty, MMKG.hasComponent))
                g.add((restriction, OWL.someValuesFrom, _DRUG_CLASSES[regimen.contains_class]))
                g.add((node, RDF.type, restriction))
        for component in regimen.components:
            g.add((node, MMKG.hasComponent, RES[component]))
    for unit_name, label in _UNITS.items():
        unit = _unit(unit_name)
        g.add((unit, RDF.type, MMKG.Unit))
        g.add((unit, RDF.type, OWL.NamedIndividual))
        g.add((unit, RDFS.label, _en(label)))
    _studies_and_context(g, ref)


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


def _source(g: Graph, source: SourceFile) -> None:
    meta = source.source
    node = RES[meta.id]
    g.add((node, RDF.type, MMKG.SourceDocument))
    g.add((node, RDF.type, OWL.NamedIndividual))
    g.add((node, RDFS.label, _en(meta.title)))
    g.add((node, MMKG.documentKind, Literal(meta.kind)))
    g.add((node, MMKG.fileName, Literal(meta.file)))
    if meta.date:
        g.add((node, MMKG.publicationDate, _date(meta.date)))
    for author in meta.authors:
        g.add((node, MMKG.author, Literal(author)))
    for study_id in meta.reports:
        g.add((node, MMKG.reports, RES[study_id]))
    for publication_id in meta.cites:
        g.add((node, MMKG.cites, RES[publication_id]))
    if meta.note:
        g.add((node, SKOS.note, _en(meta.note)))
    citation = f"{meta.title}. Seed file {meta.file}" + (f", {meta.date}" if meta.date else "") + "."
    g.add((node, DCTERMS.bibliographicCitation, Literal(citation)))
    _studies_and_context(g, source)
    for finding in source.findings:
        _finding(g, source, finding)


def facts_to_dataset(base: FactBase, dataset: Dataset | None = None) -> Dataset:
    """Add the fact base to ``dataset`` (a new one if None) as named graphs and return it."""
    ds = dataset if dataset is not None else Dataset()
    _reference(ds.graph(REFERENCE_GRAPH), base)
    for source in base.sources:
        _source(ds.graph(source_graph_iri(source.source.id)), source)
    return ds
