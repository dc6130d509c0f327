"""The rules table and the ledger in the admin: a rule change applies from its date and
leaves earlier years alone; staff add entries by hand with evidence and revoke them with
a reason; every entry says where it came from."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import DutyYear, PointEntry, PointRule
from members.points import points_award, points_total
from reports import duty
from tests.factories import ContributionFactory, MemberFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _rule(kind="speech"):
    return PointRule.objects.get(kind=kind, valid_to=None)


def _change(client, rule, **data):
    form = {
        "points": rule.points,
        "unit": rule.unit,
        "yearly_cap": rule.yearly_cap or "",
        "is_active": "on",
        "valid_from": "2026-07-01",
        **data,
    }
    return client.post(reverse("admin:members_pointrule_change", args=[rule.pk]), form)


def test_a_rule_change_applies_from_its_date_and_last_years_totals_stay(
    client, district_staff, member
):
    points_award(member=member, kind="speech", occurred_on=datetime.date(2025, 5, 1))
    points_award(member=member, kind="speech", occurred_on=datetime.date(2026, 3, 1))
    client.force_login(district_staff)
    response = _change(client, _rule(), points=8)
    assert response.status_code == 302, response.content.decode()[:2000]

    old, new = PointRule.objects.filter(kind="speech").order_by("valid_from")
    assert (old.points, old.valid_to) == (5, datetime.date(2026, 6, 30))
    assert (new.points, new.valid_from) == (8, datetime.date(2026, 7, 1))
    # Before the date: the old rule; from it: the new one. Nothing written is rewritten.
    points_award(member=member, kind="speech", occurred_on=datetime.date(2026, 6, 1))
    points_award(member=member, kind="speech", occurred_on=datetime.date(2026, 9, 1))
    assert points_total(member=member, year=2025) == 5
    assert points_total(member=member, year=2026) == 5 + 5 + 8
    # Last year's record shows last year's rule.
    standing = duty.standing_for(member, [2025])
    row = next(r for r in duty.rule_rows(standing, [2025]) if r["label"] == "大会发言")
    assert row["rule"].points == 5
    assert old.history.first().valid_to == datetime.date(2026, 6, 30)  # on its history


def test_a_rule_change_that_would_put_entries_over_the_new_cap_is_refused(
    client, district_staff, member
):
    for month in (8, 9, 10):
        points_award(member=member, kind="speech", occurred_on=datetime.date(2026, month, 1))
    client.force_login(district_staff)
    response = _change(client, _rule(), yearly_cap=10)
    assert response.status_code == 200
    assert "超过新的年度上限 10 分" in response.content.decode()
    assert PointRule.objects.filter(kind="speech").count() == 1


def test_office_staff_read_the_rules_but_do_not_change_them(staff_client):
    rule = _rule()
    assert staff_client.get(reverse("admin:members_pointrule_changelist")).status_code == 200
    _change(staff_client, rule, points=50)
    assert _rule().points == 5


def _manual(client, member, **data):
    form = {
        "member": member.pk,
        "kind": "research",
        "points": 5,
        "occurred_on": "2026-10-12",
        "description": "与区人大代表联合视察背街小巷整治",
        **data,
    }
    return client.post(reverse("admin:members_pointentry_add"), form)


def test_staff_add_an_entry_by_hand_with_evidence_and_it_says_so(staff_client, staff, member):
    photo = SimpleUploadedFile("视察.png", PNG, "image/png")
    response = _manual(staff_client, member, evidence=photo)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = PointEntry.objects.get(member=member)
    assert (entry.points, entry.created_by, entry.source_type) == (5, staff, None)
    assert entry.evidence.name.endswith(".png")
    listing = staff_client.get(reverse("admin:members_pointentry_changelist")).content.decode()
    assert "手工记录" in listing
    # The evidence is served to the office's staff only.
    assert staff_client.get(entry.evidence.url).status_code == 200


def test_evidence_that_is_not_what_its_extension_says_is_refused(staff_client, member):
    fake = SimpleUploadedFile("视察.png", b"MZ\x90\x00 not a picture", "image/png")
    response = _manual(staff_client, member, evidence=fake)
    assert "内容与扩展名不符" in response.content.decode()
    assert not PointEntry.objects.exists()


def test_a_manual_entry_over_the_cap_or_in_a_closed_year_is_refused(staff_client, office, member):
    response = _manual(staff_client, member, points=25)
    assert "本次最多还能记 20 分" in response.content.decode()
    DutyYear.objects.create(office=office, year=2025, status=DutyYear.Status.CLOSED)
    response = _manual(staff_client, member, occurred_on="2025-10-12")
    assert "2025年度履职考核已结束" in response.content.decode()
    assert not PointEntry.objects.exists()


def test_staff_cannot_add_points_to_another_offices_member(staff_client, other_office):
    stranger = MemberFactory(office=other_office)
    response = _manual(staff_client, stranger)
    assert response.status_code == 200
    assert not PointEntry.objects.exists()


def test_staff_revoke_an_entry_with_a_reason_and_it_stops_counting(staff_client, member):
    source = ContributionFactory(member=member)
    entry = points_award(
        member=member, kind="contribution", occurred_on=datetime.date(2026, 4, 1), source=source
    )
    page = staff_client.get(reverse("admin:members_pointentry_change", args=[entry.pk]))
    assert "委员贡献 #" in page.content.decode()  # the source, linked
    url = reverse("admin:members_pointentry_revoke", args=[entry.pk])
    staff_client.post(url, {"reason": ""})
    assert points_total(member=member, year=2026) == 5
    assert staff_client.post(url, {"reason": "重复登记"}).status_code == 302
    entry.refresh_from_db()
    assert entry.is_revoked and entry.revoke_reason == "重复登记"
    assert points_total(member=member, year=2026) == 0
    assert duty.standing_for(member, [2026]).points == 0
    # Awarding the same source again does not bring it back.
    assert (
        points_award(
            member=member, kind="contribution", occurred_on=datetime.date(2026, 4, 1), source=source
        )
        is None
    )
    from django.test import Client

    member_client = Client()
    member_client.force_login(member.user)
    page = member_client.get(reverse("portal:duty_record") + "?year=2026").content.decode()
    assert "已撤销：重复登记" in page


def _entries(member, n):
    PointEntry.objects.bulk_create(
        PointEntry(
            member=member,
            kind="speech",
            year=2026,
            points=1,
            occurred_on=datetime.date(2026, 3, 1) + datetime.timedelta(days=i % 200),
            description=f"第{i}次发言",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("params", [{}, {"q": "王"}, {"year": "2026"}])
def test_the_ledger_list_costs_the_same_with_ten_times_the_entries(staff_client, office, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wang = MemberFactory(office=office, name="王芳")
    url = reverse("admin:members_pointentry_changelist")
    _entries(wang, 6)
    staff_client.get(url, params)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        small = staff_client.get(url, params)
    _entries(wang, 60)
    with CaptureQueriesContext(connection) as many:
        large = staff_client.get(url, params)

    assert len(small.context["cl"].result_list) == 6
    cl = large.context["cl"]
    assert len(cl.result_list) == min(66, cl.list_per_page)
    assert len(many.captured_queries) == len(few.captured_queries)
