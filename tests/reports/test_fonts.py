"""Fonts by role: the office's own fonts come first by role, bad font files are refused
with a message, and `document_fonts` says what serves each role and what it lacks."""

import datetime
import io
import shutil
from pathlib import Path

import pdfplumber
import pytest
from django.core.management import call_command

from reports import documents, fonts
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

STAND_IN = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
LATIN_ONLY = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture
def font_dir(settings, tmp_path):
    directory = tmp_path / "fonts"
    directory.mkdir()
    shutil.copy(STAND_IN, directory / "仿宋_GB2312.ttf")  # a stand-in for the licensed 仿宋
    (directory / "小标宋.ttf").write_bytes(b"not a font at all")
    shutil.copy(LATIN_ONLY, directory / "黑体.ttf")  # a font, but without Chinese
    settings.DOCUMENT_FONT_DIR = str(directory)
    return directory


def test_the_offices_fangsong_sets_the_body_and_bad_files_are_refused(font_dir, office):
    pdf = documents.render("plan", office, {"year": 2026}, datetime.date(2026, 2, 5))
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        chars = document.pages[0].chars
    body = [c for c in chars if round(c["size"]) == 16 and c["text"].strip()]
    assert body and all("Office-fangsong" in c["fontname"] for c in body)  # 仿宋 from the dir
    title = [c for c in chars if round(c["size"]) == 22]
    assert all("Noto-Serif-CJK-SC-Bold" in c["fontname"] for c in title)  # 小标宋 refused
    refused = {entry.path.name: entry.error for entry in fonts.scan() if entry.error}
    assert "不是可用的字体文件" in refused["小标宋.ttf"]
    assert "缺少常用汉字" in refused["黑体.ttf"]


def test_document_fonts_lists_roles_refusals_and_missing_characters(font_dir, office, capsys):
    MemberFactory(office=office, name="王𪚥")  # 𪚥 (U+2A6A5): outside the stand-in font
    call_command("document_fonts")
    out = capsys.readouterr().out
    assert "仿宋：" in out and "仿宋_GB2312.ttf" in out
    assert "楷体：LXGW WenKai" in out
    assert "不采用" in out and "小标宋.ttf" in out and "黑体.ttf" in out
    fangsong = out.split("仿宋：", 1)[1].split("\n楷体", 1)[0]
    assert "缺少" in fangsong and "𪚥" in fangsong


def test_the_rosters_columns_keep_the_free_font_when_the_offices_lacks_half_widths(
    settings, tmp_path, office
):
    """The roster lines its columns up with half-width digits and spaces: an office 宋体
    without them sets the rest of the roster, the free font the columns."""
    directory = tmp_path / "fonts"
    directory.mkdir()
    shutil.copy(STAND_IN, directory / "宋体.ttf")  # LXGW WenKai: no half-width forms
    settings.DOCUMENT_FONT_DIR = str(directory)
    assert [role.key for role in fonts.without_half_width("songti", "heiti")] == ["songti"]
    MemberFactory(office=office, name="唐朝阳", employer="芙蓉区第一中学")
    pdf = documents.render("roster", office, {}, datetime.date(2026, 11, 26))
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        chars = document.pages[0].chars
    fonts_of = {c["text"]: c["fontname"] for c in chars if c["text"] in "唐芙"}
    assert "Noto-Serif-CJK" in fonts_of["唐"]  # the columns: the free font
    assert "Office-songti" in fonts_of["芙"]  # the employer: the office's own
