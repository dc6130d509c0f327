"""Admin pages of the roster beyond the changelist: the official name list (名册)."""

from itertools import groupby

from django.core.paginator import Paginator
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from liaison.scoping import default_office, visible_offices

from .selectors import roster_members

ROSTER_PAGE = 100


def roster(model_admin, request):
    """The printable name list of one office's serving members."""
    queryset = model_admin.get_queryset(request)
    offices = []
    office = default_office(request)
    if model_admin._shows_office(request):
        # District staff choose the office; one list per office, as the office files it.
        offices = list(visible_offices(request.user))
        chosen = request.GET.get("office")
        office = next((o for o in offices if str(o.pk) == chosen), None) or (
            offices[0] if offices else None
        )
        queryset = queryset.filter(office=office)
    by_sector = request.GET.get("group") == "sector"
    # A hundred names a page, numbered on from the page before: the page reads and
    # prints quickly whatever the office's size; the whole list for the committee is
    # the roster PDF (reports), linked from here.
    page = Paginator(roster_members(queryset, by_sector=by_sector), ROSTER_PAGE).get_page(
        request.GET.get("page")
    )
    members = list(page.object_list)
    for number, member in enumerate(members, start=page.start_index()):
        member.number = number
    if by_sector:
        # Each heading gives its sector's whole count, and says 续 when the sector began
        # on an earlier page: one grouped count, in the list's own sector order.
        first_number, number = {}, 1
        for sector_id, count in (
            roster_members(queryset, by_sector=True)
            .order_by("sector__position", "sector_id")
            .values_list("sector_id")
            .annotate(n=Count("pk"))
        ):
            first_number[sector_id] = (number, count)
            number += count
        groups = []
        for sector, rows in groupby(members, lambda m: m.sector):
            rows = list(rows)
            start, sector.total = first_number[sector.pk]
            sector.continued = rows[0].number > start
            groups.append((sector, rows))
    else:
        groups = [(None, members)]
    title = _("%(office)s委员名册") % {"office": office.name} if office else _("委员名册")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "office": office,
        "offices": offices,
        "by_sector": by_sector,
        "groups": groups,
        "total": page.paginator.count,
        "page": page,
        "query_string": urlencode(
            {k: v for k, v in request.GET.items() if k in ("office", "group")}
        ),
        "today": timezone.localdate(),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/members/member/roster.html", context)
