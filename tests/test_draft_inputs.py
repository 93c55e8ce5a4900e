"""Reading articles in their real formats: chosen by content, tables as cells, bad input refused with where."""

from __future__ import annotations

import gzip
import importlib.util
import io
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from kg import paths
from kg.cli import main
from kg.curation.factbase import load_facts
from kg.curation.provenance import check_provenance
from kg.curation.tabletext import split_tables
from kg.curation.texts import SourceText, numbers_in, parse_locator
from kg.drafting.document import draft_article
from kg.drafting.inputs import derived_name, read_input, read_input_file
from kg.drafting.inputs import pdf as pdf_reader
from kg.drafting.inputs.limits import MAX_FILE_BYTES, MAX_INFLATED_BYTES, Deadline
from kg.drafting.workflow import accept_draft, preview_inputs
from kg.errors import ArticleError, FactError

ARTICLES = Path(__file__).parent / "data" / "articles"


def _pdf_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_falcon2_pdf", ARTICLES / "make_falcon2_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(name: str) -> bytes:
    return (ARTICLES / name).read_bytes()


@pytest.mark.parametrize(("name", "fmt"), [
    ("falcon2.pdf", "pdf"), ("heron-jats.xml", "jats"), ("kestrel-medline.xml", "medline"),
    ("merlin-news.html", "html"), ("review-table.txt", "text"),
])
def test_the_format_is_read_from_the_content_not_the_name(name: str, fmt: str) -> None:
    assert read_input(_read(name), "misnamed.txt").format == fmt
    assert read_input(_read(name), "article.pdf").text == read_input(_read(name), name).text


def test_a_pdf_with_an_unruled_table() -> None:
    doc = read_input(_read("falcon2.pdf"), "falcon2.pdf")
    (table,) = doc.tables
    assert table.caption.startswith("Table 2. Efficacy and safety outcomes")
    # the header wrapped over two lines is one header row; a row header wrapped over two lines is one cell
    assert table.columns == ("Outcome", "Isatuximab (n = 310)", "Lenalidomide (n = 308)", "HR (95% CI)")
    assert table.rows[0] == ("Median progression-free survival, months", "49.3", "37.6", "0.71 (0.57-0.88)")
    assert table.rows[3][0] == "Discontinuation because of adverse events, %"
    text = SourceText.from_text(doc.text)
    assert text.paragraphs[0][0].startswith("Isatuximab maintenance versus lenalidomide")
    assert not any(s.strip() in ("1", "2") for p in text.paragraphs for s in p)  # page numbers dropped
    assert "0.71" not in split_tables(doc.text)[0].split("Results")[-1]  # the table is not also prose


def test_a_jats_table_wrap_with_two_header_rows_and_a_reference_list() -> None:
    doc = read_input(_read("heron-jats.xml"), "heron-jats.xml")
    (table,) = doc.tables
    assert table.caption == "Table 1 Efficacy outcomes (intention-to-treat population)"
    assert table.columns == ("Outcome", "Daratumumab (n = 243)", "Observation (n = 243)", "Hazard ratio (95% CI)")
    assert table.cell(1, 4) == "0.58 (0.45–0.75)"
    prose = split_tables(doc.text)[0]
    assert "1. Osprey A, Merlin B. Designing maintenance trials in myeloma." in " ".join(prose.split())
    assert "Journal of Invented Haematology" not in prose  # journal metadata is not article text


def test_jats_citations_read_as_printed() -> None:
    jats = (b'<article><front><article-meta><title-group><article-title>T</article-title></title-group>'
            b'</article-meta></front><body><p>Survival was longer<sup><xref ref-type="bibr" rid="b1">12</xref>'
            b'</sup> in 308 patients (<xref ref-type="table" rid="t1">Table 1</xref>).</p></body></article>')
    assert read_input(jats, "c.xml").text == "T\n\nSurvival was longer [12] in 308 patients (Table 1).\n"


