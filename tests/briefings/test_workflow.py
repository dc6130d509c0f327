"""Activities through their services: the request for instructions, invitations and
replies, leave, attendance and points, opinions turned into proposal drafts."""

import datetime

import pytest
import time_machine
from django.core import mail

from briefings import services
from briefings.models import Activity, Invitation, Opinion
from briefings.selectors import invitation_candidates
from liaison.models import Notification, StatusChange
from liaison.outbox import deliver_pending
from liaison.workflow import WorkflowError
from members.models import PointEntry, Sector
from proposals.models import Proposal, ProposalCategory
from tests.factories import (
    MemberFactory,
    activity_published,
    activity_scheduled,
    member_with_account,
    shanghai,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]

A = Activity.Status
Att = Invitation.Attendance
BEFORE = datetime.datetime(2026, 3, 2, 9, 0)  # UTC; the briefing is on 20 March
DURING = datetime.datetime(2026, 3, 20, 7, 0)  # 15:00 in Shanghai
AFTER = datetime.datetime(2026, 3, 21, 2, 0)


@pytest.fixture
def briefing(office, staff, member, other_member):
    with time_machine.travel(BEFORE):
        return activity_published(office=office, actor=staff, members=[member, other_member])


def _invitation(activity, member):
    return Invitation.objects.get(activity=activity, member=member)


@time_machine.travel(BEFORE)
def test_briefing_cannot_be_published_before_the_committee_answers(office, staff, member):
    activity = activity_scheduled(office=office, actor=staff)
    services.activity_invite(activity=activity, actor=staff, members=[member])
    assert activity.is_major  # 政情通报会 is major by default

    with pytest.raises(WorkflowError, match="批复后方可发布"):
        services.activity_publish(activity=activity, actor=staff)

    services.activity_request_send(
        activity=activity, actor=staff, sent_on=datetime.date(2026, 3, 2)
    )
    with pytest.raises(WorkflowError, match="批复后方可发布"):
        services.activity_publish(activity=activity, actor=staff)
    services.activity_request_answer(
        activity=activity,
        actor=staff,
        outcome="approved",
        answer="同意召开，请区政协领导出席。",
        answered_on=datetime.date(2026, 3, 2),
    )
    services.activity_publish(activity=activity, actor=staff)

    activity.refresh_from_db()
    assert activity.status == A.PUBLISHED
    assert activity.request_state == "同意"
    notes = list(StatusChange.objects.filter(object_id=activity.pk).values_list("note", flat=True))
    assert any("报送请示" in n for n in notes)
    assert any("同意召开" in n for n in notes)


@time_machine.travel(BEFORE)
def test_staff_may_publish_before_the_answer_with_a_reason(office, staff, member):
    activity = activity_scheduled(office=office, actor=staff)
    services.activity_invite(activity=activity, actor=staff, members=[member])

    services.activity_publish(
        activity=activity, actor=staff, override_reason="书记已口头同意，书面批复随后"
    )

    activity.refresh_from_db()
    assert activity.status == A.PUBLISHED
    assert activity.publish_override_reason == "书记已口头同意，书面批复随后"
    assert StatusChange.objects.filter(
        object_id=activity.pk, to_status=A.PUBLISHED, note__contains="书记已口头同意"
    ).exists()


@time_machine.travel(BEFORE)
def test_a_refused_request_blocks_publication_even_with_a_reason(office, staff, member):
    activity = activity_scheduled(office=office, actor=staff)
    services.activity_invite(activity=activity, actor=staff, members=[member])
    services.activity_request_send(
        activity=activity, actor=staff, sent_on=datetime.date(2026, 3, 1)
    )
    services.activity_request_answer(
        activity=activity, actor=staff, outcome="refused", answered_on=datetime.date(2026, 3, 2)
    )

    with pytest.raises(WorkflowError, match="未同意"):
        services.activity_publish(activity=activity, actor=staff, override_reason="急")
    assert Activity.objects.get(pk=activity.pk).status == A.DRAFT


@time_machine.travel(BEFORE)
def test_answer_cannot_predate_the_request(office, staff):
    activity = activity_scheduled(office=office, actor=staff)
    services.activity_request_send(
        activity=activity, actor=staff, sent_on=datetime.date(2026, 3, 2)
    )
    with pytest.raises(WorkflowError, match="不能早于"):
        services.activity_request_answer(
            activity=activity,
            actor=staff,
            outcome="approved",
            answered_on=datetime.date(2026, 3, 1),
        )


@time_machine.travel(BEFORE)
def test_a_study_session_is_not_major_and_publishes_without_a_request(office, staff, member):
    activity = activity_published(
        office=office, actor=staff, members=[member], kind="学习", title="学习会"
    )
    assert not activity.is_major
    assert activity.status == A.PUBLISHED


