"""A member on a phone: Debian's Chromium, driven by Playwright, against a live server."""

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from members.models import Member
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
SCREENSHOT = "/tmp/portal_mobile.png"

# The live server sees the database through a real transaction; serialized_rollback puts
# back the seeded lookups and roles (data migrations) that the flush afterwards removes.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def phone_page(monkeypatch):
    # The sync Playwright API runs an event loop in this thread, and Django refuses ORM
    # calls from a thread with a running loop unless told otherwise. Set for this test
    # only: a process-wide setting would leak into subprocesses other tests start
    # (manage.py check --deploy rejects it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems = []
        page.on(
            "console",
            lambda message: problems.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.problems = problems
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright's loop runs get their own connections
            # (Django keeps them per async context); close them here, in that context,
            # or PostgreSQL refuses to drop the test database at the end of the run.
            connections.close_all()


def test_member_signs_in_on_a_phone_and_changes_phone_numbers(live_server, member, phone_page):
    page = phone_page

    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_role("heading", name="委员登录")).to_be_visible()
    page.get_by_label("手机号码或委员编号").fill(member.mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="唐朝阳委员")).to_be_visible()
    # Bootstrap's CSS came from our static files: the navbar is a flex row in our red.
    navbar = page.locator("nav.navbar")
    assert navbar.evaluate("el => getComputedStyle(el).display") == "flex"
    assert navbar.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(166, 27, 27)"

    # On a phone the menu is collapsed; opening it needs Bootstrap's JavaScript.
    profile_link = page.get_by_role("link", name="个人信息", exact=True)
    expect(profile_link).to_be_hidden()
    page.get_by_role("button", name="展开菜单").click()
    profile_link.click()

    expect(page.get_by_role("heading", name="个人信息", exact=True)).to_be_visible()
    page.get_by_label("手机号码").fill("138 1234 5678")
    page.get_by_label("办公电话").fill("0731-84661234")
    page.get_by_role("button", name="保存联系方式").click()

    expect(page.get_by_role("alert")).to_contain_text("联系方式已更新")
    expect(page.get_by_label("手机号码")).to_have_value("13812345678")
    expect(page.get_by_label("办公电话")).to_have_value("0731-84661234")
    page.screenshot(path=SCREENSHOT, full_page=True)

    member.refresh_from_db()
    assert (member.mobile, member.office_phone) == ("13812345678", "0731-84661234")
    assert Member.objects.filter(mobile="13812345678").count() == 1
    # Nothing was blocked by the content security policy, nothing failed to load.
    assert page.problems == []


def test_member_submits_a_draft_from_the_action_buttons_after_confirming(
    live_server, member, phone_page
):
    from proposals.models import Proposal
    from tests.factories import proposal_draft

    proposal = proposal_draft(member=member)
    page = phone_page
    page.goto(f"{live_server.url}/portal/login/?next=/portal/proposals/{proposal.pk}/")
    page.get_by_label("手机号码或委员编号").fill(member.mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # 提交 asks first (it cannot be undone); 修改 and 撤回提案 sit beside it.
    expect(page.get_by_role("link", name="修改")).to_be_visible()
    confirm = page.get_by_role("button", name="确定提交")
    expect(confirm).to_be_hidden()
    page.locator("summary", has_text="提交").click()
    expect(confirm).to_be_visible()
    page.screenshot(path="/tmp/portal_proposal_actions.png", full_page=True)
    confirm.click()

    expect(page.get_by_role("alert")).to_contain_text("提案已提交")
    expect(page.get_by_test_id("proposal-status")).to_have_text("已收到，待审查")
    # Submitted: the member may still withdraw it, but no longer edit or submit.
    expect(page.get_by_role("link", name="修改")).to_have_count(0)
    expect(page.locator("summary", has_text="撤回提案")).to_be_visible()
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED
    assert page.problems == []


def test_member_chooses_how_messages_reach_them_on_a_phone(live_server, member, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("手机号码或委员编号").fill(member.mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/portal/profile/")
    page.get_by_role("link", name="设置消息接收方式").click()

    expect(page.get_by_role("heading", name="消息接收方式", exact=True)).to_be_visible()
    invitations = page.get_by_role("radiogroup", name="活动邀请")
    # Each choice is a full-width row of buttons at least 44 px high, on the screen.
    for label in invitations.locator("label").all():
        box = label.bounding_box()
        assert box["height"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    invitations.get_by_text("电子邮件").click()
    page.get_by_role("radiogroup", name="生日祝福").get_by_text("只在平台查看").click()
    page.screenshot(path="/tmp/portal_delivery.png", full_page=True)
    page.get_by_role("button", name="保存接收方式").click()

    expect(page.get_by_text("消息接收方式已保存。")).to_be_visible()
    member.refresh_from_db()
    assert (member.receive_invitations, member.receive_birthdays) == ("email", "portal")
    assert page.problems == []


def test_similar_proposals_appear_as_the_member_types(live_server, member, phone_page):
    """Issue 20, item 2: the list follows the typing (htmx, debounced), under the CSP."""
    from members.models import Term
    from proposals.models import Proposal, ProposalCategory

    Proposal.objects.create(
        office=member.office,
        year=2025,
        term=Term.objects.get(is_current=True),
        title="关于加快老旧小区加装电梯的建议",
        reasons="老年住户上下楼困难。",
        suggestions="简化加装电梯审批流程，加大财政补贴。",
        category=ProposalCategory.objects.get(name="城市管理"),
        lead_member=member,
        status=Proposal.Status.CLOSED,
    )
    page = phone_page
    page.goto(f"{live_server.url}/portal/login/?next=/portal/proposals/new/")
    page.get_by_label("手机号码或委员编号").fill(member.mobile)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_test_id("similar-box")).to_contain_text("写下案由和建议办法后")
    page.get_by_label("案由").press_sequentially("关于推动既有住宅增设电梯的建议")
    page.get_by_label("建议办法").press_sequentially("出台增设电梯补贴办法。")
    expect(page.get_by_test_id("similar-proposal")).to_contain_text(
        "关于加快老旧小区加装电梯的建议"
    )
    page.screenshot(path="/tmp/portal_similar.png", full_page=True)
    assert page.problems == []
