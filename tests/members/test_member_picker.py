"""Choosing members from a large office does not ship the office to the browser (issue
16): past members.picking.FULL_LIST_MAX candidates the picker is search-first — the
pages weigh the same and run the same queries with ten times the members, the search
returns only members the account may see, presets are resolved on the server, and a
member posted from outside the scope is refused with nothing changed."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import ActivityGroup, Member
from members.picking import FULL_LIST_MAX
from proposals.models import Proposal, ResearchReport
from tests.factories import MemberFactory, member_with_account, proposal_draft
from visits.models import Visit

pytestmark = pytest.mark.django_db

PICK = "/admin/members/member/pick/"
PORTAL_PICK = "/portal/proposals/cosigners/"


def _add_members(office, n, **kwargs):
    """``n`` serving members of ``office`` (saved in one statement: the sizes here are
    the point, not the factory)."""
    start = Member.objects.count()
    rows = [
        MemberFactory.build(
            office=office,
            name=f"成员{start + i:04d}",
            stroke_key=f"{start + i:06d}",
            mobile=f"158{start + i:08d}",
            member_no=f"BK{start + i:05d}",
            email=f"bulk{start + i}@example.cn",
            **kwargs,
        )
        for i in range(n)
    ]
    return Member.objects.bulk_create(rows)


def _add_done_visits(office, n):
    Visit.objects.bulk_create(
        Visit(
            office=office,
            kind=Visit.Kind.choices[0][0],
            status=Visit.Status.DONE,
            visited_on=datetime.date(2026, 3, 1) + datetime.timedelta(days=i % 200),
        )
        for i in range(n)
    )


def _weigh(client, url):
    """The page's size in bytes (less the per-request CSRF token) and its query count."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)
    return len(html.encode()), len(queries)


def _grows(client, urls, grow):
    """Each page weighed with the data as it is and after ``grow()`` (nine times more
    members): {url: ((bytes, queries) before, after)}. A first request warms the
    per-process caches (content types)."""
    for url in urls:
        client.get(url)
    before = {url: _weigh(client, url) for url in urls}
    grow()
    return {url: (before[url], _weigh(client, url)) for url in urls}


def test_admin_member_pickers_weigh_the_same_with_ten_times_the_members(
    client, staff, office, member
):
    _add_members(office, 100)  # past FULL_LIST_MAX: search-first from the start
    _add_done_visits(office, 100)
    proposal = proposal_draft(member=member)
    client.force_login(staff)
    urls = [
        "/admin/proposals/researchreport/add/",
        "/admin/visits/concern/add/",
        "/admin/visits/visit/add/",
        "/admin/members/activitygroup/add/",
        f"/admin/proposals/proposal/{proposal.pk}/change/",
    ]

    def grow():
        _add_members(office, 900)
        _add_done_visits(office, 900)

    for url, (small, large) in _grows(client, urls, grow).items():
        assert large == small, url
    page = client.get("/admin/proposals/researchreport/add/").text
    assert "data-memberpicker" in page
    assert "成员0050" not in page  # no member is listed until searched for


def test_district_staff_pick_the_office_first_and_the_page_does_not_grow(
    client, district_staff, office, other_office
):
    _add_members(office, 80)
    _add_members(other_office, 80)
    _add_done_visits(office, 50)
    client.force_login(district_staff)
    urls = ["/admin/proposals/researchreport/add/", "/admin/visits/concern/add/"]

    def grow():
        _add_members(office, 720)
        _add_members(other_office, 720)
        _add_done_visits(office, 450)

    for url, (small, large) in _grows(client, urls, grow).items():
        assert large == small, url
    page = client.get("/admin/proposals/researchreport/add/").text
    assert 'data-office-field="office"' in page
    assert "请先选择联络处，再选择委员。" in page


def test_portal_cosigner_picker_weighs_the_same_with_ten_times_the_members(client, office, member):
    _add_members(office, 100)
    proposal = proposal_draft(member=member)
    client.force_login(member.user)
    urls = ["/portal/proposals/new/", f"/portal/proposals/{proposal.pk}/edit/"]
    for url, (small, large) in _grows(client, urls, lambda: _add_members(office, 900)).items():
        assert large == small, url
    page = client.get("/portal/proposals/new/").text
    assert "data-memberpicker" in page
    assert 'data-url="/portal/proposals/cosigners/"' in page
    assert "js/memberpicker.js" in page


