"""Spreadsheet formats for every export (django-import-export), safe to open in Excel.

Members type their own titles, addresses and concerns. A value such as
``=HYPERLINK("http://…"&B2,"点击")`` written as it is becomes a live formula when staff
open the export (CSV injection, OWASP); ``+``, ``-`` and ``@`` start formulas too, and a
leading tab or carriage return hides one. So:

- .xlsx: such a value is stored as a string cell marked "quote prefix" — Excel's own
  mark for text typed after an apostrophe. Excel shows the text unchanged, never
  evaluates it, and keeps it text when staff edit the cell; the value reads back exactly
  as it was, so an exported roster still imports back unchanged.
- CSV has no cell types, so such a value is written after an apostrophe (OWASP's advice).

django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT (4.4) is not used:
it only looks at ``=``, deletes it (changing the data), and turns every cell, dates and
numbers included, into text.
"""

import io

import openpyxl
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# What makes Excel, LibreOffice or WPS read a cell typed or pasted as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_MAX_COLUMN_WIDTH = 60


def starts_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value):
    """A cell for a CSV file: text that would start a formula gets a leading apostrophe."""
    return "'" + value if starts_formula(value) else value


def xlsx_bytes(headers, rows, *, title="") -> bytes:
    """An .xlsx workbook of one sheet in which no cell is a formula.

    ``rows`` hold native values (dates stay dates, numbers numbers); text is never
    parsed as a formula, whatever it starts with.
    """
    return xlsx_workbook([(title, headers, rows)])


def xlsx_workbook(sheets) -> bytes:
    """An .xlsx workbook of one sheet per ``(title, headers, rows)``, filled as
    ``xlsx_bytes`` fills its one sheet."""
    book = openpyxl.Workbook()
    for n, (title, headers, rows) in enumerate(sheets):
        _fill(book.active if n == 0 else book.create_sheet(), headers, rows, title)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet, headers, rows, title) -> None:
    # Sheet titles cannot hold []:*?/\ and are at most 31 characters.
    sheet.title = "".join("-" if c in "[]:*?/\\" else c for c in str(title or _("数据")))[:31]
    widths = {}
    bold, wrap = Font(bold=True), Alignment(wrap_text=True)
    for r, row in enumerate([list(headers or []), *rows], start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                # A control character makes openpyxl refuse the whole file.
                value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
            try:
                cell.value = value
            except (ValueError, TypeError):  # e.g. a timezone-aware datetime
                value = str(value)
                cell.value = value
            if starts_formula(value):
                # openpyxl made "=…" a formula cell: store it as the text it is.
                cell.data_type = "s"
                cell.quotePrefix = True
            if r == 1 and headers:
                cell.font = bold
            elif isinstance(value, str) and "\n" in value:
                cell.alignment = wrap
            longest = max((len(line) for line in str(value or "").splitlines()), default=0)
            widths[c] = max(widths.get(c, 0), longest)
    if headers:
        sheet.freeze_panes = "A2"
    for c, width in widths.items():
        # Chinese characters are about twice as wide as the unit Excel counts in.
        sheet.column_dimensions[get_column_letter(c)].width = min(width * 2 + 2, _MAX_COLUMN_WIDTH)


class XLSX(base_formats.XLSX):
    """.xlsx exports in which member-typed text can never become a formula."""

    def export_data(self, dataset, **kwargs):
        return xlsx_bytes(dataset.headers, list(dataset), title=dataset.title)


class CSV(base_formats.CSV):
    """CSV exports (UTF-8 with a BOM, so that Excel does not guess GBK) in which
    member-typed text can never become a formula."""

    def export_data(self, dataset, **kwargs):
        safe = dataset.__class__(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            safe.append([csv_safe(v) for v in row])
        return "\ufeff" + super().export_data(safe, **kwargs)


# The only formats an admin offers for export (tests/security/test_exports.py checks).
EXPORT_FORMATS = [XLSX, CSV]
