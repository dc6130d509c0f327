"""Research reports recorded in the admin: once submitted, the lead member and every
group member earn the 参加调研视察 points (5 each by default); a member taken out of the
group, a submission date removed, or the report deleted takes them back."""

import pytest
from django.urls import reverse

from members.models import PointEntry
from proposals.models import ResearchReport
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _form(office, lead, group, submitted_on=""):
    return {
        "office": office.pk,
        "year": 2026,
        "topic": "关于老旧小区适老化改造的调研",
        "lead_member": lead.pk,
        "group_members": [m.pk for m in group],
        "summary": "",
        "submitted_to": "街道党工委",
        "submitted_on": submitted_on,
        "adoptions-TOTAL_FORMS": "0",
        "adoptions-INITIAL_FORMS": "0",
    }


def _research_points():
    return dict(PointEntry.objects.filter(kind="research").values_list("member__name", "points"))


def test_research_points_follow_the_group_and_the_submission(
    staff_client, office, member, other_member
):
    third = MemberFactory(office=office, name="林晓", mobile="13900000077")
    add = staff_client.post(
        reverse("admin:proposals_researchreport_add"),
        _form(office, member, [member, other_member]),
    )
    assert add.status_code == 302, add.content.decode()
    report = ResearchReport.objects.get()
    assert _research_points() == {}  # not submitted yet

    change = reverse("admin:proposals_researchreport_change", args=[report.pk])
    staff_client.post(change, _form(office, member, [member, other_member, third], "2026-06-30"))
    assert _research_points() == {member.name: 5, other_member.name: 5, "林晓": 5}
    assert set(PointEntry.objects.values_list("year", flat=True)) == {2026}

    staff_client.post(change, _form(office, member, [member, third], "2026-06-30"))
    assert _research_points() == {member.name: 5, "林晓": 5}

    staff_client.post(change, _form(office, member, [member, third], "2025-12-30"))
    assert set(PointEntry.objects.values_list("year", flat=True)) == {2025}  # moved

    staff_client.post(change, _form(office, member, [member, third]))
    assert _research_points() == {}

    staff_client.post(change, _form(office, member, [member, third], "2026-06-30"))
    staff_client.post(
        reverse("admin:proposals_researchreport_delete", args=[report.pk]), {"post": "yes"}
    )
    assert not ResearchReport.objects.exists()
    assert _research_points() == {}
