"""Activity reminders: each on its occasion, at most once however often the sweep runs."""

import datetime

import pytest
import time_machine
from django.core import mail

from briefings import services
from briefings.models import ActivityConfig, Invitation
from briefings.reminders import briefing_reminders_queue
from briefings.tasks import briefing_reminders
from liaison.outbox import deliver_pending
from tests.factories import activity_published, activity_scheduled, member_with_account, shanghai

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]


@pytest.fixture
def briefing(office, staff, member, other_member):
    """Published on 2 March for 20 March 14:30; ``member`` attends, ``other_member`` has
    not replied, a third member asked for leave."""
    third = member_with_account(
        office=office, name="李明", email="liming@example.cn", mobile="13700000003"
    )
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        activity = activity_published(
            office=office, actor=staff, members=[member, other_member, third]
        )
        services.invitation_reply(
            activity=activity, member=member, actor=member.user, attending=True
        )
        services.invitation_reply(
            activity=activity, member=third, actor=third.user, attending=False, reason="出差"
        )
    deliver_pending()
    mail.outbox.clear()
    return activity


def _sweep(moment):
    with time_machine.travel(moment):
        briefing_reminders_queue()
        briefing_reminders_queue()  # again: nothing new
        deliver_pending()


def _subjects(address):
    return [m.subject for m in mail.outbox if address in m.to]


def test_three_days_and_one_day_before_to_the_unreplied_and_the_attending(
    briefing, member, other_member
):
    _sweep(shanghai(2026, 3, 16, 9))  # four days before: nothing yet
    assert mail.outbox == []

    _sweep(shanghai(2026, 3, 17, 9))
    _sweep(shanghai(2026, 3, 17, 15))
    assert _subjects(other_member.email) == ["【请回复】“2026年上半年政情通报会”将于3天后举行"]
    assert _subjects(member.email) == ["【活动提醒】“2026年上半年政情通报会”将于3天后举行"]
    assert _subjects("liming@example.cn") == []  # on leave: not reminded

    _sweep(shanghai(2026, 3, 19, 9))
    assert len(_subjects(other_member.email)) == 2
    assert _subjects(member.email)[-1] == "【活动提醒】“2026年上半年政情通报会”将于明天举行"
    _sweep(shanghai(2026, 3, 20, 9))  # the day itself: the 1-day reminder went already
    assert len(_subjects(member.email)) == 2


def test_no_reminder_right_after_the_invitation(office, staff, member):
    with time_machine.travel(shanghai(2026, 3, 18, 9)):
        activity_published(office=office, actor=staff, members=[member])
    deliver_pending()
    mail.outbox.clear()
    _sweep(shanghai(2026, 3, 18, 16))
    assert mail.outbox == []
    _sweep(shanghai(2026, 3, 19, 9))
    assert _subjects(member.email) == ["【请回复】“2026年上半年政情通报会”将于明天举行"]


def test_a_rescheduled_activity_is_reminded_again_for_its_new_date(briefing, member):
    _sweep(shanghai(2026, 3, 19, 9))
    briefing.starts_at = shanghai(2026, 3, 27, 14, 30)
    briefing.ends_at = shanghai(2026, 3, 27, 16, 30)
    briefing.save()
    _sweep(shanghai(2026, 3, 26, 9))
    assert len(_subjects(member.email)) == 2


def test_opinions_requested_once_from_those_who_came(briefing, member, other_member, staff):
    with time_machine.travel(shanghai(2026, 3, 20, 14, 40)):
        services.attendance_record(
            invitation=Invitation.objects.get(activity=briefing, member=member), actor=staff
        )
    mail.outbox.clear()
    _sweep(shanghai(2026, 3, 20, 16, 0))  # not over yet
    assert not any("征集意见" in s for s in _subjects(member.email))
    _sweep(shanghai(2026, 3, 20, 17, 0))
    _sweep(shanghai(2026, 3, 23, 9, 0))
    assert [s for s in _subjects(member.email) if "征集意见" in s] == [
        "【征集意见】欢迎对“2026年上半年政情通报会”提出意见建议"
    ]
    assert not any("征集意见" in s for s in _subjects(other_member.email))


def test_staff_reminded_on_the_next_working_day_if_attendance_is_not_recorded(
    briefing, staff, office
):
    # 20 March 2026 is a Friday: the next working day is Monday 23 March.
    _sweep(shanghai(2026, 3, 21, 10))
    assert not any("考勤未登记" in s for s in _subjects(staff.email))
    _sweep(shanghai(2026, 3, 23, 9))
    _sweep(shanghai(2026, 3, 24, 9))
    assert [s for s in _subjects(staff.email) if "考勤未登记" in s] == [
        "【考勤未登记】“2026年上半年政情通报会”的出勤尚未登记完成"
    ]


def test_no_attendance_reminder_once_attendance_is_closed(briefing, staff, member, office):
    third = Invitation.objects.get(activity=briefing, member__name="李明")
    with time_machine.travel(shanghai(2026, 3, 20, 17)):
        services.leave_decide(invitation=third, actor=staff, approve=True)
        services.attendance_close(activity=briefing, actor=staff)
    mail.outbox.clear()
    _sweep(shanghai(2026, 3, 23, 9))
    assert not any("考勤未登记" in s for s in _subjects(staff.email))


def test_staff_reminded_once_when_a_half_year_has_no_briefing_by_the_configured_date(office, staff):
    config = ActivityConfig(office=office, first_half_month=3, first_half_day=31)
    config.full_clean()
    config.save()
    _sweep(shanghai(2026, 3, 30, 9))
    assert _subjects(staff.email) == []
    _sweep(shanghai(2026, 3, 31, 9))
    _sweep(shanghai(2026, 4, 15, 9))
    assert _subjects(staff.email) == [
        "【通报会提醒】韭菜园街道政协联络处2026年上半年尚未安排政情通报会"
    ]


def test_no_half_year_reminder_when_a_briefing_is_on_the_calendar(office, staff):
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        activity_scheduled(office=office, actor=staff, starts_at=shanghai(2026, 6, 10, 9))
    _sweep(shanghai(2026, 5, 5, 9))
    assert not any("通报会提醒" in s for s in _subjects(staff.email))


def test_the_task_sweeps_and_delivers(briefing, other_member):
    with time_machine.travel(shanghai(2026, 3, 17, 9)):
        result = briefing_reminders.apply().get()
        again = briefing_reminders.apply().get()
    assert result["before"] == 4  # two members, e-mail and portal each
    assert again["before"] == 0
    assert len(_subjects(other_member.email)) == 1


def test_the_half_year_date_must_fall_in_its_half(office):
    from django.core.exceptions import ValidationError

    config = ActivityConfig(office=office, first_half_month=8, first_half_day=1)
    with pytest.raises(ValidationError):
        config.full_clean()
    config = ActivityConfig(office=office, second_half_month=11, second_half_day=31)
    with pytest.raises(ValidationError):
        config.full_clean()
    assert ActivityConfig(office=office).schedule_deadline(2026, 2) == datetime.date(2026, 10, 31)
