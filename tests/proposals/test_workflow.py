"""The proposal workflow from draft to closure, as DOMAIN.md describes it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db.models import F

from liaison.models import Notification, StatusChange
from liaison.outbox import deliver_pending
from liaison.workflow import WorkflowError
from members.models import PointEntry
from proposals import services
from proposals.models import Assignment, Feedback, OpinionReport, Proposal, ProposalCosigner, Reply
from tests.factories import HandlingUnitFactory, MemberFactory, proposal_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]
P = Proposal.Status


@pytest.fixture
def units(office):
    lead = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
    co = HandlingUnitFactory(office=office, name="食安办", email="sab@example.cn")
    return lead, co


def _registered(member, staff, **kwargs):
    proposal = proposal_draft(member=member, **kwargs)
    services.proposal_submit(proposal=proposal, actor=member.user)
    return services.proposal_register(proposal=proposal, actor=staff)


def test_joint_proposal_needs_cosigner_confirmation_before_submission(member, other_member):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    assert proposal.proposer_kind == Proposal.ProposerKind.JOINT
    with pytest.raises(WorkflowError, match="附议人未确认"):
        services.proposal_submit(proposal=proposal, actor=member.user)
    invitation = proposal.cosigners.get()
    services.cosign_respond(cosigner=invitation, member=other_member, accept=True)
    services.proposal_submit(proposal=proposal, actor=member.user)
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


def test_only_the_invited_member_can_confirm_a_cosignature(member, other_member, office):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    stranger = MemberFactory(office=office)
    with pytest.raises(WorkflowError, match="本人"):
        services.cosign_respond(cosigner=proposal.cosigners.get(), member=stranger, accept=True)
    assert proposal.cosigners.get().status == ProposalCosigner.Status.INVITED


def test_cosigner_from_another_office_is_refused_unless_allowed(member, other_office):
    outsider = MemberFactory(office=other_office)
    with pytest.raises(WorkflowError, match="不属于本联络处"):
        proposal_draft(member=member, cosigners=[outsider])
    assert not Proposal.objects.exists()  # nothing written


def test_registration_numbers_are_yearly_and_sequential(member, staff):
    first = _registered(member, staff)
    second = _registered(member, staff, title="关于老旧小区加装电梯的建议")
    assert (first.number, second.number) == (f"{first.year}-001", f"{first.year}-002")


def test_registration_awards_points_to_lead_and_confirmed_cosigners(member, other_member, staff):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    services.cosign_respond(cosigner=proposal.cosigners.get(), member=other_member, accept=True)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    points = dict(PointEntry.objects.values_list("member_id", "points"))
    assert points == {member.pk: 15, other_member.pk: 3}


def test_illegal_move_is_refused_with_a_readable_message_and_changes_nothing(member, staff):
    proposal = proposal_draft(member=member)
    with pytest.raises(WorkflowError, match="当前状态为“草稿”，不能变更为“已立案”"):
        services.proposal_register(proposal=proposal, actor=staff)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.number) == (P.DRAFT, "")
    assert StatusChange.objects.filter(to_status=P.REGISTERED).count() == 0


def test_stale_page_cannot_overwrite_another_staff_members_move(member, staff):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    with pytest.raises(WorkflowError):
        services.proposal_return(proposal=proposal, actor=staff, reason="内容重复")
    assert Proposal.objects.get(pk=proposal.pk).status == P.REGISTERED


def test_returned_proposal_can_be_revised_and_resubmitted(member, staff):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_return(proposal=proposal, actor=staff, reason="请补充调研数据")
    services.proposal_update_draft(proposal=proposal, actor=member.user, reasons="补充了数据")
    services.proposal_submit(proposal=proposal, actor=member.user)
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


def test_not_registered_can_be_converted_to_an_opinion_report_keeping_the_text(member, staff):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_reject(
        proposal=proposal, actor=staff, ground="outside_scope", note="属社情民意", convert=True
    )
    report = OpinionReport.objects.get(source_proposal=proposal)
    assert (report.title, report.situation, report.member) == (
        proposal.title,
        proposal.reasons,
        member,
    )


def test_merge_keeps_the_proposers_of_both(member, other_member, staff, office):
    target = _registered(member, staff)
    merged = proposal_draft(member=other_member, title="同题提案")
    services.proposal_submit(proposal=merged, actor=other_member.user)
    services.proposal_merge(proposal=merged, into=target, actor=staff)
    assert Proposal.objects.get(pk=merged.pk).merged_into == target
    assert target.cosigners.filter(member=other_member, via_merge=True).exists()


def test_proposer_may_withdraw_before_registration_only(member, staff):
    proposal = _registered(member, staff)
    with pytest.raises(WorkflowError):
        services.proposal_withdraw(proposal=proposal, actor=member.user)


def test_due_date_defaults_to_three_months_and_cannot_exceed_six(member, staff, units):
    lead, co = units
    proposal = _registered(member, staff)
    with time_machine.travel(datetime.date(2026, 3, 31)):
        with pytest.raises(WorkflowError, match="最长为 6 个月"):
            services.proposal_assign(
                proposal=proposal,
                actor=staff,
                lead_unit=lead,
                due_date=datetime.date(2026, 10, 1),
            )
        services.proposal_assign(proposal=proposal, actor=staff, lead_unit=lead, co_units=[co])
    proposal.refresh_from_db()
    assert proposal.due_date == datetime.date(2026, 6, 30)
    with pytest.raises(WorkflowError, match="最长为交办后 6 个月"):
        services.proposal_extend(
            proposal=proposal, actor=staff, due_date=datetime.date(2026, 10, 1), reason="需协调"
        )
    services.proposal_extend(
        proposal=proposal, actor=staff, due_date=datetime.date(2026, 9, 30), reason="需区级协调"
    )
    assert Proposal.objects.get(pk=proposal.pk).due_date == datetime.date(2026, 9, 30)


def test_unit_of_another_office_cannot_be_assigned(member, staff, other_office):
    proposal = _registered(member, staff)
    foreign = HandlingUnitFactory(office=other_office)
    with pytest.raises(WorkflowError, match="其他联络处"):
        services.proposal_assign(proposal=proposal, actor=staff, lead_unit=foreign)
    assert Proposal.objects.get(pk=proposal.pk).status == P.REGISTERED


def test_return_request_only_within_five_working_days(member, staff, units):
    lead, _ = units
    proposal = _registered(member, staff)
    with time_machine.travel(datetime.date(2026, 9, 28)):
        services.proposal_assign(proposal=proposal, actor=staff, lead_unit=lead)
    assignment = proposal.assignments.get()
    # 28 Sep + National Day: 29, 30 Sep, 8, 9, 10 (make-up Saturday) Oct are the five.
    with (
        time_machine.travel(datetime.date(2026, 10, 12)),
        pytest.raises(WorkflowError, match="5 个工作日"),
    ):
        services.assignment_request_return(assignment=assignment, reason="不属本单位职责")
    with time_machine.travel(datetime.date(2026, 10, 10)):
        services.assignment_request_return(assignment=assignment, reason="不属本单位职责")
    assert Assignment.objects.get(pk=assignment.pk).return_state == "requested"


def test_accepted_return_of_lead_unit_reassigns(member, staff, units, office):
    lead, co = units
    proposal = _registered(member, staff)
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=lead)
    wrong = proposal.assignments.get()
    services.assignment_request_return(assignment=wrong, reason="应由食安办办理")
    with pytest.raises(WorkflowError, match="新的主办单位"):
        services.assignment_decide_return(assignment=wrong, actor=staff, accept=True)
    services.assignment_decide_return(assignment=wrong, actor=staff, accept=True, new_unit=co)
    active = proposal.assignments.get(is_active=True)
    assert (active.unit, active.role) == (co, Assignment.Role.LEAD)
    assert Proposal.objects.get(pk=proposal.pk).status == P.ASSIGNED


def test_full_cycle_with_rehandling_then_closure(member, other_member, staff, units):
    """DOMAIN.md: reply B, 不满意, re-handling, second reply, 满意, closed."""
    lead, co = units
    proposal = proposal_draft(member=member, cosigners=[other_member])
    services.cosign_respond(cosigner=proposal.cosigners.get(), member=other_member, accept=True)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=lead, co_units=[co])
    lead_assignment = proposal.assignments.get(role="lead")
    co_assignment = proposal.assignments.get(role="co")

    services.assignment_acknowledge(assignment=lead_assignment, actor_label="城管科")
    services.assignment_give_opinion(assignment=co_assignment, opinion="建议联合执法")
    services.reply_record(
        assignment=lead_assignment, grade="B", content="已列入明年计划", contact_method="phone"
    )
    proposal.refresh_from_db()
    assert proposal.status == P.REPLIED and proposal.feedback_due_date is not None

    with pytest.raises(WorkflowError, match="第一提案人"):
        services.feedback_give(proposal=proposal, actor=other_member.user, verdict="satisfied")
    services.feedback_give(
        proposal=proposal, actor=member.user, verdict="dissatisfied", comments="没有具体时间表"
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.handling_round) == (P.REHANDLING, 2)

    services.reply_record(
        assignment=lead_assignment, grade="A", content="已建立联合巡查机制", contact_method="visit"
    )
    services.feedback_give(proposal=proposal, actor=member.user, verdict="satisfied")
    proposal.refresh_from_db()
    assert proposal.status == P.CLOSED
    assert list(Reply.objects.filter(proposal=proposal).values_list("round", "grade")) == [
        (1, "B"),
        (2, "A"),
    ]
    assert list(Feedback.objects.values_list("verdict", flat=True)) == ["dissatisfied", "satisfied"]
    moves = list(
        StatusChange.objects.filter(object_id=proposal.pk, content_type__model="proposal")
        .exclude(from_status=F("to_status"))
        .values_list("to_status", flat=True)
    )
    assert moves == [
        P.DRAFT,
        P.SUBMITTED,
        P.REGISTERED,
        P.ASSIGNED,
        P.ACKNOWLEDGED,
        P.REPLIED,
        P.REHANDLING,
        P.REPLIED,
        P.CLOSED,
    ]


def test_second_dissatisfaction_closes_when_rounds_are_used_up(member, staff, units):
    lead, _ = units
    proposal = _registered(member, staff)
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=lead)
    assignment = proposal.assignments.get()
    for _round in range(2):
        services.reply_record(
            assignment=assignment, grade="C", content="留作参考", contact_method="written"
        )
        services.feedback_give(
            proposal=proposal, actor=member.user, verdict="dissatisfied", comments="仍未解决"
        )
    assert Proposal.objects.get(pk=proposal.pk).status == P.CLOSED


def test_every_message_of_the_cycle_is_delivered_once(member, other_member, staff, units):
    lead, co = units
    proposal = proposal_draft(member=member, cosigners=[other_member])
    services.cosign_respond(cosigner=proposal.cosigners.get(), member=other_member, accept=True)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=lead, co_units=[co])
    deliver_pending()
    deliver_pending()  # a second sweep sends nothing again
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted(
        [
            other_member.email,  # co-signer invitation
            member.email,  # registered
            lead.email,  # assignment with link
            co.email,
        ]
    )
    unit_mail = next(m for m in mail.outbox if lead.email in m.to)
    assert "/units/proposals/" in unit_mail.body
    assert Notification.objects.filter(status="pending").count() == 0