def test_a_small_office_still_ticks_from_the_whole_list(staff_client, office, member):
    _add_members(office, FULL_LIST_MAX - 5)
    page = staff_client.get("/admin/proposals/researchreport/add/").text
    assert 'class="picklist"' in page and "data-memberpicker" not in page
    assert "成员0003" in page


def test_admin_search_returns_only_the_accounts_members(
    client, staff, district_staff, office, other_office, member
):
    mine = MemberFactory(office=office, name="王建国", mobile="13712345678")
    theirs = MemberFactory(office=other_office, name="王建军", mobile="13712345679")
    MemberFactory(office=office, name="王建华", status=Member.Status.TERM_ENDED)
    client.force_login(staff)
    found = client.get(PICK, {"q": "王建"}).json()
    assert [r["id"] for r in found["results"]] == [mine.pk]
    assert found["results"][0]["label"] == f"王建国（{mine.sector.name}）"
    # Asking for another office's members by its id returns nothing.
    assert client.get(PICK, {"q": "王建", "office": other_office.pk}).json()["results"] == []
    assert client.get(PICK, {"preset": "all", "office": other_office.pk}).json()["count"] == 0
    # Digits: the start of a mobile (or member) number.
    assert [r["id"] for r in client.get(PICK, {"q": "1371234"}).json()["results"]] == [mine.pk]
    # One character finds nothing: type two.
    assert client.get(PICK, {"q": "王"}).json()["results"] == []

    client.force_login(district_staff)
    both = client.get(PICK, {"q": "王建"}).json()["results"]
    assert {r["id"] for r in both} == {mine.pk, theirs.pk}
    narrowed = client.get(PICK, {"q": "王建", "office": other_office.pk}).json()["results"]
    assert [r["id"] for r in narrowed] == [theirs.pk]


def test_the_search_endpoint_is_for_staff_only(client, member):
    client.force_login(member.user)
    response = client.get(PICK, {"q": "唐朝"})
    assert response.status_code == 302  # to the admin's sign-in, no names
    assert "唐朝阳" not in response.content.decode()


def test_search_lists_twenty_and_says_there_are_more(staff_client, office):
    _add_members(office, 25)
    found = staff_client.get(PICK, {"q": "成员"}).json()
    assert len(found["results"]) == 20 and found["more"] is True


def test_presets_select_the_right_members_and_show_their_sizes(staff_client, office, member):
    standing = MemberFactory(office=office, name="常委甲", role=Member.Role.STANDING)
    MemberFactory(
        office=office, name="退休乙", role=Member.Role.STANDING, status=Member.Status.TERM_ENDED
    )
    group = ActivityGroup.objects.create(office=office, name="城建组")
    group.members.set([member, standing])
    presets = {p["key"]: p for p in staff_client.get(PICK, {"presets": 1}).json()["presets"]}
    assert presets["all"]["size"] == 2
    assert presets[f"role:{Member.Role.STANDING}"]["size"] == 1
    assert presets[f"sector:{member.sector_id}"]["size"] == 2
    assert presets[f"group:{group.pk}"] == {
        "key": f"group:{group.pk}",
        "kind": "group",
        "label": "活动组：城建组",
        "size": 2,
    }

    def chosen(key):
        return [r["id"] for r in staff_client.get(PICK, {"preset": key}).json()["results"]]

    assert chosen(f"role:{Member.Role.STANDING}") == [standing.pk]
    assert sorted(chosen(f"group:{group.pk}")) == sorted([member.pk, standing.pk])
    assert sorted(chosen("all")) == sorted([member.pk, standing.pk])
    assert chosen("group:999999") == [] and chosen("nonsense") == []


def test_a_research_group_chosen_by_search_is_saved_and_shown_as_chips(
    staff_client, office, member
):
    _add_members(office, 100)
    picked = staff_client.get(PICK, {"q": "成员0042"}).json()["results"]
    data = {
        "year": 2026,
        "topic": "老旧小区加装电梯调研",
        "lead_member": member.pk,
        "group_members": [picked[0]["id"]],
        "summary": "走访三个小区。",
        "adoptions-TOTAL_FORMS": 0,
        "adoptions-INITIAL_FORMS": 0,
    }
    response = staff_client.post("/admin/proposals/researchreport/add/", data)
    assert response.status_code == 302
    report = ResearchReport.objects.get()
    assert [m.name for m in report.group_members.all()] == ["成员0042"]
    page = staff_client.get(f"/admin/proposals/researchreport/{report.pk}/change/").text
    chips = re.findall(r'<input type="checkbox" name="group_members" value="(\d+)" checked>', page)
    assert chips == [str(picked[0]["id"])]
    assert "已选 <strong>1</strong>" in page


