"""The issue's "done when", tried as a new user would, through the pages: staff schedule
the first-half briefing, record the committee's answer to the request for instructions,
invite all members; a member asks for leave on the phone and staff approve it; another
scans the QR code at the meeting and is marked attended; she submits an opinion that
staff turn into a concern for a street department; the admin shows both half-years'
briefing status; reminders are delivered once each."""

from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from briefings.models import Activity, ActivityKind, Invitation, Opinion
from briefings.reminders import briefing_reminders_queue
from liaison.outbox import deliver_pending
from members.models import PointEntry
from tests.factories import HandlingUnitFactory, shanghai
from visits.models import Concern

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]

PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile"}


def _step(activity, name):
    return reverse("admin:briefings_activity_step", args=[activity.pk, name])


def _sweep_and_deliver(moment):
    with time_machine.travel(moment):
        briefing_reminders_queue()
        briefing_reminders_queue()
        deliver_pending()


def test_first_half_briefing_from_scheduling_to_a_concern(
    staff_client, staff, office, member, other_member
):
    unit = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
    leave_taker, attendee = member, other_member  # 唐朝阳 asks for leave; 黄德军 comes

    # Staff schedule the first-half briefing in the admin.
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        response = staff_client.post(
            reverse("admin:briefings_activity_add"),
            {
                "kind": ActivityKind.objects.get(name="政情通报会").pk,
                "title": "2026年上半年政情通报会",
                "topic": "通报街道一季度经济社会发展情况，听取委员意见建议",
                "starts_at_0": "2026-03-20",
                "starts_at_1": "14:30",
                "ends_at_0": "2026-03-20",
                "ends_at_1": "16:30",
                "venue": "韭菜园街道办事处三楼会议室",
                "leaders-TOTAL_FORMS": "1",
                "leaders-INITIAL_FORMS": "0",
                "leaders-0-position": "1",
                "leaders-0-name": "王建国",
                "leaders-0-title": "党工委书记",
                "leaders-0-unit": "韭菜园街道",
                "agenda-TOTAL_FORMS": "1",
                "agenda-INITIAL_FORMS": "0",
                "agenda-0-position": "1",
                "agenda-0-title": "通报街道一季度工作",
                "agenda-0-presenter": "王建国",
                "materials-TOTAL_FORMS": "0",
                "materials-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302
        briefing = Activity.objects.get()
        assert briefing.is_major

        # Request for instructions, and the committee's answer.
        staff_client.post(
            _step(briefing, "request_send"), {"sent_on": "2026-03-02", "recipient": "街道党工委"}
        )
    with time_machine.travel(shanghai(2026, 3, 4, 9)):
        staff_client.post(
            _step(briefing, "request_answer"),
            {"outcome": "approved", "answered_on": "2026-03-04", "answer": "同意召开"},
        )
        # Invite all serving members and publish.
        staff_client.post(_step(briefing, "invite"), {"mode": "all"})
        response = staff_client.post(_step(briefing, "publish"), {}, follow=True)
        assert "“发布并通知委员”已完成" in response.text
    briefing.refresh_from_db()
    assert briefing.status == Activity.Status.PUBLISHED
    assert briefing.invitations.count() == 2
    deliver_pending()

    # One member asks for leave on the phone; staff approve it.
    phone = Client(**PHONE)
    phone.force_login(leave_taker.user)
    with time_machine.travel(shanghai(2026, 3, 10, 20)):
        page = phone.get(reverse("portal:activity_detail", args=[briefing.pk]))
        assert "提交回复" in page.text
        response = phone.post(
            reverse("portal:activity_reply", args=[briefing.pk]),
            {"attending": "0", "reason": "在北京出差"},
            follow=True,
        )
        assert "请假申请已提交" in response.text
    leave = Invitation.objects.get(activity=briefing, member=leave_taker)
    with time_machine.travel(shanghai(2026, 3, 11, 9)):
        staff_client.post(
            _step(briefing, "decide_leave"), {"invitation": leave.pk, "approve": "1", "note": ""}
        )
    leave.refresh_from_db()
    assert leave.leave_status == Invitation.Leave.APPROVED

    # Reminders before the meeting (the attendee never replied).
    for day in (16, 17, 17, 18, 19, 19, 20):
        _sweep_and_deliver(shanghai(2026, 3, day, 9))

    # At the meeting the other member scans the projected QR code.
    with time_machine.travel(shanghai(2026, 3, 20, 14, 25)):
        projected = staff_client.get(reverse("admin:briefings_activity_qr", args=[briefing.pk]))
        assert "<svg" in projected.text
        scanned = projected.context["url"].split("127.0.0.1:8000", 1)[1]
        her_phone = Client(**PHONE)
        her_phone.force_login(attendee.user)
        assert "确认签到" in her_phone.get(scanned).text
        assert "签到成功" in her_phone.post(scanned).text
    attended = Invitation.objects.get(activity=briefing, member=attendee)
    assert attended.attendance == Invitation.Attendance.ATTENDED

    # She submits an opinion; staff turn it into a concern for the street department.
    with time_machine.travel(shanghai(2026, 3, 20, 16, 0)):
        her_phone.post(
            reverse("portal:activity_opinion", args=[briefing.pk]),
            {"title": "背街小巷路灯", "content": "韭菜园路背街小巷路灯损坏多处，夜间通行不安全。"},
        )
    opinion = Opinion.objects.get()
    with time_machine.travel(shanghai(2026, 3, 20, 17, 0)):
        response = staff_client.post(
            reverse("admin:briefings_opinion_step", args=[opinion.pk, "to_concern"]),
            {
                "title": "背街小巷路灯损坏",
                "content": opinion.content,
                "category": "",
                "unit": unit.pk,
            },
            follow=True,
        )
        assert "已完成" in response.text
        staff_client.post(_step(briefing, "close_attendance"), {"note": ""})
    concern = Concern.objects.get()
    assert (concern.member, concern.unit, concern.source) == (attendee, unit, "briefing")
    assert concern.status == Concern.Status.ASSIGNED
    assert Opinion.objects.get().concern == concern
    briefing.refresh_from_db()
    assert briefing.status == Activity.Status.HELD
    assert dict(briefing.invitations.values_list("member__name", "attendance")) == {
        leave_taker.name: "leave_approved",
        attendee.name: "attended",
    }
    assert list(PointEntry.objects.values_list("member__name", "points")) == [(attendee.name, 5)]

    # The admin shows both half-years' briefing status.
    with time_machine.travel(shanghai(2026, 3, 23, 9)):
        index = staff_client.get(reverse("admin:index")).text
    assert 'data-half="1" data-state="held"' in index
    assert 'data-half="2" data-state="missing"' in index

    # After the meeting: sweeps over the following days, then count what was delivered.
    for moment in (shanghai(2026, 3, 21, 9), shanghai(2026, 3, 23, 9), shanghai(2026, 3, 24, 9)):
        _sweep_and_deliver(moment)
    delivered = Counter((m.to[0], m.subject) for m in mail.outbox)
    assert all(n == 1 for n in delivered.values()), delivered
    subjects = {}
    for (to, subject), _n in delivered.items():
        subjects.setdefault(to, []).append(subject)
    assert sorted(subjects[leave_taker.email]) == sorted(
        [
            "【活动邀请】“2026年上半年政情通报会”（3月20日）",
            "【请假】“2026年上半年政情通报会”：已同意您的请假",
        ]
    )
    assert sorted(subjects[attendee.email]) == sorted(
        [
            "【活动邀请】“2026年上半年政情通报会”（3月20日）",
            "【请回复】“2026年上半年政情通报会”将于3天后举行",
            "【请回复】“2026年上半年政情通报会”将于明天举行",
            "【征集意见】欢迎对“2026年上半年政情通报会”提出意见建议",
        ]
    )
    assert any("申请不参加" in s for s in subjects[staff.email])
    assert not any("考勤未登记" in s for s in subjects[staff.email])  # closed in time
    assert "cgk@example.cn" in subjects  # the street department got the concern
