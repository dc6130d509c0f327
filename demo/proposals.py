"""Demo proposals, public-opinion reports and research reports for the demo offices:
a spread of states across this year and last, overdue items among them, each with its
timeline, assignments, replies, feedback and points — written in bulk, like the roster.

Called by the seed_demo command after the roster exists. Deterministic for a given seed
and day."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from demo.history import History
from liaison.models import HandlingUnit, StatusChange
from liaison.workdays import add_months
from members.models import Member, PointRule
from members.points import PointsLedger
from proposals import services, textindex
from proposals.models import (
    Adoption,
    Assignment,
    Feedback,
    FollowUp,
    FollowUpReport,
    OpinionReport,
    Proposal,
    ProposalCategory,
    ProposalCosigner,
    ProposalCounter,
    Reply,
    ResearchAdoption,
    ResearchReport,
)
from proposals.workflows import REGISTERED_OR_LATER

from . import bulk

P = Proposal.Status
OS = OpinionReport.Status

TOPICS = [
    (
        "经济发展",
        "关于支持楼宇经济提质增效的建议",
        "辖区商务楼宇空置率偏高，招商政策分散。",
        "设立楼宇招商专班，对税收贡献突出的楼宇给予奖励。",
    ),
    (
        "经济发展",
        "关于扶持小微企业稳岗就业的建议",
        "部分小微企业经营困难，用工不稳定。",
        "落实减税降费，搭建街道用工对接平台。",
    ),
    (
        "社会稳定",
        "关于加强老旧小区消防安全的建议",
        "老旧小区消防通道堵塞、设施老化。",
        "开展消防通道专项整治，增设智能烟感。",
    ),
    (
        "社区建设",
        "关于调整优化超大社区规模的建议",
        "部分社区服务人口过多，工作负担重。",
        "按服务人口科学划分社区，充实社区工作力量。",
    ),
    (
        "社区建设",
        "关于推进社区居家养老服务的建议",
        "辖区老龄化程度高，养老服务供给不足。",
        "利用闲置用房建设嵌入式养老服务站。",
    ),
    (
        "城市管理",
        "关于整治校园周边流动摊贩的建议",
        "校园周边流动摊贩多，食品安全隐患大。",
        "建立城管、市场监管、社区联合巡查机制。",
    ),
    (
        "城市管理",
        "关于规范共享单车停放的建议",
        "共享单车乱停乱放，占用人行道。",
        "划定停放区域，落实企业管理责任。",
    ),
    (
        "城市管理",
        "关于缓解学校周边交通拥堵的建议",
        "上下学时段学校周边拥堵严重。",
        "错峰放学，增设临时停车泊位和护学岗。",
    ),
    (
        "节能减排",
        "关于推广公共机构节能改造的建议",
        "公共机构用能管理粗放。",
        "推行合同能源管理，开展节能诊断。",
    ),
    (
        "节能减排",
        "关于推进垃圾分类常态化的建议",
        "居民分类投放准确率不高。",
        "定时定点投放，配备督导员，积分激励。",
    ),
    (
        "教科文卫",
        "关于改善随迁子女学校办学条件的建议",
        "八一路小学随迁子女集中，教学设备陈旧。",
        "加大投入，动员社会力量捐资助学。",
    ),
    (
        "教科文卫",
        "关于加强社区卫生服务能力的建议",
        "社区卫生服务中心全科医生不足。",
        "引进全科医生，推进家庭医生签约服务。",
    ),
    (
        "其他",
        "关于加强非公企业党建工作的建议",
        "非公企业党组织覆盖面不够。",
        "借鉴沿海地区经验，选派党建指导员。",
    ),
    (
        "社会稳定",
        "关于加强电动自行车充电安全管理的建议",
        "居民楼道内充电现象普遍。",
        "建设集中充电设施，开展入户宣传。",
    ),
]

# Last year's proposal on the issue the showcase member raises again this year in other
# words (demo/showcase.py: 加装电梯): the similar-proposal list finds it (issue 20).
SIMILAR_LAST_YEAR = (
    "城市管理",
    "关于推动既有多层住宅增设电梯的建议",
    "辖区多层住宅建成于上世纪九十年代，没有电梯，高龄住户上下楼困难。",
    "出台增设电梯补贴办法，由社区牵头协调高低楼层住户意见，压缩审批时限。",
)

REPORT_TOPICS = [
    (
        "居民反映老旧小区加装电梯协调难",
        "部分单元居民意见不一，加装工作推进缓慢。",
        "建议由社区牵头建立协商议事机制。",
    ),
    (
        "校园周边食品安全仍需加强监管",
        "部分流动摊贩无证经营，食品来源不明。",
        "建议建立长效监管机制，定期开展联合检查。",
    ),
    (
        "群众关注农贸市场环境卫生问题",
        "市场内排水不畅，异味较重。",
        "建议实施提质改造，落实保洁责任。",
    ),
    ("小微企业反映融资难融资贵", "担保门槛高，贷款周期长。", "建议搭建政银企对接平台。"),
    (
        "背街小巷照明设施不足存在安全隐患",
        "部分小巷路灯损坏，夜间通行不便。",
        "建议排查维修，纳入日常管护。",
    ),
    (
        "独居老人应急救助机制有待完善",
        "独居老人突发疾病难以及时发现。",
        "建议推广智能呼叫设备，建立邻里守望机制。",
    ),
    (
        "社区停车位紧张问题突出",
        "小区车位供需矛盾大，乱停现象多。",
        "建议挖潜增设泊位，推行错时共享停车。",
    ),
    ("电动自行车违规充电隐患多", "楼道飞线充电屡禁不止。", "建议建设集中充电桩，加大巡查力度。"),
]

SHOWCASE_MEMBER = "唐朝阳"
# The canonical path of a proposal that goes all the way.
FULL_PATH = [P.DRAFT, P.SUBMITTED, P.REGISTERED, P.ASSIGNED, P.ACKNOWLEDGED, P.REPLIED, P.CLOSED]
# How this year's proposals of an office are spread over the states.
THIS_YEAR_SPREAD = [
    P.DRAFT,
    P.SUBMITTED,
    P.SUBMITTED,
    P.RETURNED,
    P.NOT_REGISTERED,
    P.REGISTERED,
    P.ASSIGNED,
    P.ASSIGNED,
    P.ACKNOWLEDGED,
    P.REPLIED,
    P.REPLIED,
    P.REHANDLING,
    P.CLOSED,
    P.CLOSED,
    P.CLOSED,
]


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class _Builder:
    def __init__(self, rng: random.Random, today: datetime.date, actor, offices):
        self.rng, self.today, self.actor = rng, today, actor
        self.history = History()
        self.ledger = PointsLedger(offices)
        self.assignments: list[Assignment] = []
        self.replies: list[tuple[Assignment, dict]] = []
        self.feedback: list[Feedback] = []
        self.cosigners: list[ProposalCosigner] = []
        self.b_replies: set[int] = set()  # proposals (by id()) whose reply is a B

    def change(self, obj, index, state, when, note="", label="", author=None):
        """The ``index``-th row of ``obj``'s timeline: its creation, then its moves
        (checked against the workflow), later in the day when several fall on one day.
        The author's own moves (writing, submitting) are credited to ``author``'s
        account, the office's to the seeding actor."""
        write = self.history.move if index else self.history.start
        actor = self.actor
        if state in (P.DRAFT, P.SUBMITTED) and author is not None and author.user_id:
            actor = author.user
        write(
            obj,
            state,
            _aware(when, 9 + index),
            actor=None if label else actor,
            label=label,
            note=note,
        )


