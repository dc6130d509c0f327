"""Demo plans and reports for the demo offices: this year's plan taken through the
committee (submitted in January, two comments, revised, adopted), next year's draft once
the autumn has come, and an issued work report — last year's year-end report, plus this
year's half-year report once July has passed — with its figures frozen and its PDF queued
for the worker, issued to the office's committee leaders; and, from March, a reply
(复函) to the committee's letter asking for opinions on next year's projects, sent and
issued the same way.

Called by the seed_demo command after the roster, proposals, activities and visits exist.
Deterministic for a given seed and day. A plan's handful of rows go through the services
(they write the timeline and history); there are a dozen offices at most.
"""

from __future__ import annotations

import datetime
import random

from simple_history.utils import bulk_create_with_history

from liaison.models import Office
from members.models import Member
from plans import services
from plans.models import PlanCategory, PlanItem, WorkPlan, WorkReport
from reports import services as reports_services
from reports.selectors import leaders_for

from .proposals import SHOWCASE_MEMBER

# (category, description, owner, months, metric, target)
ITEMS = [
    (
        "与党工委的联系",
        "年初向街道党工委报送年度工作计划，重大活动事前请示、事后报告",
        "联络处主任",
        "1",
        "",
        None,
    ),
    ("与党工委的联系", "每半年向街道党工委书面报告工作", "联络处主任", "7,12", "", None),
    ("服务经济发展", "组织委员为辖区招商引资、楼宇招商牵线搭桥", "经济界委员小组", "", "", None),
    (
        "服务科学决策",
        "围绕街道重点工作开展专题调研，形成调研报告",
        "调研组",
        "5,9",
        "research_reports",
        2,
    ),
    (
        "服务民生改善",
        "开展“食品安全进校园”主题活动，组织爱心捐赠",
        "联络处",
        "4,11",
        "activities",
        6,
    ),
    ("政情通报", "上、下半年各召开一次政情通报会", "联络处主任", "4,10", "briefings", 2),
    (
        "提案与社情民意",
        "组织委员撰写提案，全年立案提案不少于 10 件",
        "联络处",
        "1,2,3",
        "proposals",
        10,
    ),
    ("提案与社情民意", "报送社情民意信息不少于 6 篇", "联络处", "", "opinion_reports", 6),
    (
        "走访委员",
        "走访慰问每位委员每年不少于 2 次，收集意见建议",
        "联络处全体",
        "",
        "visit_coverage",
        2,
    ),
    ("走访委员", "委员反映的问题交有关科室限时办理并反馈", "联络处", "", "concerns_resolved", 10),
    ("委员素质提升", "组织委员学习、视察和考察活动", "联络处", "6,9", "", None),
]

COMMENTS = [
    (
        "街道党工委书记",
        "建议增加组织委员服务辖区民营企业的内容。",
        "已在“服务经济发展”中增加相关安排。",
    ),
    (
        "街道办事处主任",
        "走访委员的安排请与街道重点工作结合，问题办理要限时反馈。",
        "已明确限时办理和反馈要求。",
    ),
]

SUMMARY = (
    "在街道党工委的领导下，联络处围绕“三服务、三重点”开展工作，"
    "组织委员建言献策、走访慰问、服务发展，各项工作稳步推进。"
)
HIGHLIGHTS = (
    "坚持政情通报会制度，邀请街道主要领导通报辖区发展情况；组织委员撰写提案和社情民意信息；"
    "走访慰问委员，收集的问题交街道有关科室限时办理并反馈委员。"
)
PROBLEMS = "部分委员参与活动不够经常，提案质量有待提高；问题办理的跟踪反馈还需加强。"
NEXT_STEPS = (
    "继续做好政情通报和走访慰问工作，提高提案和社情民意信息质量，推动委员更好服务辖区发展。"
)


def _plan(
    office: Office, year: int, today: datetime.date, rng, actor, categories, *, in_bulk: bool
) -> WorkPlan:
    plan = services.plan_create(actor=actor, office=office, year=year)
    items = []
    for category, description, owner, months, metric, target in ITEMS:
        fields = dict(
            category=categories[category],
            description=description,
            owner=owner,
            months=months,
            metric=metric,
            target=target,
        )
        if in_bulk:
            fields["metric"] = metric or ""
            items.append(PlanItem(plan=plan, position=len(items) + 1, **fields))
        else:
            services.plan_item_add(plan=plan, actor=actor, **fields)
    # An office other than the sign-in member's: the items ``plan_item_add`` numbers
    # one by one, with their history rows, at once.
    bulk_create_with_history(items, PlanItem, batch_size=500)
    submitted_on = datetime.date(year, 1, 10 + rng.randint(0, 12))
    if submitted_on > today:
        return plan  # the year has not come: a draft
    services.plan_submit(plan=plan, actor=actor, submitted_on=submitted_on)
    for offset, (who, content, response) in enumerate(COMMENTS, start=1):
        comment = services.plan_comment_record(
            plan=plan,
            actor=actor,
            received_on=min(today, submitted_on + datetime.timedelta(days=3 * offset)),
            commenter=who,
            content=content,
        )
        comment.response = response
        comment.save(update_fields=["response"])
    revised = services.plan_revise(plan=plan, actor=actor, note="根据党工委意见修改")
    adopted_on = min(today, submitted_on + datetime.timedelta(days=14))
    return services.plan_adopt(plan=revised, actor=actor, adopted_on=adopted_on)


