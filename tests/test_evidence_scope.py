"""Exact scope: what a finding concerns never outruns its source; trials apart from their reports; one
shape for every flag. The three wrong answers of issue 26 stay fixed."""

from __future__ import annotations

from rdflib.namespace import RDFS

from kg.query.catalogue import Catalogue
from kg.query.store import Store, rows_as_values

M = "https://w3id.org/mmkg/"
R = "https://w3id.org/mmkg/resource/"
PROLOGUE = (f"PREFIX mmkg: <{M}> PREFIX res: <{R}> PREFIX rdfs: <{RDFS}> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")


def _locals(store: Store, select: str, var: str) -> set[str]:
    return {str(r[var]).rsplit("/", 1)[-1] for r in rows_as_values(store.query(PROLOGUE + select))}


def test_a_pooled_result_concerns_only_the_drugs_its_source_names(store: Store) -> None:
    # before: bortezomib, interferon-alfa, lenalidomide, prednisone, thalidomide
    assert _locals(store, "SELECT ?d { res:s001-os-hr mmkg:concernsDrug ?d }", "d") == {"lenalidomide", "thalidomide"}
    assert _locals(store, "SELECT ?d { res:s001-thal-neuropathy mmkg:concernsDrug ?d }", "d") == {"thalidomide"}
    # the curator's guess at the pool's members is kept, apart, and flagged
    assert _locals(store, "SELECT ?r { res:thal-based-maintenance mmkg:poolsRegimenByInference ?r }", "r") == {
        "thal", "thal-bort", "thal-ifn"}
    assert not _locals(store, "SELECT ?r { res:thal-based-maintenance mmkg:poolsRegimen ?r }", "r")


def test_adverse_events_of_bortezomib_leave_out_thalidomide_maintenance(store: Store, catalogue: Catalogue) -> None:
    sparql = catalogue.get("adverse-events-by-drug").sparql.replace(
        "WHERE {", f"WHERE {{ VALUES ?drug {{ <{R}bortezomib> }}", 1)
    found = {str(r["finding"]).rsplit("/", 1)[-1] for r in rows_as_values(store.query(sparql))}
    assert "s001-thal-neuropathy" not in found and "s001-vte-rr" not in found
    assert found == {"s002-ref5-pn-vp", "s002-ref5-pn-vt"}


def test_a_drug_query_returns_only_findings_whose_source_names_the_drug(store: Store) -> None:
    rows = rows_as_values(store.query(PROLOGUE + """SELECT ?f ?d WHERE { ?f mmkg:concernsDrug ?d }"""))
    assert rows
    for row in rows:
        f, d = str(row["f"]), str(row["d"])
        named = store.query(PROLOGUE + f"""ASK {{ {{ <{f}> mmkg:aboutDrug <{d}> }} UNION {{
            VALUES ?link {{ mmkg:intervention mmkg:comparator mmkg:aboutRegimen }}
            <{f}> ?link ?r . ?r mmkg:poolsRegimen*/(mmkg:hasComponent|mmkg:everyMemberContains) <{d}>
            FILTER NOT EXISTS {{ <{f}> mmkg:inferredByCurator ?link }} }} UNION {{
            <{f}> mmkg:arm/mmkg:receivesRegimen/mmkg:poolsRegimen*/(mmkg:hasComponent|mmkg:everyMemberContains) <{d}>
            }} }}""")
        assert named.boolean, (f, d)


def test_a_discontinuation_reason_is_not_an_incidence(store: Store) -> None:
    # before: "thalidomide · peripheral neuropathy · 52"
    values = _locals(store, "SELECT ?v { ?f mmkg:adverseEvent res:peripheral-neuropathy ; mmkg:value ?v }", "v")
    assert "52" not in values


def test_active_regimen_leaves_out_the_comparators(store: Store) -> None:
    both = """SELECT DISTINCT ?r WHERE { ?a mmkg:%s ?r ; mmkg:endpoint res:pfs .
                                        ?b mmkg:%s ?r ; mmkg:endpoint res:os }"""
    with_comparators = _locals(store, both % ("regimen", "regimen"), "r")
    active = _locals(store, both % ("activeRegimen", "activeRegimen"), "r")
    assert {"observation", "no-maintenance"} & with_comparators
    assert not {"observation", "no-maintenance", "placebo"} & active
    assert "len" in active


