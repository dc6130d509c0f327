"""Pages with personal data or reached through a signed unit link are never stored by
a shared proxy or a browser's cache: every page Django answers says so."""

import pytest
from django.utils.cache import get_max_age

from liaison.unit_links import unit_link_token
from tests.factories import HandlingUnitFactory
from visits import services
from visits.models import Concern

pytestmark = pytest.mark.django_db


def _private_no_store(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


@pytest.mark.parametrize(
    "path", ["/portal/", "/portal/visits/", "/portal/activities/calendar/", "/portal/profile/"]
)
def test_portal_pages_are_private_and_never_stored(member_client, path):
    response = member_client.get(path, follow=True)
    assert response.status_code == 200
    assert _private_no_store(response)


@pytest.mark.parametrize("path", ["/admin/", "/admin/visits/concern/", "/admin/members/member/"])
def test_admin_pages_are_private_and_never_stored(staff_client, path):
    response = staff_client.get(path)
    assert response.status_code == 200
    assert _private_no_store(response)


def test_unit_page_is_private_and_never_stored(client, staff, member, office):
    unit = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
    concern = services.concern_create(
        actor=staff,
        office=office,
        member=member,
        title="占道经营",
        content="菜市场门口占道经营。",
        source=Concern.Source.VISIT,
    )
    concern = services.concern_assign(concern=concern, actor=staff, unit=unit)
    response = client.get(f"/units/concerns/{unit_link_token(concern)}/")
    assert response.status_code == 200
    assert _private_no_store(response)


@pytest.mark.parametrize("path", ["/portal/login/", "/admin/login/", "/units/concerns/bogus/"])
def test_sign_in_and_refusal_pages_are_never_stored_either(client, path):
    response = client.get(path)
    assert response.status_code in (200, 403)
    assert _private_no_store(response)


def test_admin_keeps_never_cache_extras(staff_client):
    # never_cache's max-age=0 stays alongside the new directives.
    assert get_max_age(staff_client.get("/admin/")) == 0
