"""Visit, concern and coverage pages in the portal and the admin: scoped to their owner,
refusing bad input with a message, and a constant number of queries at 100 and 5,000
members."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.models import HandlingUnit
from tests.factories import HandlingUnitFactory, MemberFactory, refresh_planner_statistics
from visits import services
from visits.models import Concern, LifeEvent, Visit

from .bulk import bulk_concerns, bulk_members, bulk_visits
from .forms import visit_admin_form

pytestmark = [pytest.mark.django_db, pytest.mark.levels]
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
C = Concern.Status


def _queries(client, url):
    """Queries of the page once per-process caches (content types) are warm."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def cgk(office):
    return HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")


@pytest.fixture
def visit(staff, member, office):
    return services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.HOSPITAL,
        visited_on=datetime.date(2026, 3, 2),
        members=[member],
        team_users=[staff],
        summary="委员恢复良好。",
        staff_notes="家属经济困难，内部掌握。",
        opinions=[{"title": "小区停车难", "content": "晚上没有车位。"}],
    )


# --- Portal ---------------------------------------------------------------------------


def test_member_sees_their_visit_without_the_staff_only_notes(member_client, visit):
    listing = member_client.get(reverse("portal:visits"))
    assert "探望病患" in listing.text
    detail = member_client.get(reverse("portal:visit_detail", args=[visit.pk]))
    assert "委员恢复良好" in detail.text
    assert "小区停车难" in detail.text
    assert "家属经济困难" not in detail.text
    assert "周文静" in detail.text  # the visiting team


def test_member_cannot_open_another_members_visit_or_concern(client, visit, other_member):
    client.force_login(other_member.user)
    assert client.get(reverse("portal:visit_detail", args=[visit.pk])).status_code == 404
    concern = visit.concerns.get()
    assert client.get(reverse("portal:concern_detail", args=[concern.pk])).status_code == 404


def test_another_member_cannot_confirm_through_the_portal(client, staff, member, other_member, cgk):
    concern = services.concern_create(
        actor=member.user,
        office=member.office,
        member=member,
        title="噪音",
        content="夜间噪音",
        source=Concern.Source.PORTAL,
    )
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    services.concern_report_result(concern=concern, resolved=True, result="已处理")
    services.concern_feed_back(concern=concern, actor=staff)
    client.force_login(other_member.user)
    response = client.post(reverse("portal:concern_confirm", args=[concern.pk]), {"satisfied": "1"})
    assert response.status_code == 404
    assert Concern.objects.get().status == C.FED_BACK


def test_member_raises_follows_and_confirms_a_concern_in_the_portal(
    member_client, member, staff, cgk
):
    response = member_client.post(
        reverse("portal:concern_create"),
        {"title": "路口红绿灯时间过短", "content": "老人过马路来不及。", "category": ""},
        follow=True,
    )
    concern = Concern.objects.get()
    assert (concern.member, concern.source, concern.status) == (member, "portal", C.NEW)
    assert "路口红绿灯时间过短" in response.text
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    page = member_client.get(reverse("portal:concern_detail", args=[concern.pk]))
    assert "城管科" in page.text and "确认办理结果" not in page.text
    services.concern_report_result(concern=concern, resolved=True, result="已延长绿灯时间。")
    page = member_client.get(reverse("portal:concern_detail", args=[concern.pk]))
    assert "已延长绿灯时间" not in page.text  # not until staff have fed it back
    services.concern_feed_back(concern=concern, actor=staff)
    page = member_client.get(reverse("portal:concern_detail", args=[concern.pk]))
    assert "已延长绿灯时间" in page.text and "确认办理结果" in page.text
    response = member_client.post(
        reverse("portal:concern_confirm", args=[concern.pk]),
        {"satisfied": "0", "comments": ""},
        follow=True,
    )
    assert "请说明不满意的原因" in response.text
    assert Concern.objects.get().status == C.FED_BACK
    member_client.post(
        reverse("portal:concern_confirm", args=[concern.pk]),
        {"satisfied": "0", "comments": "晚高峰仍然不够。"},
    )
    assert Concern.objects.get().status == C.REOPENED


