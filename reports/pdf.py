"""HTML to PDF for the documents: WeasyPrint, A4, Chinese fonts embedded and subset.

Documents are HTML templates (``templates/reports/``) styled by ``static/reports/print.css``.
They are rendered against a made-up base URL, and the only URL fetcher WeasyPrint gets
serves files found by the static-files finders — nothing else: no network, no
``file://`` path outside the project's static files, whatever a template or a stored text
asks for. (Stored text is escaped by the templates anyway; the fetcher is the second
line.) ``data:`` URIs are allowed: they carry their bytes with them and fetch nothing.

Fonts come from fontconfig (Debian's fonts-noto-cjk), named in print.css on ``html`` —
not ``body`` — so that the page header and footer (``@page`` margin boxes, which inherit
from the root element) use them too. WeasyPrint embeds the glyphs a document uses, not
the whole font (``full_fonts=False``, its default).

Rendering is slow (seconds to a minute for a long document): callers outside a management
command run it in a Celery worker, never in a web request, and under limits
(``render_limits``: the time and the process's memory, checked at every page WeasyPrint
lays out). WeasyPrint keeps every laid-out page in memory until it writes the PDF, so a
document that is one long table (the roster, the ranking) is rendered in chunks of rows
(``rows_to_pdf``), each written and freed before the next, and joined with pypdf; the
page header and the "第 X 页 共 Y 页" footer are drawn over the joined pages afterwards,
when the total is known.
"""

import gc
import hashlib
import io
import logging
import mimetypes
import os
import struct
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
# fontTools tells every glyph it keeps at INFO (see _compact_font).
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Relative links in a document ("/static/reports/print.css") resolve against this. The
# host is in a reserved top-level domain (RFC 2606) so that nothing could ever answer it.
BASE_HOST = "documents.invalid"
BASE_URL = f"https://{BASE_HOST}/"


class RefusedURL(ValueError):
    """A document asked for something outside the project's static files."""


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.strip("/") + "/"


def static_file_path(url: str) -> Path | None:
    """The file under the project's static files that ``url`` names, or None."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != BASE_HOST:
        return None
    path = unquote(parts.path)
    prefix = _static_prefix()
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative or "\\" in relative or "\x00" in relative:
        return None
    try:
        # The finders join with safe_join: "../" out of a static directory raises.
        found = finders.find(relative)
        if not found and staticfiles_storage.exists(relative):
            # Collected files only (production, hashed names from the manifest).
            found = staticfiles_storage.path(relative)
    except Exception:  # SuspiciousFileOperation and friends: refused, not fetched
        return None
    if not found:
        return None
    return Path(found)


def office_font_path(url: str) -> Path | None:
    """The office's licensed font file ``url`` names (reports.fonts), or None."""
    from .fonts import FONT_URL_PREFIX, served_file

    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme != "https" or parts.netloc != BASE_HOST:
        return None
    if not path.startswith(FONT_URL_PREFIX):
        return None
    return served_file(path[len(FONT_URL_PREFIX) :])


