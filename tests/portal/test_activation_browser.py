"""A member opens the activation link on a phone, confirms the SMS code and sets a
password (issue 13): Debian's Chromium at 390×844 against a live server."""

import re

import pytest
from playwright.sync_api import expect

from members import verification
from members.services import member_portal_account_create
from tests.factories import MemberFactory, staff_user
from tests.portal.test_browser import phone_page  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOTS = "/tmp/activation-{}.png"


@pytest.fixture
def codes_sent_at_once(monkeypatch):
    """The worker, in the live server's thread: a code asked for is sent at once."""
    monkeypatch.setattr(
        verification, "_enqueue", lambda pk: verification.verification_code_send(code_id=pk)
    )


def test_member_activates_the_account_on_a_phone(
    live_server,
    settings,
    sms,
    codes_sent_at_once,
    phone_page,  # noqa: F811
):
    settings.SITE_URL = live_server.url
    staff = staff_user(None, username="opener", full_name="周文静")
    member = MemberFactory(office__name="韭菜园街道政协联络处", name="曹胜阳", mobile="13700000001")
    member_portal_account_create(member=member, actor=staff)
    link = re.search(r"http\S+?/portal/activate/[A-Z0-9-]+/", sms.texts_to(member.mobile)[-1])
    page = phone_page
    page.goto(f"{live_server.url}/portal/login/sms/")
    page.screenshot(path=SCREENSHOTS.format(0), full_page=True)

    page.goto(link.group(0))
    expect(page.get_by_text("尊敬的曹胜阳委员")).to_be_visible()
    expect(page.get_by_role("link", name="消息")).to_have_count(0)  # not signed in yet
    expect(page.get_by_label("手机号码")).to_have_value("13700000001")
    page.screenshot(path=SCREENSHOTS.format(1), full_page=True)
    send = page.get_by_role("button", name="发送验证码")
    assert send.bounding_box()["height"] >= 44
    send.click()

    code = sms.last_code(member.mobile)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_label("设置密码").fill("Furong-river-2027")
    page.get_by_label("再输入一次密码").fill("Furong-river-2027")
    page.screenshot(path=SCREENSHOTS.format(2), full_page=True)
    page.get_by_role("button", name="激活并登录").click()

    expect(page.get_by_text("账号已激活，欢迎使用委员服务平台！")).to_be_visible()
    page.screenshot(path=SCREENSHOTS.format(3), full_page=True)
    member.user.refresh_from_db()
    assert member.user.is_active
    assert page.problems == []
