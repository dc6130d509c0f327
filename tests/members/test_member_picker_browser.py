"""The search-first member picker in a browser (issue 16): a member picks co-signers
on a phone and office staff a research group, by typing a name and by a preset; a
district account picks the office first. Screenshots in /tmp for a look."""

import pytest
from playwright.sync_api import expect, sync_playwright

from briefings.models import Invitation
from members.models import Member
from tests.factories import PASSWORD, MemberFactory, activity_held, member_with_account
from tests.members.test_member_picker import _add_members
from tests.portal.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _page(browser, **kwargs):
    page = browser.new_page(locale="zh-CN", **kwargs)
    page.set_default_timeout(15_000)
    # Script errors and CSP refusals reach the console; a failed request of the page is
    # listed by its address (the browser's own favicon request is not the page's).
    page.problems = []
    page.on("response", lambda r: page.problems.append(r.url) if r.status >= 400 else None)
    page.on(
        "console",
        lambda m: (
            page.problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return page


def _admin_sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_a_member_picks_co_signers_by_name_and_preset_on_a_phone(browser, live_server, office):
    member = member_with_account(office=office, name="唐朝阳", mobile="13900000001")
    _add_members(office, 100)
    MemberFactory(office=office, name="常委甲", role=Member.Role.STANDING, mobile="13600000001")
    page = _page(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/portal/login/")
    page.locator("#id_username").fill(member.mobile)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.goto(f"{live_server.url}/portal/proposals/new/")
    picker = page.locator("[data-memberpicker]")
    picker.locator(".memberpicker-search").fill("成员004")
    picker.get_by_role("button", name="成员0042（经济界）").click()
    expect(picker.locator(".picklist-count strong")).to_have_text("1")
    expect(picker.locator(".memberpicker-chosen li")).to_have_count(1)
    picker.get_by_role("button", name="常委1").click()  # a preset: exactly the standing
    expect(picker.locator(".memberpicker-chosen li")).to_have_text(["常委甲（经济界）×"])
    picker.locator(".memberpicker-search").fill("成员00")
    picker.get_by_role("button", name="成员0007（经济界）").click()
    expect(picker.locator(".picklist-count strong")).to_have_text("2")
    picker.locator(".memberpicker-search").fill("")
    picker.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/s7_portal_picker.png", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.problems == []


def test_staff_pick_a_research_group_and_district_staff_pick_the_office_first(
    browser, live_server, staff, district_staff, office, other_office
):
    _add_members(office, 100)
    _add_members(other_office, 80)
    page = _page(browser, viewport={"width": 1280, "height": 800})
    _admin_sign_in(page, live_server, staff.username)
    page.goto(f"{live_server.url}/admin/proposals/researchreport/add/")
    picker = page.locator("[data-memberpicker]")
    expect(picker.get_by_role("button", name="全部委员100")).to_be_visible()
    picker.locator(".memberpicker-search").fill("成员001")
    expect(picker.locator(".memberpicker-add")).to_have_count(10)
    picker.locator(".memberpicker-add").first.click()
    picker.locator(".memberpicker-search").fill("")
    picker.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/s7_admin_picker.png")
    assert page.problems == []

    page.context.clear_cookies()
    _admin_sign_in(page, live_server, district_staff.username)
    page.goto(f"{live_server.url}/admin/proposals/researchreport/add/")
    picker = page.locator("[data-memberpicker]")
    expect(picker.locator(".memberpicker-office")).to_be_visible()
    expect(picker.locator(".memberpicker-search")).to_be_hidden()
    page.locator("select[name=office]").select_option(str(other_office.pk))
    expect(picker.get_by_role("button", name="全部委员80")).to_be_visible()
    picker.locator(".memberpicker-search").fill("成员01")
    expect(picker.locator(".memberpicker-add").first).to_have_text("成员0100（经济界）")
    picker.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/s7_admin_district_picker.png")
    assert page.problems == []


def test_staff_correct_an_invitees_attendance_found_by_typing(
    browser, live_server, office, staff, member, other_member
):
    """The single-choice search (a large activity's 更正出勤): typing finds the
    invitee, clicking chooses them, the step saves the correction."""
    activity = activity_held(office=office, staff=staff, attended=[member], absent=[other_member])
    Invitation.objects.bulk_create(
        Invitation(activity=activity, member=m, attendance=Invitation.Attendance.ABSENT)
        for m in _add_members(office, 100)
    )
    page = _page(browser, viewport={"width": 1280, "height": 800})
    _admin_sign_in(page, live_server, staff.username)
    page.goto(f"{live_server.url}/admin/briefings/activity/{activity.pk}/step/correct_attendance/")
    box = page.locator("[data-searchselect]")
    box.locator(".memberpicker-search").fill("黄")  # one character: nothing asked yet
    expect(box.locator(".memberpicker-results")).to_be_hidden()
    box.locator(".memberpicker-search").fill("黄德")
    box.get_by_role("button", name="黄德军（无故缺席）").click()
    expect(box.locator(".searchselect-chosen strong")).to_have_text("黄德军（无故缺席）")
    page.locator("input[name=state][value=attended]").check()
    page.locator("textarea[name=reason], input[name=reason]").fill("补签到。")
    page.locator("form [type=submit]").last.click()
    page.wait_for_url(f"**/admin/briefings/activity/{activity.pk}/change/")
    invitation = activity.invitations.get(member=other_member)
    assert invitation.attendance == Invitation.Attendance.ATTENDED
    assert page.problems == []
