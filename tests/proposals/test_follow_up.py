"""Issue 20, item 5: a reply graded B (列入计划) opens a follow-up with the unit's planned
date; the unit reports progress and completion through its signed link; reminders before
and after the planned date; staff close it (and may regrade to A); the proposal pages,
the compendium and an office list show it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from liaison.outbox import deliver_pending
from liaison.unit_links import unit_link_token
from liaison.workflow import WorkflowError
from proposals import services
from proposals.models import FollowUp, FollowUpReport, Proposal, Reply
from proposals.reminders import proposal_reminders_queue
from reports.documents import compendium_proposals
from tests.factories import HandlingUnitFactory, proposal_draft

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0), tick=True):
        yield


@pytest.fixture
def assigned(member, staff, office):
    proposal = proposal_draft(member=member, title="关于背街小巷停车难的建议")
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    unit = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=unit)
    return Proposal.objects.get(pk=proposal.pk)


def _url(assignment):
    return reverse("proposals:unit_assignment", args=[unit_link_token(assignment)])


def _reply_b(client, assignment, **extra):
    return client.post(
        _url(assignment),
        {
            "action": "reply",
            "grade": "B",
            "content": "已列入明年道路微改造计划，拟施划停车泊位。",
            "contact_method": "visit",
            "replied_on": TODAY.isoformat(),
            **extra,
        },
    )


@pytest.fixture
def followed(client, assigned):
    assignment = assigned.assignments.get()
    response = _reply_b(client, assignment, planned_on="2026-09-30")
    assert response.status_code == 302
    return FollowUp.objects.get()


def test_b_reply_through_the_link_opens_a_follow_up_until_the_planned_date(followed, assigned):
    assert followed.planned_on == datetime.date(2026, 9, 30)
    assert followed.status == FollowUp.Status.OPEN
    assert followed.reply.assignment.unit.name == "城管科"


def test_b_reply_without_a_planned_date_is_refused_and_nothing_is_saved(client, assigned):
    response = _reply_b(client, assigned.assignments.get())
    assert response.status_code == 200
    assert "B类答复请填写计划完成日期" in response.content.decode()
    assert not Reply.objects.exists() and not FollowUp.objects.exists()


def test_a_and_c_replies_open_no_follow_up(assigned):
    services.reply_record(
        assignment=assigned.assignments.get(),
        grade="A",
        content="已解决",
        contact_method="phone",
        planned_on=datetime.date(2026, 9, 30),
    )
    assert not FollowUp.objects.exists()


def test_unit_reports_progress_then_completion_through_the_same_link(
    client, followed, assigned, staff
):
    assignment = assigned.assignments.get()
    page = client.get(_url(assignment)).content.decode()
    assert 'data-testid="unit-follow-up"' in page and "2026年9月30日" in page
    client.post(
        _url(assignment),
        {
            "action": "follow_up_progress",
            "content": "已完成设计，6月施工。",
            "reported_on": "2026-03-10",
        },
    )
    followed.refresh_from_db()
    assert followed.status == FollowUp.Status.OPEN and followed.reports.count() == 1
    deliver_pending()
    mail.outbox.clear()
    response = client.post(
        _url(assignment),
        {"action": "follow_up_complete", "content": "新增泊位40个。", "reported_on": "2026-03-10"},
    )
    assert response.status_code == 302
    followed.refresh_from_db()
    assert followed.status == FollowUp.Status.REPORTED
    assert followed.completed_on == TODAY
    deliver_pending()
    assert any("落实完成" in m.subject and staff.email in m.to for m in mail.outbox)
    # Nothing more to report: the buttons are gone and a stale POST is refused.
    response = client.post(
        _url(assignment),
        {"action": "follow_up_progress", "content": "再报一次", "reported_on": "2026-03-10"},
        follow=True,
    )
    assert "已报告完成，等待联络处核实办结" in response.content.decode()
    assert followed.reports.count() == 2


@pytest.mark.parametrize("bad", ["expired", "tampered", "other_unit"])
def test_report_through_an_expired_or_wrong_link_changes_nothing(
    client, followed, assigned, office, bad
):
    assignment = assigned.assignments.get()
    if bad == "expired":
        with time_machine.travel(datetime.datetime(2025, 6, 1)):
            token = unit_link_token(assignment)
        expected = "链接已过期"
    elif bad == "tampered":
        token = unit_link_token(assignment)[:-3] + "AAA"
        expected = "链接无效"
    else:
        # The proposal was handed to another unit: the old unit's link stops working.
        assignment.unit = HandlingUnitFactory(office=office, name="社区")
        token = unit_link_token(assignment)
        assignment.refresh_from_db()
        expected = "改由其他单位办理"
    response = client.post(
        reverse("proposals:unit_assignment", args=[token]),
        {"action": "follow_up_complete", "content": "已完成", "reported_on": "2026-03-10"},
    )
    assert response.status_code == 403
    assert expected in response.content.decode()
    assert not FollowUpReport.objects.exists()
    assert FollowUp.objects.get().status == FollowUp.Status.OPEN


def test_empty_report_gets_its_message(client, followed, assigned):
    response = client.post(
        _url(assigned.assignments.get()),
        {"action": "follow_up_complete", "content": "", "reported_on": "2026-03-10"},
    )
    assert "请填写落实情况" in response.content.decode()
    assert FollowUp.objects.get().status == FollowUp.Status.OPEN


def test_staff_close_and_regrade_to_a_through_the_actions_table(staff_client, followed, assigned):
    page = staff_client.get(
        reverse("admin:proposals_proposal_change", args=[assigned.pk])
    ).content.decode()
    assert "B类答复落实办结" in page and "B类答复跟踪落实" in page
    step = reverse("admin:proposals_proposal_step", args=[assigned.pk, "follow_up_close"])
    response = staff_client.post(
        step, {"follow_up": followed.pk, "regrade": "on", "note": "现场核实，泊位已施划。"}
    )
    assert response.status_code == 302
    followed.refresh_from_db()
    assert followed.status == FollowUp.Status.CLOSED and followed.regraded
    assert Reply.objects.get().grade == Reply.Grade.A
    assert Reply.objects.get().history.filter(grade="B").exists()  # the B is kept
    with pytest.raises(WorkflowError, match="已办结"):
        services.follow_up_close(follow_up=followed, actor=None)
    page = staff_client.get(
        reverse("admin:proposals_proposal_change", args=[assigned.pk])
    ).content.decode()
    assert step not in page  # nothing left to close


def test_reminders_before_and_after_the_planned_date(followed, assigned):
    deliver_pending()
    mail.outbox.clear()

    def sweep(day):
        with time_machine.travel(day):
            proposal_reminders_queue(day)
            proposal_reminders_queue(day)
            deliver_pending()
        return [m.subject for m in mail.outbox if "cgk@example.cn" in m.to]

    assert sweep(datetime.date(2026, 9, 1)) == []
    assert len(sweep(datetime.date(2026, 9, 24))) == 1  # within 7 working days
    assert "应于9月30日完成" in sweep(datetime.date(2026, 9, 25))[0]
    assert len(sweep(datetime.date(2026, 10, 9))) == 2  # after: once that week
    assert len(sweep(datetime.date(2026, 10, 10))) == 2
    assert "落实逾期" in sweep(datetime.date(2026, 10, 12))[-1]  # and the next week
    services.follow_up_close(follow_up=followed, actor=None)
    before = len(sweep(datetime.date(2026, 10, 19)))
    assert before == 3


def test_member_page_compendium_and_office_list_show_the_follow_up(
    client, member, staff, followed, assigned, other_staff
):
    services.follow_up_report(follow_up=followed, kind="progress", content="已完成设计。")
    client.force_login(member.user)
    page = client.get(reverse("portal:proposal_detail", args=[assigned.pk])).content.decode()
    assert 'data-testid="follow-up"' in page and "已完成设计" in page
    proposal = compendium_proposals(assigned.office, assigned.year).get()
    assert proposal.replies.all()[0].follow_up.reports.all()[0].content == "已完成设计。"
    client.force_login(staff)
    listing = client.get(reverse("admin:proposals_followup_changelist")).content.decode()
    assert "城管科" in listing and assigned.title in listing
    client.force_login(other_staff)
    listing = client.get(reverse("admin:proposals_followup_changelist")).content.decode()
    assert assigned.title not in listing


def test_the_follow_up_list_is_searched_by_title_number_and_serial(
    client, staff, followed, assigned
):
    client.force_login(staff)
    url = reverse("admin:proposals_followup_changelist")

    def found(q):
        return [f.pk for f in client.get(url, {"q": q, "state": "all"}).context["cl"].result_list]

    number = assigned.number  # e.g. 2026-001
    assert found("停车") == found("小巷 停") == found(number) == [followed.pk]
    assert found(str(assigned.serial)) == found(number[:6]) == [followed.pk]
    assert found("停车 学校") == found("9999") == found("快递") == []
