"""Evidence at a glance: the evidence map and its twins, the meta-analysis export (TE, seTE checked by
hand), finding-first pages, drug pages with pooled-regimen findings, trial summaries, tables, search."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.curation.provenance import default_sources_dir

R = "https://w3id.org/mmkg/resource/"


def _map(client: FlaskClient, **params: str) -> dict[str, object]:
    response = client.get("/evidence.json", query_string=params)
    assert response.status_code == 200, response.data
    data: dict[str, object] = json.loads(response.data)
    return data


def _cells(data: dict[str, object], regimen: str, column: str) -> list[dict[str, object]]:
    rows = {r["regimen"]: r for r in data["rows"]}  # type: ignore[attr-defined, index]
    return list(rows[R + regimen]["cells"].get(column, []))  # type: ignore[index]


def test_the_map_compares_regimens_across_sources(client: FlaskClient) -> None:
    data = _map(client)
    assert [c["key"] for c in data["columns"]][:3] == ["pfs", "os", "ttp"]  # type: ignore[index, union-attr]
    pfs = _cells(data, "len", "pfs")
    nma = next(r for r in pfs if r["finding"] == R + "s000-pfs-hr-len")
    assert nma["figures"] == "HR 0.39 (95% CI 0.28–0.53)" and nma["significance"] == "significant"
    assert nma["sources"] == [{"source": "s000", "locator": "p4.s1", "finding": R + "s000-pfs-hr-len"}]
    assert nma["comparator"] == "no maintenance or placebo" and nma["significance_basis"] == "SignificanceFromInterval"
    mm015 = next(r for r in pfs if r["finding"] == R + "s002-ref2-pfs")
    assert mm015["supporting"] == "31 months (lenalidomide alone) vs 14 months (placebo)"
    # two sources reporting one result are one entry with both badges
    os_len = _cells(data, "len", "os")
    ifm = next(r for r in os_len if r["finding"] == R + "s002-ref3-os")
    assert {s["source"] for s in ifm["sources"]} == {"s002", "s004"}  # type: ignore[union-attr]
    # a result the source contradicts is flagged
    lead = next(r for r in _cells(data, "imid-maintenance", "os") if r["finding"] == R + "s001-lead-os")
    assert lead["discrepant"] and "s001-os-hr" in " ".join(lead["discrepant"])  # type: ignore[arg-type]
    assert any(r["finding"] == R + "s004-len-spm" for r in _cells(data, "len", "spm"))


def test_the_map_page_and_its_filters(client: FlaskClient) -> None:
    page = client.get("/evidence").data.decode()
    assert "Evidence map" in page and 'href="/resource/s000-pfs-hr-len"' in page and "svg" in page
    assert 'href="/evidence.csv"' in page and "metagen(TE, seTE, studlab" in page
    only = _map(client, source="s001")
    sources = {s["source"] for r in only["rows"] for cells in r["cells"].values()  # type: ignore[attr-defined]
               for c in cells for s in c["sources"]}
    assert sources == {"s001"}
    eligible = _map(client, population=R + "transplant-eligible")
    assert eligible["findings"] < _map(client)["findings"]  # type: ignore[operator]
    assert {r["label"] for r in eligible["rows"]} >= {"lenalidomide alone"}  # type: ignore[attr-defined]
    meta = _map(client, study_type="MetaAnalysis")
    assert {r["label"] for r in meta["rows"]} <= {"IMiD-based maintenance", "lenalidomide-based maintenance",  # type: ignore[attr-defined]
                                                   "thalidomide-based maintenance"}
    assert "source=s001" in client.get("/evidence", query_string={"source": "s001"}).data.decode()
    for params, named in (({"source": "s999"}, "source"), ({"study_type": "Poem"}, "study_type"),
                          ({"population": "res:no-such"}, "population"), ({"colour": "red"}, "colour")):
        bad = client.get("/evidence.json", query_string=params)
        assert bad.status_code == 400 and named in bad.get_json()["error"]


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(("finding", "estimate", "lower", "upper"), [
    ("s000-pfs-hr-len", 0.39, 0.28, 0.53), ("s001-pfs-hr", 0.62, 0.57, 0.67), ("s001-vte-rr", 2.52, 1.41, 4.52),
    ("s000-os-hr-len", 0.76, 0.51, 1.16)])
def test_the_meta_analysis_csv_has_te_and_se_te(client: FlaskClient, finding: str, estimate: float, lower: float,
                                                upper: float) -> None:
    response = client.get("/evidence.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = {r["finding"]: r for r in _csv_rows(response.data.decode())}
    row = rows[R + finding]
    assert float(row["estimate"]) == estimate and float(row["ci_level"]) == 0.95
    assert float(row["TE"]) == pytest.approx(math.log(estimate), abs=1e-6)
    assert float(row["seTE"]) == pytest.approx((math.log(upper) - math.log(lower)) / (2 * 1.959963985), abs=1e-5)
    assert row["measure"] in ("HR", "RR") and row["studlab"] and row["source"] and row["locator"]
    assert len(rows) == 6


def test_arm_figures_and_sources_for_reference_managers(client: FlaskClient) -> None:
    arms = _csv_rows(client.get("/evidence/arms.csv").data.decode())
    thal = next(r for r in arms if r["finding"].endswith("s002-ref1-pfs-thal"))
    assert (thal["arm_regimen"], thal["measure"], thal["value"], thal["unit"]) == \
        ("thalidomide alone", "median", "23", "month")
    assert any(r["measure"] == "count" and r["value"] == "1137" for r in arms)
    ris = client.get("/evidence/sources.ris").data.decode()
    assert "DO  - 10.1001/jamaoncol.2018.2961" in ris and "AN  - PMID:30098165" in ris and "AU  - Gay F" in ris
    bib = client.get("/evidence/sources.bib").data.decode()
    assert "@article{gay2018," in bib and "doi = {10.1093/jnci/djv342}" in bib and "@misc{mmkg-s001," in bib


def test_export_meta_analysis_from_the_command_line(release: Path, tmp_path: Path) -> None:
    out = tmp_path / "ma.csv"
    done = subprocess.run([sys.executable, "-m", "kg", "export", "--format", "meta-analysis", "-o", str(out),
                           "--out", str(release.parent.parent)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    assert len(rows) == 6 and {"TE", "seTE", "studlab"} <= set(rows[0])


def test_drug_pages_include_findings_about_pooled_regimens(client: FlaskClient) -> None:
    page = client.get("/resource/lenalidomide").data.decode()
    assert 'href="/resource/s001-pfs-hr"' in page and "via IMiD-based maintenance" in page
    assert 'href="/resource/s000-pfs-hr-len"' in page and "Wang et al. 2016 MA" in page
    assert "How it concerns this" in page
    trial = client.get("/resource/myeloma-xi").data.decode()
    assert "1971 patients" in trial and "1137 randomised" in trial and "Main results" in trial
    identified = client.get("/resource/mm-015").data.decode()
    assert 'href="/resource/s002-ref2-pfs"' in identified and "identified with this trial" in identified


def test_finding_pages_open_with_a_summary_titled_in_words(client: FlaskClient) -> None:
    page = client.get("/resource/s001-os-hr").data.decode()
    title = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "IMiD-based maintenance vs no maintenance or placebo: OS HR 0.93" in title and "s001-os-hr" not in title
    assert "95% CI 0.85–1.01" in page and "not significant, as the source reports it" in page
    assert "Discrepant with" in page and 'href="/resource/s001-lead-os"' in page
    classified = client.get("/resource/s000-os-hr-len").data.decode()
    assert "classified from the interval" in classified and "0.95" not in classified.split("Properties")[0]
    if default_sources_dir() is not None:  # the build quotes the sentence when it had the texts
        assert '<blockquote class="quote"' in page and "P = .082" in page
    # properties in clinical order: the comparison before the figures, the figures before the source
    props = page.split('class="properties"', 1)[1]
    assert props.index("intervention") < props.index("point estimate") < props.index("from source")


def test_saved_query_tables_read_well(client: FlaskClient) -> None:
    page = client.get("/queries/post-transplant-lenalidomide-medians").data.decode()
    assert "Median <span class=\"unit\">(months)</span>" in page and "table class=\"results sortable\"" in page
    assert ">Trial<" in page and ">Endpoint<" in page and 'class="term-source badge source"' in page
    plot = client.get("/queries/significant-pfs-benefit").data.decode()
    assert "svg" in plot and "forest-wide" in plot


def test_search_knows_brand_names_statements_and_matched_terms(client: FlaskClient) -> None:
    def first(q: str) -> list[dict[str, str]]:
        return list(client.get("/search", query_string={"q": q}, headers={"Accept": "application/json"}).get_json())

    assert first("Revlimid")[0]["iri"] == R + "lenalidomide"
    assert first("Velcade")[0]["iri"] == R + "bortezomib"
    both = {h["iri"] for h in first("thalidomide neuropathy")}
    assert R + "s001-thal-neuropathy" in both
    chebi = first("CHEBI:63791")
    assert chebi[0]["iri"] == R + "lenalidomide" and len({h["iri"] for h in chebi}) == len(chebi)
