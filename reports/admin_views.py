"""Pages in the admin that are not a changelist or a change form: a plan's progress
against its targets, measured live, the page where staff ask for a document, and the
statistics page with its downloads. The admins check the permission and pass the
record."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from liaison.limits import LimitedForm, year_param
from liaison.models import Office, today
from liaison.scoping import has_districts, sees_all_offices, shows_districts, visible_offices
from liaison.spreadsheets import xlsx_workbook
from liaison.workflow import WorkflowError
from members.models import Member, Term

from . import metrics, services, statistics
from .charts import progress_chart
from .models import Document


def plan_progress(model_admin, request, plan):
    """Each target against the data, live (DOMAIN.md: the plan's measurable targets)."""
    if request.method == "POST":
        if not model_admin.has_change_permission(request, plan):
            raise PermissionDenied
        services.document_request(
            office=plan.office,
            kind=Document.Kind.PLAN_PROGRESS,
            params={"year": plan.year},
            actor=request.user,
            refresh=True,
        )
        messages.success(request, _("执行情况 PDF 已加入生成队列，可在“报告文件”中查看进度。"))
        return HttpResponseRedirect(request.path)
    items = list(plan.items.select_related("category"))
    readings = metrics.measure(plan.office, plan.year, items)
    rows = [(item, readings.get(item.pk)) for item in items]
    chart = progress_chart(
        [
            (item.get_metric_display(), reading.value, reading.goal)
            for item, reading in rows
            if reading is not None
        ],
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": plan,
        "title": _("%(plan)s 执行情况") % {"plan": plan},
        "rows": rows,
        "chart": chart,
        "as_of": today(),
        "measured": sum(1 for _, r in rows if r is not None),
        "met": sum(1 for _, r in rows if r is not None and r.met),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/reports/workplan/progress.html", context)


class DocumentRequestForm(LimitedForm):
    kind = forms.ChoiceField(label=_("文件类型"), choices=Document.Kind.choices)
    office = forms.ModelChoiceField(label=_("联络处"), queryset=Office.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    half = forms.TypedChoiceField(
        label=_("半年"),
        choices=[("", _("全年")), ("1", _("上半年")), ("2", _("下半年"))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("工作报告、问题汇总可选。"),
    )
    member_no = forms.CharField(
        label=_("委员编号"), required=False, max_length=30, help_text=_("履职档案必填。")
    )
    term = forms.ModelChoiceField(
        label=_("届次"),
        queryset=Term.objects.all(),
        required=False,
        help_text=_("履职档案：选届次则生成整届档案，否则按年度。"),
    )
    activity = forms.IntegerField(
        label=_("活动编号"),
        required=False,
        help_text=_("活动纪要和请示必填；在活动页面点“生成纪要 PDF”会自动填好。"),
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        if offices.count() == 1:
            self.fields["office"].initial = offices.first()
            self.fields["office"].widget = forms.HiddenInput()
        self.fields["year"].initial = today().year

    def params(self) -> dict:
        data = self.cleaned_data
        params = {"year": data.get("year"), "half": data.get("half")}
        if data.get("member_no"):
            member = Member.objects.filter(
                member_no=data["member_no"].strip(), office=data["office"]
            ).first()
            if member is None:
                raise WorkflowError(_("本联络处没有该编号的委员。"))
            params["member"] = member.pk
            if data.get("term"):
                params = {"member": member.pk, "term": data["term"].pk}
        if data.get("activity"):
            params["activity"] = data["activity"]
        return params


def document_request(model_admin, request):
    """Ask for a document: the worker renders it; the page shows its progress."""
    # Other pages link here with the fields filled in (?kind=minutes&activity=18).
    initial = {
        name: request.GET[name]
        for name in ("kind", "year", "half", "member_no", "activity")
        if name in request.GET
    }
    form = DocumentRequestForm(
        request.POST or None, initial=initial, offices=model_admin._offices(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_request(
                office=form.cleaned_data["office"],
                kind=form.cleaned_data["kind"],
                params=form.params(),
                actor=request.user,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已加入生成队列：%(title)s") % {"title": document})
            return HttpResponseRedirect(
                reverse("admin:reports_document_change", args=[document.pk])
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("生成报告文件"),
        "form": form,
        "has_view_permission": True,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/reports/document/request.html", context)


def _statistics_scope(request):
    """The offices the user may pick, the ids of those counted (None: every office of
    the installation) and how the page names them. District staff count every office or
    pick one (?office=); an office that is not the user's to see is a 404, so office
    staff never reach another office's figures."""
    offices = list(visible_offices(request.user).select_related("district").order_by("code"))
    chosen = request.GET.get("office", "")
    if chosen:
        office = next((o for o in offices if str(o.pk) == chosen), None)
        if office is None:
            raise Http404(_("没有这个联络处。"))
        return offices, [office.pk], office.name
    district = request.GET.get("district", "")
    if district and shows_districts(request):
        # The city's staff count one district (?district=): its offices, 全区 named.
        mine = [o for o in offices if str(o.district_id) == district]
        if not mine:
            raise Http404(_("没有这个区。"))
        name = _("%(district)s（%(count)s 个联络处）") % {
            "district": mine[0].district.name,
            "count": len(mine),
        }
        return offices, [o.pk for o in mine], name
    if len(offices) == 1:
        return offices, [offices[0].pk], offices[0].name
    counted = None if sees_all_offices(request.user) else [o.pk for o in offices]
    if sees_all_offices(request.user) and has_districts(request):
        return offices, counted, _("全市（%(count)s 个联络处）") % {"count": len(offices)}
    return offices, counted, _("全区（%(count)s 个联络处）") % {"count": len(offices)}


def _districts(offices) -> list:
    """The districts of ``offices`` (selected with them), in their order, each with its
    offices: ``[(district, [office, …])]``."""
    groups: dict = {}
    for office in offices:
        groups.setdefault(office.district, []).append(office)
    return sorted(groups.items(), key=lambda item: (item[0] is None, item[0] and item[0].pk))


def _statistics_year(request) -> int:
    return year_param(request.GET.get("year")) or today().year


def statistics_page(model_admin, request):
    """The statistics page: every table with its chart and its download."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    offices, counted, scope = _statistics_scope(request)
    year = _statistics_year(request)
    this_year = today().year
    years = sorted({*range(this_year - 5, this_year + 1), year}, reverse=True)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("统计"),
        "scope": scope,
        "year": year,
        "years": years,
        "offices": offices if len(offices) > 1 else [],
        "office_id": request.GET.get("office", ""),
        # The city's staff pick a district too; their office list is grouped by it.
        "districts": _districts(offices) if shows_districts(request) else [],
        "district_id": request.GET.get("district", "") if shows_districts(request) else "",
        "sections": statistics.statistics(counted, year, today()),
        "as_of": today(),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/reports/statistics.html", context)


def statistics_download(model_admin, request):
    """The statistics page's tables as an .xlsx workbook, one sheet each, with the
    page's numbers; ``?table=`` names one table for a workbook of that sheet alone."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    _offices, office_ids, scope = _statistics_scope(request)
    year = _statistics_year(request)
    slug = request.GET.get("table", "")
    if slug:
        table = statistics.table(office_ids, year, today(), slug)
        if table is None:
            raise Http404(_("没有这张统计表。"))
        tables = [table]
        name = _("%(scope)s%(year)s年%(title)s") % {
            "scope": scope,
            "year": year,
            "title": table.title,
        }
    else:
        sections = statistics.statistics(office_ids, year, today())
        tables = [t for section in sections for t in section.tables]
        name = _("%(scope)s%(year)s年统计") % {"scope": scope, "year": year}
    content = xlsx_workbook([(t.title, t.headers, t.all_rows) for t in tables])
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.xlsx")
    return response
