"""The findings a source states, one model per kind, told apart by ``kind``.

Each model says which numbers it states (:meth:`FindingBase.figures`, checked at the locator by
:mod:`kg.curation.provenance`) and which entries it names (fields marked :class:`Refers`).
:data:`FINDING_MODELS` and :func:`finding_kinds` are read by the loader and the RDF conversion;
nothing else lists the kinds.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator

from kg.curation.fields import Refers, Slug, Strict, Text
from kg.curation.texts import parse_locator

__all__ = [
    "FINDING_MODELS",
    "ApprovalFinding",
    "ComparisonFinding",
    "CountFinding",
    "Discrepancy",
    "DoseFinding",
    "DurationFinding",
    "FindingBase",
    "FindingEntry",
    "FlagEntry",
    "FlagKind",
    "MedianFinding",
    "ProportionFinding",
    "PublicationDiscrepancy",
    "RankingFinding",
    "RatioFinding",
    "StatementFinding",
    "finding_kinds",
]

_P_VALUE = re.compile(r"^(<=|>=|<|>|=)\s*(\d*\.?\d+)$")


FlagKind = Literal[
    "claim_exceeds_figures", "discrepant_figures", "discrepant_with_publication", "inferred_by_curator",
    "misprint_in_source", "not_significant_but_ranked_first", "curator_reading",
]


class FlagEntry(Strict):
    """A caveat a curator attaches to a finding, study or source: its kind and the note that explains it.

    The build adds the flags that other fields already imply (an ``inferred`` field, a discrepancy,
    an identification), so every caveat has one shape in the graph (``mmkg:flag``).
    """

    kind: FlagKind
    note: Text


class Discrepancy(Strict):
    finding: Annotated[Slug, Refers("finding")]
    note: Text
    flag: Literal["claim_exceeds_figures", "discrepant_figures"] = Field(
        "discrepant_figures", description="claim_exceeds_figures: this finding claims more than the other's figures.")


class PublicationDiscrepancy(Strict):
    """A publication (such as the trial report) whose figures disagree with the finding."""

    publication: Annotated[Slug, Refers("publication")]
    note: Text


Direction = Literal["benefit", "no_difference", "harm", "absent"]
Status = Literal["curated", "draft"]
CuratorInferred = Literal["comparator", "intervention", "population", "study", "endpoint", "regimen"]


class FindingBase(Strict):
    """Fields common to every finding."""

    id: Slug
    at: Text = Field(description="Locator pN.sM or pN.sM-K of the statement in the source text.")
    statement: Text = Field(description="What the source states, in the curator's own words.")
    study: Annotated[Slug | list[Slug] | None, Refers("study")] = None
    population: Annotated[Slug | list[Slug] | None, Refers("population")] = None
    endpoint: Annotated[Slug | None, Refers("endpoint")] = None
    intervention: Annotated[Slug | None, Refers("regimen")] = None
    comparator: Annotated[Slug | None, Refers("regimen")] = None
    arm: Annotated[Slug | None, Refers("arm")] = None
    drug: Annotated[Slug | None, Refers("drug")] = None
    regimen: Annotated[Slug | list[Slug] | None, Refers("regimen")] = None
    adverse_event: Annotated[Slug | None, Refers("adverse_event")] = None
    main_adverse_event: Annotated[Slug | None, Refers("adverse_event")] = Field(
        None, description="Of several kinds of adverse event, the one the source singles out ('particularly ...').")
    grades: list[Annotated[int, Field(ge=1, le=5)]] | None = Field(None, min_length=1, max_length=2)
    direction: Direction | None = None
    significant: bool | None = None
    p: str | None = Field(None, description="p-value as stated: '<0.001', '=0.082'.")
    supported_by: Annotated[list[Slug], Refers("finding")] = []
    corroborates: Annotated[list[Slug], Refers("finding")] = Field(
        [], description="Findings of *other* sources reporting the same result with agreeing figures.")
    restates: Annotated[list[Slug], Refers("finding")] = Field(
        [], description="Findings of the same source that state the same result again (a lead and its figures).")
    flags: list[FlagEntry] = []
    discrepant_with: list[Discrepancy] = []
    discrepant_with_publication: list[PublicationDiscrepancy] = []
    note: str | None = None
    conclusion: bool = Field(False, description="The source presents this result as its (authors') conclusion.")
    implied: bool = Field(False, description="The source implies the finding without stating it; it has no figures.")
    inferred: list[CuratorInferred] = Field(
        [], description="Fields whose values the source does not state and the curator inferred.")
    status: Status = Field("curated", description="'draft' for a finding drafted by `mmkg draft` and not yet "
                                                  "confirmed by a curator.")
    confidence: Decimal | None = Field(None, ge=0, le=1, description="The drafter's confidence (0-1) that the "
                                                                     "finding is read right; drafts only.")

    @model_validator(mode="after")
    def _implied_has_no_figures(self) -> FindingBase:
        if self.implied and self.p is not None:
            raise ValueError("an implied finding states no figures (drop p, or implied)")
        for name in self.inferred:
            if getattr(self, name) is None:
                raise ValueError(f"inferred names {name!r}, which this finding does not set")
        return self

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
    not_reached: bool = Field(False, description="The source states the median was not reached (NR): no value.")

    @model_validator(mode="after")
    def _one_value(self) -> MedianFinding:
        if self.not_reached:
            if self.value is not None or self.range is not None:
                raise ValueError("a median not reached has no value or range")
            return self
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
        "patients", "studies", "regimens", "randomisation_stages",
    ]
    of_total: int | None = Field(None, ge=0)

    def figures(self) -> list[Decimal]:
        totals = [Decimal(self.of_total)] if self.of_total is not None else []
        return [*super().figures(), Decimal(self.value), *totals]


class DoseFinding(FindingBase):
    kind: Literal["dose"]
    value: Decimal = Field(gt=0)
    unit: Literal["mg", "mg/day", "mg/m2", "mg/kg", "month"]
    schedule: Text
    route: str | None = None
    schedule_figures: list[Decimal] = Field(
        [], description="The numbers of the schedule (days, cycle length, start), checked at the locator."
    )

    def figures(self) -> list[Decimal]:
        return [*super().figures(), self.value, *self.schedule_figures]


class DurationFinding(FindingBase):
    kind: Literal["duration"]
    value: Decimal = Field(gt=0)
    unit: Literal["day", "week", "month", "year"]
    activity: Text = Field(description="What lasted this long, e.g. 'lenalidomide consolidation after ASCT'.")

    def figures(self) -> list[Decimal]:
        return [*super().figures(), self.value]


class ComparisonFinding(FindingBase):
    kind: Literal["comparison"]
    direction: Direction


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
    agency: Annotated[Slug, Refers("agency")]
    indication: Text


FindingEntry = Annotated[
    RatioFinding | MedianFinding | ProportionFinding | CountFinding | DoseFinding | DurationFinding
    | ComparisonFinding | StatementFinding | RankingFinding | ApprovalFinding,
    Field(discriminator="kind"),
]


FINDING_MODELS: tuple[type[FindingBase], ...] = get_args(get_args(FindingEntry)[0])


def finding_kinds() -> dict[str, type[FindingBase]]:
    """Every value of ``kind`` with the model that holds it."""
    kinds: dict[str, type[FindingBase]] = {}
    for model in FINDING_MODELS:
        for kind in get_args(model.model_fields["kind"].annotation):
            kinds[kind] = model
    return kinds
