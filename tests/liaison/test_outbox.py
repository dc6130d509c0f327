"""The notification outbox: queued once per occasion, delivered once, retried with
backoff, and never sent by two workers."""

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from liaison import outbox
from liaison.models import Notification
from liaison.services import notification_queue, notify_user
from liaison.sms import LocmemSmsBackend
from liaison.tasks import deliver_notifications
from tests.factories import NotificationFactory, UserFactory, member_with_account

Status = Notification.Status
Channel = Notification.Channel
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 5, 11, 9, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down: every attempt raises, as smtplib does."""

    def open(self):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class PickyEmailBackend(BaseEmailBackend):
    """Refuses one address, delivers the rest to mail.outbox."""

    def send_messages(self, messages):
        for message in messages:
            if "refused@" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
            mail.outbox.append(message)
        return len(messages)


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "liaison.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


def queue(key="occasion:1", channel=Channel.EMAIL, address="someone@example.cn", **kwargs):
    return notification_queue(
        channel=channel,
        kind="test",
        dedupe_key=key,
        subject="会议通知",
        body="请准时参加。",
        address=address,
        **kwargs,
    )


# --- queueing -------------------------------------------------------------------------


def test_the_same_occasion_is_queued_once():
    first = queue()
    second = queue()

    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1


def test_a_duplicate_leaves_the_surrounding_transaction_usable():
    with transaction.atomic():
        queue()
        assert queue() is None
        queue(key="occasion:2")  # would fail if the duplicate had broken the transaction

    assert Notification.objects.count() == 2


def test_queueing_writes_a_row_and_sends_nothing():
    queue()

    assert mail.outbox == []
    assert Notification.objects.get().status == Status.PENDING


def test_portal_notification_is_delivered_when_written():
    row = queue(channel=Channel.PORTAL, address="")

    assert row.status == Status.SENT
    assert row.sent_at is not None


def test_email_to_a_user_without_address_is_kept_as_skipped_and_never_sent():
    user = UserFactory(email="")

    rows = notify_user(
        user=user,
        kind="birthday_heads_up",
        key="test-occasion",
        template="birthday_greeting",
        context={"member": {"name": "唐朝阳"}, "office": {"name": "韭菜园"}},
        channels=(Channel.EMAIL,),
    )
    outbox.deliver_pending()

    assert [row.status for row in rows] == [Status.SKIPPED]
    assert mail.outbox == []


def test_notify_user_uses_the_member_mobile_for_text_messages(sms_outbox):
    member = member_with_account(mobile="13912345678")

    notify_user(
        user=member.user,
        kind="birthday_greeting",
        key="greeting-test",
        template="birthday_greeting",
        context={"member": member, "office": member.office},
        channels=(Channel.SMS,),
    )
    outbox.deliver_pending()

    assert len(sms_outbox) == 1
    phone, text = sms_outbox[0]
    assert phone == "13912345678"
    assert "生日" in text


def test_notify_user_renders_the_chinese_template_once_per_occasion():
    user = UserFactory(email="zhou@example.cn")
    kwargs = {
        "user": user,
        "kind": "birthday_greeting",
        "key": "greeting-test",
        "template": "birthday_greeting",
        "context": {"member": {"name": "唐朝阳"}, "office": {"name": "韭菜园街道政协联络处"}},
    }

    first = notify_user(**kwargs)
    again = notify_user(**kwargs)

    assert {row.channel for row in first} == {Channel.EMAIL, Channel.PORTAL}
    assert again == []
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.subject == "唐朝阳委员，祝您生日快乐！"
    assert "韭菜园街道政协联络处全体同志" in email.body
    assert email.address == "zhou@example.cn"


# --- delivery -------------------------------------------------------------------------


def test_delivery_sends_each_row_once():
    rows = [NotificationFactory(address=f"m{n}@example.cn") for n in range(3)]

    outbox.deliver_pending()
    outbox.deliver_pending()

    assert sorted(message.to[0] for message in mail.outbox) == [
        "m0@example.cn",
        "m1@example.cn",
        "m2@example.cn",
    ]
    for row in rows:
        row.refresh_from_db()
        assert row.status == Status.SENT
        assert row.sent_at is not None
        assert row.claim_token == ""


def test_delivery_works_through_batches_up_to_the_limit():
    for n in range(7):
        NotificationFactory(address=f"m{n}@example.cn")

    report = outbox.deliver_pending(limit=5, batch_size=2)

    assert report.sent == 5
    assert len(mail.outbox) == 5
    assert Notification.objects.filter(status=Status.PENDING).count() == 2


def test_two_claimers_never_get_the_same_row():
    ids = [NotificationFactory().pk for _ in range(4)]
    now = timezone.now()

    # Both workers read the same candidates before either claims them.
    first = outbox.claim(ids, now=now)
    second = outbox.claim(ids, now=now)

    assert {row.pk for row in first} == set(ids)
    assert second == []


def test_consecutive_claims_take_disjoint_rows():
    for _ in range(5):
        NotificationFactory()

    first = outbox.claim_due(limit=3)
    second = outbox.claim_due(limit=3)

    assert len(first) == 3
    assert len(second) == 2
    assert not {row.pk for row in first} & {row.pk for row in second}
    assert outbox.claim_due(limit=3) == []


def test_failing_mail_server_leaves_the_row_pending_with_backoff(settings, traveller):
    settings.EMAIL_BACKEND = "tests.liaison.test_outbox.FailingEmailBackend"
    row = NotificationFactory()

    report = outbox.deliver_pending()

    row.refresh_from_db()
    assert report.retrying == 1
    assert row.status == Status.PENDING
    assert row.attempts == 1
    assert "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at == START + datetime.timedelta(minutes=1)


def test_a_row_is_not_retried_before_its_backoff_is_over(settings, traveller):
    settings.EMAIL_BACKEND = "tests.liaison.test_outbox.FailingEmailBackend"
    NotificationFactory()
    outbox.deliver_pending()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    traveller.shift(datetime.timedelta(seconds=30))
    outbox.deliver_pending()

    assert mail.outbox == []


def test_after_the_mail_server_returns_the_row_is_sent_exactly_once(settings, traveller):
    settings.EMAIL_BACKEND = "tests.liaison.test_outbox.FailingEmailBackend"
    row = NotificationFactory()
    outbox.deliver_pending()
    traveller.shift(datetime.timedelta(minutes=1))
    outbox.deliver_pending()  # second failure: next try two minutes later
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    traveller.shift(datetime.timedelta(minutes=2))
    outbox.deliver_pending()
    outbox.deliver_pending()

    row.refresh_from_db()
    assert len(mail.outbox) == 1
    assert row.status == Status.SENT
    assert row.attempts == 2


def test_row_fails_for_good_after_the_maximum_attempts(settings, traveller):
    settings.EMAIL_BACKEND = "tests.liaison.test_outbox.FailingEmailBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    row = NotificationFactory()

    for _ in range(5):
        outbox.deliver_pending()
        traveller.shift(datetime.timedelta(hours=1))

    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.attempts == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox.deliver_pending()
    assert mail.outbox == []


def test_backoff_doubles_up_to_an_hour():
    minutes = [outbox.backoff(n).total_seconds() / 60 for n in range(1, 9)]

    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]


def test_one_refused_address_does_not_hold_up_the_others(settings):
    settings.EMAIL_BACKEND = "tests.liaison.test_outbox.PickyEmailBackend"
    good = NotificationFactory(address="good@example.cn")
    bad = NotificationFactory(address="refused@example.cn")
    later = NotificationFactory(address="later@example.cn")

    outbox.deliver_pending()

    for row in (good, bad, later):
        row.refresh_from_db()
    assert [message.to[0] for message in mail.outbox] == ["good@example.cn", "later@example.cn"]
    assert (good.status, bad.status, later.status) == (Status.SENT, Status.PENDING, Status.SENT)
    assert bad.attempts == 1


def test_text_messages_go_through_the_configured_sms_backend(sms_outbox):
    NotificationFactory(channel=Channel.SMS, address="13900000009", body="生日快乐")

    outbox.deliver_pending()

    assert sms_outbox == [("13900000009", "生日快乐")]


# --- stale claims ---------------------------------------------------------------------


def test_a_row_left_sending_by_a_dead_worker_is_released_and_delivered(settings, traveller):
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 600
    row = NotificationFactory(
        status=Status.SENDING,
        claim_token="dead-worker",
        claimed_at=START - datetime.timedelta(minutes=11),
    )

    deliver_notifications()
    deliver_notifications()

    row.refresh_from_db()
    assert len(mail.outbox) == 1
    assert row.status == Status.SENT
    assert row.attempts == 1


def test_a_row_still_within_its_claim_is_left_to_its_worker(settings, traveller):
    settings.OUTBOX_CLAIM_TIMEOUT_SECONDS = 600
    row = NotificationFactory(
        status=Status.SENDING,
        claim_token="busy-worker",
        claimed_at=START - datetime.timedelta(minutes=2),
    )

    deliver_notifications()

    row.refresh_from_db()
    assert mail.outbox == []
    assert row.status == Status.SENDING


def test_a_row_that_keeps_killing_its_worker_ends_up_failed(settings, traveller):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    row = NotificationFactory(
        status=Status.SENDING,
        attempts=2,
        claim_token="dead-worker",
        claimed_at=START - datetime.timedelta(hours=1),
    )

    deliver_notifications()

    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert mail.outbox == []


def test_a_slow_worker_does_not_overwrite_a_row_another_worker_reclaimed():
    NotificationFactory()
    (slow,) = outbox.claim_due()
    Notification.objects.filter(pk=slow.pk).update(status=Status.PENDING)  # released
    (fresh,) = outbox.claim_due()

    outbox._record_failure(slow, "RuntimeError: late")

    fresh.refresh_from_db()
    assert fresh.status == Status.SENDING
    assert fresh.attempts == 0


# --- the claim is a lease, renewed while the batch is sent -----------------------------


def test_rows_of_a_killed_worker_go_out_again_within_two_minutes(traveller):
    """The default lease (no setting overridden): a worker claims a batch and is killed
    before sending any of it; the beat sweep (every 30 s) sends it within 2 minutes."""
    for n in range(3):
        queue(key=f"occasion:{n}", address=f"member{n}@example.cn")
    claimed = outbox.claim_due()  # … and the worker dies
    assert len(claimed) == 3

    sent_at = None
    for _ in range(4):  # four sweeps, 30 s apart
        traveller.shift(datetime.timedelta(seconds=30))
        deliver_notifications()
        if len(mail.outbox) == 3:
            sent_at = timezone.now()
            break

    assert sent_at is not None, "still claimed by the dead worker after 2 minutes"
    assert sorted(m.to[0] for m in mail.outbox) == [f"member{n}@example.cn" for n in range(3)]
    assert Notification.objects.filter(status=Status.SENT).count() == 3


class SlowEmailBackend(BaseEmailBackend):
    """A mail server that takes a minute per message; while the last one is being sent,
    another worker's sweep runs (``sweep``)."""

    traveller = None
    sweep = None
    released: list = []

    def send_messages(self, messages):
        for message in messages:
            SlowEmailBackend.traveller.shift(datetime.timedelta(seconds=60))
            if message.to[0] == "last@example.cn":
                SlowEmailBackend.released.append(outbox.release_stale_claims())
            mail.outbox.append(message)
        return len(messages)