def test_a_structured_jats_reference_is_written_as_printed() -> None:
    jats = (b'<article><front/><body><p>Text.</p></body><back><ref-list><ref id="r2"><label>2</label>'
            b'<element-citation publication-type="journal"><person-group person-group-type="author">'
            b'<name><surname>Heron</surname><given-names>Clara</given-names></name>'
            b'<name><surname>Kite</surname><given-names>JM</given-names></name></person-group>'
            b'<article-title>Anti-CD38 maintenance.</article-title><source>J Invent Haematol</source>'
            b'<year>2024</year><volume>13</volume><issue>2</issue><fpage>55</fpage><lpage>61</lpage>'
            b'<pub-id pub-id-type="doi">10.5555/jih.2024.55</pub-id></element-citation></ref></ref-list></back>'
            b'</article>')
    assert read_input(jats, "r.xml").text.split("\n\n")[-1].replace("\n", " ").strip() == (
        "2. Heron C, Kite JM. Anti-CD38 maintenance. J Invent Haematol. 2024;13(2):55-61. doi: 10.5555/jih.2024.55")


def test_a_pmc_article_set_is_read_as_its_article() -> None:
    jats = _read("heron-jats.xml").decode()
    body = jats[jats.index("<article "):]
    wrapped = f'<?xml version="1.0"?>\n<pmc-articleset>{body}</pmc-articleset>'.encode()
    assert read_input(wrapped, "efetch.xml").text == read_input(_read("heron-jats.xml"), "heron.xml").text


def test_a_medline_structured_abstract() -> None:
    text = SourceText.from_text(read_input(_read("kestrel-medline.xml"), "k.xml").text)
    paragraphs = [" ".join(p) for p in text.paragraphs]
    assert paragraphs[0].startswith("Ixazomib plus lenalidomide versus lenalidomide alone")
    assert [p.split(":")[0] for p in paragraphs[1:5]] == ["Background", "Methods", "Results", "Conclusions"]
    assert "doi: 10.5555/ijm.2025.0211" in paragraphs[-1] and paragraphs[-1].startswith("1. Falk A, Sperber T.")


def test_a_saved_page_without_its_debris() -> None:
    doc = read_input(_read("merlin-news.html"), "page.html")
    prose = split_tables(doc.text)[0]
    assert "median progression-free survival was 61.5 months" in " ".join(prose.split())
    for debris in ("cookies", "Related Articles", "Continue Reading", "Most read", "Home", "All rights reserved",
                   "smouldering", "window.analytics"):
        assert debris not in doc.text, debris
    assert [t.caption for t in doc.tables] == ["Key results of the MERLIN trial"]  # not the sidebar's table
    assert not {12400, 9800, 3200} & {int(n) for n in numbers_in(doc.text)}
    tiny = (b"<html><body><nav><p>Menu item</p></nav><div><p>Short.</p><p>HR 0.5 for PFS.</p></div>"
            b"<table><tr><td>1</td><td>612</td></tr><tr><td>2</td><td>455</td></tr></table></body></html>")
    assert read_input(tiny, "tiny.html").text == "Short.\n\nHR 0.5 for PFS.\n"
    figure = (b"<html><body><article><p>The trial's results were reported at a meeting in June, with the figures "
              b"below.</p><figure><figcaption>Table 2. Responses</figcaption><table><tr><th>Response</th><th>Dara"
              b"</th></tr><tr><td>CR</td><td>51%</td></tr></table></figure></article></body></html>")
    assert [t.caption for t in read_input(figure, "f.html").tables] == ["Table 2. Responses"]


def test_a_tab_separated_table_pasted_from_a_pdf() -> None:
    doc = read_input(_read("review-table.txt"), "review-table.txt")
    (table,) = doc.tables
    assert table.caption == "Table 1. Randomised trials of maintenance therapy after transplantation"
    assert table.columns[4] == "HR for PFS (95 % CI)" and [r[0] for r in table.rows] == ["OSPREY", "HARRIER",
                                                                                          "PEREGRINE"]
    wrapped = "Trial\tHR for PFS\tHR for OS\nOSPREY\t0.51 (0.41-\t0.80 (0.62-\n\t0.63)\t1.04)\nHARRIER\t0.48\t0.72\n"
    rows = read_input(wrapped.encode(), "w.txt").tables[0].rows
    assert rows[0] == ("OSPREY", "0.51 (0.41- 0.63)", "0.80 (0.62- 1.04)")
    spaced = "Results by trial.\n\nTrial     Patients   HR\nOSPREY    612        0.51\nHARRIER   455        0.48\n"
    rows = read_input(spaced.encode(), "s.txt").tables[0].rows
    assert rows == (("OSPREY", "612", "0.51"), ("HARRIER", "455", "0.48"))


