"""Namespaces: our closed term namespace and the prefixes every module and query shares."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = ["COMMON_PREFIXES", "GRAPH", "MMKG", "ONTOLOGY_IRI", "PREFIXES", "RES", "compact", "compact_any"]


class MMKG(DefinedNamespace):
    """Terms of the myeloma-kg ontology. Closed: a misspelt term raises instead of minting an IRI.

    ``tests/test_ontology.py`` checks that this list and ``ontology/mmkg.ttl`` name the same terms.
    """

    _fail = True
    _NS = Namespace("https://w3id.org/mmkg/")

    Absent: URIRef
    ActiveComparatorArm: URIRef
    AdaptiveDesignStudy: URIRef
    AdverseEvent: URIRef
    ArmMedian: URIRef
    BackgroundStatement: URIRef
    Benefit: URIRef
    ClaimExceedsFigures: URIRef
    ClinicalTrial: URIRef
    CombinationRegimen: URIRef
    ComparativeResult: URIRef
    ComparatorArm: URIRef
    Conclusion: URIRef
    ConsistencyStatement: URIRef
    Count: URIRef
    CountKind: URIRef
    CuratorReading: URIRef
    DesignStatement: URIRef
    Direction: URIRef
    DiscrepantFigures: URIRef
    DiscrepantWithPublicationFlag: URIRef
    Disease: URIRef
    DoseSchedule: URIRef
    Drug: URIRef
    Duration: URIRef
    EffectEstimate: URIRef
    Endpoint: URIRef
    EvidenceSynthesis: URIRef
    Finding: URIRef
    Flag: URIRef
    FlagKind: URIRef
    Glucocorticoid: URIRef
    GlucocorticoidContainingRegimen: URIRef
    Harm: URIRef
    HazardRatioEstimate: URIRef
    Hypothesis: URIRef
    ImidBasedRegimen: URIRef
    ImmunomodulatoryImideDrug: URIRef
    InferredByCuratorFlag: URIRef
    Interferon: URIRef
    InterferonContainingRegimen: URIRef
    IntervalIncludesNoEffect: URIRef
    InterventionArm: URIRef
    Mapping: URIRef
    MechanismStatement: URIRef
    MetaAnalysis: URIRef
    MisprintInSource: URIRef
    MolecularTarget: URIRef
    Monotherapy: URIRef
    NarrativeReview: URIRef
    NetworkMetaAnalysis: URIRef
    NoActiveTreatment: URIRef
    NoDifference: URIRef
    NoMaintenanceArm: URIRef
    NonRandomisedComparison: URIRef
    NotSignificantButRankedFirst: URIRef
    ObservationArm: URIRef
    OpenLabelStudy: URIRef
    Patients: URIRef
    PatientsInSafetyPopulation: URIRef
    PatientsRandomised: URIRef
    PatientsReceivedAllocated: URIRef
    PlaceboArm: URIRef
    PooledRegimen: URIRef
    Population: URIRef
    PopulationCharacteristic: URIRef
    Proportion: URIRef
    ProteasomeInhibitor: URIRef
    ProteasomeInhibitorBasedRegimen: URIRef
    Publication: URIRef
    QualitativeStatement: URIRef
    RandomisationStages: URIRef
    RandomisedControlledTrial: URIRef
    Ranking: URIRef
    RatioEstimate: URIRef
    Regimen: URIRef
    Regimens: URIRef
    RegulatoryAgency: URIRef
    RegulatoryApproval: URIRef
    RiskRatioEstimate: URIRef
    SignificanceAsReported: URIRef
    SignificanceBasis: URIRef
    SignificanceFromInterval: URIRef
    SignificantHazardReduction: URIRef
    SignificantRiskIncrease: URIRef
    SourceDocument: URIRef
    Studies: URIRef
    Study: URIRef
    StudyArm: URIRef
    SystematicReview: URIRef
    TreatmentContext: URIRef
    Unit: URIRef
    aboutDrug: URIRef
    aboutRegimen: URIRef
    aboutTrial: URIRef
    activeRegimen: URIRef
    activity: URIRef
    adverseEvent: URIRef
    agency: URIRef
    arm: URIRef
    armOf: URIRef
    author: URIRef
    ciLevel: URIRef
    ciLower: URIRef
    ciUpper: URIRef
    citedAs: URIRef
    cites: URIRef
    comparator: URIRef
    comparesRegimen: URIRef
    concernsDrug: URIRef
    corroborates: URIRef
    countKind: URIRef
    countOf: URIRef
    date: URIRef
    direction: URIRef
    discrepancyNote: URIRef
    discrepantWith: URIRef
    discrepantWithPublication: URIRef
    documentKind: URIRef
    doi: URIRef
    endpoint: URIRef
    estimate: URIRef
    everyMemberContains: URIRef
    fileName: URIRef
    flag: URIRef
    flagKind: URIRef
    flagRelatesTo: URIRef
    fromSource: URIRef
    fromStudy: URIRef
    gradeMax: URIRef
    gradeMin: URIRef
    hasArm: URIRef
    hasCharacteristic: URIRef
    hasCharacteristicByIdentification: URIRef
    hasComponent: URIRef
    hasDisease: URIRef
    hasMolecularTarget: URIRef
    identificationNote: URIRef
    identifiedWith: URIRef
    includesNotNamed: URIRef
    includesStudy: URIRef
    indication: URIRef
    inferredByCurator: URIRef
    curationStatus: URIRef
    draftConfidence: URIRef
    intervention: URIRef
    isImplied: URIRef
    isSignificant: URIRef
    journal: URIRef
    locator: URIRef
    mainAdverseEvent: URIRef
    mappingConfidence: URIRef
    mappingObject: URIRef
    mappingPredicate: URIRef
    mappingSubject: URIRef
    mechanismOfAction: URIRef
    medianNotReached: URIRef
    ofTotal: URIRef
    pValue: URIRef
    pValueComparator: URIRef
    paragraph: URIRef
    phase: URIRef
    pmcid: URIRef
    pmid: URIRef
    poolsRegimen: URIRef
    poolsRegimenByInference: URIRef
    population: URIRef
    primaryEndpoint: URIRef
    publicationDate: URIRef
    publishedIn: URIRef
    quotation: URIRef
    rank: URIRef
    receivesRegimen: URIRef
    regimen: URIRef
    reportOf: URIRef
    reportedBy: URIRef
    reports: URIRef
    restates: URIRef
    route: URIRef
    schedule: URIRef
    sentence: URIRef
    shortLabel: URIRef
    significanceBasis: URIRef
    singledOutAdverseEvent: URIRef
    statedAs: URIRef
    studiesDisease: URIRef
    studiesPopulation: URIRef
    subgroupOf: URIRef
    supportedBy: URIRef
    timepoint: URIRef
    unit: URIRef
    value: URIRef
    valueMax: URIRef
    valueMin: URIRef
    verifiedBy: URIRef
    xref: URIRef

RES = Namespace("https://w3id.org/mmkg/resource/")
"""Curated resources: drugs, trials, findings, ..."""

GRAPH = Namespace("https://w3id.org/mmkg/graph/")
"""Named graphs: ``ontology``, ``reference``, ``inferred``, ``source/<id>``."""

ONTOLOGY_IRI = URIRef("https://w3id.org/mmkg/ontology")

PREFIXES: dict[str, str] = {
    "mmkg": "https://w3id.org/mmkg/",
    "res": "https://w3id.org/mmkg/resource/",
    "graph": "https://w3id.org/mmkg/graph/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "obo": "http://purl.obolibrary.org/obo/",
}
"""Prefixes declared in exports and known to the query tools."""

COMMON_PREFIXES: dict[str, str] = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "vann": "http://purl.org/vocab/vann/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}
"""Other vocabularies' namespaces the graph, its exports and queries use (on top of the external vocabularies
of :mod:`kg.linking.prefix_map`)."""


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))  # res: wins over mmkg:


def compact_any(iri: str) -> str:
    """A CURIE for display with any prefix of the project's converter (:mod:`kg.linking.prefix_map`: ours, the
    vocabularies we link to, the common ones), or the IRI itself.

    >>> compact_any("https://w3id.org/mmkg/graph/source/s001"), compact_any("http://purl.obolibrary.org/obo/CHEBI_1")
    ('graph:source/s001', 'CHEBI:1')
    """
    from kg.linking.prefix_map import converter

    return converter().compress(iri) or iri


def compact(iri: str) -> str:
    """A CURIE with one of our prefixes, or the IRI itself.

    >>> compact("https://w3id.org/mmkg/resource/pfs")
    'res:pfs'
    >>> compact("http://example.org/x")
    'http://example.org/x'
    """
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace):]
            if all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return iri
