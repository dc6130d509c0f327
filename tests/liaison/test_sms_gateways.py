"""Text messages through the real Alibaba and Tencent SDKs, against local stand-ins of
their APIs (tests/sms_gateways.py), and the outbox's scheduling of text messages: quiet
hours, the daily limit and its digest, one message per occasion, and a kind the gateway
has no template for."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from liaison import outbox
from liaison.models import Notification
from liaison.services import notification_queue
from liaison.sms import IMMEDIATE_KINDS, SmsError, get_sms_backend
from tests.factories import NotificationFactory
from tests.sms_gateways import AlibabaStandIn, TencentStandIn

Channel = Notification.Channel
Status = Notification.Status
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOON = datetime.datetime(2026, 5, 18, 12, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "activity_invitation": {"code": "SMS_100", "params": ["name", "title"]},
    "birthday_greeting": {"code": "SMS_101", "params": ["name"]},
    "sms_digest": {"code": "SMS_200", "params": ["count", "link"]},
    "sign-in-code": {"code": "SMS_300", "params": ["code"]},
}


def configure(settings, stand_in, backend):
    settings.SMS_BACKEND = f"liaison.sms.{backend}"
    settings.SMS_ENDPOINT = stand_in.endpoint
    settings.SMS_ACCESS_KEY_ID = "test-key-id"
    settings.SMS_ACCESS_KEY_SECRET = "test-key-secret"
    settings.SMS_SIGN_NAME = "韭菜园联络处"
    settings.SMS_SDK_APP_ID = "1400000000"
    settings.SMS_TEMPLATES = TEMPLATES
    settings.SMS_TIMEOUT_SECONDS = 2


@pytest.fixture
def alibaba(settings):
    with AlibabaStandIn() as stand_in:
        configure(settings, stand_in, "AlibabaSmsBackend")
        yield stand_in


@pytest.fixture
def tencent(settings):
    with TencentStandIn() as stand_in:
        configure(settings, stand_in, "TencentSmsBackend")
        yield stand_in


@pytest.fixture
def noon():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def sms(phone="13900000009", kind="activity_invitation", **kwargs):
    kwargs.setdefault("subject", "【活动邀请】上半年政情通报会")
    return NotificationFactory(channel=Channel.SMS, kind=kind, address=phone, **kwargs)


def reloaded(row):
    row.refresh_from_db()
    return row


# --- Alibaba --------------------------------------------------------------------------


def test_alibaba_accepts_a_message_and_its_biz_id_is_stored(alibaba, noon):
    row = sms(sms_params={"name": "唐朝阳"}, link="/portal/activities/7/")

    report = outbox.deliver_pending()

    assert report.sent == 1
    (message,) = alibaba.received
    assert message["action"] == "SendSms"
    assert message["phone"] == "13900000009"
    assert message["sign"] == "韭菜园联络处"
    assert message["template"] == "SMS_100"
    assert message["params"] == {"name": "唐朝阳", "title": "【活动邀请】上半年政情通报会"}
    row = reloaded(row)
    assert row.status == Status.SENT
    assert row.gateway_message_id.endswith("^0")
    assert row.error_code == ""


def test_alibaba_sends_many_messages_in_one_batch_call(alibaba, noon):
    rows = [sms(phone=f"1390000000{n}", sms_params={"name": f"委员{n}"}) for n in range(3)]

    outbox.deliver_pending()

    assert alibaba.calls == 1
    assert [m["action"] for m in alibaba.received] == ["SendBatchSms"] * 3
    assert [m["params"]["name"] for m in alibaba.received] == ["委员0", "委员1", "委员2"]
    ids = {reloaded(row).gateway_message_id for row in rows}
    assert len(ids) == 1 and ids != {""}


def test_alibaba_flow_control_is_retried_later_and_then_sent(alibaba, noon):
    row = sms()
    alibaba.error = "isv.BUSINESS_LIMIT_CONTROL"

    report = outbox.deliver_pending()

    row = reloaded(row)
    assert report.retrying == 1
    assert row.status == Status.PENDING
    assert row.error_code == "isv.BUSINESS_LIMIT_CONTROL"
    assert row.attempts == 1
    assert row.next_attempt_at > NOON

    alibaba.error = ""
    assert outbox.deliver_pending().sent == 0  # not due yet
    noon.shift(datetime.timedelta(minutes=2))
    assert outbox.deliver_pending().sent == 1
    assert reloaded(row).status == Status.SENT
    assert len(alibaba.received) == 1


def test_alibaba_refusing_the_number_fails_the_row_without_retrying(alibaba, noon):
    row = sms(phone="12345")
    alibaba.codes["12345"] = "isv.MOBILE_NUMBER_ILLEGAL"

    report = outbox.deliver_pending()

    row = reloaded(row)
    assert report.failed == 1
    assert row.status == Status.FAILED
    assert row.error_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert row.attempts == 1
    noon.shift(datetime.timedelta(hours=2))
    outbox.deliver_pending()
    assert alibaba.calls == 1  # never asked again


def test_one_bad_number_in_a_batch_fails_alone(alibaba, noon):
    good = [sms(phone=f"1390000000{n}") for n in range(2)]
    bad = sms(phone="12345")
    alibaba.codes["12345"] = "isv.MOBILE_NUMBER_ILLEGAL"

    report = outbox.deliver_pending()

    assert (report.sent, report.failed) == (2, 1)
    assert [reloaded(row).status for row in good] == [Status.SENT, Status.SENT]
    assert reloaded(bad).error_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert sorted(m["phone"] for m in alibaba.received) == ["13900000000", "13900000001"]


def test_a_gateway_slower_than_the_timeout_is_retried(alibaba, settings, noon):
    settings.SMS_TIMEOUT_SECONDS = 0.3
    alibaba.delay = 1
    row = sms()

    report = outbox.deliver_pending()

    row = reloaded(row)
    assert report.retrying == 1
    assert row.status == Status.PENDING
    assert row.error_code  # the SDK's timeout, recorded
    assert row.next_attempt_at > NOON


def test_an_unreachable_gateway_is_retried(settings, noon):
    with AlibabaStandIn() as stand_in:
        configure(settings, stand_in, "AlibabaSmsBackend")
    row = sms()  # the stand-in has stopped: connection refused

    assert outbox.deliver_pending().retrying == 1
    assert reloaded(row).status == Status.PENDING


# --- Tencent --------------------------------------------------------------------------


def test_tencent_answers_per_number(tencent, noon):
    ok = sms(phone="13900000001", sms_params={"name": "唐朝阳"})
    wrong = sms(phone="13900000002", sms_params={"name": "唐朝阳"})
    busy = sms(phone="13900000003", sms_params={"name": "唐朝阳"})
    tencent.codes["13900000002"] = "InvalidParameterValue.IncorrectPhoneNumber"
    tencent.codes["13900000003"] = "LimitExceeded.PhoneNumberDailyLimit"

    report = outbox.deliver_pending()

    assert tencent.calls == 1  # the same parameters: one call for the three numbers
    assert (report.sent, report.failed, report.retrying) == (1, 1, 1)
    (message,) = tencent.received
    assert message["phone"] == "+8613900000001"
    assert message["template"] == "SMS_100"
    assert message["params"] == ["唐朝阳", "【活动邀请】上半年政情通报会"]
    assert message["app"] == "1400000000"
    assert reloaded(ok).gateway_message_id.startswith("serial-")
    assert reloaded(wrong).status == Status.FAILED
    assert reloaded(wrong).error_code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert reloaded(busy).status == Status.PENDING
    assert reloaded(busy).error_code == "LimitExceeded.PhoneNumberDailyLimit"


def test_tencent_error_for_the_whole_call(tencent, noon):
    transient, permanent = (
        sms(phone="13900000001"),
        sms(phone="13900000002", kind="birthday_greeting"),
    )
    tencent.error = "InternalError.Timeout"

    outbox.deliver_pending()
    assert reloaded(transient).status == Status.PENDING
    assert reloaded(permanent).status == Status.PENDING

    tencent.error = "AuthFailure.SecretIdNotFound"
    noon.shift(datetime.timedelta(minutes=2))
    outbox.deliver_pending()
    assert reloaded(transient).status == Status.FAILED
    assert reloaded(transient).error_code == "AuthFailure.SecretIdNotFound"


# --- a kind without a template ----------------------------------------------------------


def test_a_kind_without_template_goes_to_the_portal_and_staff_are_warned(
    alibaba, member, staff_client, noon
):
    row = sms(
        kind="proposal_registered",
        subject="您的提案已立案",
        recipient=member.user,
        office=member.office,
        dedupe_key="proposal-registered:9:u1:sms",
    )

    outbox.deliver_pending()

    assert alibaba.calls == 0
    row = reloaded(row)
    assert row.status == Status.SKIPPED
    assert row.error_code == "no_template"
    portal = Notification.objects.get(channel=Channel.PORTAL, recipient=member.user)
    assert portal.subject == "您的提案已立案"
    assert portal.dedupe_key == "proposal-registered:9:u1:portal"

    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "短信模板缺失" in page
    assert "proposal_registered" in page
    changelist = staff_client.get(reverse("admin:liaison_notification_changelist"))
    assert "短信网关没有以下消息类型的模板" in changelist.content.decode()


def test_no_warning_when_every_kind_has_a_template(alibaba, staff_client, noon):
    sms()
    outbox.deliver_pending()

    assert "短信模板缺失" not in staff_client.get(reverse("admin:index")).content.decode()


# --- quiet hours ----------------------------------------------------------------------


def test_a_message_queued_at_night_is_held_until_eight(alibaba, settings):
    settings.SMS_QUIET_HOURS = (22, 8)
    with time_machine.travel(
        datetime.datetime(2026, 5, 18, 23, 10, tzinfo=SHANGHAI), tick=False
    ) as t:
        row = notification_queue(
            channel=Channel.SMS,
            kind="birthday_greeting",
            dedupe_key="greeting:1",
            subject="生日快乐",
            body="生日快乐",
            address="13900000009",
            sms_params={"name": "唐朝阳"},
        )
        assert row.next_attempt_at == datetime.datetime(2026, 5, 19, 8, 0, tzinfo=SHANGHAI)
        t.move_to(datetime.datetime(2026, 5, 19, 7, 59, tzinfo=SHANGHAI))
        outbox.deliver_pending()
        assert alibaba.received == []
        t.move_to(datetime.datetime(2026, 5, 19, 8, 0, tzinfo=SHANGHAI))
        outbox.deliver_pending()
    (message,) = alibaba.received
    assert message["params"] == {"name": "唐朝阳"}
    assert reloaded(row).status == Status.SENT


def test_a_message_due_before_ten_but_sent_after_is_held_too(alibaba, settings):
    settings.SMS_QUIET_HOURS = (22, 8)
    with time_machine.travel(
        datetime.datetime(2026, 5, 18, 21, 59, tzinfo=SHANGHAI), tick=False
    ) as t:
        row = sms()
        t.move_to(datetime.datetime(2026, 5, 18, 22, 1, tzinfo=SHANGHAI))
        report = outbox.deliver_pending()
    row = reloaded(row)
    assert report.held == 1
    assert alibaba.received == []
    assert row.status == Status.PENDING
    assert row.attempts == 0
    assert row.next_attempt_at == datetime.datetime(2026, 5, 19, 8, 0, tzinfo=SHANGHAI)


# --- the daily limit and the digest -----------------------------------------------------


def test_messages_over_the_daily_limit_go_in_one_digest_the_next_morning(alibaba, settings, noon):
    settings.SMS_DAILY_LIMIT = 2
    rows = [sms(subject=f"消息{n}", sms_params={"name": "唐朝阳"}) for n in range(4)]
    other = sms(phone="13900000008")

    report = outbox.deliver_pending()

    assert (report.sent, report.digested) == (3, 2)
    assert [reloaded(row).status for row in rows] == [
        Status.SENT,
        Status.SENT,
        Status.DIGESTED,
        Status.DIGESTED,
    ]
    assert reloaded(other).status == Status.SENT
    digest = Notification.objects.get(kind=outbox.DIGEST_KIND)
    assert digest.address == "13900000009"
    assert digest.next_attempt_at == datetime.datetime(2026, 5, 19, 8, 0, tzinfo=SHANGHAI)
    assert digest.sms_params["titles"] == ["消息2", "消息3"]
    assert digest.body.endswith("尊敬的唐朝阳委员，5月18日另有2条消息，请登录委员服务平台查看。")
    assert digest.body.startswith("【") and len(digest.body) <= 70

    sms(subject="消息4")  # later the same day (a row without a name): into the same digest
    outbox.deliver_pending()
    assert Notification.objects.filter(kind=outbox.DIGEST_KIND).count() == 1
    assert reloaded(digest).sms_params["count"] == 3
    assert "尊敬的唐朝阳委员，5月18日另有3条消息" in reloaded(digest).body

    noon.move_to(datetime.datetime(2026, 5, 19, 8, 0, tzinfo=SHANGHAI))
    outbox.deliver_pending()
    digest = reloaded(digest)
    assert digest.status == Status.SENT
    sent = alibaba.received[-1]
    assert sent["template"] == "SMS_200"
    assert sent["params"]["count"] == "3"
    assert sent["params"]["link"].endswith(reverse("portal:notifications"))


# --- one text message per occasion ----------------------------------------------------


def test_one_text_message_per_occasion_however_often_it_is_queued(alibaba, noon):
    for _ in range(3):
        notification_queue(
            channel=Channel.SMS,
            kind="birthday_greeting",
            dedupe_key="greeting:2026:7:sms",
            subject="生日快乐",
            body="生日快乐",
            address="13900000009",
        )
        outbox.deliver_pending()

    assert len(alibaba.received) == 1


def test_the_warning_is_only_for_the_office_whose_messages_fell_back(
    alibaba, member, client, other_staff, noon
):
    sms(kind="proposal_registered", recipient=member.user, office=member.office)
    outbox.deliver_pending()
    client.force_login(other_staff)

    assert "短信模板缺失" not in client.get(reverse("admin:index")).content.decode()


def test_a_wrong_template_setting_keeps_the_messages_waiting(alibaba, settings, noon):
    settings.SMS_TEMPLATES = {"activity_invitation": {"params": ["name"]}}  # no code
    row = sms()

    assert outbox.deliver_pending().retrying == 1

    row = reloaded(row)
    assert row.status == Status.PENDING
    assert row.error_code == "config"
    assert "KeyError" in row.last_error


@pytest.fixture
def sign_in_code():
    """A kind the member waits for on the spot, as the SMS sign-in registers it."""
    IMMEDIATE_KINDS.add("sign-in-code")
    yield "sign-in-code"
    IMMEDIATE_KINDS.discard("sign-in-code")


def test_a_code_the_member_waits_for_goes_at_night_and_past_the_daily_limit(
    alibaba, settings, sign_in_code
):
    settings.SMS_QUIET_HOURS = (22, 8)
    settings.SMS_DAILY_LIMIT = 1
    night = datetime.datetime(2026, 5, 18, 23, 10, tzinfo=SHANGHAI)
    with time_machine.travel(night, tick=False):
        invitation = sms()
        codes = [
            notification_queue(
                channel=Channel.SMS,
                kind=sign_in_code,
                dedupe_key=f"sign-in-code:{n}",
                subject="验证码",
                body=f"验证码{n}",
                address="13900000009",
                sms_params={"code": f"00000{n}"},
            )
            for n in range(2)
        ]
        outbox.deliver_pending()

    assert [m["params"] for m in alibaba.received] == [{"code": "000000"}, {"code": "000001"}]
    assert [reloaded(code).status for code in codes] == [Status.SENT, Status.SENT]
    assert reloaded(invitation).status == Status.PENDING  # held until the morning


@pytest.mark.parametrize("stand_in", ["alibaba", "tencent"])
def test_a_code_sent_straight_through_the_backend(stand_in, sign_in_code, request):
    gateway = request.getfixturevalue(stand_in)

    backend = get_sms_backend()
    backend.send("13900000009", "验证码123456", kind=sign_in_code, params={"code": "123456"})

    (message,) = gateway.received
    assert message["template"] == "SMS_300"
    assert message["params"] in ({"code": "123456"}, ["123456"])
    with pytest.raises(SmsError) as refused:
        backend.send("13900000009", "验证码", kind="unknown-kind")
    assert refused.value.result.error_code == "no_template"
    assert not refused.value.result.transient