def test_publishing_sends_each_invitee_one_invitation(briefing, member, other_member):
    deliver_pending()
    subjects = [m.subject for m in mail.outbox]
    assert sum("【活动邀请】" in s for s in subjects) == 2
    assert {m.to[0] for m in mail.outbox} == {member.email, other_member.email}
    portal = Notification.objects.filter(
        recipient=member.user, channel="portal", kind="activity_invitation"
    )
    assert portal.count() == 1
    assert portal.get().link == f"/portal/activities/{briefing.pk}/"


@time_machine.travel(BEFORE)
def test_invite_all_serving_members_by_sector_or_hand_picked(office, other_office, staff):
    economy = Sector.objects.get(name="经济界")
    education = Sector.objects.get_or_create(name="教育界")[0]
    a = MemberFactory(office=office, sector=economy)
    b = MemberFactory(office=office, sector=education)
    MemberFactory(office=office, sector=economy, status="term_ended")
    MemberFactory(office=other_office, sector=economy)
    activity = activity_scheduled(office=office, actor=staff)

    assert list(invitation_candidates(activity, mode="all")) == sorted(
        [a, b], key=lambda m: (m.stroke_key, m.pk)
    )
    assert list(invitation_candidates(activity, mode="sectors", sectors=[education])) == [b]
    assert list(invitation_candidates(activity, mode="picked", members=[a])) == [a]

    services.activity_invite(activity=activity, actor=staff, members=[a, b])
    services.activity_invite(activity=activity, actor=staff, members=[a])  # again: harmless
    assert activity.invitations.count() == 2


@time_machine.travel(BEFORE)
def test_joint_activity_invites_members_of_every_organising_office(office, other_office, staff):
    ours, theirs = MemberFactory(office=office), MemberFactory(office=other_office)
    activity = activity_scheduled(office=office, actor=staff, co_offices=[other_office])

    assert set(invitation_candidates(activity, mode="all")) == {ours, theirs}
    services.activity_invite(activity=activity, actor=staff, members=[ours, theirs])
    assert activity.invitations.count() == 2


@time_machine.travel(BEFORE)
def test_members_of_another_office_cannot_be_invited(office, other_office, staff):
    stranger = MemberFactory(office=other_office)
    activity = activity_scheduled(office=office, actor=staff)

    with pytest.raises(WorkflowError, match="不属于主办联络处"):
        services.activity_invite(activity=activity, actor=staff, members=[stranger])
    assert not activity.invitations.exists()


def test_member_asks_for_leave_staff_approve_and_the_member_is_told(briefing, member, staff):
    with time_machine.travel(BEFORE + datetime.timedelta(days=1)):
        invitation = services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=False, reason="出差北京"
        )
        assert invitation.reply_display == "请假（待审批）"
        services.leave_decide(invitation=invitation, actor=staff, approve=True, note="同意")
        deliver_pending()

    invitation.refresh_from_db()
    assert invitation.leave_status == Invitation.Leave.APPROVED
    to_member = [m.subject for m in mail.outbox if member.email in m.to]
    assert any("已同意您的请假" in s for s in to_member)
    to_staff = [m.subject for m in mail.outbox if staff.email in m.to]
    assert any("申请不参加" in s for s in to_staff)


def test_leave_needs_a_reason(briefing, member):
    with time_machine.travel(BEFORE), pytest.raises(WorkflowError, match="请假事由"):
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=False, reason="  "
        )


def test_leave_request_after_the_activity_started_is_refused_and_changes_nothing(briefing, member):
    with time_machine.travel(DURING), pytest.raises(WorkflowError, match="活动已于"):
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=False, reason="临时有事"
        )
    invitation = _invitation(briefing, member)
    assert invitation.reply == Invitation.Reply.PENDING
    assert invitation.leave_reason == ""
    assert not Notification.objects.filter(kind="activity_leave_requested").exists()


def test_replying_to_an_activity_one_was_not_invited_to_is_refused(briefing, office):
    outsider = member_with_account(office=office, name="周强", mobile="13700000009")
    with time_machine.travel(BEFORE), pytest.raises(WorkflowError, match="不在本次活动的邀请名单"):
        services.invitation_reply(
            activity=briefing, member=outsider, actor=outsider.user, attending=True
        )
    assert not Invitation.objects.filter(member=outsider).exists()


def test_a_member_cannot_reply_for_another(briefing, member, other_member):
    with time_machine.travel(BEFORE), pytest.raises(WorkflowError, match="本人"):
        services.invitation_reply(
            activity=briefing, member=other_member, actor=member.user, attending=True
        )


