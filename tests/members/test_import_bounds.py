"""Every uploaded roster is checked before it is parsed (issue 12, item 4): upload size,
the zip's unpacked size per part and in total and its compression ratio, rows and
columns. Each test uses the smallest file that crosses its limit."""

import io
import itertools
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest

from liaison import imports
from liaison.imports import XLSX, AutoEncodingCSV, UnreadableFileError
from tests.members.test_import_export import (
    HEADERS,
    admin_preview,
    csv_text,
    roster_row,
    xlsx_bytes,
)


def package(**parts) -> bytes:
    """A zip holding ``parts`` (name -> bytes), as an .xlsx is."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            book.writestr(name.replace("__", "/").replace("_xml", ".xml"), content)
    return out.getvalue()


def shared_strings_book(count: int) -> bytes:
    """A workbook within every size limit whose shared strings are ``count`` distinct
    three-letter words: openpyxl reads them all before the first row."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = (a + b + c for a in letters for b in letters for c in letters)
    words = (f"{w}{i}" for i, w in enumerate(itertools.islice(itertools.cycle(words), count)))
    return package(
        **{
            "[Content_Types]_xml": '<Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{kinds}.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            f'sheet1.xml" ContentType="{kinds}.worksheet+xml"/><Override PartName="/xl/'
            f'sharedStrings.xml" ContentType="{kinds}.sharedStrings+xml"/></Types>',
            "_rels__.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="r1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
            "xl__workbook_xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet '
            'name="S" sheetId="1" r:id="r1"/></sheets></workbook>',
            "xl___rels__workbook_xml.rels": '<Relationships xmlns="http://schemas.openxmlformats'
            f'.org/package/2006/relationships"><Relationship Id="r1" Type="{rel}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="r2" Type="{rel}/sharedStrings"'
            ' Target="sharedStrings.xml"/></Relationships>',
            "xl__worksheets__sheet1_xml": f'<worksheet xmlns="{main}"><sheetData><row r="1">'
            '<c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c>'
            "</row></sheetData></worksheet>",
            "xl__sharedStrings_xml": f'<sst xmlns="{main}">'
            + "".join(f"<si><t>{w}</t></si>" for w in words)
            + "</sst>",
        }
    )


def refusal(fmt, data) -> str:
    with pytest.raises(UnreadableFileError) as refused:
        fmt().create_dataset(data)
    return str(refused.value)


