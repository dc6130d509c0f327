"""The working-day calendar over a year whose official schedule is not entered yet:
deadlines counted into it are marked provisional, the admin index warns, and entering
or changing days (in the admin, or from a newer chinese-calendar) moves the open
deadlines counted over them, with a timeline row and a message to those concerned."""

import datetime
import importlib

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from liaison.models import CalendarDay, Notification, StatusChange
from liaison.workdays import add_working_days
from tests.factories import HandlingUnitFactory, proposal_replied
from visits import services
from visits.models import Concern

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 9, tzinfo=SHANGHAI))


@pytest.fixture
def cgk(office):
    return HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")


def _assigned(staff, member, unit, title="路灯不亮", due_date=None):
    concern = services.concern_create(
        actor=staff,
        office=member.office,
        member=member,
        title=title,
        content="三号栋前路灯坏了一个月。",
        source=Concern.Source.STAFF,
    )
    return services.concern_assign(concern=concern, actor=staff, unit=unit, due_date=due_date)


def _notes(record):
    return list(
        StatusChange.objects.filter(
            object_id=record.pk, content_type__model=record._meta.model_name
        ).values_list("note", flat=True)
    )


def _add_day(client, date, name, working=False):
    data = {"date": date, "name": name}
    if working:
        data["is_working_day"] = "on"
    return client.post(reverse("admin:liaison_calendarday_add"), data)


def test_entering_2027_spring_festival_in_the_admin_moves_open_deadlines(
    client, district_staff, staff, member, cgk
):
    with at(2027, 1, 25):  # Monday; 2027's holidays are not entered yet
        concern = _assigned(staff, member, cgk)
        closed = _assigned(staff, member, cgk, title="井盖松动")
        closed.status = Concern.Status.CLOSED
        closed.save()
        proposal = proposal_replied(member=member, staff=staff, unit=cgk)
        # 15 working days counted Monday to Friday.
        assert concern.due_date == proposal.feedback_due_date == datetime.date(2027, 2, 15)

        client.force_login(district_staff)
        response = _add_day(client, "2027-02-08", "春节")

    assert response.status_code == 302
    concern.refresh_from_db()
    proposal.refresh_from_db()
    closed.refresh_from_db()
    assert concern.due_date == proposal.feedback_due_date == datetime.date(2027, 2, 16)
    assert closed.due_date == datetime.date(2027, 2, 15)  # closed: left alone
    assert "工作日历变更（2027年春节）：办理期限由 2027-02-15 改为 2027-02-16" in _notes(concern)
    assert "工作日历变更（2027年春节）：反馈期限由 2027-02-15 改为 2027-02-16" in _notes(proposal)
    told = Notification.objects.filter(kind="visits_concern_due_moved")
    assert {row.address or row.recipient for row in told} >= {"cgk@example.cn", member.user}
    unit_mail = told.get(address="cgk@example.cn")
    assert "由2027年2月15日（星期一）调整为2027年2月16日（星期二）" in unit_mail.body
    assert Notification.objects.filter(
        kind="proposal_feedback_due_moved", recipient=member.user
    ).exists()

    # Taking the day out again moves them back.
    with at(2027, 1, 26):
        day = CalendarDay.objects.get(date=datetime.date(2027, 2, 8))
        client.post(reverse("admin:liaison_calendarday_delete", args=[day.pk]), {"post": "yes"})
    concern.refresh_from_db()
    assert concern.due_date == datetime.date(2027, 2, 15)


def test_only_deadlines_whose_window_holds_the_day_move(client, district_staff, staff, member, cgk):
    with at(2027, 1, 25):
        concern = _assigned(staff, member, cgk)
        client.force_login(district_staff)
        _add_day(client, "2027-04-05", "清明节")  # after the deadline: never counted
    concern.refresh_from_db()
    assert concern.due_date == datetime.date(2027, 2, 15)
    assert not Notification.objects.filter(kind="visits_concern_due_moved").exists()


def test_a_date_staff_chose_is_not_recounted(client, district_staff, staff, member, cgk):
    with at(2027, 1, 25):
        concern = _assigned(staff, member, cgk, due_date=datetime.date(2027, 2, 15))
        client.force_login(district_staff)
        _add_day(client, "2027-02-08", "春节")
    concern.refresh_from_db()
    assert concern.due_date == datetime.date(2027, 2, 15)