def test_member_records_a_life_event_in_the_portal(member_client, member, staff):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        response = member_client.post(
            reverse("portal:life_event_create"),
            {"kind": "hospitalised", "occurred_on": "2026-03-01", "place": "省人民医院"},
            follow=True,
        )
    assert "已告知联络处" in response.text
    event = LifeEvent.objects.get()
    assert event.member == member and event.visit.status == Visit.Status.PENDING
    assert "住院治疗" in response.text  # listed on the visits page


def test_dashboard_card_shows_visits_and_concerns_to_confirm(member_client, visit):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=SHANGHAI)):
        page = member_client.get(reverse("portal:dashboard"))
    assert "今年走访 1 次" in page.text
    assert "1 件意见建议办理中" in page.text


def _grow(office, member, size, *, prefix):
    """A roster of ``size`` with visits and concerns; the member's own history grows
    with it."""
    roster = bulk_members(office, size, prefix=prefix)
    bulk_visits(office, roster, every=2)
    bulk_concerns(office, roster, size // 10)
    bulk_visits(office, [member] * max(1, size // 100), every=1)
    return bulk_concerns(office, [member], max(1, size // 100))


def test_portal_visit_and_concern_pages_run_constant_queries_at_100_and_5000_members(
    client, office, member
):
    own = _grow(office, member, 100, prefix="S")
    client.force_login(member.user)
    visit = Visit.objects.filter(members=member).first()
    pages = [
        reverse("portal:visits"),
        reverse("portal:visit_detail", args=[visit.pk]),
        reverse("portal:concerns"),
        reverse("portal:concern_detail", args=[own[0].pk]),
        reverse("portal:dashboard"),
    ]
    small = [_queries(client, url) for url in pages]
    # session, user, member, unread count, then at most three reads of the page's own
    # (the home page reads more: its queries are counted in tests/portal/test_dashboard.py)
    assert max(small[:-1]) <= 7, small
    _grow(office, member, 4900, prefix="L")
    assert [_queries(client, url) for url in pages] == small


# --- Admin ----------------------------------------------------------------------------


def _visit_form(member, visited_on):
    return visit_admin_form(visited_on, [(None, member, False)])


def test_admin_refuses_a_visit_dated_in_the_future(staff_client, member):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        response = staff_client.post(
            reverse("admin:visits_visit_add"), _visit_form(member, "2026-03-03")
        )
    assert response.status_code == 200
    assert "走访日期不能晚于今天" in response.text
    assert not Visit.objects.exists()


def test_admin_refuses_a_visit_to_a_member_of_another_office(
    client, district_staff, office, other_office
):
    outsider = MemberFactory(office=other_office, name="外处委员", mobile="13711112222")
    form = _visit_form(outsider, "2026-03-01")
    form["office"] = str(office.pk)
    client.force_login(district_staff)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        response = client.post(reverse("admin:visits_visit_add"), form)
    assert response.status_code == 200
    assert "不属于" in response.text
    assert not Visit.objects.exists()


def test_admin_assign_step_refuses_another_offices_unit_with_a_message(
    client, district_staff, staff, member, other_office
):
    foreign = HandlingUnitFactory(office=other_office, name="东屯渡城管科")
    concern = services.concern_create(
        actor=staff,
        office=member.office,
        member=member,
        title="t",
        content="c",
        source=Concern.Source.STAFF,
    )
    client.force_login(district_staff)  # sees every office's units
    url = reverse("admin:visits_concern_step", args=[concern.pk, "assign"])
    response = client.post(url, {"unit": foreign.pk, "due_date": "", "note": ""})
    # The form offers only the concern's own office's units (and district-wide bodies),
    # so a forged choice is refused by the form; the service refuses it too.
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert foreign.name not in response.text.split("<select", 1)[1].split("</select>", 1)[0]
    assert Concern.objects.get().status == C.NEW


def test_staff_of_another_office_get_404_for_visits_and_concerns(client, other_staff, visit):
    client.force_login(other_staff)
    concern = visit.concerns.get()
    assert client.get(reverse("admin:visits_visit_change", args=[visit.pk])).status_code == 404
    assert client.get(reverse("admin:visits_concern_change", args=[concern.pk])).status_code == 404
    step = reverse("admin:visits_concern_step", args=[concern.pk, "triage"])
    assert client.post(step, {"scope": "within"}).status_code == 404
    assert Concern.objects.get().status == C.NEW


def test_staff_record_a_life_event_and_then_the_visit_in_the_admin(staff_client, staff, member):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        staff_client.post(
            reverse("admin:visits_lifeevent_add"),
            {
                "member": member.pk,
                "kind": "birthday",
                "occurred_on": "2026-03-06",
                "place": "",
                "description": "八十大寿",
            },
        )
        event = LifeEvent.objects.get()
        visit = event.visit
        assert (visit.status, visit.due_date) == (Visit.Status.PENDING, datetime.date(2026, 3, 9))
        url = reverse("admin:visits_visit_step", args=[visit.pk, "complete"])
        response = staff_client.post(
            url,
            {
                "visited_on": "2026-03-02",
                "team_users": [staff.pk],
                "leaders": "刘书记 党工委书记",
                "place": "委员家中",
                "amount": "",
                "gifts": "寿桃",
                "summary": "祝寿。",
                "staff_notes": "",
            },
            follow=True,
        )
    assert "已完成" in response.text
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE
    assert sorted(t.display_name for t in visit.team.all()) == sorted(["刘书记", "周文静"])


def test_concern_changelist_filters_overdue_and_exports_xlsx(staff_client, staff, member, cgk):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        late = services.concern_create(
            actor=staff,
            office=member.office,
            member=member,
            title="逾期的意见",
            content="c",
            source=Concern.Source.STAFF,
        )
        services.concern_assign(concern=late, actor=staff, unit=cgk)
        services.concern_create(
            actor=staff,
            office=member.office,
            member=member,
            title="新收集的意见",
            content="c",
            source=Concern.Source.STAFF,
        )
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, tzinfo=SHANGHAI)):
        page = staff_client.get(reverse("admin:visits_concern_changelist") + "?overdue=yes")
        assert "逾期的意见" in page.text and "新收集的意见" not in page.text
        export = staff_client.get(reverse("admin:visits_concern_export") + "?overdue=yes")
    assert export.status_code == 200, export.content[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("收集日期", "标题", "内容")
    assert [(r[1], r[rows[0].index("逾期")]) for r in rows[1:]] == [("逾期的意见", "是")]


def test_coverage_page_lists_members_still_to_visit_this_half_year(
    staff_client, member, other_member, staff, office
):
    services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.ROUTINE,
        visited_on=datetime.date(2026, 2, 1),
        members=[member],
    )
    services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.ROUTINE,
        visited_on=datetime.date(2026, 8, 1),
        members=[other_member],
    )
    with time_machine.travel(datetime.datetime(2026, 9, 1, 9, tzinfo=SHANGHAI)):
        page = staff_client.get(reverse("admin:visits_visit_coverage"))
        everyone = staff_client.get(reverse("admin:visits_visit_coverage") + "?show=year")
    table = page.text.split('data-testid="coverage-members"', 1)[1]
    assert member.name in table and other_member.name not in table
    # Both are below the yearly target of two visits.
    year_table = everyone.text.split('data-testid="coverage-members"', 1)[1]
    assert member.name in year_table and other_member.name in year_table


def test_district_coverage_counts_every_office_in_the_database(
    client, district_staff, office, other_office, staff
):
    here = bulk_members(office, 30, prefix="A")
    there = bulk_members(other_office, 20, prefix="B")
    bulk_visits(office, here, every=3, on=datetime.date(2026, 2, 10))
    bulk_visits(other_office, there, every=2, on=datetime.date(2026, 2, 10))
    client.force_login(district_staff)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)):
        page = client.get(reverse("admin:visits_visit_coverage"))
    rows = {row.office.code: row for row in page.context["rows"]}
    assert (rows["jcy"].serving, rows["jcy"].visited_half, rows["jcy"].not_visited_half) == (
        30,
        10,
        20,
    )
    assert (rows["dtb"].serving, rows["dtb"].visited_half) == (20, 10)
    assert rows["dtb"].below_target == 20  # one visit each, two required
    assert page.context["totals"]["not_visited_half"] == 30


