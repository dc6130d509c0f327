"""The demo member on a 390×844 phone, on every portal page (tests/portal/sweep.py):
nothing scrolls sideways, nothing to tap is smaller than a finger, English pages write
English dates, and large-text mode keeps its promises and passes axe-core. Then the
walk from the home page through each to-do until none is left."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from liaison.services import user_set_large_text
from members.models import Member
from tests.demo.seeding import printed_member_sign_in, seed
from tests.portal import sweep
from tests.portal.test_browser import phone_page  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).parent.parent / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe-core__.js"  # served to the page from AXE, never from the network
# Where the walk leaves its before-and-after screenshots of the home page.
NOTES = Path(os.environ.get("PORTAL_SCREENSHOTS", tempfile.gettempdir()))

# axe-core's violations of these impacts fail the sweep.
AXE_SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}"""


@pytest.fixture
def demo_member(live_server):
    """The demo as seed_demo writes it, and the member it prints for signing in."""
    mobile, password = printed_member_sign_in(seed())
    return Member.objects.select_related("user").get(mobile=mobile), password


def _sign_in(page, live_server, member, password):
    page.goto(f"{live_server.url}/portal/login/")
    # By the fields' ids: the labels are in whichever language the page is in.
    page.locator("#id_username").fill(member.mobile)
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")
    expect(page.get_by_test_id("todos")).to_be_visible()


def _menu(page):
    page.locator(".navbar-toggler").click()
    expect(page.locator("#portal-nav")).to_be_visible()


def _problems(page, *, english=False, large=False) -> list[str]:
    found = []
    sideways = page.evaluate(sweep.SIDEWAYS)
    if sideways > 0:
        found.append(f"scrolls sideways by {sideways}px")
    found += [f"small target {t}" for t in page.evaluate(sweep.SMALL_TARGETS, 48 if large else 44)]
    if english:
        found += [f"Chinese date {d}" for d in page.evaluate(sweep.CHINESE_DATES)]
    if large:
        found += [f"small text {t}" for t in page.evaluate(sweep.SMALL_TEXT, 18)]
        page.add_script_tag(url=AXE_PATH)
        found += [f"axe {v}" for v in page.evaluate(AXE_SERIOUS)]
    return found


@pytest.mark.parametrize("mode", ["chinese", "english", "large text"])
def test_every_portal_page_fits_a_phone(live_server, demo_member, phone_page, mode):  # noqa: F811
    member, password = demo_member
    page = phone_page
    page.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=AXE))
    english, large = mode == "english", mode == "large text"
    problems = {}
    if large:
        user_set_large_text(user=member.user, on=True)
    else:  # large text is the account's: not before signing in
        page.goto(f"{live_server.url}/portal/login/")
        if english:
            page.locator(".navbar-toggler").click()
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for url in sweep.signed_out_pages():
            page.goto(f"{live_server.url}{url}")
            if found := _problems(page, english=english):
                problems[url] = found
    _sign_in(page, live_server, member, password)
    _menu(page)
    if english:
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        _menu(page)
    # The menu, open: its links, the language and text-size switches, 退出.
    if found := _problems(page, english=english, large=large):
        problems["menu"] = found
    for url in sweep.member_pages(member):
        page.goto(f"{live_server.url}{url}")
        if found := _problems(page, english=english, large=large):
            problems[url] = found
    assert problems == {}
    assert page.problems == []  # nothing blocked by the content security policy


def _unread(page) -> int:
    """The unread count on the menu's 消息 (hidden in the collapsed menu, yet counted)."""
    badge = page.get_by_test_id("unread-badge")
    return int(re.match(r"\d+", badge.first.text_content()).group()) if badge.count() else 0


def _todo(page, kind):
    return page.locator(f'[data-todo="{kind}"]')


def _take(page, action, choice=None):
    """Answer the action's form on a detail page (``choice``: the radio's value)."""
    form = page.locator(f'form[data-action="{action}"]')
    if choice is not None:
        form.locator(f'input[value="{choice}"]').check()
    form.locator("button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()


def test_the_demo_member_does_each_to_do_from_the_home_page(
    live_server,
    demo_member,
    phone_page,  # noqa: F811
):
    member, password = demo_member
    page = phone_page
    _sign_in(page, live_server, member, password)
    home = page.url
    for kind in ("rate", "cosign", "reply", "confirm", "consult", "profile", "study"):
        expect(_todo(page, kind)).to_have_count(1)
    unread = _unread(page)
    page.screenshot(path=str(NOTES / "portal-home-before.png"), full_page=True)

    steps = {
        "rate": lambda: _take(page, "feedback", "satisfied"),
        "cosign": lambda: _take(page, "cosign_accept"),
        "reply": lambda: _take(page, "reply", "1"),
        "confirm": lambda: _take(page, "confirm", "1"),
        "consult": lambda: (
            page.get_by_test_id("answer-form")
            .locator("textarea")
            .first.fill("建议先在两个小区试点，再全街道推开。"),
            page.get_by_test_id("answer-form").get_by_label("赞成", exact=True).check(),
            page.get_by_role("button", name="提交意见").click(),
            expect(page.get_by_role("alert")).to_be_visible(),
        ),
        "profile": lambda: (
            page.get_by_label("家庭住址").fill("芙蓉区韭菜园街道八一路12号"),
            page.get_by_role("button", name="保存联系方式").click(),
            expect(page.get_by_role("alert")).to_contain_text("联系方式已更新"),
        ),
        # Opening the material is reading it.
        "study": lambda: expect(page.get_by_test_id("material-file")).to_be_visible(),
    }
    for kind, step in steps.items():
        _todo(page, kind).get_by_role("link").click()
        step()
        page.goto(home)
        expect(_todo(page, kind)).to_have_count(0)

    expect(page.get_by_text("眼下没有需要您办理的事项")).to_be_visible()
    # The messages that asked for each were read by doing it.
    assert _unread(page) <= unread - 4
    page.screenshot(path=str(NOTES / "portal-home-after.png"), full_page=True)
    assert page.problems == []


def test_large_text_is_switched_on_once_and_kept_on_the_account(
    live_server,
    demo_member,
    phone_page,  # noqa: F811
):
    member, password = demo_member
    page = phone_page
    _sign_in(page, live_server, member, password)
    _menu(page)
    # The switch is a form: wait for the page it posts to, then for the class (a
    # loaded CI machine took longer than the 5 s an expectation waits by default).
    with page.expect_navigation():
        page.get_by_test_id("large-text").click()
    expect(page.locator("html")).to_have_class("portal-large", timeout=15_000)
    size = page.locator("body").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 18
    member.user.refresh_from_db()
    assert member.user.large_text
    # Another device: signed in afresh, the pages are large from the start.
    page.context.clear_cookies()
    _sign_in(page, live_server, member, password)
    expect(page.locator("html")).to_have_class("portal-large")
