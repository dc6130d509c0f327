"""The documents the office hands the committee: what each kind needs (its parameters),
what it is called, and the data its template shows.

``build(kind, office, params, document_date)`` gathers the data; ``render`` turns it into
a PDF through ``reports.pdf``. Both the Celery task (reports.tasks) and the
``render_report`` command go through here, so a document looks the same whichever way it
was made. Each builder reads with a fixed number of queries (joins and prefetches), and
a year without data gives a short document that says so, not an error.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from briefings.models import Activity, Invitation
from briefings.selectors import activity_minutes, organised_by
from consultations.models import Consultation
from consultations.selectors import compilation
from liaison.selectors import on_days
from liaison.workflow import WorkflowError
from members.models import Contribution, Member, Term
from members.selectors import roster_members
from plans.models import PlanConfig, WorkPlan, WorkReport
from plans.selectors import year_comments
from plans.services import current_plan
from proposals.models import (
    Adoption,
    Assignment,
    Feedback,
    OpinionReport,
    ProposalCosigner,
    Reply,
)
from proposals.selectors import counted_proposals, handed_in_proposals
from visits.models import Concern, Visit, VisitMember

from . import charts, duty, fonts, metrics
from .columns import Columns, clean, width
from .figures import period_window, report_figures
from .models import CommitteeReply, Document
from .pdf import (
    CHUNK_ROW_CELLS,
    RenderedPdf,
    chinese_date,
    html_to_pdf,
    render_document_html,
    rows_to_pdf,
)

K = Document.Kind


class DocumentParamsError(WorkflowError):
    """The parameters do not name a document this office can have."""


@dataclass
class Built:
    template: str
    context: dict = field(default_factory=dict)
    estimated_pages: int = 5
    # The context list a document that is one long table shows in it: rendered in chunks
    # of rows (reports.pdf.rows_to_pdf) so that its memory does not grow with its length.
    table: str | None = None
    # That table's cells a row, for the rows a chunk (reports.pdf.CHUNK_ROWS).
    cells_per_row: int = CHUNK_ROW_CELLS
    # The date the document carries (成文日期): the day it was approved, issued or held —
    # None for the day it was asked for. Never the day it is rendered.
    date: object = None
    # Why the document is not finished (no text yet, not adopted …): it cannot be issued,
    # and a command-line render marks it a draft.
    unfinished: list = field(default_factory=list)


# --- Parameters -----------------------------------------------------------------------

NEEDS = {
    K.PLAN: ("year",),
    K.PLAN_PROGRESS: ("year",),
    K.WORK_REPORT: ("year",),
    K.COMPENDIUM: ("year",),
    K.MINUTES: ("activity",),
    K.CONCERNS: ("year",),
    K.ROSTER: (),
    K.DUTY_RECORD: ("member",),
    K.RANKING: ("year",),
    K.REQUEST: ("activity",),
    K.CONSULTATION: ("consultation",),
    K.REPLY: ("reply",),
}
OPTIONAL = {
    K.PLAN: ("plan",),
    K.WORK_REPORT: ("half",),
    K.CONCERNS: ("half",),
    K.DUTY_RECORD: ("year", "term"),
}


def _int(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DocumentParamsError(
            _("参数“%(name)s”应为整数：%(value)s") % {"name": name, "value": value}
        ) from None


def normalize(kind: str, office, params: dict) -> dict:
    """The parameters that define the document, checked and in canonical form. Anything
    else is dropped, so equal documents get equal fingerprints."""
    if kind not in K.values:
        raise DocumentParamsError(_("未知的文件类型：%(kind)s") % {"kind": kind})
    clean = {}
    for name in NEEDS[kind] + OPTIONAL.get(kind, ()):
        value = params.get(name)
        if value in (None, ""):
            if name in NEEDS[kind]:
                raise DocumentParamsError(_("缺少参数：%(name)s") % {"name": name})
            continue
        clean[name] = _int(value, name)
    if "year" in clean and not 2000 <= clean["year"] <= 2100:
        raise DocumentParamsError(_("年度不正确：%(year)s") % {"year": clean["year"]})
    if "half" in clean and clean["half"] not in (1, 2):
        raise DocumentParamsError(_("半年只能是 1（上半年）或 2（下半年）。"))
    if kind == K.DUTY_RECORD:
        if ("year" in clean) == ("term" in clean):
            raise DocumentParamsError(_("履职档案请指定年度或届次（二选一）。"))
        if not Member.objects.filter(pk=clean["member"], office=office).exists():
            raise DocumentParamsError(_("该委员不属于本联络处。"))
        if "term" in clean and not Term.objects.filter(pk=clean["term"]).exists():
            raise DocumentParamsError(_("届次不存在。"))
    if (
        kind == K.PLAN
        and "plan" in clean
        and not WorkPlan.objects.filter(
            pk=clean["plan"], office=office, year=clean["year"]
        ).exists()
    ):
        raise DocumentParamsError(_("该工作计划不属于本联络处或年度不符。"))
    if kind in (K.MINUTES, K.REQUEST):
        _check_activity(office, clean["activity"])
    if (
        kind == K.CONSULTATION
        and not Consultation.objects.filter(pk=clean["consultation"], office=office).exists()
    ):
        raise DocumentParamsError(_("该征求意见不属于本联络处。"))
    if (
        kind == K.REPLY
        and not CommitteeReply.objects.filter(pk=clean["reply"], office=office).exists()
    ):
        raise DocumentParamsError(_("该复函不属于本联络处。"))
    return clean


def _check_activity(office, activity_id):
    if not Activity.objects.filter(organised_by([office.pk]), pk=activity_id).exists():
        raise DocumentParamsError(_("该活动不属于本联络处。"))


def fingerprint(kind: str, office, params: dict, document_date) -> str:
    """Same office, kind, parameters and date → same document. A ranking or duty record
    also depends on whether its years were closed (grades shown or not)."""
    content = {
        "kind": kind,
        "office": office.pk,
        "params": params,
        "date": document_date.isoformat(),
    }
    if kind in (K.RANKING, K.DUTY_RECORD):
        years, _period = _years(params)
        content["graded"] = duty.grading_stamp(office, years)
    payload = json.dumps(content, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _half_label(half) -> str:
    return {1: _("上半年"), 2: _("下半年")}.get(half, "")


def title_for(kind: str, office, params: dict) -> str:
    year = params.get("year")
    if kind == K.PLAN:
        return _("%(year)s年度工作计划") % {"year": year}
    if kind == K.PLAN_PROGRESS:
        return _("%(year)s年度工作计划执行情况") % {"year": year}
    if kind == K.WORK_REPORT:
        return WorkReport.title_for(year, params.get("half"))
    if kind == K.COMPENDIUM:
        return _("%(year)s年度提案汇编") % {"year": year}
    if kind == K.MINUTES:
        activity = Activity.objects.filter(pk=params["activity"]).only("title").first()
        return _("%(title)s纪要") % {"title": activity.title if activity else ""}
    if kind == K.CONCERNS:
        return _("%(year)s年%(half)s委员反映问题汇总") % {
            "year": year,
            "half": _half_label(params.get("half")),
        }
    if kind == K.ROSTER:
        return _("委员名册")
    if kind == K.DUTY_RECORD:
        member = Member.objects.filter(pk=params["member"]).only("name").first()
        name = member.name if member else ""
        if "term" in params:
            term = Term.objects.filter(pk=params["term"]).first()
            return _("%(name)s委员%(term)s履职档案") % {"name": name, "term": term.name}
        return _("%(name)s委员%(year)s年度履职档案") % {"name": name, "year": year}
    if kind == K.RANKING:
        return _("%(year)s年度委员履职积分排名") % {"year": year}
    if kind == K.REQUEST:
        activity = Activity.objects.filter(pk=params["activity"]).only("title").first()
        return _("关于举办%(title)s的请示") % {"title": activity.title if activity else ""}
    if kind == K.CONSULTATION:
        consultation = Consultation.objects.filter(pk=params["consultation"]).only("title").first()
        return _("关于《%(title)s》征求意见情况的报告") % {
            "title": consultation.title if consultation else ""
        }
    if kind == K.REPLY:
        reply = CommitteeReply.objects.filter(pk=params["reply"]).only("title").first()
        return reply.title if reply else _("复函")
    raise DocumentParamsError(kind)


# --- Builders -------------------------------------------------------------------------


# The roster's cells a row (templates/reports/roster.html): the short fields share the
# first, set out as ruled columns (reports.columns), because WeasyPrint's time for a
# page goes on its cells (README, PDF figures).
ROSTER_CELLS = 3
ROSTER_FONT_PT = 9  # print.css: table.roster
ROSTER_PADDING_PT = 4  # print.css: table.roster td, th — left and right
ROSTER_HEADERS = ("序号", "姓名", "性别", "民族", "出生年月", "政治面貌", "政协职务", "界别")


@dataclass(frozen=True)
class RosterRow:
    fields: str  # 序号 to 界别, set out as columns
    employer: str
    mobile: str


def roster_rows(members) -> dict:
    """The roster's rows and the context that sets out its columns: the fields' columns,
    the rules between them (CSS) and the widths of the columns that follow."""
    values = [
        (
            str(number),
            clean(m.name),
            clean(m.get_sex_display()),
            clean(m.ethnicity),
            m.birth_date.strftime("%Y.%m") if m.birth_date else "",
            clean(m.affiliation.name if m.affiliation else ""),
            clean(m.get_role_display()),
            clean(m.sector.name if m.sector else ""),
        )
        for number, m in enumerate(members, 1)
    ]
    columns = Columns.fit(ROSTER_HEADERS, values, right=("序号",))
    rows = [
        RosterRow(columns.line(row), clean(f"{m.employer}{m.position}"), clean(m.mobile))
        for row, m in zip(values, members, strict=True)
    ]
    mobile_ems = max([width("联系电话"), *(width(row.mobile) for row in rows)])
    padding = 2 * ROSTER_PADDING_PT + 1  # both sides, and the cell's 0.5pt borders
    return {
        "members": rows,
        "fields_header": columns.header(),
        "fields_pt": columns.ems * ROSTER_FONT_PT + padding,
        "mobile_pt": mobile_ems * ROSTER_FONT_PT + padding,
        # CSS from numbers and the fonts' fixed names: nothing a user typed.
        "column_rules": mark_safe(
            columns.rules_css(
                ("table.roster", "table.roster thead tr"),
                ROSTER_FONT_PT,
                ROSTER_PADDING_PT + 0.25,  # the cell's padding and half its 0.5pt border
                "#444",
            )
            + _free_font_for_columns()
        ),
    }


def _free_font_for_columns() -> str:
    """The roster's first cells in the free font where the office's own font (宋体 for
    the rows, 黑体 for the header) has no half-width forms to line the columns up with."""
    cells = {"songti": "td", "heiti": "th"}
    return "".join(
        f"\ntable.roster {cells[role.key]}:first-child "
        f"{{ font-family: {', '.join(fonts.stack(role, with_office=False))} }}"
        for role in fonts.without_half_width(*cells)
    )


def _roster(office, params, day) -> Built:
    members = list(roster_members(Member.objects.filter(office=office)))
    sectors: dict[str, int] = {}
    for member in members:
        sectors[member.sector.name] = sectors.get(member.sector.name, 0) + 1
    women = sum(1 for m in members if m.sex == Member.Sex.FEMALE)
    chart_rows = sorted(sectors.items(), key=lambda kv: -kv[1])
    return Built(
        "reports/roster.html",
        {
            **roster_rows(members),
            "total": len(members),
            "women": women,
            "sector_chart": charts.bar_chart(chart_rows, title=_("各界别委员人数"), unit=_("人")),
            "subtitle": _("（按姓氏笔画为序）"),
        },
        estimated_pages=2 + len(members) // 20,
        table="members",
        cells_per_row=ROSTER_CELLS,
    )


def _lead_reply(proposal):
    replies = [r for r in proposal.replies.all() if r.assignment.role == Assignment.Role.LEAD]
    return replies[-1] if replies else None


def compendium_proposals(office, year):
    """Registered proposals of the year with everything the compendium prints, in
    number order: six queries however many there are."""
    return (
        counted_proposals()
        .filter(office=office, year=year)
        .select_related("category", "lead_member")
        .prefetch_related(
            Prefetch(
                "cosigners",
                ProposalCosigner.objects.filter(status=ProposalCosigner.Status.CONFIRMED)
                .select_related("member")
                .order_by("member__stroke_key"),
            ),
            Prefetch(
                "assignments",
                Assignment.objects.filter(is_active=True).select_related("unit"),
            ),
            Prefetch(
                "replies",
                # With a B reply's follow-up (issue 20, item 5).
                Reply.objects.select_related("assignment__unit", "follow_up")
                .prefetch_related("follow_up__reports")
                .order_by("round", "id"),
            ),
            Prefetch("feedback", Feedback.objects.order_by("round")),
        )
        .order_by("serial", "pk")
    )


def _compendium(office, params, day) -> Built:
    year = params["year"]
    proposals = list(compendium_proposals(office, year))
    categories: dict[str, int] = {}
    grades = {code: 0 for code in Reply.Grade.values}
    verdicts = {code: 0 for code in Feedback.Verdict.values}
    for proposal in proposals:
        categories[proposal.category.name] = categories.get(proposal.category.name, 0) + 1
        proposal.lead_reply = _lead_reply(proposal)
        if proposal.lead_reply:
            grades[proposal.lead_reply.grade] += 1
        feedback = list(proposal.feedback.all())
        proposal.last_feedback = feedback[-1] if feedback else None
        if proposal.last_feedback:
            verdicts[proposal.last_feedback.verdict] += 1
        proposal.lead_units = [a.unit for a in proposal.assignments.all() if a.is_lead]
        proposal.co_units = [a.unit for a in proposal.assignments.all() if not a.is_lead]
    grade_rows = [(label, grades[code]) for code, label in Reply.Grade.choices]
    verdict_rows = [(label, verdicts[code]) for code, label in Feedback.Verdict.choices]
    toc = [{"anchor": "overview", "label": _("一、基本情况"), "level": 1}]
    toc.append({"anchor": "list", "label": _("二、提案及办理答复"), "level": 1})
    toc += [
        {"anchor": f"p{p.pk}", "label": f"{p.number}　{p.title}", "level": 2} for p in proposals
    ]
    return Built(
        "reports/compendium.html",
        {
            "year": year,
            "proposals": proposals,
            "total": len(proposals),
            "replied": sum(grades.values()),
            "key_count": sum(1 for p in proposals if p.is_key),
            "excellent_count": sum(1 for p in proposals if p.is_excellent),
            "grade_rows": grade_rows,
            "verdict_rows": verdict_rows,
            "category_chart": charts.bar_chart(
                sorted(categories.items(), key=lambda kv: -kv[1]),
                title=_("按类别统计（件）"),
            ),
            "grade_chart": charts.bar_chart(grade_rows, title=_("答复类别（件）")),
            "toc": toc if proposals else [],
        },
        estimated_pages=2 + len(proposals) * 2 // 3 + len(proposals) // 30,
    )


def _years(params) -> tuple[list[int], str]:
    if "term" in params:
        term = Term.objects.get(pk=params["term"])
        return duty.term_years(term), str(term)
    return [params["year"]], _("%(year)s年度") % {"year": params["year"]}


def _duty_record(office, params, day) -> Built:
    member = Member.objects.select_related("sector", "affiliation", "term").get(
        pk=params["member"], office=office
    )
    years, period = _years(params)
    standing = duty.standing_for(member, years)
    led = list(
        handed_in_proposals()
        .filter(lead_member=member, year__in=years)
        .select_related("category")
        .order_by("year", "serial", "pk")
    )
    cosigned = list(
        handed_in_proposals()
        .filter(
            cosigners__member=member,
            cosigners__status=ProposalCosigner.Status.CONFIRMED,
            year__in=years,
        )
        .select_related("lead_member")
        .order_by("year", "serial", "pk")
    )
    reports = list(
        OpinionReport.objects.filter(member=member, year__in=years)
        .exclude(status=OpinionReport.Status.DRAFT)
        .prefetch_related(Prefetch("adoptions", Adoption.objects.order_by("adopted_on")))
        .order_by("year", "created_at")
    )
    contributions = list(
        Contribution.objects.filter(member=member, year__in=years).order_by("year", "id")
    )
    extra = _duty_record_activities(member, years)
    return Built(
        "reports/duty_record.html",
        {
            "member": member,
            "period": period,
            "standing": standing,
            "rules": duty.rule_rows(standing, years),
            "ledger": list(duty.ledger(member, years)),
            "led": led,
            "cosigned": cosigned,
            "reports": reports,
            "contributions": contributions,
            "subtitle": period if "term" in params else "",
            **extra,
        },
        estimated_pages=3 + len(years),
        date=duty.graded_on(office, years),  # graded: the day grades were given
    )


def _duty_record_activities(member, years) -> dict:
    """Attendance and visits for the duty record, from the briefings and visits apps."""
    invitations = (
        Invitation.objects.filter(member=member, activity__starts_at__year__in=years)
        .exclude(attendance="")
        .select_related("activity__kind")
        .order_by("activity__starts_at")
    )
    visits = (
        VisitMember.objects.filter(
            member=member, visit__status=Visit.Status.DONE, visit__visited_on__year__in=years
        )
        .select_related("visit")
        .order_by("visit__visited_on")
    )
    invitations = list(invitations)
    return {
        "attendance": [
            {
                "date": i.activity.date,
                "title": i.activity.title,
                "kind": i.activity.kind.name,
                "status": i.get_attendance_display(),
            }
            for i in invitations
        ],
        "study_sessions": [
            {"date": i.activity.date, "title": i.activity.title}
            for i in invitations
            if i.activity.kind.is_study and i.attendance == Invitation.Attendance.ATTENDED
        ],
        **duty.speeches_and_study(member, years),
        "visits": [
            {
                "date": row.visit.visited_on,
                "kind": row.visit.get_kind_display(),
                "note": row.visit.place,
            }
            for row in visits
        ],
    }


def _ranking(office, params, day) -> Built:
    config = PlanConfig.for_office(office)
    rows = duty.standings(office=office, years=[params["year"]])
    graded = duty.is_graded(office, [params["year"]])
    if graded:
        distribution = duty.grade_distribution(rows)
        chart_title = _("等次分布（人）")
    else:
        distribution = duty.progress_distribution(rows)
        chart_title = _("年度最低要求完成情况（人）")
    return Built(
        "reports/ranking.html",
        {
            "year": params["year"],
            "rows": rows,
            "graded": graded,
            "config": config,
            "minimum_terms": duty.minimum_terms(config),
            "distribution": distribution,
            "grade_chart": charts.bar_chart(distribution, title=chart_title, unit=_("人")),
        },
        estimated_pages=2 + len(rows) // 30,
        table="rows",
        date=duty.graded_on(office, [params["year"]]),  # graded: the day grades were given
    )


NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十: section numbers in documents (up to 99)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _plan_for(office, params):
    if "plan" in params:
        return WorkPlan.objects.get(pk=params["plan"], office=office)
    return current_plan(office, params["year"])


def _grouped_items(plan):
    """The plan's items under their categories, categories in the list's order."""
    items = list(plan.items.select_related("category").order_by("category__position", "position"))
    groups = []
    for item in items:
        if not groups or groups[-1]["category"] != item.category:
            groups.append({"category": item.category, "items": []})
        groups[-1]["items"].append(item)
    for number, group in enumerate(groups, start=1):
        group["numeral"] = chinese_numeral(number)
    return items, groups


def _plan(office, params, day) -> Built:
    plan = _plan_for(office, params)
    if plan is None:
        return Built(
            "reports/plan.html",
            {"plan": None, "year": params["year"], "recipient": _("街道党工委")},
            unfinished=[_("%(year)s年度工作计划尚未制定") % {"year": params["year"]}],
        )
    items, groups = _grouped_items(plan)
    comments = list(year_comments(plan).filter(plan__version__lte=plan.version))
    unfinished = []
    if plan.status != WorkPlan.Status.ADOPTED:
        unfinished.append(
            _("计划为第%(v)s稿（%(status)s），尚未通过")
            % {"v": plan.version, "status": plan.get_status_display()}
        )
    if not items:
        unfinished.append(_("计划尚无具体事项"))
    return Built(
        "reports/plan.html",
        {
            "plan": plan,
            "year": plan.year,
            "groups": groups,
            "item_count": len(items),
            "comments": comments,
            "recipient": plan.submitted_to or _("街道党工委"),
            "attachment_titles": [_("街道党工委意见及采纳情况")] if comments else [],
        },
        estimated_pages=2 + len(items) // 12,
        date=plan.adopted_on if plan.status == WorkPlan.Status.ADOPTED else None,
        unfinished=unfinished,
    )


def _plan_progress(office, params, day) -> Built:
    plan = _plan_for(office, params)
    if plan is None:
        return Built("reports/plan_progress.html", {"plan": None, "year": params["year"]})
    items, groups = _grouped_items(plan)
    readings = metrics.measure(office, plan.year, items)
    for item in items:
        item.reading = readings.get(item.pk)
    measured = [item for item in items if item.reading is not None]
    return Built(
        "reports/plan_progress.html",
        {
            "plan": plan,
            "year": plan.year,
            "groups": groups,
            "measured": len(measured),
            "met": sum(1 for item in measured if item.reading.met),
            "chart": charts.progress_chart(
                [
                    (item.get_metric_display(), item.reading.value, item.reading.goal)
                    for item in measured
                ],
                title=_("量化指标完成情况"),
            ),
            "subtitle": _("（截至%(date)s）") % {"date": chinese_date(day)},
        },
        estimated_pages=2 + len(items) // 12,
    )


def _work_report(office, params, day) -> Built:
    year, half = params["year"], params.get("half")
    report = WorkReport.objects.filter(
        office=office, year=year, period=WorkReport.period_for(half)
    ).first()
    if report is not None and report.is_issued:
        figures = report.figures
    else:
        figures = report_figures(office, year, half, as_of=day)
    p = figures["proposals"]
    # Sections staff have not written are left out, not printed empty (this goes to the
    # committee); the headings are numbered once here for the page and its contents.
    sections = [("summary", _("总体情况")), ("work", _("主要工作和成效"))]
    if report is not None and report.problems:
        sections.append(("problems", _("存在的问题")))
    if report is not None and report.next_steps:
        sections.append(("next", _("下一步工作打算")))
    numerals = "一二三四"[: len(sections)]
    headings = {
        anchor: f"{numeral}、{label}"
        for numeral, (anchor, label) in zip(numerals, sections, strict=True)
    }
    toc = [{"anchor": anchor, "label": label, "level": 1} for anchor, label in headings.items()]
    toc.append({"anchor": "appendix", "label": _("附：统计表"), "level": 1})
    unfinished = []
    if report is None:
        unfinished.append(_("尚无工作报告（本文件只由数据汇总）"))
    elif not report.is_issued:
        unfinished.append(_("工作报告尚未报送"))
    return Built(
        "reports/work_report.html",
        {
            "report": report,
            "figures": figures,
            "year": year,
            "half": half,
            "period_label": _half_label(half) or _("全年"),
            "headings": headings,
            "toc": toc,
            "recipient": _("街道党工委"),
            "attachment_titles": [
                _("%(year)s年%(period)s工作统计表")
                % {"year": year, "period": _half_label(half) or _("全年")}
            ],
        },
        estimated_pages=4 + len(p["list"]) // 25,
        date=report.issued_on if report is not None and report.is_issued else None,
        unfinished=unfinished,
    )


def _minutes(office, params, day) -> Built:
    activity = activity_minutes(Activity.objects.filter(pk=params["activity"])).get()
    invitations = list(activity.invitations.all())
    by_state: dict[str, list] = {}
    for invitation in invitations:
        by_state.setdefault(invitation.get_attendance_display(), []).append(invitation)
    return Built(
        "reports/minutes.html",
        {
            "activity": activity,
            "invitations": invitations,
            "by_state": sorted(by_state.items(), key=lambda kv: -len(kv[1])),
            "opinions": list(activity.opinions.all()),
            "subtitle": _("（%(kind)s）") % {"kind": activity.kind.name},
        },
        estimated_pages=2 + len(invitations) // 35,
        date=activity.date,  # minutes carry the meeting's day
    )


def _request(office, params, day) -> Built:
    """请示: asking the street party working committee to approve a major activity."""
    activity = (
        Activity.objects.select_related("kind")
        .prefetch_related("agenda", "materials", "leaders")
        .get(pk=params["activity"])
    )
    invited = activity.invitations.count()
    unfinished = []
    if not activity.topic.strip():
        unfinished.append(_("活动的主题与内容尚未填写"))
    starts = timezone.localtime(activity.starts_at)
    ends = timezone.localtime(activity.ends_at)
    end = f"{ends:%H:%M}"
    if ends.date() != starts.date():
        end = f"{chinese_date(ends.date())} {end}"
    when = _("%(date)s %(start)s至%(end)s") % {
        "date": chinese_date(starts.date()),
        "start": f"{starts:%H:%M}",
        "end": end,
    }
    materials = list(activity.materials.all())
    return Built(
        "reports/request.html",
        {
            "activity": activity,
            "when": when,
            "invited": invited,
            "agenda": list(activity.agenda.all()),
            "leaders": list(activity.leaders.all()),
            "recipient": activity.request_recipient or _("街道党工委"),
            "attachment_titles": [m.title for m in materials],
            "note": _("（联系人：%(office)s，联系电话：%(phone)s）")
            % {"office": office.name, "phone": office.phone}
            if office.phone
            else "",
        },
        estimated_pages=2,
        date=activity.request_sent_on,
        unfinished=unfinished,
    )


def _concerns(office, params, day) -> Built:
    year, half = params["year"], params.get("half")
    window = period_window(year, half)
    concerns = list(
        Concern.objects.filter(on_days("created_at", *window), office=office)
        .select_related("member", "unit", "category")
        .order_by("category__position", "created_at", "pk")
    )
    groups: dict[str, list] = {}
    for concern in concerns:
        name = concern.category.name if concern.category_id else _("未分类")
        groups.setdefault(name, []).append(concern)
    statuses: dict[str, int] = {}
    for concern in concerns:
        label = concern.get_status_display()
        statuses[label] = statuses.get(label, 0) + 1
    resolved = sum(
        1 for c in concerns if c.resolved_on and not c.unresolvable_reason and not c.is_open
    )
    toc = [
        {"anchor": f"g{number}", "label": f"{chinese_numeral(number)}、{name}", "level": 1}
        for number, name in enumerate(groups, start=1)
    ]
    return Built(
        "reports/concerns.html",
        {
            "year": year,
            "period_label": _half_label(half) or _("全年"),
            "groups": [
                {"anchor": f"g{n}", "numeral": chinese_numeral(n), "name": name, "concerns": rows}
                for n, (name, rows) in enumerate(groups.items(), start=1)
            ],
            "total": len(concerns),
            "resolved": resolved,
            "open": sum(1 for c in concerns if c.is_open),
            "within": sum(1 for c in concerns if c.scope == Concern.Scope.WITHIN),
            "beyond": sum(1 for c in concerns if c.scope == Concern.Scope.BEYOND),
            "status_chart": charts.bar_chart(
                sorted(statuses.items(), key=lambda kv: -kv[1]), title=_("办理状态（件）")
            ),
            "toc": toc if len(concerns) > 10 else [],
        },
        estimated_pages=2 + len(concerns) // 4,
    )


def _consultation(office, params, day) -> Built:
    """征求意见情况的报告 (公文): the background, who was consulted and how many
    answered, the opinions by question (the compiled summary, each choice item's counts,
    how many opinions each open question drew), the office's recommendations and, as
    附件, every opinion with its proposer — without, when the consultation is
    anonymised. Dated the day it was submitted to the committee."""
    consultation = (
        Consultation.objects.select_related("office", "meeting")
        .prefetch_related("sectors", "groups")
        .get(pk=params["consultation"])
    )
    c = compilation(consultation)
    unfinished = []
    if not consultation.compiled_summary.strip():
        unfinished.append(_("意见尚未汇总"))
    if consultation.submitted_on is None:
        unfinished.append(_("尚未报送"))
    texts = [q for q in c.questions if not q.question.is_choice]
    return Built(
        "reports/consultation.html",
        {
            "consultation": consultation,
            "c": c,
            "anonymous": consultation.anonymous,
            "choice_questions": [q for q in c.questions if q.question.is_choice],
            "text_questions": texts,
            "opinion_sections": [*texts, c.meeting],
            "sectors": [s.name for s in consultation.sectors.all()],
            "groups": [g.name for g in consultation.groups.all()],
            "recipient": _("街道党工委"),
            "attachment_titles": ([_("委员意见原文")] if c.opinion_count else []),
        },
        estimated_pages=2 + c.opinion_count // 15,
        date=consultation.submitted_on,
        unfinished=unfinished,
    )


def _reply(office, params, day) -> Built:
    """复函: the office's reply to a committee document — the letter it answers
    (《title》(reference) 收悉), the body staff wrote, 特此函复, 附件说明. Dated the day it
    was sent."""
    reply = CommitteeReply.objects.get(pk=params["reply"])
    unfinished = []
    if not reply.body.strip():
        unfinished.append(_("复函正文尚未填写"))
    if not reply.is_issued:
        unfinished.append(_("复函尚未发出"))
    closing = "" if any(s in reply.body for s in ("特此函复", "此复")) else _("特此函复。")
    return Built(
        "reports/reply.html",
        {
            "reply": reply,
            "closing": closing,
            "recipient": reply.recipient or _("街道党工委"),
            "attachment_titles": reply.attachments,
        },
        estimated_pages=2 + len(reply.body) // 700,
        date=reply.issued_on,
        unfinished=unfinished,
    )


BUILDERS = {
    K.PLAN: _plan,
    K.PLAN_PROGRESS: _plan_progress,
    K.WORK_REPORT: _work_report,
    K.COMPENDIUM: _compendium,
    K.MINUTES: _minutes,
    K.CONCERNS: _concerns,
    K.ROSTER: _roster,
    K.DUTY_RECORD: _duty_record,
    K.RANKING: _ranking,
    K.REQUEST: _request,
    K.CONSULTATION: _consultation,
    K.REPLY: _reply,
}

# What goes to the committee as 公文 (GB/T 9704): numbered on issue, templates extending
# reports/gongwen.html. The rest keep the report layout (reports/base.html).
OFFICIAL = {K.PLAN, K.WORK_REPORT, K.REQUEST, K.CONSULTATION, K.REPLY}
# 上行文 that carry the 签发人 beside the 发文字号 (GB/T 9704 7.2.4/7.2.5): the 请示 and
# the 报告 that go up to the committee (work reports, consultation summaries). A 复函
# is a letter (函), not 上行文.
SIGNED = {K.REQUEST, K.WORK_REPORT, K.CONSULTATION}
# Text that marks a document as unfinished wherever it appears.
PLACEHOLDERS = ("待填写", "尚无报告正文", "（草稿）")


def _text_width(text: str) -> float:
    """Width in characters (em): CJK one, Latin letters and digits half."""
    return sum(1 if ord(ch) > 0x2E80 else 0.5 for ch in text)


# A 2号 (22 pt) title line holds 20 characters of the 156 mm type area; Latin digits are
# a little wider than half a character, so a title counts as long from 19.
TITLE_LINE = 19
_NO_BREAK_BEFORE = set("，。、；：？！）》〉」』”’〕】")
_NO_BREAK_AFTER = set("（《〈「『“‘〔【")


# Where a title line would rather end: after a particle or closing mark, after a word
# titles use often, or before an opening mark or 关于 — so that lines end on whole words
# (GB/T 9704 7.3.1: 回行时词意完整).
_GOOD_ENDS = ("的", "和", "与", "及", "》", "）", "街道", "政协", "联络处", "项目", "工作",
              "情况", "意见", "方案", "计划", "报告", "年度", "半年")  # fmt: skip
_GOOD_STARTS = ("关于", "《", "（")


def title_lines(title: str) -> list[str]:
    """A long 公文 title in lines of about equal length (GB/T 9704 7.3.1: 梯形或菱形),
    ending on whole words where it can — never one character left alone on the last
    line, a break inside a number or before closing punctuation."""
    width = _text_width(title)
    count = int(-(-width // TITLE_LINE))  # ceil
    if count <= 1:
        return [title]
    target = width / count
    lines, start, used = [], 0, 0.0
    for _line in range(count - 1):
        best, best_score, cumulative = None, None, 0.0
        for index in range(start, len(title) - 1):
            cumulative += _text_width(title[index])
            if cumulative > TITLE_LINE + 1:
                break
            char, following = title[index], title[index + 1]
            if (
                following in _NO_BREAK_BEFORE
                or char in _NO_BREAK_AFTER
                or (char.isascii() and char.isalnum() and following.isascii())
            ):
                continue
            head, tail = title[: index + 1], title[index + 1 :]
            good = head.endswith(_GOOD_ENDS) or tail.startswith(_GOOD_STARTS)
            score = abs(used + cumulative - target * (len(lines) + 1)) - (3 if good else 0)
            if best_score is None or score < best_score:
                best, best_score = index, score
        if best is None:
            break
        lines.append(title[start : best + 1])
        used += _text_width(lines[-1])
        start = best + 1
    return [*lines, title[start:]]


def _official_context(office, kind, title: str, date_text: str) -> dict:
    """The 公文 blocks every official document shares: 署名 and 成文日期 placed as GB/T
    9704 7.3.5.2 says (the date two characters in from the right, the name above it
    starting two characters further left), and the 版记."""
    date_pad = 2.0
    signer_pad = max(2.0, date_pad + _text_width(date_text) + 2 - _text_width(office.name))
    return {
        "title_lines": title_lines(title),
        "signer_pad": round(signer_pad, 2),
        "date_pad": date_pad,
        "printed_by": office.name,
        "printed_text": _("%(date)s印发") % {"date": date_text},
        "cc": _("%(district)s政协") % {"district": office.district} if office.district else "",
        "issuing_signer": office.signer_name if kind in SIGNED else "",
    }


def build(
    kind: str, office, params: dict, document_date, *, reference: str = "", draft: bool = True
) -> Built:
    """The document's template and data. ``reference`` is its 发文字号 (issued 公文).
    An unfinished document says it is a draft in its header (``draft``), whoever renders
    it — the worker for the admin's preview or the command."""
    from .fonts import stylesheet

    built = BUILDERS[kind](office, params, document_date)
    day = built.date or document_date
    date_text = chinese_date(day)
    draft_label = ""
    if draft and built.unfinished:
        draft_label = _("草稿（未定稿：%(why)s）") % {"why": "；".join(built.unfinished)}
    context = {
        "office": office,
        "kind": kind,
        "title": title_for(kind, office, params),
        "document_date": day,
        "date_text": date_text,
        "first_row": 0,  # of a long table's chunk (see render)
        "font_css": stylesheet(),
        "draft_label": draft_label,
        "reference": reference,
    }
    if kind in OFFICIAL:
        context.update(_official_context(office, kind, context["title"], date_text))
    built.context = {**context, **built.context}
    return built