@cache
def _fetcher_class():
    # WeasyPrint is imported on first use, not when Django starts: web processes that
    # never render (the worker does) do not pay for loading Pango and the fonts.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """WeasyPrint's URL fetcher for every document: the project's static files only.

        Anything else raises ``RefusedURL``; WeasyPrint logs a warning and renders
        without the resource. ``refused`` keeps what was turned away.
        """

        def __init__(self, **kwargs):
            super().__init__(timeout=1, allowed_protocols=("https", "data"), **kwargs)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file_path(url) or office_font_path(url)
            if path is None:
                self.refused.append(url)
                logger.warning("Document asked for %s; refused (not a static file)", url[:200])
                raise RefusedURL(f"not a static file: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesFetcher


def static_files_fetcher():
    """A fresh fetcher for one render (it records what it refused)."""
    return _fetcher_class()()


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float  # WeasyPrint's own time: layout and PDF writing

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


# --- Progress -------------------------------------------------------------------------
# WeasyPrint reports its steps on the "weasyprint.progress" logger ("Step 5 - Creating
# layout - Page 12"). One handler, installed once, passes them to the callback of the
# render running in the same thread; they are not for the application's log.

_progress = threading.local()
_STEP_SHARE = {"1": 0.05, "3": 0.10, "4": 0.15, "6": 0.85, "7": 0.95}


class RenderLimitExceeded(Exception):
    """A render went over its time or memory limit; ``message`` says so to the requester."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def resident_mib() -> float:
    """This process's resident memory now (not its peak), in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def render_limits(*, seconds: float, mib: float):
    """Renders in this block stop with ``RenderLimitExceeded`` once they have run for
    ``seconds`` or the process holds more than ``mib`` of memory."""
    _progress.deadline = time.monotonic() + seconds
    _progress.seconds, _progress.mib = seconds, mib
    try:
        yield
    finally:
        _progress.deadline = None


def time_limit_message(seconds) -> str:
    return _("生成用时超过 %(seconds)s 秒的上限，已停止，没有生成文件。") % {"seconds": seconds}


def memory_limit_message(mib) -> str:
    return _("生成所需内存超过 %(mib)s MiB 的上限，已停止，没有生成文件。") % {"mib": mib}


def check_limits() -> None:
    """Raise ``RenderLimitExceeded`` if the render in this thread is over its limits."""
    deadline = getattr(_progress, "deadline", None)
    if deadline is None:
        return
    if time.monotonic() > deadline:
        raise RenderLimitExceeded(time_limit_message(_progress.seconds))
    if resident_mib() > _progress.mib:
        raise RenderLimitExceeded(memory_limit_message(_progress.mib))


class _ProgressHandler(logging.Handler):
    def emit(self, record):
        message = record.getMessage()
        step = message.removeprefix("Step ").split(" ", 1)[0]
        if step == "5":
            # Raises out of WeasyPrint: the render stops at this page. Only at layout:
            # earlier steps import modules lazily, and an import cut short
            # would break every later render in the process.
            check_limits()
        callback = getattr(_progress, "callback", None)
        if callback is None:
            return
        try:
            if step == "5":
                page = message.rsplit("Page ", 1)[-1]
                if page.isdigit():
                    done = min(int(page) / max(_progress.estimated_pages, 1), 1.0)
                    callback(0.15 + 0.7 * done)
            elif step in _STEP_SHARE:
                callback(_STEP_SHARE[step])
        except Exception:  # progress must never break a render
            logger.exception("Progress callback failed")


_progress_logger = logging.getLogger("weasyprint.progress")
_progress_logger.setLevel(logging.INFO)
_progress_logger.propagate = False
if not any(isinstance(h, _ProgressHandler) for h in _progress_logger.handlers):
    _progress_logger.addHandler(_ProgressHandler())


# --- Rendering ------------------------------------------------------------------------

# Python's cyclic garbage collector runs a full collection each time the objects that
# survived its younger generations grow by a quarter: during a render, about five times,
# each walking every live object — Django's, the fonts', and the whole laid-out
# document, which WeasyPrint keeps until it writes the PDF. That was about a quarter of
# the roster's CPU time and a sixth of the compendium's. So a render starts with one full
# collection (what earlier work left is freed, not carried through the render), then
# sets aside what is alive then (``gc.freeze``: Django, the fonts, WeasyPrint's modules)
# and collects only the younger generations while WeasyPrint works — what a layout
# throws away mostly dies young. Once the document is dropped, one full collection of
# what the render made frees the rest, and what was set aside goes back to the collector.
_collector_lock = threading.Lock()
_collector_holds = 0
_collector_thresholds: tuple[int, ...] = ()


@contextmanager
def _render_collections():
    global _collector_holds, _collector_thresholds
    with _collector_lock:
        if _collector_holds == 0:
            gc.collect()
            gc.freeze()
            _collector_thresholds = gc.get_threshold()
            young, middle, _old = _collector_thresholds
            gc.set_threshold(young, middle, 1_000_000)  # no full collection meanwhile
        _collector_holds += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_holds -= 1
            if _collector_holds == 0:
                gc.set_threshold(*_collector_thresholds)
                gc.collect()  # what the render made: the rest is still set aside
                gc.unfreeze()


def html_to_pdf(
    html: str,
    *,
    progress: Callable[[float], None] | None = None,
    estimated_pages: int = 20,
    fetcher=None,
) -> RenderedPdf:
    """Lay out ``html`` and write the PDF. ``progress(share)`` gets 0.0–1.0 as it goes."""
    from weasyprint import HTML

    fetcher = fetcher or static_files_fetcher()
    _progress.callback = progress
    _progress.estimated_pages = estimated_pages
    started = time.perf_counter()
    try:
        with _render_collections():
            document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
            content = document.write_pdf(finisher=compact_fonts_before_writing)
            pages = len(document.pages)
            del document  # before the collection that ends the block
    finally:
        _progress.callback = None
    return RenderedPdf(content=content, pages=pages, seconds=time.perf_counter() - started)


def render_document_html(template: str, context: dict) -> str:
    """A document's HTML, in the site's language (Simplified Chinese) whatever language
    the caller has active: documents go to the committee as they are."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context)


