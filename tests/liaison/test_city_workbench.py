"""The workbench, the statistics and the coverage pages at each level (issue 21): the
city's staff see the offices grouped by district — a row per district with its
subtotals, its offices once expanded — a district's staff their district's offices, and
a one-district installation never shows the level. The pages cost the same queries
however many districts and offices there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison import roles
from liaison.models import City, District
from proposals import services as proposal_services

from ..factories import OfficeFactory, UserFactory, member_with_account, proposal_draft

pytestmark = pytest.mark.django_db

PAGES = ("admin:index", "admin:reports_statistics", "admin:visits_visit_coverage")
DISTRICT_NAMES = ("芙蓉区", "天心区", "岳麓区", "开福区")


def _grow(districts: int, offices: int) -> dict:
    """A city of ``districts`` × ``offices`` (adding to what exists), each office with a
    proposal waiting to be registered."""
    city = City.objects.get_or_create(name="长沙市")[0]
    made = {}
    for d in range(districts):
        district = District.objects.get_or_create(name=DISTRICT_NAMES[d], defaults={"city": city})[
            0
        ]
        made[district.name] = district
        have = district.offices.count()
        for o in range(have, offices):
            code = f"d{d}o{o}"
            office = OfficeFactory(
                code=code, name=f"{district.name}第{o + 1}街道政协联络处", district=district
            )
            member = member_with_account(
                office=office, name=f"委员{d}{o}", mobile=f"139{d:04d}{o:04d}"
            )
            proposal_services.proposal_submit(
                proposal=proposal_draft(member=member, title=f"提案{d}{o}"), actor=member.user
            )
    return made


@pytest.fixture
def city_staff(db):
    return UserFactory(username="city", full_name="市政协办", role=roles.DISTRICT_STAFF)


def _queries(client, url: str) -> int:
    client.get(url)  # the first view fills the caches (coverage) as a running site has
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_each_levels_pages_cost_the_same_queries_for_a_bigger_city(client, city_staff):
    districts = _grow(2, 2)
    furong_staff = UserFactory(
        username="furong", role=roles.DISTRICT_STAFF, district=districts["芙蓉区"]
    )
    office_staff = UserFactory(
        username="staff", role=roles.OFFICE_STAFF, office=districts["芙蓉区"].offices.first()
    )
    urls = [reverse(name) for name in PAGES]
    furong = districts["芙蓉区"].pk
    urls += [
        f"{reverse('admin:index')}?district={furong}",
        f"{reverse('admin:reports_statistics')}?district={furong}",
        f"{reverse('admin:visits_visit_coverage')}?district={furong}",
    ]
    people = (city_staff, furong_staff, office_staff)

    def measure():
        counts = {}
        for user in people:
            client.force_login(user)
            for url in urls:
                counts[(user.username, url)] = _queries(client, url)
        return counts

    small = measure()
    _grow(4, 6)
    assert measure() == small


def _todo_rows(page: str) -> list[str]:
    """The row headers of the to-do table, as text."""
    table = page.split('id="todos"', 1)[1].split("</table>", 1)[0]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", th).split())
        for th in re.findall(r"<tr[^>]*>(.*?)</th>", table, re.S)
    ]


def test_the_citys_staff_see_a_row_per_district_and_expand_one(client, city_staff):
    districts = _grow(2, 2)
    client.force_login(city_staff)

    page = client.get(reverse("admin:index")).text
    rows = _todo_rows(page)
    assert any(row.startswith("▸ 芙蓉区") and "2 个联络处" in row for row in rows)
    assert any(row.startswith("▸ 天心区") for row in rows)
    assert "芙蓉区第1街道政协联络处" not in page  # collapsed: no office rows
    # The subtotal of each district: two proposals waiting to be registered.
    furong_row = page.split("芙蓉区", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'class="todo-count">(\d+)<', furong_row) == ["2"]

    furong = districts["芙蓉区"].pk
    expanded = client.get(f"{reverse('admin:index')}?district={furong}").text
    assert "芙蓉区第1街道政协联络处" in expanded and "芙蓉区第2街道政协联络处" in expanded
    assert "天心区第1街道政协联络处" not in expanded.split('id="todos"', 1)[1].split("</table>")[0]
    # The per-office panels list the district expanded, named in their titles.
    assert "委员平台账号（芙蓉区）" in expanded

    coverage = client.get(reverse("admin:visits_visit_coverage")).text
    assert (
        "coverage-district-row" in coverage
        and "芙蓉区第1街道政协联络处" not in coverage.split("</table>")[0]
    )
    # The office to list is picked by district too.
    assert '<optgroup label="天心区">' in coverage
    stats = client.get(f"{reverse('admin:reports_statistics')}?district={furong}")
    assert "芙蓉区（2 个联络处）" in stats.text
    assert stats.context["sections"] is not None


def test_a_districts_staff_see_their_offices_without_the_level(client):
    districts = _grow(2, 2)
    furong_staff = UserFactory(
        username="furong", role=roles.DISTRICT_STAFF, district=districts["芙蓉区"]
    )
    client.force_login(furong_staff)

    page = client.get(reverse("admin:index")).text
    table = page.split('id="todos"', 1)[1].split("</table>", 1)[0]
    assert "芙蓉区第1街道政协联络处" in table and "芙蓉区第2街道政协联络处" in table
    assert "天心区" not in page
    assert "todo-district-row" not in page
    coverage = client.get(reverse("admin:visits_visit_coverage")).text
    assert "coverage-district-row" not in coverage and "天心区" not in coverage
    other = districts["天心区"].pk
    stats = client.get(f"{reverse('admin:reports_statistics')}?district={other}")
    assert "天心区" not in stats.text  # the parameter is the city's; ignored here


def test_a_one_district_installation_never_shows_the_level(client, city_staff):
    _grow(1, 3)
    client.force_login(city_staff)  # bound to no district: the district's own staff

    for name in PAGES:
        page = client.get(reverse(name)).text
        assert "district-row" not in page
        assert "区 / 联络处" not in page
        assert 'name="district"' not in page
    assert "第3街道政协联络处" in client.get(reverse("admin:index")).text
