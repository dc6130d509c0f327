"""Password reset: the answer does not depend on whether the address has an account,
the e-mail goes through the outbox, and resets are limited per address and per client.
"""

import re
import statistics
import time
import uuid

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison import ratelimit
from liaison.models import Notification
from liaison.outbox import deliver_pending
from liaison.password_reset import KIND

pytestmark = pytest.mark.django_db

RESET = reverse("portal:password_reset")
DONE = reverse("portal:password_reset_done")
UNKNOWN = "nobody@example.cn"


def _ask(client, email, **extra):
    return client.post(RESET, {"email": email}, **extra)


def _reset_rows():
    return Notification.objects.filter(kind=KIND)


def _statements(queries) -> list[str]:
    # The SQL without its parameters: the same statements in the same order.
    return [re.sub(r"'[^']*'|\"s\d+_x\d+\"|\b\d+\b", "?", q["sql"]) for q in queries]


def test_request_sends_no_mail_and_queues_one_row_without_the_link(client, member):
    response = _ask(client, member.email)

    assert response.status_code == 302
    assert response.url == DONE
    assert mail.outbox == []  # nothing talks to the mail server in the request
    row = _reset_rows().get()
    assert row.address == member.email
    assert row.status == Notification.Status.PENDING
    # Staff can read the outbox in the admin: no live link is kept there.
    assert "password-reset/" not in row.body

    deliver_pending()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert re.search(
        r"https?://[^/\s]+/portal/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body
    )
    row.refresh_from_db()
    assert row.status == Notification.Status.SENT
    assert "password-reset/" not in row.body


def test_registered_and_unknown_address_do_the_same_work(client, member):
    """Same response, same SQL statements in the same order, no mail in either: the
    page's timing cannot tell whether an account has the address."""
    with CaptureQueriesContext(connection) as known:
        known_response = _ask(client, member.email)
    with CaptureQueriesContext(connection) as unknown:
        unknown_response = _ask(client, UNKNOWN)

    assert (known_response.status_code, known_response.url) == (
        unknown_response.status_code,
        unknown_response.url,
    )
    assert _statements(known.captured_queries) == _statements(unknown.captured_queries)
    assert mail.outbox == []
    assert _reset_rows().count() == 2


def test_unknown_address_gets_nothing_and_its_row_says_why(client, member):
    _ask(client, UNKNOWN)

    report = deliver_pending()

    assert mail.outbox == []
    assert report.skipped == 1
    row = _reset_rows().get()
    assert row.status == Notification.Status.SKIPPED
    assert "没有使用这个邮箱的有效账号" in row.last_error


def test_address_is_matched_whatever_its_case(client, member):
    _ask(client, f"  {member.email.upper()} ")
    deliver_pending()

    assert [m.to for m in mail.outbox] == [[member.email]]


class _SlowMailServer(EmailBackend):
    """A mail server that takes half a second per message (the penetration test saw
    1.1 s for a registered address against 0.06 s for an unknown one)."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


def test_registered_address_answers_as_fast_as_an_unknown_one(client, member, settings):
    """The reproduction: 20 tries each against a slow mail server. The margin is wide
    (the medians differ by a few milliseconds; sending in the request costs 500)."""
    settings.EMAIL_BACKEND = f"{__name__}._SlowMailServer"
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 100
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 100

    def median_seconds(email):
        times = []
        for _ in range(20):
            started = time.perf_counter()
            assert _ask(client, email).status_code == 302
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    difference = abs(median_seconds(member.email) - median_seconds(UNKNOWN))

    assert difference < 0.1


# --- Rate limits ------------------------------------------------------------------------


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "unknown"])
def test_fourth_reset_for_one_address_is_refused_in_chinese(client, member, registered):
    email = member.email if registered else UNKNOWN
    answers = [_ask(client, email) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]

    refused = _ask(client, email)

    # The same refusal for a registered and an unknown address.
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "这个邮箱在 60 分钟内已申请过 3 次设置新密码的邮件" in refused.text
    assert "急需登录请联系联络处" in refused.text
    assert _reset_rows().count() == 3


def test_limit_per_address_ignores_case_and_spaces(client, member):
    for email in (member.email, member.email.upper(), f" {member.email} "):
        _ask(client, email)

    assert _ask(client, member.email.title()).status_code == 429


def test_one_client_cannot_ask_for_many_addresses(client, member, settings):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 5
    answers = [_ask(client, f"guess{n}@example.cn") for n in range(5)]
    assert {a.status_code for a in answers} == {302}

    refused = _ask(client, member.email)

    assert refused.status_code == 429
    assert "您所在的网络在 60 分钟内申请设置新密码的次数太多" in refused.text
    assert _reset_rows().count() == 5
    # Another client still can.
    assert _ask(client, member.email, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_behind_the_proxy_each_forwarded_client_is_counted_apart(client, member, settings):
    """With the proxy setup the README describes (our nginx overwrites X-Forwarded-For;
    ipware reads it first), every visitor arrives from the proxy's address; the limit
    is per real client."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 2
    first = {"HTTP_X_FORWARDED_FOR": "61.187.54.7"}
    for n in range(2):
        assert _ask(client, f"a{n}@example.cn", **first).status_code == 302

    assert _ask(client, "a9@example.cn", **first).status_code == 429
    assert _ask(client, "b@example.cn", HTTP_X_FORWARDED_FOR="113.246.1.9").status_code == 302


def test_a_client_cannot_choose_its_address_with_a_chain_of_its_own(client, member, settings):
    """A chain longer than our proxy writes is not believed: whatever addresses a
    client puts in front, it is counted under the proxy's address, one bucket."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 2
    for n in range(2):
        forged = {"HTTP_X_FORWARDED_FOR": f"8.8.8.{n}, 61.187.54.7"}
        assert _ask(client, f"a{n}@example.cn", **forged).status_code == 302

    forged = {"HTTP_X_FORWARDED_FOR": "8.8.4.4, 61.187.54.7"}
    assert _ask(client, "a8@example.cn", **forged).status_code == 429


# --- The shared counter -----------------------------------------------------------------


def _redis_cache(settings, location):
    caches_setting = dict(settings.CACHES)
    caches_setting["ratelimit"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # parallel runs never share counters
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    settings.CACHES = caches_setting


def test_limit_is_counted_in_redis_shared_by_every_web_process(client, member, settings):
    _redis_cache(settings, "redis://127.0.0.1:6379/0")
    for _ in range(3):
        _ask(client, member.email)
    caches["default"].clear()  # nothing of the count lives in this process

    assert _ask(client, member.email).status_code == 429
    key = next(
        iter(
            caches["ratelimit"]
            ._cache.get_client()
            .keys(f"{settings.CACHES['ratelimit']['KEY_PREFIX']}:*password-reset-address*")
        )
    )
    assert 0 < caches["ratelimit"]._cache.get_client().ttl(key) <= 3600


def test_redis_down_still_answers_and_still_limits_in_the_process(client, member, settings):
    _redis_cache(settings, "redis://127.0.0.1:1/0")  # nothing listens there

    answers = [_ask(client, member.email) for _ in range(4)]

    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert _reset_rows().count() == 3


def test_window_is_fixed_and_then_counts_again(settings):
    assert all(ratelimit.hit("t", "x", limit=2, window=60) for _ in range(2))
    assert not ratelimit.hit("t", "x", limit=2, window=60)
    caches["ratelimit"].clear()  # the window ends
    assert ratelimit.hit("t", "x", limit=2, window=60)