def render_pdf(template: str, context: dict, **kwargs) -> tuple[str, RenderedPdf]:
    """Render ``template`` with ``context`` to HTML, then to PDF. Returns both."""
    html = render_document_html(template, context)
    return html, html_to_pdf(html, **kwargs)


def chinese_date(day) -> str:
    """2026年11月26日 — the date on a document's title block."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- Long tables in chunks ------------------------------------------------------------

# Rows per chunk of a table ten cells wide: enough for a dozen pages, so that dropping
# each chunk's last page (see ``rows_to_pdf``) costs little, and few enough that a
# chunk's layout stays small. A chunk's memory goes with its cells, so a narrower table
# takes proportionally more rows a chunk (the roster's three cells: 1,000).
CHUNK_ROWS = 300
CHUNK_ROW_CELLS = 10

# Chunks are laid out without the page header and footer: those go on afterwards. (A
# user stylesheet: it needs !important to win over print.css.)
_CHUNK_CSS = """@page {
  @top-center { content: none !important; border: none !important }
  @bottom-center { content: none !important }
}"""


def _css_string(text: str) -> str:
    """``text`` as a CSS string, every character but letters and digits escaped."""
    return '"' + "".join(ch if ch.isalnum() else f"\\{ord(ch):x} " for ch in text) + '"'


def _margins_html(title: str, pages: int, body_class: str = "") -> str:
    """``pages`` empty pages carrying only the header and footer of print.css."""
    from django.templatetags.static import static

    from .fonts import stylesheet

    return (
        f'<!doctype html><html lang="zh-CN"><head><link rel="stylesheet" '
        f'href="{static("reports/print.css")}"><style>{stylesheet()}'
        f"@page {{ @top-center {{ content: {_css_string(title)} }} }}"
        f"@page :first {{ @top-center {{ content: none }} }}"
        f".p {{ break-before: page }}</style></head>"
        f'<body class="{body_class}"><div></div>'
        + '<div class="p"></div>' * (pages - 1)
        + "</body></html>"
    )


def _rows_on_page(page) -> list[int]:
    """The ``data-row`` numbers of the table rows laid out on ``page``."""
    from weasyprint.formatting_structure.boxes import TableRowBox

    return [
        int(box.element.get("data-row"))
        for box in page._page_box.descendants()
        if isinstance(box, TableRowBox) and box.element is not None and box.element.get("data-row")
    ]


def _subset_tag(number: int) -> str:
    letters = ""
    for _i in range(6):
        number, digit = divmod(number, 26)
        letters = chr(ord("A") + digit) + letters
    return letters


def _used_cids(widths) -> list[int]:
    """The CIDs a CIDFont's /W array gives widths for: the glyphs the document uses."""
    cids, items, i = [], list(widths or []), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], list):
            cids += range(first, first + len(items[i + 1]))
            i += 2
        else:
            cids += range(first, int(items[i + 1]) + 1)
            i += 3
    return cids


