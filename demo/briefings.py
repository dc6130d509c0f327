"""Demo activities for the demo offices: two political briefings a year per office (last
year's and this year's, held, published or in preparation according to their date), and
the other activities — consultations, an inspection, research, study sessions, a theme
activity with its outputs and a donation — with invitations, replies and leave,
attendance and its points, opinions collected and minutes. Written in bulk, like the
roster.

Called by the seed_demo command after the roster exists. Deterministic for a given seed
and day."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from briefings.models import (
    ATTENDANCE_POINTS,
    Activity,
    ActivityConfig,
    ActivityKind,
    ActivityOutput,
    AgendaItem,
    Donation,
    Invitation,
    InvitedLeader,
    Opinion,
)
from briefings.services.counts import refresh_activity_counts
from demo.history import History
from liaison.models import StatusChange
from members.models import Member
from members.points import PointsLedger

from . import bulk

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance

# (kind, title, month, topic, share of members invited; 1.0 = all serving members)
PLAN = [
    ("学习", "{year}年委员学习会", 2, "学习全国两会精神和区政协全会精神", 0.5),
    ("政情通报会", "{year}年上半年政情通报会", 3, "通报街道经济社会发展情况和重点工作", 1.0),
    ("调研", "老旧小区加装电梯专题调研", 4, "走访老旧小区，了解加装电梯推进中的难点", 0.2),
    ("专题协商", "背街小巷提质改造专题协商会", 5, "围绕背街小巷提质改造听取委员意见", 0.3),
    ("视察", "农贸市场提质改造视察", 6, "视察辖区农贸市场提质改造进展", 0.25),
    ("主题活动", "食品安全进校园主题活动", 5, "校园周边食品安全宣传和联合检查", 0.3),
    ("捐赠", "为八一路小学捐资助学", 9, "为随迁子女学校捐赠图书和教学设备", 0.2),
    ("政情通报会", "{year}年下半年政情通报会", 10, "通报街道前三季度工作和明年工作思路", 1.0),
    ("界别协商", "经济界委员界别协商会", 11, "楼宇经济提质增效", 0.15),
]

LEADERS = [
    ("王建国", "党工委书记"),
    ("李红", "办事处主任"),
    ("陈志刚", "区政协副主席"),
]

AGENDA = {
    "政情通报会": [
        ("通报街道经济社会发展情况", "办事处主任"),
        ("通报街道重点工作推进情况", "党工委副书记"),
        ("委员座谈发言", ""),
        ("领导讲话", "党工委书记"),
    ],
    "专题协商": [("情况介绍", "相关科室负责人"), ("委员协商发言", ""), ("部门回应", "")],
}

OPINIONS = [
    ("背街小巷路灯", "部分背街小巷路灯损坏，夜间通行不安全，建议尽快排查维修。"),
    ("学校周边交通", "学校上下学时段周边道路拥堵，建议错峰放学并增设护学岗。"),
    ("农贸市场环境", "农贸市场排水不畅、异味较重，建议加快提质改造。"),
    ("老旧小区停车", "老旧小区停车位紧张，建议挖潜增设泊位，推行错时共享停车。"),
    ("电动自行车充电", "楼道飞线充电屡禁不止，建议建设集中充电设施。"),
    ("社区养老服务", "独居老人较多，建议推广智能呼叫设备，建立邻里守望机制。"),
    ("营商环境", "建议街道设立企业服务专员，帮助小微企业解决用工和融资问题。"),
    ("垃圾分类", "居民分类投放准确率不高，建议配备督导员并引入积分激励。"),
]

LEAVE_REASONS = ["出差外地", "单位有重要会议", "身体不适", "家中有事", "在外学习培训"]

MINUTES = (
    "{date}，{office}召开{title}。{leader}出席会议并讲话，"
    "街道有关负责同志通报了街道经济社会发展情况和重点工作推进情况。\n"
    "与会委员围绕城市管理、民生服务、营商环境等方面踊跃发言，共提出意见建议 {n} 条。\n"
    "会议要求，各有关部门要认真研究委员意见建议，及时办理并反馈。"
)


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _day(rng: random.Random, year: int, month: int) -> datetime.date:
    day = datetime.date(year, month, rng.randint(8, 26))
    while day.weekday() >= 5:  # on a working day
        day -= datetime.timedelta(days=1)
    return day


def seed_briefings(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    """Write demo activities for ``offices``, last year and this. Returns counts."""
    kinds = {k.name: k for k in ActivityKind.objects.all()}
    members_by_office = defaultdict(list)
    for member in (
        Member.objects.filter(office__in=offices, status=Member.Status.SERVING)
        .only("pk", "office_id", "name", "sector_id")
        .order_by("pk")
    ):
        members_by_office[member.office_id].append(member)

    # Nothing is dated after this morning: an activity weeks ahead is published today at
    # the latest, and its replies come in by now.
    now = _aware(today, 8)
    plans = []  # (activity, share of members, final status)
    for office in offices:
        if not members_by_office[office.pk]:
            continue
        for year in (today.year - 1, today.year):
            for kind_name, title, month, topic, share in PLAN:
                kind = kinds.get(kind_name)
                if kind is None:
                    continue  # staff retired the kind
                day = _day(rng, year, month)
                hour = 14 if kind.is_briefing else rng.choice((9, 14))
                starts = _aware(day, hour, 30 if kind.is_briefing else 0)
                if day < today:
                    status = A.HELD if rng.random() > 0.04 else A.CANCELLED
                elif day <= today + datetime.timedelta(days=45):
                    status = A.PUBLISHED
                else:
                    status = A.DRAFT
                major = kind.is_major_by_default
                answered = major and status != A.DRAFT
                activity = Activity(
                    office=office,
                    kind=kind,
                    title=title.format(year=year),
                    topic=topic,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2),
                    venue=f"{office.street}办事处三楼会议室"
                    if kind.is_briefing
                    else rng.choice(
                        ["辖区社区活动中心", f"{office.street}办事处会议室", "活动现场"]
                    ),
                    is_major=major,
                    request_sent_on=day - datetime.timedelta(days=14) if major else None,
                    request_outcome=Activity.RequestOutcome.APPROVED if answered else "",
                    request_answer="同意" if answered else "",
                    request_answered_on=day - datetime.timedelta(days=9) if answered else None,
                    status=status,
                    published_at=min(_aware(day - datetime.timedelta(days=8), 10), now)
                    if status != A.DRAFT
                    else None,
                    created_by=actor,
                )
                if status == A.CANCELLED:
                    activity.cancel_reason = "与区政协全会时间冲突，另行安排"
                if status == A.HELD:
                    activity.attendance_closed_at = _aware(day, 17)
                if kind.records_outputs and status == A.HELD:
                    activity.beneficiaries = (
                        "八一路小学师生" if kind_name == "捐赠" else "辖区中小学师生和家长"
                    )
                    activity.beneficiary_count = rng.randint(800, 3200)
                    activity.results = "建立了校园周边食品安全常态化监督机制。"
                plans.append((activity, share, status))
    Activity.objects.bulk_create([p[0] for p in plans], batch_size=500)

    leaders, agenda, outputs, donations = [], [], [], []
    invitations: list[Invitation] = []
    history = History()
    for activity, share, status in plans:
        street = activity.office.street
        if activity.kind.is_briefing or activity.kind.name == "专题协商":
            for position, (name, title) in enumerate(LEADERS[: 2 + rng.randint(0, 1)], start=1):
                unit = "芙蓉区政协" if "政协" in title else street
                leaders.append(
                    InvitedLeader(
                        activity=activity, name=name, title=title, unit=unit, position=position
                    )
                )
            for position, (item, presenter) in enumerate(
                AGENDA["政情通报会" if activity.kind.is_briefing else "专题协商"], start=1
            ):
                agenda.append(
                    AgendaItem(
                        activity=activity, title=item, presenter=presenter, position=position
                    )
                )
        members = members_by_office[activity.office_id]
        invited = (
            members
            if share >= 1
            else rng.sample(members, max(1, min(len(members), int(len(members) * share))))
        )
        for member in invited:
            invitations.append(_invitation(rng, activity, member, status, now))
        if status == A.HELD and activity.kind.records_outputs:
            if activity.kind.name == "主题活动":
                outputs += [
                    ActivityOutput(
                        activity=activity, item="印发食品安全宣传手册", quantity=5000, unit="份"
                    ),
                    ActivityOutput(
                        activity=activity, item="开展校园周边联合检查", quantity=12, unit="次"
                    ),
                ]
            else:
                for member in invited[: rng.randint(2, 4)]:
                    donations.append(
                        Donation(
                            activity=activity,
                            member=member,
                            recipient="八一路小学",
                            money=Decimal(rng.choice([5000, 10000, 20000, 50000])),
                            goods=rng.choice(["", "图书 800 册", "课桌椅 40 套"]),
                        )
                    )
        created = min(activity.published_at or activity.starts_at, now)
        history.start(activity, A.DRAFT, created - datetime.timedelta(days=10), actor=actor)
        if activity.published_at:  # a cancelled one too: it was called off once published
            history.move(activity, A.PUBLISHED, activity.published_at, actor=actor)
        if status == A.HELD:
            history.move(activity, A.HELD, activity.attendance_closed_at, actor=actor)
        elif status == A.CANCELLED:
            history.move(
                activity,
                A.CANCELLED,
                activity.starts_at - datetime.timedelta(days=3),
                actor=actor,
                note=activity.cancel_reason,
            )
    InvitedLeader.objects.bulk_create(leaders, batch_size=1000)
    AgendaItem.objects.bulk_create(agenda, batch_size=1000)
    ActivityOutput.objects.bulk_create(outputs)
    Donation.objects.bulk_create(donations)
    Invitation.objects.bulk_create(invitations, batch_size=2000)

    # Points for attendance, with the invitation as their source.
    ledger = PointsLedger(offices)
    attended_by_activity = defaultdict(list)
    for invitation in invitations:
        kind = ATTENDANCE_POINTS.get(invitation.attendance)
        if invitation.attendance == Att.ATTENDED:
            attended_by_activity[invitation.activity_id].append(invitation.member)
        if kind and invitation.pk:
            ledger.award(
                member_id=invitation.member_id,
                kind=kind,
                occurred_on=timezone.localdate(invitation.activity.starts_at),
                source=invitation,
                description=invitation.activity.title,
            )
    points = bulk.write_points(ledger)

    # Opinions from those who came, and the minutes that count them.
    opinions = []
    minuted = []
    for activity, _share, status in plans:
        if status != A.HELD:
            continue
        came = attended_by_activity[activity.pk]
        count = min(
            len(came), rng.randint(2, 6) if activity.kind.is_briefing else rng.randint(0, 3)
        )
        for member in rng.sample(came, count):
            title, content = rng.choice(OPINIONS)
            opinions.append(
                Opinion(
                    activity=activity,
                    member=member,
                    title=title,
                    content=content,
                    status=Opinion.Status.NEW if rng.random() < 0.6 else Opinion.Status.NOTED,
                    created_by=actor,
                )
            )
        if activity.kind.is_briefing or activity.kind.name == "专题协商":
            activity.minutes = MINUTES.format(
                date=f"{timezone.localdate(activity.starts_at):%Y年%m月%d日}",
                office=activity.office.name,
                title=activity.title,
                leader="党工委书记王建国",
                n=count,
            )
            activity.minutes_by = actor
            activity.minutes_updated_at = activity.attendance_closed_at
            minuted.append(activity)
    Opinion.objects.bulk_create(opinions, batch_size=1000)
    Activity.objects.bulk_update(
        minuted, ["minutes", "minutes_by", "minutes_updated_at"], batch_size=500
    )
    # The invitations and opinions were written in bulk, past the services: the counts
    # each activity keeps on its row are taken from them now.
    refresh_activity_counts(p[0].pk for p in plans)
    for opinion in opinions:
        if opinion.pk:
            when = opinion.activity.ends_at
            history.start(opinion, Opinion.Status.NEW, when, actor=actor)
            if opinion.status == Opinion.Status.NOTED:
                history.move(opinion, Opinion.Status.NOTED, when, actor=actor)
    history.write()
    return {
        "activities": len(plans),
        "invitations": len(invitations),
        "opinions": len(opinions),
        "points": points,
    }


def _invitation(rng: random.Random, activity: Activity, member, status: str, now) -> Invitation:
    invitation = Invitation(activity=activity, member=member)
    if status in (A.DRAFT, A.CANCELLED):
        return invitation
    roll = rng.random()
    replied = min(activity.published_at + datetime.timedelta(hours=rng.randint(2, 120)), now)
    if roll < 0.65:
        invitation.reply, invitation.replied_at = I.Reply.ATTENDING, replied
    elif roll < 0.8:
        invitation.reply, invitation.replied_at = I.Reply.LEAVE, replied
        invitation.leave_reason = rng.choice(LEAVE_REASONS)
        if status == A.HELD or rng.random() < 0.6:
            approved = rng.random() < 0.85
            invitation.leave_status = I.Leave.APPROVED if approved else I.Leave.REFUSED
            invitation.leave_decided_at = replied + datetime.timedelta(hours=3)
        else:
            invitation.leave_status = I.Leave.REQUESTED
    if status != A.HELD:
        return invitation
    if invitation.reply == I.Reply.ATTENDING:
        came = rng.random() < 0.92
    elif invitation.reply == I.Reply.LEAVE:
        came = invitation.leave_status == I.Leave.REFUSED and rng.random() < 0.5
    else:
        came = rng.random() < 0.4
    if came:
        invitation.attendance = Att.ATTENDED
        invitation.attendance_method = rng.choice([I.Method.QR, I.Method.QR, I.Method.STAFF])
        invitation.attendance_at = activity.starts_at - datetime.timedelta(
            minutes=rng.randint(0, 40)
        )
    else:
        invitation.attendance = {
            I.Leave.APPROVED: Att.LEAVE_APPROVED,
            I.Leave.REFUSED: Att.LEAVE_REFUSED,
        }.get(invitation.leave_status, Att.ABSENT)
        invitation.attendance_method = I.Method.CLOSING
        invitation.attendance_at = activity.attendance_closed_at
    return invitation


def reset_briefings(*, offices) -> None:
    """Delete the activities the demo ``offices`` organise, with everything hanging off
    them (before the roster is reset: invitations, opinions and donations protect the
    members they name). Points go with the members."""
    from django.test.utils import override_settings

    offices = list(offices)
    activity_ids = list(Activity.objects.filter(office__in=offices).values_list("pk", flat=True))
    opinion_ids = list(
        Opinion.objects.filter(activity_id__in=activity_ids).values_list("pk", flat=True)
    )
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model, ids in ((Activity, activity_ids), (Opinion, opinion_ids)):
            StatusChange.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=ids
            ).delete()
        Activity.objects.filter(pk__in=activity_ids).delete()
        ActivityConfig.objects.filter(office__in=offices).delete()