def test_recording_attendance_twice_is_refused_and_changes_nothing(briefing, member, staff):
    invitation = _invitation(briefing, member)
    with time_machine.travel(DURING):
        services.attendance_record(invitation=invitation, actor=staff)
        first = Invitation.objects.get(pk=invitation.pk)
        with pytest.raises(WorkflowError, match="不能重复登记"):
            services.attendance_record(invitation=invitation, actor=staff, state=Att.ABSENT)

    again = Invitation.objects.get(pk=invitation.pk)
    assert again.attendance == Att.ATTENDED
    assert again.attendance_at == first.attendance_at
    assert PointEntry.objects.filter(member=member).count() == 1


def test_attendance_cannot_be_ticked_long_before_the_activity(briefing, member, staff):
    with time_machine.travel(BEFORE), pytest.raises(WorkflowError, match="签到尚未开始"):
        services.attendance_record(invitation=_invitation(briefing, member), actor=staff)


def test_attendance_earns_points_and_a_correction_moves_them(briefing, member, staff):
    invitation = _invitation(briefing, member)
    with time_machine.travel(DURING):
        services.attendance_record(invitation=invitation, actor=staff)
    entry = PointEntry.objects.get(member=member)
    assert (entry.kind, entry.points, entry.occurred_on) == (
        "activity_attended",
        5,
        datetime.date(2026, 3, 20),
    )

    with time_machine.travel(AFTER):
        services.attendance_correct(
            invitation=invitation, actor=staff, state=Att.ABSENT, reason="误点签到，本人未到"
        )
    entry = PointEntry.objects.get(member=member)
    assert (entry.kind, entry.points) == ("absent_without_leave", -2)
    assert StatusChange.objects.filter(object_id=briefing.pk, note__contains="误点签到").exists()


def test_closing_attendance_records_leave_and_absence_with_points(
    briefing, member, other_member, staff, office
):
    third = member_with_account(office=office, name="李明", mobile="13700000003")
    with time_machine.travel(BEFORE):
        services.activity_invite(activity=briefing, actor=staff, members=[third])
        inv = services.invitation_reply(
            activity=briefing,
            member=other_member,
            actor=other_member.user,
            attending=False,
            reason="住院",
        )
        services.leave_decide(invitation=inv, actor=staff, approve=True)
    with time_machine.travel(DURING):
        services.attendance_record(invitation=_invitation(briefing, member), actor=staff)
    with time_machine.travel(AFTER):
        services.attendance_close(activity=briefing, actor=staff)

    briefing.refresh_from_db()
    assert briefing.status == A.HELD
    states = dict(briefing.invitations.values_list("member__name", "attendance"))
    assert states == {"唐朝阳": Att.ATTENDED, "黄德军": Att.LEAVE_APPROVED, "李明": Att.ABSENT}
    points = dict(PointEntry.objects.values_list("member__name", "points"))
    assert points == {"唐朝阳": 5, "李明": -2}
    assert StatusChange.objects.filter(
        object_id=briefing.pk, to_status=A.HELD, note__contains="出席 1 人"
    ).exists()


def test_closing_waits_for_pending_leave_requests(briefing, member, staff):
    with time_machine.travel(BEFORE):
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=False, reason="出差"
        )
    with time_machine.travel(AFTER), pytest.raises(WorkflowError, match="未审批"):
        services.attendance_close(activity=briefing, actor=staff)
    assert Activity.objects.get(pk=briefing.pk).status == A.PUBLISHED


def test_refused_leave_then_absent_costs_the_absence_points(briefing, member, staff):
    with time_machine.travel(BEFORE):
        inv = services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=False, reason="有事"
        )
        services.leave_decide(invitation=inv, actor=staff, approve=False, note="请安排参加")
    with time_machine.travel(AFTER):
        services.attendance_close(activity=briefing, actor=staff)
    assert _invitation(briefing, member).attendance == Att.LEAVE_REFUSED
    assert PointEntry.objects.get(member=member).points == -2


def test_member_opinion_becomes_a_proposal_draft_linked_to_the_activity(briefing, member, staff):
    with time_machine.travel(AFTER):
        opinion = services.opinion_submit(
            activity=briefing,
            member=member,
            actor=member.user,
            title="校园周边交通",
            content="八一路小学上下学时段拥堵严重，建议增设护学岗。",
        )
        services.opinion_to_proposal(
            opinion=opinion,
            actor=staff,
            title="关于缓解八一路小学周边交通拥堵的建议",
            category=ProposalCategory.objects.get(name="城市管理"),
        )

    opinion.refresh_from_db()
    proposal = opinion.proposal
    assert opinion.status == Opinion.Status.PROPOSAL
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.lead_member == member
    assert list(proposal.source_opinions.all()) == [opinion]
    assert StatusChange.objects.filter(
        object_id=proposal.pk, note__contains=briefing.title
    ).exists()
    assert Notification.objects.filter(
        recipient=member.user, kind="activity_opinion_proposal"
    ).exists()