def _compact_font(descendant) -> None:
    """Embed only the glyphs used, as a bare CID-keyed CFF.

    WeasyPrint subsets the CJK fonts keeping every glyph's number (the text in the PDF
    names glyphs by number), so each subset still holds an empty slot for each of the
    font's 44,000 glyphs: about 85 KiB compressed, whatever the document says, three
    times over (text, headings, bold). Noto CJK's CFF is CID-keyed (Adobe-Identity-0:
    glyph number = CID), and a bare CID-keyed CFF (/CIDFontType0C) finds glyphs by CID
    through its charset, so the empty slots can go and the text stays as it is.
    """
    from pypdf.generic import NameObject

    descriptor = descendant["/FontDescriptor"].get_object()
    stream = descriptor.get("/FontFile3")
    if stream is None or stream.get_object().get("/Subtype") != "/OpenType":
        return
    stream = stream.get_object()
    cff = _bare_cff(stream.get_data(), _used_cids(descendant.get("/W")))
    if cff is None:
        return
    stream.set_data(cff)
    stream[NameObject("/Subtype")] = NameObject("/CIDFontType0C")


def _bare_cff(opentype: bytes, cids: list[int]) -> bytes | None:
    """The bare CID-keyed CFF holding only ``cids`` (and .notdef) of an OpenType CFF
    font (see ``_compact_font``), or None when the font is not CID-keyed.

    Cut by HarfBuzz's subsetter, the library WeasyPrint subsets with, without keeping
    the glyph numbers this time: for a CID-keyed font it keeps each glyph's CID in the
    charset, and copies the charstrings as they are (a few milliseconds a face, where
    reading the 65,000-slot charset, FDSelect and CharStrings index into fontTools'
    objects took about 40–90). fontTools cuts when HarfBuzz cannot (``_bare_cff_fonttools``).
    """
    cff = _harfbuzz_cff(opentype, cids)
    if cff is None:
        return _bare_cff_fonttools(opentype, cids)
    return cff if _cid_keyed(cff) else None


_HARFBUZZ_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode,
                          void *user_data, void *destroy);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_table(const hb_face_t *face, uint32_t tag);
void hb_set_add_sorted_array(hb_set_t *set, const uint32_t *array, unsigned int length);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
_HB_MEMORY_MODE_READONLY = 1
_HB_SUBSET_FLAGS_NOTDEF_OUTLINE = 0x40  # keep .notdef as it is (a box, if WeasyPrint kept one)
_CFF_TAG = int.from_bytes(b"CFF ", "big")


@cache
def _harfbuzz():
    """(cffi, libharfbuzz, libharfbuzz-subset), or None where they cannot be loaded."""
    import ctypes.util

    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_HARFBUZZ_CDEF)
        libraries = [
            ffi.dlopen(ctypes.util.find_library(name) or f"lib{name}.so.0")
            for name in ("harfbuzz", "harfbuzz-subset")
        ]
    except (ImportError, OSError) as error:
        logger.warning("HarfBuzz's subsetter not loaded (%s); fontTools cuts fonts", error)
        return None
    return ffi, *libraries


def _harfbuzz_cff(opentype: bytes, cids: list[int]) -> bytes | None:
    """The CFF table of ``opentype`` cut to ``cids`` (and .notdef) by HarfBuzz, glyphs
    renumbered; None if HarfBuzz is not there or fails."""
    loaded = _harfbuzz()
    if loaded is None:
        return None
    ffi, hb, subset = loaded
    data = ffi.from_buffer(opentype)  # read in place: HarfBuzz's blob is read-only
    blob = hb.hb_blob_create(data, len(opentype), _HB_MEMORY_MODE_READONLY, ffi.NULL, ffi.NULL)
    face = hb.hb_face_create(blob, 0)
    plan = subset.hb_subset_input_create_or_fail()
    cut = table = ffi.NULL
    try:
        if plan == ffi.NULL:
            return None
        glyphs = sorted(set(cids) | {0})
        hb.hb_set_add_sorted_array(
            subset.hb_subset_input_glyph_set(plan), ffi.new("uint32_t[]", glyphs), len(glyphs)
        )
        subset.hb_subset_input_set_flags(plan, _HB_SUBSET_FLAGS_NOTDEF_OUTLINE)
        cut = subset.hb_subset_or_fail(face, plan)
        if cut == ffi.NULL:
            return None
        table = hb.hb_face_reference_table(cut, _CFF_TAG)
        length = ffi.new("unsigned int *")
        pointer = hb.hb_blob_get_data(table, length)
        return ffi.buffer(pointer, length[0])[:] if length[0] else None
    finally:
        if table != ffi.NULL:
            hb.hb_blob_destroy(table)
        if cut != ffi.NULL:
            hb.hb_face_destroy(cut)
        if plan != ffi.NULL:
            subset.hb_subset_input_destroy(plan)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _cid_keyed(cff: bytes) -> bool:
    """Whether a bare CFF font is CID-keyed (its Top DICT has ROS). Read by fontTools:
    the cut font is small, so this takes a fraction of a millisecond."""
    from fontTools.cffLib import CFFFontSet

    font = CFFFontSet()
    try:
        font.decompile(io.BytesIO(cff), None)
        return hasattr(font.topDictIndex[0], "ROS")
    except (IndexError, ValueError, struct.error):
        return False


