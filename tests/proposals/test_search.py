"""Issue 20, item 1: members and staff search proposals, public-opinion reports and
replies by words (Chinese: no spaces), with filters and highlighted matches; members
find only what they may see; bad input gets a message and no scan."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals import search, services, textindex
from proposals.models import OpinionReport, Proposal
from proposals.services import opinion_report_create
from tests.factories import HandlingUnitFactory, proposal_draft

pytestmark = pytest.mark.django_db


def _replied(member, staff, office, *, title, suggestions, reply, grade="A", unit="城管科"):
    proposal = proposal_draft(member=member, title=title, suggestions=suggestions)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    services.proposal_assign(
        proposal=proposal, actor=staff, lead_unit=HandlingUnitFactory(office=office, name=unit)
    )
    services.reply_record(
        assignment=proposal.assignments.get(), grade=grade, content=reply, contact_method="visit"
    )
    return Proposal.objects.get(pk=proposal.pk)


@pytest.fixture
def elevator(member, staff, office):
    return _replied(
        member,
        staff,
        office,
        title="关于老旧小区加装电梯的建议",
        suggestions="简化审批流程，加大财政补贴。",
        reply="已将加装电梯纳入民生实事项目，年内完成20台。",
        grade="B",
        unit="住建科",
    )


@pytest.fixture
def parking(other_member, staff, office):
    return _replied(
        other_member,
        staff,
        office,
        title="关于背街小巷停车难的建议",
        suggestions="错时开放单位停车位。",
        reply="已在三条巷道施划限时停车泊位。",
    )


def _portal(client, **params):
    return client.get(reverse("portal:proposal_search"), params)


def _admin(client, **params):
    return client.get(reverse("admin:proposals_proposal_search"), params)


# --- Finding and highlighting -------------------------------------------------------------


def test_a_phrase_with_latin_letters_matches_whatever_their_case(
    member_client, member, staff, office
):
    # Chinese words are compared as typed (they have no case); letters are not.
    _replied(
        member,
        staff,
        office,
        title="关于小区增设5G基站和WiFi热点的建议",
        suggestions="在社区服务中心开放免费WiFi。",
        reply="已协调运营商开通。",
    )
    page = _portal(member_client, q="wifi热点").content.decode()
    assert "<mark>WiFi热点</mark>" in page
    assert "没有找到符合条件的提案" not in page


def test_member_finds_a_public_proposal_by_a_word_of_its_reply_highlighted(member_client, parking):
    page = _portal(member_client, q="泊位").content.decode()
    assert "关于背街小巷停车难的建议" in page
    assert "<mark>泊位</mark>" in page
    # Not theirs: read on the office's public page.
    assert reverse("public:proposals", args=[parking.office.code, parking.year]) in page


def test_words_inside_a_sentence_are_found_without_spaces(staff_client, elevator, parking):
    page = _admin(staff_client, q="加装电梯").content.decode()
    assert "关于老旧小区<mark>加装电梯</mark>的建议" in page
    assert "背街小巷" not in page
    # Every term must occur: 电梯 and 停车 are never in one proposal.
    page = _admin(staff_client, q="电梯 停车").content.decode()
    assert "没有找到符合条件的提案" in page


def test_highlighting_escapes_the_text_before_marking(member, staff, office, staff_client):
    _replied(
        member,
        staff,
        office,
        title="关于<script>alert(1)</script>路灯照明的建议",
        suggestions="增设路灯。",
        reply="已增设路灯。",
    )
    page = _admin(staff_client, q="路灯照明").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>路灯照明</mark>" in page
    assert search.highlight("<b>停车</b>", ["停车"]) == "&lt;b&gt;<mark>停车</mark>&lt;/b&gt;"


def test_edited_text_is_searched_as_it_now_reads(member, member_client):
    draft = proposal_draft(member=member, title="关于社区书屋的建议")
    assert "关于社区<mark>书屋</mark>的建议" in _portal(member_client, q="书屋").content.decode()
    services.proposal_save_draft(
        actor=member.user,
        member=member,
        proposal=draft,
        title="关于社区老年大学的建议",
        reasons=draft.reasons,
        suggestions=draft.suggestions,
        category=draft.category,
        cosigners=[],
        attachment=None,
    )
    assert "没有找到符合条件的提案" in _portal(member_client, q="书屋").content.decode()
    assert "社区<mark>老年大学</mark>" in _portal(member_client, q="老年大学").content.decode()


# --- Visibility ---------------------------------------------------------------------------


def test_member_never_finds_another_members_private_or_unregistered_proposal(
    member_client, other_member, staff, parking
):
    services.proposal_set_disclosure(
        proposal=parking, actor=staff, is_public=False, reason="涉及个人隐私"
    )
    unregistered = proposal_draft(member=other_member, title="关于菜市场改造的建议")
    services.proposal_submit(proposal=unregistered, actor=other_member.user)
    for word in ("停车", "泊位", "菜市场"):
        page = _portal(member_client, q=word).content.decode()
        assert "没有找到符合条件的提案" in page, word


def test_member_finds_what_they_co_signed_and_their_own_reports(
    member, other_member, member_client
):
    joint = proposal_draft(member=other_member, title="关于夜间经济的建议", cosigners=[member])
    report = opinion_report_create(
        actor=member.user,
        office=member.office,
        member=member,
        title="关于夜市噪音扰民的情况反映",
        situation="夜市经营至凌晨，噪音较大。",
        suggestion="限定夜市经营时段。",
    )
    other = opinion_report_create(
        actor=other_member.user,
        office=other_member.office,
        member=other_member,
        title="关于夜市占道经营的情况反映",
        situation="夜市摊位占用人行道。",
        suggestion="划定摊区。",
    )
    page = _portal(member_client, q="夜间经济").content.decode()
    assert reverse("portal:proposal_detail", args=[joint.pk]) in page
    page = _portal(member_client, q="夜市").content.decode()
    assert reverse("portal:opinion_detail", args=[report.pk]) in page
    assert other.title not in page


def test_staff_search_their_office_and_district_staff_every_office(
    client, staff, other_staff, district_staff, elevator
):
    client.force_login(other_staff)
    assert elevator.title not in _admin(client, q="电梯").content.decode()
    client.force_login(district_staff)
    assert "关于老旧小区加装<mark>电梯</mark>的建议" in _admin(client, q="电梯").content.decode()


def test_staff_find_opinion_reports(staff_client, member):
    report = opinion_report_create(
        actor=member.user,
        office=member.office,
        member=member,
        title="关于燃气管道老化的情况反映",
        situation="部分小区燃气管道锈蚀。",
        suggestion="分批更换。",
    )
    services.opinion_report_move(
        report=report, actor=member.user, target=OpinionReport.Status.SUBMITTED
    )
    page = _admin(staff_client, q="燃气").content.decode()
    assert "关于<mark>燃气</mark>管道老化的情况反映" in page
    assert OpinionReport.objects.get(pk=report.pk).text_grams


# --- Filters ------------------------------------------------------------------------------


def test_filters_by_grade_unit_status_and_year(staff_client, elevator, parking):
    lift, lane = "老旧小区加装电梯", "背街小巷停车难"
    page = _admin(staff_client, q="建议", grade="B").content.decode()
    assert lift in page and lane not in page
    unit = parking.assignments.get().unit
    page = _admin(staff_client, q="建议", unit=unit.pk).content.decode()
    assert lane in page and lift not in page
    page = _admin(staff_client, q="建议", status="closed").content.decode()
    assert "没有找到符合条件的提案" in page
    page = _admin(staff_client, q="建议", year=elevator.year, kind="proposals").content.decode()
    assert lift in page and lane in page
    page = _admin(staff_client, q="建议", year=elevator.year - 1).content.decode()
    assert "筛选条件有误" in page  # a year with no proposals is not among the choices


def test_member_status_filter_reads_as_the_member_does(member_client, member, staff, office):
    proposal = proposal_draft(member=member, title="关于社区健身器材的建议")
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    services.proposal_assign(
        proposal=proposal, actor=staff, lead_unit=HandlingUnitFactory(office=office)
    )
    services.assignment_acknowledge(assignment=proposal.assignments.get())
    # 办理中 covers assigned and acknowledged alike.
    page = _portal(member_client, q="健身器材", status="assigned").content.decode()
    assert "健身器材" in page and "没有找到符合条件的提案" not in page


# --- Bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "请输入要搜索的关键词"),
        ("梯", "关键词至少要有两个字"),
        ("，。！？……", "关键词至少要有两个字"),
        ("电" * 10_000, "搜索内容过长"),
        ("电梯 停车 菜场 养老 助餐 路灯", "关键词最多5个"),
    ],
)
def test_bad_input_gets_a_message_and_reads_no_proposal(member_client, elevator, q, message):
    with CaptureQueriesContext(connection) as queries:
        response = _portal(member_client, q=q)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not any(
        "proposals_proposal" in query["sql"] and "LIKE" in query["sql"]
        for query in queries.captured_queries
    )


def test_admin_bad_input_too(staff_client):
    response = _admin(staff_client, q="a" * 10_000)
    assert response.status_code == 200 and "搜索内容过长" in response.content.decode()


def test_words_are_checked_among_the_newest_rows_holding_their_grams(member, monkeypatch):
    """A word in every proposal costs what a rare one costs: the database stops after
    the newest CANDIDATE_LIMIT rows holding the grams, then checks the words."""
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 3)
    for i in range(5):
        proposal_draft(member=member, title=f"关于第{i}个社区停车的建议")
    found = search.search_proposals(
        search.visible_proposals(member=member), ["停车"], search.Filters()
    )
    assert [p.title for p in found] == [f"关于第{i}个社区停车的建议" for i in (4, 3, 2)]


def test_many_matches_are_shown_a_page_at_a_time_newest_first(staff_client, member, staff):
    for i in range(search.PAGE + 3):
        proposal_draft(member=member, title=f"关于第{i}条巷道停车的建议")
        services.proposal_submit(proposal=Proposal.objects.latest("pk"), actor=member.user)
    first = _admin(staff_client, q="停车").content.decode()
    assert first.count("巷道<mark>停车</mark>") == search.PAGE
    assert f"关于第{search.PAGE + 2}条巷道" in first and "关于第0条巷道" not in first
    assert "第1页" in first and "page=2" in first and "上一页" not in first
    second = _admin(staff_client, q="停车", page=2).content.decode()
    assert second.count("巷道<mark>停车</mark>") == 3
    assert "关于第0条巷道" in second and "上一页" in second and "下一页" not in second
    assert "q=%E5%81%9C%E8%BD%A6" in second  # the links keep the search


def test_a_page_out_of_range_shows_the_first(staff_client, member):
    proposal_draft(member=member, title="关于巷道停车的建议")
    services.proposal_submit(proposal=Proposal.objects.latest("pk"), actor=member.user)
    for page in ("0", "-1", "abc", str(search.MAX_PAGE + 1), "9" * 30):
        html = _admin(staff_client, q="停车", page=page).content.decode()
        assert "巷道<mark>停车</mark>" in html, page


def test_the_last_page_of_candidates_says_to_narrow_the_search(monkeypatch, staff_client, member):
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 4)
    monkeypatch.setattr(search, "PAGE", 2)
    monkeypatch.setattr(search, "MAX_PAGE", 2)
    for i in range(6):
        proposal_draft(member=member, title=f"关于第{i}条巷道停车的建议")
        services.proposal_submit(proposal=Proposal.objects.latest("pk"), actor=member.user)
    first = _admin(staff_client, q="停车").content.decode()
    assert "最多列出最新的4件" not in first
    last = _admin(staff_client, q="停车", page=2).content.decode()
    assert last.count("巷道<mark>停车</mark>") == 2 and "下一页" not in last
    assert "最多列出最新的4件，请加关键词或筛选条件缩小范围。" in last


def test_search_pages_are_linked(client, staff, member):
    client.force_login(staff)
    page = client.get(reverse("admin:proposals_proposal_changelist")).content.decode()
    assert reverse("admin:proposals_proposal_search") in page
    client.force_login(member.user)
    page = client.get(reverse("portal:proposals")).content.decode()
    assert reverse("portal:proposal_search") in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN indexes are PostgreSQL's")
def test_on_postgresql_search_and_similar_candidates_are_index_lookups(elevator):
    """The migration's GIN indexes serve the gram conditions (SQLite scans instead)."""
    with connection.cursor() as cursor:
        # On a few rows the planner may otherwise walk the ordering's B-tree and filter.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = Proposal.objects.filter(search._has_grams("电梯")).order_by().explain()
    assert "proposal_text_grams_idx" in plan and "proposal_reply_grams_idx" in plan
    candidates = Proposal.objects.filter(textindex.has_any("similarity_grams", ["电梯"])).order_by()
    assert "proposal_similarity_grams_idx" in candidates.explain()


