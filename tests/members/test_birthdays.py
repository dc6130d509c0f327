"""Birthday reminders: a greeting to the member on the day, a heads-up to the office's
staff a configurable number of days before — each once per occasion, and none lost
while Redis is down."""

import contextlib
import datetime
import socket
import time
import zoneinfo

import pytest
import time_machine
from django.core import mail
from kombu.exceptions import OperationalError

from liaison.celery import app as celery_app
from liaison.models import Notification
from liaison.outbox import deliver_pending
from liaison.sms import LocmemSmsBackend
from liaison.tasks import deliver_notifications
from members.models import Member
from members.reminders import birthday_reminders_queue
from members.tasks import birthday_reminders
from tests.factories import MemberFactory, staff_user

Channel = Notification.Channel
Status = Notification.Status
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "liaison.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


def born(office, birth_date, **kwargs):
    return MemberFactory(office=office, birth_date=birth_date, **kwargs)


def greetings(member):
    return Notification.objects.filter(dedupe_key__startswith=f"birthday-greeting:{member.pk}:")


def heads_up(member):
    return Notification.objects.filter(dedupe_key__startswith=f"birthday-heads-up:{member.pk}:")


# --- the greeting ---------------------------------------------------------------------


def test_member_with_an_account_and_a_mobile_is_greeted_in_the_portal_and_by_text(
    member, sms_outbox
):
    birthday_reminders_queue(datetime.date(2026, 5, 17))  # member born 1970-05-17
    deliver_pending()

    assert {row.channel for row in greetings(member)} == {Channel.PORTAL, Channel.SMS}
    portal = greetings(member).get(channel=Channel.PORTAL)
    assert portal.recipient == member.user
    assert portal.status == Status.SENT
    assert portal.subject == "唐朝阳委员，祝您生日快乐！"
    assert [phone for phone, _ in sms_outbox] == ["13900000001"]
    assert "唐朝阳委员" in sms_outbox[0][1]
    assert mail.outbox == []  # one direct message, not a text and an e-mail


def test_member_without_a_mobile_is_greeted_by_email(office):
    member = born(office, datetime.date(1980, 5, 17), mobile="", email="wang@example.cn")

    birthday_reminders_queue(datetime.date(2026, 5, 17))
    deliver_pending()

    assert [row.channel for row in greetings(member)] == [Channel.EMAIL]
    (message,) = mail.outbox
    assert message.to == ["wang@example.cn"]
    assert message.subject == f"{member.name}委员，祝您生日快乐！"
    assert "韭菜园街道政协联络处全体同志" in message.body
    assert "2026年5月17日" in message.body


def test_only_serving_members_with_a_birthday_today_are_greeted(office):
    today = born(office, datetime.date(1970, 5, 17))
    born(office, datetime.date(1970, 5, 18))
    born(office, datetime.date(1970, 5, 17), status=Member.Status.TERM_ENDED)
    born(office, datetime.date(1970, 5, 17), status=Member.Status.DECEASED)
    born(office, None)

    birthday_reminders_queue(datetime.date(2026, 5, 17))

    greeted = Notification.objects.filter(kind="birthday_greeting")
    assert {row.dedupe_key.split(":")[1] for row in greeted} == {str(today.pk)}


def test_greetings_are_written_and_sent_once_even_if_the_sweep_runs_twice(office):
    member = born(office, datetime.date(1980, 5, 17), mobile="")

    with time_machine.travel(datetime.datetime(2026, 5, 17, 7, 30, tzinfo=SHANGHAI)):
        birthday_reminders()
        count = Notification.objects.count()
        birthday_reminders()
        deliver_notifications()

    assert greetings(member).count() == 1
    assert Notification.objects.count() == count
    assert len(mail.outbox) == 1


