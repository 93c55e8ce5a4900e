"""A deterministic synthetic evidence graph in our ontology, for scale tests and benchmarks.

``mmkg synth --triples N -o FILE.nq [--seed S]`` writes N-Quads shaped like a real release: the
ontology in ``graph:ontology``; drugs (the five real hub drugs by their IRIs and mechanism classes,
without external identifiers, plus synthetic ones), regimens, endpoints, adverse events and units
in ``graph:reference``; one named graph per synthetic source document holding its trials, arms,
populations and findings — hazard ratios with 95 % CI and p, arm medians, proportions, adverse-event
comparisons — each with its source, locator and ``prov:wasDerivedFrom``; and in ``graph:inferred``
the types the reasoner would add (Finding, RatioEstimate, significance classes from the interval,
regimen classes from the components). Hub skew: drugs are drawn with Zipf weights, so a few of them
(lenalidomide first) are in most regimens and findings, as in the literature.

Nothing synthetic carries an external identifier or a registry number: made-up identifiers would
look real. The same ``--seed`` and ``--triples`` give the same file, byte for byte.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from kg import paths

__all__ = ["SynthReport", "synthesise"]

M = "https://w3id.org/mmkg/"
R = M + "resource/"
G = M + "graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_ENTITY = "http://www.w3.org/ns/prov#Entity"
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

# (IRI local name, label, mechanism class, target)
_HUBS = [("lenalidomide", "lenalidomide", "ImmunomodulatoryImideDrug", "cereblon"),
         ("thalidomide", "thalidomide", "ImmunomodulatoryImideDrug", "cereblon"),
         ("bortezomib", "bortezomib", "ProteasomeInhibitor", "psmb5"),
         ("prednisone", "prednisone", "Glucocorticoid", None),
         ("interferon-alfa", "interferon alfa", "Interferon", None)]
_MECHANISMS = ["ImmunomodulatoryImideDrug", "ProteasomeInhibitor", "Glucocorticoid", "Interferon"]
_REGIMEN_CLASS = {"ImmunomodulatoryImideDrug": "ImidBasedRegimen", "ProteasomeInhibitor":
                  "ProteasomeInhibitorBasedRegimen", "Glucocorticoid": "GlucocorticoidContainingRegimen",
                  "Interferon": "InterferonContainingRegimen"}
_CHARACTERISTICS = [("transplant-eligible", "transplant-eligible"), ("after-asct", "after autologous transplant"),
                    ("transplant-ineligible", "transplant-ineligible")]
_ENDPOINTS = [("pfs", "progression-free survival"), ("os", "overall survival"), ("ttp", "time to progression")]
_AES = [("neutropenia", "neutropenia"), ("thromboembolism", "thromboembolism"),
        ("peripheral-neuropathy", "peripheral neuropathy"), ("second-primary-malignancy", "second primary malignancy")]


@dataclass
class SynthReport:
    triples: int
    drugs: int
    regimens: int
    trials: int
    sources: int
    findings: int


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value: str, lang: str | None = "en") -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class _Writer:
    """Writes quads and counts them; calls ``progress`` every 10,000 quads."""

    def __init__(self, out: TextIO, progress: Callable[[int], None] | None) -> None:
        self.out = out
        self.count = 0
        self._pending = 0
        self._progress = progress

    def quad(self, s: str, p: str, o: str, graph: str) -> None:
        self.out.write(f"{s} <{p}> {o} <{graph}> .\n")
        self.count += 1
        self._pending += 1
        if self._pending >= 10_000 and self._progress is not None:
            self._progress(self._pending)
            self._pending = 0

    def flush(self) -> None:
        if self._progress is not None and self._pending:
            self._progress(self._pending)
        self._pending = 0


def _ontology(w: _Writer) -> None:
    graph = G + "ontology"
    blanks: dict[str, str] = {}  # the parser's random blank-node labels, renamed in order: same bytes each run

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
        if isinstance(node, ox.BlankNode):
            return blanks.setdefault(node.value, f"_:o{len(blanks)}")
        return str(node)

    for triple in ox.parse(path=str(paths.ontology_file()), format=ox.RdfFormat.TURTLE):
        w.quad(term(triple.subject), triple.predicate.value, term(triple.object), graph)


def _zipf(rng: random.Random, n: int, skew: float = 1.1) -> Callable[[], int]:
    weights = [1.0 / (rank + 1) ** skew for rank in range(n)]
    population = list(range(n))

    def draw() -> int:
        return rng.choices(population, weights)[0]

    return draw


def _reference(w: _Writer, drug_count: int) -> list[tuple[str, str]]:
    """Drugs, targets, endpoints, AEs, units, disease; returns (drug IRI, mechanism) by rank."""
    ref = G + "reference"
    drugs: list[tuple[str, str]] = []
    for name, label, mechanism, target in _HUBS:
        drugs.append((R + name, mechanism))
        w.quad(_iri(R + name), RDF_TYPE, _iri(M + "Drug"), ref)
        w.quad(_iri(R + name), RDF_TYPE, _iri(M + mechanism), ref)
        w.quad(_iri(R + name), LABEL, _lit(label), ref)
        if target:
            w.quad(_iri(R + name), M + "hasMolecularTarget", _iri(R + target), ref)
    for target, label in (("cereblon", "cereblon"), ("psmb5", "proteasome 20S subunit beta 5")):
        w.quad(_iri(R + target), RDF_TYPE, _iri(M + "MolecularTarget"), ref)
        w.quad(_iri(R + target), LABEL, _lit(label), ref)
    for i in range(len(_HUBS), drug_count):
        iri, mechanism = f"{R}syn-drug-{i}", _MECHANISMS[i % len(_MECHANISMS)]
        drugs.append((iri, mechanism))
        w.quad(_iri(iri), RDF_TYPE, _iri(M + "Drug"), ref)
        w.quad(_iri(iri), RDF_TYPE, _iri(M + mechanism), ref)
        w.quad(_iri(iri), LABEL, _lit(f"synthetic drug {i}"), ref)
    for name, label in _ENDPOINTS:
        w.quad(_iri(R + name), RDF_TYPE, _iri(M + "Endpoint"), ref)
        w.quad(_iri(R + name), LABEL, _lit(label), ref)
    w.quad(_iri(R + "ae-incidence"), RDF_TYPE, _iri(M + "Endpoint"), ref)
    w.quad(_iri(R + "ae-incidence"), LABEL, _lit("adverse-event incidence"), ref)
    for name, label in _AES:
        w.quad(_iri(R + name), RDF_TYPE, _iri(M + "AdverseEvent"), ref)
        w.quad(_iri(R + name), LABEL, _lit(label), ref)
    for name, label in (("unit-month", "month"), ("unit-percent", "percent")):
        w.quad(_iri(R + name), RDF_TYPE, _iri(M + "Unit"), ref)
        w.quad(_iri(R + name), LABEL, _lit(label), ref)
    for name, label in _CHARACTERISTICS:
        w.quad(_iri(R + name), RDF_TYPE, _iri(M + "PopulationCharacteristic"), ref)
        w.quad(_iri(R + name), LABEL, _lit(label), ref)
    w.quad(_iri(R + "multiple-myeloma"), RDF_TYPE, _iri(M + "Disease"), ref)
    w.quad(_iri(R + "multiple-myeloma"), LABEL, _lit("multiple myeloma"), ref)
    w.quad(_iri(R + "observation"), RDF_TYPE, _iri(M + "NoActiveTreatment"), ref)
    w.quad(_iri(R + "observation"), RDF_TYPE, _iri(M + "Regimen"), ref)
    w.quad(_iri(R + "observation"), LABEL, _lit("observation"), ref)
    return drugs


def _regimens(w: _Writer, rng: random.Random, drugs: list[tuple[str, str]], count: int,
              components_of: dict[str, list[str]]) -> list[str]:
    """``count`` regimens of Zipf-drawn drugs; ``components_of`` gets each regimen's drug IRIs."""
    ref, inferred = G + "reference", G + "inferred"
    pick = _zipf(rng, len(drugs))
    regimens = []
    for i in range(count):
        iri = f"{R}syn-regimen-{i}"
        components = sorted({pick() for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))})
        regimens.append(iri)
        components_of[iri] = [drugs[c][0] for c in components]
        w.quad(_iri(iri), RDF_TYPE, _iri(M + "Regimen"), ref)
        w.quad(_iri(iri), LABEL, _lit(" + ".join(drugs[c][0].rsplit("/", 1)[-1] for c in components)), ref)
        for c in components:
            w.quad(_iri(iri), M + "hasComponent", _iri(drugs[c][0]), ref)
        kinds = {_REGIMEN_CLASS[drugs[c][1]] for c in components}
        kinds.add("Monotherapy" if len(components) == 1 else "CombinationRegimen")
        for kind in sorted(kinds):
            w.quad(_iri(iri), RDF_TYPE, _iri(M + kind), inferred)
    return regimens


