"""District-shared handling units (office empty): office staff pick them but never change
or delete them; no save moves a unit to another office; a changed contact address is
kept in history and announced to district staff (issue 12, item 1)."""

import pytest
from django.urls import reverse

from liaison.models import HandlingUnit, Notification
from proposals.admin_steps import AssignForm

from ..factories import HandlingUnitFactory, proposal_draft

pytestmark = pytest.mark.levels


def unit_post(unit, **changes):
    data = {
        "name": unit.name,
        "kind": unit.kind,
        "contact_person": unit.contact_person,
        "email": unit.email,
        "phone": unit.phone,
        "is_active": "on" if unit.is_active else "",
    }
    if unit.office_id:
        data["office"] = unit.office_id
    return {**data, **changes}


def change_url(unit):
    return reverse("admin:liaison_handlingunit_change", args=[unit.pk])


@pytest.fixture
def shared_unit(districts, level):
    """A district body: shared by the district's offices (in a city, the district's)."""
    return HandlingUnitFactory(
        office=None,
        district=None if level == "district" else districts[0],
        name="区城管局",
        kind=HandlingUnit.Kind.DISTRICT_BODY,
        email="cgj@furong.gov.cn",
        phone="0731-84111111",
    )


def _unchanged(unit):
    before = (unit.office_id, unit.email, unit.phone, unit.name)
    unit.refresh_from_db()
    return (unit.office_id, unit.email, unit.phone, unit.name) == before


def test_office_staff_posting_a_shared_units_change_page_cannot_take_it_over(
    staff_client, shared_unit, other_office
):
    """The reproduction: a POST with another e-mail moved the shared unit into the
    poster's office, and reminders carried other offices' signed links to it."""
    response = staff_client.post(
        change_url(shared_unit), unit_post(shared_unit, email="attacker@example.cn")
    )

    assert response.status_code == 403
    assert _unchanged(shared_unit)
    assert shared_unit.office_id is None


def test_office_staff_cannot_revert_a_shared_unit_through_its_history_page(
    staff_client, shared_unit, other_office
):
    version = shared_unit.history.first()
    url = reverse(
        "admin:liaison_handlingunit_simple_history", args=[shared_unit.pk, version.history_id]
    )

    response = staff_client.post(url, unit_post(shared_unit, email="attacker@example.cn"))

    assert response.status_code == 403
    assert _unchanged(shared_unit)


def test_office_staff_cannot_delete_a_shared_unit(staff_client, shared_unit, other_office):
    delete = staff_client.post(
        reverse("admin:liaison_handlingunit_delete", args=[shared_unit.pk]), {"post": "yes"}
    )
    bulk = staff_client.post(
        reverse("admin:liaison_handlingunit_changelist"),
        {"action": "delete_selected", "_selected_action": [shared_unit.pk], "post": "yes"},
    )

    assert delete.status_code == 403
    assert bulk.status_code in (200, 302, 403)
    assert HandlingUnit.objects.filter(pk=shared_unit.pk).exists()


def test_office_staff_see_a_shared_unit_read_only_and_can_pick_it(
    staff_client, staff, shared_unit, other_office, member
):
    page = staff_client.get(change_url(shared_unit))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    proposal = proposal_draft(member=member)
    choices = AssignForm(record=proposal, user=staff).fields["lead_unit"].queryset
    assert shared_unit in choices


def test_office_staff_still_change_their_own_offices_unit(staff_client, staff, other_office):
    own = HandlingUnitFactory(office=staff.office, email="old@example.cn")

    response = staff_client.post(change_url(own), unit_post(own, contact_person="王科长"))

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.contact_person == "王科长"
    assert own.office_id == staff.office_id


def test_office_staff_cannot_rehome_their_unit_or_create_one_for_another_office(
    staff_client, staff, other_office
):
    own = HandlingUnitFactory(office=staff.office)

    staff_client.post(change_url(own), unit_post(own, office=other_office.pk))
    staff_client.post(
        reverse("admin:liaison_handlingunit_add"),
        {
            "office": other_office.pk,
            "name": "新社区",
            "kind": HandlingUnit.Kind.COMMUNITY,
            "is_active": "on",
        },
    )

    own.refresh_from_db()
    assert own.office_id == staff.office_id
    assert HandlingUnit.objects.get(name="新社区").office_id == staff.office_id


@pytest.mark.parametrize("offices", [1, 2])
def test_district_staff_edit_a_shared_unit_and_it_stays_shared(
    client, district_staff, shared_unit, office, other_office, offices
):
    """In a single-office installation the office is not on the form: the save must not
    fill it in (it used to take the only office)."""
    if offices == 1:
        other_office.delete()
    client.force_login(district_staff)

    response = client.post(change_url(shared_unit), unit_post(shared_unit, contact_person="赵主任"))

    assert response.status_code == 302
    shared_unit.refresh_from_db()
    assert shared_unit.contact_person == "赵主任"
    assert shared_unit.office_id is None


def test_a_changed_contact_is_kept_in_history_and_announced_to_district_staff(
    staff_client, staff, district_staff, other_office
):
    unit = HandlingUnitFactory(office=staff.office, email="old@example.cn", phone="0731-1")

    staff_client.post(change_url(unit), unit_post(unit, email="new@example.cn"))

    unit.refresh_from_db()
    assert unit.email == "new@example.cn"
    emails = [h.email for h in unit.history.order_by("history_id")]
    assert emails[-2:] == ["old@example.cn", "new@example.cn"]
    assert unit.history.first().history_user == staff
    told = Notification.objects.filter(kind="unit_contact_changed")
    assert {n.recipient for n in told} == {district_staff}
    mail = told.get(channel=Notification.Channel.EMAIL)
    assert mail.address == district_staff.email
    assert unit.name in mail.subject
    assert "old@example.cn → new@example.cn" in mail.body


def test_a_save_without_a_contact_change_announces_nothing(
    staff_client, staff, district_staff, other_office
):
    unit = HandlingUnitFactory(office=staff.office)

    staff_client.post(change_url(unit), unit_post(unit, contact_person="王科长"))

    assert not Notification.objects.filter(kind="unit_contact_changed").exists()
