"""Every finding with what a reader of the evidence needs, read from any store with a few queries.

One :class:`Finding` per finding of the graph: its label and statement, kind, regimens (in their
roles), endpoint or adverse event, population and its characteristics, studies with their types,
source and locator, the figures (estimate with interval and level, p with its comparator, value
or range with its unit, grades), significance with its basis, direction, and its links to other
findings (supported by, corroborates, restates, discrepant with), the trials it is about (the trial
key of every export) and whether its population is a subgroup. The evidence map, the meta-analysis
export, the summary of findings and the pages are built from these.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.query.store import QueryStore, Term, term_to_python
from kg.readers.sparqlterms import values_clause

__all__ = ["Finding", "Link", "gather", "source_names"]

MMKG = PREFIXES["mmkg"]
RES = PREFIXES["res"]
_PROLOGUE = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())

# One row per finding: the functional properties, and the most specific asserted kind.
_FINDINGS = _PROLOGUE + """
SELECT ?f ?label ?statement ?kind ?source ?locator ?intervention ?comparator ?arm ?armRegimen ?endpoint ?ae ?mainAe
       ?estimate ?lower ?upper ?level ?p ?pcmp ?value ?vmin ?vmax ?unit ?sig ?basis ?direction ?implied
       ?gmin ?gmax ?statedAs ?timepoint ?rank ?quote ?countKind ?ofTotal ?status WHERE {
  #ONLY
  ?f mmkg:fromSource ?source ; mmkg:locator ?locator .
  GRAPH ?g { ?f a ?kind } FILTER(?g != graph:inferred && STRSTARTS(STR(?kind), STR(mmkg:)))
  OPTIONAL { ?f rdfs:label ?label } OPTIONAL { ?f rdfs:comment ?statement }
  OPTIONAL { ?f mmkg:intervention ?intervention } OPTIONAL { ?f mmkg:comparator ?comparator }
  OPTIONAL { ?f mmkg:arm ?arm . ?arm mmkg:receivesRegimen ?armRegimen }
  OPTIONAL { ?f mmkg:endpoint ?endpoint }
  OPTIONAL { GRAPH ?ga { ?f mmkg:adverseEvent ?ae } FILTER(?ga != graph:inferred) }
  OPTIONAL { ?f mmkg:singledOutAdverseEvent ?mainAe }
  OPTIONAL { ?f mmkg:estimate ?estimate } OPTIONAL { ?f mmkg:ciLower ?lower ; mmkg:ciUpper ?upper }
  OPTIONAL { ?f mmkg:ciLevel ?level } OPTIONAL { ?f mmkg:pValue ?p ; mmkg:pValueComparator ?pcmp }
  OPTIONAL { ?f mmkg:value ?value } OPTIONAL { ?f mmkg:valueMin ?vmin ; mmkg:valueMax ?vmax }
  OPTIONAL { ?f mmkg:unit/rdfs:label ?unit } OPTIONAL { ?f mmkg:isSignificant ?sig }
  OPTIONAL { ?f mmkg:significanceBasis ?basis } OPTIONAL { ?f mmkg:direction ?direction }
  OPTIONAL { ?f mmkg:isImplied ?implied } OPTIONAL { ?f mmkg:gradeMin ?gmin ; mmkg:gradeMax ?gmax }
  OPTIONAL { ?f mmkg:statedAs ?statedAs } OPTIONAL { ?f mmkg:timepoint ?timepoint }
  OPTIONAL { ?f mmkg:rank ?rank } OPTIONAL { ?f mmkg:quotation ?quote }
  OPTIONAL { ?f mmkg:countKind ?countKind } OPTIONAL { ?f mmkg:ofTotal ?ofTotal }
  OPTIONAL { ?f mmkg:curationStatus ?status }
}
"""
# Links with several values: (finding, property, target).
_LINKS = _PROLOGUE + """
SELECT ?f ?p ?o WHERE {
  #ONLY
  VALUES ?p { mmkg:fromStudy mmkg:population mmkg:aboutRegimen mmkg:regimen mmkg:concernsDrug mmkg:supportedBy
              mmkg:corroborates mmkg:discrepantWith mmkg:discrepantWithPublication mmkg:aboutDrug mmkg:aboutTrial
              mmkg:restates }
  ?f ?p ?o ; mmkg:fromSource ?source .
}
"""
_NOTES = _PROLOGUE + "SELECT ?f ?note WHERE { #ONLY\n ?f mmkg:discrepancyNote ?note }"
_FLAGS = _PROLOGUE + """SELECT ?f ?kind ?note WHERE { #ONLY
  ?f mmkg:fromSource ?s ; mmkg:flag ?flag .
  ?flag mmkg:flagKind/rdfs:label ?kind ; skos:note ?note } ORDER BY ?f ?kind ?note"""
_STUDIED = _PROLOGUE + "SELECT ?s ?p WHERE { ?s mmkg:studiesPopulation ?p }"
# What the findings refer to: labels, short labels, study types, population characteristics.
_ENTITIES = _PROLOGUE + """
SELECT ?e ?label ?short ?type ?characteristic ?identified ?sourceDate ?parent WHERE {
  { ?e a mmkg:Study } UNION { ?e a mmkg:Population } UNION { ?e a mmkg:Regimen } UNION { ?e a mmkg:Endpoint }
  UNION { ?e a mmkg:AdverseEvent } UNION { ?e a mmkg:SourceDocument } UNION { ?e a mmkg:Drug }
  OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e mmkg:shortLabel ?short }
  OPTIONAL { GRAPH ?g { ?e a ?type } FILTER(?g != graph:inferred && STRSTARTS(STR(?type), STR(mmkg:))) }
  OPTIONAL { ?e mmkg:hasCharacteristic ?characteristic }
  OPTIONAL { ?e mmkg:identifiedWith ?identified }
  OPTIONAL { ?e mmkg:publicationDate ?sourceDate }
  OPTIONAL { ?e mmkg:subgroupOf ?parent }
}
"""
# Kinds of finding, from the general to the specific: a finding keeps its most specific asserted kind.
_GENERIC = {MMKG + k for k in ("Finding", "EffectEstimate", "RatioEstimate", "QualitativeStatement", "Statement")}


@dataclass(frozen=True)
class Link:
    """An entity a finding refers to, with its label, short label and asserted kinds (local names)."""

    iri: str
    label: str
    short: str
    kinds: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return self.iri[len(RES):] if self.iri.startswith(RES) else self.iri


@dataclass
class Finding:
    """One finding, flattened for evidence views and exports."""

    iri: str
    label: str
    statement: str
    kind: str  # local name: HazardRatioEstimate, ArmMedian, ComparativeResult ...
    source: str  # s001
    locator: str
    intervention: Link | None = None
    comparator: Link | None = None
    arm_regimen: Link | None = None
    endpoint: Link | None = None
    adverse_event: Link | None = None
    main_adverse_event: Link | None = None
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None
    level: float | None = None  # 0.95
    p: float | None = None
    p_comparator: str | None = None
    value: float | None = None
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
    significant: bool | None = None
    basis: str | None = None  # SignificanceAsReported | SignificanceFromInterval
    direction: str | None = None  # Benefit | NoDifference | Harm | Absent
    implied: bool = False
    draft: bool = False
    """Drafted by ``mmkg draft`` and not yet confirmed (only in preview releases)."""
    grades: tuple[int, int] | None = None
    stated_as: str | None = None
    timepoint: str | None = None
    rank: int | None = None
    quotation: str | None = None
    """The source's own sentence, when the build had the source texts."""
    count_kind: str | None = None  # PatientsRandomised, Studies ... (local name)
    of_total: int | None = None
    studies: list[Link] = field(default_factory=list)
    study_types: set[str] = field(default_factory=set)
    populations: list[Link] = field(default_factory=list)
    characteristics: set[str] = field(default_factory=set)
    about_regimens: list[Link] = field(default_factory=list)
    regimens: list[Link] = field(default_factory=list)
    drugs: list[Link] = field(default_factory=list)
    supported_by: set[str] = field(default_factory=set)
    corroborates: set[str] = field(default_factory=set)
    discrepant_with: set[str] = field(default_factory=set)
    discrepant_publications: list[Link] = field(default_factory=list)
    discrepancy_notes: list[str] = field(default_factory=list)
    trials: list[Link] = field(default_factory=list)
    """The trials or analyses the finding is about (``mmkg:aboutTrial``): the trial key is ``trial.id``."""
    restates: set[str] = field(default_factory=set)
    flags: list[tuple[str, str]] = field(default_factory=list)
    """Its caveats (``mmkg:flag``): kind label and note."""
    subgroup: bool = False
    """Its population is a subgroup (``mmkg:subgroupOf``) its study does not study as a whole: Myeloma XI's
    transplant-eligible patients, not its intention-to-treat population."""

    @property
    def population_label(self) -> str | None:
        """The population in words, for showing beside a result ("Myeloma XI transplant-eligible patients")."""
        return "; ".join(p.label for p in self.populations) or None

    @property
    def id(self) -> str:
        return self.iri[len(RES):] if self.iri.startswith(RES) else self.iri

    @property
    def is_ratio(self) -> bool:
        return self.kind in ("HazardRatioEstimate", "RiskRatioEstimate") and self.estimate is not None

    @property
    def measure(self) -> str | None:
        return {"HazardRatioEstimate": "HR", "RiskRatioEstimate": "RR"}.get(self.kind)

    @property
    def study_label(self) -> str:
        return " and ".join(s.short for s in self.studies)