def test_deadline_into_an_unentered_year_is_marked_provisional(client, staff, member, cgk):
    with at(2026, 12, 21):  # 15 working days reach 11 January 2027
        into_2027 = _assigned(staff, member, cgk)
    with at(2026, 11, 23):  # … and 14 December 2026
        within_2026 = _assigned(staff, member, cgk, title="井盖松动")
    with at(2026, 12, 22):
        client.force_login(member.user)
        provisional = client.get(reverse("portal:concern_detail", args=[into_2027.pk]))
        settled = client.get(reverse("portal:concern_detail", args=[within_2026.pk]))
        client.force_login(staff)
        changelist = client.get(reverse("admin:visits_concern_changelist")).content.decode()
        change = client.get(reverse("admin:visits_concern_change", args=[into_2027.pk]))

    assert "（暂定）" in provisional.content.decode()
    assert "2027年节假日安排尚未录入" in provisional.content.decode()
    assert "（暂定）" not in settled.content.decode()
    assert changelist.count("（暂定）") == 1
    assert "（暂定）" in change.content.decode()
    assignment_mail = Notification.objects.get(
        kind="visits_concern_assigned", address="cgk@example.cn", body__contains="1月11日"
    )
    assert "（暂定：2027年节假日安排尚未公布" in assignment_mail.body


def test_admin_index_warns_from_the_configured_day_until_next_year_is_entered(
    client, district_staff, staff, settings
):
    warning = "2027年节假日安排尚未录入"
    client.force_login(staff)
    with at(2026, 10, 31):
        assert warning not in client.get(reverse("admin:index")).content.decode()
    with at(2026, 11, 1):
        page = client.get(reverse("admin:index")).content.decode()
        assert warning in page
        assert "节假日安排由区政协工作人员录入" in page  # office staff cannot enter it
    settings.WORKDAYS_NEXT_YEAR_WARNING = "12-01"
    with at(2026, 11, 15):
        assert warning not in client.get(reverse("admin:index")).content.decode()

    client.force_login(district_staff)
    with at(2026, 12, 1):
        page = client.get(reverse("admin:index")).content.decode()
        assert reverse("admin:liaison_calendarday_add") in page
        _add_day(client, "2027-01-01", "元旦")
        assert warning not in client.get(reverse("admin:index")).content.decode()


def test_office_staff_cannot_change_the_calendar(client, staff):
    client.force_login(staff)
    day = CalendarDay.objects.get(date=datetime.date(2026, 10, 1))
    assert _add_day(client, "2027-01-01", "元旦").status_code == 403
    response = client.post(
        reverse("admin:liaison_calendarday_change", args=[day.pk]),
        {"date": "2026-10-01", "is_working_day": "on", "name": "国庆节"},
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    day.refresh_from_db()
    assert not day.is_working_day


def test_refresh_calendar_restores_the_package_days_and_moves_deadlines(staff, member, cgk, capsys):
    national_day = CalendarDay.objects.filter(date__range=("2026-10-01", "2026-10-08"))
    expected_holidays = national_day.count()
    national_day.delete()
    CalendarDay.objects.filter(date="2026-10-10").update(is_working_day=False)  # make-up day
    with at(2026, 9, 28):
        concern = _assigned(staff, member, cgk)
        plain = concern.due_date
        call_command("refresh_calendar")

    out = capsys.readouterr().out
    assert f"新增 {expected_holidays} 天，更正 1 天，重新计算的办理期限 1 项" in out
    assert CalendarDay.objects.get(date="2026-10-10").is_working_day
    concern.refresh_from_db()
    assert concern.due_date == add_working_days(datetime.date(2026, 9, 28), 15) != plain
    reason = "工作日历变更（2026年节假日数据更新，chinesecalendar "
    assert any(note.startswith(reason) for note in _notes(concern))

    call_command("refresh_calendar")  # nothing left to bring in
    assert "新增 0 天，更正 0 天" in capsys.readouterr().out


def test_deadlines_set_before_the_rule_was_recorded_get_it_from_the_migration(
    client, district_staff, staff, member, cgk
):
    from django.apps import apps

    visits_migration = importlib.import_module("visits.migrations.0008_working_day_deadline_rule")
    proposals_migration = importlib.import_module(
        "proposals.migrations.0005_working_day_deadline_rule"
    )
    with at(2027, 1, 25):
        counted = _assigned(staff, member, cgk)
        chosen = _assigned(staff, member, cgk, "井盖松动", due_date=datetime.date(2027, 2, 12))
        proposal = proposal_replied(member=member, staff=staff, unit=cgk)
    Concern.objects.update(due_working_days=None)  # as before this change
    type(proposal).objects.update(feedback_counted_from=None, feedback_working_days=None)

    visits_migration.record_due_date_rules(apps, None)
    proposals_migration.record_feedback_rules(apps, None)

    counted.refresh_from_db()
    chosen.refresh_from_db()
    proposal.refresh_from_db()
    assert counted.due_working_days == 15
    assert chosen.due_working_days is None
    assert proposal.feedback_counted_from == datetime.date(2027, 1, 25)
    assert proposal.feedback_working_days == 15
    with at(2027, 1, 26):
        client.force_login(district_staff)
        _add_day(client, "2027-02-08", "春节")
    counted.refresh_from_db()
    assert counted.due_date == datetime.date(2027, 2, 16)
