"""The statistics page in the admin (issue 15, item 5): an office's or the district's
members, proposals, concerns and activities counted in the database, each table with its
chart and its .xlsx download, scoped to what the staff member may see."""

import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Affiliation, Member, Sector
from visits.models import Concern, ConcernCategory

from ..factories import (
    HandlingUnitFactory,
    MemberFactory,
    activity_held,
    proposal_replied,
    shanghai,
)
from ..visits.bulk import bulk_members

pytestmark = pytest.mark.levels

PAGE = reverse("admin:reports_statistics")
NOW = shanghai(2026, 11, 30, 10)


def _member(**kwargs) -> Member:
    return MemberFactory(mobile="", **kwargs)  # clear of the persona's mobile number


DOWNLOAD = reverse("admin:reports_statistics_download")


def _download(slug):
    return f"{DOWNLOAD}?table={slug}"


def _table(page, slug) -> dict[str, list]:
    """A table of the page as its rows: first cell → the other cells (totals included)."""
    table = next(t for s in page.context["sections"] for t in s.tables if t.slug == slug)
    return {str(row[0]): row[1:] for row in table.all_rows}


def _concern(office, category, *, due, resolved=None, status=Concern.Status.RESOLVED):
    return Concern.objects.create(
        office=office,
        source=Concern.Source.STAFF,
        category=category,
        title="小区路灯不亮",
        content="晚上出行不便。",
        status=status,
        due_date=due,
        resolved_on=resolved,
    )


@pytest.fixture
def year_of_work(office, staff, member):
    """An office's year: a varied roster, two replied proposals, concerns handled on
    time and late, and a briefing with attendance."""
    economy = Sector.objects.get_or_create(name="经济界")[0]
    science = Sector.objects.get_or_create(name="科技界")[0]
    party = Affiliation.objects.get_or_create(name="中共党员")[0]
    _member(
        office=office,
        sector=science,
        affiliation=party,
        sex=Member.Sex.MALE,
        birth_date=datetime.date(1990, 1, 1),
    )
    _member(
        office=office, sector=science, sex=Member.Sex.MALE, birth_date=datetime.date(1960, 6, 1)
    )
    _member(office=office, sector=economy, birth_date=None)
    _member(office=office, sector=economy, status=Member.Status.TERM_ENDED)
    unit = HandlingUnitFactory(office=office, name="韭菜园街道城管科")
    with time_machine.travel(shanghai(2026, 4, 1, 9)):
        proposal_replied(member=member, staff=staff, unit=unit, grade="A")
        proposal_replied(
            member=member, staff=staff, unit=unit, grade="B", title="关于增设公交站的建议"
        )
    roads = ConcernCategory.objects.get_or_create(name="城市管理")[0]
    with time_machine.travel(shanghai(2026, 5, 1, 9)):
        _concern(office, roads, due=datetime.date(2026, 5, 20), resolved=datetime.date(2026, 5, 18))
        _concern(office, roads, due=datetime.date(2026, 5, 20), resolved=datetime.date(2026, 5, 25))
        _concern(office, roads, due=datetime.date(2026, 6, 1), status=Concern.Status.IN_PROGRESS)
        _concern(office, roads, due=datetime.date(2027, 1, 10), status=Concern.Status.IN_PROGRESS)
    attended = _member(office=office)
    activity_held(office=office, staff=staff, attended=[member, attended], absent=[])
    return office


@time_machine.travel(NOW)
def test_office_staff_see_their_office_s_year_counted(staff_client, year_of_work, other_office):
    _member(office=other_office, sector=Sector.objects.get(name="科技界"))

    page = staff_client.get(PAGE, {"year": 2026})

    assert page.status_code == 200
    # Serving members: the member fixture, three above and the attendee; not the one
    # whose term ended, nor the other office's.
    assert _table(page, "sector") == {"经济界": [3], "科技界": [2], "合计": [5]}
    assert _table(page, "affiliation")["中共党员"] == [1]
    assert _table(page, "sex") == {"男": [2], "女": [3], "合计": [5]}
    assert _table(page, "age") == {
        "40岁以下": [1],
        "50—59岁": [2],
        "60岁及以上": [1],
        "未填出生日期": [1],
        "合计": [5],
    }
    assert _table(page, "term")["合计"] == [6]  # the whole roster, every status
    assert _table(page, "category") == {"城市管理": [2], "合计": [2]}
    assert _table(page, "status") == {"已答复": [2], "合计": [2]}
    assert _table(page, "unit") == {"韭菜园街道城管科": [2], "合计": [2]}
    assert _table(page, "grade") == {
        "A类（已解决或采纳）": [1],
        "B类（列入计划拟解决）": [1],
        "合计": [2],
    }
    assert _table(page, "concern_category") == {"城市管理": [4], "合计": [4]}
    # Due: two resolved and one overdue (the fourth is not due yet); one on time.
    assert _table(page, "concern_on_time")["城市管理"] == [3, 1, 33]
    assert _table(page, "activities")["3月"] == [1]
    assert _table(page, "attendance")["3月"] == [2, 2, 100]
    assert _table(page, "attendance")["4月"] == [0, 0, None]
    text = page.text
    assert text.count('<svg class="chart"') == 13  # every table has its chart
    assert '<table class="stats-table">' in text and "韭菜园街道政协联络处" in text