def test_a_derived_text_reads_back_as_itself() -> None:
    for name in ("falcon2.pdf", "heron-jats.xml", "merlin-news.html", "review-table.txt"):
        doc = read_input(_read(name), name)
        again = read_input(doc.text.encode("utf-8"), "derived.txt")
        assert (again.text, again.tables) == (doc.text, doc.tables)


def test_plain_text_without_tables_is_kept_as_it_is(seeds: Path) -> None:
    for path in sorted(seeds.glob("*.txt")):
        doc = read_input_file(path)
        assert (doc.format, doc.tables, doc.text) == ("text", (), path.read_text(encoding="utf-8-sig"))


# -- cell locators and the provenance check -----------------------------------------------------------

def test_cell_locators() -> None:
    assert str(parse_locator("t2.r3.c4")) == "t2.r3.c4"
    assert str(parse_locator("t1.r0.c2-3")) == "t1.r0.c2-3" and str(parse_locator("t1.r2")) == "t1.r2"
    assert parse_locator("t1.r2.c2").sentences == range(0)
    with pytest.raises(ValueError, match="column range runs backwards"):
        parse_locator("t1.r2.c4-2")
    text = SourceText.from_text(read_input(_read("falcon2.pdf"), "f.pdf").text)
    # a cell is read with its row and column headers, as a figure there is meant
    assert text.at(parse_locator("t1.r1.c4")) == (
        "Median progression-free survival, months | HR (95% CI): 0.71 (0.57-0.88)")
    assert numbers_in(text.at(parse_locator("t1.r0.c2"))) == {Decimal(310)}
    with pytest.raises(IndexError, match="row 9 of table 1 does not exist"):
        text.at(parse_locator("t1.r9.c2"))
    with pytest.raises(IndexError, match="table 2 does not exist"):
        text.at(parse_locator("t2.r1"))


def _confirmed(draft: Path) -> None:
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    for section in data.values():
        for entry in section if isinstance(section, list) else []:
            if entry.get("status") == "draft":
                entry["status"] = "curated"
    draft.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _draft(article: Path, draft: Path, facts: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["draft", str(article), "-o", str(draft), "--id", "s005", "--facts", str(facts)])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = yaml.safe_load(draft.read_text(encoding="utf-8"))
    return data


def _provenance(draft: Path, article: Path, facts: Path) -> tuple[int, list[FactError]]:
    with preview_inputs(draft, article, facts, None) as (preview_facts, preview_sources):
        stored = preview_sources / yaml.safe_load(draft.read_text(encoding="utf-8"))["source"]["file"]
        assert stored.read_text(encoding="utf-8") == read_input_file(article).text  # the derived text
        base = load_facts(preview_facts / "reference.yaml", [preview_facts / "sources" / "s005.yaml"])
        return check_provenance(base, preview_sources)


def test_a_pdf_draft_is_checked_cell_by_cell_against_its_derived_text(tmp_path: Path, facts_copy: Path) -> None:
    article, draft = ARTICLES / "falcon2.pdf", tmp_path / "s005.yaml"
    data = _draft(article, draft, facts_copy)
    assert data["source"]["file"] == "falcon2.txt"
    assert {"t1.r3.c2", "t1.r3.c3", "t1.r0.c2"} <= {f["at"] for f in data["findings"]}
    checked, errors = _provenance(draft, article, facts_copy)
    assert errors == [] and checked >= 20
    text = draft.read_text(encoding="utf-8")
    at = text.index("at: t1.r3.c2")
    draft.write_text(text[:at] + text[at:].replace("value: 51", "value: 52", 1), encoding="utf-8")
    _, errors = _provenance(draft, article, facts_copy)
    assert [e.message for e in errors] == ["figure 52 not found at t1.r3.c2 of falcon2.txt"]