@pytest.mark.parametrize("show", ["half", "year", "all"])
@pytest.mark.parametrize("chosen", ["", "jcy", "dtb"])
def test_coverage_list_pages_through_exactly_the_members_its_count_says(
    client, district_staff, office, other_office, staff, monkeypatch, show, chosen
):
    """The list's count comes from the summary rows (no second count of the roster):
    it must be the number of members the pages list, for every office and filter, with
    each office's own yearly target."""
    from visits import coverage
    from visits.models import VisitConfig

    monkeypatch.setattr(coverage, "PER_PAGE", 7)
    VisitConfig.objects.create(office=other_office, visits_per_year=1)
    here = bulk_members(office, 30, prefix="A")
    there = bulk_members(other_office, 20, prefix="B")
    bulk_visits(office, here, every=3, on=datetime.date(2026, 2, 10))
    bulk_visits(office, here, every=6, on=datetime.date(2026, 2, 20))
    bulk_visits(other_office, there, every=2, on=datetime.date(2026, 2, 10))
    picked = {"": "", "jcy": office.pk, "dtb": other_office.pk}[chosen]
    client.force_login(district_staff)
    listed, number, count = [], 1, None
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)):
        while number:
            page = client.get(
                reverse("admin:visits_visit_coverage"),
                {"office": picked, "show": show, "page": number},
            ).context["page"]
            count = page.paginator.count
            listed += page.object_list
            number = page.next_page_number() if page.has_next() else None
    expected = {
        ("", "half"): 30,  # 20 + 10 not visited
        ("", "year"): 35,  # jcy: 25 below two visits; dtb: 10 below one
        ("", "all"): 50,
        ("jcy", "half"): 20,
        ("jcy", "year"): 25,
        ("jcy", "all"): 30,
        ("dtb", "half"): 10,
        ("dtb", "year"): 10,
        ("dtb", "all"): 20,
    }[chosen, show]
    assert count == len(listed) == len({m.pk for m in listed}) == expected
    for member in listed:
        assert member.office.code in (chosen or "jcy dtb")
        assert member.target == (1 if member.office.code == "dtb" else 2)
        if show == "half":
            assert member.visits_half == 0 and member.last_visited_on is None
        if show == "year":
            assert member.visits_year < member.target


