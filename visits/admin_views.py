"""Pages in the admin that are not a changelist: visit coverage (who still needs a
visit) and the concern digest conveyed upward to the superior CPPCC and the street
party working committee."""

import datetime

from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.dashboard import district_groups, expanded_district
from liaison.limits import year_param
from liaison.models import today
from liaison.scoping import shows_districts, visible_offices
from liaison.selectors import on_days

from . import coverage as cached
from .models import Concern
from .selectors import half_year_period, year_period

SHOW_CHOICES = (
    ("half", gettext_lazy("本半年未走访")),
    ("year", gettext_lazy("未达年度走访次数")),
    ("all", gettext_lazy("全部在任委员")),
)


def _chosen_office(request, offices):
    chosen = request.GET.get("office", "")
    office = next((o for o in offices if str(o.pk) == chosen), None)
    if office is None and len(offices) == 1:
        office = offices[0]
    return office


def coverage(model_admin, request):
    """Every serving member should be visited at least N times a year (N configurable
    per office, DOMAIN.md). District staff see one row per office and pick an office;
    office staff see their own office. Counted in the database from the members' visit
    tallies, and cached until a visit, a member or a target changes (visits.coverage)."""
    day = today()
    offices = list(visible_offices(request.user).select_related("district").order_by("code"))
    office = _chosen_office(request, offices)
    show = request.GET.get("show", "half")
    if show not in dict(SHOW_CHOICES):
        show = "half"
    stamp = cached.version(offices, day)
    rows = cached.summary(offices, day, stamp)
    # The city's staff: a row per district with its subtotals, its offices once
    # expanded (?district=), and the members listed below are that district's.
    groups = None
    shown = [office] if office else offices
    if shows_districts(request):
        by_pk = {o.pk: o for o in offices}
        chosen = expanded_district(request)
        groups = district_groups(
            rows,
            lambda row: [getattr(row, key) for key in _SUMMED],
            office=lambda row: by_pk[row.office.pk],
            expanded=chosen,
        )
        if office is None and chosen:
            shown = [o for o in offices if str(o.district_id) == chosen] or offices
        for group in groups:
            group.sums = dict(zip(_SUMMED, group.totals, strict=True))
            group.sums["rate"] = _rate(group.sums)
    page = cached.page(
        offices=offices,
        shown=shown,
        rows=rows,
        show=show,
        number=request.GET.get("page"),
        day=day,
        stamp=stamp,
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("委员走访覆盖情况"),
        "rows": rows,
        "totals": _totals(rows),
        "office": office,
        "offices": offices,
        "show": show,
        "show_choices": SHOW_CHOICES,
        "page": page,
        "year": year_period(day),
        "half": half_year_period(day),
        "today": day,
        "many_offices": len(offices) > 1,
        "districts": groups,
        "district": expanded_district(request) if groups else "",
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/visits/visit/coverage.html", context)


_SUMMED = ("serving", "visited_half", "not_visited_half", "not_visited_year", "below_target")


def _rate(sums: dict) -> int:
    return round(100 * sums["visited_half"] / sums["serving"]) if sums["serving"] else 0


def _totals(rows) -> dict:
    keys = _SUMMED
    totals = {key: sum(getattr(row, key) for row in rows) for key in keys}
    totals["rate"] = (
        round(100 * totals["visited_half"] / totals["serving"]) if totals["serving"] else 0
    )
    return totals


# --- Concern digest -------------------------------------------------------------------


def parse_period(value: str, day: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    """``2026-03`` (a month) or ``2026-Q1`` (a quarter); anything else means the
    current month."""
    try:
        year_text, part = value.split("-", 1)
        year = year_param(year_text)
        if year is None:  # 1900–2100 only: a month end past 9999 overflows
            raise ValueError(value)
        if part.upper().startswith("Q"):
            quarter = int(part[1:])
            if not 1 <= quarter <= 4:
                raise ValueError(value)
            start = datetime.date(year, 3 * quarter - 2, 1)
            end = _month_end(datetime.date(year, 3 * quarter, 1))
            return start, end, _("%(y)s年第%(q)s季度") % {"y": year, "q": "一二三四"[quarter - 1]}
        month = int(part)
        start = datetime.date(year, month, 1)
    except (ValueError, IndexError):
        start = day.replace(day=1)
    return start, _month_end(start), _("%(y)s年%(m)s月") % {"y": start.year, "m": start.month}


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _period_choices(day: datetime.date) -> list[tuple[str, str]]:
    months = []
    first = day.replace(day=1)
    for _i in range(12):
        months.append((f"{first:%Y-%m}", f"{first.year}年{first.month}月"))
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    quarters = []
    year, quarter = day.year, (day.month - 1) // 3 + 1
    for _i in range(4):
        quarters.append((f"{year}-Q{quarter}", f"{year}年第{'一二三四'[quarter - 1]}季度"))
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return quarters + months


def digest(model_admin, request):
    """意见建议汇总: the concerns collected in a month or quarter — counts by state and
    by kind, and the list — for the superior CPPCC and the street party working
    committee. HTML now; the reports work renders the same context to PDF."""
    day = today()
    period = request.GET.get("period", "")
    start, end, label = parse_period(period, day)
    offices = list(visible_offices(request.user).order_by("code"))
    office = _chosen_office(request, offices)
    concerns = model_admin.get_queryset(request).filter(
        on_days("created_at", start, end),
        **({"office": office} if office else {}),
    )
    by_status = dict(concerns.order_by().values_list("status").annotate(n=Count("pk")))
    by_category = list(
        concerns.order_by()
        .values("category__name", "category__position")
        .annotate(n=Count("pk"))
        .order_by("category__position", "category__name")
    )
    by_scope = dict(concerns.order_by().values_list("scope").annotate(n=Count("pk")))
    by_source = dict(concerns.order_by().values_list("source").annotate(n=Count("pk")))
    items = list(
        concerns.select_related("member", "unit", "category", "office").order_by(
            "office__code", "created_at", "pk"
        )
    )
    status_rows = [(label_, by_status.get(value, 0)) for value, label_ in Concern.Status.choices]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("%(who)s%(period)s委员意见建议汇总")
        % {"who": office.name if office else _("全区各联络处"), "period": label},
        "period_label": label,
        "period": period or f"{start:%Y-%m}",
        "period_choices": _period_choices(day),
        "start": start,
        "end": end,
        "office": office,
        "offices": offices if len(offices) > 1 else [],
        "total": len(items),
        "status_rows": status_rows,
        "category_rows": [(row["category__name"] or _("未分类"), row["n"]) for row in by_category],
        "scope_rows": [
            (_("街道职责范围内"), by_scope.get(Concern.Scope.WITHIN, 0)),
            (_("超出街道职责"), by_scope.get(Concern.Scope.BEYOND, 0)),
            (_("尚未分类"), by_scope.get("", 0)),
        ],
        "source_rows": [(lbl, by_source.get(value, 0)) for value, lbl in Concern.Source.choices],
        "items": items,
        "overdue": sum(1 for c in items if c.is_overdue),
        "today": day,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/visits/concern/digest.html", context)
