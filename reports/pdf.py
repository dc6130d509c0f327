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
command run it in a Celery worker, never in a web request.
"""

import hashlib
import logging
import mimetypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

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
            path = static_file_path(url)
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


class _ProgressHandler(logging.Handler):
    def emit(self, record):
        callback = getattr(_progress, "callback", None)
        if callback is None:
            return
        try:
            message = record.getMessage()
            step = message.removeprefix("Step ").split(" ", 1)[0]
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
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        content = document.write_pdf()
    finally:
        _progress.callback = None
    return RenderedPdf(
        content=content, pages=len(document.pages), seconds=time.perf_counter() - started
    )


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
