"""A member on a phone: the activity pages fit a 390-pixel screen without sideways
scrolling and break no rule of the content security policy; the member asks for leave
and, at the meeting, signs in from the QR code's link."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from briefings import services
from briefings.models import Invitation
from briefings.signin import sign_in_url
from tests.factories import activity_published, activity_scheduled
from tests.portal.test_browser import phone_page  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def _fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide"


def test_member_replies_and_signs_in_on_a_phone(
    phone_page,  # noqa: F811  (the fixture imported above)
    live_server,
    office,
    staff,
    member,
    other_member,
    settings,
):
    settings.SITE_URL = live_server.url
    now = timezone.now()
    upcoming = activity_published(
        office=office,
        actor=staff,
        members=[member, other_member],
        starts_at=now + datetime.timedelta(days=3),
    )
    # A study session under way now, so its QR code works.
    running = activity_scheduled(
        office=office,
        actor=staff,
        kind="学习",
        title="委员学习会",
        starts_at=now + datetime.timedelta(minutes=1),
    )
    services.activity_invite(activity=running, actor=staff, members=[member])
    services.activity_publish(activity=running, actor=staff)
    page = phone_page
    _sign_in(page, live_server, member.user)

    page.goto(f"{live_server.url}/portal/activities/")
    expect(page.get_by_text(upcoming.title)).to_be_visible()
    _fits_the_phone(page)
    page.goto(f"{live_server.url}/portal/activities/calendar/")
    _fits_the_phone(page)
    page.screenshot(path="/tmp/briefings_calendar_mobile.png", full_page=True)

    page.goto(f"{live_server.url}/portal/activities/{upcoming.pk}/")
    _fits_the_phone(page)
    page.get_by_role("radio", name="请假").check()
    page.get_by_label("请假事由").fill("在外地出差")
    page.get_by_role("button", name="提交回复").click()
    expect(page.get_by_text("请假申请已提交")).to_be_visible()
    page.screenshot(path="/tmp/briefings_detail_mobile.png", full_page=True)
    invitation = Invitation.objects.get(activity=upcoming, member=member)
    assert (invitation.reply, invitation.leave_reason) == ("leave", "在外地出差")

    page.goto(sign_in_url(running))
    _fits_the_phone(page)
    page.get_by_role("button", name="确认签到").click()
    expect(page.get_by_test_id("signed-in")).to_contain_text("签到成功")
    assert Invitation.objects.get(activity=running, member=member).attendance == "attended"

    assert page.problems == []