def test_concern_digest_counts_by_state_and_kind_for_the_month(staff_client, staff, member, cgk):
    with time_machine.travel(datetime.datetime(2026, 3, 5, 9, tzinfo=SHANGHAI)):
        first = services.concern_create(
            actor=staff,
            office=member.office,
            member=member,
            title="三月意见一",
            content="c",
            source=Concern.Source.VISIT,
        )
        services.concern_assign(concern=first, actor=staff, unit=cgk)
        services.concern_create(
            actor=staff,
            office=member.office,
            member=member,
            title="三月意见二",
            content="c",
            source=Concern.Source.PORTAL,
        )
    with time_machine.travel(datetime.datetime(2026, 4, 5, 9, tzinfo=SHANGHAI)):
        services.concern_create(
            actor=staff,
            office=member.office,
            member=member,
            title="四月意见",
            content="c",
            source=Concern.Source.STAFF,
        )
        page = staff_client.get(reverse("admin:visits_concern_digest") + "?period=2026-03")
        quarter = staff_client.get(reverse("admin:visits_concern_digest") + "?period=2026-Q1")
    assert page.context["total"] == 2
    statuses = dict(page.context["status_rows"])
    assert statuses["已交办"] == 1 and statuses["新收集"] == 1
    assert "三月意见一" in page.text and "四月意见" not in page.text
    assert "2026年3月" in page.text and "报：区政协、街道党工委" in page.text
    assert quarter.context["total"] == 2 and "第一季度" in quarter.text