def unfinished(kind: str, office, params: dict, document_date) -> list[str]:
    """Why the document cannot be issued yet: what its builder says is missing, and any
    placeholder text its pages would show."""
    built = build(kind, office, params, document_date)
    reasons = list(built.unfinished)
    html = render_document_html(built.template, built.context)
    reasons += [_("文件中仍有“%(text)s”") % {"text": text} for text in PLACEHOLDERS if text in html]
    return reasons


def render_html(kind: str, office, params: dict, document_date) -> tuple[str, int]:
    built = build(kind, office, params, document_date)
    return render_document_html(built.template, built.context), built.estimated_pages


def render(
    kind: str,
    office,
    params: dict,
    document_date,
    *,
    progress=None,
    reference: str = "",
    draft: bool = True,
) -> RenderedPdf:
    """The document as a PDF, synchronously (the worker and the command call this)."""
    built = build(kind, office, params, document_date, reference=reference, draft=draft)
    return render_built(built, progress=progress)


def render_word(
    kind: str, office, params: dict, document_date, *, reference: str = "", draft: bool = True
) -> bytes:
    """The editable Word copy (.docx), from the same data and HTML as the PDF."""
    built = build(kind, office, params, document_date, reference=reference, draft=draft)
    return _word(kind, render_document_html(built.template, built.context))


def _word(kind: str, html: str) -> bytes:
    from .word import html_to_docx

    return html_to_docx(html, official=kind in OFFICIAL, landscape=kind == K.ROSTER)


def render_with_word(
    kind: str, office, params: dict, document_date, *, progress=None, reference: str = ""
) -> tuple[RenderedPdf, bytes]:
    """The PDF and its Word copy from one build and one HTML (the worker's job)."""
    built = build(kind, office, params, document_date, reference=reference)
    html = render_document_html(built.template, built.context)
    return render_built(built, progress=progress, html=html), _word(kind, html)


def render_built(built: Built, *, progress=None, html: str | None = None) -> RenderedPdf:
    if built.table is None:
        html = html or render_document_html(built.template, built.context)
        return html_to_pdf(html, progress=progress, estimated_pages=built.estimated_pages)
    rows = built.context[built.table]

    def html_for(start: int, stop: int) -> str:
        chunk = {built.table: rows[start:stop], "first_row": start, "continuation": start > 0}
        return render_document_html(built.template, {**built.context, **chunk})

    return rows_to_pdf(
        html_for,
        len(rows),
        title=built.context["title"],
        progress=progress,
        cells_per_row=built.cells_per_row,
        body_class=f"doc-{built.context['kind']}",
    )
