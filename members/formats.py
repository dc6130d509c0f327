"""File formats for roster import and export (django-import-export).

Rosters arrive as Excel files, and as CSV from old systems — often GBK-encoded, since
that is what Excel on a Chinese Windows machine writes when it saves "CSV". The admin
cannot ask staff which encoding a file uses, so the CSV format reads the raw bytes and
works the encoding out itself.
"""

import codecs
import csv
import io
import zipfile

import openpyxl
import tablib
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from liaison import spreadsheets


class UnreadableFileError(ValueError):
    """The file could not be read; the message tells staff what to do about it."""


# --- Bounds, checked before a file is parsed (issue 12, item 4) ---------------------------
#
# A 300 KB .xlsx whose shared strings unpack to 300 MB once drove the web process out of
# memory. An .xlsx is a zip: its central directory states each part's unpacked size, and
# Python's zipfile never unpacks more than that (a part that lies fails its CRC), so the
# stated sizes bound what openpyxl can read. A real roster of a few thousand members is a
# few hundred KB, unpacks to a few MB and compresses about tenfold.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PARTS = 500
# Only parts above this size are held to the ratio: small XML parts compress far better.
RATIO_CHECKED_FROM = 1024 * 1024
MAX_RATIO = 100
MAX_ROWS = 10_000
MAX_COLUMNS = 100


def check_upload_size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFileError(
            _("文件为 %(size)s，超过了名册文件的上限 %(limit)s。")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
        )


def check_xlsx_package(data: bytes) -> None:
    """Refuse an .xlsx whose parts would unpack to too much, from the zip's directory
    alone (nothing is unpacked here)."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableFileError(
            _("无法读取该 Excel 文件。请确认文件为 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）。")
        ) from e
    refused = _("该 Excel 文件解压后过大（%(detail)s），不像是一份名册，未导入。")
    if len(parts) > MAX_PARTS:
        raise UnreadableFileError(refused % {"detail": _("包含 %(n)s 个部件") % {"n": len(parts)}})
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            raise UnreadableFileError(
                refused
                % {
                    "detail": _("“%(name)s”为 %(size)s，上限 %(limit)s")
                    % {
                        "name": part.filename,
                        "size": filesizeformat(part.file_size),
                        "limit": filesizeformat(MAX_PART_BYTES),
                    }
                }
            )
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES:
        raise UnreadableFileError(
            refused
            % {
                "detail": _("共 %(size)s，上限 %(limit)s")
                % {"size": filesizeformat(total), "limit": filesizeformat(MAX_UNPACKED_BYTES)}
            }
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_CHECKED_FROM and ratio > MAX_RATIO:
            raise UnreadableFileError(
                refused
                % {
                    "detail": _("“%(name)s”压缩比为 %(ratio)d:1，上限 %(limit)d:1")
                    % {"name": part.filename, "ratio": ratio, "limit": MAX_RATIO}
                }
            )


def check_width(headers) -> None:
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFileError(
            _("第 1 行有 %(n)s 列，超过上限 %(limit)s 列。请只保留名册的列后重新导入。")
            % {"n": len(headers), "limit": MAX_COLUMNS}
        )


def check_length(count: int) -> None:
    """``count`` data rows read so far; called as they are read, so that reading stops
    at the first row beyond the limit."""
    if count > MAX_ROWS:
        raise UnreadableFileError(
            _("文件超过 %(limit)s 行数据。请分成几个文件分别导入。") % {"limit": MAX_ROWS}
        )


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
        check_upload_size(in_stream)
        rows = csv.reader(io.StringIO(decode_csv_bytes(in_stream), newline=""))
        headers = next(rows, None)
        if not headers:
            raise UnreadableFileError(_("文件是空的，第 1 行应为表头。"))
        check_width(headers)
        width = len(headers)
        dataset = tablib.Dataset(headers=headers)
        # Keep empty lines and pad short ones, so that row numbers in error messages
        # are the ones staff see when they open the file.
        for count, row in enumerate(rows, start=1):
            check_length(count)
            dataset.append((row + [""] * width)[:width])
        return _require_rows(dataset)

    def export_data(self, dataset, **kwargs):
        # Formula-looking text escaped, with a BOM (liaison.spreadsheets.CSV).
        return super().export_data(dataset, **kwargs).encode("utf-8")


class XLSX(spreadsheets.XLSX):
    """Excel workbooks: the first sheet, first row as headers; exported without a
    formula in any cell (liaison.spreadsheets)."""

    def create_dataset(self, in_stream):
        check_upload_size(in_stream)
        check_xlsx_package(in_stream)
        try:
            book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
            # One column more than allowed is enough to tell a sheet that is too wide.
            rows = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            headers = list(next(rows, None) or [])
            while headers and headers[-1] in (None, ""):
                headers.pop()  # formatted but empty cells after the last header
            if not headers:
                raise UnreadableFileError(_("工作表是空的，第 1 行应为表头。"))
            check_width(headers)
            width = len(headers)
            dataset = tablib.Dataset(headers=headers)
            # Every line is kept (padded when short) so that row numbers in error
            # messages are the ones Excel shows.
            for count, row in enumerate(rows, start=1):
                check_length(count)
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
