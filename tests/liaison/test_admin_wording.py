"""The admin speaks as an office would: staff greeted by name, list and record pages
titled by what they hold, not Django's stock machine wording."""

from django.urls import reverse

from tests.factories import MemberFactory


def test_staff_are_greeted_by_name_and_pages_are_titled_plainly(staff_client, staff, office):
    member = MemberFactory(office=office, name="王芳")

    index = staff_client.get(reverse("admin:index")).text
    changelist = staff_client.get(reverse("admin:members_member_changelist")).text
    change = staff_client.get(reverse("admin:members_member_change", args=[member.pk])).text
    add = staff_client.get(reverse("admin:members_member_add")).text

    assert "您好，" in index and "<strong>周文静</strong>" in index
    assert "最近动作" not in index and "无可选的" not in index
    assert "选择 委员 来修改" not in changelist and "<h1>委员</h1>" in changelist
    assert "修改 委员" not in change and "<h1>委员</h1>" in change
    assert "<h1>新增委员</h1>" in add


def test_the_menu_runs_across_the_top_grouped_by_the_office_s_work(staff_client):
    page = staff_client.get(reverse("admin:members_member_changelist"))
    areas = [str(area["name"]) for area in page.context["available_apps"]]
    listed = [m["object_name"] for area in page.context["available_apps"] for m in area["models"]]

    assert areas == [
        "委员",
        "提案与社情民意",
        "活动",
        "走访与意见建议",
        "征求意见",
        "计划与报告",
        "设置",
    ]
    assert len(listed) == len(set(listed))  # each page once
    assert {"Member", "Proposal", "Concern", "HandlingUnit", "CalendarDay"} <= set(listed)
    area_of = {
        m["object_name"]: str(area["name"])
        for area in page.context["available_apps"]
        for m in area["models"]
    }
    # Records the office works on sit with their work, not among the settings.
    assert area_of["StudyMaterial"] == area_of["PointEntry"] == area_of["DutyClaim"] == "委员"
    assert area_of["FollowUp"] == "提案与社情民意" and area_of["Speech"] == "活动"
    assert area_of["ProposalCategory"] == area_of["VisitConfig"] == "设置"
    assert 'class="work-nav"' in page.text
    assert 'id="nav-sidebar"' not in page.text  # the table keeps the screen's width


def test_filters_are_menus_above_the_table_saying_what_is_chosen(staff_client):
    page = staff_client.get(
        reverse("admin:members_member_changelist"), {"status__exact": "serving"}
    ).text

    assert 'class="filter-menu"' in page and " open>" not in page  # closed until asked
    assert '<span class="filter-current">在任</span>' in page
    assert "admin-tables.js" in page


def test_save_and_add_another_only_where_records_are_typed_in_series(
    staff_client, district_staff, client
):
    member_add = staff_client.get(reverse("admin:members_member_add")).text
    client.force_login(district_staff)
    calendar_add = client.get(reverse("admin:liaison_calendarday_add")).text

    assert 'name="_addanother"' not in member_add
    assert 'name="_addanother"' in calendar_add