def test_a_trial_is_one_node_with_its_reports(store: Store) -> None:
    assert _locals(store, "SELECT ?t { res:s002-ref4 mmkg:reportOf ?t }", "t") == {"calgb-100104"}
    assert _locals(store, "SELECT ?t { res:s002-ref4-os mmkg:aboutTrial ?t }", "t") == {"calgb-100104"}
    assert {"s002", "s004"} <= _locals(store, "SELECT ?s { res:calgb-100104 mmkg:reportedBy ?s }", "s")
    # the registry id resolves to the same node the s002 record reports
    assert store.query(PROLOGUE + 'ASK { res:s002-ref4 mmkg:reportOf ?t . ?t mmkg:xref "clinicaltrials:NCT00114101" }'
                       ).boolean
    # pooled analyses without named trials say so
    assert store.query(PROLOGUE + "ASK { res:wang-2016-ma mmkg:includesNotNamed true }").boolean


def test_subgroup_results_name_their_population(store: Store) -> None:
    rows = rows_as_values(store.query(PROLOGUE + """SELECT ?f ?label WHERE {
        VALUES ?f { res:s003-os-te res:s003-os-ti } ?f mmkg:population/rdfs:label ?label }"""))
    labels = {str(r["f"]).rsplit("/", 1)[-1]: str(r["label"]) for r in rows}
    assert "transplant-eligible" in labels["s003-os-te"] and "transplant-ineligible" in labels["s003-os-ti"]


def test_restatement_within_a_source_is_not_corroboration(store: Store) -> None:
    assert store.query(PROLOGUE + "ASK { res:s001-lead-pfs mmkg:restates res:s001-pfs-hr }").boolean
    assert not store.query(PROLOGUE + "ASK { res:s001-lead-pfs mmkg:corroborates ?x }").boolean


def test_one_query_lists_every_kind_of_flag(store: Store, catalogue: Catalogue) -> None:
    rows = rows_as_values(store.query(catalogue.get("flags").sparql))
    kinds = {str(r["kindLabel"]) for r in rows}
    assert {"claim exceeds figures", "inferred by curator", "misprint in source", "not significant but ranked first",
            "curator's reading", "discrepant with publication"} <= kinds
    about = {(str(r["about"]).rsplit("/", 1)[-1], str(r["kindLabel"])) for r in rows}
    assert ("s001", "misprint in source") in about
    assert ("s001-lead-os", "claim exceeds figures") in about
    assert ("s000-pfs-hr-len", "curator's reading") in about
    assert ("s002-ref4", "inferred by curator") in about  # an identification with a named trial
    assert ("thal-based-maintenance", "inferred by curator") in about


def test_the_flag_kinds_are_terms_with_labels(store: Store) -> None:
    kinds = rows_as_values(store.query(PROLOGUE + "SELECT ?k ?l { ?k a mmkg:FlagKind ; rdfs:label ?l }"))
    assert len(kinds) == 7
    assert all(isinstance(k["l"], str) and k["l"] for k in kinds)


def test_the_shapes_reject_a_flag_without_kind_and_a_finding_about_a_report() -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, SKOS

    from kg import paths
    from kg.pipeline.validation import validate_shapes

    g = Graph()
    flag, finding = URIRef(R + "flag/x/1"), URIRef(R + "x")
    g.add((finding, URIRef(M + "flag"), flag))
    g.add((flag, RDF.type, URIRef(M + "Flag")))
    g.add((flag, SKOS.note, Literal("a note")))
    conforms, text = validate_shapes(g, paths.shapes_file())
    assert not conforms and "exactly one kind" in text
    g.add((flag, URIRef(M + "flagKind"), URIRef(M + "MisprintInSource")))
    assert validate_shapes(g, paths.shapes_file())[0]
    record, trial = URIRef(R + "ref4"), URIRef(R + "trial")
    g.add((finding, URIRef(M + "aboutTrial"), record))
    g.add((record, RDF.type, URIRef(M + "Study")))
    g.add((record, URIRef(M + "identifiedWith"), trial))
    g.add((record, RDFS.label, Literal("ref. 4")))
    assert validate_shapes(g, paths.shapes_file())[0]  # about a study: the shape holds ...
    qc = (paths.queries_dir() / "qc" / "trial-under-two-keys-violation.rq").read_text(encoding="utf-8")
    assert [(row[0], row[1]) for row in g.query(qc)] == [(finding, record)]  # ... the QC query finds the record
    g.remove((finding, URIRef(M + "aboutTrial"), record))
    g.add((finding, URIRef(M + "aboutTrial"), URIRef(R + "other")))
    conforms, text = validate_shapes(g, paths.shapes_file())
    assert not conforms and "points to the trial or analysis" in text
