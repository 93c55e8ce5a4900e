"""The fact-file schema: what a curator writes, checked field by field.

Two kinds of file live under ``kg/facts/``:

* ``reference.yaml`` holds the entities several sources share: drugs, targets, diseases,
  endpoints, adverse events, population characteristics, regimens, agencies, named trials and
  the publications that report them, each with its external identifiers.
* ``sources/*.yaml``, one per source document, holds the document's metadata, the studies,
  populations and arms it introduces, and its findings. Every finding carries ``at``, the locator
  of the statement in the source text (see :mod:`kg.sources`).

Every model forbids unknown fields, so a misspelt key is an error, not a silently ignored line.
``python -m kg schema`` prints the JSON Schema of both files.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kg.identifiers import parse_curie
from kg.sources import parse_locator

__all__ = [
    "AdverseEventEntry",
    "ArmEntry",
    "FindingEntry",
    "PopulationEntry",
    "ReferenceFile",
    "SourceFile",
    "StudyEntry",
    "Xref",
]

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
Text = Annotated[str, Field(min_length=1)]
_P_VALUE = re.compile(r"^(<=|>=|<|>|=)\s*(\d*\.?\d+)$")


class Strict(BaseModel):
    """Base: unknown fields are errors; values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
    definition: str | None = None
    synonyms: list[Text] = []
    xrefs: list[Xref] = []
    note: str | None = None


class DrugEntry(Entity):
    classes: list[
        Literal["ImmunomodulatoryImideDrug", "ProteasomeInhibitor", "Glucocorticoid", "Interferon"]
    ] = Field(min_length=1)
    targets: list[Slug] = []


class TargetEntry(Entity):
    gene_symbol: Text


class CharacteristicEntry(Entity):
    context: bool = Field(False, description="True for a treatment context (after induction, ...).")


class RegimenEntry(Entity):
    components: list[Slug] = []
    kind: Literal["active", "no_active_treatment", "pooled"] = "active"
    contains_class: (
        Literal["ImmunomodulatoryImideDrug", "ProteasomeInhibitor", "Glucocorticoid", "Interferon"] | None
    ) = Field(None, description="For a pooled regimen: every member contains a drug of this class.")
    pools: list[Slug] = []

    @model_validator(mode="after")
    def _kind_matches(self) -> RegimenEntry:
        if self.kind == "no_active_treatment" and self.components:
            raise ValueError("a regimen with no active treatment cannot have components")
        if self.kind == "active" and not self.components:
            raise ValueError("an active regimen needs at least one component")
        if self.kind != "pooled" and (self.pools or self.contains_class):
            raise ValueError("pools and contains_class are for pooled regimens only")
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
    disease: Slug | None = None
    populations: list[Slug] = []
    compares: list[Slug] = []
    includes: list[Slug] = []
    primary_endpoints: list[Slug] = []
    published_in: list[Slug] = []
    cited_as: str | None = None
    identified_with: Slug | None = None
    identification_note: str | None = None
    at: str | None = Field(None, description="Locator of the sentence that describes the study.")

    @model_validator(mode="after")
    def _identification_has_note(self) -> StudyEntry:
        if self.identified_with and not self.identification_note:
            raise ValueError("identified_with needs an identification_note saying which figures match")
        return self

    @field_validator("at")
    @classmethod
    def _locator(cls, value: str | None) -> str | None:
        if value is not None:
            parse_locator(value)
        return value


class PopulationEntry(Entity):
    disease: Slug
    characteristics: list[Slug] = []
    subgroup_of: Slug | None = None


class ArmEntry(Entity):
    study: Slug
    role: Literal["intervention", "placebo", "observation", "no_maintenance", "active_comparator"]
    regimen: Slug


class AgencyEntry(Entity):
    pass


class EndpointEntry(Entity):
    pass


class AdverseEventEntry(Entity):
    pass


class DiseaseEntry(Entity):
    pass


class ReferenceFile(Strict):
    """``kg/facts/reference.yaml``."""

    drugs: list[DrugEntry]
    targets: list[TargetEntry] = []
    diseases: list[DiseaseEntry]
    endpoints: list[EndpointEntry]
    adverse_events: list[AdverseEventEntry] = []
    characteristics: list[CharacteristicEntry] = []
    regimens: list[RegimenEntry]
    agencies: list[AgencyEntry] = []
    publications: list[PublicationEntry] = []
    studies: list[StudyEntry] = []
    populations: list[PopulationEntry] = []
    arms: list[ArmEntry] = []


# ------------------------------------------------------------------------------------------------
# Findings
# ------------------------------------------------------------------------------------------------


class Discrepancy(Strict):
    finding: Slug
    note: Text