def test_a_confirmed_table_draft_is_accepted_with_its_derived_text(tmp_path: Path, facts_copy: Path,
                                                                   seeds: Path) -> None:
    article, draft, sources = ARTICLES / "review-table.txt", tmp_path / "s005.yaml", tmp_path / "sources"
    sources.mkdir()
    for seed in seeds.glob("*.txt"):
        (sources / seed.name).symlink_to(seed)
    _draft(article, draft, facts_copy)
    _confirmed(draft)
    written = accept_draft(draft, article, facts_copy, sources)
    stored = sources / "review-table.txt"
    assert written == [facts_copy / "sources" / "s005.yaml", stored]
    assert stored.read_text(encoding="utf-8") == read_input_file(article).text
    assert "[Table 1: Table 1. Randomised trials" in stored.read_text(encoding="utf-8")
    accepted = load_facts(facts_copy / "reference.yaml", [facts_copy / "sources" / "s005.yaml"])
    checked, errors = check_provenance(accepted, sources)  # as the build checks it, from the stored text
    assert errors == [] and checked >= 20


# -- bad input: what and where; bounds -------------------------------------------------------------------

def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(ARTICLES / "falcon2.pdf").pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<article><front/><body><p>&lol9;</p></body></article>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<article><front/><body><p>HR 0.5 &secret;</p></body></article>"""


@pytest.mark.parametrize(("data", "where", "message"), [
    (b"caf\xe9 au lait", "a.txt", "not UTF-8 text (invalid byte 0xe9 at offset 3)"),
    (b"PK\x03\x04\x14\x00\x00\x00word/document.xml", "a.docx", "it looks like a ZIP archive"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "scan.pdf", "it looks like a PNG image"),
    (b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "broken.pdf", "broken.pdf: a damaged or truncated PDF"),
    (b"\x1f\x8b\x08\x00garbage", "x.gz", "x.gz: a damaged"),
    (b"<?xml version='1.0'?>\n<library>\n<book/></library>", "a.xml",
     "a.xml:2: XML whose root element is <library>: neither a JATS article"),
    (b"<?xml version='1.0'?>\n<article><front>\n<title>unclosed</front></article>", "b.xml",
     "b.xml:3: not well-formed XML"),
    (BOMB, "bomb.xml", "bomb.xml:3: the XML declares an entity"),
    (EXTERNAL, "xxe.xml", "xxe.xml:2: the XML declares an entity"),
    (EXTERNAL.replace(b"[<!ENTITY", b"[<!ELEMENT x ANY><!-- " + b"padding " * 1000 + b"--><!ENTITY"), "late.xml",
     "late.xml:2: the XML declares an entity"),  # a subset padded past any window near the doctype
    (b"Results by trial:\n\n1\t612\t0.51\n2\t455\t0.48\n3\t398\t0.74\n", "t.txt",
     "t.txt:3: a table (lines 3-5) has no header row"),
    (b"<article><front/><body><table-wrap><table><tr><td>1</td><td>612</td><td>0.5</td></tr>"
     b"<tr><td>2</td><td>455</td><td>0.4</td></tr></table></table-wrap></body></article>", "j.xml",
     "the table has no header row"),
])
def test_bad_input_is_refused_naming_what_and_where(data: bytes, where: str, message: str) -> None:
    with pytest.raises(ArticleError, match=None) as caught:
        read_input(data, where)
    assert message in str(caught.value) and where in str(caught.value)
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd was read
    assert caught.value.http_status in (400, 413)


def test_an_encrypted_or_truncated_pdf_is_refused() -> None:
    with pytest.raises(ArticleError, match="an encrypted PDF"):
        read_input(_encrypted_pdf(), "locked.pdf")
    pdf = _read("falcon2.pdf")
    with pytest.raises(ArticleError, match=r"half\.pdf: a damaged or truncated PDF"):
        read_input(pdf[:len(pdf) // 2], "half.pdf")


def test_the_bounds_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ArticleError, match="the drafter reads at most") as size:
        read_input(b"%PDF-1.7" + b" " * MAX_FILE_BYTES, "huge.pdf")
    assert size.value.http_status == 413
    with pytest.raises(ArticleError, match="inflates to more than") as inflated:
        read_input(gzip.compress(b"<article>" + b" " * (MAX_INFLATED_BYTES + 1)), "bomb.xml.gz")
    assert inflated.value.http_status == 413
    assert read_input(gzip.compress(_read("heron-jats.xml")), "heron.xml.gz").format == "jats"
    with pytest.raises(ArticleError, match=r"reading took longer than 0 s \(stopped at page 1 of \d\)"):
        read_input(_read("falcon2.pdf"), "slow.pdf", deadline=Deadline("slow.pdf", seconds=0))
    page = _read("merlin-news.html")
    with pytest.raises(ArticleError, match=r"the page holds [\d,]+ bytes of text; the drafter reads at most") as text:
        read_input(page.replace(b"<main>", b"<main>" + b"<p>Filler of a site dump.</p>" * 60_000), "dump.html")
    assert text.value.http_status == 413
    grid = b"<table><tr><th>Arm</th><th>n</th></tr><tr><td>A</td><td>1</td></tr></table>" * 201
    with pytest.raises(ArticleError, match="the page holds more than 200 tables") as tables:
        read_input(page.replace(b"<main>", b"<main>" + grid), "grid.html")
    assert tables.value.http_status == 413
    monkeypatch.setattr(pdf_reader, "MAX_PDF_PAGES", 2)
    with pytest.raises(ArticleError, match=r"the PDF has 3 pages; the drafter reads at most 2"):
        read_input(_read("falcon2.pdf"), "long.pdf")


def test_derived_names() -> None:
    pdf = read_input(_read("falcon2.pdf"), "x")
    assert derived_name("falcon2.pdf", pdf) == "falcon2.txt"
    assert derived_name("my article (final).pdf", pdf) == "my-article--final-.txt"
    assert derived_name("notes.txt", read_input(b"Some text.", "notes.txt")) == "notes.txt"


# -- the command line and the page ----------------------------------------------------------------------

def test_the_cli_refuses_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    article = tmp_path / "locked.pdf"
    article.write_bytes(_encrypted_pdf())
    output = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["draft", str(article), "-o", str(output)])
    assert result.exit_code != 0 and isinstance(result.exception, ArticleError)
    assert result.exception.exit_code == 2  # what the entry point exits with (kg.cli.run)
    assert "locked.pdf: an encrypted PDF" in str(result.exception) and not output.exists()


def test_the_draft_page_takes_an_upload(client: FlaskClient) -> None:
    page = client.post("/draft", data={"file": (io.BytesIO(_read("falcon2.pdf")), "falcon2.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    body = page.get_data(as_text=True)
    assert "t1.r3.c2" in body and "falcon2.txt" in body
    pasted = client.post("/draft", data={"text": _read("review-table.txt").decode(), "name": "review.txt"})
    assert "t1.r2.c5" in pasted.get_data(as_text=True)
    locked = client.post("/draft", data={"file": (io.BytesIO(_encrypted_pdf()), "locked.pdf")},
                         content_type="multipart/form-data")
    assert locked.status_code == 400 and "field &#39;file&#39;: locked.pdf: an encrypted PDF" in locked.get_data(
        as_text=True)
    big = client.post("/draft", data={"file": (io.BytesIO(b"%PDF-1.7" + b" " * (9 * 1024 * 1024)), "big.pdf")},
                      content_type="multipart/form-data")
    assert big.status_code == 413


def test_the_pdf_fixture_script_makes_the_committed_pdf(tmp_path: Path) -> None:
    _pdf_script().build(tmp_path / "again.pdf")
    again = read_input((tmp_path / "again.pdf").read_bytes(), "again.pdf")
    assert again.text == read_input(_read("falcon2.pdf"), "falcon2.pdf").text


def test_a_pdf_with_a_ruled_table(tmp_path: Path) -> None:
    _pdf_script().build_ruled(tmp_path / "ruled.pdf")
    doc = read_input((tmp_path / "ruled.pdf").read_bytes(), "ruled.pdf")
    (table,) = doc.tables
    assert table.columns == ("Subgroup", "Patients", "HR for PFS (95% CI)")
    assert table.caption == "Table 3. Progression-free survival by subgroup"
    assert table.rows[2] == ("High-risk cytogenetics", "131", "0.61 (0.39-0.95)")
    assert "0.61" not in split_tables(doc.text)[0]  # the grid's text is the table, not prose too


def test_a_pdf_set_in_two_columns_is_read_column_by_column(tmp_path: Path) -> None:
    _pdf_script().build_two_columns(tmp_path / "columns.pdf")
    doc = read_input((tmp_path / "columns.pdf").read_bytes(), "columns.pdf")
    paragraphs = [" ".join(p.split()) for p in doc.text.split("\n\n")]
    assert doc.tables == ()
    assert paragraphs[0].startswith("FALCON-2: maintenance with isatuximab")
    assert paragraphs[1].startswith("Background: Lenalidomide is the standard") and "Methods: In this" in paragraphs[1]
    assert paragraphs[2].startswith("Methods. Patients aged 18 to 70 years") and paragraphs[2].endswith(
        "stratified by stage and response.")
    assert paragraphs[5].startswith("Results. Median progression-free survival was 49.3 months")
    _pdf_script().build_two_columns(tmp_path / "table.pdf", table=True)  # and a full-width table below them
    (table,) = read_input((tmp_path / "table.pdf").read_bytes(), "table.pdf").tables
    assert table.columns == ("Outcome", "Isatuximab", "Lenalidomide", "HR")
    assert table.rows[0] == ("Median progression-free survival, months", "49.3", "37.6", "0.71 (0.57-0.88)")


def test_a_page_in_its_own_charset() -> None:
    page = ('<html><head><meta charset="windows-1252"><title>t</title></head><body><article>'
            '<p>Median progression-free survival was 49.3 months with isatuximab and 37.6 months with lenalidomide '
            '(HR 0.71; 95% CI, 0.57\u20130.88), a gain that investigators called \u201cmeaningful\u201d for '
            'patients treated after transplantation in the trial.</p></article></body></html>')
    doc = read_input(page.encode("cp1252"), "page.htm")
    assert "0.57\u20130.88" in doc.text and "\u201cmeaningful\u201d" in doc.text


def test_prose_that_only_looks_aligned_stays_prose() -> None:
    prose = ("The trial met its endpoint.  Median PFS was 49.3 months with isatuximab.\n"
             "Overall survival data were immature.  Neutropenia was the most common event\n"
             "of grade 3 or 4 in both groups, and infections were rare.  No deaths were\n"
             "attributed to treatment.\n\n"
             "1.  Osprey A, Merlin B. Designing maintenance trials in myeloma. J Invent Haematol. 2023;12:101-9.\n"
             "2.  Falk A, Sperber T. Ixazomib plus lenalidomide as maintenance. Invent J Myeloma. 2025;44:211-20.\n"
             "3.  Heron C. Anti-CD38 antibodies after transplantation. J Invent Haematol. 2024;13:55-61.\n")
    doc = read_input(prose.encode(), "prose.txt")
    assert (doc.tables, doc.text) == ((), prose)


SUBGROUPS = """Results by subgroup and safety in the FALCON-2 trial.