def _float(term: Term | None) -> float | None:
    if term is None:
        return None
    value = term_to_python(term)
    return float(value) if isinstance(value, int | float) or str(value).replace(".", "", 1).isdigit() else None


def _text(term: Term | None) -> str | None:
    return None if term is None else str(term.value) if not isinstance(term, ox.Triple) else None


def _local(iri: str | None) -> str | None:
    return iri.rsplit("/", 1)[-1] if iri else None


def _only(query: str, only: Sequence[str] | None) -> str:
    return query.replace("#ONLY", values_clause("f", only) if only is not None else "")


def gather(store: QueryStore, only: Sequence[str] | None = None) -> list[Finding]:
    """Every finding of the graph (or the findings ``only`` names), flattened, in source and locator order.

    The one finding model of the project: the evidence views, the exports and the entity pages'
    finding tables (:func:`kg.readers.findings.findings_about`) all read findings through it.
    """
    if only is not None and not only:
        return []
    names: dict[str, tuple[str, str]] = {}
    types: dict[str, set[str]] = defaultdict(set)
    characteristics: dict[str, set[str]] = defaultdict(set)
    subgroups: set[str] = set()
    for row in store.query(_ENTITIES).rows:
        if row.get("parent") is not None:
            subgroups.add(_text(row.get("e")) or "")
        iri = _text(row.get("e")) or ""
        label = _text(row.get("label")) or _local(iri) or iri
        short = _text(row.get("short"))
        old = names.get(iri)
        names[iri] = (label, short or (old[1] if old else label))
        if (kind := _text(row.get("type"))) is not None:
            types[iri].add(kind[len(MMKG):])
        if (characteristic := _text(row.get("characteristic"))) is not None:
            characteristics[iri].add(characteristic)

    def link(term: Term | None) -> Link | None:
        iri = _text(term)
        if iri is None:
            return None
        label, short = names.get(iri, (_local(iri) or iri, _local(iri) or iri))
        return Link(iri, label, short, frozenset(types.get(iri, ())))

    found: dict[str, Finding] = {}
    for row in store.query(_only(_FINDINGS, only)).rows:
        iri = _text(row["f"]) or ""
        kind = (_text(row.get("kind")) or MMKG + "Finding")
        existing = found.get(iri)
        if existing is not None:
            if _rank(kind[len(MMKG):]) < _rank(existing.kind):
                existing.kind = kind[len(MMKG):]
            continue
        sig = row.get("sig")
        gmin, gmax = _float(row.get("gmin")), _float(row.get("gmax"))
        found[iri] = Finding(
            iri=iri, label=_text(row.get("label")) or _local(iri) or iri,
            statement=_text(row.get("statement")) or "", kind=kind[len(MMKG):],
            source=_local(_text(row.get("source"))) or "", locator=_text(row.get("locator")) or "",
            intervention=link(row.get("intervention")), comparator=link(row.get("comparator")),
            arm_regimen=link(row.get("armRegimen")), endpoint=link(row.get("endpoint")),
            adverse_event=link(row.get("ae")), main_adverse_event=link(row.get("mainAe")),
            estimate=_float(row.get("estimate")), lower=_float(row.get("lower")), upper=_float(row.get("upper")),
            level=_float(row.get("level")), p=_float(row.get("p")), p_comparator=_text(row.get("pcmp")),
            value=_float(row.get("value")), value_min=_float(row.get("vmin")), value_max=_float(row.get("vmax")),
            unit=_text(row.get("unit")),
            significant=bool(term_to_python(sig)) if sig is not None else None,
            basis=_local(_text(row.get("basis"))), direction=_local(_text(row.get("direction"))),
            implied=row.get("implied") is not None and bool(term_to_python(row["implied"])),
            draft=_text(row.get("status")) == "draft",
            grades=(int(gmin), int(gmax)) if gmin is not None and gmax is not None else None,
            stated_as=_text(row.get("statedAs")), timepoint=_text(row.get("timepoint")),
            rank=int(r) if (r := _float(row.get("rank"))) is not None else None,
            quotation=_text(row.get("quote")), count_kind=_local(_text(row.get("countKind"))),
            of_total=int(t) if (t := _float(row.get("ofTotal"))) is not None else None)
    for row in store.query(_only(_LINKS, only)).rows:
        finding = found.get(_text(row["f"]) or "")
        target = link(row.get("o"))
        if finding is None or target is None:
            continue
        prop = (_text(row["p"]) or "")[len(MMKG):]
        if prop == "fromStudy" and target not in finding.studies:
            finding.studies.append(target)
            finding.study_types |= types.get(target.iri, set())
        elif prop == "population" and target not in finding.populations:
            finding.populations.append(target)
            finding.characteristics |= characteristics.get(target.iri, set())
        elif prop == "aboutTrial" and target not in finding.trials:
            finding.trials.append(target)
        elif prop == "restates":
            finding.restates.add(target.iri)
        elif prop == "aboutRegimen" and target not in finding.about_regimens:
            finding.about_regimens.append(target)
        elif prop == "regimen" and target not in finding.regimens:
            finding.regimens.append(target)
        elif prop == "concernsDrug" and target not in finding.drugs:
            finding.drugs.append(target)
        elif prop == "supportedBy":
            finding.supported_by.add(target.iri)
        elif prop == "corroborates":
            finding.corroborates.add(target.iri)
        elif prop == "discrepantWith":
            finding.discrepant_with.add(target.iri)
        elif prop == "discrepantWithPublication" and target not in finding.discrepant_publications:
            finding.discrepant_publications.append(target)
    for row in store.query(_only(_NOTES, only)).rows:
        finding = found.get(_text(row["f"]) or "")
        if finding is not None and (note := _text(row.get("note"))):
            finding.discrepancy_notes.append(note)
    for row in store.query(_only(_FLAGS, only)).rows:
        if (flagged := found.get(_text(row["f"]) or "")) is not None:
            flagged.flags.append((_text(row.get("kind")) or "", _text(row.get("note")) or ""))
    studied = {(_text(r.get("s")), _text(r.get("p"))) for r in store.query(_STUDIED).rows}
    for finding in found.values():
        finding.subgroup = any(p.iri in subgroups and not any((s.iri, p.iri) in studied
                                                                for s in [*finding.studies, *finding.trials])
                               for p in finding.populations)
        for lst in (finding.studies, finding.populations, finding.regimens, finding.drugs, finding.trials):
            lst.sort(key=lambda x: x.label.lower())
    return sorted(found.values(), key=lambda f: (f.source, _locator_key(f.locator), f.iri))