def test_shared_strings_that_unpack_beyond_the_part_limit_are_refused_fast_in_little_memory(
    tmp_path,
):
    """The reported bomb, scaled to the limit: one part a byte over MAX_PART_BYTES. The
    check runs in a child process whose address space is capped at 200 MB above what
    Django itself takes, and must answer within 2 s."""
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(package(xl__sharedStrings_xml=b"a" * (imports.MAX_PART_BYTES + 1)))
    assert bomb.stat().st_size < 100_000
    child = textwrap.dedent(
        f"""
        import os, resource, time
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
        import django
        django.setup()
        from liaison.imports import XLSX, UnreadableFileError
        data = open({str(bomb)!r}, "rb").read()
        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        cap = used + 200 * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        started = time.monotonic()
        try:
            XLSX().create_dataset(data)
        except UnreadableFileError as e:
            print(round(time.monotonic() - started, 3), e)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 0, done.stderr[-2000:]
    seconds, message = done.stdout.strip().split(" ", 1)
    assert float(seconds) < 2
    assert "解压后过大" in message and "xl/sharedStrings.xml" in message


def test_a_workbook_within_the_size_limits_that_takes_too_long_to_read_is_stopped(
    monkeypatch,
):
    """100,000 shared strings (a 400 KB upload) take seconds to read; the read is
    stopped at the limit, not when it ends."""
    data = shared_strings_book(100_000)
    assert len(data) < imports.MAX_UPLOAD_BYTES
    monkeypatch.setattr(imports, "MAX_READ_SECONDS", 0.5)

    started = time.monotonic()
    message = refusal(XLSX, data)

    assert time.monotonic() - started < 2
    assert "读取文件超过 0.5 秒，未导入" in message


def test_a_workbook_that_needs_more_memory_than_the_limit_to_read_is_refused(tmp_path):
    """The same 100,000 strings need some 10 MB to read; a 1-row roster well under the
    4 MB allowed here. In a fresh process: the reading child may also reuse whatever
    memory its parent had freed, which a test process has plenty of."""
    (tmp_path / "strings.xlsx").write_bytes(shared_strings_book(100_000))
    (tmp_path / "roster.xlsx").write_bytes(xlsx_bytes([roster_row(1)]))
    child = textwrap.dedent(
        f"""
        import os
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
        import django
        django.setup()
        from liaison import imports
        imports.MAX_READ_MEMORY = 4 * 1024 * 1024
        for name in ("strings", "roster"):
            data = open(os.path.join({str(tmp_path)!r}, name + ".xlsx"), "rb").read()
            try:
                print(len(imports.XLSX().create_dataset(data)), "rows")
            except imports.UnreadableFileError as e:
                print(e)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr[-2000:]
    strings, roster = done.stdout.strip().splitlines()[-2:]
    assert "读取该文件所需内存超过 4.0" in strings
    assert roster == "1 rows"


def test_parts_within_the_part_limit_but_too_much_in_total_are_refused():
    size = imports.MAX_UNPACKED_BYTES // 3 + 1
    data = package(a_xml=b"a" * size, b_xml=b"b" * size, c_xml=b"c" * size)

    assert "解压后过大（共" in refusal(XLSX, data)


def test_a_part_compressed_beyond_the_ratio_is_refused():
    data = package(xl__sharedStrings_xml=b"a" * (imports.RATIO_CHECKED_FROM + 1))

    assert "压缩比" in refusal(XLSX, data)


def test_a_real_roster_passes_the_checks():
    data = xlsx_bytes([roster_row(i) for i in range(200)])

    assert len(XLSX().create_dataset(data)) == 200


@pytest.mark.parametrize("fmt", [XLSX, AutoEncodingCSV])
def test_upload_over_the_size_limit_is_refused(monkeypatch, fmt):
    data = xlsx_bytes([roster_row(1)]) if fmt is XLSX else csv_text([roster_row(1)]).encode()
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", len(data) - 1)

    assert "超过了名册文件的上限" in refusal(fmt, data)


@pytest.mark.parametrize("fmt", [XLSX, AutoEncodingCSV])
def test_one_row_over_the_row_limit_is_refused(monkeypatch, fmt):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    rows = [roster_row(i) for i in range(3)]
    data = xlsx_bytes(rows) if fmt is XLSX else csv_text(rows).encode()

    assert "文件超过 2 行数据" in refusal(fmt, data)
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    assert len(fmt().create_dataset(data)) == 3


@pytest.mark.parametrize("fmt", [XLSX, AutoEncodingCSV])
def test_one_column_over_the_column_limit_is_refused(monkeypatch, fmt):
    monkeypatch.setattr(imports, "MAX_COLUMNS", len(HEADERS) - 1)
    rows = [roster_row(1)]
    data = xlsx_bytes(rows) if fmt is XLSX else csv_text(rows).encode()

    assert f"第 1 行有 {len(HEADERS)} 列" in refusal(fmt, data)


def test_the_admin_shows_the_refusal_in_chinese(staff_client):
    data = package(xl__sharedStrings_xml=b"a" * (imports.MAX_PART_BYTES + 1))

    response = admin_preview(staff_client, data)

    assert "该 Excel 文件解压后过大" in response.content.decode()


@pytest.mark.parametrize("fmt", [XLSX, AutoEncodingCSV])
def test_reading_that_takes_too_long_is_stopped_with_a_message(monkeypatch, fmt):
    rows = [roster_row(i) for i in range(2)]
    data = xlsx_bytes(rows) if fmt is XLSX else csv_text(rows).encode()
    monkeypatch.setattr(imports, "MAX_READ_SECONDS", 0)

    assert "读取文件超过 0 秒，未导入" in refusal(fmt, data)


def test_a_csv_cell_beyond_what_csv_reads_is_refused_with_a_message():
    data = csv_text([roster_row(1, 家庭住址="长" * 200_000)]).encode()

    assert "无法按 CSV 读取该文件（第 2 行）" in refusal(AutoEncodingCSV, data)


def test_the_admin_refuses_an_oversized_upload_before_reading_it(staff_client, monkeypatch):
    from members.admin import MemberAdmin

    data = xlsx_bytes([roster_row(1)])
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", len(data) - 1)
    monkeypatch.setattr(MemberAdmin, "write_to_tmp_storage", lambda *a: pytest.fail("read"))

    response = admin_preview(staff_client, data)

    assert "超过了名册文件的上限" in response.content.decode()