def test_the_greeting_is_written_again_next_year(office):
    member = born(office, datetime.date(1980, 5, 17), mobile="")

    birthday_reminders_queue(datetime.date(2026, 5, 17))
    birthday_reminders_queue(datetime.date(2027, 5, 17))

    assert sorted(row.dedupe_key for row in greetings(member)) == [
        f"birthday-greeting:{member.pk}:2026:email",
        f"birthday-greeting:{member.pk}:2027:email",
    ]


# --- the heads-up to staff ------------------------------------------------------------


def test_staff_get_a_heads_up_the_configured_number_of_days_before(
    office, staff, other_staff, leader
):
    office.birthday_heads_up_days = 5
    office.save()
    member = born(office, datetime.date(1966, 5, 17), name="曹胜阳")

    birthday_reminders_queue(datetime.date(2026, 5, 11))
    assert not heads_up(member).exists()

    birthday_reminders_queue(datetime.date(2026, 5, 12))
    deliver_pending()

    rows = heads_up(member)
    assert {(row.recipient, row.channel) for row in rows} == {
        (staff, Channel.EMAIL),
        (staff, Channel.PORTAL),
    }
    (message,) = mail.outbox
    assert message.to == [staff.email]
    assert message.subject == "【生日提醒】曹胜阳委员5天后（5月17日）过生日"
    assert "2026年5月17日（星期日）过60岁生日" in message.body
    assert f"/admin/members/member/{member.pk}/change/" in message.body


def test_a_missed_heads_up_is_made_up_by_the_next_sweep_and_not_repeated(office, staff):
    member = born(office, datetime.date(1966, 5, 17))  # office default: 3 days before

    birthday_reminders_queue(datetime.date(2026, 5, 15))  # the sweep on the 14th was missed
    birthday_reminders_queue(datetime.date(2026, 5, 16))

    email = heads_up(member).get(channel=Channel.EMAIL)
    assert "2天后" in email.subject
    assert heads_up(member).count() == 2


def test_no_heads_up_when_the_office_sets_zero_days(office, staff):
    office.birthday_heads_up_days = 0
    office.save()
    member = born(office, datetime.date(1966, 5, 17))

    for day in range(10, 17):
        birthday_reminders_queue(datetime.date(2026, 5, day))

    assert not heads_up(member).exists()


def test_each_office_uses_its_own_lead_time(office, other_office, staff, other_staff):
    other_office.birthday_heads_up_days = 7
    other_office.save()
    here = born(office, datetime.date(1970, 5, 24))
    there = born(other_office, datetime.date(1970, 5, 24))

    birthday_reminders_queue(datetime.date(2026, 5, 17))

    assert not heads_up(here).exists()
    assert {row.recipient for row in heads_up(there)} == {other_staff}


def test_inactive_staff_get_no_heads_up(office, staff):
    gone = staff_user(office, username="gone", is_active=False)
    member = born(office, datetime.date(1966, 5, 17))

    birthday_reminders_queue(datetime.date(2026, 5, 14))

    assert gone not in {row.recipient for row in heads_up(member)}
    assert heads_up(member).exists()


def test_heads_up_across_the_new_year_names_next_year(office, staff):
    member = born(office, datetime.date(1960, 1, 1))

    birthday_reminders_queue(datetime.date(2026, 12, 29))

    email = heads_up(member).get(channel=Channel.EMAIL)
    assert email.dedupe_key == f"birthday-heads-up:{member.pk}:2027:u{staff.pk}:email"
    assert "3天后（1月1日）" in email.subject


# --- 29 February ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "greeted"),
    [
        (datetime.date(2027, 2, 28), True),  # common year: celebrated on 28 February
        (datetime.date(2027, 3, 1), False),
        (datetime.date(2028, 2, 28), False),  # leap year: on the day itself
        (datetime.date(2028, 2, 29), True),
    ],
)
def test_a_29_february_birthday_is_greeted_on_28_february_in_a_common_year(office, day, greeted):
    member = born(office, datetime.date(1972, 2, 29), mobile="")

    birthday_reminders_queue(day)

    assert greetings(member).exists() is greeted