def _rank(kind: str) -> int:
    """Which asserted kind names a finding: the most specific (a ComparativeResult that is also
    presented as a Conclusion is a comparative result), then Conclusion, then the generic ones."""
    if MMKG + kind in _GENERIC:
        return 2
    return 1 if kind == "Conclusion" else 0


def _locator_key(locator: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", locator))


_SOURCES = _PROLOGUE + """
SELECT ?source ?kind ?author ?date ?citation ?pubDate ?pubYear WHERE {
  ?source a mmkg:SourceDocument .
  OPTIONAL { ?source mmkg:documentKind ?kind } OPTIONAL { ?source mmkg:author ?author }
  OPTIONAL { ?source mmkg:publicationDate ?date }
  OPTIONAL { ?source mmkg:cites ?pub . ?pub dcterms:bibliographicCitation ?citation .
             OPTIONAL { ?pub mmkg:publicationDate ?pubDate } }
}
ORDER BY ?source ?author ?citation
"""


def _surname(name: str) -> str:
    """The family name of 'Dhaval Shah' or of a citation's first author 'Gay F'."""
    words = name.split("(")[0].split()
    if len(words) >= 2 and words[-1].isupper() and len(words[-1]) <= 3:  # Vancouver: "Gay F", "Jackson GH"
        return " ".join(words[:-1])
    return words[-1] if words else name


def source_names(store: QueryStore) -> dict[str, str]:
    """Each source document as a reader names it, with its kind: its own first author and year
    (``Shah 2021 (reference answer)``), else the first author and year of the article it cites
    (``Gay et al. 2018 (news report)``), else its id."""
    names: dict[str, str] = {}
    for row in store.query(_SOURCES).rows:
        source = _local(_text(row.get("source"))) or ""
        if source in names:
            continue
        kind = _text(row.get("kind")) or "source"
        own, citation = _text(row.get("author")), _text(row.get("citation"))
        if own:
            who, year = _surname(own), (_text(row.get("date")) or "")[:4]
        elif citation:
            who, year = f"{_surname(citation.split(',')[0])} et al.", (_text(row.get("pubDate")) or "")[:4]
            year = year or next(iter(re.findall(r"\b(?:19|20)\d\d\b", citation)), "")
        else:
            names[source] = f"{source} ({kind})"
            continue
        names[source] = f"{who} {year} ({kind})".replace("  ", " ")
    return names