def _one_path(w: _Writer, finding: str, regimens: list[str], components_of: dict[str, list[str]]) -> None:
    """What the build materialises for a finding: mmkg:regimen and mmkg:concernsDrug, in graph:inferred."""
    inferred = G + "inferred"
    for regimen in regimens:
        w.quad(finding, M + "regimen", _iri(regimen), inferred)
        for drug in components_of.get(regimen, []):
            w.quad(finding, M + "concernsDrug", _iri(drug), inferred)


def _source(w: _Writer, rng: random.Random, index: int, regimens: list[str], pick_regimen: Callable[[], int],
            findings_per_source: int, components_of: dict[str, list[str]]) -> int:
    """One source document with its trial, arms, population and findings, in its own graph."""
    src = f"{R}syn-s{index}"
    graph = f"{G}source/syn-s{index}"
    inferred = G + "inferred"
    w.quad(_iri(src), RDF_TYPE, _iri(M + "SourceDocument"), graph)
    w.quad(_iri(src), LABEL, _lit(f"synthetic source {index}"), graph)
    w.quad(_iri(src), M + "publicationDate", _typed(f"{2000 + index % 25}-0{1 + index % 9}-1{index % 10}", "date"),
           graph)
    w.quad(_iri(src), M + "fileName", _lit(f"syn-s{index}.txt", None), graph)
    w.quad(_iri(src), RDF_TYPE, _iri(PROV_ENTITY), inferred)
    trial = f"{R}syn-trial-{index}"
    intervention = regimens[pick_regimen()]
    comparator = R + "observation"
    w.quad(_iri(src), M + "reports", _iri(trial), graph)
    # Every tenth source reports a network meta-analysis rather than a trial.
    nma = index % 10 == 0
    for study_class in ("NetworkMetaAnalysis", "Study") if nma else ("RandomisedControlledTrial", "Study"):
        w.quad(_iri(trial), RDF_TYPE, _iri(M + study_class), graph)
    w.quad(_iri(trial), RDF_TYPE, _iri(M + ("EvidenceSynthesis" if nma else "ClinicalTrial")), inferred)
    w.quad(_iri(trial), LABEL, _lit(f"synthetic {'network meta-analysis' if nma else 'trial'} {index}"), graph)
    w.quad(_iri(trial), M + "phase", _typed(3, "integer"), graph)
    w.quad(_iri(trial), M + "studiesDisease", _iri(R + "multiple-myeloma"), graph)
    population = f"{R}syn-population-{index}"
    w.quad(_iri(population), RDF_TYPE, _iri(M + "Population"), graph)
    w.quad(_iri(population), LABEL, _lit(f"patients of synthetic trial {index}"), graph)
    w.quad(_iri(population), M + "hasDisease", _iri(R + "multiple-myeloma"), graph)
    w.quad(_iri(population), M + "hasCharacteristic", _iri(R + _CHARACTERISTICS[index % len(_CHARACTERISTICS)][0]),
           graph)
    w.quad(_iri(trial), M + "studiesPopulation", _iri(population), graph)
    arms = {}
    for role, regimen, arm_class in (("int", intervention, "InterventionArm"),
                                     ("ctl", comparator, "ComparatorArm")):
        arm = f"{trial}-{role}"
        arms[role] = arm
        w.quad(_iri(trial), M + "hasArm", _iri(arm), graph)
        w.quad(_iri(trial), M + "comparesRegimen", _iri(regimen), graph)
        w.quad(_iri(arm), RDF_TYPE, _iri(M + arm_class), graph)
        w.quad(_iri(arm), RDF_TYPE, _iri(M + "StudyArm"), inferred)
        w.quad(_iri(arm), M + "receivesRegimen", _iri(regimen), graph)
        w.quad(_iri(arm), LABEL, _lit(f"{'intervention' if role == 'int' else 'comparator'} arm of trial {index}"),
               graph)
    for k in range(findings_per_source):
        finding = f"{R}syn-s{index}-f{k}"
        paragraph, sentence = 1 + k // 4, 1 + k % 4
        f = _iri(finding)
        for p, o in ((M + "fromSource", _iri(src)), (DERIVED, _iri(src)), (M + "fromStudy", _iri(trial)),
                     (M + "locator", _lit(f"p{paragraph}.s{sentence}", None)),
                     (M + "paragraph", _typed(paragraph, "integer")), (M + "sentence", _typed(sentence, "integer")),
                     (COMMENT, _lit(f"Synthetic finding {k} of synthetic source {index}."))):
            w.quad(f, p, o, graph)
        w.quad(f, RDF_TYPE, _iri(M + "Finding"), inferred)
        w.quad(f, RDF_TYPE, _iri(PROV_ENTITY), inferred)
        shape = k % 4
        endpoint = _ENDPOINTS[rng.randrange(len(_ENDPOINTS))][0]
        if shape == 0:  # hazard ratio with 95 % CI and p
            estimate = round(rng.lognormvariate(-0.35, 0.3), 2)
            spread = rng.uniform(1.15, 1.6)
            lower, upper = round(estimate / spread, 2), round(estimate * spread, 2)
            p_value = round(min(0.99, max(0.0001, rng.betavariate(0.6, 3))), 4)
            w.quad(f, RDF_TYPE, _iri(M + "HazardRatioEstimate"), graph)
            for p, o in ((M + "estimate", _typed(estimate, "decimal")), (M + "ciLower", _typed(lower, "decimal")),
                         (M + "ciUpper", _typed(upper, "decimal")), (M + "ciLevel", _typed(0.95, "decimal")),
                         (M + "pValue", _typed(p_value, "decimal")), (M + "pValueComparator", _lit("=", None)),
                         (M + "endpoint", _iri(R + endpoint)), (M + "intervention", _iri(intervention)),
                         (M + "comparator", _iri(comparator)), (M + "population", _iri(population)),
                         (M + "statedAs", _lit(f"HR {estimate} ({lower}-{upper})", None))):
                w.quad(f, p, o, graph)
            for cls in ("RatioEstimate", "EffectEstimate"):
                w.quad(f, RDF_TYPE, _iri(M + cls), inferred)
            w.quad(f, LABEL, _lit(f"{_name(intervention)} vs observation: {endpoint} HR {estimate} "
                                  f"(95% CI {lower}–{upper}), synthetic trial {index}"), graph)
            _one_path(w, f, [intervention, comparator], components_of)
            significance = ("SignificantHazardReduction" if upper < 1 else
                            "SignificantRiskIncrease" if lower > 1 else "IntervalIncludesNoEffect")
            w.quad(f, RDF_TYPE, _iri(M + significance), inferred)
            w.quad(f, M + "isSignificant", _typed(str(significance != "IntervalIncludesNoEffect").lower(), "boolean"),
                   graph)
            w.quad(f, M + "significanceBasis", _iri(M + "SignificanceAsReported"), graph)
        elif shape in (1, 2):  # arm median
            months = round(rng.uniform(12, 60), 1)
            w.quad(f, RDF_TYPE, _iri(M + "ArmMedian"), graph)
            for p, o in ((M + "value", _typed(months, "decimal")), (M + "unit", _iri(R + "unit-month")),
                         (M + "endpoint", _iri(R + endpoint)), (M + "arm", _iri(arms["int" if shape == 1 else "ctl"])),
                         (M + "statedAs", _lit(f"median {months} months", None))):
                w.quad(f, p, o, graph)
            arm_regimen = intervention if shape == 1 else comparator
            w.quad(f, LABEL, _lit(f"{_name(arm_regimen)}: median {endpoint} {months} months, synthetic trial {index}"),
                   graph)
            _one_path(w, f, [arm_regimen], components_of)
        else:  # adverse-event proportion
            percent = round(rng.uniform(1, 40), 1)
            ae = _AES[rng.randrange(len(_AES))][0]
            w.quad(f, RDF_TYPE, _iri(M + "Proportion"), graph)
            for p, o in ((M + "value", _typed(percent, "decimal")), (M + "unit", _iri(R + "unit-percent")),
                         (M + "endpoint", _iri(R + "ae-incidence")), (M + "adverseEvent", _iri(R + ae)),
                         (M + "arm", _iri(arms["int"])), (M + "intervention", _iri(intervention)),
                         (M + "statedAs", _lit(f"{percent}%", None))):
                w.quad(f, p, o, graph)
            w.quad(f, LABEL, _lit(f"{_name(intervention)}: {ae} {percent}%, synthetic trial {index}"), graph)
            _one_path(w, f, [intervention], components_of)
    return findings_per_source


