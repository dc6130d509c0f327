"""A lookup or setting (a sector, a term, an office, a handling unit, a role) that records
still use is not deleted: its delete page says what uses it, counted, and nothing is
deleted — not by the page's POST and not by the list's bulk action. The page counts
every use in one query, so it costs the same whatever their number."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.models import HandlingUnit, Office
from members.models import Member, Sector, Term

from ..factories import (
    HandlingUnitFactory,
    MemberFactory,
    NotificationFactory,
    OfficeFactory,
    UserFactory,
)


@pytest.fixture
def district_client(client, district_staff):
    client.force_login(district_staff)
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _delete_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])


def _bulk_delete(client, model, pks):
    opts = model._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )


def test_a_sector_in_use_says_how_many_members_and_is_not_deleted(district_client, office):
    sector = Sector.objects.create(name="测试用界别")
    unused = Sector.objects.create(name="无人使用的测试界别")
    MemberFactory.create_batch(3, office=office, sector=sector)

    page = district_client.get(_delete_url(sector))
    posted = district_client.post(_delete_url(sector), {"post": "yes"})
    bulk = _bulk_delete(district_client, Sector, [sector.pk, unused.pk])

    assert "仍有3名委员属于该界别" in page.text
    assert "可停用" in page.text
    assert 'name="post"' not in page.text
    assert "仍有3名委员属于该界别" in posted.text
    assert "仍有3名委员属于所选界别" in bulk.text
    assert Sector.objects.filter(pk__in=[sector.pk, unused.pk]).count() == 2
    assert Member.objects.filter(sector=sector).count() == 3


def test_a_sector_nobody_uses_is_deleted(district_client, office):
    unused = Sector.objects.create(name="无人使用的测试界别")

    page = district_client.get(_delete_url(unused))
    response = district_client.post(_delete_url(unused), {"post": "yes"})

    assert 'name="post"' in page.text
    assert response.status_code == 302
    assert not Sector.objects.filter(pk=unused.pk).exists()


def test_term_delete_page_costs_the_same_with_ten_times_the_members(district_client, office):
    term = Term.objects.get(is_current=True)
    MemberFactory.create_batch(2, office=office, term=term)
    district_client.get(_delete_url(term))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        small = district_client.get(_delete_url(term))
    MemberFactory.create_batch(20, office=office, term=term)
    with CaptureQueriesContext(connection) as many:
        large = district_client.get(_delete_url(term))

    assert "仍有2名委员属于该届次" in small.text
    assert "仍有22名委员属于该届次" in large.text
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_office_with_members_is_not_deleted_and_one_without_is(district_client, office):
    MemberFactory(office=office)
    NotificationFactory(office=office)  # the outbox goes with an office: not a use
    empty = OfficeFactory(code="empty")

    page = district_client.get(_delete_url(office))
    district_client.post(_delete_url(office), {"post": "yes"})
    district_client.post(_delete_url(empty), {"post": "yes"})

    assert "仍有1名委员属于该联络处" in page.text
    assert Office.objects.filter(pk=office.pk).exists()
    assert not Office.objects.filter(pk=empty.pk).exists()


def test_a_handling_unit_with_concerns_or_suggested_on_a_proposal_is_kept(
    district_client, office, member
):
    from ..factories import proposal_draft

    unit = HandlingUnitFactory(office=office)
    draft = proposal_draft(member=member)
    draft.suggested_co_units.add(unit)

    page = district_client.get(_delete_url(unit))
    district_client.post(_delete_url(unit), {"post": "yes"})

    assert "仍有1件提案建议由该承办单位会办" in page.text
    assert HandlingUnit.objects.filter(pk=unit.pk).exists()
    assert list(draft.suggested_co_units.all()) == [unit]


def test_a_group_held_by_accounts_is_not_deleted(superuser_client, staff):
    extra = Group.objects.create(name="档案管理")
    staff.groups.add(extra)

    page = superuser_client.get(_delete_url(extra))
    _bulk_delete(superuser_client, Group, [extra.pk])

    assert "仍有1个账号属于该组" in page.text
    assert Group.objects.filter(pk=extra.pk).exists()
    assert staff.groups.filter(pk=extra.pk).exists()


def test_the_roles_the_system_is_built_on_are_never_deleted(superuser_client, staff):
    role = staff.groups.get()  # 联络处工作人员
    staff.groups.remove(role)  # held by nobody: still a role

    page = superuser_client.get(_delete_url(role))
    _bulk_delete(superuser_client, Group, [role.pk])

    assert page.status_code == 403
    assert Group.objects.filter(pk=role.pk).exists()
