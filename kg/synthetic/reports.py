"""One synthetic trial report: its findings and the prose they are located in, written together.

Each finding is built as a schema model (:mod:`kg.curation.findings`) from the same numbers that
go into the sentence it points at, so every figure occurs at its locator by construction. The
prose is generated from templates with a per-report random generator: never copied from a source
article. :func:`report` is deterministic in its seed and the report's number alone (not in the size
of the corpus), so source *i* is the same file in a corpus of 10 and one of 1,000.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from kg.curation.findings import (
    ApprovalFinding,
    ComparisonFinding,
    CountFinding,
    Discrepancy,
    DoseFinding,
    DurationFinding,
    FindingBase,
    MedianFinding,
    ProportionFinding,
    RatioFinding,
    StatementFinding,
)
from kg.curation.schema import SourceFile, SourceMeta

__all__ = ["Prose", "Trial", "report", "source_id", "text_name"]


@dataclass(frozen=True)
class Trial:
    """What the reports of one synthetic trial share (defined in ``reference.yaml``)."""

    id: str
    name: str
    regimen: str
    regimen_label: str
    comparator: str
    comparator_label: str
    drug: str | None
    population: str
    subgroup: str
    intervention_arm: str
    comparator_arm: str
    publication: str


@dataclass
class Prose:
    """Paragraphs of sentences; :meth:`say` appends a sentence and returns its locator."""

    paragraphs: list[list[str]] = field(default_factory=list)

    def paragraph(self) -> None:
        self.paragraphs.append([])

    def say(self, sentence: str) -> str:
        self.paragraphs[-1].append(sentence[:1].upper() + sentence[1:])
        return f"p{len(self.paragraphs)}.s{len(self.paragraphs[-1])}"

    def text(self) -> str:
        """Hard-wrapped paragraphs separated by empty lines, as a text extracted from an article reads."""
        return "\n\n".join(textwrap.fill(" ".join(p), width=88) for p in self.paragraphs if p) + "\n"


def source_id(index: int) -> str:
    return f"syn-{index:04d}"


def text_name(index: int) -> str:
    return f"syn-{index:04d}.txt"


DoseUnit = Literal["mg", "mg/day", "mg/m2", "mg/kg", "month"]
_DOSES: dict[str, tuple[str, DoseUnit, str, list[str]]] = {
    "lenalidomide": ("10", "mg/day", "days 1-21 of each 28-day cycle", ["1", "21", "28"]),
    "thalidomide": ("100", "mg/day", "daily, continuously for up to 12 months", ["12"]),
    "bortezomib": ("1.3", "mg/m2", "every 2 weeks", ["2"]),
    "prednisone": ("50", "mg", "on alternate days", [])}
_AES = [("neutropenia", "neutropenia"), ("thromboembolism", "venous thromboembolism"),
        ("peripheral-neuropathy", "peripheral neuropathy"), ("second-primary-malignancy",
                                                               "second primary cancers")]
_JOINERS = ["compared with", "versus", "relative to"]


def _d(value: float, places: int = 2) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _ratio(rng: random.Random, centre: float, spread: float) -> tuple[Decimal, Decimal, Decimal]:
    estimate = max(0.2, rng.gauss(centre, spread))
    width = rng.uniform(0.08, 0.3)
    return _d(estimate), _d(max(0.05, estimate - width)), _d(estimate + width * 1.2)


def _p(rng: random.Random, significant: bool) -> str:
    return rng.choice(["<0.001", "=0.002", "=0.01", "=0.03"]) if significant else \
        rng.choice(["=0.21", "=0.34", "=0.08", "=0.52"])


def _fmt(value: Decimal) -> str:
    """As a paper prints it: ratios with two decimals (``1.10``), other figures without trailing zeros."""
    return format(value, "f") if value.as_tuple().exponent == -2 else format(value.normalize(), "f")


def report(seed: int, index: int, trial: Trial, first_report: int | None) -> tuple[SourceFile, str]:
    """Source ``index`` (a report of ``trial``) as a checked :class:`SourceFile` and its text.

    ``first_report``: the index of the trial's first report when this is a later one; its PFS
    result is corroborated across sources.
    """
    rng = random.Random(f"mmkg-synth-{seed}-{index}")
    sid = source_id(index)
    prose = Prose()
    found: list[FindingBase] = []
    t = trial
    join = rng.choice(_JOINERS)
    common = {"study": t.id, "intervention": t.regimen, "comparator": t.comparator}

    prose.paragraph()
    at = prose.say(rng.choice([
        "maintenance therapy aims to extend the remission achieved by initial treatment of multiple myeloma.",
        "after induction, continued treatment at lower intensity is meant to keep myeloma in check.",
        "whether long-term maintenance improves outcomes in myeloma remains debated."]))
    found.append(StatementFinding(id=f"{sid}-background", kind="statement", role="background", at=at,
                                  population="ndmm", statement="Maintenance is meant to prolong remission."))
    randomised = rng.randint(120, 1200)
    at = prose.say(f"the {t.name} trial randomly assigned {randomised:,} patients to {t.regimen_label} or "
                   f"{t.comparator_label}.")
    found.append(CountFinding(id=f"{sid}-n", kind="count", at=at, study=t.id, population=t.population,
                              counts="patients_randomised", value=randomised,
                              statement=f"Patients randomised in {t.name}."))

    prose.paragraph()
    follow_up = rng.randint(18, 84)
    hr, lo, hi = _ratio(rng, 0.62, 0.1)
    p = _p(rng, True)
    at = prose.say(f"after a median follow-up of {follow_up} months, progression-free survival was longer with "
                   f"{t.regimen_label} {join} {t.comparator_label} (hazard ratio {_fmt(hr)}, 95% CI "
                   f"{_fmt(lo)}-{_fmt(hi)}; P{p}).")
    pfs_hr = f"{sid}-pfs-hr"
    found.append(RatioFinding(id=pfs_hr, kind="hazard_ratio", at=at, population=t.population, endpoint="pfs",
                              estimate=hr, ci=(lo, hi), ci_level=Decimal(95), p=p, significant=True,
                              direction="benefit", statement="Maintenance prolonged progression-free survival.",
                              **common))
    m_int = _d(rng.uniform(30, 60), 1)
    m_comp = _d(float(m_int) * rng.uniform(0.4, 0.7), 1)
    at = prose.say(f"median progression-free survival reached {_fmt(m_int)} months in the {t.regimen_label} arm "
                   f"and {_fmt(m_comp)} months in the {t.comparator_label} arm.")
    medians: list[str] = []
    for arm, value, who in ((t.intervention_arm, m_int, "with maintenance"), (t.comparator_arm, m_comp, "without")):
        medians.append(f"{sid}-pfs-median-{len(medians) + 1}")
        found.append(MedianFinding(id=medians[-1], kind="median", at=at, study=t.id, arm=arm, endpoint="pfs",
                                   value=value, unit="month", statement=f"Median progression-free survival {who}."))
    found.append(ComparisonFinding(
        id=f"{sid}-pfs", kind="comparison", at=at, endpoint="pfs", direction="benefit", supported_by=medians,
        corroborates=[f"{source_id(first_report)}-pfs-hr"] if first_report is not None else [],
        statement="Progression-free survival was longer with maintenance.", **common))
    os_significant = rng.random() < 0.4
    hr, lo, hi = _ratio(rng, 0.78 if os_significant else 0.95, 0.05)
    if not os_significant:
        lo, hi = min(lo, _d(0.9)), max(hi, _d(1.08))
    else:
        hi = min(hi, _d(0.97))
        lo = min(lo, hr)
        hr = min(hr, hi)
    p = _p(rng, os_significant)
    verb = "was longer" if os_significant else "did not differ significantly"
    at = prose.say(f"overall survival {verb} (hazard ratio {_fmt(hr)}, 95% CI {_fmt(lo)}-{_fmt(hi)}, "
                   f"P{p}).")
    os_hr = f"{sid}-os-hr"
    found.append(RatioFinding(id=os_hr, kind="hazard_ratio", at=at, population=t.population, endpoint="os",
                              estimate=hr, ci=(lo, hi), ci_level=Decimal(95), p=p, significant=os_significant,
                              statement="Overall survival with maintenance against control.", **common))

    prose.paragraph()
    hr, lo, hi = _ratio(rng, 0.55, 0.12)
    at = prose.say(f"in the subgroup with high-risk cytogenetics the hazard ratio for progression or death was "
                   f"{_fmt(hr)} (95% CI {_fmt(lo)} to {_fmt(hi)}).")
    found.append(RatioFinding(id=f"{sid}-subgroup-hr", kind="hazard_ratio", at=at, population=t.subgroup,
                              endpoint="pfs", estimate=hr, ci=(lo, hi), ci_level=Decimal(95),
                              statement="Progression-free survival in high-risk patients.", **common))

    prose.paragraph()
    ae, ae_words = rng.choice(_AES)
    x, y = rng.randint(8, 40), rng.randint(1, 7)
    at = prose.say(f"grade 3 or 4 {ae_words} occurred in {x}% of patients on {t.regimen_label} and in {y}% of "
                   f"those on {t.comparator_label}.")
    for n, (arm, share) in enumerate(((t.intervention_arm, x), (t.comparator_arm, y)), 1):
        found.append(ProportionFinding(id=f"{sid}-ae-{n}", kind="proportion", at=at, study=t.id, arm=arm,
                                       endpoint="ae-incidence", adverse_event=ae, grades=[3, 4],
                                       value=Decimal(share), statement=f"Share with grade 3-4 {ae_words}."))
    ae2, ae2_words = rng.choice([a for a in _AES if a[0] != ae])
    rr, lo, hi = _ratio(rng, 2.1, 0.4)
    lo = min(max(lo, _d(1.1)), rr)
    at = prose.say(f"the risk of {ae2_words} was higher with maintenance (risk ratio {_fmt(rr)}; 95% CI "
                   f"{_fmt(lo)}-{_fmt(hi)}).")
    found.append(RatioFinding(id=f"{sid}-ae-rr", kind="risk_ratio", at=at, endpoint="ae-incidence",
                              adverse_event=ae2, estimate=rr, ci=(lo, hi), ci_level=Decimal(95), direction="harm",
                              statement=f"Maintenance raised the risk of {ae2_words}.", **common))
    if t.drug in _DOSES:
        dose, unit, schedule, figures = _DOSES[t.drug]
        at = prose.say(f"{t.drug} was given at {dose} {unit} {schedule}.")
        found.append(DoseFinding(id=f"{sid}-dose", kind="dose", at=at, study=t.id, arm=t.intervention_arm,
                                 drug=t.drug, value=Decimal(dose), unit=unit, schedule=schedule,
                                 schedule_figures=[Decimal(f) for f in figures],
                                 statement=f"Dose and schedule of {t.drug} in {t.name}."))
    if rng.random() < 0.3:
        months = rng.randint(12, 48)
        at = prose.say(f"patients stayed on maintenance for a median of {months} months.")
        found.append(DurationFinding(id=f"{sid}-duration", kind="duration", at=at, study=t.id,
                                     arm=t.intervention_arm, value=Decimal(months), unit="month",
                                     activity=f"maintenance with {t.regimen_label}",
                                     statement="How long patients stayed on maintenance."))

    prose.paragraph()
    at = prose.say(rng.choice([
        f"the investigators conclude that {t.regimen_label} maintenance prolongs disease control.",
        f"in the authors' view, {t.regimen_label} should be offered as maintenance.",
        f"these data support {t.regimen_label} as a maintenance option."]))
    found.append(StatementFinding(id=f"{sid}-conclusion", kind="statement", role="conclusion", at=at,
                                  conclusion=True, study=t.id, regimen=t.regimen, endpoint="pfs",
                                  direction="benefit", statement="Maintenance prolongs disease control."))
    if not os_significant and rng.random() < 0.5:
        at = prose.say("the summary nevertheless speaks of a survival advantage.")
        found.append(ComparisonFinding(
            id=f"{sid}-claimed-os", kind="comparison", at=at, endpoint="os", direction="benefit",
            discrepant_with=[Discrepancy(finding=os_hr, note="The summary claims an OS benefit; the hazard ratio's "
                                                             "interval includes 1.")],
            statement="The summary claims an overall-survival benefit.", **common))
    if t.drug == "lenalidomide" and rng.random() < 0.1:
        at = prose.say("regulators in the United States approved lenalidomide as maintenance after transplant.")
        found.append(ApprovalFinding(id=f"{sid}-approval", kind="approval", at=at, agency="fda",
                                     drug="lenalidomide", indication="maintenance after autologous transplant",
                                     statement="Lenalidomide is approved as maintenance after transplant."))
    year = 2005 + index % 20
    meta = SourceMeta(id=sid, file=text_name(index), kind="article", date=f"{year}-{1 + index % 12:02d}",
                      title=f"Synthetic report {index + 1} of the {t.name} trial of {t.regimen_label} maintenance",
                      reports=[t.id], cites=[t.publication])
    return SourceFile(source=meta, findings=found), prose.text()
