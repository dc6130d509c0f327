"""The workbench (admin index): district staff see the to-dos per office in one table —
offices as rows, kinds as columns, each count linked to that office's filtered list —
for a number of queries that does not grow with the offices or their records; the
year's targets carry a progress bar."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from proposals import services
from tests.factories import OfficeFactory, member_with_account, proposal_draft

pytestmark = [pytest.mark.django_db, pytest.mark.levels]


def _submitted(office, n):
    member = member_with_account(office=office)
    for i in range(n):
        proposal = proposal_draft(member=member, title=f"关于第{i}件事的建议")
        services.proposal_submit(proposal=proposal, actor=member.user)


def _index(client):
    cache.clear()  # the coverage panel's cached figures: measured cold each time
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/").text
    return page, len(queries)


def test_district_staff_see_the_to_dos_per_office_in_one_table(client, district_staff, office):
    other = OfficeFactory(name="东湖街道政协联络处")
    _submitted(office, 2)
    _submitted(other, 1)
    client.force_login(district_staff)
    page, _n = _index(client)
    table = re.search(r'<table class="todo-offices">.*?</table>', page, re.S).group()
    assert "待立案的提案" in table
    for name in (office.name, other.name):
        assert f'<th scope="row">{name}</th>' in table
    # A count links to the list filtered to that office and to the to-do.
    assert re.search(
        rf'href="/admin/proposals/proposal/\?year=all&amp;status__exact=submitted'
        rf'&amp;office__id__exact={office.pk}">2</a>',
        table,
    )
    assert re.search(rf"office__id__exact={other.pk}\">1</a>", table)
    # The total of the column links to the list over every office.
    assert 'href="/admin/proposals/proposal/?year=all&amp;status__exact=submitted">3</a>' in table


def test_the_per_office_table_costs_the_same_queries_however_many_offices(
    client, district_staff, office
):
    _submitted(office, 1)
    _submitted(OfficeFactory(name="东湖街道政协联络处"), 1)
    client.force_login(district_staff)
    _index(client)  # warm caches (content types, permissions)
    _page, small = _index(client)
    for i in range(4):
        _submitted(OfficeFactory(name=f"第{i}号街道政协联络处"), 3)
    _index(client)  # the new offices' kept figures are counted once (as the worker would)
    page, large = _index(client)
    assert page.count('<th scope="row">') >= 6 + 1  # six offices and the total
    assert large == small


def test_office_staff_see_their_to_dos_as_a_list(staff_client, office):
    _submitted(office, 1)
    page = staff_client.get("/admin/").text
    assert 'class="todo-list"' in page
    assert "todo-offices" not in page


def test_the_years_targets_have_progress_bars(staff_client):
    page = staff_client.get("/admin/").text
    assert re.search(r'<progress class="target-bar" value="\d+" max="\d+"', page)