def test_opinions_are_taken_from_the_start_until_the_collection_closes(briefing, member):
    with time_machine.travel(BEFORE), pytest.raises(WorkflowError, match="活动开始后"):
        services.opinion_submit(activity=briefing, member=member, actor=member.user, content="x")
    with time_machine.travel(shanghai(2026, 4, 10)), pytest.raises(WorkflowError, match="截止"):
        services.opinion_submit(activity=briefing, member=member, actor=member.user, content="x")
    assert not Opinion.objects.exists()


def test_staff_record_a_leaders_opinion_without_a_member(briefing, staff):
    with time_machine.travel(DURING):
        opinion = services.opinion_record(
            activity=briefing, actor=staff, content="建议加快老旧小区改造。"
        )
    assert opinion.member is None
    with pytest.raises(WorkflowError, match="没有提出委员"):
        services.opinion_to_proposal(
            opinion=opinion, actor=staff, title="t", category=ProposalCategory.objects.first()
        )


def test_cancelling_a_published_activity_tells_the_invitees(briefing, staff, member):
    with time_machine.travel(BEFORE + datetime.timedelta(days=2)):
        services.activity_cancel(activity=briefing, actor=staff, reason="与区人代会时间冲突")
        deliver_pending()
    assert any("【活动取消】" in m.subject for m in mail.outbox if member.email in m.to)
    with time_machine.travel(BEFORE + datetime.timedelta(days=2)), pytest.raises(WorkflowError):
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=True
        )


def test_opinion_becomes_a_concern_assigned_to_a_street_department(briefing, member, staff, office):
    from tests.factories import HandlingUnitFactory
    from visits.models import Concern

    unit = HandlingUnitFactory(office=office, name="城管科")
    with time_machine.travel(AFTER):
        opinion = services.opinion_submit(
            activity=briefing,
            member=member,
            actor=member.user,
            content="韭菜园路人行道破损，雨天积水。",
        )
        services.opinion_to_concern(
            opinion=opinion, actor=staff, title="韭菜园路人行道破损", unit=unit
        )

    opinion.refresh_from_db()
    concern = opinion.concern
    assert opinion.status == Opinion.Status.CONCERN
    assert (concern.source, concern.member, concern.unit) == (Concern.Source.BRIEFING, member, unit)
    assert concern.status == Concern.Status.ASSIGNED
    assert briefing.title in concern.source_label
    assert list(concern.source_opinions.all()) == [opinion]
    with pytest.raises(WorkflowError):
        services.opinion_to_concern(opinion=opinion, actor=staff, title="again")
    assert Concern.objects.count() == 1


def test_a_leaders_remark_becomes_an_unassigned_concern_of_the_office(briefing, staff, office):
    with time_machine.travel(DURING):
        opinion = services.opinion_record(
            activity=briefing, actor=staff, content="建议加快背街小巷提质改造。"
        )
        services.opinion_to_concern(opinion=opinion, actor=staff)
    concern = Opinion.objects.get(pk=opinion.pk).concern
    assert concern.member is None
    assert concern.office == office
    assert concern.title == "建议加快背街小巷提质改造。"


def test_rescheduling_a_published_activity_tells_the_invitees_once(briefing, staff, member):
    with time_machine.travel(BEFORE + datetime.timedelta(days=1)):
        services.activity_reschedule(
            activity=briefing,
            actor=staff,
            starts_at=shanghai(2026, 3, 27, 9, 0),
            ends_at=shanghai(2026, 3, 27, 11, 0),
            venue="街道办事处一楼会议室",
            reason="领导另有安排",
        )
        deliver_pending()
    changed = [m for m in mail.outbox if member.email in m.to and "时间变更" in m.subject]
    assert len(changed) == 1
    assert "2026年3月27日（星期五）09:00" in changed[0].body
    assert "街道办事处一楼会议室" in changed[0].body
    assert StatusChange.objects.filter(
        object_id=briefing.pk, note__contains="领导另有安排"
    ).exists()


def test_rescheduling_into_the_past_or_after_the_start_is_refused(briefing, staff):
    with time_machine.travel(BEFORE), pytest.raises(WorkflowError, match="晚于现在"):
        services.activity_reschedule(
            activity=briefing,
            actor=staff,
            starts_at=shanghai(2026, 3, 1, 9),
            ends_at=shanghai(2026, 3, 1, 11),
            venue="会议室",
        )
    with time_machine.travel(DURING), pytest.raises(WorkflowError, match="已开始"):
        services.activity_reschedule(
            activity=briefing,
            actor=staff,
            starts_at=shanghai(2026, 3, 27, 9),
            ends_at=shanghai(2026, 3, 27, 11),
            venue="会议室",
        )
    assert Activity.objects.get(pk=briefing.pk).starts_at == shanghai(2026, 3, 20, 14, 30)
