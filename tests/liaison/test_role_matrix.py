"""The role matrix (liaison.roles.ADMIN_MATRIX and ADMIN_PAGES), checked cell by cell
through HTTP for every role, including committee leaders and members, who get no admin
access — also when their account is wrongly marked as staff."""

import datetime

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from liaison import roles
from members.models import PointEntry
from reports import services as reports
from reports.models import Document

from ..consultations.helpers import consultation_draft
from ..factories import UserFactory, activity_published, plan_with_items

ROLE_IDS = {
    roles.OFFICE_STAFF: "office-staff",
    roles.DISTRICT_STAFF: "district-staff",
    roles.COMMITTEE_LEADER: "committee-leader",
    roles.MEMBER: "member",
}
ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def _label(model) -> str:
    return model._meta.label_lower


def test_every_admin_model_has_a_row_in_the_matrix():
    registered = {_label(model) for model in admin.site._registry}
    assert registered == set(roles.ADMIN_MATRIX)
    assert all(len(row) == len(roles.ROLES) for row in roles.ADMIN_MATRIX.values())
    assert all(len(row) == len(roles.ROLES) for row in roles.ADMIN_PAGES.values())


@pytest.fixture
def personas(staff, district_staff, leader, member):
    return {
        roles.OFFICE_STAFF: staff,
        roles.DISTRICT_STAFF: district_staff,
        roles.COMMITTEE_LEADER: leader,
        roles.MEMBER: member.user,
    }


def _granted(client, user) -> dict[str, str]:
    """What the admin index offers ``user``, model by model ("vacd" letters)."""
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login"))
        return {}
    assert response.status_code == 200
    return {
        _label(entry["model"]): "".join(
            letter for letter, action in ACTIONS.items() if entry["perms"].get(action)
        )
        for app in response.context["app_list"]
        for entry in app["models"]
        if "model" in entry  # the admin's own pages in the menu are checked as pages
    }


def _opens(response) -> bool:
    """The page was shown (or redirected to itself with its default filter); a refusal
    is a 403 or a redirect to the admin sign-in."""
    if response.status_code == 200:
        return True
    if response.status_code == 302:
        return not response["Location"].startswith(reverse("admin:login"))
    assert response.status_code in (403, 404), response.status_code
    return False


def _check_models(client, user, column) -> list[str]:
    wrong = []
    granted = _granted(client, user)
    for model, row in roles.ADMIN_MATRIX.items():
        expected = row[column]
        if granted.get(model, "") != expected:
            wrong.append(f"{model}: index offers {granted.get(model, '')!r}, matrix {expected!r}")
        app_label, model_name = model.split(".")
        for letter, page in (("v", "changelist"), ("a", "add")):
            response = client.get(reverse(f"admin:{app_label}_{model_name}_{page}"))
            if _opens(response) != (letter in expected):
                wrong.append(f"{model} {page}: {response.status_code}, matrix {expected!r}")
    return wrong


@pytest.fixture
def page_args(office, staff, member):
    starts_at = timezone.now() + datetime.timedelta(days=10)
    activity = activity_published(office=office, actor=staff, members=[member], starts_at=starts_at)
    plan = plan_with_items(office=office, staff=staff)
    document = reports.document_request(
        office=office, kind="ranking", params={"year": 2025}, actor=staff
    )
    document.file.save("x.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    document.status = Document.Status.DONE
    document.save()
    entry = PointEntry.objects.create(
        member=member, kind="speech", year=2026, points=5, occurred_on=datetime.date(2026, 3, 1)
    )
    consultation = consultation_draft(staff=staff, office=office)
    return {
        "members_pointentry_revoke": [entry.pk],
        "consultations_consultation_compilation": [consultation.pk],
        "briefings_activity_sign_in": [activity.pk],
        "briefings_activity_qr": [activity.pk],
        "briefings_activity_minutes": [activity.pk],
        "plans_workplan_progress": [plan.pk],
        "reports_document_download": [document.pk],
    }


def _check_pages(client, user, column, page_args) -> list[str]:
    client.force_login(user)
    wrong = []
    for name, row in roles.ADMIN_PAGES.items():
        response = client.get(reverse(f"admin:{name}", args=page_args.get(name, [])))
        if _opens(response) != row[column]:
            wrong.append(f"{name}: {response.status_code}, matrix {row[column]}")
    return wrong


@pytest.mark.parametrize("role", roles.ROLES, ids=ROLE_IDS.get)
def test_each_role_gets_exactly_its_row_of_the_matrix(client, personas, page_args, role):
    column = roles.ROLES.index(role)
    user = personas[role]

    wrong = _check_models(client, user, column) + _check_pages(client, user, column, page_args)

    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", [roles.COMMITTEE_LEADER, roles.MEMBER], ids=ROLE_IDS.get)
def test_leaders_and_members_marked_as_staff_still_get_nothing(client, personas, page_args, role):
    """An account ticked "staff" by mistake reaches the admin's index, but its role
    opens no model and no page (the plan progress and document download pages used to
    open for it)."""
    user = personas[role]
    user.is_staff = True
    user.save()
    column = roles.ROLES.index(role)

    wrong = _check_models(client, user, column) + _check_pages(client, user, column, page_args)

    assert wrong == [], "\n".join(wrong)


def test_a_staff_account_without_any_role_gets_nothing(client, office, page_args):
    nobody = UserFactory(office=office, is_staff=True)
    column = roles.ROLES.index(roles.MEMBER)  # no access at all, like a member

    wrong = _check_models(client, nobody, column) + _check_pages(client, nobody, column, page_args)

    assert wrong == [], "\n".join(wrong)
