"""What members receive, and how: per kind of message SMS, e-mail or the portal only,
chosen in the portal or by staff in the admin; the outbox routes by the choice."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from liaison.models import Notification
from liaison.outbox import deliver_pending
from liaison.sms import LocmemSmsBackend
from members.models import DELIVERY_FIELDS
from members.notifications import notify_member
from tests.factories import MemberFactory
from tests.members.test_admin import change_form_data, change_url

Channel = Notification.Channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "liaison.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


def tell(member, kind, key="occasion:1"):
    notify_member(
        member=member,
        kind=kind,
        key=key,
        template="birthday_greeting",
        context={"member": member, "office": member.office, "birthday": datetime.date.today()},
    )
    deliver_pending()
    return sorted(
        Notification.objects.filter(dedupe_key__startswith=f"{key}:").values_list(
            "channel", flat=True
        )
    )


def test_invitations_and_deadlines_come_by_sms_by_default_news_by_email(member, sms_outbox):
    member.email = "tang@example.cn"
    member.user.email = "tang@example.cn"
    member.user.save()

    assert tell(member, "activity_invitation", "invite:1") == [Channel.PORTAL, Channel.SMS]
    assert tell(member, "proposal_feedback_request", "feedback:1") == [Channel.PORTAL, Channel.SMS]
    assert tell(member, "proposal_registered", "registered:1") == [Channel.EMAIL, Channel.PORTAL]
    assert [phone for phone, _ in sms_outbox] == ["13900000001", "13900000001"]
    assert [m.to for m in mail.outbox] == [["tang@example.cn"]]


def test_the_members_choice_decides_the_channel(member, sms_outbox):
    member.email = "tang@example.cn"
    member.receive_invitations = Channel.EMAIL
    member.receive_news = Channel.PORTAL
    member.save()

    assert tell(member, "activity_invitation", "invite:1") == [Channel.EMAIL, Channel.PORTAL]
    assert tell(member, "opinion_adopted", "adopted:1") == [Channel.PORTAL]
    assert sms_outbox == []
    assert len(mail.outbox) == 1


def test_email_chosen_without_an_address_leaves_the_portal_only(member, sms_outbox):
    member.email = member.user.email = ""
    member.receive_invitations = Channel.EMAIL
    member.save()
    member.user.save()

    assert tell(member, "activity_invitation") == [Channel.PORTAL]
    assert sms_outbox == [] and mail.outbox == []


def test_a_member_without_an_account_gets_what_the_roster_can_reach(office, sms_outbox):
    by_phone = MemberFactory(office=office, mobile="13900000031", email="")
    by_mail = MemberFactory(office=office, mobile="", email="li@example.cn")

    assert tell(by_phone, "opinion_adopted", "a:1") == [Channel.SMS]  # news, no e-mail
    assert tell(by_mail, "activity_invitation", "a:2") == [Channel.EMAIL]  # SMS, no mobile
    assert sms_outbox[0][0] == "13900000031"
    assert mail.outbox[0].to == ["li@example.cn"]


# --- the portal page ------------------------------------------------------------------


def test_member_chooses_in_the_portal(member_client, member):
    page = member_client.get(reverse("portal:delivery"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "消息接收方式" in html
    assert 'value="sms" autocomplete="off" checked' in html

    response = member_client.post(
        reverse("portal:delivery"),
        {
            "receive_invitations": "email",
            "receive_deadlines": "sms",
            "receive_birthdays": "portal",
            "receive_news": "portal",
        },
        follow=True,
    )

    assert "消息接收方式已保存" in response.content.decode()
    member.refresh_from_db()
    assert (member.receive_invitations, member.receive_birthdays) == ("email", "portal")
    assert member.history.first().history_change_reason.startswith("更新消息接收方式")


def test_a_made_up_channel_is_refused_and_nothing_changes(member_client, member):
    response = member_client.post(
        reverse("portal:delivery"),
        {
            "receive_invitations": "wechat",
            "receive_deadlines": "email",
            "receive_birthdays": "sms",
            "receive_news": "email",
        },
    )

    assert response.status_code == 200
    assert "请选择短信、电子邮件或只在平台查看" in response.content.decode()
    member.refresh_from_db()
    assert member.receive_deadlines == "sms"


def test_staff_see_and_change_the_choice_on_the_member_page(staff_client, member):
    url = change_url(member)
    page = staff_client.get(url).content.decode()
    assert "消息接收方式" in page
    for name in DELIVERY_FIELDS:
        assert f'<select name="{name}"' in page

    response = staff_client.post(url, change_form_data(member, receive_birthdays="portal"))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.receive_birthdays == "portal"


def test_a_returned_proposal_and_a_moved_deadline_count_as_deadlines(member, sms_outbox):
    member.email = "tang@example.cn"
    member.save()

    for kind in ("proposal_returned", "proposal_feedback_due_moved", "visits_concern_due_moved"):
        assert tell(member, kind, f"{kind}:1") == [Channel.PORTAL, Channel.SMS]
