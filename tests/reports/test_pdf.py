"""The shared PDF renderer: A4, Chinese embedded and subset, page numbers, and nothing
fetched from outside the project's static files."""

import re
import urllib.request
from pathlib import Path

import pytest

from reports.pdf import chinese_date, html_to_pdf, render_pdf, static_files_fetcher

from .helpers import pdf_fonts, pdf_info, pdf_text, squash

PAGE = """{% load static %}<!doctype html><html lang="zh-CN"><head>
<link rel="stylesheet" href="{% static 'reports/print.css' %}"></head><body>
<header class="title-block"><p class="office-name">韭菜园街道政协联络处</p>
<h1 class="doc-title">测试文件</h1><p class="doc-date">2026年11月26日</p></header>
BODY</body></html>"""


@pytest.fixture
def template(settings, tmp_path):
    """A one-off template directory, so a test can write the template it renders."""
    directory = tmp_path / "templates"
    directory.mkdir()
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [directory, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    def write(body: str) -> str:
        (directory / "probe.html").write_text(PAGE.replace("BODY", body), encoding="utf-8")
        return "probe.html"

    return write


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a URL fails the test."""
    opened = []

    def refuse(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        raise AssertionError(f"the renderer tried to open {url}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    return opened


def test_chinese_text_is_embedded_as_a_font_subset_with_page_numbers(template):
    rows = "".join(
        f"<tr><td>{i}</td><td>关于加强校园周边食品安全监管的建议</td></tr>" for i in range(120)
    )
    body = f"<table><thead><tr><th>序号</th><th>案由</th></tr></thead><tbody>{rows}</tbody></table>"
    _, pdf = render_pdf(template(body), {})
    assert pdf.pages >= 3
    text = pdf_text(pdf.content)
    assert "韭菜园街道政协联络处" in text
    assert "关于加强校园周边食品安全监管的建议" in text
    for page in range(1, pdf.pages + 1):
        page_text = pdf_text(pdf.content, first=page, last=page)
        assert f"第 {page} 页 共 {pdf.pages} 页" in page_text
        assert "序号" in page_text  # the table header repeats on every page
    fonts = pdf_fonts(pdf.content)
    assert "Noto-Serif-CJK-SC" in fonts  # the text font…
    for line in fonts.splitlines()[2:]:
        *_, emb, sub, _uni, _obj, _gen = line.split()
        assert (emb, sub) == ("yes", "yes"), line  # …embedded, and only a subset


def test_a_five_page_document_is_under_300_kib_in_all(template):
    # Some 670 different characters (the interface's own Chinese), in the text face, the
    # headings' bold face and the labels' face: each embedded with its glyphs only.
    po = Path(__file__).resolve().parents[2] / "locale/en/LC_MESSAGES/django.po"
    chinese = "".join(re.findall(r"[\u4e00-\u9fff]+", po.read_text(encoding="utf-8")))
    body = "".join(
        f"<h2>{i + 1}、{chinese[i * 700 : i * 700 + 10]}</h2><p><span class='badge'>重点</span>"
        f"{chinese[i * 700 : (i + 1) * 700]}</p>"
        for i in range(12)
    )
    _, pdf = render_pdf(template(body), {})
    assert pdf.pages >= 5
    assert pdf.size < 300 * 1024, f"{pdf.pages} pages, {pdf.size // 1024} KiB"
    fonts = pdf_fonts(pdf.content)
    for face in ("Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold", "Noto-Sans-CJK-SC "):
        assert face in fonts
    # Each as a bare CID-keyed CFF (compacted before the file is written), not the
    # OpenType subset WeasyPrint makes with an empty slot for every glyph of the font.
    assert "CID Type 0C (OT)" not in fonts and "CID Type 0C" in fonts
    assert chinese[7000:7040] in squash(pdf_text(pdf.content))  # the text is still the text


def test_a4_pages(template):
    _, pdf = render_pdf(template("<p>一页</p>"), {})
    assert "(A4)" in pdf_info(pdf.content)


def test_external_urls_and_local_files_in_a_template_are_not_fetched(template, no_network):
    fetcher = static_files_fetcher()
    body = """
      <img src="http://example.com/tracker.png">
      <img src="https://example.com/x.png">
      <link rel="stylesheet" href="file:///etc/passwd">
      <img src="file:///etc/passwd">
      <img src="/static/../../../../etc/passwd">
      <p style="background: url('ftp://example.com/a.png')">正文</p>
    """
    html, _ = render_pdf(template(body), {})
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert no_network == []
    assert "root:" not in pdf_text(pdf.content)
    refused = " ".join(fetcher.refused)
    assert "example.com/tracker.png" in refused
    assert "etc/passwd" in refused


def test_the_stylesheet_comes_from_the_static_files(template, no_network):
    fetcher = static_files_fetcher()
    html, _ = render_pdf(template("<p>正文</p>"), {})
    html_to_pdf(html, fetcher=fetcher)
    assert fetcher.refused == []


def test_stored_text_with_markup_is_printed_not_followed(template, no_network):
    fetcher = static_files_fetcher()
    stored = '<img src="http://example.com/x.png"><iframe src="file:///etc/passwd"></iframe>'
    html, _ = render_pdf(template("<p>{{ stored }}</p>"), {"stored": stored})
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert fetcher.refused == []  # escaped: never even asked for
    assert "http://example.com/x.png" in squash(pdf_text(pdf.content))


def test_chinese_date():
    import datetime

    assert chinese_date(datetime.date(2026, 11, 26)) == "2026年11月26日"
    assert chinese_date(datetime.date(2027, 1, 5)) == "2027年1月5日"


# --- Fonts cut to their glyphs, and the collector during a render ---------------------


def _embedded_fonts(html: str) -> list[tuple[bytes, list[int]]]:
    """Each OpenType font WeasyPrint embeds for ``html``, with the CIDs the text uses."""
    from weasyprint import HTML

    from reports import pdf

    found = []

    def finisher(document, writer):
        def resolve(reference):
            return writer.objects[int(bytes(reference).split()[0])]

        for obj in writer.objects:
            if isinstance(obj, dict) and obj.get("Subtype") == "/CIDFontType0":
                stream = resolve(resolve(obj["FontDescriptor"])["FontFile3"])
                found.append((b"".join(stream.stream), pdf._used_cids(obj.get("W"))))

    HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=static_files_fetcher()).render().write_pdf(
        finisher=finisher
    )
    return found


def test_harfbuzz_cuts_each_font_to_the_glyphs_fonttools_would_keep(template):
    import io

    from fontTools.cffLib import CFFFontSet

    from reports import pdf

    html, _ = render_pdf(
        template("<h2>界别委员</h2><p>截至今年，共有在任委员四百七十八人。</p>"), {}
    )
    fonts = _embedded_fonts(html)
    assert len(fonts) >= 2
    for opentype, cids in fonts:
        by_harfbuzz = pdf._harfbuzz_cff(opentype, cids)
        by_fonttools = pdf._bare_cff_fonttools(opentype, cids)
        assert by_harfbuzz is not None and pdf._cid_keyed(by_harfbuzz)
        assert pdf._cid_keyed(by_fonttools)
        tops = []
        for cff in (by_harfbuzz, by_fonttools):
            font = CFFFontSet()
            font.decompile(io.BytesIO(cff), None)
            tops.append(font.topDictIndex[0])
        hb, ft = tops
        assert {f"cid{cid:05d}" for cid in cids} <= set(hb.charset)  # CIDs kept as they were
        for glyph in ft.charset:  # the same outlines, with the same width defaults
            (a, a_fd), (b, b_fd) = (top.CharStrings.getItemAndSelector(glyph) for top in tops)
            a.decompile()
            b.decompile()
            assert a.program == b.program, glyph
            for key in ("defaultWidthX", "nominalWidthX"):
                a_private, b_private = hb.FDArray[a_fd].Private, ft.FDArray[b_fd].Private
                assert getattr(a_private, key) == getattr(b_private, key)


def test_a_cff_font_that_is_not_cid_keyed_is_left_as_it_is():
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    from reports import pdf

    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "a"])
    builder.setupCharacterMap({ord("a"): "a"})
    pen = T2CharStringPen(500, None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 0))
    pen.lineTo((500, 500))
    pen.closePath()
    strings = {".notdef": pen.getCharString(), "a": pen.getCharString()}
    builder.setupCFF("Probe", {"FullName": "Probe"}, strings, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "a": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Probe", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    output = io.BytesIO()
    builder.save(output)
    assert pdf._bare_cff(output.getvalue(), [1]) is None  # glyph numbers are all there is
    assert pdf._bare_cff_fonttools(output.getvalue(), [1]) is None


def test_fonttools_cuts_the_fonts_where_harfbuzz_cannot(template, monkeypatch):
    from reports import pdf

    monkeypatch.setattr(pdf, "_harfbuzz", lambda: None)
    _, rendered = render_pdf(template("<h2>界别</h2><p>委员名册</p>"), {})
    fonts = pdf_fonts(rendered.content)
    assert "CID Type 0C (OT)" not in fonts and "CID Type 0C" in fonts
    assert "委员名册" in squash(pdf_text(rendered.content))


def test_no_full_collection_while_weasyprint_works_and_the_collector_is_left_as_it_was(
    template,
):
    """Python's full collections walk every live object; during a render that is the
    whole laid-out document, again and again (a quarter of a roster's time). A table of
    200 rows got two of them while WeasyPrint worked; now they come before and after."""
    import gc
    import logging

    from reports import pdf

    steps, full = [], []

    class Steps(logging.Handler):
        def emit(self, record):
            steps.append(record.getMessage())

    def count(phase, info):
        if phase == "start" and info["generation"] == 2:
            full.append(len(steps))  # WeasyPrint's progress messages so far

    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    row = (
        "<tr><td>1</td><td>王晓军</td><td>女　汉族</td><td>中国共产党</td><td>律师事务所</td></tr>"
    )
    html, _ = render_pdf(template(f"<table>{row * 200}</table>"), {})
    handler = Steps()
    logging.getLogger("weasyprint.progress").addHandler(handler)
    gc.callbacks.append(count)
    try:
        rendered = html_to_pdf(html)
    finally:
        gc.callbacks.remove(count)
        logging.getLogger("weasyprint.progress").removeHandler(handler)
    assert rendered.pages >= 5
    assert len(steps) > 10
    assert full and all(seen in (0, len(steps)) for seen in full), (full, len(steps))
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == frozen
    with pytest.raises(pdf.RenderLimitExceeded), pdf.render_limits(seconds=0, mib=10_000):
        html_to_pdf(html)
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == frozen
