"""Long documents in bounded memory and bounded time: the roster rendered in chunks of
rows, joined so that nobody can see where; and renders over their limits stopped with a
message to the requester."""

import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from reports import services
from reports.models import Document
from tests.factories import MemberFactory

from .helpers import pdf_text

ROOT = Path(__file__).resolve().parents[2]


def row_numbers(text: str) -> list[int]:
    """The 序号 of each table row on a page (``pdftotext -layout``: one row a line)."""
    return [
        int(words[0])
        for words in (line.split() for line in text.splitlines())
        if len(words) > 5 and words[0].isdigit()
    ]


def long_roster(rows: int, *, chunk_rows: int, out: Path | None = None) -> dict:
    """Render a made-up roster in a fresh process (capped at 2 GiB of address space)."""
    command = [sys.executable, "-m", "tests.reports.long_roster", str(rows), "2048"]
    command += [str(chunk_rows), *([str(out)] if out else [])]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_peak_memory_stays_flat_from_a_short_roster_to_a_ten_times_longer_one():
    # Chunks of 40 rows (two pages) stand in for the real 300, so that ten times the
    # rows is still quick: without chunks the longer roster needs ~200 MiB more.
    short = long_roster(120, chunk_rows=40)
    long = long_roster(1200, chunk_rows=40)
    assert long["pages"] >= 8 * short["pages"]
    assert long["peak_mib"] < short["peak_mib"] + 40, (short, long)


def test_chunks_join_into_one_roster_with_continuous_rows_and_page_numbers():
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "roster.pdf"
        result = long_roster(130, chunk_rows=40, out=out)
        content = out.read_bytes()
    pages = result["pages"]
    assert pages >= 6
    numbers = []
    for page in range(1, pages + 1):
        text = pdf_text(content, first=page, last=page, layout=True)
        assert f"第 {page} 页 共 {pages} 页" in " ".join(text.split())
        if page > 1:
            assert "委员名册" in text.splitlines()[0]  # the running header
            assert "序号" in text  # the table header repeats
        numbers += row_numbers(text)
    # Every member once, in order, whichever chunk they were laid out in…
    assert numbers == list(range(1, 131))
    # …and no page but the last left half empty where a chunk ended.
    rows_per_page = [
        len(row_numbers(pdf_text(content, first=p, last=p, layout=True))) for p in range(2, pages)
    ]
    assert min(rows_per_page) >= 0.75 * max(rows_per_page), rows_per_page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("DOCUMENT_RENDER_SECONDS", 0, "生成用时超过 0 秒的上限，已停止，没有生成文件。"),
        ("DOCUMENT_RENDER_MEMORY_MIB", 1, "生成所需内存超过 1 MiB 的上限，已停止，没有生成文件。"),
    ],
)
def test_a_render_over_its_limit_fails_with_a_message_and_no_file(
    settings, monkeypatch, office, staff, setting, value, message
):
    MemberFactory.create_batch(3, office=office)
    setattr(settings, setting, value)
    monkeypatch.setattr(services, "_enqueue", lambda pk, generation: None)
    document = services.document_request(office=office, kind="roster", params={}, actor=staff)
    assert services.document_render(document_id=document.pk, generation=1) is None
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert document.error.startswith(message)
    assert "请告诉系统管理员" in document.error
    assert not document.file
    assert document.size is None


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "params"), [("roster", {}), ("ranking", {"year": 2026})])
def test_roster_and_ranking_render_in_chunks_from_their_templates(
    monkeypatch, office, kind, params
):
    """One row a chunk: the title block once, every member once, pages numbered on."""
    from reports import documents, pdf

    names = ["王芳", "李明", "张伟"]
    for name in names:
        MemberFactory(office=office, name=name)
    monkeypatch.setattr(pdf, "CHUNK_ROWS", 1)
    monkeypatch.setattr(pdf, "CHUNK_ROW_CELLS", 1)  # one row a chunk however wide
    rendered = documents.render(kind, office, params, datetime.date(2026, 11, 26))
    text = pdf_text(rendered.content)
    assert rendered.pages == 3
    for name in names:
        assert text.count(name) == 1
    for page in range(1, 4):
        page_text = pdf_text(rendered.content, first=page, last=page)
        assert f"第 {page} 页 共 3 页" in page_text
        assert ("韭菜园街道政协联络处" in page_text) == (page == 1)  # the title block
