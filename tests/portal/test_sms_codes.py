"""Signing in and resetting the password by SMS code (issue 13 item 2)."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.models import VerificationCode
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SMS_LOGIN = reverse("portal:sms_login")
SMS_RESET = reverse("portal:sms_password_reset")
LOGIN = reverse("portal:login")


def _ask(client, mobile, url=SMS_LOGIN):
    return client.post(url, {"mobile": mobile, "send": "1"})


def _enter(client, mobile, code, url=SMS_LOGIN):
    return client.post(url, {"mobile": mobile, "code": code, "go": "1"})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_sign_in_page_offers_sms_code_and_reset_by_code(client):
    page = client.get(LOGIN).text

    assert SMS_LOGIN in page
    assert SMS_RESET in page


def test_member_signs_in_with_mobile_and_sms_code(client, member, sms):
    response = _ask(client, member.mobile)
    assert response.status_code == 200
    assert "验证码短信马上就到" in response.text

    code = sms.last_code(member.mobile)
    assert f"【{member.office.name}】" in sms.texts_to(member.mobile)[-1]
    response = _enter(client, member.mobile, code)

    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")
    assert client.session["_auth_user_id"] == str(member.user.pk)


def test_unknown_number_gets_the_same_answer_and_no_message(client, member, sms):
    known = _ask(client, member.mobile)
    unknown = _ask(client, "13811112222")

    assert unknown.status_code == known.status_code == 200
    assert "验证码短信马上就到" in unknown.text
    assert sms.texts_to("13811112222") == []
    assert len(sms.texts_to(member.mobile)) == 1


def test_code_is_stored_hashed(client, member, sms):
    _ask(client, member.mobile)
    code = sms.last_code(member.mobile)

    row = VerificationCode.objects.get(mobile=member.mobile)
    assert row.code_hash and code not in row.code_hash


def test_a_code_works_once(client, member, sms):
    _ask(client, member.mobile)
    code = sms.last_code(member.mobile)
    _enter(client, member.mobile, code)
    client.logout()

    again = _enter(client, member.mobile, code)

    assert again.status_code == 200
    assert "验证码不正确或已过期" in again.text
    assert not _signed_in(client)


def test_code_expires_after_five_minutes(client, member, sms):
    _ask(client, member.mobile)
    code = sms.last_code(member.mobile)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5, seconds=1)):
        response = _enter(client, member.mobile, code)

    assert "验证码不正确或已过期" in response.text
    assert not _signed_in(client)


def test_second_code_within_a_minute_is_refused_then_allowed(client, member, sms):
    _ask(client, member.mobile)
    first = sms.last_code(member.mobile)

    refused = _ask(client, member.mobile)
    assert refused.status_code == 429
    assert "60 秒后可重新获取" in refused.text

    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert _ask(client, member.mobile).status_code == 200
        second = sms.last_code(member.mobile)
        # Only the newest code is good.
        if first != second:  # one time in a million the two are the same
            assert _enter(client, member.mobile, first).status_code == 200
        assert _enter(client, member.mobile, second).status_code == 302


def test_daily_cap_per_number_counts_unknown_numbers_alike(client, settings, sms):
    settings.SMS_CODE_DAILY_LIMIT_PER_NUMBER = 2
    start = timezone.now()
    statuses = []
    for minute in range(3):
        with time_machine.travel(start + datetime.timedelta(minutes=2 * minute)):
            statuses.append(_ask(client, "13811112222").status_code)

    assert statuses == [200, 200, 429]
    with time_machine.travel(start + datetime.timedelta(minutes=10)):
        assert "次数已达上限" in _ask(client, "13811112222").text


def test_daily_cap_per_client_address(client, settings, sms):
    settings.SMS_CODE_DAILY_LIMIT_PER_CLIENT = 2

    statuses = [_ask(client, f"1381111222{n}").status_code for n in range(3)]

    assert statuses == [200, 200, 429]


def test_wrong_codes_and_wrong_passwords_lock_the_account_together(client, member, sms):
    for n in range(3):
        client.post(LOGIN, {"username": member.mobile, "password": f"wrong-{n}"})
    _ask(client, member.mobile)
    code = sms.last_code(member.mobile)
    _enter(client, member.mobile, _wrong(code))
    locking = _enter(client, member.mobile, _wrong(code))

    assert locking.status_code == 429
    # Locked: neither the right code nor the right password gets in.
    assert _enter(client, member.mobile, code).status_code == 429
    assert client.post(LOGIN, {"username": member.mobile, "password": PASSWORD}).status_code == 429
    assert not _signed_in(client)


def test_five_wrong_tries_void_a_code(client, member, sms, settings):
    settings.AXES_FAILURE_LIMIT = 100  # the code's own limit, apart from the lockout
    _ask(client, member.mobile)
    code = sms.last_code(member.mobile)
    for _ in range(5):
        _enter(client, member.mobile, _wrong(code))

    response = _enter(client, member.mobile, code)

    assert "验证码不正确或已过期" in response.text
    assert not _signed_in(client)


def test_member_resets_forgotten_password_by_sms_code(client, member, sms):
    _ask(client, member.mobile, SMS_RESET)
    code = sms.last_code(member.mobile)
    assert "重设" in sms.texts_to(member.mobile)[-1]

    proved = _enter(client, member.mobile, code, SMS_RESET)
    assert proved.status_code == 302
    assert not _signed_in(client)  # not before the new password is set
    done = client.post(
        proved.url, {"new_password1": "Jiucaiyuan-2027", "new_password2": "Jiucaiyuan-2027"}
    )

    assert done.status_code == 302
    assert _signed_in(client)
    client.logout()
    assert (
        client.post(LOGIN, {"username": member.mobile, "password": "Jiucaiyuan-2027"}).status_code
        == 302
    )


def test_sign_in_code_cannot_reset_the_password(client, member, sms):
    _ask(client, member.mobile)
    code = sms.last_code(member.mobile)

    response = _enter(client, member.mobile, code, SMS_RESET)

    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.text


def test_reset_page_answers_alike_for_unknown_number(client, sms):
    response = _ask(client, "13811112222", SMS_RESET)

    assert response.status_code == 200
    assert "验证码短信马上就到" in response.text
    assert sms.texts_to("13811112222") == []


def test_new_password_page_needs_a_proved_number(client, member):
    response = client.get(reverse("portal:sms_password_reset_set"))

    assert response.status_code == 302
    assert response.url == SMS_RESET
