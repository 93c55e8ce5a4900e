"""The fact-file schema: what a curator writes, checked field by field.

Two kinds of file live under ``kg/facts/``:

* ``reference.yaml`` holds the entities several sources share: drugs, targets, diseases,
  endpoints, adverse events, population characteristics, regimens, agencies, named trials and
  the publications that report them, each with its external identifiers.
* ``sources/*.yaml``, one per source document, holds the document's metadata, the studies,
  populations and arms it introduces, and its findings. Every finding carries ``at``, the locator
  of the statement in the source text (see :mod:`kg.curation.texts`).

Every model forbids unknown fields, so a misspelt key is an error, not a silently ignored line.
``python -m kg schema`` prints the JSON Schema of both files.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from kg.curation.fields import Refers, Section, Slug, Strict, Text
from kg.curation.findings import (
    FINDING_MODELS,
    ApprovalFinding,
    ComparisonFinding,
    CountFinding,
    Discrepancy,
    DoseFinding,
    DurationFinding,
    FindingBase,
    FindingEntry,
    FlagEntry,
    MedianFinding,
    ProportionFinding,
    RankingFinding,
    RatioFinding,
    StatementFinding,
    Status,
    finding_kinds,
)
from kg.curation.texts import parse_locator
from kg.linking.identifiers import parse_curie

__all__ = [
    "FINDING_MODELS",
    "AdverseEventEntry",
    "ApprovalFinding",
    "ArmEntry",
    "ComparisonFinding",
    "CountFinding",
    "Discrepancy",
    "DoseFinding",
    "DurationFinding",
    "Entity",
    "FindingBase",
    "FindingEntry",
    "FlagEntry",
    "MedianFinding",
    "PopulationEntry",
    "ProportionFinding",
    "PublicationEntry",
    "RankingFinding",
    "RatioFinding",
    "ReferenceFile",
    "SourceFile",
    "StatementFinding",
    "StudyEntry",
    "Xref",
    "finding_kinds",
]


class Xref(Strict):
    """One external identifier of an entity."""

    curie: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.]*:\S+$")]
    match: Literal["exact", "close", "broad", "narrow", "related"] = "exact"
    confidence: Literal["verified", "likely"]
    checked_in: Text = Field(description="Where the identifier was verified (identifiers.md source key).")
    note: str | None = None

    @field_validator("curie")
    @classmethod
    def _known_prefix_and_pattern(cls, value: str) -> str:
        parse_curie(value)
        return value


class Entity(Strict):
    """Fields every curated entity has."""

    id: Slug
    label: Text
    short_label: str | None = Field(None, description="A short name for generated labels ('PFS', 'Gay et al. NMA').")
    definition: str | None = None
    synonyms: list[Text] = []
    xrefs: list[Xref] = []
    note: str | None = None
    status: Status = Field("curated", description="'draft' for an entry drafted by `mmkg draft`, not yet confirmed.")


class DrugEntry(Entity):
    classes: list[
        Literal["ImmunomodulatoryImideDrug", "ProteasomeInhibitor", "Glucocorticoid", "Interferon"]
    ] = Field([], description="At least one for a curated drug; a draft may leave them to the curator.")
    targets: Annotated[list[Slug], Refers("target")] = []

    @model_validator(mode="after")
    def _curated_has_class(self) -> DrugEntry:
        if self.status == "curated" and not self.classes:
            raise ValueError("a curated drug needs at least one of classes")
        return self


class TargetEntry(Entity):
    gene_symbol: Text


class CharacteristicEntry(Entity):
    context: bool = Field(False, description="True for a treatment context (after induction, ...).")


class RegimenEntry(Entity):
    components: Annotated[list[Slug], Refers("drug")] = []
    kind: Literal["active", "no_active_treatment", "pooled"] = "active"
    contains_class: (
        Literal["ImmunomodulatoryImideDrug", "ProteasomeInhibitor", "Glucocorticoid", "Interferon"] | None
    ) = Field(None, description="For a pooled regimen: every member contains a drug of this class.")
    pools: Annotated[list[Slug], Refers("regimen")] = Field(
        [], description="For a pooled regimen: the regimens it groups that the source names.")
    pools_by_inference: Annotated[list[Slug], Refers("regimen")] = Field(
        [], description="Regimens the curator takes the pool to group though no source names them; the reasoner's "
                        "shortcuts (mmkg:concernsDrug) do not follow them.")
    every_member_contains: Annotated[list[Slug], Refers("drug")] = Field(
        [], description="For a pooled regimen: the drugs its name says every member contains "
                        "('thalidomide-based maintenance': thalidomide).")
    inference_note: str | None = Field(None, description="Why the curator took pools_by_inference to belong.")

    @model_validator(mode="after")
    def _kind_matches(self) -> RegimenEntry:
        if self.kind == "no_active_treatment" and self.components:
            raise ValueError("a regimen with no active treatment cannot have components")
        if self.kind == "active" and not self.components:
            raise ValueError("an active regimen needs at least one component")
        if self.kind != "pooled" and (self.pools or self.contains_class or self.pools_by_inference
                                      or self.every_member_contains):
            raise ValueError("pools, pools_by_inference, every_member_contains and contains_class are for pooled "
                             "regimens only")
        if self.pools_by_inference and not self.inference_note:
            raise ValueError("pools_by_inference needs an inference_note saying why the curator took them to belong")
        return self


class PublicationEntry(Entity):
    authors: list[Text] = []
    journal: str | None = None
    year: int | None = Field(None, ge=1900, le=2100)
    date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    citation: Text
    doi: str | None = Field(None, pattern=r"^10\.\d{4,9}/\S+$")
    pmid: str | None = Field(None, pattern=r"^\d{1,9}$")
    pmcid: str | None = Field(None, pattern=r"^PMC\d+$")


StudyType = Literal[
    "RandomisedControlledTrial", "ClinicalTrial", "OpenLabelStudy", "AdaptiveDesignStudy",
    "MetaAnalysis", "NetworkMetaAnalysis", "SystematicReview", "NarrativeReview",
    "NonRandomisedComparison", "Study",
]


class StudyEntry(Entity):
    types: list[StudyType] = Field(min_length=1)
    phase: int | None = Field(None, ge=1, le=4)
    disease: Annotated[Slug | None, Refers("disease")] = None
    populations: Annotated[list[Slug], Refers("population")] = []
    compares: Annotated[list[Slug], Refers("regimen")] = []
    includes: Annotated[list[Slug], Refers("study")] = []
    primary_endpoints: Annotated[list[Slug], Refers("endpoint")] = []
    published_in: Annotated[list[Slug], Refers("publication")] = []
    cited_as: str | None = None
    identified_with: Annotated[Slug | None, Refers("study")] = None
    identification_note: str | None = None
    includes_not_named: bool = Field(
        False, description="An evidence synthesis whose source does not name the trials it includes.")
    flags: list[FlagEntry] = []
    at: str | None = Field(None, description="Locator of the sentence that describes the study.")

    @model_validator(mode="after")
    def _identification_has_note(self) -> StudyEntry:
        if self.identified_with and not self.identification_note:
            raise ValueError("identified_with needs an identification_note saying which figures match")
        if self.includes and self.includes_not_named:
            raise ValueError("includes_not_named is for a synthesis whose source names none of its trials")
        return self

    @field_validator("at")
    @classmethod
    def _locator(cls, value: str | None) -> str | None:
        if value is not None:
            parse_locator(value)
        return value


class PopulationEntry(Entity):
    disease: Annotated[Slug, Refers("disease")]
    characteristics: Annotated[list[Slug], Refers("characteristic")] = []
    characteristics_by_identification: Annotated[list[Slug], Refers("characteristic")] = Field(
        [], description="Characteristics the source does not state, taken from the study's identification with a "
                        "named trial.")
    subgroup_of: Annotated[Slug | None, Refers("population")] = None


class ArmEntry(Entity):
    study: Annotated[Slug, Refers("study")]
    role: Literal["intervention", "placebo", "observation", "no_maintenance", "active_comparator"]
    regimen: Annotated[Slug, Refers("regimen")]


class AgencyEntry(Entity):
    pass


class EndpointEntry(Entity):
    broader: Annotated[list[Slug], Refers("endpoint")] = Field([], description="Broader endpoints (skos:broader).")
    related: Annotated[list[Slug], Refers("endpoint")] = Field(
        [], description="Related endpoints (skos:related); say how they differ in the definition.")


class AdverseEventEntry(Entity):
    broader: Annotated[list[Slug], Refers("adverse_event")] = Field(
        [], description="Broader kinds of adverse event (skos:broader).")
    related: Annotated[list[Slug], Refers("adverse_event")] = []


class DiseaseEntry(Entity):
    pass


class ReferenceFile(Strict):
    """``kg/facts/reference.yaml``."""

    drugs: Annotated[list[DrugEntry], Section("drug")]
    targets: Annotated[list[TargetEntry], Section("target")] = []
    diseases: Annotated[list[DiseaseEntry], Section("disease")]
    endpoints: Annotated[list[EndpointEntry], Section("endpoint")]
    adverse_events: Annotated[list[AdverseEventEntry], Section("adverse_event")] = []
    characteristics: Annotated[list[CharacteristicEntry], Section("characteristic")] = []
    regimens: Annotated[list[RegimenEntry], Section("regimen")]
    agencies: Annotated[list[AgencyEntry], Section("agency")] = []
    publications: Annotated[list[PublicationEntry], Section("publication")] = []
    studies: Annotated[list[StudyEntry], Section("study")] = []
    populations: Annotated[list[PopulationEntry], Section("population")] = []
    arms: Annotated[list[ArmEntry], Section("arm")] = []


class SourceMeta(Strict):
    """The source document itself."""

    id: Slug
    file: Annotated[str, Field(pattern=r"^[\w.-]+\.txt$")]
    title: Text = Field(description="A description of the document in the curator's words.")
    kind: Literal["news report", "review excerpt", "medical education page", "reference answer", "article"]
    date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    authors: list[Text] = []
    reports: Annotated[list[Slug], Refers("study")] = []
    cites: Annotated[list[Slug], Refers("publication")] = []
    note: str | None = None
    flags: list[FlagEntry] = []


class SourceFile(Strict):
    """``kg/facts/sources/<id>.yaml``.

    A source file may also define the drugs, regimens, endpoints and adverse events its findings
    name first (as a draft written by ``mmkg draft`` does); once several sources share one, it
    belongs in ``reference.yaml``.
    """

    source: SourceMeta
    drugs: Annotated[list[DrugEntry], Section("drug")] = []
    endpoints: Annotated[list[EndpointEntry], Section("endpoint")] = []
    adverse_events: Annotated[list[AdverseEventEntry], Section("adverse_event")] = []
    regimens: Annotated[list[RegimenEntry], Section("regimen")] = []
    publications: Annotated[list[PublicationEntry], Section("publication")] = []
    studies: Annotated[list[StudyEntry], Section("study")] = []
    populations: Annotated[list[PopulationEntry], Section("population")] = []
    arms: Annotated[list[ArmEntry], Section("arm")] = []
    findings: Annotated[list[FindingEntry], Section("finding"), Field(min_length=1)]