def _bare_cff_fonttools(opentype: bytes, cids: list[int]) -> bytes | None:
    """``_bare_cff`` with fontTools' CFF objects, as its subsetter's ``subset_glyphs``
    does, rather than through the subsetter: HarfBuzz (WeasyPrint's subset) has already
    removed the subroutines and CJK glyphs have no accented components, so the
    subsetter's closure and desubroutinizing — and recomputing the font's bounding box
    — only decompiled every charstring again. The charstrings are copied as they are.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(opentype), recalcBBoxes=False, lazy=True)
    if "CFF " not in font:
        return None
    cff = font["CFF "].cff
    top = cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return None  # not CID-keyed: glyph numbers are all there is
    wanted = {f"cid{cid:05d}" for cid in cids}
    charset = top.charset
    kept = [i for i, name in enumerate(charset) if i == 0 or name in wanted]
    strings = top.CharStrings
    for i in kept:  # read the kept charstrings (as bytes) before the file goes
        strings.getItemAndSelector(charset[i])
    if strings.charStringsAreIndexed:
        index = strings.charStringsIndex
        index.items = [index.items[i] for i in kept]
        del index.file, index.offsets
        strings.charStrings = {charset[i]: n for n, i in enumerate(kept)}
    else:
        names = {charset[i] for i in kept}
        strings.charStrings = {g: v for g, v in strings.charStrings.items() if g in names}
    if hasattr(top, "FDSelect"):
        select = top.FDSelect
        select.format = None
        select.gidArray = [select.gidArray[i] for i in kept]
    top.charset = [charset[i] for i in kept]
    top.numGlyphs = len(kept)
    output = io.BytesIO()
    cff.compile(output, font)
    return output.getvalue()


def compact_fonts_before_writing(document, pdf) -> None:
    """WeasyPrint finisher (``write_pdf(finisher=...)``): compact every embedded
    CID-keyed font as ``_compact_font`` does, in WeasyPrint's own PDF objects before the
    file is written, rather than reading the written file back with pypdf and writing it
    again — for a long table's chunks and its page margins too (``rows_to_pdf``)."""
    objects = pdf.objects

    def resolve(reference):
        return objects[int(bytes(reference).split()[0])]

    for obj in list(objects):
        if not isinstance(obj, dict) or obj.get("Subtype") != "/CIDFontType0":
            continue
        descriptor = resolve(obj["FontDescriptor"])
        if "FontFile3" not in descriptor:
            continue
        stream = resolve(descriptor["FontFile3"])
        if stream.extra.get("Subtype") != "/OpenType":
            continue
        cff = _bare_cff(b"".join(stream.stream), _used_cids(obj.get("W")))
        if cff is not None:
            stream.stream = [cff]
            stream.extra["Subtype"] = "/CIDFontType0C"


def _fix_fonts(writer) -> None:
    """Compact every embedded font subset and give each its own tag
    ("ABCDEF+Noto-Serif-CJK-SC").

    Each chunk's WeasyPrint tags its subset of a font the same way, whatever glyphs it
    holds; in one file, viewers (poppler) then take one subset for the other and draw
    the wrong glyphs.
    """
    from pypdf.generic import NameObject

    def retag(font: dict, key: str, tag: str) -> None:
        if key in font:
            font[NameObject(key)] = NameObject(f"/{tag}+{str(font[key])[1:].split('+', 1)[-1]}")

    seen: dict[int, str] = {}
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for reference in fonts.values():
            if reference.idnum in seen:
                continue
            tag = seen[reference.idnum] = _subset_tag(len(seen))
            font = reference.get_object()
            retag(font, "/BaseFont", tag)
            for descendant in font.get("/DescendantFonts", []):
                descendant = descendant.get_object()
                retag(descendant, "/BaseFont", tag)
                retag(descendant["/FontDescriptor"].get_object(), "/FontName", tag)
                _compact_font(descendant)


