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
