"""Office scoping in the shared admin: staff see and reach only their office's records,
district staff see every office, and a single-office installation never shows offices."""

import pytest
from django.urls import reverse

from tests.factories import ContributionFactory, MemberFactory

pytestmark = pytest.mark.levels

CHANGELIST_URL = reverse("admin:members_member_changelist")


def member_urls(member):
    return [
        reverse("admin:members_member_change", args=[member.pk]),
        reverse("admin:members_member_history", args=[member.pk]),
        reverse("admin:members_member_delete", args=[member.pk]),
    ]


def test_staff_get_404_for_another_offices_member_pages(staff_client, other_office):
    theirs = MemberFactory(office=other_office, name="吴海")
    version = theirs.history.first()

    for url in member_urls(theirs):
        assert staff_client.get(url).status_code == 404, url
    simple_history_version = reverse(
        "admin:members_member_simple_history", args=[theirs.pk, version.history_id]
    )
    assert staff_client.get(simple_history_version).status_code == 404


def test_staff_reach_their_own_members_pages(staff_client, staff):
    mine = MemberFactory(office=staff.office)

    for url in member_urls(mine):
        assert staff_client.get(url).status_code == 200, url


def test_staff_cannot_change_another_offices_member_by_posting(staff_client, other_office):
    theirs = MemberFactory(office=other_office, name="吴海")

    response = staff_client.post(
        reverse("admin:members_member_change", args=[theirs.pk]), {"name": "改掉"}
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "吴海"


def test_staff_changelist_shows_only_their_offices_members(staff_client, staff, other_office):
    MemberFactory(office=staff.office, name="王芳")
    MemberFactory(office=other_office, name="吴海")

    response = staff_client.get(CHANGELIST_URL)

    cl = response.context["cl"]
    assert [m.name for m in cl.result_list] == ["王芳"]
    # Staff of one office never see an office column or filter.
    assert "office" not in cl.list_display
    assert "联络处" not in [spec.title for spec in cl.filter_specs]


def test_staff_searching_for_another_offices_member_find_nothing(staff_client, staff, other_office):
    MemberFactory(office=other_office, name="吴海", mobile="13955556666")

    response = staff_client.get(CHANGELIST_URL, {"q": "13955556666"})

    assert list(response.context["cl"].result_list) == []


def test_district_staff_see_every_office_with_an_office_column_and_filter(
    client, district_staff, office, other_office
):
    MemberFactory(office=office, name="王芳")
    MemberFactory(office=other_office, name="吴海")
    client.force_login(district_staff)

    response = client.get(CHANGELIST_URL)

    cl = response.context["cl"]
    assert sorted(m.name for m in cl.result_list) == sorted(["王芳", "吴海"])
    assert "office" in cl.list_display
    assert cl.filter_specs[0].title == "联络处"

    filtered = client.get(CHANGELIST_URL, {"office__id__exact": other_office.pk})
    assert [m.name for m in filtered.context["cl"].result_list] == ["吴海"]


def test_district_staff_choose_the_office_on_the_change_form(
    client, district_staff, office, other_office
):
    member = MemberFactory(office=office)
    client.force_login(district_staff)

    response = client.get(reverse("admin:members_member_change", args=[member.pk]))

    assert "office" in response.context["adminform"].form.fields


@pytest.mark.parametrize("persona", ["staff", "district_staff"])
def test_single_office_installation_never_shows_the_office(client, request, office, persona):
    user = request.getfixturevalue(persona)
    member = MemberFactory(office=office, name="王芳")
    ContributionFactory(member=member)
    client.force_login(user)

    response = client.get(CHANGELIST_URL)
    cl = response.context["cl"]
    assert [m.name for m in cl.result_list] == ["王芳"]
    assert "office" not in cl.list_display
    assert "联络处" not in [spec.title for spec in cl.filter_specs]

    form = client.get(reverse("admin:members_member_change", args=[member.pk]))
    assert "office" not in form.context["adminform"].form.fields
    add = client.get(reverse("admin:members_member_add"))
    assert "office" not in add.context["adminform"].form.fields

    contributions = client.get(reverse("admin:members_contribution_changelist"))
    assert "member__office" not in contributions.context["cl"].list_display

    roster = client.get(reverse("admin:members_member_roster"))
    assert roster.context["offices"] == []


def test_staff_get_404_for_another_offices_contribution(staff_client, other_office):
    theirs = ContributionFactory(member=MemberFactory(office=other_office))

    for name in ("change", "history"):
        url = reverse(f"admin:members_contribution_{name}", args=[theirs.pk])
        assert staff_client.get(url).status_code == 404, url


def test_staff_contribution_list_shows_only_their_offices(staff_client, staff, other_office):
    ContributionFactory(member=MemberFactory(office=staff.office), title="本处贡献")
    ContributionFactory(member=MemberFactory(office=other_office), title="别处贡献")

    response = staff_client.get(reverse("admin:members_contribution_changelist"))

    assert [c.title for c in response.context["cl"].result_list] == ["本处贡献"]


def test_staff_name_list_holds_only_their_office(staff_client, staff, other_office):
    MemberFactory(office=staff.office, name="王芳")
    MemberFactory(office=other_office, name="吴海")

    response = staff_client.get(reverse("admin:members_member_roster"))

    assert [m.name for m in response.context["groups"][0][1]] == ["王芳"]


@pytest.mark.parametrize("persona", ["member", "leader"])
@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        CHANGELIST_URL,
        reverse("admin:members_member_roster"),
        reverse("admin:members_member_import"),
    ],
)
def test_members_and_committee_leaders_are_sent_to_the_admin_sign_in(
    db, client, request, persona, url
):
    persona = request.getfixturevalue(persona)
    user = persona.user if hasattr(persona, "user") else persona
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_office_staff_see_only_their_own_office_in_the_office_admin(
    staff_client, office, other_office
):
    response = staff_client.get(reverse("admin:liaison_office_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert office.name in page and other_office.name not in page
    other = reverse("admin:liaison_office_change", args=[other_office.pk])
    assert staff_client.get(other).status_code == 404
