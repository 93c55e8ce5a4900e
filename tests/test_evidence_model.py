"""The evidence model: one path from a finding to what it concerns, significance everywhere, names in words,
the audit's curation fixes, and the QC queries that keep it so."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg import paths
from kg.namespaces import MMKG
from kg.pipeline.property_rules import classify_significance, materialise_properties
from kg.pipeline.qc import qc_queries, run_qc
from kg.query.catalogue import Catalogue
from kg.query.store import Store, rows_as_values

M = "https://w3id.org/mmkg/"
R = "https://w3id.org/mmkg/resource/"
INFERRED = "https://w3id.org/mmkg/graph/inferred"


def ask(store: Store, pattern: str) -> bool:
    result = store.query(f"PREFIX mmkg: <{M}> PREFIX res: <{R}> PREFIX rdfs: <{RDFS}> "
                         f"PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ASK {{ {pattern} }}")
    return bool(result.boolean)


def values(store: Store, select: str) -> list[dict[str, object]]:
    return rows_as_values(store.query(f"PREFIX mmkg: <{M}> PREFIX res: <{R}> PREFIX rdfs: <{RDFS}> {select}"))


# --- QC ----------------------------------------------------------------------------------------


def test_every_qc_query_returns_no_rows_on_the_built_graph(store: Store) -> None:
    queries = qc_queries()
    assert {q.name for q in queries} == {"finding-without-readable-label-violation",
                                         "regimen-not-on-the-one-path-violation",
                                         "ratio-without-significance-violation", "count-kind-literal-violation",
                                         "concerns-drug-through-inference-violation",
                                         "corroborates-within-source-violation", "restates-across-sources-violation",
                                         "singled-out-as-incidence-violation", "active-regimen-violation",
                                         "trial-under-two-keys-violation", "synthesis-without-its-trials-violation",
                                         "caveat-only-in-free-text-violation", "finding-without-population-violation"}
    assert run_qc(store, queries) == []


@pytest.mark.parametrize(("damage", "violated", "named"), [
    (lambda s: s.raw.remove(ox.Quad(ox.NamedNode(R + "s002-ref1-pfs-thal"), ox.NamedNode(M + "regimen"),
                                    ox.NamedNode(R + "thal"), ox.NamedNode(INFERRED))),
     "regimen-not-on-the-one-path-violation", "res:s002-ref1-pfs-thal"),
    (lambda s: s.raw.remove(ox.Quad(ox.NamedNode(R + "s001-pfs-hr"), ox.NamedNode(M + "concernsDrug"),
                                    ox.NamedNode(R + "thalidomide"), ox.NamedNode(INFERRED))),
     "regimen-not-on-the-one-path-violation", "res:s001-pfs-hr"),
    (lambda s: s.raw.remove(ox.Quad(ox.NamedNode(R + "s000-os-hr-len"), ox.NamedNode(M + "isSignificant"),
                                    ox.Literal("false", datatype=ox.NamedNode(str(Literal(False).datatype))),
                                    ox.NamedNode(INFERRED))),
     "ratio-without-significance-violation", "res:s000-os-hr-len"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s000-n-studies"), ox.NamedNode(M + "countOf"),
                                 ox.Literal("studies"), ox.NamedNode(INFERRED))),
     "count-kind-literal-violation", "res:s000-n-studies"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s001-os-hr"), ox.NamedNode(M + "concernsDrug"),
                                 ox.NamedNode(R + "bortezomib"), ox.NamedNode(INFERRED))),
     "concerns-drug-through-inference-violation", "res:s001-os-hr"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s001-lead-os"), ox.NamedNode(M + "corroborates"),
                                 ox.NamedNode(R + "s001-os-hr"), ox.NamedNode(INFERRED))),
     "corroborates-within-source-violation", "res:s001-lead-os"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s001-os-hr"), ox.NamedNode(M + "restates"),
                                 ox.NamedNode(R + "s003-os-te"), ox.NamedNode(INFERRED))),
     "restates-across-sources-violation", "res:s001-os-hr"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s002-ref1-discontinuation"), ox.NamedNode(M + "adverseEvent"),
                                 ox.NamedNode(R + "peripheral-neuropathy"), ox.NamedNode(INFERRED))),
     "singled-out-as-incidence-violation", "res:s002-ref1-discontinuation"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s003-os-te"), ox.NamedNode(M + "activeRegimen"),
                                 ox.NamedNode(R + "observation"), ox.NamedNode(INFERRED))),
     "active-regimen-violation", "res:s003-os-te"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s002-ref4-os"), ox.NamedNode(M + "aboutTrial"),
                                 ox.NamedNode(R + "s002-ref4"), ox.NamedNode(INFERRED))),
     "trial-under-two-keys-violation", "res:s002-ref4-os"),
    (lambda s: s.raw.remove(ox.Quad(ox.NamedNode(R + "wang-2016-ma"), ox.NamedNode(M + "includesNotNamed"),
                                    ox.Literal("true", datatype=ox.NamedNode(str(Literal(True).datatype))),
                                    ox.NamedNode(R.replace("resource/", "graph/source/s001")))),
     "synthesis-without-its-trials-violation", "res:wang-2016-ma"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "s003-os-ti"), ox.NamedNode("http://www.w3.org/2004/02/skos/core#note"),
                                 ox.Literal("The comparator is the curator's reading."), ox.NamedNode(INFERRED))),
     "caveat-only-in-free-text-violation", "res:s003-os-ti"),
    (lambda s: s.raw.remove(ox.Quad(ox.NamedNode(R + "s003-dose"), ox.NamedNode(M + "population"),
                                    ox.NamedNode(R + "myeloma-xi-itt"), ox.NamedNode(INFERRED))),
     "finding-without-population-violation", "res:s003-dose"),
    (lambda s: s.raw.add(ox.Quad(ox.NamedNode(R + "syn-f"), ox.NamedNode(str(RDF.type)), ox.NamedNode(M + "Finding"),
                                 ox.NamedNode(INFERRED))),
     "finding-without-readable-label-violation", "res:syn-f"),
])
def test_a_broken_graph_is_caught_by_its_qc_query_naming_the_finding(
        release: object, damage: Callable[[Store], None], violated: str, named: str) -> None:
    store = Store.from_release(release / "mmkg.nq")  # type: ignore[operator]
    damage(store)
    violations = run_qc(store)
    assert [v.query.name for v in violations] == [violated]
    assert named in str(violations[0])


# --- One path ----------------------------------------------------------------------------------


def test_one_triple_pattern_reaches_every_regimen_drug_and_study(store: Store) -> None:
    # intervention, comparator, aboutRegimen and the arm's regimen are all mmkg:regimen
    assert ask(store, "res:s001-pfs-hr mmkg:regimen res:imid-maintenance , res:no-maintenance")
    assert ask(store, "res:s000-os-rank-len mmkg:regimen res:len")
    assert ask(store, "res:s002-ref1-pfs-thal mmkg:regimen res:thal")
    # drugs through regimens, pooled ones at any depth (IMiD-based maintenance pools len-based maintenance ...)
    assert ask(store, "res:s001-pfs-hr mmkg:concernsDrug res:lenalidomide , res:thalidomide")
    assert ask(store, "res:s003-dose mmkg:concernsDrug res:lenalidomide")
    assert not ask(store, "res:s000-pfs-hr-len mmkg:concernsDrug res:thalidomide")
    assert ask(store, "GRAPH <" + INFERRED + "> { res:s002-ref1-pfs-thal mmkg:regimen res:thal }")
    # the saved query no longer unions paths, and finds the pooled-regimen findings for thalidomide
    text = (paths.queries_dir() / "adverse-events-by-drug.rq").read_text(encoding="utf-8")
    assert "|mmkg:aboutRegimen|" not in text and "mmkg:concernsDrug ?drug" in text


def test_the_property_rules_follow_chains_inverses_and_transitive_properties() -> None:
    tbox = Graph().parse(paths.ontology_file(), format="turtle")
    abox = Graph()
    f, arm, study, reg, pooled, inner, drug = (URIRef(f"urn:x:{n}") for n in
                                               ("f", "arm", "study", "reg", "pooled", "inner", "drug"))
    for triple in ((f, MMKG.arm, arm), (study, MMKG.hasArm, arm), (arm, MMKG.receivesRegimen, reg),
                   (f, MMKG.comparator, pooled), (pooled, MMKG.poolsRegimen, inner),
                   (inner, MMKG.poolsRegimen, reg), (reg, MMKG.hasComponent, drug)):
        abox.add(triple)
    found = materialise_properties(tbox, abox)
    assert (f, MMKG.regimen, reg) in found and (f, MMKG.regimen, pooled) in found
    assert (f, MMKG.fromStudy, study) in found and (arm, MMKG.armOf, study) in found
    assert (pooled, MMKG.poolsRegimen, reg) in found
    assert (f, MMKG.concernsDrug, drug) in found
    assert not set(found) & set(abox)


# --- Significance -----------------------------------------------------------------------------


def test_every_ratio_estimate_has_significance_and_its_basis(store: Store) -> None:
    rows = values(store, """SELECT ?f ?sig ?basis ?g WHERE { ?f a mmkg:RatioEstimate .
        GRAPH ?g { ?f mmkg:isSignificant ?sig ; mmkg:significanceBasis ?basis } }""")
    by_finding = {str(r["f"]).rsplit("/", 1)[1]: (r["sig"], str(r["basis"]).rsplit("/", 1)[1], str(r["g"]))
                  for r in rows}
    assert len(by_finding) == 6
    assert by_finding["s000-pfs-hr-len"] == (True, "SignificanceFromInterval", INFERRED)
    assert by_finding["s000-os-hr-len"] == (False, "SignificanceFromInterval", INFERRED)
    assert by_finding["s001-os-hr"][:2] == (False, "SignificanceAsReported")
    assert by_finding["s001-os-hr"][2].endswith("/source/s001")
    assert ask(store, "res:s000-pfs-hr-len-pred mmkg:isSignificant true")


def test_classification_follows_the_interval_either_side_of_one() -> None:
    abox = Graph()
    for name, lower, upper in (("low", "0.5", "0.9"), ("high", "1.2", "2.0"), ("across", "0.8", "1.3")):
        node = URIRef(f"urn:x:{name}")
        abox.add((node, RDF.type, MMKG.HazardRatioEstimate))
        abox.add((node, MMKG.ciLower, Literal(lower, datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
        abox.add((node, MMKG.ciUpper, Literal(upper, datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    found = classify_significance(abox)
    assert {(str(s), o.toPython()) for s, o in found.subject_objects(MMKG.isSignificant)} == {
        ("urn:x:low", True), ("urn:x:high", True), ("urn:x:across", False)}


# --- Names in words ---------------------------------------------------------------------------


def test_every_finding_is_named_in_words(store: Store) -> None:
    rows = values(store, "SELECT ?f ?label WHERE { ?f a mmkg:Finding ; rdfs:label ?label }")
    labels = {str(r["f"]).rsplit("/", 1)[1]: str(r["label"]) for r in rows}
    assert len(labels) == 116 and all(label != f for f, label in labels.items())
    assert labels["s000-pfs-hr-len"] == ("Lenalidomide alone vs no maintenance or placebo: "
                                         "PFS HR 0.39 (95% CI 0.28–0.53), Gay et al. 2018 NMA")
    assert labels["s001-vte-rr"].startswith("IMiD-based maintenance vs no maintenance or placebo: grade 3–4 "
                                            "thromboembolism RR 2.52 (95% CI 1.41–4.52), p=0.002")
    assert labels["s002-ref1-pfs-thal"] == "Thalidomide alone: median PFS 23 months, ref. 1 of s002 (likely Myeloma IX)"
    assert labels["s003-n-itt"] == "Myeloma XI: 1971 patients randomised"


def test_what_a_count_counts_is_a_labelled_term(store: Store) -> None:
    rows = values(store, "SELECT ?f ?label WHERE { ?f mmkg:countKind ?k . ?k rdfs:label ?label }")
    kinds = {str(r["f"]).rsplit("/", 1)[1]: str(r["label"]) for r in rows}
    assert kinds["s000-n-studies"] == kinds["s001-n-trials"] == "studies"  # both meta-analyses count studies
    assert kinds["s003-n-itt"] == "patients randomised"
    assert not ask(store, "?f mmkg:countOf ?code")
    ontology = Graph().parse(paths.ontology_file(), format="turtle")
    assert (MMKG.countOf, OWL.deprecated, Literal(True)) in ontology


def test_adverse_events_and_endpoints_form_skos_hierarchies(store: Store) -> None:
    assert ask(store, "res:aml-mds skos:broader res:second-primary-hematologic-malignancy")
    assert ask(store, "res:aml-mds skos:broader+ res:second-primary-malignancy")
    assert ask(store, "res:neutropenia skos:broader res:myelosuppression , res:hematologic-toxicity")
    assert ask(store, "res:ttp skos:related res:pfs ; skos:definition ?d FILTER(CONTAINS(?d, 'death'))")


# --- The audit's curation fixes ------------------------------------------------------------------


def test_the_network_meta_analysis_implies_a_pfs_benefit_for_four_regimens(store: Store) -> None:
    rows = values(store, """SELECT ?regimen WHERE { ?f mmkg:isImplied true ; mmkg:statedAs "implied" ;
        mmkg:locator "p4.s2" ; mmkg:endpoint res:pfs ; mmkg:direction mmkg:Benefit ; mmkg:intervention ?regimen ;
        mmkg:fromSource res:s000 FILTER NOT EXISTS { ?f mmkg:estimate ?e } }""")
    assert {str(r["regimen"]).rsplit("/", 1)[1] for r in rows} == {"bort-pred", "thal", "thal-bort", "thal-ifn"}


def test_the_audit_fixes_are_in_the_graph(store: Store, catalogue: Catalogue) -> None:
    # 52% discontinuation: adverse events of any kind, peripheral neuropathy the one singled out (no incidence)
    assert ask(store, "res:s002-ref1-discontinuation mmkg:singledOutAdverseEvent res:peripheral-neuropathy ; "
                      "GRAPH ?g { res:s002-ref1-discontinuation mmkg:adverseEvent res:adverse-events-any }")
    assert not ask(store, "res:s002-ref1-discontinuation mmkg:adverseEvent res:peripheral-neuropathy")
    # "lack of peripheral neuropathy" is an absence, and the saved query says so
    rows = rows_as_values(store.query(catalogue.get("adverse-events-by-drug").sparql))
    lack = [r for r in rows if str(r["finding"]).endswith("s002-len-no-neuropathy")]
    assert lack and lack[0]["directionLabel"] == "absent"
    # s004's SPM finding: SPM in general, mainly AML/MDS
    assert ask(store, "res:s004-len-spm mmkg:singledOutAdverseEvent res:aml-mds . "
                      "GRAPH ?g { res:s004-len-spm mmkg:adverseEvent res:second-primary-malignancy }")
    # traits from a likely trial identification are marked so
    for population, traits in (("mm015-population", ["transplant-ineligible"]),
                               ("gem-population", ["newly-diagnosed", "elderly"])):
        for trait in traits:
            assert ask(store, f"res:{population} mmkg:hasCharacteristicByIdentification res:{trait}")
            assert not ask(store, f"GRAPH ?g {{ res:{population} mmkg:hasCharacteristic res:{trait} }} "
                                  f"FILTER(?g != <{INFERRED}>)")
    # s001's never-named comparators are the curator's inference
    inferred = values(store, "SELECT ?f WHERE { ?f mmkg:inferredByCurator mmkg:comparator ; mmkg:fromSource res:s001 }")
    assert len(inferred) == 13
    # s003 stays hedged; the 25 mg dose is flagged against the trial report
    assert ask(store, "res:s003-len-mechanism rdfs:comment ?c FILTER(CONTAINS(?c, 'can have'))")
    assert ask(store, "res:s003-dose mmkg:discrepantWithPublication res:jackson-2019 ; mmkg:discrepancyNote ?n "
                      "FILTER(CONTAINS(?n, '10 mg') && CONTAINS(?n, 'PMC6318225'))")
    # the IFM consolidation is a duration, not a dose
    assert ask(store, "res:s004-ifm-consolidation a mmkg:Duration ; mmkg:value ?v ; mmkg:unit res:unit-month "
                      "FILTER(?v = 2)")
    assert not ask(store, "res:s004-ifm-consolidation a mmkg:DoseSchedule")
