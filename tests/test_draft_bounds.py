"""Drafting under a budget: linear on hostile input, limits around a draft, warnings instead of 500s, review."""

from __future__ import annotations

import html
import time
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import paths
from kg.curation.factbase import FactBase, load_facts
from kg.curation.numerals import number, numbers_in
from kg.curation.schema import SourceFile
from kg.drafting.document import draft_article
from kg.drafting.figures import recognise
from kg.drafting.lexicon import Lexicon
from kg.drafting.worker import DraftBusy, DraftPool, DraftTimeout, run_limited

UNITS = st.sampled_from(["1", "1 ", "0.5 ", "HR 0.5 ", "AB ", "Ab-", "(1 ", "[1, ", "1, 1-1/", "1 vs ", "1 mg ",
                         "1 months ", "HR ", "patients ", "days 1, ", "P<.001 ", "12% ", "AB trial "])


@pytest.fixture(scope="module")
def base() -> FactBase:
    facts = paths.facts_dir()
    return load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))


@pytest.fixture(scope="module")
def lexicon(base: FactBase) -> Lexicon:
    return Lexicon.from_facts(base)


def _seconds(text: str, base: FactBase, lexicon: Lexicon) -> float:
    started = time.perf_counter()
    draft_article(text, source_id="s099", file_name="x.txt", base=base, lexicon=lexicon)
    return time.perf_counter() - started


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=UNITS, mix=st.sampled_from(["", "Median PFS was 26.5 vs 21.3 months. "]))
def test_drafting_time_grows_linearly(unit: str, mix: str, base: FactBase, lexicon: Lexicon) -> None:
    """10 KB and 100 KB of the same repeated unit: a linear drafter takes about 10 times longer, a
    quadratic one about 100 times (a generous bound: a check of complexity, not of speed)."""
    def text(size: int) -> str:
        return ("Study. " + mix + unit * (size // len(unit) + 1))[:size]

    small = min(_seconds(text(10_000), base, lexicon) for _ in range(2))
    large = _seconds(text(100_000), base, lexicon)
    assert large < 30 * max(small, 0.02), (unit, small, large)


@pytest.mark.parametrize("text", ["1" * 8000, "HR 0.5 " + "1" * 8000, "AB " * 3000, "1 mg " * 2000])
def test_hostile_sentences_are_quick(text: str) -> None:
    started = time.perf_counter()
    recognise(text)
    assert time.perf_counter() - started < 2.0  # was 7 to 70 s before the patterns were bounded


def test_numerals_read_as_articles_write_them() -> None:
    assert number("Fifteen") == 15 and number("twenty-one") == 21 and number("0·72") == number("0.72")
    assert number("1,097") == 1097 and number("−0.94") == number("-0.94")
    assert {15, 1097} <= numbers_in("Fifteen of 1,097 patients")
    assert [f.data["value"] for f in recognise("Fifteen patients were randomised.")] == [15]


def _slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_run_limited_stops_at_the_time_limit() -> None:
    assert run_limited(_slow, (0.01,), timeout=5) == 0.01
    started = time.perf_counter()
    with pytest.raises(DraftTimeout, match=r"longer than 0\.3 s"):
        run_limited(_slow, (30,), timeout=0.3)
    assert time.perf_counter() - started < 10


@pytest.mark.slow
def test_the_pool_caps_clients_and_times_out(seeds: Path) -> None:
    pool = DraftPool(paths.facts_dir(), workers=1, timeout=60, per_client=1, max_wait=0.2)
    try:
        drafted, text = pool.draft("a", (seeds / "001_4e6393b2a2e8cbee.txt").read_text(encoding="utf-8"), "s099",
                                   "x.txt")
        assert drafted.findings and text.startswith("# Draft source fact file")
        pool.per_client = 0
        with pytest.raises(DraftBusy) as busy:
            pool.draft("a", "HR 0.5.", "s099", "x.txt")
        assert busy.value.http_status == 429 and busy.value.retry_after >= 1
        pool.per_client, pool.timeout = 1, 0.05
        with pytest.raises(DraftTimeout):
            pool.draft("b", "Median PFS was 26 vs 21 months. " * 3000, "s099", "x.txt")
        pool.timeout = 60
        assert pool.draft("b", "Median PFS was 26 vs 21 months.", "s099", "x.txt")[0].findings  # a fresh worker
        started = time.perf_counter()
        with pytest.raises(DraftTimeout, match="client disconnected"):  # the client left: stopped at once
            pool.draft("c", "Median PFS was 26 vs 21 months. " * 3000, "s099", "x.txt", lambda: True)
        assert time.perf_counter() - started < 5
    finally:
        pool.close()


def test_malformed_authors_and_reference_runs_warn(client: FlaskClient, base: FactBase) -> None:
    text = ("A trial\n\nAuthors: ;\n\nMedian PFS was 46 vs 27 months with lenalidomide and placebo.\n\nReferences\n"
            "1. Smith PL, Owzar K. One title. N Engl J Med. 2012;366(19):1770-1781.\n"
            "2. Smith PL, Holstein SA. Another title. J Clin Oncol. 2012;35(29):3279-3289.\n"
            "2. Smith PL, Holstein SA. Another title. J Clin Oncol. 2012;35(29):3279-3289.\n")
    drafted = draft_article(text, source_id="s099", file_name="x.txt", base=base)
    ids = [p["id"] for p in drafted.data["publications"]]
    assert len(ids) == len(set(ids)) == 2
    assert "authors" not in drafted.data["source"]
    assert any("names no author" in w for w in drafted.warnings)
    assert any("repeats reference" in w for w in drafted.warnings)
    page = client.post("/draft", data={"text": text})
    assert page.status_code == 200
    assert "names no author" in html.unescape(page.get_data(as_text=True))
    heading = draft_article("Results. HR 0.5.\n\nReference Zed M, Lauwers V. A title. Lancet. 2012;366:1782-91.",
                            source_id="s099", file_name="x.txt", base=base)
    assert heading.data["publications"][0]["authors"][0] == "Zed M"


def test_titles_are_cleaned(base: FactBase) -> None:
    drafted = draft_article('=HYPERLINK("x")  trial\n\nMedian PFS was 46 vs 27 months.', source_id="s099",
                            file_name="x.txt", base=base)
    assert drafted.data["source"]["title"] == 'HYPERLINK("x") trial'


def test_review_confirms_rejects_and_corrects(client: FlaskClient, seeds: Path) -> None:
    text = (seeds / "001_4e6393b2a2e8cbee.txt").read_text(encoding="utf-8")
    page = client.post("/draft", data={"text": text, "name": "001.txt"}).get_data(as_text=True)
    assert 'name="review.s005-p4s1-hr-1.status"' in page and 'name="review.s005-p4s1-hr-1.endpoint"' in page
    plain = yaml.safe_load(client.post("/draft.yaml", data={"text": text, "name": "001.txt"}).get_data(as_text=True))
    first, second = plain["findings"][0]["id"], plain["findings"][1]["id"]
    reviewed = client.post("/draft.yaml", data={
        "text": text, "name": "001.txt", "review.s005-p4s1-hr-1.status": "confirm",
        "review.s005-p4s1-hr-1.endpoint": "os", f"review.{first}.status": "reject",
        f"review.{second}.status": "draft"})
    assert reviewed.status_code == 200
    data = yaml.safe_load(reviewed.get_data(as_text=True))
    SourceFile.model_validate(data)
    found = {f["id"]: f for f in data["findings"]}
    assert first not in found and first in data["source"]["note"]
    assert found["s005-p4s1-hr-1"]["status"] == "curated" and found["s005-p4s1-hr-1"]["endpoint"] == "os"
    assert found[second]["status"] == "draft"
    bad = client.post("/draft.yaml", data={"text": text, "name": "001.txt",
                                           "review.s005-p4s1-hr-1.endpoint": "not-an-endpoint"})
    assert bad.status_code == 400 and "review.s005-p4s1-hr-1.endpoint" in html.unescape(bad.get_data(as_text=True))


def test_the_shared_lexicon_keeps_nothing_per_draft(base: FactBase, lexicon: Lexicon) -> None:
    surfaces, terms = dict(lexicon.surfaces), dict(lexicon.terms)
    for k in range(30):
        text = (f"The TRIAL{k}-X trial (NCT{k:08d}) of drug{k}zomib versus placebo (DZ{k}). Median PFS was {k + 10} vs "
                f"{k + 5} months with drug{k}zomib (DZ{k}) and placebo (HR 0.{k + 10}; P<0.001).")
        draft_article(text, source_id="s099", file_name="x.txt", base=base, lexicon=lexicon)
    assert lexicon.surfaces == surfaces and lexicon.terms == terms  # no article's abbreviation or trial stays
    assert lexicon._found is None  # and no sentence is remembered


def test_the_cli_warns_of_a_malformed_author_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    article = tmp_path / "a.txt"
    article.write_text("A trial\n\nAuthors: ;\n\nMedian PFS was 46 vs 27 months with lenalidomide and placebo.\n",
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["draft", str(article), "-o", str(tmp_path / "d.yaml")])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "warning: an 'Authors:' line at line 3 names no author" in result.output
    SourceFile.model_validate(yaml.safe_load((tmp_path / "d.yaml").read_text(encoding="utf-8")))
