"""Admin pages of the roster beyond the changelist: the official name list (名册)."""

from itertools import groupby

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.scoping import default_office, visible_offices

from .selectors import roster_members


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
    members = list(roster_members(queryset, by_sector=by_sector))
    if by_sector:
        groups = [(sector, list(rows)) for sector, rows in groupby(members, lambda m: m.sector)]
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
        "total": len(members),
        "today": timezone.localdate(),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/members/member/roster.html", context)