def test_a_29_february_heads_up_counts_to_28_february_in_a_common_year(office, staff):
    member = born(office, datetime.date(1972, 2, 29))

    birthday_reminders_queue(datetime.date(2027, 2, 24))
    assert not heads_up(member).exists()
    birthday_reminders_queue(datetime.date(2027, 2, 25))

    email = heads_up(member).get(channel=Channel.EMAIL)
    assert "3天后（2月28日）" in email.subject


# --- cost -----------------------------------------------------------------------------


def _roster(office, size):
    for n in range(size):
        born(office, datetime.date(1960 + n % 30, 5, 17 if n % 2 else 20), mobile="")
    for n in range(size):
        born(office, datetime.date(1960 + n % 30, 3, 1))  # no reminder today


@pytest.mark.parametrize("size", [3, 30])
def test_reminder_sweep_runs_a_fixed_number_of_queries(
    office, staff, size, django_assert_num_queries
):
    _roster(office, size)

    # Offices' lead times, today's birthdays, upcoming birthdays, the staff role's
    # holders, staff, existing keys, one bulk insert.
    with django_assert_num_queries(7):
        created = birthday_reminders_queue(datetime.date(2026, 5, 17))

    greeted = size // 2  # one e-mail each; the others get a heads-up by e-mail and portal
    assert created == greeted + (size - greeted) * 2


# --- Redis stopped --------------------------------------------------------------------


@contextlib.contextmanager
def redis_stopped(settings):
    """Point the web (healthz) and Celery at a port where nothing listens, as when
    redis-server is stopped; put everything back on exit (Redis returns)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    url = f"redis://127.0.0.1:{port}/0"
    saved = (settings.REDIS_URL, settings.CELERY_BROKER_URL, celery_app.conf.broker_url)
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    _use_broker(url)
    try:
        yield
    finally:
        settings.REDIS_URL, settings.CELERY_BROKER_URL, broker_url = saved
        _use_broker(broker_url)


def _use_broker(url):
    """Point the Celery app, publishers included, at another broker (Celery caches its
    connection and producer pools; dropping them is what it does itself after a fork)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_redis_stopped_reminders_are_kept_and_delivered_once_it_returns(
    client, settings, office, staff, member
):
    quiet = born(office, datetime.date(1980, 5, 17), mobile="", email="quiet@example.cn")
    born(office, datetime.date(1966, 5, 20), name="曹胜阳")  # heads-up due today

    with redis_stopped(settings):
        with pytest.raises(OperationalError):  # the broker really is unreachable
            deliver_notifications.apply_async()

        started = time.monotonic()
        created = birthday_reminders_queue(datetime.date(2026, 5, 17))
        assert time.monotonic() - started < 1

        client.force_login(staff)
        assert client.get("/admin/").status_code == 200
        client.force_login(member.user)
        assert client.get("/portal/").status_code == 200
        assert client.get("/healthz").status_code == 503

    assert created == Notification.objects.count() > 0
    assert not Notification.objects.filter(status=Status.PENDING, attempts__gt=0).exists()

    # Redis returns: the beat sweep runs (twice, as it may), each reminder goes out once.
    deliver_notifications.apply()
    deliver_notifications.apply()

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["quiet@example.cn", staff.email]
    )
    assert [phone for phone, _ in LocmemSmsBackend.outbox] == [member.mobile]
    assert not Notification.objects.exclude(status=Status.SENT).exists()
    assert greetings(quiet).get().sent_at is not None


def test_a_user_is_not_needed_for_a_greeting(office):
    member = born(office, datetime.date(1980, 5, 17), mobile="13911112222")

    birthday_reminders_queue(datetime.date(2026, 5, 17))

    (row,) = greetings(member)
    assert row.recipient is None
    assert row.channel == Channel.SMS
    assert row.address == "13911112222"
