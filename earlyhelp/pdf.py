"""Every PDF the service prints starts here, with a Unicode font shipped in the repository.

fpdf2's built-in fonts speak Latin-1 only, so a name such as Małgorzata Wójcik-Żuławska, Şükrü
Yılmaz or فاطمة الزهراء would lose letters. DejaVu Sans (static/fonts/dejavu, with its licence)
has the Latin, Cyrillic, Greek and Arabic letters of the councils' families. Text shaping
(HarfBuzz, through uharfbuzz) joins Arabic letters in their contextual forms and lays
right-to-left runs out right to left, in lines that mix them with English.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts" / "dejavu"
FAMILY = "DejaVu"


def new_pdf(*, title: str) -> FPDF:
    """An A4 document titled `title`, its font set to DejaVu Sans 10 pt (bold as style "B")."""
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_text_shaping(True)
    pdf.set_font(FAMILY, "", 10)
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf
