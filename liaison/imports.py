"""Every uploaded spreadsheet is read here, within bounds (issue 12, item 4).

django-import-export reads an upload through its format's ``create_dataset``; the
formats below (``IMPORT_FORMATS``) are the only ones an admin import offers
(``liaison.admin.BoundedImportMixin``), and a job reading a stored upload uses the same
ones. Each checks before parsing — the upload's size, and for .xlsx (a zip) each part's
and the total unpacked size and the compression ratio — then parses as a stream,
counting rows and columns as they come and stopping at the first one over a limit, in
a child process bounded in memory (``MAX_READ_MEMORY``) and time
(``MAX_READ_SECONDS``). Each refusal is a Chinese sentence (``UnreadableFileError``)
that says what to do.

Files arrive as Excel workbooks, and as CSV from old systems — often GBK-encoded, since
that is what Excel on a Chinese Windows machine writes when it saves "CSV". The admin
cannot ask staff which encoding a file uses, so the CSV format reads the raw bytes and
works the encoding out itself.
"""

import codecs
import csv
import io
import itertools
import os
import pickle
import resource
import select
import signal
import time
import zipfile

import openpyxl
import tablib
from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.forms import ImportForm

from . import spreadsheets
from .limits import LimitedForm


class UnreadableFileError(ValueError):
    """The file could not be read; the message tells staff what to do about it."""


# --- Bounds, checked before a file is parsed (issue 12, item 4) ---------------------------
#
# A 300 KB .xlsx whose shared strings unpack to 300 MB once drove the web process out of
# memory. An .xlsx is a zip: its central directory states each part's unpacked size, and
# Python's zipfile never unpacks more than that (a part that lies fails its CRC), so the
# stated sizes bound what openpyxl can read. A real roster of a few thousand members is a
# few hundred KB, unpacks to a few MB and compresses about tenfold. Its rows and columns
# are counted as they are read: a sheet can claim a million rows in a few bytes.
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


# --- The read itself, in a child process with a memory and a time bound -------------------
#
# The limits above do not bound the work of reading: openpyxl reads a workbook's shared
# strings whole before its first row, and a 3.4 MB upload within every limit above
# can hold a million three-letter strings (40 s and 165 MB measured). So the file is read
# in a forked child whose address space may grow by MAX_READ_MEMORY at most, and which
# is killed after MAX_READ_SECONDS; it sends back the rows (pickled by our own code) or
# the sentence refusing the file. A fork costs a few milliseconds and needs nothing set
# up again: the child is this process, the same code and the same language.
MAX_READ_MEMORY = 256 * 1024 * 1024
MAX_READ_SECONDS = 15


def _cap_memory() -> None:
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + MAX_READ_MEMORY
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _child(rows, stop_after, out: int) -> None:
    """In the forked child: read, send the outcome, and leave without running anything
    the parent set up (its database connections stay the parent's)."""
    try:
        _cap_memory()
        payload = ("rows", list(itertools.islice(rows, stop_after)))
    except UnreadableFileError as e:
        payload = ("refused", str(e))
    except MemoryError:
        payload = ("memory", None)
    except BaseException:
        payload = ("unreadable", None)
    try:
        with os.fdopen(out, "wb") as pipe:
            pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)


def read_bounded(rows, stop_after: int | None = None) -> list:
    """The list of ``rows`` (a generator that has not started: the reading happens when
    it is iterated), at most ``stop_after`` of them, read in a child process within
    MAX_READ_MEMORY and MAX_READ_SECONDS. Raises UnreadableFileError otherwise."""
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(readable)
        _child(rows, stop_after, writable)
    os.close(writable)
    deadline = time.monotonic() + MAX_READ_SECONDS
    chunks = []
    try:
        with os.fdopen(readable, "rb", buffering=0) as pipe:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    raise UnreadableFileError(
                        _("读取文件超过 %(seconds)s 秒，未导入。请检查文件，或分成几个文件导入。")
                        % {"seconds": MAX_READ_SECONDS}
                    )
                chunk = pipe.read(1024 * 1024)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.kill(pid, signal.SIGKILL)  # a no-op on a child that has finished
        os.waitpid(pid, 0)
    # Nothing sent: the child died (out of memory inside C code, killed).
    outcome, value = pickle.loads(b"".join(chunks)) if chunks else ("memory", None)
    if outcome == "rows":
        return value
    if outcome == "refused":
        raise UnreadableFileError(value)
    if outcome == "memory":
        raise UnreadableFileError(
            _("读取该文件所需内存超过 %(limit)s，未导入。请检查文件，或分成几个文件导入。")
            % {"limit": filesizeformat(MAX_READ_MEMORY)}
        )
    raise UnreadableFileError(_("无法读取该文件，请确认“格式”与文件类型一致（.xlsx 或 .csv）。"))