def test_concern_digest_takes_the_month_by_the_office_clock(staff_client, staff, member):
    """Late on the month's last evening in Beijing time is that month's, just after
    midnight the next month's, whatever the server's clock (UTC) says."""
    for at, title in (
        (datetime.datetime(2026, 3, 31, 23, 30, tzinfo=SHANGHAI), "三月最后一晚"),
        (datetime.datetime(2026, 4, 1, 0, 10, tzinfo=SHANGHAI), "四月第一刻"),
        (datetime.datetime(2026, 3, 1, 0, 5, tzinfo=SHANGHAI), "三月第一刻"),
    ):
        with time_machine.travel(at):
            services.concern_create(
                actor=staff,
                office=member.office,
                member=member,
                title=title,
                content="c",
                source=Concern.Source.STAFF,
            )
    with time_machine.travel(datetime.datetime(2026, 4, 5, 9, tzinfo=SHANGHAI)):
        march = staff_client.get(reverse("admin:visits_concern_digest"), {"period": "2026-03"})
        april = staff_client.get(reverse("admin:visits_concern_digest"), {"period": "2026-04"})
    assert sorted(c.title for c in march.context["items"]) == ["三月最后一晚", "三月第一刻"]
    assert [c.title for c in april.context["items"]] == ["四月第一刻"]


def test_admin_visit_concern_and_coverage_pages_run_constant_queries_at_100_and_5000_members(
    client, office, other_office, staff, district_staff
):
    unit = HandlingUnitFactory(
        office=office, name="城管科", kind=HandlingUnit.Kind.STREET_DEPARTMENT
    )

    def grow(size, prefix):
        roster = bulk_members(office, size, prefix=prefix)
        bulk_visits(office, roster, every=2)
        bulk_members(other_office, size // 10, prefix=f"O{prefix}")
        concerns = bulk_concerns(office, roster, max(60, size // 10), unit=unit)
        refresh_planner_statistics()
        return concerns

    concerns = grow(100, "S")
    visit = Visit.objects.first()
    pages = [
        reverse("admin:visits_visit_changelist"),
        reverse("admin:visits_visit_change", args=[visit.pk]),
        reverse("admin:visits_concern_changelist"),
        reverse("admin:visits_concern_changelist") + "?overdue=yes",
        reverse("admin:visits_concern_change", args=[concerns[1].pk]),
        reverse("admin:visits_visit_coverage"),
        reverse("admin:visits_visit_coverage") + "?show=all&page=2",
        reverse("admin:visits_concern_digest") + "?period=2026-Q1",
        reverse("admin:index"),
    ]

    def count_all():
        counts = []
        with time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=SHANGHAI)):
            client.force_login(staff)
            counts += [_queries(client, url) for url in pages]
            client.force_login(district_staff)
            counts.append(_queries(client, reverse("admin:visits_visit_coverage")))
            counts.append(_queries(client, reverse("admin:visits_concern_changelist")))
        return counts

    small = count_all()
    grow(4900, "L")
    assert count_all() == small


def test_admin_pages_and_steps_render_for_each_state(staff_client, staff, member, cgk, visit):
    event = services.life_event_record(
        actor=staff,
        member=member,
        kind=LifeEvent.Kind.HOSPITALISED,
        occurred_on=datetime.date(2026, 3, 1),
    )
    concern = visit.concerns.get()
    pages = [
        reverse("admin:visits_visit_add"),
        reverse("admin:visits_visit_change", args=[visit.pk]),
        reverse("admin:visits_visit_change", args=[event.visit.pk]),
        reverse("admin:visits_visit_step", args=[event.visit.pk, "complete"]),
        reverse("admin:visits_visit_step", args=[visit.pk, "opinion"]),
        reverse("admin:visits_visit_history", args=[visit.pk]),
        reverse("admin:visits_lifeevent_add"),
        reverse("admin:visits_lifeevent_change", args=[event.pk]),
        reverse("admin:visits_concern_add"),
        reverse("admin:visits_concern_change", args=[concern.pk]),
        reverse("admin:visits_concern_history", args=[concern.pk]),
        reverse("admin:visits_visitconfig_changelist"),
    ]
    for step in ("triage", "assign", "escalate"):
        pages.append(reverse("admin:visits_concern_step", args=[concern.pk, step]))
    for url in pages:
        assert staff_client.get(url).status_code == 200, url
    pending_page = staff_client.get(reverse("admin:visits_visit_change", args=[event.visit.pk]))
    assert "登记走访情况" in pending_page.text
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    page = staff_client.get(reverse("admin:visits_concern_change", args=[concern.pk]))
    assert "代录办理结果" in page.text and "办理记录" in page.text
    for step in ("unit_acknowledge", "unit_progress", "unit_result", "coordinate"):
        url = reverse("admin:visits_concern_step", args=[concern.pk, step])
        assert staff_client.get(url).status_code in (200, 302), url


def test_staff_record_the_units_result_in_the_admin(staff_client, staff, cgk, visit):
    concern = visit.concerns.get()
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    url = reverse("admin:visits_concern_step", args=[concern.pk, "unit_result"])
    response = staff_client.post(
        url,
        {"outcome": "unresolvable", "result": "已协调", "reason": "", "resolved_on": "2026-03-05"},
    )
    assert "无法解决的，请说明原因" in response.text
    staff_client.post(
        url,
        {
            "outcome": "resolved",
            "result": "已新增夜间停车位。",
            "reason": "",
            "resolved_on": datetime.date.today().isoformat(),
        },
    )
    concern.refresh_from_db()
    assert concern.status == C.RESOLVED
    from liaison.models import StatusChange

    row = StatusChange.objects.filter(object_id=concern.pk, to_status="resolved").get()
    assert row.actor == staff and "工作人员代录" in row.actor_label


def test_bulk_feed_back_action_reports_refusals_per_concern(
    staff_client, staff, cgk, visit, member
):
    done = visit.concerns.get()
    services.concern_assign(concern=done, actor=staff, unit=cgk)
    services.concern_report_result(concern=done, resolved=True, result="已办")
    fresh = services.concern_create(
        actor=staff,
        office=member.office,
        member=member,
        title="新意见",
        content="c",
        source=Concern.Source.STAFF,
    )
    response = staff_client.post(
        reverse("admin:visits_concern_changelist") + "?year=all",
        {"action": "feed_back_selected", "_selected_action": [done.pk, fresh.pk]},
        follow=True,
    )
    assert "已反馈 1 件" in response.text
    assert "新意见" in response.text  # named with its refusal
    assert Concern.objects.get(pk=done.pk).status == C.FED_BACK
    assert Concern.objects.get(pk=fresh.pk).status == C.NEW


def test_visit_changelist_exports_xlsx_with_members_and_team(staff_client, visit, other_office):
    MemberFactory(office=other_office, name="外处委员", mobile="13712340000")
    response = staff_client.get(reverse("admin:visits_visit_export") + "?year=2026")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:4] == ("走访日期", "走访类型", "走访委员", "走访人员")
    assert rows[1][1:4] == ("探望病患", "唐朝阳", "周文静")
    assert "家属经济困难" not in str(rows)  # staff-only notes stay out of the export


