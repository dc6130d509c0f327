"""Reminders through the outbox: unit due dates, weekly overdue digests, the member's
confirmation, coverage gaps on the configured dates and pending life-event visits —
each at most once per occasion however often the sweep runs."""

import datetime

import pytest
import time_machine
from django.core import mail

from liaison.models import Notification
from liaison.outbox import deliver_pending
from tests.factories import HandlingUnitFactory, MemberFactory
from visits import services
from visits.models import Concern, LifeEvent, Visit, VisitConfig
from visits.reminders import (
    confirm_reminders_queue,
    coverage_reminders_queue,
    due_reminders_queue,
    overdue_digests_queue,
    pending_visit_reminders_queue,
    visit_reminders_queue,
)
from visits.tasks import visit_reminders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day, hour=9):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    )


@pytest.fixture
def cgk(office):
    return HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")


@pytest.fixture
def assigned(staff, member, cgk):
    """Assigned on Monday 2 March 2026: due 23 March (15 working days)."""
    with at(datetime.date(2026, 3, 2)):
        concern = services.concern_create(
            actor=staff,
            office=member.office,
            member=member,
            title="占道经营",
            content="菜市场门口占道经营。",
            source=Concern.Source.VISIT,
        )
        services.concern_assign(concern=concern, actor=staff, unit=cgk)
        deliver_pending()
    mail.outbox.clear()
    concern.refresh_from_db()
    assert concern.due_date == datetime.date(2026, 3, 23)
    return concern


def _run(queue, day, times=2):
    with at(day):
        for _ in range(times):
            queue(day)
        deliver_pending()


def test_unit_reminded_before_the_due_date_and_on_the_day_once_each(assigned):
    for day in (datetime.date(2026, 3, 17), datetime.date(2026, 3, 18), datetime.date(2026, 3, 19)):
        _run(due_reminders_queue, day)
    _run(due_reminders_queue, datetime.date(2026, 3, 23))
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "【办理提醒】“占道经营”将于3月23日到期",
        "【今日到期】“占道经营”今天到期",
    ]
    assert all(m.to == ["cgk@example.cn"] for m in mail.outbox)
    assert "/units/concerns/" in mail.outbox[0].body


def test_due_soon_days_are_configurable(assigned, office):
    VisitConfig.objects.filter(office=office).update(due_soon_working_days=5)
    _run(due_reminders_queue, datetime.date(2026, 3, 16))  # five working days before
    assert len(mail.outbox) == 1


def test_no_due_reminder_once_the_unit_has_reported(assigned):
    services.concern_report_result(concern=assigned, resolved=True, result="已清理。")
    mail.outbox.clear()
    _run(due_reminders_queue, datetime.date(2026, 3, 23))
    assert mail.outbox == []


def test_weekly_overdue_digest_to_unit_and_staff_once_a_week(assigned, staff):
    monday = datetime.date(2026, 3, 30)
    _run(overdue_digests_queue, monday)
    _run(overdue_digests_queue, monday + datetime.timedelta(days=1))  # same ISO week
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(["cgk@example.cn", staff.email])
    unit_mail = next(m for m in mail.outbox if m.to == ["cgk@example.cn"])
    assert "已逾期5个工作日" in unit_mail.body
    assert Notification.objects.filter(recipient=staff, channel="portal").count() == 1
    _run(overdue_digests_queue, monday + datetime.timedelta(days=7))
    assert len(mail.outbox) == 4  # next week's digests


def test_sweep_sends_overdue_digests_only_on_mondays(assigned):
    _run(visit_reminders_queue, datetime.date(2026, 3, 31))  # a Tuesday
    assert not any("逾期" in m.subject for m in mail.outbox)
    _run(visit_reminders_queue, datetime.date(2026, 4, 6))  # a Monday
    assert any("逾期" in m.subject for m in mail.outbox)


def test_member_told_when_the_result_is_fed_back_and_reminded_once_to_confirm(
    assigned, staff, member
):
    with at(datetime.date(2026, 3, 20)):
        services.concern_report_result(concern=assigned, resolved=True, result="已清理。")
        services.concern_feed_back(concern=assigned, actor=staff)
        deliver_pending()
    to_member = [m for m in mail.outbox if m.to == [member.email]]
    assert [m.subject for m in to_member] == ["【办理结果】您反映的“占道经营”有了办理结果"]
    assert Notification.objects.filter(
        recipient=member.user, channel="portal", kind="visits_concern_fed_back"
    ).exists()
    mail.outbox.clear()
    _run(confirm_reminders_queue, datetime.date(2026, 4, 2))  # 9 working days: not yet
    assert mail.outbox == []
    _run(confirm_reminders_queue, datetime.date(2026, 4, 3))  # 10 working days
    _run(confirm_reminders_queue, datetime.date(2026, 4, 8))
    assert [m.subject for m in mail.outbox] == ["【请确认办理结果】“占道经营”"]


