"""Signing in: the QR code members scan with their phones, and the staff's tablet page.
A code is signed, valid only around its activity, for invited members only, and
scanning twice is harmless; a bad code changes nothing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from briefings import services
from briefings.models import ActivityConfig, Invitation
from briefings.signin import sign_in_token, sign_in_url
from liaison.workflow import WorkflowError
from members.models import PointEntry
from tests.factories import activity_published, member_with_account, shanghai

pytestmark = pytest.mark.django_db

Att = Invitation.Attendance
BEFORE = shanghai(2026, 3, 2, 9)
DURING = shanghai(2026, 3, 20, 14, 40)  # the briefing runs 14:30–16:30


@pytest.fixture
def briefing(office, staff, member, other_member):
    with time_machine.travel(BEFORE):
        return activity_published(office=office, actor=staff, members=[member, other_member])


def _scan_url(activity, token=None):
    return reverse("portal:activity_sign_in", args=[activity.pk, token or sign_in_token(activity)])


def _attendance(activity, member):
    return Invitation.objects.get(activity=activity, member=member).attendance


def test_member_scans_the_code_confirms_and_is_marked_attended(briefing, member, member_client):
    url = _scan_url(briefing)
    assert sign_in_url(briefing).endswith(url)
    with time_machine.travel(DURING):
        page = member_client.get(url)
        assert "确认签到" in page.text
        assert _attendance(briefing, member) == ""  # looking is not signing in

        response = member_client.post(url)

    assert "签到成功" in response.text
    invitation = Invitation.objects.get(activity=briefing, member=member)
    assert invitation.attendance == Att.ATTENDED
    assert invitation.attendance_method == Invitation.Method.QR
    assert PointEntry.objects.get(member=member).kind == "activity_attended"


def test_scanning_twice_is_harmless(briefing, member, member_client):
    url = _scan_url(briefing)
    with time_machine.travel(DURING):
        member_client.post(url)
        first = Invitation.objects.get(activity=briefing, member=member).attendance_at
    with time_machine.travel(DURING + datetime.timedelta(minutes=5)):
        response = member_client.post(url)

    assert "您已签到，无需重复签到" in response.text
    assert Invitation.objects.get(activity=briefing, member=member).attendance_at == first
    assert PointEntry.objects.filter(member=member).count() == 1


def test_signing_in_with_an_expired_code_is_refused_and_changes_nothing(
    briefing, member, member_client
):
    url = _scan_url(briefing)
    with time_machine.travel(shanghai(2026, 3, 20, 18, 0)):  # the window closed at 17:30
        page = member_client.get(url)
        response = member_client.post(url)

    assert "签到二维码已过期" in page.text
    assert "签到二维码已过期" in response.text
    assert "确认签到" not in response.text
    assert _attendance(briefing, member) == ""
    assert not PointEntry.objects.exists()


def test_a_code_opens_an_hour_before_the_start_by_default(briefing, member, member_client):
    url = _scan_url(briefing)
    with time_machine.travel(shanghai(2026, 3, 20, 13, 0)):
        response = member_client.post(url)
    assert "签到尚未开始" in response.text
    assert _attendance(briefing, member) == ""

    config = ActivityConfig.for_office(briefing.office)
    config.sign_in_opens_minutes = 120
    config.save()
    with time_machine.travel(shanghai(2026, 3, 20, 13, 0)):
        member_client.post(url)
    assert _attendance(briefing, member) == Att.ATTENDED


def test_another_activitys_code_is_refused(briefing, member, member_client, office, staff):
    with time_machine.travel(BEFORE):
        other = activity_published(
            office=office,
            actor=staff,
            members=[member],
            kind="学习",
            title="学习会",
            starts_at=shanghai(2026, 3, 20, 14, 0),
        )
    with time_machine.travel(DURING):
        response = member_client.post(_scan_url(briefing, token=sign_in_token(other)))

    assert "其他活动的签到二维码" in response.text
    assert _attendance(briefing, member) == ""
    assert _attendance(other, member) == ""


def test_a_code_printed_before_the_activity_moved_is_refused(briefing, member, member_client):
    old_url = _scan_url(briefing)
    briefing.starts_at = shanghai(2026, 3, 20, 15, 0)
    briefing.ends_at = shanghai(2026, 3, 20, 17, 0)
    briefing.save()
    with time_machine.travel(DURING):
        response = member_client.post(old_url)
        assert "活动时间已调整" in response.text
        member_client.post(_scan_url(briefing))
    assert _attendance(briefing, member) == Att.ATTENDED


def test_a_tampered_code_is_refused(briefing, member, member_client):
    token = sign_in_token(briefing)
    with time_machine.travel(DURING):
        response = member_client.post(_scan_url(briefing, token=token[:-2] + "xx"))
    assert "二维码无效" in response.text
    assert _attendance(briefing, member) == ""


def test_only_invited_members_can_sign_in(briefing, office, client):
    outsider = member_with_account(office=office, name="周强", mobile="13700000009")
    client.force_login(outsider.user)
    with time_machine.travel(DURING):
        page = client.get(_scan_url(briefing))
        response = client.post(_scan_url(briefing))

    assert "不在本次活动的邀请名单" in page.text
    assert "不在本次活动的邀请名单" in response.text
    assert not Invitation.objects.filter(member=outsider).exists()


def test_scanning_while_signed_out_asks_to_sign_in_and_comes_back(briefing, client):
    url = _scan_url(briefing)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))
    assert "next=" in response.url


def test_staff_project_the_code_as_an_svg_image(briefing, staff_client):
    with time_machine.travel(DURING):
        response = staff_client.get(reverse("admin:briefings_activity_qr", args=[briefing.pk]))
    assert response.status_code == 200
    assert "<svg" in response.text
    assert "style=" not in response.text  # the content security policy forbids it
    assert sign_in_url(briefing) in response.text
    assert "已签到 0 / 2 人" in response.text


def test_staff_tick_attendance_on_the_tablet_page(briefing, staff_client, member):
    url = reverse("admin:briefings_activity_sign_in", args=[briefing.pk])
    invitation = Invitation.objects.get(activity=briefing, member=member)
    with time_machine.travel(DURING):
        page = staff_client.get(url)
        assert "唐朝阳" in page.text and "签到" in page.text
        response = staff_client.post(url, {"invitation": invitation.pk}, follow=True)
        assert "唐朝阳 已签到" in response.text
        again = staff_client.post(url, {"invitation": invitation.pk}, follow=True)

    assert "不能重复登记" in again.text
    invitation.refresh_from_db()
    assert invitation.attendance == Att.ATTENDED
    assert invitation.attendance_method == Invitation.Method.STAFF
    assert PointEntry.objects.filter(member=member).count() == 1


def test_tablet_page_finds_a_member_by_name(briefing, staff_client):
    url = reverse("admin:briefings_activity_sign_in", args=[briefing.pk])
    with time_machine.travel(DURING):
        response = staff_client.get(url, {"q": "黄"})
    names = [i.member.name for i in response.context["invitations"]]
    assert names == ["黄德军"]


def test_staff_of_another_office_cannot_open_the_sign_in_pages(briefing, client, other_staff):
    client.force_login(other_staff)
    for name in ("sign_in", "qr", "minutes"):
        url = reverse(f"admin:briefings_activity_{name}", args=[briefing.pk])
        assert client.get(url).status_code == 404
    invitation = briefing.invitations.first()
    client.post(
        reverse("admin:briefings_activity_sign_in", args=[briefing.pk]),
        {"invitation": invitation.pk},
    )
    assert Invitation.objects.get(pk=invitation.pk).attendance == ""


def test_qr_sign_in_and_tablet_tick_agree(briefing, member, member_client, staff):
    with time_machine.travel(DURING):
        member_client.post(_scan_url(briefing))
        invitation = Invitation.objects.get(activity=briefing, member=member)
        with pytest.raises(WorkflowError, match="不能重复登记"):
            services.attendance_record(invitation=invitation, actor=staff)
