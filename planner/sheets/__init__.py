"""Route sheets: one printable sheet per worker per day (PDF via WeasyPrint, or HTML
that prints from a browser).  See docs/outputs.md."""

from planner.sheets.model import SheetView, sheet_view, sheet_views
from planner.sheets.render import pdf_resources, render_sheets, sheet_html, sheet_pdf, sheets_pdf
from planner.sheets.texts import LANGS, Texts, load_texts

__all__ = ["LANGS", "SheetView", "Texts", "load_texts", "pdf_resources", "render_sheets", "sheet_html", "sheet_pdf",
           "sheet_view", "sheet_views", "sheets_pdf"]
