import re

import pytest
from django.core import mail
from django.urls import reverse

from liaison.outbox import deliver_pending
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")


def _sign_in(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sign_in_page_is_in_chinese(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert "手机号码或委员编号" in response.text
    assert '<html lang="zh-hans">' in response.text


@pytest.mark.parametrize("field", ["mobile", "member_no"])
def test_member_signs_in_with_mobile_or_member_number(client, member, field):
    response = _sign_in(client, getattr(member, field))

    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")
    assert _signed_in(client)


def test_wrong_password_says_so_in_chinese(client, member):
    response = _sign_in(client, member.mobile, "wrong-password")

    assert response.status_code == 200
    assert "不匹配" in response.text
    assert not _signed_in(client)


def test_five_wrong_passwords_lock_the_sign_in_even_for_the_right_password(client, member):
    responses = [_sign_in(client, member.mobile, f"wrong-{n}") for n in range(5)]

    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429

    sixth = _sign_in(client, member.mobile, PASSWORD)

    assert sixth.status_code == 429
    assert "账号已暂时锁定" in sixth.text
    assert "30 分钟" in sixth.text
    assert "联络处" in sixth.text
    assert not _signed_in(client)


def test_lockout_counts_mobile_and_member_number_as_one_account(client, member):
    for n in range(3):
        _sign_in(client, member.mobile, f"wrong-{n}")
    for n in range(2):
        _sign_in(client, member.member_no, f"wrong-again-{n}")

    response = _sign_in(client, member.member_no, PASSWORD)

    assert response.status_code == 429
    assert not _signed_in(client)


def test_lockout_of_one_member_leaves_another_member_alone(client, member, other_member):
    for n in range(5):
        _sign_in(client, member.mobile, f"wrong-{n}")

    response = _sign_in(client, other_member.mobile)

    assert response.status_code == 302
    assert _signed_in(client)


def test_logout_needs_a_post(member_client):
    assert member_client.get(reverse("portal:logout")).status_code == 405
    assert _signed_in(member_client)

    response = member_client.post(reverse("portal:logout"))

    assert response.status_code == 302
    assert response.url == LOGIN
    assert not _signed_in(member_client)


def test_signed_in_member_visiting_sign_in_goes_to_dashboard(member_client):
    response = member_client.get(LOGIN)

    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")


def _reset_link_from_outbox() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/portal/password-reset/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def _reset_password(client, member, new_password):
    response = client.post(reverse("portal:password_reset"), {"email": member.email})
    assert response.status_code == 302
    assert response.url == reverse("portal:password_reset_done")
    deliver_pending()  # the outbox worker sends it
    link = _reset_link_from_outbox()
    # The link stores the token in the session and redirects to a token-free URL.
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.text
    set_password_url = form_page.redirect_chain[-1][0]
    return client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )


def test_password_reset_email_link_sets_a_new_password(client, member):
    response = _reset_password(client, member, "Xin-mima-2026!")

    assert response.status_code == 302
    assert response.url == reverse("portal:password_reset_complete")
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "设置新密码" in message.subject
    assert member.name in message.body
    member.user.refresh_from_db()
    assert member.user.check_password("Xin-mima-2026!")
    assert _sign_in(client, member.mobile, "Xin-mima-2026!").status_code == 302


def test_used_password_reset_link_is_refused(client, member):
    _reset_password(client, member, "Xin-mima-2026!")
    link = _reset_link_from_outbox()

    response = client.get(link, follow=True)

    assert "链接已失效" in response.text


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client, member):
    response = client.post(reverse("portal:password_reset"), {"email": "nobody@example.cn"})

    assert response.status_code == 302
    assert response.url == reverse("portal:password_reset_done")
    deliver_pending()
    assert mail.outbox == []


def test_password_reset_lifts_a_lockout(client, member):
    for n in range(5):
        _sign_in(client, member.mobile, f"wrong-{n}")
    assert _sign_in(client, member.mobile).status_code == 429

    _reset_password(client, member, "Xin-mima-2026!")

    assert _sign_in(client, member.mobile, "Xin-mima-2026!").status_code == 302