def test_a_live_worker_keeps_its_claims_through_a_batch_longer_than_the_lease(settings, traveller):
    """Twelve messages of a minute each (12 minutes, more than the old 10-minute claim
    timeout and far more than the lease): the worker renews its lease as it goes, so a
    sweep running meanwhile takes none of its rows and each message goes out once."""
    settings.EMAIL_BACKEND = f"{__name__}.SlowEmailBackend"
    SlowEmailBackend.traveller = traveller
    SlowEmailBackend.released = []
    for n in range(11):
        queue(key=f"occasion:{n}", address=f"member{n}@example.cn")
    queue(key="occasion:last", address="last@example.cn")

    report = outbox.deliver_pending()

    assert SlowEmailBackend.released == [0]
    assert report.sent == 12
    assert len(mail.outbox) == 12
    assert Notification.objects.filter(status=Status.SENT, attempts=0).count() == 12


def test_renewal_leaves_a_row_another_worker_reclaimed_alone(traveller):
    NotificationFactory()
    (slow,) = outbox.claim_due()
    Notification.objects.filter(pk=slow.pk).update(status=Status.PENDING)  # released
    traveller.shift(datetime.timedelta(seconds=5))
    (fresh,) = outbox.claim_due()
    traveller.shift(datetime.timedelta(seconds=5))

    assert outbox.renew_claims({slow.claim_token}) == 0

    fresh.refresh_from_db()
    assert fresh.claim_token != slow.claim_token
    assert fresh.claimed_at == START + datetime.timedelta(seconds=5)
