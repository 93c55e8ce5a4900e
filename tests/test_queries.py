"""Saved queries: strict headers, bound parameters, and the expected answer of every competency query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kg.errors import ParameterError, QueryFileError
from kg.query.catalogue import Catalogue, parse_query_file
from kg.query.store import Store, rows_as_values

RES = "https://w3id.org/mmkg/resource/"


def run(store: Store, catalogue: Catalogue, name: str, **params: str) -> list[dict[str, Any]]:
    query = catalogue.get(name)
    return rows_as_values(store.query(query.sparql, query.bindings(params)))


def short(value: Any) -> Any:
    return value.removeprefix(RES) if isinstance(value, str) else value


def test_catalogue_has_at_least_twelve_queries(catalogue: Catalogue) -> None:
    # Titles and descriptions need no test here: the parser refuses a header without them.
    assert len(catalogue) >= 12


def test_every_saved_query_runs_and_returns_rows(store: Store, catalogue: Catalogue) -> None:
    for query in catalogue:
        assert rows_as_values(store.query(query.sparql, query.bindings({}))), query.name


def test_significant_pfs_benefit_in_the_network_meta_analysis(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "significant-pfs-benefit")
    got = [(short(r["regimen"]), r["hr"], r["ciLower"], r["ciUpper"], r["locator"]) for r in rows]
    assert got == [("len", 0.39, 0.28, 0.53, "p4.s1"), ("len-pred", 0.47, 0.39, 0.55, "p4.s1")]
    assert run(store, catalogue, "significant-pfs-benefit", endpoint="res:os") == []


def test_intervals_including_one(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "ci-includes-no-effect")
    assert [(short(r["finding"]), r["estimate"], r["ciLower"], r["ciUpper"]) for r in rows] == [
        ("s000-os-hr-len", 0.76, 0.51, 1.16), ("s001-os-hr", 0.93, 0.85, 1.01)]


def test_imids_and_the_regimens_that_contain_one(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "imid-regimens")
    assert {(short(r["drug"]), short(r["regimen"])) for r in rows} == {
        ("lenalidomide", "len"), ("lenalidomide", "len-pred"), ("thalidomide", "thal"),
        ("thalidomide", "thal-bort"), ("thalidomide", "thal-ifn")}
    assert all(r["inferred"] is True for r in rows)
    pis = run(store, catalogue, "imid-regimens", drugClass="mmkg:ProteasomeInhibitor")
    assert {short(r["regimen"]) for r in pis} == {"bort", "bort-pred", "thal-bort"}


def test_adverse_events_of_lenalidomide(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "adverse-events-by-drug")
    events = {r["adverseEventLabel"] for r in rows}
    assert {"thromboembolism", "myelosuppression", "neutropenia", "second primary malignancy",
            "second primary hematological malignancy", "hematologic toxicity"} <= events
    spm = {(short(r["finding"]), r.get("value")) for r in rows if r["adverseEventLabel"] == "second primary malignancy"}
    # s004's finding is about SPM in general, mainly AML/MDS (an audit fix), so it is listed here too.
    assert spm == {("s002-ref2-spm", 7), ("s002-post-asct-spm", 8), ("s004-len-spm", None)}
    vte = [r for r in rows if short(r["finding"]) == "s001-vte-rr"]
    assert vte and vte[0]["estimate"] == 2.52 and (vte[0]["gradeMin"], vte[0]["gradeMax"]) == (3, 4)
    thal = run(store, catalogue, "adverse-events-by-drug", drug="res:thalidomide")
    # the 52% who stopped "mainly for neuropathy" are not a neuropathy incidence (issue 26)
    assert {short(r["finding"]) for r in thal if r["adverseEventLabel"] == "peripheral neuropathy"} == {
        "s001-thal-neuropathy", "s002-ref5-pn-vt", "s004-thal-neuropathy"}


def test_post_transplant_lenalidomide_medians_from_two_sources(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "post-transplant-lenalidomide-medians")
    per_trial = {(r["trialLabel"], r["regimenLabel"], r.get("value")) for r in rows if short(r["source"]) == "s004"}
    assert per_trial == {("CALGB 100104", "lenalidomide alone", 46), ("CALGB 100104", "placebo", 27),
                         ("IFM 2005-02", "lenalidomide alone", 41), ("IFM 2005-02", "placebo", 23)}
    ranges = {(r["regimenLabel"], r["valueMin"], r["valueMax"]) for r in rows if short(r["source"]) == "s002"}
    assert ranges == {("lenalidomide alone", 41, 46), ("placebo", 23, 27)}
    assert {r["endpointLabel"] for r in rows} == {"progression-free survival", "time to progression"}


def test_myeloma_xi_randomisation(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "trial-randomisation")
    randomised = {(r.get("regimenLabel"), r["value"]) for r in rows if r["counts"] == "patients randomised"}
    assert randomised == {(None, 1971), ("lenalidomide alone", 1137), ("observation", 834)}
    received = {(r["regimenLabel"], r["value"], r["ofTotal"]) for r in rows
                if r["counts"] == "patients who received the allocated treatment"}
    assert received == {("lenalidomide alone", 1097, 1137), ("observation", 834, 834)}
    assert [r["value"] for r in rows if r["counts"] == "patients in the safety population"] == [1931]


def test_source_conclusions(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "source-conclusions")
    by_source: dict[str, set[str]] = {}
    for r in rows:
        by_source.setdefault(short(r["source"]), set()).add(short(r["finding"]))
    assert set(by_source) == {"s000", "s002", "s003"}
    assert "s000-conclusion-len-best" in by_source["s000"]
    assert by_source["s003"] == {"s003-pfs", "s003-os-te", "s003-os-ti"}


def test_findings_by_population(store: Store, catalogue: Catalogue) -> None:
    eligible = {short(r["finding"]) for r in run(store, catalogue, "findings-by-population")}
    ineligible = {short(r["finding"]) for r in run(store, catalogue, "findings-by-population",
                                                   characteristic="res:transplant-ineligible")}
    assert {"s003-os-te", "s004-calgb-os", "s004-ifm-os"} <= eligible
    assert {"s003-os-ti", "s001-strat-len-os"} <= ineligible
    assert "s003-os-ti" not in eligible and "s003-os-te" not in ineligible


def test_cross_source_links(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "cross-source-links")
    discrepant = [(short(r["finding"]), short(r["other"])) for r in rows if r["relation"] == "discrepant"]
    assert discrepant == [("s001-lead-os", "s001-os-hr")]
    corroborating = {(short(r["finding"]), short(r["other"])) for r in rows if r["relation"] == "corroborates"}
    assert ("s004-calgb-ttp-len", "s002-post-asct-pfs-len") in corroborating
    assert ("s004-thal-late-os", "s002-ref1-os") in corroborating


def test_p_values_keep_bounds_apart(store: Store, catalogue: Catalogue) -> None:
    bounds = run(store, catalogue, "p-values", comparator="<")
    exact = run(store, catalogue, "p-values", comparator="=")
    assert {short(r["finding"]) for r in bounds} == {"s001-pfs-hr", "s002-post-asct-pfs", "s002-ref1-pfs",
                                                     "s002-ref2-pfs"}
    assert {(short(r["finding"]), r["pValue"]) for r in exact} == {
        ("s001-vte-rr", 0.002), ("s001-os-hr", 0.082), ("s002-ref5-pfs", 0.1), ("s002-ref1-os", 0.4)}


def test_effect_estimates_with_inferred_significance(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "effect-estimates")
    got = {short(r["finding"]): (r["measure"], r.get("significance")) for r in rows}
    assert got == {
        "s000-pfs-hr-len": ("HR", "significant reduction"), "s000-pfs-hr-len-pred": ("HR", "significant reduction"),
        "s000-os-hr-len": ("HR", "interval includes 1"), "s001-pfs-hr": ("HR", "significant reduction"),
        "s001-os-hr": ("HR", "interval includes 1"), "s001-vte-rr": ("RR", "significant increase")}


def test_trials_and_registries(store: Store, catalogue: Catalogue) -> None:
    rows = {r["label"]: r for r in run(store, catalogue, "trials-and-registries")}
    assert set(rows["Myeloma XI"]["registryIds"].split()) == {"clinicaltrials:NCT01554852", "isrctn:ISRCTN49407852"}
    assert set(rows["CALGB 100104"]["sources"].split()) == {"s002", "s004"}
    assert rows["MRC Myeloma IX"]["registryIds"] == "isrctn:ISRCTN68454111"


def test_regulatory_approvals(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "regulatory-approvals")
    assert {(r["drugLabel"], r["agencyLabel"]) for r in rows} == {
        ("lenalidomide", "US Food and Drug Administration"), ("lenalidomide", "European Medicines Agency")}


def test_drug_identifiers(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "drug-identifiers", entity="res:thalidomide")
    curies = {r["curie"]: r["confidence"] for r in rows}
    assert curies["CHEBI:9513"] == "verified"
    assert "CHEBI:74947" not in curies
    assert curies["NCIT:C870"] == "likely"


def test_finding_provenance(store: Store, catalogue: Catalogue) -> None:
    rows = run(store, catalogue, "finding-provenance")
    assert len(rows) == 1
    row = rows[0]
    assert row["graph"] == "https://w3id.org/mmkg/graph/source/s001"
    assert (row["file"], row["locator"], row["doi"], row["pmid"]) == (
        "001_4e6393b2a2e8cbee.txt", "p4.s1", "10.1093/jnci/djv342", "26582244")


# --- parameters are bound and checked ------------------------------------------------------------

def test_parameter_values_are_checked(catalogue: Catalogue) -> None:
    query = catalogue.get("significant-pfs-benefit")
    with pytest.raises(ParameterError, match=r"'endpoint'.*not one of"):
        query.bindings({"endpoint": "res:ttp"})
    with pytest.raises(ParameterError, match="unknown parameter"):
        query.bindings({"endpoitn": "res:pfs"})
    ids = catalogue.get("drug-identifiers")
    with pytest.raises(ParameterError, match=r"'entity'.*outside the allowed namespaces"):
        ids.bindings({"entity": "http://example.org/x"})
    with pytest.raises(ParameterError, match="'entity'"):
        ids.bindings({"entity": "res:x> } ; DROP ALL ; <y"})


def test_injection_attempt_is_a_value_not_query_text(store: Store, catalogue: Catalogue) -> None:
    query = catalogue.get("p-values")
    param = query.parameter("comparator")
    with pytest.raises(ParameterError):
        param.bind('" } UNION { ?s ?p ?o } #')


# --- headers are parsed strictly -------------------------------------------------------------------

def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_header(tmp_path: Path) -> None:
    with pytest.raises(QueryFileError, match=r"q\.rq:1: missing the '#\+' header"):
        parse_query_file(_write(tmp_path, "SELECT * WHERE { ?s ?p ?o }\n"))


def test_unknown_header_key_names_its_line(tmp_path: Path) -> None:
    text = "#+ title: T\n#+ description: D\n#+ summry: typo\nSELECT * WHERE { ?s ?p ?o }\n"
    with pytest.raises(QueryFileError, match=r"q\.rq:3: unknown header key 'summry'"):
        parse_query_file(_write(tmp_path, text))


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    text = "#+ title: T\n#+ description: D\n#+ tags: [a, b\nSELECT * WHERE { ?s ?p ?o }\n"
    with pytest.raises(QueryFileError, match=r"q\.rq:\d+: header is not valid YAML"):
        parse_query_file(_write(tmp_path, text))


def test_bad_parameter_type_and_unbound_parameter(tmp_path: Path) -> None:
    text = "#+ title: T\n#+ description: D\n#+ parameters:\n#+   x:\n#+     type: date\nSELECT ?x WHERE { ?x ?p ?o }\n"
    with pytest.raises(QueryFileError, match=r"q\.rq:4: parameter 'x': type must be"):
        parse_query_file(_write(tmp_path, text))
    text = ("#+ title: T\n#+ description: D\n#+ parameters:\n#+   y:\n#+     type: string\n"
            "SELECT ?x WHERE { ?x ?p ?o }\n")
    with pytest.raises(QueryFileError, match="'y' is not a variable of the query"):
        parse_query_file(_write(tmp_path, text))


def test_query_syntax_error_is_reported_with_position(tmp_path: Path) -> None:
    text = "#+ title: T\n#+ description: D\nSELECT * WHERE { ?s ?p }\n"
    with pytest.raises(QueryFileError, match=r"q\.rq:3: the query does not parse"):
        parse_query_file(_write(tmp_path, text))


def test_an_unknown_column_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    head = "#+ title: T\n#+ description: D\n#+ columns:\n#+   value: {unit: months}\n"
    # ?vaule is a typo; ?p is in the pattern but not projected: neither is a column of the result
    for column, line in (("vaule", 5), ("p", 5)):
        text = head + f"#+   {column}: {{unit: '%'}}\nSELECT ?value WHERE {{ ?s ?p ?value }}\n"
        with pytest.raises(QueryFileError, match=rf"q\.rq:{line}: unknown column '{column}'.*columns are value"):
            parse_query_file(_write(tmp_path, text))
    with pytest.raises(QueryFileError, match="did you mean 'value'"):
        parse_query_file(_write(tmp_path, head + "#+   vaule: {unit: '%'}\nSELECT ?value WHERE { ?s ?p ?value }\n"))
    text = "#+ title: T\n#+ description: D\n#+ columns:\n#+   value: {unit: 8}\nSELECT ?value WHERE { ?s ?p ?value }\n"
    with pytest.raises(QueryFileError, match=r"q\.rq:4: column 'value': give a mapping"):
        parse_query_file(_write(tmp_path, text))
    declared = parse_query_file(_write(tmp_path, head + "SELECT ?value ?n WHERE { ?s ?n ?value }\n"))
    assert declared.units == {"value": "months"} and declared.column("value").title == "Value"
    assert declared.column("n").unit is None


def test_saved_queries_declare_the_units_their_patterns_fix(store: Store, catalogue: Catalogue) -> None:
    assert catalogue.get("post-transplant-lenalidomide-medians").units == {
        "value": "months", "valueMin": "months", "valueMax": "months"}
    assert catalogue.get("trial-randomisation").units == {"value": "patients", "ofTotal": "patients"}
    # an adverse event's value is a percentage or a count: its unit is a column of each row
    rows = run(store, catalogue, "adverse-events-by-drug")
    units = {(short(r["finding"]), r.get("unitLabel")) for r in rows
             if r["adverseEventLabel"] == "second primary malignancy"}
    assert units == {("s002-ref2-spm", "percent"), ("s002-post-asct-spm", "percent"), ("s004-len-spm", None)}