def test_no_confirmation_reminder_after_the_member_confirmed(assigned, staff, member):
    with at(datetime.date(2026, 3, 20)):
        services.concern_report_result(concern=assigned, resolved=True, result="已清理。")
        services.concern_feed_back(concern=assigned, actor=staff)
        services.concern_confirm(concern=assigned, actor=member.user, satisfied=True)
        deliver_pending()
    mail.outbox.clear()
    _run(confirm_reminders_queue, datetime.date(2026, 4, 20))
    assert mail.outbox == []


def test_coverage_reminder_on_the_configured_date_names_who_still_needs_a_visit(
    staff, member, other_member, office
):
    VisitConfig.objects.create(office=office, coverage_reminder_dates="05-15,11-15")
    services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.ROUTINE,
        visited_on=datetime.date(2026, 2, 3),
        members=[member],
    )
    _run(coverage_reminders_queue, datetime.date(2026, 5, 14))
    assert mail.outbox == []
    _run(coverage_reminders_queue, datetime.date(2026, 5, 15))
    _run(coverage_reminders_queue, datetime.date(2026, 5, 16))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.email]
    assert "2026年上半年还有1位委员尚未走访" in message.subject
    assert (
        other_member.name in message.body
        and member.name not in message.body.split("尚未走访的委员")[1]
    )


def test_missed_coverage_date_is_made_up_within_a_week(staff, member, office):
    _run(coverage_reminders_queue, datetime.date(2026, 5, 20))  # default 05-15, five days late
    assert len(mail.outbox) == 1
    _run(coverage_reminders_queue, datetime.date(2026, 5, 23))
    assert len(mail.outbox) == 1


def test_no_coverage_reminder_when_everyone_was_visited(staff, member, other_member, office):
    VisitConfig.objects.create(office=office, visits_per_year=1)
    services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.FESTIVAL,
        visited_on=datetime.date(2026, 2, 3),
        members=[member, other_member],
    )
    _run(coverage_reminders_queue, datetime.date(2026, 5, 15))
    assert mail.outbox == []


def test_staff_reminded_once_when_a_life_event_visit_falls_due(staff, member):
    with at(datetime.date(2026, 3, 2)):
        event = services.life_event_record(
            actor=member.user,
            member=member,
            kind=LifeEvent.Kind.HOSPITALISED,
            occurred_on=datetime.date(2026, 3, 2),
        )
        deliver_pending()
    assert [m.subject for m in mail.outbox] == [
        f"【走访提醒】{member.name}委员正在住院治疗，请于3月5日前走访"
    ]
    mail.outbox.clear()
    _run(pending_visit_reminders_queue, datetime.date(2026, 3, 4))
    assert mail.outbox == []
    _run(pending_visit_reminders_queue, datetime.date(2026, 3, 5))
    _run(pending_visit_reminders_queue, datetime.date(2026, 3, 6))
    assert len(mail.outbox) == 1 and "前到医院探望" in mail.outbox[0].subject
    with at(datetime.date(2026, 3, 6)):
        services.visit_complete(
            visit=event.visit, actor=staff, visited_on=datetime.date(2026, 3, 6)
        )
    event.visit.due_date = datetime.date(2026, 3, 7)
    _run(pending_visit_reminders_queue, datetime.date(2026, 3, 9))
    assert len(mail.outbox) == 1


def test_unit_without_an_email_is_kept_as_skipped_for_staff_to_see(staff, member, office):
    no_mail = HandlingUnitFactory(office=office, name="社区", email="", kind="community")
    concern = services.concern_create(
        actor=staff,
        office=office,
        member=member,
        title="t",
        content="c",
        source="staff",
    )
    services.concern_assign(concern=concern, actor=staff, unit=no_mail)
    row = Notification.objects.get(kind="visits_concern_assigned")
    assert row.status == Notification.Status.SKIPPED


def test_the_task_replays_a_given_day_and_delivers(assigned):
    visit_reminders.apply(kwargs={"day": "2026-03-23"})
    visit_reminders.apply(kwargs={"day": "2026-03-23"})
    assert [m.subject for m in mail.outbox] == ["【今日到期】“占道经营”今天到期"]


def test_member_without_account_or_email_is_not_an_error(staff, office, cgk):
    plain = MemberFactory(office=office, name="无联系方式", mobile="13799990000", email="")
    concern = services.concern_create(
        actor=staff,
        office=office,
        member=plain,
        title="t",
        content="c",
        source="staff",
    )
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    services.concern_report_result(concern=concern, resolved=True, result="r")
    services.concern_feed_back(concern=concern, actor=staff)
    assert Concern.objects.get().status == Concern.Status.FED_BACK