Table 3. Outcomes
Outcome\tIsatuximab (n = 310)\tLenalidomide (n = 308)\tHR (95% CI)
Transplant-eligible, age < 65 years
Median PFS, months\t51.0 (44.2\u2013NR)\t38.1 (33.0\u201343.9)\t0.69 (0.53\u20130.90); P = .006
Safety
Grade 3\u20134 neutropenia, n (%)\t28 (9.0)\t83 (26.9)\t\u2014
"""


def test_a_review_table_gives_each_row_its_own_trial() -> None:
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    doc = read_input(_read("review-table.txt"), "review-table.txt")
    data = draft_article(doc.text, source_id="s099", file_name="review-table.txt", base=base).data
    by_row = {}
    for finding in data["findings"]:
        if finding["at"].startswith("t1.r") and finding["kind"] != "dose":  # a dose names its arm instead
            by_row.setdefault(finding["at"].split(".")[1], set()).add(finding.get("study"))
    assert by_row == {"r1": {"osprey"}, "r2": {"harrier"}, "r3": {"peregrine"}}
    assert {"osprey", "harrier", "peregrine"} <= {s["id"] for s in data["studies"]}


def test_table_rows_are_drafted_with_their_headers_and_group_labels() -> None:
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    doc = read_input(SUBGROUPS.encode(), "subgroups.txt")
    assert [r[0] for r in doc.tables[0].rows] == ["Transplant-eligible, age < 65 years", "Median PFS, months",
                                                  "Safety", "Grade 3\u20134 neutropenia, n (%)"]
    drafted = draft_article(doc.text, source_id="s099", file_name="subgroups.txt", base=base)
    found = {(f["at"], f["kind"]): f for f in drafted.findings}
    median = found[("t1.r2.c2", "median")]
    assert (median["value"], median["endpoint"], median["unit"]) == (Decimal("51.0"), "pfs", "month")
    ratio = found[("t1.r2.c4", "hazard_ratio")]
    assert (ratio["estimate"], ratio["p"], ratio["comparator"]) == (Decimal("0.69"), "=0.006", "len")
    share = found[("t1.r4.c3", "proportion")]  # "83 (26.9)" under "n (%)" is a share of 26.9 %
    assert (share["value"], share["adverse_event"], share["grades"]) == (Decimal("26.9"), "neutropenia", [3, 4])
    assert not any(f["at"].startswith(("t1.r1", "t1.r3")) for f in drafted.findings)  # labels, not results
    assert "Transplant-eligible" in drafted.text.at(parse_locator("t1.r1"))


def test_row_clauses_read_cells_the_way_articles_state_them() -> None:
    from kg.curation.tabletext import TableSegment
    from kg.drafting.lexicon import Lexicon
    from kg.drafting.tables import row_clauses

    facts = paths.facts_dir()
    lexicon = Lexicon.from_facts(load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml"))))
    table = TableSegment.of(1, "", ["Endpoint", "Hazard ratio for progression or death", "P value"],
                            [["Overall", "0\u00b771 (95% CI, 0\u00b757\u20130\u00b788)", "<0.001"]])
    ((row, clause),) = row_clauses(table, lexicon)
    assert (row, clause.text) == (1, "Overall: progression or death: Hazard ratio 0\u00b771 "
                                     "(95% CI 0\u00b757-0\u00b788); p<0.001.")
    cells = clause.cells(clause.text.index("Hazard"), clause.text.index(");"))
    assert cells == [(1, 2)]


def test_an_adverse_event_table_with_grade_columns_per_arm() -> None:
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    text = ("Adverse events in the FALCON-2 trial.\n\nTable 4. Adverse events\n"
            "Event\tIsatuximab (n = 310) Any grade\tIsatuximab (n = 310) Grade 3\u20134\t"
            "Lenalidomide (n = 308) Any grade\tLenalidomide (n = 308) Grade 3\u20134\n"
            "Neutropenia, %\t41\t9\t58\t27\nInfection, %\t30\t6\t25\t5\n")
    data = draft_article(read_input(text.encode(), "ae.txt").text, source_id="s099", file_name="ae.txt",
                         base=base).data
    arms = {a["id"]: a["regimen"] for a in data.get("arms", [])}
    read = {(f["at"], f["value"]): (f.get("adverse_event"), f.get("grades"), arms.get(f.get("arm"), f.get("arm")))
            for f in data["findings"] if f["kind"] == "proportion"}
    assert read[("t1.r1.c3", Decimal(9))] == ("neutropenia", [3, 4], "isatuximab-alone")
    assert read[("t1.r1.c4", Decimal(58))] == ("neutropenia", None, "len")  # any grade: no grades carried over
    assert read[("t1.r2.c5", Decimal(5))] == ("infection", [3, 4], "len")
    assert sorted(f["value"] for f in data["findings"] if f["kind"] == "count") == [308, 310]  # each arm once


GROUPED_PAGE = b"""<!doctype html><html><body><article><h1>Results of the GANNET trial</h1>
<p>Elotuzumab plus lenalidomide was compared with lenalidomide alone in the GANNET trial.</p>
<table><caption>Outcomes</caption>
<thead><tr><th scope="col">Outcome</th><th scope="col">Elotuzumab + lenalidomide</th>
<th scope="col">Lenalidomide alone</th></tr></thead>
<tbody><tr><th scope="rowgroup" colspan="3">Transplantation-ineligible patients</th></tr>
<tr><th scope="row">Median PFS, months</th><td>41.0</td><td>31.7</td></tr>
<tr><th scope="row">Hazard ratio for PFS (95% CI)</th><td colspan="2">0.73 (0.60&#8211;0.89)</td></tr>
</tbody></table></article></body></html>"""


def test_a_body_cell_spanning_columns_is_written_once() -> None:
    table = read_input(GROUPED_PAGE, "grouped.html").tables[0]
    assert table.rows[0] == ("Transplantation-ineligible patients", "", "")  # a label over the rows below
    assert table.rows[2] == ("Hazard ratio for PFS (95% CI)", "0.73 (0.60\u20130.89)", "")  # one ratio, not two
    facts = paths.facts_dir()
    base = load_facts(facts / "reference.yaml", sorted((facts / "sources").glob("*.yaml")))
    doc = read_input(GROUPED_PAGE, "grouped.html")
    findings = draft_article(doc.text, source_id="s099", file_name="grouped.txt", base=base).findings
    ratios = [f for f in findings if f["kind"] == "hazard_ratio"]
    assert [(r["estimate"], r["endpoint"], r["intervention"]) for r in ratios] == [
        (Decimal("0.73"), "pfs", "elotuzumab-lenalidomide")]
    medians = {f["value"]: f for f in findings if f["kind"] == "median"}  # "(95% CI)" is no "%": medians
    assert set(medians) == {Decimal("41.0"), Decimal("31.7")}


def test_jats_exponents_and_caption_parts() -> None:
    doc = read_input(b"""<article><front><article-meta><title-group><article-title>T</article-title></title-group>
</article-meta></front><body><p>MRD negativity (10<sup>\xe2\x88\x925</sup>) was reached by 62% of patients.</p>
<table-wrap><label>Table 1.</label><caption><title>Outcomes</title><p>Intention-to-treat population.</p></caption>
<table><thead><tr><th>Outcome</th><th>A</th></tr></thead><tbody><tr><td>OS, %</td><td>88</td></tr></tbody></table>
</table-wrap></body></article>""", "x.xml")
    assert "(10\u207b\u2075)" in doc.text  # a threshold, not the range "10-5"
    assert doc.tables[0].caption == "Table 1. Outcomes. Intention-to-treat population."


def test_a_row_header_wrapped_onto_its_own_line_continues_its_row() -> None:
    text = ("Safety is shown below.\n\nTable 4. Adverse events\nEvent\tCarfilzomib\tPlacebo\n"
            "Grade 3 or 4 neutropenia, %\t21\t9\nDiscontinuation because of\t14\t6\nadverse events, %\n"
            "Grade 3 or 4 hypertension, %\t7\t2\n")
    table = read_input(text.encode(), "t.txt").tables[0]
    assert [r[0] for r in table.rows] == ["Grade 3 or 4 neutropenia, %", "Discontinuation because of adverse events, %",
                                          "Grade 3 or 4 hypertension, %"]
    spaced = ("Table 4. Adverse events\nEvent                           Carfilzomib    Placebo\n"
              "Grade 3 or 4 neutropenia, %     21             9\nDiscontinuation because of      14             6\n"
              "  adverse events, %\nGrade 3 or 4 hypertension, %    7              2\n\nThe rest is prose.\n")
    (aligned,) = read_input(spaced.encode(), "s.txt").tables  # the same, aligned on spaces: still one table
    assert aligned.rows == table.rows