class FindingBase(Strict):
    """Fields common to every finding."""

    id: Slug
    at: Text = Field(description="Locator pN.sM or pN.sM-K of the statement in the source text.")
    statement: Text = Field(description="What the source states, in the curator's own words.")
    study: Slug | list[Slug] | None = None
    population: Slug | list[Slug] | None = None
    endpoint: Slug | None = None
    intervention: Slug | None = None
    comparator: Slug | None = None
    arm: Slug | None = None
    drug: Slug | None = None
    regimen: Slug | list[Slug] | None = None
    adverse_event: Slug | None = None
    grades: list[Annotated[int, Field(ge=1, le=5)]] | None = Field(None, min_length=1, max_length=2)
    direction: Literal["benefit", "no_difference", "harm"] | None = None
    significant: bool | None = None
    p: str | None = Field(None, description="p-value as stated: '<0.001', '=0.082'.")
    supported_by: list[Slug] = []
    corroborates: list[Slug] = []
    discrepant_with: list[Discrepancy] = []
    note: str | None = None
    conclusion: bool = Field(False, description="The source presents this result as its (authors') conclusion.")

    @field_validator("at")
    @classmethod
    def _locator(cls, value: str) -> str:
        parse_locator(value)
        return value

    @field_validator("p")
    @classmethod
    def _p_value(cls, value: str | None) -> str | None:
        if value is not None:
            match = _P_VALUE.match(value.strip())
            if match is None or not Decimal(0) <= Decimal(match[2]) <= Decimal(1):
                raise ValueError(f"p-value {value!r} must look like '<0.001' or '=0.082' with 0 <= p <= 1")
        return value

    def p_parts(self) -> tuple[str, Decimal] | None:
        """The p-value's comparator and number, if stated."""
        if self.p is None:
            return None
        match = _P_VALUE.match(self.p.strip())
        if match is None:  # pragma: no cover - rejected by the validator
            return None
        return match[1], Decimal(match[2])

    def figures(self) -> list[Decimal]:
        """The numbers this finding states, each of which must occur at its locator."""
        figures: list[Decimal] = []
        if (parts := self.p_parts()) is not None:
            figures.append(parts[1])
        if self.grades:
            figures.extend(Decimal(g) for g in self.grades)
        return figures


class RatioFinding(FindingBase):
    kind: Literal["hazard_ratio", "risk_ratio"]
    estimate: Decimal = Field(gt=0)
    ci: tuple[Decimal, Decimal] | None = None
    ci_level: Decimal | None = Field(None, gt=0, lt=100, description="In percent, e.g. 95.")

    @model_validator(mode="after")
    def _interval(self) -> RatioFinding:
        if self.ci is not None:
            low, high = self.ci
            if not low <= self.estimate <= high:
                raise ValueError(f"estimate {self.estimate} lies outside its interval [{low}, {high}]")
            if self.ci_level is None:
                raise ValueError("a confidence interval needs its ci_level")
        return self

    def figures(self) -> list[Decimal]:
        extra = [self.estimate, *(self.ci or ()), *([self.ci_level] if self.ci_level else [])]
        return [*super().figures(), *extra]


class MedianFinding(FindingBase):
    kind: Literal["median"]
    value: Decimal | None = None
    range: tuple[Decimal, Decimal] | None = None
    unit: Literal["month", "day", "year"]

    @model_validator(mode="after")
    def _one_value(self) -> MedianFinding:
        if (self.value is None) == (self.range is None):
            raise ValueError("a median needs exactly one of value or range")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("range runs backwards")
        return self

    def figures(self) -> list[Decimal]:
        return [*super().figures(), *([self.value] if self.value is not None else list(self.range or ()))]


class ProportionFinding(FindingBase):
    kind: Literal["proportion"]
    value: Decimal = Field(ge=0, le=100, description="In percent.")
    timepoint: str | None = None

    def figures(self) -> list[Decimal]:
        return [*super().figures(), self.value]


class CountFinding(FindingBase):
    kind: Literal["count"]
    value: int = Field(ge=0)
    counts: Literal[
        "patients_randomised", "patients_in_safety_population", "patients_received_allocated",
        "patients", "studies", "regimens", "trials", "randomisation_stages",
    ]
    of_total: int | None = Field(None, ge=0)

    def figures(self) -> list[Decimal]:
        totals = [Decimal(self.of_total)] if self.of_total is not None else []
        return [*super().figures(), Decimal(self.value), *totals]


class DoseFinding(FindingBase):
    kind: Literal["dose"]
    value: Decimal = Field(gt=0)
    unit: Literal["mg", "mg/day", "month"]
    schedule: Text
    route: str | None = None
    schedule_figures: list[Decimal] = Field(
        [], description="The numbers of the schedule (days, cycle length, start), checked at the locator."
    )

    def figures(self) -> list[Decimal]:
        return [*super().figures(), self.value, *self.schedule_figures]


class ComparisonFinding(FindingBase):
    kind: Literal["comparison"]
    direction: Literal["benefit", "no_difference", "harm"]


class StatementFinding(FindingBase):
    kind: Literal["statement"]
    role: Literal["background", "conclusion", "consistency", "mechanism", "design", "hypothesis"]
    date: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")

    def figures(self) -> list[Decimal]:
        day_and_year = [Decimal(int(self.date[8:])), Decimal(int(self.date[:4]))] if self.date else []
        return [*super().figures(), *day_and_year]


class RankingFinding(FindingBase):
    kind: Literal["ranking"]
    rank: int = Field(ge=1)


class ApprovalFinding(FindingBase):
    kind: Literal["approval"]
    agency: Slug
    indication: Text


FindingEntry = Annotated[
    RatioFinding | MedianFinding | ProportionFinding | CountFinding | DoseFinding | ComparisonFinding
    | StatementFinding | RankingFinding | ApprovalFinding,
    Field(discriminator="kind"),
]


class SourceMeta(Strict):
    """The source document itself."""

    id: Slug
    file: Annotated[str, Field(pattern=r"^[\w.-]+\.txt$")]
    title: Text = Field(description="A description of the document in the curator's words.")
    kind: Literal["news report", "review excerpt", "medical education page", "reference answer"]
    date: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    authors: list[Text] = []
    reports: list[Slug] = []
    cites: list[Slug] = []
    note: str | None = None


class SourceFile(Strict):
    """``kg/facts/sources/<id>.yaml``."""

    source: SourceMeta
    publications: list[PublicationEntry] = []
    studies: list[StudyEntry] = []
    populations: list[PopulationEntry] = []
    arms: list[ArmEntry] = []
    findings: list[FindingEntry] = Field(min_length=1)
