"""Duties a member reports in the portal, approved or returned by staff in the admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members.models import Contribution, DutyClaim, DutyYear, PointEntry
from members.points import points_total

from .test_points_admin import PNG

pytestmark = pytest.mark.django_db


def _report(client, **data):
    form = {
        "kind": "inspection",
        "title": "随区人大代表视察背街小巷整治",
        "occurred_on": "2026-10-12",
        "description": "参加视察并提出三条整改建议。",
        "evidence": SimpleUploadedFile("现场.png", PNG, "image/png"),
        **data,
    }
    return client.post(reverse("portal:duty_claim_create"), form)


def _member_client(member):
    client = Client()
    client.force_login(member.user)
    return client


def _step(client, claim, name, **data):
    return client.post(reverse("admin:members_dutyclaim_step", args=[claim.pk, name]), data)


def test_member_reports_an_inspection_with_a_photo_and_staff_approve_it(staff_client, member):
    mine = _member_client(member)
    assert _report(mine).status_code == 302
    claim = DutyClaim.objects.get(member=member)
    assert "待审核" in mine.get(reverse("portal:duty_claims")).content.decode()
    assert mine.get(claim.evidence.url).status_code == 200  # their own file

    assert _step(staff_client, claim, "approve", note="").status_code == 302
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.APPROVED
    assert points_total(member=member, year=2026) == 5  # 参加调研视察
    assert "已认定" in mine.get(reverse("portal:duty_claims")).content.decode()
    # Approving twice is not offered and awards nothing more.
    _step(staff_client, claim, "approve", note="")
    assert PointEntry.objects.filter(member=member).count() == 1


def test_an_approved_contribution_becomes_the_members_contribution_and_earns_points(
    staff_client, member
):
    _report(
        _member_client(member),
        kind="contribution",
        title="引进科技企业落户韭菜园",
        contribution_kind="enterprise",
        amount="500000",
    )
    claim = DutyClaim.objects.get()
    _step(staff_client, claim, "approve", note="")
    contribution = Contribution.objects.get(member=member)
    assert (contribution.kind, contribution.year, contribution.title) == (
        "enterprise",
        2026,
        "引进科技企业落户韭菜园",
    )
    entry = PointEntry.objects.get(member=member)
    assert (entry.kind, entry.points, entry.source_id) == ("contribution", 5, contribution.pk)


def test_staff_return_a_claim_with_a_reason_and_the_member_sees_it(staff_client, member):
    mine = _member_client(member)
    _report(mine)
    claim = DutyClaim.objects.get()
    _step(staff_client, claim, "return", reason="")
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED  # no reason, nothing changed
    _step(staff_client, claim, "return", reason="请补充视察通知或活动照片")
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.RETURNED
    assert (
        "退回原因：请补充视察通知或活动照片"
        in mine.get(reverse("portal:duty_claims")).content.decode()
    )
    assert not PointEntry.objects.exists()


def test_a_claim_for_a_closed_year_or_with_false_evidence_is_refused(office, member):
    mine = _member_client(member)
    DutyYear.objects.create(office=office, year=2025, status=DutyYear.Status.CLOSED)
    page = _report(mine, occurred_on="2025-10-12").content.decode()
    assert "2025年度履职考核已结束" in page
    fake = SimpleUploadedFile("现场.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")
    page = _report(mine, evidence=fake).content.decode()
    assert "内容与扩展名不符" in page
    assert not DutyClaim.objects.exists()


def test_staff_of_another_office_cannot_approve(client, other_staff, member):
    _report(_member_client(member))
    claim = DutyClaim.objects.get()
    client.force_login(other_staff)
    assert _step(client, claim, "approve", note="").status_code in (403, 404)
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.SUBMITTED
    assert not PointEntry.objects.exists()


def test_the_member_is_told_when_a_claim_is_approved_or_returned(staff_client, member):
    from liaison.models import Notification

    mine = _member_client(member)
    _report(mine)
    _report(mine, title="参加社区义诊")
    first, second = DutyClaim.objects.order_by("pk")
    _step(staff_client, first, "approve", note="")
    _step(staff_client, second, "return", reason="照片未能反映活动现场")

    approved = Notification.objects.get(kind="duty_claim_approved", channel="portal")
    assert approved.recipient == member.user
    assert "随区人大代表视察背街小巷整治" in approved.subject
    assert approved.link == reverse("portal:duty_record")
    returned = Notification.objects.get(kind="duty_claim_returned", channel="portal")
    assert "退回原因：照片未能反映活动现场" in returned.body
    assert returned.link == reverse("portal:duty_claims")
    # A decision is told once: approving again queues nothing more.
    _step(staff_client, first, "approve", note="")
    assert Notification.objects.filter(kind="duty_claim_approved", channel="portal").count() == 1
