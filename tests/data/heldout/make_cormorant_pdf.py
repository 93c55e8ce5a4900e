"""Write cormorant.pdf: a trial report (invented for the tests) set in two columns with a ruled results table.

Run from the repository root: ``.venv/bin/python tests/data/heldout/make_cormorant_pdf.py`` (fpdf2, a test
dependency, and the DejaVu Sans font of Debian's fonts-dejavu-core, for the en dashes, ≥ and ² that
journals print). The title and the summary run across the page; the body is set in two columns; the
results table is ruled (every cell boxed), full width, with header cells and row headers wrapped inside
their boxes, as journal PDFs print them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

TITLE = ("Carfilzomib plus lenalidomide versus lenalidomide alone as maintenance after autologous "
         "stem-cell transplantation in multiple myeloma (CORMORANT): an open-label, randomised, phase 3 trial")
SUMMARY = [
    "Background Lenalidomide maintenance lengthens remission after transplantation, yet most patients "
    "relapse within a few years. We asked whether adding carfilzomib, a second-generation proteasome "
    "inhibitor, to lenalidomide would delay progression.",
    "Methods CORMORANT was done at 87 sites in 14 countries. Adults who had completed induction and one "
    "autologous transplant were randomly assigned (1:1) to carfilzomib 36 mg/m² on days 1, 2, 15 and 16 "
    "plus lenalidomide 10 mg on days 1–21 of each 28-day cycle, or to lenalidomide alone at the same dose. "
    "The primary endpoint was progression-free survival.",
]
LEFT = [
    "Results",
    "Between March, 2019, and October, 2021, 502 patients were enrolled and randomly assigned, 251 to each "
    "group. Baseline characteristics were balanced. At data cut-off the median follow-up was 40.6 months "
    "(IQR 34.1–47.9).",
    "Median progression-free survival was 30.1 months (95% CI 26.2–34.0) with carfilzomib plus lenalidomide "
    "versus 19.4 months (16.8–22.5) with lenalidomide alone (HR 0.62; 95% CI, 0.51 to 0.76; p<0.001). "
    "The benefit was seen in every prespecified subgroup, including patients with high-risk cytogenetic "
    "abnormalities.",
]
RIGHT = [
    "Overall survival data were immature at this analysis (HR 0.81; 95% CI, 0.60 to 1.09). "
    "3-year OS: 79% vs 73%.",
    "Grade 3/4 neutropenia occurred in 45 (18%) of 251 patients in the carfilzomib group and in 28 (11%) "
    "of 251 patients in the lenalidomide group. Second primary malignancies were more frequent with the "
    "combination: 3.1 vs 1.2 per 100 patient-years (p=0.02).",
    "Key efficacy and safety outcomes are listed in table 2.",
]
CAPTION = "Table 2. Efficacy and safety outcomes in the intention-to-treat population"
TABLE = [
    ("Outcome", "Carfilzomib plus lenalidomide (n=251)", "Lenalidomide alone (n=251)", "Hazard ratio (95% CI)"),
    ("Median progression-free survival (95% CI), months", "30.1 (26.2–34.0)", "19.4 (16.8–22.5)",
     "0.62 (0.51–0.76)"),
    ("Progression-free survival at 3 years, %", "44", "29", "—"),
    ("Overall survival at 3 years, %", "79", "73", "0.81 (0.60–1.09)"),
    ("MRD negativity at 12 months, n (%)", "98 (39)", "58 (23)", "—"),
    ("Discontinuation because of adverse events, n (%)", "30 (12)", "18 (7)", "—"),
]
DISCUSSION = (
    "Discussion. Adding a proteasome inhibitor to lenalidomide after transplantation delayed progression "
    "by close to a year, at the cost of more neutropenia and more second cancers. Longer follow-up is "
    "needed to tell whether the gain in remission leads to longer survival."
)


def _column(pdf: FPDF, x: float, top: float, paragraphs: list[str]) -> float:
    pdf.set_xy(x, top)
    for text in paragraphs:
        pdf.set_x(x)
        pdf.set_font("DejaVu", "B" if text == "Results" else "", 9)
        pdf.multi_cell(85, 4.6, text)
        pdf.set_x(x)
        pdf.ln(2.5)
    return pdf.get_y()


def build(path: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 6.5, TITLE)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9.5)
    for text in SUMMARY:
        pdf.multi_cell(0, 4.8, text)
        pdf.ln(2)
    pdf.ln(3)
    top = pdf.get_y()
    bottom = max(_column(pdf, 15.0, top, LEFT), _column(pdf, 110.0, top, RIGHT))
    pdf.set_xy(15, bottom + 5)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(0, 5, CAPTION)
    pdf.ln(1)
    pdf.set_font("DejaVu", "", 8.5)
    with pdf.table(col_widths=(70, 40, 35, 35), first_row_as_headings=True, line_height=4.5,
                   text_align=("LEFT", "CENTER", "CENTER", "CENTER")) as table:
        for row in TABLE:
            cells = table.row()
            for value in row:
                cells.cell(value)
    pdf.ln(5)
    pdf.set_font("DejaVu", "", 9)
    top = pdf.get_y()
    _column(pdf, 15.0, top, [DISCUSSION])
    pdf.set_auto_page_break(False)
    pdf.set_xy(0, 287)
    pdf.cell(210, 5, "1", align="C")
    pdf.output(str(path))


TERN_TITLE = "Pomalidomide maintenance after transplantation in the TERN trial: a randomised phase 3 study"
TERN_LEFT = [
    "Methods. Patients were randomly assigned to pomalidomide 4 mg daily or to observation after autologous "
    "transplantation, stratified by disease stage and by response to induction.",
    "Results. A total of 420 patients were randomised. Outcomes at the data cut-off are shown in table 1.",
]
TERN_TABLE = [("Outcome", "Pomalid-\nomide (n=210)", "Obser-\nvation (n=210)"), ("3-year OS, %", "81", "78"),
              ("MRD negativity, %", "35", "19")]
TERN_RIGHT = [
    "Median progression-free survival was 33.5 months with pomalidomide and 24.1 months with observation "
    "(HR 0.70; 95% CI, 0.55 to 0.89). Overall survival did not differ between the groups (HR 0.90; 95% CI, "
    "0.66 to 1.23) at this analysis, and follow-up continues at all centres.",
    "Grade 3 or 4 neutropenia occurred in 19% of patients with pomalidomide and 3% with observation, and "
    "deep-vein thrombosis in 4% and 1%, respectively.",
]


def build_tern(path: Path) -> None:
    """A two-column page whose ruled table stands inside the left column, beside the right column's text."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 6, TERN_TITLE)
    pdf.set_font("DejaVu", "", 9)
    top = pdf.get_y() + 4
    _column(pdf, 15.0, top, TERN_LEFT)
    pdf.set_x(15)
    pdf.multi_cell(85, 4.6, "Table 1. Outcomes in the intention-to-treat population")
    pdf.set_x(15)
    with pdf.table(width=85, align="LEFT", col_widths=(39, 23, 23), first_row_as_headings=True,
                   line_height=4.5) as table:
        for row in TERN_TABLE:
            cells = table.row()
            for value in row:
                cells.cell(value)
    _column(pdf, 110.0, top, TERN_RIGHT)
    pdf.output(str(path))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("cormorant.pdf"))
    build_tern(Path(__file__).with_name("tern-column-table.pdf"))
