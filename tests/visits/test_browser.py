"""The member on a phone (Chromium through Playwright): from the dashboard to the
result of a concern raised on a visit, and the confirmation."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, HandlingUnitFactory
from tests.portal.test_browser import phone_page  # noqa: F401  (the fixture)
from visits import services
from visits.models import Concern, Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOT = "/tmp/visits_concern_mobile.png"


def test_member_reads_the_result_on_a_phone_and_confirms(
    live_server,
    member,
    staff,
    office,
    phone_page,  # noqa: F811  (the fixture imported above)
):
    page = phone_page
    unit = HandlingUnitFactory(office=office, name="城管科")
    visit = services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.HOSPITAL,
        visited_on=datetime.date.today(),
        members=[member],
        team_users=[staff],
        summary="委员恢复良好。",
        staff_notes="内部掌握的情况。",
        opinions=[{"title": "小区门口占道经营严重", "content": "早晚高峰通行困难。"}],
    )
    concern = visit.concerns.get()
    services.concern_assign(concern=concern, actor=staff, unit=unit)
    services.concern_report_result(
        concern=concern, resolved=True, result="已联合执法清理占道摊点。", actor_label="城管科"
    )
    services.concern_feed_back(concern=concern, actor=staff)

    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("手机号码或委员编号").fill(member.mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_text("1 件意见建议待您确认办理结果")).to_be_visible()
    page.get_by_text("1 件意见建议待您确认办理结果").click()
    page.get_by_role("link", name="小区门口占道经营严重").click()
    expect(page.get_by_test_id("concern-result")).to_have_text("已联合执法清理占道摊点。")
    page.get_by_label("满意", exact=True).check()
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.get_by_role("button", name="提交评价").click()

    expect(page.get_by_role("alert")).to_contain_text("该事项已办结")
    expect(page.get_by_test_id("concern-status")).to_have_text("已办结")
    assert Concern.objects.get().verdict == Concern.Verdict.SATISFIED

    page.goto(f"{live_server.url}/portal/visits/{visit.pk}/")
    expect(page.get_by_text("委员恢复良好。")).to_be_visible()
    expect(page.get_by_text("内部掌握的情况。")).to_have_count(0)
    assert page.problems == []
