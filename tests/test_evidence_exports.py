"""Exports that cannot double count: one key per trial, designs and overlaps, unique studlabs, contrasts
complete and consistent for netmeta, spreadsheet-safe cells, and the summary of findings with its twins."""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest
from flask.testing import FlaskClient

from kg.evidence.meta import META_COLUMNS, duplicate_reports, to_csv
from kg.evidence.sof import SOF_COLUMNS

R = "https://w3id.org/mmkg/resource/"
# Study records a source names by reference number, each a report of a named trial.
REPORTS = {"s002-ref1": "myeloma-ix", "s002-ref2": "mm-015", "s002-ref3": "ifm-2005-02",
           "s002-ref4": "calgb-100104", "s002-ref5": "gem05mas65", "s004-large-thal-trial": "myeloma-ix"}


def _rows(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv", url
    return list(csv.DictReader(io.StringIO(response.data.decode())))


@pytest.mark.parametrize("url", ["/evidence.csv", "/evidence/arms.csv", "/evidence/contrasts.csv"])
def test_no_trial_under_two_keys(client: FlaskClient, url: str) -> None:
    rows = _rows(client, url)
    keys = {k for r in rows for k in r["trial"].split()}
    assert keys and not keys & set(REPORTS)
    label_of: dict[str, set[str]] = {}
    for row in rows:
        if row.get("trial_label") and " " not in row["trial"]:
            label_of.setdefault(row["trial"], set()).add(row["trial_label"])
    assert all(len(labels) == 1 for labels in label_of.values()), label_of


def test_calgb_100104_is_one_trial_in_the_arm_table(client: FlaskClient) -> None:
    # before: "ref. 4 of s002 (likely CALGB 100104)" and "CALGB 100104" as two studies
    arms = _rows(client, "/evidence/arms.csv")
    calgb = [r for r in arms if "calgb-100104" in r["trial"].split()]
    assert calgb and {r["trial"] for r in calgb} <= {"calgb-100104", "calgb-100104 ifm-2005-02"}
    assert not any("ref. 4 of s002" in r["studlab"] for r in arms)
    assert any(r["n_arm"] == "1137" and r["trial"] == "myeloma-xi" for r in arms)


def test_the_meta_analysis_csv_says_design_included_trials_n_and_overlaps(client: FlaskClient) -> None:
    rows = {r["finding"].removeprefix(R): r for r in _rows(client, "/evidence.csv")}
    assert list(next(iter(rows.values()))) == list(META_COLUMNS)
    nma, ma = rows["s000-pfs-hr-len"], rows["s001-pfs-hr"]
    assert (nma["trial"], nma["design"], nma["included_trials"], nma["n_patients"], nma["n_studies"]) == \
        ("gay-2018-nma", "network meta-analysis", "not named", "5073", "11")
    assert (ma["trial"], ma["design"], ma["n_patients"]) == ("wang-2016-ma", "pairwise meta-analysis", "7730")
    assert nma["studlab"] in ma["overlaps"] and "trials not named" in ma["overlaps"]
    assert rows["s001-vte-rr"]["overlaps"] == ""  # no other thromboembolism estimate
    assert len({r["studlab"] for r in rows.values()}) == len(rows)
    assert all(" " not in r["study"] and r["study"].startswith(R) for r in rows.values())
    assert {r["p_comparator"] for r in rows.values()} <= {"", "lt", "le", "eq", "ge", "gt"}
    assert (ma["p"], ma["p_comparator"]) == ("0.001", "lt")
    assert all(float(r["TE"]) == float(r["TE"]) for r in rows.values())  # numeric, not neutralised


def test_every_text_cell_is_spreadsheet_safe_and_numbers_stay_numbers() -> None:
    text = to_csv([{"studlab": "=HYPERLINK(\"http://x\")", "trial": "@SUM(A1)", "TE": -0.94, "p_comparator": "lt",
                    "source": "-s1", "seTE": 0.1}], META_COLUMNS)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["studlab"].startswith("'=") and row["trial"] == "'@SUM(A1)" and row["source"] == "'-s1"
    assert row["TE"] == "-0.94" and row["seTE"] == "0.1"


def test_duplicate_reports_are_named_before_export() -> None:
    row = {"trial": "calgb-100104", "intervention": "lenalidomide alone", "comparator": "placebo",
           "endpoint": "overall survival", "adverse_event": None, "measure": "HR", "population": None}
    warnings = duplicate_reports([{**row, "finding": R + "a"}, {**row, "finding": R + "b"},
                                  {**row, "trial": "ifm-2005-02", "finding": R + "c"}])
    assert len(warnings) == 1 and "calgb-100104" in warnings[0] and "a, b" in warnings[0]


def test_contrasts_are_complete_and_consistent_for_each_multi_arm_trial(client: FlaskClient) -> None:
    rows = _rows(client, "/evidence/contrasts.csv")
    assert {"treat1", "treat2", "TE", "seTE", "studlab"} <= set(rows[0])
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault((row["studlab"], row["outcome"], row["measure"]), []).append(row)
    multi = 0
    for group in groups.values():
        te = {(r["treat1"], r["treat2"]): float(r["TE"]) for r in group}
        te |= {(b, a): -v for (a, b), v in list(te.items())}
        treatments = {t for pair in te for t in pair}
        assert len(group) == len(treatments) * (len(treatments) - 1) // 2  # complete, no duplicate contrast
        for a, b, c in itertools.permutations(sorted(treatments), 3):
            assert te[(a, c)] == pytest.approx(te[(a, b)] + te[(b, c)], abs=1e-5)  # consistent
        multi += len(treatments) > 2
    assert multi >= 1  # the network meta-analysis's PFS contrasts form one multi-arm set
    assert any(r["derived"] == "TRUE" and r["note"] for r in rows)


def test_summary_of_findings_page_and_twins(client: FlaskClient) -> None:
    page = client.get("/evidence/summary")
    assert page.status_code == 200
    html = page.data.decode()
    for column in ("Relative effect (95% CI)", "Participants (studies)", "Follow-up", "Certainty of the evidence",
                   "Comments", "Sources"):
        assert column in html
    assert "HR 0.62 (0.57 to 0.67)" in html and "not assessed" in html
    data = json.loads(client.get("/evidence/summary.json").data)
    imid = next(t for t in data["tables"] if t["intervention"] == R + "imid-maintenance")
    assert imid["rows"][0]["outcome"] == "progression-free survival"
    assert all(r["certainty"] == "not assessed" for t in data["tables"] for r in t["rows"])
    xi = next(t for t in data["tables"] if t["intervention"] == R + "len" and t["comparator"] == R + "observation")
    os_rows = [r for r in xi["rows"] if r["outcome"] == "overall survival"]
    assert {r["population"] for r in os_rows} == {"Myeloma XI transplant-eligible patients",
                                                  "Myeloma XI transplant-ineligible patients"}
    rows = _rows(client, "/evidence/summary.csv")
    assert list(rows[0]) == list(SOF_COLUMNS) and len(rows) == sum(len(t["rows"]) for t in data["tables"])


def test_summary_of_findings_for_one_drug_and_its_links(client: FlaskClient) -> None:
    bort = json.loads(client.get("/evidence/summary.json", query_string={"drug": "res:bortezomib"}).data)
    assert bort["tables"] and all("imid-maintenance" not in t["intervention"] for t in bort["tables"])
    bad = client.get("/evidence/summary.json", query_string={"drug": "res:no-such-drug"})
    assert bad.status_code == 400 and "drug" in bad.get_json()["error"]
    assert client.get("/evidence/summary", query_string={"colour": "red"}).status_code == 400
    assert 'href="/evidence/summary"' in client.get("/evidence").data.decode()
    drug_page = client.get("/resource/lenalidomide").data.decode()
    assert "/evidence/summary?drug=" in drug_page


def test_subgroup_results_name_their_population_in_the_map(client: FlaskClient) -> None:
    data = json.loads(client.get("/evidence.json").data)
    row = next(r for r in data["rows"] if r["regimen"] == R + "len")
    results = {c["finding"]: c for c in row["cells"]["os"]}
    te, ti = results[R + "s003-os-te"], results[R + "s003-os-ti"]
    assert te["population"] == "Myeloma XI transplant-eligible patients" and "transplant-eligible" in te["study"]
    assert ti["population"] == "Myeloma XI transplant-ineligible patients"
    assert te["trials"] == ["myeloma-xi"]
    home = client.get("/").data.decode()
    assert "transplant-eligible patients" in home
