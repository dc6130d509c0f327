"""Opening a member's account and the member activating it (issue 13 item 1)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from liaison.models import Notification
from members.accounts import member_account_invitation_resend
from members.models import AccountInvitation
from members.services import member_portal_account_create
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

ACTIVATE = reverse("portal:activate")
NEW_PASSWORD = "Furong-river-2027"


@pytest.fixture
def invited(office, staff, sms):
    member = MemberFactory(office=office, name="曹胜阳", mobile="13700000001")
    member_portal_account_create(member=member, actor=staff)
    member.refresh_from_db()
    return member


def _link(sms, mobile) -> str:
    text = [t for t in sms.texts_to(mobile) if "激活" in t][-1]
    return re.search(r"https?://\S+?/portal/activate/[A-Z0-9-]+/", text).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _activate(client, sms, mobile, *, typed_mobile=None, password=NEW_PASSWORD):
    response = client.get(_path(_link(sms, mobile)))
    assert response.status_code == 302, response.content
    client.post(ACTIVATE, {"mobile": typed_mobile or mobile, "send": "1"})
    code = sms.last_code(typed_mobile or mobile)
    return client.post(
        ACTIVATE,
        {"code": code, "new_password1": password, "new_password2": password, "activate": "1"},
    )


def test_opening_an_account_sends_an_invitation_and_nobody_can_sign_in_yet(invited, sms, client):
    user = invited.user

    assert not user.is_active
    assert not user.has_usable_password()
    sms_row = Notification.objects.get(kind="account-invitation", channel="sms")
    assert sms_row.address == invited.mobile
    assert Notification.objects.filter(kind="account-invitation", channel="email").exists()
    text = sms.texts_to(invited.mobile)[-1]
    assert "尊敬的曹胜阳委员" in text and "/portal/activate/" in text
    assert "/portal/activate/" in mail.outbox[-1].body
    invitation = AccountInvitation.objects.get(member=invited)
    assert invitation.notification == sms_row
    # The code is kept only as a hash.
    code = _link(sms, invited.mobile).rstrip("/").rsplit("/", 1)[1].replace("-", "")
    assert code not in invitation.code_hash


def test_member_activates_with_sms_code_and_is_signed_in(invited, sms, client):
    response = _activate(client, sms, invited.mobile)

    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")
    assert client.session["_auth_user_id"] == str(invited.user.pk)
    invited.user.refresh_from_db()
    assert invited.user.is_active and invited.user.check_password(NEW_PASSWORD)
    assert AccountInvitation.objects.get(member=invited).used_at is not None


def test_used_link_says_so(invited, sms, client):
    _activate(client, sms, invited.mobile)
    client.logout()

    response = client.get(_path(_link(sms, invited.mobile)))

    assert response.status_code == 410
    assert "已经用过" in response.text


def test_expired_link_says_so_and_activates_nothing(invited, sms, client, settings):
    link = _path(_link(sms, invited.mobile))
    later = timezone.now() + datetime.timedelta(days=settings.MEMBER_ACTIVATION_VALID_DAYS + 1)

    with time_machine.travel(later):
        response = client.get(link)

    assert response.status_code == 410
    assert "过期" in response.text
    invited.user.refresh_from_db()
    assert not invited.user.is_active


def test_a_resent_invitation_voids_the_earlier_link(invited, sms, client, staff):
    old = _path(_link(sms, invited.mobile))

    member_account_invitation_resend(member=invited, actor=staff)

    assert "已作废" in client.get(old).text
    assert client.get(_path(_link(sms, invited.mobile))).status_code == 302


def test_unknown_code_typed_by_hand_is_refused_and_counted(client, db):
    for _ in range(30):
        response = client.post(ACTIVATE, {"code": "ABCDE-23456"})
        assert response.status_code == 404
        assert "激活码无效" in response.text

    assert client.post(ACTIVATE, {"code": "ABCDE-23456"}).status_code == 429


def test_code_typed_by_hand_works_like_the_link(invited, sms, client):
    code = _link(sms, invited.mobile).rstrip("/").rsplit("/", 1)[1].lower()

    response = client.post(ACTIVATE, {"code": code})

    assert response.status_code == 302
    assert "尊敬的曹胜阳委员" in client.get(ACTIVATE).text


def test_mobile_of_another_member_is_refused(invited, sms, client, other_member):
    client.get(_path(_link(sms, invited.mobile)))

    response = client.post(ACTIVATE, {"mobile": other_member.mobile, "send": "1"})

    assert "已登记在其他委员名下" in response.text
    assert sms.texts_to(other_member.mobile) == []


def test_member_may_confirm_a_new_number(invited, sms, client):
    response = _activate(client, sms, invited.mobile, typed_mobile="13700009999")

    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.mobile == "13700009999"


def test_code_sent_to_another_number_does_not_activate(invited, sms, client):
    client.get(_path(_link(sms, invited.mobile)))
    client.post(ACTIVATE, {"mobile": invited.mobile, "send": "1"})
    code = sms.last_code(invited.mobile)
    client.post(ACTIVATE, {"change": "1"})
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        client.post(ACTIVATE, {"mobile": "13700008888", "send": "1"})
        response = client.post(
            ACTIVATE,
            {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    assert "不是发给 137****8888 的" in response.text
    invited.refresh_from_db()
    invited.user.refresh_from_db()
    assert not invited.user.is_active
    assert invited.mobile == "13700000001"


def test_weak_password_is_refused_before_the_code_is_spent(invited, sms, client):
    client.get(_path(_link(sms, invited.mobile)))
    client.post(ACTIVATE, {"mobile": invited.mobile, "send": "1"})
    code = sms.last_code(invited.mobile)

    weak = client.post(ACTIVATE, {"code": code, "new_password1": "123", "new_password2": "123"})
    strong = client.post(
        ACTIVATE, {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert weak.status_code == 200
    assert strong.status_code == 302


def test_invited_member_cannot_sign_in_by_sms_code_before_activating(invited, sms, client):
    client.post(reverse("portal:sms_login"), {"mobile": invited.mobile, "send": "1"})

    assert [t for t in sms.texts_to(invited.mobile) if "验证码是" in t] == []