def _name(iri: str) -> str:
    """A readable name for a synthetic regimen in a label."""
    return iri.rsplit("/", 1)[-1].replace("-", " ")


def synthesise(path: Path, triples: int, seed: int = 0,
               progress: Callable[[int], None] | None = None) -> SynthReport:
    """Write about ``triples`` quads (a whole last source past the mark) to ``path``, atomically.

    :raises ValueError: for fewer than 1,000 triples (the ontology alone is larger than that).
    """
    if triples < 1000:
        raise ValueError(f"--triples {triples}: ask for at least 1000")
    rng = random.Random(seed)
    partial = path.with_name(path.name + ".partial")
    findings_per_source = 8
    with partial.open("w", encoding="utf-8") as out:
        w = _Writer(out, progress)
        _ontology(w)
        # ~20 quads per finding, ~45 per source besides: size the vocabulary to the graph.
        sources_estimate = max(1, (triples - w.count) // (findings_per_source * 20 + 45))
        drug_count = max(len(_HUBS) + 5, sources_estimate // 200)
        regimen_count = max(20, sources_estimate // 20)
        drugs = _reference(w, drug_count)
        components_of: dict[str, list[str]] = {}
        regimens = _regimens(w, rng, drugs, regimen_count, components_of)
        pick_regimen = _zipf(rng, len(regimens), 0.9)
        sources = findings = 0
        while w.count < triples:
            findings += _source(w, rng, sources, regimens, pick_regimen, findings_per_source, components_of)
            sources += 1
        w.flush()
    partial.replace(path)
    return SynthReport(w.count, len(drugs), len(regimens), sources, sources, findings)