def test_a_research_group_member_from_another_office_is_refused(
    staff_client, office, other_office, member
):
    _add_members(office, 100)
    elsewhere = MemberFactory(office=other_office, name="外处甲")
    data = {
        "year": 2026,
        "topic": "老旧小区加装电梯调研",
        "lead_member": member.pk,
        "group_members": [elsewhere.pk],
        "summary": "走访三个小区。",
        "adoptions-TOTAL_FORMS": 0,
        "adoptions-INITIAL_FORMS": 0,
    }
    response = staff_client.post("/admin/proposals/researchreport/add/", data)
    assert response.status_code == 200
    assert "所选委员中有不在可选范围内的" in response.text
    assert not ResearchReport.objects.exists()


def test_portal_search_lists_serving_members_of_the_own_office_only(
    client, office, other_office, member, other_member
):
    MemberFactory(office=other_office, name="黄德明")
    MemberFactory(office=office, name="黄德华", status=Member.Status.TERM_ENDED)
    client.force_login(member.user)
    found = client.get(PORTAL_PICK, {"q": "黄德"}).json()["results"]
    assert [r["id"] for r in found] == [other_member.pk]
    # The member's own office whatever is asked for; never the member themself.
    assert client.get(PORTAL_PICK, {"q": "黄德", "office": other_office.pk}).json()["results"] == []
    assert client.get(PORTAL_PICK, {"q": "唐朝"}).json()["results"] == []
    everyone = client.get(PORTAL_PICK, {"preset": "all"}).json()
    assert [r["id"] for r in everyone["results"]] == [other_member.pk]


def test_portal_cosigners_chosen_by_search_are_invited_and_strangers_refused(
    client, office, other_office, member, other_member
):
    _add_members(office, 100)
    stranger = member_with_account(office=other_office, name="外处丙")
    client.force_login(member.user)
    form = {
        "title": "关于规范共享单车停放的建议",
        "category": Proposal._meta.get_field("category").related_model.objects.first().pk,
        "reasons": "乱停乱放。",
        "suggestions": "划定停放区。",
    }
    refused = client.post("/portal/proposals/new/", {**form, "cosigners": [stranger.pk]})
    assert refused.status_code == 200
    assert "所选的附议人不在本联络处在任委员之中" in refused.text
    assert not Proposal.objects.exists()

    found = client.get(PORTAL_PICK, {"q": "黄德"}).json()["results"]
    sent = client.post("/portal/proposals/new/", {**form, "cosigners": [found[0]["id"]]})
    assert sent.status_code == 302
    proposal = Proposal.objects.get()
    assert [c.member for c in proposal.cosigners.all()] == [other_member]
    edit = client.get(f"/portal/proposals/{proposal.pk}/edit/").text
    assert re.search(rf'name="cosigners" value="{other_member.pk}" checked', edit)


def test_the_activity_group_list_counts_members_per_group_shown(
    client, staff, office, django_assert_max_num_queries
):
    """The member count is read per group on the page, not by grouping every membership
    of the district before the page and its count (issue 16)."""
    from members.models import ActivityGroup

    group = ActivityGroup.objects.create(office=office, name="经济界活动组")
    group.members.set(_add_members(office, 5))
    client.force_login(staff)
    url = "/admin/members/activitygroup/"
    with django_assert_max_num_queries(20) as few:
        page = client.get(url)
    assert [g.n_members for g in page.context["cl"].result_list] == [5]
    group.members.add(*_add_members(office, 45))
    with django_assert_max_num_queries(len(few.captured_queries)) as more:
        page = client.get(url)
    assert [g.n_members for g in page.context["cl"].result_list] == [50]
    assert not any("GROUP BY" in q["sql"] and "COUNT(*)" in q["sql"] for q in more.captured_queries)