def _issued_report(office, year, half, issued_on, actor, leaders) -> WorkReport:
    report = services.work_report_create(
        actor=actor,
        office=office,
        year=year,
        half=half,
        summary=SUMMARY,
        highlights=HIGHLIGHTS,
        problems=PROBLEMS,
        next_steps=NEXT_STEPS,
    )
    return reports_services.work_report_issue(
        report=report, actor=actor, issued_on=issued_on, recipients=leaders
    )


REPLY_BODY = """经联络处组织委员认真研究，现将意见答复如下。
一、关于项目选择
委员普遍赞成将老旧小区加装电梯、背街小巷路面改造和社区食堂列入明年民生实事项目，其中加装电梯反映最为集中。
（一）老旧小区加装电梯
建议先在居民意愿强、楼栋条件好的小区试点，总结经验后逐步推开。
（二）社区食堂
建议优先在老年人集中的社区布点，引入社会力量运营，街道给予场地支持。
二、关于资金和推进
建议区、街道两级分担资金，引导居民合理出资；项目实施中邀请政协委员参与监督，年底向委员通报完成情况。"""


def _sent_reply(office, year, sent_on, actor, leaders):
    """A reply to the committee's letter asking for opinions on next year's projects
    (复函), sent through reports as staff send it: numbered, rendered, issued."""
    reply = reports_services.committee_reply_create(
        office=office,
        actor=actor,
        title=f"关于{year + 1}年街道民生实事项目征求意见的复函",
        incoming_title=f"关于征求{year + 1}年街道民生实事项目意见的函",
        incoming_reference=f"{office.street.removesuffix('街道')}街党工委函〔{year}〕12号",
        incoming_on=sent_on - datetime.timedelta(days=12),
        body=REPLY_BODY,
        attachment_titles="委员意见汇总表",
    )
    return reports_services.committee_reply_issue(
        reply=reply, actor=actor, issued_on=sent_on, recipients=leaders
    )


def _assessment(office, today: datetime.date, actor) -> None:
    """The office's duty-record rules as a street office runs them: a base of 60 for
    serving the year (attending the plenary session), duty points on top, at least two
    activities a year or 不称职; last year closed (graded), this year still open."""
    from plans.models import PlanConfig

    PlanConfig.objects.update_or_create(
        office=office,
        defaults={
            "base_points": 60,
            "grade_excellent": 85,
            "grade_competent": 60,
            "min_proposals": 0,
            "min_opinion_reports": 0,
            "min_activities": 2,
            "missed_minimum_fails": True,
        },
    )
    last_year = reports_services.duty_year_open(office=office, year=today.year - 1, actor=actor)
    reports_services.duty_year_close(duty_year=last_year, actor=actor, note="年度履职考核")
    reports_services.duty_year_open(office=office, year=today.year, actor=actor)


def seed_plans(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    """Write demo plans and issued reports for ``offices``. Returns counts. The issued
    reports' PDFs are queued for the worker (the documents sweep picks them up if Redis
    is not running yet)."""
    categories = {c.name: c for c in PlanCategory.objects.all()}
    counts = {"plans": 0, "plan_versions": 0, "reports": 0, "replies": 0, "documents": 0}
    showcase = Member.objects.filter(name=SHOWCASE_MEMBER, office__in=offices).first()
    for office in offices:
        leaders = list(leaders_for(office))
        in_bulk = showcase is None or office.pk != showcase.office_id
        _plan(office, today.year, today, rng, actor, categories, in_bulk=in_bulk)
        if today.month >= 10:
            _plan(office, today.year + 1, today, rng, actor, categories, in_bulk=in_bulk)
        _issued_report(
            office, today.year - 1, None, datetime.date(today.year, 1, 8), actor, leaders
        )
        counts["reports"] += 1
        if today >= datetime.date(today.year, 7, 10):
            _issued_report(office, today.year, 1, datetime.date(today.year, 7, 8), actor, leaders)
            counts["reports"] += 1
        if today >= datetime.date(today.year, 3, 1):
            _sent_reply(office, today.year, today - datetime.timedelta(days=20), actor, leaders)
            counts["replies"] += 1
        _assessment(office, today, actor)
    counts["plans"] = (
        WorkPlan.objects.filter(office__in=offices).values("year", "office").distinct().count()
    )
    counts["plan_versions"] = WorkPlan.objects.filter(office__in=offices).count()
    counts["documents"] = counts["reports"] + counts["replies"]
    return counts


def reset_plans(*, offices) -> None:
    """Delete the plans area's rows of ``offices`` and their PDF files (before the other
    areas and the roster are reset)."""
    from django.contrib.contenttypes.models import ContentType
    from django.test.utils import override_settings

    from liaison.models import StatusChange
    from members.models import DutyYear
    from plans.models import PlanConfig
    from reports.models import CommitteeReply, Document

    offices = list(offices)
    plans = WorkPlan.objects.filter(office__in=offices)
    reports = WorkReport.objects.filter(office__in=offices)
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model, ids in ((WorkPlan, plans), (WorkReport, reports)):
            StatusChange.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=list(ids.values_list("pk", flat=True)),
            ).delete()
        reports.delete()
        replies = CommitteeReply.objects.filter(office__in=offices)
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(CommitteeReply),
            object_id__in=list(replies.values_list("pk", flat=True)),
        ).delete()
        replies.delete()
        # Later versions point at earlier ones (PROTECT): newest first.
        for plan in plans.order_by("-version"):
            plan.delete()
        for document in Document.objects.filter(office__in=offices):
            if document.file:
                document.file.delete(save=False)
            document.delete()
        PlanConfig.objects.filter(office__in=offices).delete()
        years = DutyYear.objects.filter(office__in=offices)
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(DutyYear),
            object_id__in=list(years.values_list("pk", flat=True)),
        ).delete()
        years.delete()
