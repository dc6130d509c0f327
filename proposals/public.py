"""The office's public page of proposals (提案公开, issue 20 item 6): read without
signing in, per office and year, only what staff left public, and nothing about the
proposers beyond their name and 界别."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from liaison.models import Office, today

from .selectors import public_page_stamp, public_proposals, public_years


def _cache_key(office, year: int) -> str:
    # Named after what the page is computed from (selectors.public_page_stamp): a
    # proposal made private, newly registered or replied to changes the key, so the
    # change shows on the very next view in every process; unchanged pages are read
    # from the cache until PUBLIC_PAGE_CACHE_SECONDS pass.
    stamp = hashlib.sha256(repr(public_page_stamp(office, year)).encode()).hexdigest()[:16]
    return f"public-proposals:{office.pk}:{year}:{get_language()}:{stamp}"


@require_GET
def public_proposal_list(request, office: str, year: int):
    office = get_object_or_404(Office, code=office)
    if not 2000 <= year <= today().year + 1:
        raise Http404
    key = _cache_key(office, year)
    html = cache.get(key)
    if html is None:
        proposals = list(public_proposals(office, year))
        html = render_to_string(
            "proposals/public_list.html",
            {
                "office": office,
                "year": year,
                "proposals": proposals,
                "years": public_years(office),
                "replied": sum(1 for p in proposals if p.public_replies),
            },
            request=request,
        )
        cache.set(key, html, settings.PUBLIC_PAGE_CACHE_SECONDS)
    return HttpResponse(html)