class BoundedFormat:
    """What both formats share: ``read_rows`` yields the header row, then the data rows
    as a stream that stops at the first row beyond MAX_ROWS; it runs in a child process
    (``read_bounded``)."""

    blank = None  # what pads a short row

    def read_rows(self, data):
        rows = self.open_rows(data)
        headers = list(next(rows, None) or [])
        while headers and headers[-1] in (None, ""):
            headers.pop()  # formatted but empty cells after the last header
        if not headers:
            raise UnreadableFileError(_("工作表是空的，第 1 行应为表头。"))
        check_width(headers)
        yield headers
        for count, row in enumerate(rows, start=1):
            if count > MAX_ROWS:
                raise UnreadableFileError(
                    _("文件超过 %(limit)s 行数据。请分成几个文件分别导入。") % {"limit": MAX_ROWS}
                )
            yield row

    def create_dataset(self, in_stream, **kwargs):
        headers, *rows = read_bounded(self.read_rows(in_stream))
        width = len(headers)
        dataset = tablib.Dataset(headers=headers)
        # Every line is kept (padded when short) so that row numbers in error messages
        # are the ones staff see when they open the file.
        for row in rows:
            dataset.append((list(row) + [self.blank] * width)[:width])
        if not len(dataset):
            raise UnreadableFileError(_("文件只有表头，没有数据行。"))
        return dataset

    def has_more_rows_than(self, data, limit: int) -> bool:
        """Whether the file has more than ``limit`` data rows, reading no further than
        that; False when it cannot be read (create_dataset then says why)."""
        try:
            rows = read_bounded(self.read_rows(data), stop_after=limit + 2)
        except UnreadableFileError:
            return False
        return len(rows) - 1 > limit


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


class AutoEncodingCSV(BoundedFormat, spreadsheets.CSV):
    """CSV whose encoding (UTF-8, UTF-8 with BOM, GBK/GB18030) is detected on import.

    Declared binary so that the admin hands us the file's bytes untouched instead of
    decoding them with one fixed encoding.
    """

    blank = ""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def open_rows(self, data):
        check_upload_size(data)
        rows = csv.reader(io.StringIO(decode_csv_bytes(data), newline=""))
        try:
            yield from rows
        except csv.Error as e:  # a cell over csv's field limit, a NUL byte …
            raise UnreadableFileError(
                _("无法按 CSV 读取该文件（第 %(line)s 行）。请在 Excel 中另存为 .xlsx 后重新导入。")
                % {"line": rows.line_num}
            ) from e

    def export_data(self, dataset, **kwargs):
        # Formula-looking text escaped, with a BOM (liaison.spreadsheets.CSV).
        return super().export_data(dataset, **kwargs).encode("utf-8")


class XLSX(BoundedFormat, spreadsheets.XLSX):
    """Excel workbooks: the first sheet, first row as headers; exported without a
    formula in any cell (liaison.spreadsheets)."""

    def open_rows(self, data):
        check_upload_size(data)
        check_xlsx_package(data)
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                # One column more than allowed is enough to tell a sheet that is too wide.
                yield from book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            finally:
                book.close()
        except (UnreadableFileError, MemoryError):
            raise
        except Exception as e:
            raise UnreadableFileError(
                _("无法读取该 Excel 文件。请确认文件为 .xlsx 格式（旧的 .xls 请先另存为 .xlsx）。")
            ) from e


IMPORT_FORMATS = [XLSX, AutoEncodingCSV]


class BoundedImportForm(ImportForm, LimitedForm):
    """The admin's import form: an upload over the size limit is refused from its stated
    size, before django-import-export copies it to its temporary storage and reads it
    whole into memory."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件为 %(size)s，超过了名册文件的上限 %(limit)s。")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        return upload