def test_a_member_still_finds_their_own_proposal_made_in_another_office(
    member, other_office, office
):
    """A member who moved offices: what they proposed before is theirs still."""
    proposal_draft(member=member, title="关于老街停车的建议")
    services.proposal_submit(proposal=Proposal.objects.latest("pk"), actor=member.user)
    member.office = other_office
    member.save(update_fields=["office"])
    found = search.search_proposals(
        search.visible_proposals(member=member), ["停车"], search.Filters()
    )
    assert [p.title for p in found] == ["关于老街停车的建议"]


def test_a_unit_added_shows_in_the_filter_within_a_minute(member_client, staff, office):
    staff_client = Client()
    staff_client.force_login(staff)
    HandlingUnitFactory(office=office, name="城管科")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert "城管科" in _portal(member_client, q="停车").text
        assert "城管科" in _admin(staff_client, q="停车").text
        HandlingUnitFactory(office=office, name="住建局")
        # Kept for a minute (search.filter_lists): the filter does not list it yet.
        assert "住建局" not in _portal(member_client, q="停车").text
    later = start + datetime.timedelta(seconds=search.FILTER_LISTS_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert "住建局" in _portal(member_client, q="停车").text
        assert "住建局" in _admin(staff_client, q="停车").text
        # and a unit chosen in it is checked against the units as they are now
        response = _portal(member_client, q="停车", unit="999999")
        assert response.status_code == 200
        assert "筛选条件有误" in response.text
