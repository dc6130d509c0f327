"""Proposal reminders: each on its occasion, at most once however often the sweep runs."""

import datetime

import pytest
import time_machine
from django.core import mail

from liaison.models import Notification
from liaison.outbox import deliver_pending
from proposals import services
from proposals.reminders import proposal_reminders_queue
from tests.factories import HandlingUnitFactory, proposal_draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]


@pytest.fixture
def assigned(member, staff, office):
    with time_machine.travel(datetime.date(2026, 3, 2)):
        proposal = proposal_draft(member=member)
        services.proposal_submit(proposal=proposal, actor=member.user)
        services.proposal_register(proposal=proposal, actor=staff)
        unit = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
        services.proposal_assign(proposal=proposal, actor=staff, lead_unit=unit)
    deliver_pending()
    mail.outbox.clear()
    proposal.refresh_from_db()
    assert proposal.due_date == datetime.date(2026, 6, 2)
    return proposal


def _sweep(day):
    with time_machine.travel(day):
        proposal_reminders_queue(day)
        proposal_reminders_queue(day)  # again: nothing new
        deliver_pending()


def _subjects_to(address):
    return [m.subject for m in mail.outbox if address in m.to]


def test_unit_reminded_seven_working_days_before_and_on_the_due_date(assigned):
    _sweep(datetime.date(2026, 5, 20))  # more than 7 working days before
    assert _subjects_to("cgk@example.cn") == []
    _sweep(datetime.date(2026, 5, 25))  # 6 working days before 2 June
    _sweep(datetime.date(2026, 5, 26))
    assert len(_subjects_to("cgk@example.cn")) == 1
    assert "将于6月2日到期" in _subjects_to("cgk@example.cn")[0]
    _sweep(datetime.date(2026, 6, 2))
    assert len(_subjects_to("cgk@example.cn")) == 2
    assert "今天到期" in _subjects_to("cgk@example.cn")[1]


def test_no_due_reminder_once_the_unit_has_replied(assigned):
    services.reply_record(
        assignment=assigned.assignments.get(),
        grade="A",
        content="已解决",
        contact_method="phone",
        replied_on=datetime.date(2026, 3, 10),
    )
    mail.outbox.clear()
    _sweep(datetime.date(2026, 6, 2))
    assert _subjects_to("cgk@example.cn") == []


def test_weekly_overdue_digest_to_unit_and_staff_once_a_week(assigned, staff):
    _sweep(datetime.date(2026, 6, 8))  # Monday after the due date
    _sweep(datetime.date(2026, 6, 8))
    assert len(_subjects_to("cgk@example.cn")) == 1
    assert len(_subjects_to(staff.email)) == 1
    assert "逾期" in _subjects_to(staff.email)[0]
    _sweep(datetime.date(2026, 6, 15))  # next Monday: a new digest
    assert len(_subjects_to("cgk@example.cn")) == 2


def test_feedback_reminder_after_ten_working_days_once(assigned, member):
    with time_machine.travel(datetime.date(2026, 4, 1)):
        services.reply_record(
            assignment=assigned.assignments.get(),
            grade="B",
            content="列入计划",
            contact_method="phone",
        )
    deliver_pending()
    mail.outbox.clear()
    _sweep(datetime.date(2026, 4, 14))  # 8 working days (Qingming 4–6 April)
    assert _subjects_to(member.email) == []
    _sweep(datetime.date(2026, 4, 16))
    _sweep(datetime.date(2026, 4, 17))
    assert len(_subjects_to(member.email)) == 1
    assert "请评价" in _subjects_to(member.email)[0]


def test_staff_review_digest_on_working_days(member, staff):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    _sweep(datetime.date(2026, 11, 28))  # Saturday
    assert not any("待审查" in s for s in _subjects_to(staff.email))
    _sweep(datetime.date(2026, 11, 30))
    assert any("待审查" in s for s in _subjects_to(staff.email))


def test_fourth_quarter_alert_when_behind_targets(staff, office):
    _sweep(datetime.date(2026, 9, 30))
    assert _subjects_to(staff.email) == []
    _sweep(datetime.date(2026, 10, 8))
    _sweep(datetime.date(2026, 10, 9))
    alerts = [s for s in _subjects_to(staff.email) if "年度目标" in s]
    assert len(alerts) == 1
    assert (
        Notification.objects.filter(kind="proposal_targets_behind", channel="portal").count() == 1
    )
