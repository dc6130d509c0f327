"""Levels (issue 21): offices belong to a district, districts to a city. A district's
staff see and reach their district's offices only — another district's records are a 404
as another office's are to office staff; the city's staff see every district; the tables
every district shares are the city's to change; a one-district installation never shows
the level."""

import pytest
from django.urls import reverse

from liaison import roles
from liaison.models import City, District, HandlingUnit, Office
from liaison.scoping import visible_offices

from ..factories import (
    HandlingUnitFactory,
    MemberFactory,
    OfficeFactory,
    UserFactory,
    activity_scheduled,
    member_with_account,
    proposal_draft,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    """长沙市: 芙蓉区 with two offices, 天心区 with one."""
    city = City.objects.create(name="长沙市")
    furong = District.objects.create(name="芙蓉区", city=city)
    tianxin = District.objects.create(name="天心区", city=city)
    return {
        "furong": furong,
        "tianxin": tianxin,
        "jcy": OfficeFactory(code="jcy", name="韭菜园街道政协联络处", district=furong),
        "dtb": OfficeFactory(code="dtb", name="东屯渡街道政协联络处", district=furong),
        "pzj": OfficeFactory(code="pzj", name="坡子街街道政协联络处", district=tianxin),
    }


@pytest.fixture
def furong_staff(city):
    return UserFactory(
        username="furong",
        full_name="芙蓉区政协办",
        role=roles.DISTRICT_STAFF,
        district=city["furong"],
    )


@pytest.fixture
def city_staff(city):
    return UserFactory(username="city", full_name="市政协办", role=roles.DISTRICT_STAFF)


def _client(client, user):
    client.force_login(user)
    return client


def test_each_level_sees_its_offices(city, furong_staff, city_staff):
    office_staff = UserFactory(office=city["jcy"], role=roles.OFFICE_STAFF)
    assert list(visible_offices(office_staff)) == [city["jcy"]]
    assert set(visible_offices(furong_staff)) == {city["jcy"], city["dtb"]}
    assert set(visible_offices(city_staff)) == set(Office.objects.all())


def test_a_districts_staff_get_404_for_another_districts_records(client, city, furong_staff):
    theirs = MemberFactory(office=city["pzj"], name="吴海")
    ours = MemberFactory(office=city["dtb"], name="王芳")
    author = member_with_account(office=city["pzj"], name="刘洋", mobile="13900000009")
    proposal = proposal_draft(member=author)
    activity = activity_scheduled(office=city["pzj"])
    c = _client(client, furong_staff)

    for url in (
        reverse("admin:members_member_change", args=[theirs.pk]),
        reverse("admin:members_member_history", args=[theirs.pk]),
        reverse("admin:proposals_proposal_change", args=[proposal.pk]),
        reverse("admin:briefings_activity_change", args=[activity.pk]),
        reverse("admin:liaison_office_change", args=[city["pzj"].pk]),
    ):
        assert c.get(url).status_code == 404, url
    assert c.get(reverse("admin:members_member_change", args=[ours.pk])).status_code == 200
    listed = c.get(reverse("admin:members_member_changelist")).context["cl"].result_list
    assert {m.name for m in listed} == {"王芳"}
    # Posting to another district's record changes nothing.
    c.post(reverse("admin:members_member_change", args=[theirs.pk]), {"name": "改掉"})
    theirs.refresh_from_db()
    assert theirs.name == "吴海"


def test_the_citys_staff_reach_every_district(client, city, city_staff):
    theirs = MemberFactory(office=city["pzj"], name="吴海")
    c = _client(client, city_staff)
    assert c.get(reverse("admin:members_member_change", args=[theirs.pk])).status_code == 200
    offices = c.get(reverse("admin:liaison_office_changelist"))
    assert "district" in offices.context["cl"].list_display  # the level shows in a city


def test_handling_units_are_shared_at_their_level(client, city, furong_staff):
    city_unit = HandlingUnitFactory(office=None, district=None, name="市发改委", kind="district")
    ours = HandlingUnitFactory(office=None, district=city["furong"], name="芙蓉区城管局")
    theirs = HandlingUnitFactory(office=None, district=city["tianxin"], name="天心区城管局")
    staff = UserFactory(office=city["jcy"], role=roles.OFFICE_STAFF)
    c = _client(client, staff)
    listed = {
        u.name
        for u in c.get(reverse("admin:liaison_handlingunit_changelist")).context["cl"].result_list
    }
    assert {"市发改委", "芙蓉区城管局"} <= listed
    assert "天心区城管局" not in listed
    assert c.get(reverse("admin:liaison_handlingunit_change", args=[theirs.pk])).status_code == 404

    # A district's staff keep their district's units and view the city's.
    c = _client(client, furong_staff)
    page = c.get(reverse("admin:liaison_handlingunit_change", args=[ours.pk]))
    assert page.context["has_change_permission"]
    page = c.get(reverse("admin:liaison_handlingunit_change", args=[city_unit.pk]))
    assert not page.context["has_change_permission"]
    refused = c.post(
        reverse("admin:liaison_handlingunit_change", args=[city_unit.pk]),
        {"name": "改掉", "kind": "district"},
    )
    assert refused.status_code == 403
    assert HandlingUnit.objects.get(pk=city_unit.pk).name == "市发改委"
    assert c.get(reverse("admin:liaison_handlingunit_change", args=[theirs.pk])).status_code == 404

    # A unit a district's staff add without an office is their district's.
    c.post(
        reverse("admin:liaison_handlingunit_add"),
        {"name": "芙蓉区住建局", "kind": "district", "is_active": "on"},
    )
    added = HandlingUnit.objects.get(name="芙蓉区住建局")
    assert (added.office_id, added.district_id) == (None, city["furong"].pk)


def test_shared_lists_are_the_citys_to_change(client, city, furong_staff, city_staff):
    for user, can in ((furong_staff, False), (city_staff, True)):
        c = _client(client, user)
        page = c.get(reverse("admin:members_sector_changelist"))
        assert page.status_code == 200
        assert page.context["has_add_permission"] is can
        assert (c.get(reverse("admin:liaison_calendarday_add")).status_code == 200) is can


def test_a_districts_staff_manage_their_districts_accounts_only(client, city, furong_staff):
    ours = UserFactory(office=city["dtb"], role=roles.OFFICE_STAFF, username="dtb_staff")
    theirs = UserFactory(office=city["pzj"], role=roles.OFFICE_STAFF, username="pzj_staff")
    c = _client(client, furong_staff)
    listed = {
        u.username
        for u in c.get(reverse("admin:liaison_user_changelist")).context["cl"].result_list
    }
    assert "dtb_staff" in listed and "pzj_staff" not in listed
    assert c.get(reverse("admin:liaison_user_change", args=[theirs.pk])).status_code == 404
    assert c.get(reverse("admin:liaison_user_change", args=[ours.pk])).status_code == 200


def test_statistics_count_the_level(client, city, furong_staff, city_staff):
    MemberFactory(office=city["jcy"], mobile="")
    MemberFactory(office=city["pzj"], mobile="")
    page = _client(client, furong_staff).get(reverse("admin:reports_statistics")).text
    assert "全区（2 个联络处）" in page
    assert "坡子街" not in page
    page = _client(client, city_staff).get(reverse("admin:reports_statistics")).text
    assert "全市（3 个联络处）" in page


def test_a_one_district_installation_never_shows_the_level(client, office, other_office):
    # office and other_office: one district, no city (the conftest's default level).
    district_staff = UserFactory(username="d", role=roles.DISTRICT_STAFF)
    c = _client(client, district_staff)
    offices = c.get(reverse("admin:liaison_office_changelist"))
    assert "district" not in offices.context["cl"].list_display
    user_page = c.get(reverse("admin:liaison_user_change", args=[district_staff.pk])).text
    assert 'name="district"' not in user_page
    # The district's staff keep the shared lists as before.
    assert c.get(reverse("admin:members_sector_changelist")).context["has_add_permission"]
