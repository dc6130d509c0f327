"""The member's home page: what waits for the member, each with its deadline and a tap
to where it is done, and the member's own proposals and reports — at a cost that does
not grow with the member's history."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.models import Notification
from proposals import services as proposal_services
from tests.factories import (
    HandlingUnitFactory,
    activity_published,
    proposal_draft,
    proposal_replied,
    shanghai,
)
from visits import services as visit_services
from visits.models import Concern

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _home(client):
    return client.get(reverse("portal:dashboard")).content.decode()


def _concern_fed_back(*, staff, member, office, unit="城管科"):
    unit = HandlingUnitFactory(office=office, name=unit)
    concern = visit_services.concern_create(
        actor=staff,
        office=office,
        member=member,
        title="小区路灯不亮",
        content="三号栋前路灯坏了一个月。",
        source=Concern.Source.STAFF,
    )
    visit_services.concern_assign(concern=concern, actor=staff, unit=unit)
    visit_services.concern_report_result(concern=concern, resolved=True, result="已修复。")
    visit_services.concern_feed_back(concern=concern, actor=staff)
    return concern


@pytest.fixture
def everything_waiting(member, other_member, staff, office):
    """One of each to-do for ``member``."""
    with time_machine.travel(NOW, tick=False):
        replied = proposal_replied(
            member=member,
            staff=staff,
            unit=HandlingUnitFactory(office=office),
            title="关于增设社区养老服务站的建议",
        )
        cosign = proposal_draft(
            member=other_member, cosigners=[member], title="关于规范共享单车停放的建议"
        )
        activity = activity_published(
            office=office,
            actor=staff,
            members=[member],
            title="上半年政情通报会",
            starts_at=shanghai(2026, 3, 20, 14, 30),
        )
        concern = _concern_fed_back(staff=staff, member=member, office=office)
    return {"rate": replied, "cosign": cosign, "reply": activity, "confirm": concern}


def test_home_lists_each_thing_the_member_must_do_with_a_deadline_and_a_link(
    member_client, everything_waiting
):
    with time_machine.travel(NOW, tick=False):
        page = _home(member_client)
    for kind in ("rate", "cosign", "reply", "confirm"):
        assert f'data-todo="{kind}"' in page, kind
    rated = everything_waiting["rate"]
    assert reverse("portal:proposal_detail", args=[rated.pk]) in page
    due = rated.feedback_due_date
    assert f"请于{due.month}月{due.day}日前" in page
    assert "请于3月20日前" in page  # answer the invitation before the activity starts
    assert reverse("portal:concern_detail", args=[everything_waiting["confirm"].pk]) in page
    # The placeholder that always said 暂无提案记录 is gone: the member's proposal is there.
    assert "暂无提案记录" not in page
    assert "关于增设社区养老服务站的建议" in page


def test_a_late_rating_is_marked_overdue_and_comes_first(member_client, everything_waiting):
    late = everything_waiting["rate"].feedback_due_date + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(9)), tick=False):
        page = _home(member_client)
    assert "已逾期" in page
    assert page.index('data-todo="rate"') < page.index('data-todo="cosign"')


def test_a_to_do_done_leaves_the_home_page(member_client, member, everything_waiting):
    cosign = everything_waiting["cosign"]
    with time_machine.travel(NOW, tick=False):
        member_client.post(reverse("portal:proposal_act", args=[cosign.pk, "cosign_accept"]))
        rated = everything_waiting["rate"]
        member_client.post(
            reverse("portal:proposal_act", args=[rated.pk, "feedback"]), {"verdict": "satisfied"}
        )
        page = _home(member_client)
    assert 'data-todo="cosign"' not in page and 'data-todo="rate"' not in page
    assert 'data-todo="reply"' in page


def test_the_home_page_kept_between_views_shows_any_change_at_the_next_view(
    member_client, member, staff, office, everything_waiting, django_assert_max_num_queries
):
    with time_machine.travel(NOW, tick=False):
        assert 'data-todo="cosign"' in _home(member_client)
        with django_assert_max_num_queries(5):  # kept: nothing changed
            _home(member_client)
        # The member's own action, and a staff member's in the office.
        cosign = everything_waiting["cosign"]
        member_client.post(reverse("portal:proposal_act", args=[cosign.pk, "cosign_accept"]))
        _concern_fed_back(staff=staff, member=member, office=office, unit="住建科")
        page = _home(member_client)
    assert 'data-todo="cosign"' not in page
    assert page.count('data-todo="confirm"') == 2


def test_a_new_member_sees_empty_states_with_the_actions_that_fill_them(member_client, member):
    member.home_address = "芙蓉区定王台街道xx路1号"
    member.save()
    page = _home(member_client)
    assert "眼下没有需要您办理的事项" in page
    for name in ("portal:proposal_create", "portal:opinion_create", "portal:concern_create"):
        assert reverse(name) in page
    assert "您还没有提案或社情民意" in page


def test_home_costs_the_same_queries_with_one_record_of_each_or_many(
    member_client, member, other_member, staff, office, everything_waiting
):
    def report(n):
        proposal_services.opinion_report_create(
            actor=member.user,
            office=office,
            member=member,
            title=f"社情{n}",
            situation="情况",
            suggestion="建议",
        )

    def count():
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
            assert member_client.get(reverse("portal:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    with time_machine.travel(NOW, tick=False):
        report(0)
    few = count()
    with time_machine.travel(NOW, tick=False):
        unit = HandlingUnitFactory(office=office)
        for n in range(1, 7):
            proposal_replied(member=member, staff=staff, unit=unit, title=f"第{n}件建议")
            proposal_draft(member=other_member, cosigners=[member], title=f"附议{n}")
            report(n)
    assert count() == few


def test_the_member_reads_where_their_concern_is_not_the_office_s_step(
    member_client, member, staff, office
):
    concern = _concern_fed_back(staff=staff, member=member, office=office)
    listed = member_client.get(reverse("portal:concerns")).content.decode()
    assert "待您确认" in listed and "已反馈委员" not in listed
    detail = member_client.get(reverse("portal:concern_detail", args=[concern.pk]))
    badge = re.search(r'data-testid="concern-status">([^<]*)<', detail.content.decode())
    assert badge.group(1) == "待您确认"
    # The timeline names the steps as the member reads them too.
    assert ">已反馈委员<" not in detail.content.decode()


def test_an_incomplete_profile_is_a_to_do_until_the_member_completes_it(member_client, member):
    member.email = ""
    member.save()
    page = _home(member_client)
    assert 'data-todo="profile"' in page
    assert "电子邮箱或微信号" in page and "家庭住址或单位地址" in page
    assert reverse("portal:profile") in page

    form = {"mobile": member.mobile, "wechat": "tang_zy", "work_address": "五一大道100号"}
    response = member_client.post(reverse("portal:profile"), form)
    assert response.status_code == 302
    assert 'data-todo="profile"' not in _home(member_client)


def test_a_message_is_marked_read_once_the_member_has_done_what_it_asked(
    member_client, member, everything_waiting
):
    def unread(record):
        return set(
            Notification.objects.filter(
                recipient=member.user, channel="portal", read_at=None, link=record
            ).values_list("kind", flat=True)
        )

    links = {
        "rate": reverse("portal:proposal_detail", args=[everything_waiting["rate"].pk]),
        "cosign": reverse("portal:proposal_detail", args=[everything_waiting["cosign"].pk]),
        "reply": reverse("portal:activity_detail", args=[everything_waiting["reply"].pk]),
        "confirm": reverse("portal:concern_detail", args=[everything_waiting["confirm"].pk]),
    }
    for kind, link in links.items():
        assert unread(link), kind  # each to-do came with a message
    acts = {
        "rate": ("portal:proposal_act", "feedback", {"verdict": "satisfied"}),
        "cosign": ("portal:proposal_act", "cosign_accept", {}),
        "reply": ("portal:activity_act", "reply", {"attending": "1"}),
        "confirm": ("portal:concern_act", "confirm", {"satisfied": "1"}),
    }
    with time_machine.travel(NOW, tick=False):
        for kind, (url, name, data) in acts.items():
            record = everything_waiting[kind]
            member_client.post(reverse(url, args=[record.pk, name]), data)
            left = unread(links[kind])
            # Only what asked for this action is read; 已立案 asked nothing and stays.
            assert left == ({"proposal_registered"} if kind == "rate" else set()), kind


def test_in_english_the_home_page_writes_dates_the_english_way(
    member_client, everything_waiting, settings
):
    member_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(NOW, tick=False):
        page = _home(member_client)
    assert "March 20" in page  # the invitation's deadline
    # Messages are written in Chinese once (marked lang="zh-Hans"); the page's own words
    # are English.
    own_words = re.sub(r'<span lang="zh-Hans">.*?</span>', "", page)
    assert not re.search(r"\d+月\d+日", own_words)


def test_home_shows_this_years_points_against_the_minimums_and_no_grade(member_client, member):
    from members.points import PointsLedger  # noqa: F401  (the only writer of points)
    from reports.duty import INCOMPETENT

    page = member_client.get(reverse("portal:dashboard"))

    card = page.text.split('data-testid="standing"', 1)[1].split("</section>", 1)[0]
    assert "积分 <strong>0</strong> 分" in card
    assert "提案（件）：0 / 1" in card and "尚未达到年度要求" in card
    assert INCOMPETENT not in card  # a grade is for the year's end