def _chunks_to_writer(html_for, rows, chunk_rows, lay_out, chunk_css, progress):
    """``rows_to_pdf``'s chunks laid out one after another and joined in a pypdf writer
    (inside ``_render_collections``: each chunk's layout is collected before the next)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    start = 0
    while True:
        stop = min(start + chunk_rows, rows)
        document = lay_out(html_for(start, stop), stylesheets=[chunk_css])
        pages = document.pages
        carried = _rows_on_page(pages[-1]) if stop < rows and len(pages) > 1 else []
        carried = [row for row in carried if row > start]
        if carried:
            pages = pages[:-1]
        # Compacted now, not at the end: the writer would otherwise hold every chunk's
        # fonts with an empty slot for each of their glyphs until the file is done. In
        # WeasyPrint's own objects (the finisher), not by reading the written chunk back
        # and writing it again with pypdf.
        content = document.copy(pages).write_pdf(finisher=compact_fonts_before_writing)
        del document, pages
        gc.collect()  # this chunk's layout, freed before the next
        chunk = PdfReader(io.BytesIO(content))
        writer.append(chunk, import_outline=start == 0)
        if start == 0:
            writer.add_metadata(chunk.metadata or {})
        check_limits()
        if progress:
            progress(0.95 * stop / rows)
        if stop >= rows:
            return writer
        start = min(carried) if carried else stop


def rows_to_pdf(
    html_for: Callable[[int, int], str],
    rows: int,
    *,
    title: str,
    progress: Callable[[float], None] | None = None,
    chunk_rows: int | None = None,
    cells_per_row: int = CHUNK_ROW_CELLS,
    body_class: str = "",
) -> RenderedPdf:
    """A document that is mostly one long table, in bounded memory whatever its length.

    ``html_for(start, stop)`` is the document's HTML with the table's rows ``start`` to
    ``stop`` only (each ``<tr data-row="n">``), and what comes before the table only when
    ``start`` is 0. Each chunk is laid out, written and freed before the next. A chunk's
    last page is dropped and its rows start the next chunk, so that every page but the
    last is full and the joins cannot be seen; the table needs fixed column widths
    (``table-layout: fixed``) for the same reason. The header and the page numbers are
    drawn over the joined pages, from one more (cheap) render of empty pages.
    """
    chunk_rows = chunk_rows or max(1, CHUNK_ROWS * CHUNK_ROW_CELLS // cells_per_row)
    if rows <= chunk_rows:
        return html_to_pdf(html_for(0, rows), progress=progress, estimated_pages=rows // 25 + 2)
    from pypdf import PdfReader
    from weasyprint import CSS, HTML

    def lay_out(html: str, **kwargs):
        return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(**kwargs)

    fetcher = static_files_fetcher()
    chunk_css = CSS(string=_CHUNK_CSS)
    started = time.perf_counter()
    _progress.callback = None
    with _render_collections():
        writer = _chunks_to_writer(html_for, rows, chunk_rows, lay_out, chunk_css, progress)
        total = len(writer.pages)
        margins = lay_out(_margins_html(title, total, body_class))
        content = margins.write_pdf(finisher=compact_fonts_before_writing)
        del margins
        gc.collect()  # the margins' layout, before the pages are merged
        margins = PdfReader(io.BytesIO(content))
        for page, margin in zip(writer.pages, margins.pages, strict=True):
            page.merge_page(margin)
            page.compress_content_streams()  # merging leaves them uncompressed
        _fix_fonts(writer)
        # Each page's copies of what its chunk's pages share (the roster's column rules
        # are an image a page): written once, as WeasyPrint writes them in one render.
        writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=False)
        output = io.BytesIO()
        writer.write(output)
        del writer, margins
    seconds = time.perf_counter() - started
    return RenderedPdf(content=output.getvalue(), pages=total, seconds=seconds)
