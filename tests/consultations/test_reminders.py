"""The consultation reminders through the outbox, on the working-day calendar: the
request when it opens, N working days before the deadline to those who have not
answered, a last call on the day, and the close the day after."""

import datetime

import pytest
import time_machine

from consultations import services
from consultations.models import Consultation
from consultations.reminders import consultation_reminders_queue
from liaison.models import Notification, StatusChange
from liaison.workdays import is_working_day

from .helpers import consultation_open, values_for

pytestmark = [pytest.mark.django_db]
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
PORTAL = Notification.Channel.PORTAL


def _at(day: datetime.date, hour=9):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _sweep(day, hour=9):
    """The sweep's counts: consultations closed, outbox rows queued (a member with an
    account who takes deadlines by SMS gets two: the portal's and the text message)."""
    with time_machine.travel(_at(day, hour), tick=False):
        return consultation_reminders_queue()


def _kinds(user):
    return list(
        Notification.objects.filter(recipient=user, channel=PORTAL)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_reminders_go_to_those_who_have_not_answered(staff, office, member, other_member):
    # Monday 1 June 2026; deadline Friday 12 June; remind 2 working days before.
    with time_machine.travel(_at(datetime.date(2026, 6, 1)), tick=False):
        consultation = consultation_open(
            staff=staff, office=office, deadline=datetime.date(2026, 6, 12)
        )
        services.answer_submit(
            consultation=consultation,
            member=other_member,
            actor=other_member.user,
            values=values_for(consultation),
        )
    assert _sweep(datetime.date(2026, 6, 9))["reminders"] == 0  # three working days left
    assert _sweep(datetime.date(2026, 6, 10))["reminders"] == 2
    assert _sweep(datetime.date(2026, 6, 10), hour=15)["reminders"] == 0  # once only
    assert _sweep(datetime.date(2026, 6, 11))["reminders"] == 0
    assert _sweep(datetime.date(2026, 6, 12))["last_calls"] == 2
    assert _kinds(member.user) == [
        "consultation_request",
        "consultation_reminder",
        "consultation_last_call",
    ]
    assert _kinds(other_member.user) == ["consultation_request"]
    reminder = Notification.objects.get(
        recipient=member.user, kind="consultation_reminder", channel=PORTAL
    )
    assert reminder.body.startswith("尊敬的唐朝阳委员：")
    assert "2026年6月12日（星期五）" in reminder.body
    last = Notification.objects.get(
        recipient=member.user, kind="consultation_last_call", channel=PORTAL
    )
    sms = Notification.objects.get(
        recipient=member.user, kind="consultation_last_call", channel=Notification.Channel.SMS
    )
    assert sms.body.startswith("【") and "】尊敬的唐朝阳委员，" in sms.body
    assert len(sms.body) <= 70 and "今天截止" in sms.body
    assert "征求意见今天截止" in last.body
    assert "请于2026年6月12日（星期五）前在委员服务平台提交" in last.body

    assert _sweep(datetime.date(2026, 6, 13))["closed"] == 1
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CLOSED
    assert StatusChange.objects.filter(note="截止日期已过，自动截止").exists()


def test_the_reminder_counts_working_days_over_the_holiday(staff, office, member):
    """National Day 2026: 1–7 October are holidays. Two working days before Friday
    9 October is Wednesday 30 September, not 7 October."""
    assert not is_working_day(datetime.date(2026, 10, 5))
    with time_machine.travel(_at(datetime.date(2026, 9, 21)), tick=False):
        consultation_open(staff=staff, office=office, deadline=datetime.date(2026, 10, 9))
    assert _sweep(datetime.date(2026, 9, 29))["reminders"] == 0
    assert _sweep(datetime.date(2026, 9, 30))["reminders"] == 2


def test_the_number_of_working_days_is_set_per_consultation(staff, office, member):
    with time_machine.travel(_at(datetime.date(2026, 6, 1)), tick=False):
        consultation_open(
            staff=staff,
            office=office,
            deadline=datetime.date(2026, 6, 12),
            reminder_working_days=5,
        )
    assert _sweep(datetime.date(2026, 6, 4))["reminders"] == 0  # six working days left
    assert _sweep(datetime.date(2026, 6, 5))["reminders"] == 2


def test_a_moved_deadline_earns_its_own_reminders(staff, office, member):
    with time_machine.travel(_at(datetime.date(2026, 6, 1)), tick=False):
        consultation = consultation_open(
            staff=staff, office=office, deadline=datetime.date(2026, 6, 12)
        )
    assert _sweep(datetime.date(2026, 6, 12))["last_calls"] == 2
    Consultation.objects.filter(pk=consultation.pk).update(deadline=datetime.date(2026, 6, 19))
    assert _sweep(datetime.date(2026, 6, 19))["last_calls"] == 2
