"""Pages in the admin that are not a changelist or a change form: the sign-in sheet for
a tablet at the door, the QR code projected in the hall, and the minutes to print. The
ActivityAdmin checks the permission and passes the activity."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from liaison.models import today
from liaison.workflow import WorkflowError

from . import services
from .models import Activity, Invitation
from .selectors import activity_minutes, sign_in_counts, sign_in_sheet
from .signin import qr_svg, sign_in_url, sign_in_window
from .workflows import record_attendance_refusal


def sign_in(model_admin, request, activity):
    """签到登记: a page for a tablet at the door — big rows in name-list order, one tap
    marks a member present."""
    url = reverse("admin:briefings_activity_sign_in", args=[activity.pk])
    query = request.GET.get("q", "").strip()[:50]
    waiting_only = request.GET.get("waiting") == "1"
    if request.method == "POST":
        if not model_admin.has_change_permission(request, activity):
            raise PermissionDenied
        invitation = activity.invitations.filter(pk=request.POST.get("invitation")).first()
        if invitation is None:
            messages.error(request, _("没有找到该委员的邀请记录。"))
        else:
            try:
                services.attendance_record(invitation=invitation, actor=request.user)
            except WorkflowError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("%(name)s 已签到。") % {"name": invitation.member.name})
        # Back to the same search and page, from the parameters this page itself uses.
        back = QueryDict(request.POST.get("back", "")[:200]).dict()
        query_string = urlencode({k: v for k, v in back.items() if k in ("q", "waiting", "page")})
        return HttpResponseRedirect(f"{url}?{query_string}" if query_string else url)
    # Fifty rows a page: at the door staff search by name or mobile tail, or page
    # through those not signed in yet; a briefing of hundreds never draws them all.
    page = Paginator(sign_in_sheet(activity, query, waiting_only=waiting_only), 50).get_page(
        request.GET.get("page")
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": activity,
        "is_nav_sidebar_enabled": False,  # the whole width for the list on a tablet
        "title": _("签到登记：%(t)s") % {"t": activity.title},
        "activity": activity,
        "invitations": page.object_list,
        "page": page,
        "query": query,
        "waiting_only": waiting_only,
        "back": request.GET.urlencode(),
        "counts": sign_in_counts(activity),
        # Why the rows have no 签到 button (None: they have), as the service says.
        "record_refusal": record_attendance_refusal(activity)
        if model_admin.has_change_permission(request, activity)
        else _("您没有登记出勤的权限，此页仅供查看。"),
        "change_url": reverse("admin:briefings_activity_change", args=[activity.pk]),
    }
    return TemplateResponse(request, "admin/briefings/activity/sign_in.html", context)


def qr(model_admin, request, activity):
    """The QR code to project in the hall; refreshes its count every 30 seconds."""
    url = sign_in_url(activity)
    attended = activity.invitations.filter(attendance=Invitation.Attendance.ATTENDED).count()
    invited = activity.invitations.count()
    opens, closes = sign_in_window(activity)
    context = {
        "activity": activity,
        "qr": mark_safe(qr_svg(url)),  # segno's own SVG markup, no user input in it
        "url": url,
        "attended": attended,
        "invited": invited,
        "opens": opens,
        "closes": closes,
        "window_open": opens <= timezone.now() <= closes,
    }
    return TemplateResponse(request, "admin/briefings/activity/qr.html", context)


# The printed minutes name at most this many invitees of each attendance state; the
# rest are counted and the sign-in sheet has every name (an activity may invite an
# office of thousands).
MINUTES_NAMES = 100


def minutes(model_admin, request, activity):
    """纪要 for printing: the minutes with attendance and opinions attached — each state's
    count, and its first MINUTES_NAMES names in name-list order (two queries, whatever
    the number of invitees)."""
    activity = activity_minutes(Activity.objects.filter(pk=activity.pk), invitees=False).get()
    invitations = activity.invitations.order_by()
    counts = dict(
        invitations.values_list("attendance").annotate(n=Count("pk")).values_list("attendance", "n")
    )
    named = (
        invitations.annotate(
            place=Window(
                RowNumber(),
                partition_by=F("attendance"),
                order_by=(F("member__stroke_key").asc(), F("pk").asc()),
            )
        )
        .filter(place__lte=MINUTES_NAMES)
        .order_by("attendance", "place")
        .values_list("attendance", "member__name")
    )
    groups = {state: [] for state, _label in Invitation.Attendance.choices}
    for state, name in named:
        groups[state].append(name)
    attendance = [
        (label, groups[state], counts[state])
        for state, label in Invitation.Attendance.choices
        if counts.get(state)
    ]
    context = {
        "activity": activity,
        "leaders": list(activity.leaders.all()),
        "agenda": list(activity.agenda.all()),
        "attendance": attendance,
        "invited": sum(counts.values()),
        "opinions": list(activity.opinions.all()),
        "outputs": list(activity.outputs.all()) if activity.kind.records_outputs else [],
        "donations": list(activity.donations.select_related("member"))
        if activity.kind.records_outputs
        else [],
        "printed_on": today(),
    }
    return TemplateResponse(request, "admin/briefings/activity/minutes.html", context)