def _showcase(members):
    return next((m for m in members if m.name == SHOWCASE_MEMBER), None)


def _path_to(target: str) -> list[str]:
    if target in (P.RETURNED, P.NOT_REGISTERED):
        return [P.DRAFT, P.SUBMITTED, target]
    if target == P.REHANDLING:
        return [*FULL_PATH[:6], P.REHANDLING]
    return FULL_PATH[: FULL_PATH.index(target) + 1]


def seed_proposals(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    """Write demo proposals, reports and research for ``offices``. Returns counts."""
    categories = {c.name: c for c in ProposalCategory.objects.all()}
    build = _Builder(rng, today, actor, offices)
    members_by_office = defaultdict(list)
    serving = Member.objects.filter(office__in=offices, status=Member.Status.SERVING)
    for member in serving.select_related("user").order_by("pk"):
        members_by_office[member.office_id].append(member)
    units_by_office = defaultdict(list)
    for unit in HandlingUnit.objects.filter(office__in=offices, is_active=True).order_by("pk"):
        units_by_office[unit.office_id].append(unit)

    plans = []  # (proposal, target status, start date, assigned on if overdue)
    counters = []
    for office in offices:
        members = members_by_office[office.pk]
        if not members:
            continue
        for year, spread in ((today.year - 1, [P.CLOSED] * 12), (today.year, THIS_YEAR_SPREAD)):
            serial = 0
            for i, target in enumerate(spread):
                category_name, title, reasons, suggestions = TOPICS[(i + office.pk) % len(TOPICS)]
                # The demo's sign-in member (唐朝阳) leads some, so the portal has them.
                showcase = _showcase(members)
                similar = bool(showcase) and year < today.year and i == 1
                if similar:
                    category_name, title, reasons, suggestions = SIMILAR_LAST_YEAR
                lead = showcase if showcase and i % 4 == 0 else rng.choice(members)
                last_day = today if year == today.year else datetime.date(year, 12, 31)
                opening = min(datetime.date(year, 1, 5), last_day)  # never in the future
                span = (last_day - opening).days
                # Earlier states started late in the year; closed ones early, yet spread
                # over the months that leave them time to go the whole way (~200 days).
                weight = len(_path_to(target)) / len(FULL_PATH)
                room = max(span * (1 - weight), span - 200)
                start = opening + datetime.timedelta(days=int(room * rng.random() * 0.9))
                # Some assignments date back far enough to be overdue now (3 months):
                # started early enough to be submitted and registered before that.
                overdue_on = None
                if year == today.year and target in (P.ASSIGNED, P.ACKNOWLEDGED):
                    assigned_on = today - datetime.timedelta(days=rng.randint(95, 130))
                    if rng.random() < 0.5 and assigned_on - datetime.timedelta(days=45) >= opening:
                        overdue_on = assigned_on
                        start = assigned_on - datetime.timedelta(days=45)
                proposal = Proposal(
                    office=office,
                    year=year,
                    term=lead.term,
                    title=title,
                    reasons=reasons,
                    suggestions=suggestions,
                    category=categories[category_name],
                    lead_member=lead,
                    status=target,
                    created_by=actor,
                )
                if target in REGISTERED_OR_LATER:  # numbered when registered
                    serial += 1
                    proposal.serial = serial
                    proposal.number = f"{year}-{serial:03d}"
                if similar:
                    build.b_replies.add(id(proposal))
                plans.append((proposal, target, start, overdue_on))
            counters.append(ProposalCounter(office=office, year=year, last=serial))
    Proposal.objects.bulk_create([p for p, *_ in plans], batch_size=500)
    ProposalCounter.objects.bulk_create(counters)

    updates = []
    for proposal, target, start, overdue_on in plans:
        # auto_now_add stamped them all "now" on insert; put back when each was written.
        proposal.created_at = _aware(start, 9)
        members = members_by_office[proposal.office_id]
        units = units_by_office[proposal.office_id]
        day = start
        path = _path_to(target)
        note_for = {
            P.RETURNED: "请补充调研数据后重新提交",
            P.NOT_REGISTERED: "属个人诉求，不予立案",
        }
        cosigner = None
        if rng.random() < 0.4 and len(members) > 1:
            cosigner = rng.choice([m for m in members if m.pk != proposal.lead_member_id])
            proposal.proposer_kind = Proposal.ProposerKind.JOINT
            build.cosigners.append(
                ProposalCosigner(
                    proposal=proposal,
                    member=cosigner,
                    status=ProposalCosigner.Status.CONFIRMED,
                    responded_at=_aware(day),
                )
            )
        lead_assignment = None
        for index, state in enumerate(path):
            if index:
                day = min(day + datetime.timedelta(days=rng.randint(3, 20)), today)
            if state == P.SUBMITTED:
                proposal.submitted_at = _aware(day)
            elif state == P.RETURNED:
                proposal.return_reason = note_for[state]
            elif state == P.NOT_REGISTERED:
                proposal.not_registered_ground = Proposal.NotRegisteredGround.PERSONAL
                proposal.not_registered_note = note_for[state]
            elif state == P.REGISTERED:
                proposal.registered_at = _aware(day)
                for member, kind in (
                    (proposal.lead_member, PointRule.Kind.PROPOSAL_LEAD),
                    (cosigner, PointRule.Kind.PROPOSAL_COSIGNER),
                ):
                    if member is not None:
                        build.ledger.award(
                            member_id=member.pk,
                            kind=kind,
                            occurred_on=day,
                            source=proposal,
                            description=proposal.title,
                        )
            elif state == P.ASSIGNED and units:
                day = max(day, overdue_on or day)
                proposal.assigned_on = day
                proposal.due_date = add_months(day, 3)
                lead_unit = rng.choice(units)
                lead_assignment = Assignment(
                    proposal=proposal, unit=lead_unit, role=Assignment.Role.LEAD, assigned_on=day
                )
                build.assignments.append(lead_assignment)
                co_unit = rng.choice(units)
                if co_unit != lead_unit and rng.random() < 0.5:
                    build.assignments.append(
                        Assignment(
                            proposal=proposal,
                            unit=co_unit,
                            role=Assignment.Role.CO,
                            assigned_on=day,
                            acknowledged_at=_aware(day + datetime.timedelta(days=2)),
                            co_opinion="同意主办单位意见，积极配合办理。",
                        )
                    )
            elif state == P.ACKNOWLEDGED and lead_assignment:
                lead_assignment.acknowledged_at = _aware(day)
            elif state == P.REPLIED and lead_assignment:
                day = min(day + datetime.timedelta(days=rng.randint(20, 60)), today)
                grade = "B" if id(proposal) in build.b_replies else rng.choice("AABBC")
                lead_assignment.acknowledged_at = lead_assignment.acknowledged_at or _aware(day)
                build.replies.append(
                    (
                        lead_assignment,
                        {
                            "proposal": proposal,
                            "round": 1,
                            "grade": grade,
                            "content": "经研究，已会同有关部门制定工作方案，分步实施。",
                            "contact_method": rng.choice(Reply.Contact.values),
                            "replied_on": day,
                        },
                    )
                )
                proposal.replied_on = day
                proposal.feedback_due_date = day + datetime.timedelta(days=21)
            elif state == P.REHANDLING:
                build.feedback.append(
                    Feedback(
                        proposal=proposal,
                        round=1,
                        member=proposal.lead_member,
                        verdict=Feedback.Verdict.DISSATISFIED,
                        comments="措施不够具体，希望明确时间表。",
                    )
                )
                proposal.handling_round = 2
                proposal.due_date = add_months(day, 3)
            elif state == P.CLOSED:
                build.feedback.append(
                    Feedback(
                        proposal=proposal,
                        round=1,
                        member=proposal.lead_member,
                        verdict=rng.choice(
                            [Feedback.Verdict.SATISFIED, Feedback.Verdict.BASICALLY]
                        ),
                    )
                )
                proposal.closed_at = _aware(day)
            label = (
                str(lead_assignment.unit)
                if state in (P.ACKNOWLEDGED, P.REPLIED) and lead_assignment
                else ""
            )
            build.change(
                proposal,
                index,
                state,
                day,
                note=note_for.get(state, ""),
                label=label,
                author=proposal.lead_member,
            )
        updates.append(proposal)
    Proposal.objects.bulk_update(
        updates,
        [
            "created_at",
            "proposer_kind",
            "submitted_at",
            "return_reason",
            "not_registered_ground",
            "not_registered_note",
            "registered_at",
            "assigned_on",
            "due_date",
            "replied_on",
            "feedback_due_date",
            "handling_round",
            "closed_at",
        ],
        batch_size=500,
    )
    ProposalCosigner.objects.bulk_create(build.cosigners, batch_size=500)
    Assignment.objects.bulk_create(build.assignments, batch_size=500)
    replies = Reply.objects.bulk_create(
        [Reply(assignment=assignment, **data) for assignment, data in build.replies], batch_size=500
    )
    _seed_follow_ups(replies, today, rng, forced=build.b_replies)
    Feedback.objects.bulk_create(build.feedback, batch_size=500)

    reports = _seed_reports(build, offices, members_by_office, today, rng, actor)
    research = _seed_research(offices, members_by_office, today, rng)
    build.history.write()
    bulk.write_points(build.ledger)
    # Written in bulk, past the save() that keeps the search columns current.
    textindex.rebuild()
    return {"proposals": len(plans), "opinion_reports": reports, "research_reports": research}


def _seed_follow_ups(replies, today, rng, *, forced) -> None:
    """B replies' follow-ups (issue 20, item 5): last year's carried out and closed (some
    regraded to A, the similar pair's always), this year's open, some with a progress
    report and some past their planned date."""
    follow_ups, reports, regraded = [], [], []
    for reply in replies:
        if reply.grade != Reply.Grade.B or reply.assignment.role != Assignment.Role.LEAD:
            continue
        proposal = reply.proposal
        planned = reply.replied_on + datetime.timedelta(days=rng.randint(60, 150))
        follow_up = FollowUp(proposal=proposal, reply=reply, planned_on=planned)
        if proposal.year < today.year:
            done = min(planned - datetime.timedelta(days=rng.randint(0, 30)), today)
            follow_up.status = FollowUp.Status.CLOSED
            follow_up.completed_on = done
            follow_up.closed_at = _aware(min(done + datetime.timedelta(days=7), today), 15)
            follow_up.closing_note = "经现场核实，计划事项已落实。"
            follow_up.regraded = id(proposal) in forced or rng.random() < 0.5
            if follow_up.regraded:
                reply.grade = Reply.Grade.A
                regraded.append(reply)
            reports.append(
                (follow_up, FollowUpReport.Kind.COMPLETION, "计划事项已按期完成。", done)
            )
        elif rng.random() < 0.6:
            on = min(reply.replied_on + datetime.timedelta(days=30), today)
            reports.append(
                (follow_up, FollowUpReport.Kind.PROGRESS, "已制定实施方案，正在推进。", on)
            )
        follow_ups.append(follow_up)
    FollowUp.objects.bulk_create(follow_ups, batch_size=500)
    FollowUpReport.objects.bulk_create(
        [
            FollowUpReport(follow_up=f, kind=kind, content=content, reported_on=on)
            for f, kind, content, on in reports
        ],
        batch_size=500,
    )
    Reply.objects.bulk_update(regraded, ["grade"], batch_size=500)


REPORT_SPREAD = [
    OS.DRAFT,
    OS.SUBMITTED,
    OS.EDITED,
    OS.APPROVED,
    OS.ISSUED,
    OS.FORWARDED,
    OS.FORWARDED,
    OS.NOT_USED,
]
REPORT_PATH = [OS.DRAFT, OS.SUBMITTED, OS.EDITED, OS.APPROVED, OS.ISSUED, OS.FORWARDED]


def _seed_reports(build, offices, members_by_office, today, rng, actor) -> int:
    reports, adoptions, plans = [], [], []
    opening = min(datetime.date(today.year, 1, 10), today)  # never in the future
    for office in offices:
        members = members_by_office[office.pk]
        if not members:
            continue
        for i, target in enumerate(REPORT_SPREAD):
            title, situation, suggestion = REPORT_TOPICS[(i + office.pk) % len(REPORT_TOPICS)]
            report = OpinionReport(
                office=office,
                year=today.year,
                title=title,
                situation=situation,
                analysis="该问题群众反映集中，涉及面广。",
                suggestion=suggestion,
                member=_showcase(members)
                if i % 3 == 0 and _showcase(members)
                else rng.choice(members),
                status=target,
                created_by=actor,
            )
            reports.append(report)
            plans.append(
                (
                    report,
                    target,
                    opening
                    + datetime.timedelta(days=rng.randint(0, max(0, (today - opening).days - 40))),
                )
            )
    OpinionReport.objects.bulk_create(reports, batch_size=500)
    issue = defaultdict(int)
    for report, target, day in plans:
        report.created_at = _aware(day, 9)  # not the seeding day auto_now_add stamped
        path = (
            [OS.DRAFT, OS.SUBMITTED, OS.NOT_USED]
            if target == OS.NOT_USED
            else REPORT_PATH[: REPORT_PATH.index(target) + 1]
        )
        for index, state in enumerate(path):
            if index:
                day = min(day + datetime.timedelta(days=rng.randint(2, 10)), today)
            if state == OS.SUBMITTED:
                report.submitted_at = _aware(day)
            elif state == OS.NOT_USED:
                report.not_used_reason = "反映问题已在解决中"
            elif state == OS.ISSUED:
                issue[report.office_id] += 1
                report.issue_number = f"{today.year}年第{issue[report.office_id]}期"
                report.issued_on = day
            elif state == OS.FORWARDED:
                report.forwarded_to = "区政协办公室"
                report.forwarded_on = day
                level = rng.choice(
                    [Adoption.Level.STREET, Adoption.Level.DISTRICT, Adoption.Level.CITY]
                )
                adoption = Adoption(
                    report=report,
                    level=level,
                    kind=Adoption.Kind.ADOPTED,
                    body="区政协办公室",
                    adopted_on=day,
                )
                adoptions.append(adoption)
            note = report.not_used_reason if state == OS.NOT_USED else ""
            build.change(report, index, state, day, note=note, author=report.member)
    OpinionReport.objects.bulk_update(
        reports,
        [
            "created_at",
            "submitted_at",
            "not_used_reason",
            "issue_number",
            "issued_on",
            "forwarded_to",
            "forwarded_on",
        ],
        batch_size=500,
    )
    Adoption.objects.bulk_create(adoptions, batch_size=500)
    for adoption in adoptions:
        build.ledger.award(
            member_id=adoption.report.member_id,
            kind=adoption.points_kind,
            occurred_on=adoption.adopted_on,
            source=adoption,
            description=adoption.report.title,
        )
    return len(reports)


def _seed_research(offices, members_by_office, today, rng) -> int:
    created = 0
    for office in offices:
        members = members_by_office[office.pk]
        if len(members) < 4:
            continue
        group = rng.sample(members, 4)
        showcase = _showcase(members)
        if showcase is not None and showcase not in group:
            group[-1] = showcase  # the sign-in member sees one in the portal
        report = ResearchReport.objects.create(
            office=office,
            year=today.year,
            topic="关于辖区社区规模调整的调研报告",
            lead_member=group[0],
            summary="对辖区社区逐一调研，提出超大社区拆分调整建议。",
            submitted_to="区民政局、街道党工委",
            submitted_on=today - datetime.timedelta(days=rng.randint(30, 200)),
        )
        report.group_members.set(group)
        services.research_points_sync(report=report, actor=None)
        ResearchAdoption.objects.create(
            report=report,
            body="区民政局",
            content="采纳社区规模调整建议，列入年度区划调整计划。",
            adopted_on=report.submitted_on + datetime.timedelta(days=20)
            if report.submitted_on + datetime.timedelta(days=20) <= today
            else today,
        )
        created += 1
    return created


def reset_proposals(*, offices) -> None:
    """Delete the proposal area's rows of ``offices`` (before the roster is reset:
    proposals protect the members and units they name)."""
    from django.test.utils import override_settings

    offices = list(offices)
    proposal_ids = list(Proposal.objects.filter(office__in=offices).values_list("pk", flat=True))
    report_ids = list(OpinionReport.objects.filter(office__in=offices).values_list("pk", flat=True))
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model, ids in ((Proposal, proposal_ids), (OpinionReport, report_ids)):
            StatusChange.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=ids
            ).delete()
        Adoption.objects.filter(report_id__in=report_ids).delete()
        OpinionReport.objects.filter(pk__in=report_ids).delete()
        Reply.objects.filter(proposal_id__in=proposal_ids).delete()
        Feedback.objects.filter(proposal_id__in=proposal_ids).delete()
        Assignment.objects.filter(proposal_id__in=proposal_ids).delete()
        ProposalCosigner.objects.filter(proposal_id__in=proposal_ids).delete()
        Proposal.objects.filter(pk__in=proposal_ids, merged_into__isnull=False).delete()
        Proposal.objects.filter(pk__in=proposal_ids).delete()
        ProposalCounter.objects.filter(office__in=offices).delete()
        ResearchReport.objects.filter(office__in=offices).delete()
