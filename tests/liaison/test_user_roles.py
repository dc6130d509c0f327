"""Roles are given only by superusers, and nobody edits their own (issue 12, item 2): the
reproduction was district staff ticking is_superuser on their own account."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from liaison import roles

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.levels


def change_url(user):
    return reverse("admin:liaison_user_change", args=[user.pk])


def user_post(user, **changes):
    """Everything the user change form sends, as the browser would."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "full_name": user.full_name,
        "office": user.office_id or "",
        "phone": user.phone,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    return {**data, **changes}


ESCALATION = {
    "is_superuser": "on",
    "is_staff": "on",
    "groups": [],  # filled in by the test: the district staff group
    "user_permissions": [],
}


def _escalation():
    return {
        **ESCALATION,
        "groups": [Group.objects.get(name=roles.DISTRICT_STAFF).pk],
        "user_permissions": [Permission.objects.get(codename="delete_user").pk],
    }


def _roles_of(user):
    user.refresh_from_db()
    return (
        user.is_superuser,
        user.is_staff,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_district_staff_cannot_make_themselves_superuser(client, district_staff):
    client.force_login(district_staff)
    before = _roles_of(district_staff)

    response = client.post(change_url(district_staff), user_post(district_staff, **_escalation()))

    assert response.status_code in (200, 302)
    assert _roles_of(district_staff) == before
    assert not district_staff.is_superuser


def test_district_staff_cannot_grant_roles_to_another_account(client, district_staff, office):
    plain = UserFactory(office=office)
    client.force_login(district_staff)

    response = client.post(change_url(plain), user_post(plain, full_name="新名字", **_escalation()))

    assert response.status_code == 302
    assert _roles_of(plain) == (False, False, [], [])
    plain.refresh_from_db()
    assert plain.full_name == "新名字"  # the rest of the account is theirs to keep


def test_district_staff_see_role_fields_read_only(client, district_staff, office):
    plain = UserFactory(office=office)
    client.force_login(district_staff)

    form = client.get(change_url(plain)).context["adminform"].form

    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)


def test_district_staff_cannot_take_over_a_superuser_account(
    client, district_staff, superuser, level
):
    client.force_login(district_staff)
    # A district's staff in a city do not even see accounts outside their district.
    refused = 404 if level == "city-district" else 403

    change = client.post(change_url(superuser), user_post(superuser, email="me@example.cn"))
    password = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {"password1": "Taken-0ver-2026", "password2": "Taken-0ver-2026"},
    )
    delete = client.post(reverse("admin:liaison_user_delete", args=[superuser.pk]), {"post": "yes"})

    assert (change.status_code, password.status_code, delete.status_code) == (refused,) * 3
    superuser.refresh_from_db()
    assert superuser.email == "root@example.cn"
    assert superuser.check_password(PASSWORD)


def test_superusers_give_roles_to_others(client, superuser, office):
    plain = UserFactory(office=office)
    client.force_login(superuser)

    response = client.post(change_url(plain), user_post(plain, **_escalation()))

    assert response.status_code == 302
    assert _roles_of(plain) == (True, True, [roles.DISTRICT_STAFF], ["delete_user"])


def test_a_superuser_cannot_change_their_own_roles(client, superuser):
    client.force_login(superuser)

    response = client.post(
        change_url(superuser),
        user_post(superuser, is_active="", groups=[Group.objects.get(name=roles.MEMBER).pk]),
    )

    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.is_staff and superuser.is_active
    assert not superuser.groups.exists()
