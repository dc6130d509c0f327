"""What the demo's sign-in member (唐朝阳) finds waiting on the portal: one to-do of each
kind — a reply to rate, a co-signature to confirm, an invitation to answer, a concern's
result to confirm, a profile to complete — each with the unread message that asked for
it. Written through the services, as the office, a colleague and a unit would, so the
messages and timelines are the real ones; seeded last, so it is the newest work."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from briefings import services as briefings
from briefings.models import ActivityKind
from liaison.models import HandlingUnit
from members.models import Member
from proposals import services as proposals
from proposals.models import ProposalCategory
from visits import services as visits
from visits.models import Concern

from .proposals import SHOWCASE_MEMBER


def _staff(office):
    return get_user_model().objects.filter(office=office, is_staff=True).order_by("pk").first()


def _draft(member, title, reasons, suggestions, cosigners=()):
    return proposals.proposal_create(
        actor=member.user,
        office=member.office,
        lead_member=member,
        title=title,
        reasons=reasons,
        suggestions=suggestions,
        category=ProposalCategory.objects.get(name="城市管理"),
        cosigners=list(cosigners),
    )


def _open_for_cosigning(member, staff, units, today):
    joiners = list(
        Member.objects.filter(
            office=member.office, status=Member.Status.SERVING, user__isnull=False
        )
        .exclude(pk=member.pk)
        .order_by("-pk")[:2]
    )
    proposal = _draft(
        member,
        "关于改造街道菜市场环境的建议",
        "街道菜市场建成已二十年，排水不畅、通风差，摊位占道经营。",
        "建议改善排水和通风条件，统一摊位设置，设立农产品快检室。",
    )
    if len(units) > 1:
        proposals.proposal_suggest_units(
            proposal=proposal, actor=member.user, lead_unit=units[0], co_units=[units[1]]
        )
    else:
        proposals.proposal_suggest_units(
            proposal=proposal, actor=member.user, note="市场监管所和城管科"
        )
    proposals.proposal_submit(proposal=proposal, actor=member.user)
    proposals.proposal_open_cosigning(
        proposal=proposal, actor=member.user, until=today + datetime.timedelta(days=14)
    )
    for joiner in joiners:
        proposals.proposal_join_cosigning(proposal=proposal, member=joiner)


def seed_showcase(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    member = (
        Member.objects.filter(office__in=offices, name=SHOWCASE_MEMBER, user__isnull=False)
        .select_related("office", "user")
        .first()
    )
    if member is None:
        return {}
    office = member.office
    staff = _staff(office)
    units = list(HandlingUnit.objects.filter(office=office, is_active=True).order_by("pk"))
    colleague = (
        Member.objects.filter(office=office, status=Member.Status.SERVING, user__isnull=False)
        .exclude(pk=member.pk)
        .order_by("pk")
        .first()
    )

    # A reply to rate.
    replied = _draft(
        member,
        "关于加快老旧小区加装电梯的建议",
        "辖区老旧小区多为六七层无电梯住宅，老年住户上下楼困难。",
        "建议简化加装电梯审批，设立专项补贴，由社区牵头协调住户意见。",
    )
    proposals.proposal_submit(proposal=replied, actor=member.user)
    proposals.proposal_register(proposal=replied, actor=staff)
    proposals.proposal_assign(proposal=replied, actor=staff, lead_unit=rng.choice(units))
    reply = proposals.reply_record(
        assignment=replied.assignments.get(),
        grade="B",
        content="经研究，已将老旧小区加装电梯列入明年民生实事，分批推进。",
        contact_method="meeting",
        planned_on=today + datetime.timedelta(days=150),
        actor=staff,
    )
    # Its follow-up (列入计划, issue 20 item 5): open, with the unit's first progress report.
    proposals.follow_up_report(
        follow_up=reply.follow_up,
        kind="progress",
        content="已完成首批6个小区的意见征询，其中3个小区达成一致，正在办理审批。",
    )

    # A proposal with the units its proposer suggested, open for co-signing (附议), with
    # two colleagues who joined from their portals.
    _open_for_cosigning(member, staff, units, today)

    # A colleague's proposal the member is asked to co-sign.
    _draft(
        colleague,
        "关于在社区推广垃圾分类积分兑换的建议",
        "居民分类投放积极性不高，分类准确率偏低。",
        "建议设立积分兑换点，以积分换取生活用品，提高居民参与度。",
        cosigners=[member],
    )

    # An invitation to answer: a briefing ten days from now.
    starts_at = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=10), datetime.time(14, 30))
    )
    activity = briefings.activity_create(
        actor=staff,
        office=office,
        kind=ActivityKind.objects.get(name="专题协商"),
        title="背街小巷环境整治专题协商会",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        venue="街道办事处三楼会议室",
    )
    if activity.is_major:  # the street party working committee has agreed to it
        briefings.activity_request_send(activity=activity, actor=staff, sent_on=today)
        briefings.activity_request_answer(
            activity=activity, actor=staff, outcome="approved", answered_on=today
        )
    briefings.activity_invite(activity=activity, actor=staff, members=[member, colleague])
    briefings.activity_publish(activity=activity, actor=staff)

    # A concern's result to confirm.
    concern = visits.concern_create(
        actor=staff,
        office=office,
        member=member,
        title="小区门口路灯损坏",
        content="小区南门外两盏路灯损坏已有一个月，夜间出行不便。",
        source=Concern.Source.STAFF,
    )
    visits.concern_assign(concern=concern, actor=staff, unit=rng.choice(units))
    visits.concern_report_result(concern=concern, resolved=True, result="已更换灯具，恢复照明。")
    visits.concern_feed_back(concern=concern, actor=staff)

    # A profile to complete: the office has no address for the member yet.
    Member.objects.filter(pk=member.pk).update(home_address="", work_address="")
    return {"proposals": 4, "activities": 1, "invitations": 2, "concerns": 1}


def reset_showcase(*, offices) -> None:
    """Nothing of its own: its proposals, activity and concern belong to the office and
    go with the other areas' resets."""