def test_admin_visit_search_finds_each_visit_once_by_member_place_or_summary(
    staff_client, staff, office, other_office
):
    """Two visited members named 王: the visit is listed once, and the list reads no
    DISTINCT rows (the members are a subquery, not a join that repeats the visit);
    another office's 王 is not found."""
    wangs = [MemberFactory(office=office, name=name) for name in ("王芳", "王建国")]
    li = MemberFactory(office=office, name="李明")
    elsewhere = MemberFactory(office=other_office, name="王小红")
    record = dict(actor=staff, office=office, kind=Visit.Kind.ROUTINE, team_users=[staff])
    both = services.visit_record(
        **record, visited_on=datetime.date(2026, 3, 2), members=wangs, summary="谈心"
    )
    at_home = services.visit_record(
        **record, visited_on=datetime.date(2026, 3, 3), members=[li], place="王家湾社区"
    )
    services.visit_record(
        **record, visited_on=datetime.date(2026, 3, 4), members=[li], summary="慰问"
    )
    services.visit_record(
        **{**record, "office": other_office},
        visited_on=datetime.date(2026, 3, 5),
        members=[elsewhere],
        summary="慰问",
    )
    url = reverse("admin:visits_visit_changelist") + "?year=2026&q=%E7%8E%8B"
    with CaptureQueriesContext(connection) as ctx:
        response = staff_client.get(url)
    assert response.status_code == 200
    listed = response.context["cl"].result_list
    assert sorted(v.pk for v in listed) == sorted([both.pk, at_home.pk])
    assert not any("DISTINCT" in q["sql"] for q in ctx.captured_queries)
    assert response.context["cl"].result_count == 2
