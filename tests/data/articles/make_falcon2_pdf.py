"""Write falcon2.pdf: a two-page trial report (invented for the tests) with an unruled results table.

Run from the repository root: ``.venv/bin/python tests/data/articles/make_falcon2_pdf.py`` (fpdf2, a test
dependency). ``pages(n)`` repeats the discussion to make a longer PDF (bench/draft_inputs.py uses 20 pages).
The table has no rules, a header wrapped over two lines and a row header wrapped over two lines, as
journal PDFs print them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fpdf import FPDF

TITLE = ("Isatuximab maintenance versus lenalidomide after autologous transplantation in newly diagnosed "
         "multiple myeloma (FALCON-2): a randomised, open-label, phase 3 trial")
ABSTRACT = [
    "Background: Lenalidomide is the standard maintenance therapy after autologous stem-cell "
    "transplantation. We assessed whether isatuximab, an anti-CD38 monoclonal antibody, given as "
    "maintenance improves on it.",
    "Methods: In this open-label, phase 3 trial, patients who had undergone autologous "
    "transplantation were randomly assigned 1:1 to isatuximab 10 mg/kg every 4 weeks or lenalidomide "
    "10 mg daily. The primary endpoint was progression-free survival.",
    "Findings: 618 patients were randomly assigned (310 to isatuximab and 308 to lenalidomide). "
    "After a median follow-up of 38.2 months, median progression-free survival was 49.3 months with "
    "isatuximab and 37.6 months with lenalidomide (HR 0.71, 95% CI 0.57-0.88; p=0.002). Overall "
    "survival did not differ between the groups (HR 0.92, 95% CI 0.66-1.28).",
    "Interpretation: Isatuximab maintenance prolonged progression-free survival compared with "
    "lenalidomide and was better tolerated.",
]
RESULTS = [
    "Results",
    "Grade 3 or 4 neutropenia occurred in 9% of patients with isatuximab and 27% with lenalidomide. "
    "Infusion reactions were mostly of grade 1 or 2.",
]
TABLE_CAPTION = "Table 2. Efficacy and safety outcomes in the intention-to-treat population"
HEADER = [("Outcome", ""), ("Isatuximab", "(n = 310)"), ("Lenalidomide", "(n = 308)"), ("HR", "(95% CI)")]
ROWS = [
    (["Median progression-free survival,", "months"], "49.3", "37.6", "0.71 (0.57-0.88)"),
    (["Overall survival at 3 years, %"], "86", "83", "0.92 (0.66-1.28)"),
    (["Complete response or better, %"], "51", "38", "-"),
    (["Discontinuation because of", "adverse events, %"], "6", "14", "-"),
]
DISCUSSION = (
    "Discussion. Anti-CD38 antibodies have changed induction therapy for myeloma, and this trial asked "
    "whether one could replace an immunomodulatory drug as maintenance. Continuous lenalidomide is "
    "effective but many patients stop it early because of cytopenias, fatigue or diarrhoea, and a "
    "treatment given every four weeks in clinic may suit others better. The benefit was consistent "
    "across the subgroups examined, and the analysis of second progression will need longer follow-up."
)
COLUMNS = (20.0, 78.0, 112.0, 146.0)


def build(path: Path, pages: int = 2) -> None:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 6.5, TITLE)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    for paragraph in [*ABSTRACT, *RESULTS]:
        pdf.multi_cell(0, 5, paragraph)
        pdf.ln(3)
    pdf.set_font("Helvetica", "B", 9)
    pdf.multi_cell(0, 5, TABLE_CAPTION)
    pdf.ln(1)
    pdf.set_font("Helvetica", "", 9)
    for line in (0, 1):
        y = pdf.get_y()
        for x, cell in zip(COLUMNS, HEADER, strict=True):
            pdf.set_xy(x, y)
            pdf.cell(30, 4.5, cell[line])
        pdf.ln(4.5)
    for header, *values in ROWS:
        y = pdf.get_y()
        for k, part in enumerate(header):
            pdf.set_xy(COLUMNS[0], y + 4.5 * k)
            pdf.cell(55, 4.5, part)
        for x, value in zip(COLUMNS[1:], values, strict=True):
            pdf.set_xy(x, y)
            pdf.cell(30, 4.5, value)
        pdf.set_xy(COLUMNS[0], y + 4.5 * len(header))
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, DISCUSSION)
    while pdf.page_no() < pages:
        pdf.ln(3)
        pdf.multi_cell(0, 5, DISCUSSION)
    for number in range(1, pdf.page_no() + 1):
        pdf.page = number
        pdf.set_xy(0, 289)
        pdf.cell(210, 5, str(number), align="C")
    pdf.output(str(path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("falcon2.pdf"))


def build_ruled(path: Path) -> None:
    """A one-page PDF whose subgroup table is ruled (every cell boxed), as some journals print them."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, "Progression-free survival by subgroup in the FALCON-2 trial is shown in Table 3.")
    pdf.ln(3)
    pdf.multi_cell(0, 5, "Table 3. Progression-free survival by subgroup")
    rows = [("Subgroup", "Patients", "HR for PFS (95% CI)"), ("Age < 65 years", "402", "0.68 (0.52-0.89)"),
            ("Age >= 65 years", "216", "0.77 (0.53-1.12)"), ("High-risk cytogenetics", "131", "0.61 (0.39-0.95)")]
    with pdf.table(col_widths=(60, 30, 60), first_row_as_headings=True) as table:
        for row in rows:
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.output(str(path))


LEFT = ("Methods. Patients aged 18 to 70 years who had undergone autologous transplantation were eligible. "
        "They were randomly assigned to isatuximab or lenalidomide maintenance, stratified by stage and response.")
RIGHT = ("Results. Median progression-free survival was 49.3 months with isatuximab and 37.6 months with "
         "lenalidomide (HR 0.71, 95% CI 0.57-0.88). Overall survival did not differ between the groups.")


def build_two_columns(path: Path, table: bool = False) -> None:
    """A page set in two columns under a full-width title, as most journals print articles (with
    ``table``, a full-width unruled table below the columns)."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 6, "FALCON-2: maintenance with isatuximab or lenalidomide after transplantation")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, " ".join(ABSTRACT[:2]))  # a full-width abstract above the columns
    pdf.ln(4)
    top = pdf.get_y()
    for x, text in ((15.0, LEFT), (110.0, RIGHT)):
        pdf.set_xy(x, top)
        for _ in range(3):
            pdf.set_x(x)
            pdf.multi_cell(85, 5, text)
            pdf.set_x(x)
            pdf.ln(3)
    if table:
        pdf.set_xy(15, pdf.get_y() + 6)
        pdf.multi_cell(180, 5, TABLE_CAPTION)
        for cells in [[h[0] for h in HEADER], *[[" ".join(r[0]), *r[1:]] for r in ROWS]]:
            y = pdf.get_y()
            for x, cell in zip((15.0, 95.0, 125.0, 160.0), cells, strict=True):
                pdf.set_xy(x, y)
                pdf.cell(30, 5, cell)
            pdf.set_xy(15, y + 5)
    pdf.output(str(path))