@time_machine.travel(NOW)
def test_charts_are_inline_svg_the_strict_csp_allows(staff_client, year_of_work):
    page = staff_client.get(PAGE)

    policy = page["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "style-src 'self'" in policy
    assert "<script>" not in page.text and " style=" not in page.text
    assert "<style" not in page.text


@time_machine.travel(NOW)
def test_each_table_downloads_as_xlsx_with_the_page_s_numbers(staff_client, year_of_work):
    page = staff_client.get(PAGE, {"year": 2026})

    for slug in ("sector", "grade", "concern_on_time", "attendance"):
        response = staff_client.get(DOWNLOAD, {"table": slug, "year": 2026})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert {str(r[0]): list(r[1:]) for r in rows[1:]} == _table(page, slug)
    assert staff_client.get(_download("nothing")).status_code == 404


@time_machine.travel(NOW)
def test_the_whole_page_downloads_as_one_workbook_a_sheet_per_table(staff_client, year_of_work):
    page = staff_client.get(PAGE, {"year": 2026})

    response = staff_client.get(DOWNLOAD, {"year": 2026})

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    titles = [t.title for s in page.context["sections"] for t in s.tables]
    assert book.sheetnames == titles
    rows = list(book["意见建议按期办结率"].iter_rows(values_only=True))
    assert rows[0] == ("类别", "已到期（件）", "按期办结（件）", "按期办结率（%）")
    assert rows[1:] == [("城市管理", 3, 1, 33), ("合计", 3, 1, 33)]
    assert "2026" in response["Content-Disposition"]


@time_machine.travel(NOW)
def test_a_sector_name_that_starts_a_formula_stays_text_in_the_download(staff_client, office):
    _member(office=office, sector=Sector.objects.create(name="=HYPERLINK(1)"))

    response = staff_client.get(_download("sector"))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix


@time_machine.travel(NOW)
def test_office_staff_never_see_another_office_s_figures(
    client, staff, year_of_work, other_office, other_staff
):
    client.force_login(other_staff)

    own = client.get(PAGE)
    asked = client.get(PAGE, {"office": year_of_work.pk})
    download = client.get(DOWNLOAD, {"table": "sector", "office": year_of_work.pk})

    assert own.status_code == 200 and _table(own, "sector") == {}
    assert "韭菜园" not in own.text
    assert asked.status_code == 404 and download.status_code == 404


@time_machine.travel(NOW)
def test_district_staff_count_the_district_or_pick_an_office(
    client, district_staff, year_of_work, other_office, level
):
    _member(office=other_office, sector=Sector.objects.get(name="科技界"))
    client.force_login(district_staff)

    district = client.get(PAGE)
    one = client.get(PAGE, {"office": other_office.pk})

    assert _table(district, "sector")["合计"] == [6]
    # The city's staff count the city (other_office is in the second district).
    assert ("全市（2 个联络处）" if level == "city" else "全区（2 个联络处）") in district.text
    assert _table(one, "sector") == {"科技界": [1], "合计": [1]}
    assert 'id="stats-office"' in one.text
    assert client.get(PAGE, {"office": 999999}).status_code == 404


@pytest.mark.parametrize("who", ["member", "leader"])
def test_members_and_leaders_cannot_open_the_page(client, member, leader, who):
    client.force_login(member.user if who == "member" else leader)

    for url in (PAGE, _download("sector")):
        response = client.get(url)
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("admin:login"))


def test_the_menu_lists_the_statistics_under_plans_and_reports(staff_client):
    page = staff_client.get(reverse("admin:index"))

    area = next(a for a in page.context["available_apps"] if str(a["name"]) == "计划与报告")
    assert PAGE in [m["admin_url"] for m in area["models"]]
    assert f'href="{PAGE}"' in page.text


def _queries(client, user, *, cached: bool) -> int:
    client.force_login(user)
    client.get(PAGE)  # sessions and caches warm, as on a running server
    if not cached:
        cache.clear()  # the tables counted afresh
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(NOW)
@pytest.mark.parametrize("persona", ["staff", "district_staff"])
def test_the_page_reads_a_constant_number_of_queries(
    client, request, persona, year_of_work, other_office
):
    user = request.getfixturevalue(persona)
    small = _queries(client, user, cached=False), _queries(client, user, cached=True)
    bulk_members(year_of_work, 45)
    bulk_members(other_office, 45, prefix="OTHER")
    large = _queries(client, user, cached=False), _queries(client, user, cached=True)

    assert small == large
    assert large[0] <= 30 and large[1] < large[0]


@time_machine.travel(NOW)
def test_a_change_shows_on_the_next_view(staff_client, office):
    _member(office=office)
    assert _table(staff_client.get(PAGE), "sector")["合计"] == [1]

    _member(office=office)

    assert _table(staff_client.get(PAGE), "sector")["合计"] == [2]


def test_the_menu_marks_the_statistics_page_not_the_documents_it_lives_under(staff_client):
    page = staff_client.get("/admin/reports/document/statistics/").text
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', page)
    assert current == ["/admin/reports/document/statistics/"]
    documents = staff_client.get("/admin/reports/document/").text
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', documents) == [
        "/admin/reports/document/"
    ]
