"""File formats for roster import and export (django-import-export).

Rosters arrive as Excel files, and as CSV from old systems — often GBK-encoded, since
that is what Excel on a Chinese Windows machine writes when it saves "CSV". The admin
cannot ask staff which encoding a file uses, so the CSV format reads the raw bytes and
works the encoding out itself.
"""

import codecs
import csv
import io

import openpyxl
import tablib
from django.utils.translation import gettext as _

from liaison import spreadsheets


class UnreadableFileError(ValueError):
    """The file could not be read; the message tells staff what to do about it."""


def decode_csv_bytes(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK.

    UTF-8 is tried first because it is strict: GBK text almost never happens to be
    valid UTF-8, while any UTF-8 file would decode (wrongly) as GB18030. GB18030 is the
    superset of GBK and GB2312, so it also reads the rarer characters in names.
    """
    if isinstance(data, str):
        return data
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(
        _("无法识别文件的字符编码。请在 Excel 中“另存为”CSV UTF-8 或 .xlsx 文件后重新导入。")
    )


class AutoEncodingCSV(spreadsheets.CSV):
    """CSV whose encoding (UTF-8, UTF-8 with BOM, GBK/GB18030) is detected on import.

    Declared binary so that the admin hands us the file's bytes untouched instead of
    decoding them with one fixed encoding.
    """

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        rows = list(csv.reader(io.StringIO(decode_csv_bytes(in_stream), newline="")))
        if not rows:
            raise UnreadableFileError(_("文件是空的，第 1 行应为表头。"))
        headers, width = rows[0], len(rows[0])
        dataset = tablib.Dataset(headers=headers)
        # Keep empty lines and pad short ones, so that row numbers in error messages
        # are the ones staff see when they open the file.
        for row in rows[1:]:
            dataset.append((row + [""] * width)[:width])
        return _require_rows(dataset)

    def export_data(self, dataset, **kwargs):
        # Formula-looking text escaped, with a BOM (liaison.spreadsheets.CSV).
        return super().export_data(dataset, **kwargs).encode("utf-8")


class XLSX(spreadsheets.XLSX):
    """Excel workbooks: the first sheet, first row as headers; exported without a
    formula in any cell (liaison.spreadsheets)."""

    def create_dataset(self, in_stream):
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
            rows = book.worksheets[0].iter_rows(values_only=True)
            headers = list(next(rows, None) or [])
            if not any(h not in (None, "") for h in headers):
                raise UnreadableFileError(_("工作表是空的，第 1 行应为表头。"))
            width = len(headers)
            dataset = tablib.Dataset(headers=headers)
            # Every line is kept (padded when short) so that row numbers in error
            # messages are the ones Excel shows.
            for row in rows:
                dataset.append((list(row) + [None] * width)[:width])
            book.close()
        except UnreadableFileError:
            raise
        except Exception as e:
            raise UnreadableFileError(
                _("无法读取该 Excel 文件。请确认文件为 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）。")
            ) from e
        return _require_rows(dataset)


def _require_rows(dataset):
    if not len(dataset):
        raise UnreadableFileError(_("文件只有表头，没有数据行。"))
    return dataset


ROSTER_IMPORT_FORMATS = [XLSX, AutoEncodingCSV]
ROSTER_EXPORT_FORMATS = [XLSX]
