"""Text messages (短信). ``settings.SMS_BACKEND`` names a class implementing
``BaseSmsBackend``: the default one writes each message to the log; ``AlibabaSmsBackend``
and ``TencentSmsBackend`` send through Alibaba Cloud SMS and Tencent Cloud SMS.

The outbox hands a backend a batch of ``SmsMessage`` and gets one ``SmsResult`` back
for each: accepted (with the gateway's message id) or refused with an error code that
is transient (retried with backoff: throttling, a daily limit, the gateway down, a
timeout) or permanent (not retried: a malformed number, a template the gateway does not
know).

Chinese gateways only send templates approved beforehand, filled with parameters:
``SMS_TEMPLATES`` maps each message kind to a template code and the names of its
parameters, in order (Tencent's are positional). The parameters come from the outbox
row (``liaison.outbox.sms_params``): ``title`` (the subject), ``link`` (the page on this
site), ``name`` and whatever the code that queued the row put in ``sms_params``. A kind
without a template is not sent by SMS; the outbox turns it into a portal message and
warns staff.

No text message is sent between ``SMS_QUIET_HOURS`` (22:00–08:00 local time): a message
due then is held until the morning (``release_time``), unless its kind is one of
``IMMEDIATE_KINDS`` (codes the member is waiting for).
"""

import abc
import datetime
import functools
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# The result of a message whose kind has no template (see GatewaySmsBackend).
NO_TEMPLATE = "no_template"

# Kinds the member is waiting for on the spot (a sign-in or reset code): sent at any
# hour and never held by the daily limit. The code that queues such a kind adds it here
# (``IMMEDIATE_KINDS.add("sign-in-code")``) when its module is imported.
IMMEDIATE_KINDS: set[str] = set()


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    kind: str = ""
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SmsResult:
    message_id: str = ""
    error_code: str = ""
    error: str = ""
    transient: bool = False

    @property
    def accepted(self) -> bool:
        return not self.error_code


class SmsError(Exception):
    """The gateway refused a message sent with ``send``; ``result`` says why."""

    def __init__(self, result: SmsResult):
        super().__init__(f"{result.error_code}: {result.error}".rstrip(": "))
        self.result = result


class BaseSmsBackend:
    """Sends text messages. A simple backend implements ``send`` (one message, raising
    on failure: every exception counts as transient); a gateway overrides
    ``send_messages``.

    ``send`` is also how a message that must not wait in the outbox goes out (a code
    the member is typing in): a gateway needs its ``kind`` (for the template) and the
    template's ``params``."""

    # True when the gateway only sends pre-approved templates (see has_template).
    templated = False

    def send(self, phone: str, text: str, *, kind: str = "", params: dict | None = None) -> None:
        raise NotImplementedError

    def has_template(self, kind: str) -> bool:
        return True

    def send_messages(self, messages: list[SmsMessage]) -> list[SmsResult]:
        results = []
        for message in messages:
            try:
                self.send(message.phone, message.text)
            except Exception as exc:
                results.append(
                    SmsResult(error_code=type(exc).__name__, error=str(exc), transient=True)
                )
            else:
                results.append(SmsResult())
        return results


class LoggingSmsBackend(BaseSmsBackend):
    """Writes the message to the log instead of sending it (no gateway configured)."""

    def send(self, phone: str, text: str, *, kind: str = "", params: dict | None = None) -> None:
        logger.info("SMS to %s: %s", phone, text)


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``LocmemSmsBackend.outbox`` as (phone, text), like Django's
    locmem e-mail backend; for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str, *, kind: str = "", params: dict | None = None) -> None:
        self.outbox.append((phone, text))


@dataclass(frozen=True)
class SmsTemplate:
    code: str
    params: tuple[str, ...] = ()

    def values(self, message: SmsMessage) -> list[str]:
        return [str(message.params.get(name, "")) for name in self.params]


def sms_templates() -> dict[str, SmsTemplate]:
    """``SMS_TEMPLATES``: {"<kind>": {"code": "SMS_123", "params": ["name", "title"]}}."""
    return {
        kind: SmsTemplate(code=spec["code"], params=tuple(spec.get("params", ())))
        for kind, spec in settings.SMS_TEMPLATES.items()
    }


class GatewaySmsBackend(BaseSmsBackend, abc.ABC):
    """What the Alibaba and Tencent backends share: templates, sign name, endpoint,
    timeout, batching, and sorting error codes into transient and permanent."""

    templated = True
    default_endpoint = ""
    batch_size = 100
    # Error codes worth retrying later; every other code is permanent.
    transient_codes: frozenset[str] = frozenset()
    transient_prefixes: tuple[str, ...] = ()

    def __init__(self):
        self.templates = sms_templates()
        self.sign_name = settings.SMS_SIGN_NAME
        self.timeout = settings.SMS_TIMEOUT_SECONDS
        endpoint = settings.SMS_ENDPOINT or self.default_endpoint
        # "http://127.0.0.1:8080" (a stand-in) or "dysmsapi.aliyuncs.com" (https).
        self.protocol, _, host = endpoint.rpartition("://")
        self.protocol = self.protocol or "https"
        self.endpoint = host.rstrip("/")

    def has_template(self, kind: str) -> bool:
        return kind in self.templates

    def send(self, phone: str, text: str, *, kind: str = "", params: dict | None = None) -> None:
        (result,) = self.send_messages([SmsMessage(phone, text, kind, params or {})])
        if not result.accepted:
            raise SmsError(result)

    def is_transient(self, code: str) -> bool:
        return code in self.transient_codes or code.startswith(self.transient_prefixes)

    def refused(self, code: str, message: str = "") -> SmsResult:
        return SmsResult(error_code=code, error=message, transient=self.is_transient(code))

    def failed(self, exc: Exception) -> SmsResult:
        """The result of a call that raised: a gateway error code where the SDK gives
        one, else (timeout, connection refused) a transient failure."""
        return SmsResult(error_code=type(exc).__name__, error=str(exc)[:500], transient=True)

    def send_messages(self, messages: list[SmsMessage]) -> list[SmsResult]:
        results: list[SmsResult | None] = [None] * len(messages)
        by_kind = defaultdict(list)
        for index, message in enumerate(messages):
            if message.kind in self.templates:
                by_kind[message.kind].append(index)
            else:
                results[index] = SmsResult(error_code=NO_TEMPLATE)
        for kind, indexes in by_kind.items():
            template = self.templates[kind]
            for start in range(0, len(indexes), self.batch_size):
                chunk = indexes[start : start + self.batch_size]
                batch = [messages[i] for i in chunk]
                try:
                    outcome = self.send_batch(template, batch)
                except Exception as exc:
                    logger.warning("SMS gateway call failed: %s", exc)
                    outcome = [self.failed(exc)] * len(batch)
                for index, result in zip(chunk, outcome, strict=True):
                    results[index] = result
        return results

    @abc.abstractmethod
    def send_batch(self, template: SmsTemplate, batch: list[SmsMessage]) -> list[SmsResult]:
        """One gateway call for ``batch`` (messages of one kind): a result for each."""


class AlibabaSmsBackend(GatewaySmsBackend):
    """Alibaba Cloud SMS (dysmsapi 2017-05-25): ``SendSms`` for one message,
    ``SendBatchSms`` (at most 100 numbers, parameters per number) for more. The gateway
    answers a batch with one BizId and one code."""

    default_endpoint = "dysmsapi.aliyuncs.com"
    batch_size = 100
    transient_codes = frozenset(
        {
            "isv.BUSINESS_LIMIT_CONTROL",
            "isv.DAY_LIMIT_CONTROL",
            "isv.OUT_OF_SERVICE",
            "isv.AMOUNT_NOT_ENOUGH",
            "isp.SYSTEM_ERROR",
            "isp.GATEWAY_ERROR",
            "ServiceUnavailable",
            "InternalError",
            "SignatureNonceUsed",
        }
    )
    transient_prefixes = ("Throttling",)

    def __init__(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config
        from alibabacloud_tea_util.models import RuntimeOptions

        super().__init__()
        self.client = Client(
            Config(
                access_key_id=settings.SMS_ACCESS_KEY_ID,
                access_key_secret=settings.SMS_ACCESS_KEY_SECRET,
                endpoint=self.endpoint,
                protocol=self.protocol,
            )
        )
        millis = int(self.timeout * 1000)
        self.runtime = RuntimeOptions(read_timeout=millis, connect_timeout=millis, autoretry=False)

    def failed(self, exc: Exception) -> SmsResult:
        from alibabacloud_tea_openapi.exceptions import ClientException

        code = getattr(exc, "code", "") or ""
        if isinstance(exc, ClientException) and code:
            # A 4xx answer with the gateway's code: transient only if it says so.
            return self.refused(code, getattr(exc, "message", "") or str(exc))
        return super().failed(exc)

    def send_batch(self, template, batch):
        from alibabacloud_dysmsapi20170525 import models

        if len(batch) == 1:
            message = batch[0]
            request = models.SendSmsRequest(
                phone_numbers=message.phone,
                sign_name=self.sign_name,
                template_code=template.code,
                template_param=json.dumps(_named(template, message), ensure_ascii=False),
            )
            body = self.client.send_sms_with_options(request, self.runtime).body
        else:
            request = models.SendBatchSmsRequest(
                phone_number_json=json.dumps([m.phone for m in batch]),
                sign_name_json=json.dumps([self.sign_name] * len(batch), ensure_ascii=False),
                template_code=template.code,
                template_param_json=json.dumps(
                    [_named(template, m) for m in batch], ensure_ascii=False
                ),
            )
            body = self.client.send_batch_sms_with_options(request, self.runtime).body
        if body.code == "OK":
            return [SmsResult(message_id=body.biz_id or "")] * len(batch)
        refused = self.refused(body.code or "unknown", body.message or "")
        if len(batch) > 1 and not refused.transient:
            # One bad number refuses the whole batch: send each alone, so that only
            # the bad one fails.
            return [self.send_batch(template, [message])[0] for message in batch]
        return [refused] * len(batch)


def _named(template: SmsTemplate, message: SmsMessage) -> dict[str, str]:
    return dict(zip(template.params, template.values(message), strict=True))


class TencentSmsBackend(GatewaySmsBackend):
    """Tencent Cloud SMS (2021-01-11 ``SendSms``): one call sends the same parameters
    to at most 200 numbers and answers with a status per number."""

    default_endpoint = "sms.tencentcloudapi.com"
    batch_size = 200
    transient_codes = frozenset(
        {
            "ClientNetworkError",
            "ServerNetworkError",
            "RequestLimitExceeded",
            "FailedOperation.InsufficientBalanceInSmsPackage",
        }
    )
    transient_prefixes = ("LimitExceeded", "InternalError")

    def __init__(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        super().__init__()
        http = HttpProfile(endpoint=self.endpoint, protocol=self.protocol, reqTimeout=self.timeout)
        self.client = sms_client.SmsClient(
            credential.Credential(settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET),
            settings.SMS_REGION,
            ClientProfile(httpProfile=http),
        )

    def failed(self, exc: Exception) -> SmsResult:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )

        if isinstance(exc, TencentCloudSDKException) and exc.code:
            return self.refused(exc.code, exc.message or "")
        return super().failed(exc)

    def send_batch(self, template, batch):
        from tencentcloud.sms.v20210111 import models

        # Messages with the same parameters go in one call.
        groups = defaultdict(list)
        for index, message in enumerate(batch):
            groups[tuple(template.values(message))].append(index)
        results: list[SmsResult | None] = [None] * len(batch)
        for values, indexes in groups.items():
            request = models.SendSmsRequest()
            request.SmsSdkAppId = settings.SMS_SDK_APP_ID
            request.SignName = self.sign_name
            request.TemplateId = template.code
            request.TemplateParamSet = list(values)
            request.PhoneNumberSet = [_e164(batch[i].phone) for i in indexes]
            try:
                statuses = self.client.SendSms(request).SendStatusSet or []
            except Exception as exc:
                for i in indexes:
                    results[i] = self.failed(exc)
                continue
            by_phone = defaultdict(list)
            for status in statuses:
                by_phone[status.PhoneNumber].append(status)
            for i in indexes:
                found = by_phone.get(_e164(batch[i].phone))
                if not found:
                    results[i] = self.refused("InternalError.NoStatus")
                    continue
                status = found.pop(0)
                if status.Code == "Ok":
                    results[i] = SmsResult(message_id=status.SerialNo or "")
                else:
                    results[i] = self.refused(status.Code or "unknown", status.Message or "")
        return results


def _e164(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


@functools.cache
def _backend(path: str) -> BaseSmsBackend:
    return import_string(path)()


def get_sms_backend() -> BaseSmsBackend:
    """The configured backend, made once per process: a gateway's SDK client takes tens
    of milliseconds to set up, more than sending a batch."""
    return _backend(settings.SMS_BACKEND)


@receiver(setting_changed)
def _forget_backend(*, setting, **kwargs):
    if setting.startswith("SMS_"):
        _backend.cache_clear()


def release_time(now: datetime.datetime) -> datetime.datetime:
    """When a text message due at ``now`` may go out: ``now``, or the end of the quiet
    hours (08:00 local time) when ``now`` falls within them. ``SMS_QUIET_HOURS = None``
    (the tests' settings) has no quiet hours."""
    if not settings.SMS_QUIET_HOURS:
        return now
    start, end = settings.SMS_QUIET_HOURS
    local = timezone.localtime(now)
    if end <= local.hour < start:
        return now
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if local.hour >= start:
        morning += datetime.timedelta(days=1)
    return morning


def next_morning(now: datetime.datetime) -> datetime.datetime:
    """The end of the next night's quiet hours (08:00 tomorrow): when a digest goes."""
    end = settings.SMS_QUIET_HOURS[1] if settings.SMS_QUIET_HOURS else 8
    tomorrow = timezone.localtime(now) + datetime.timedelta(days=1)
    return tomorrow.replace(hour=end, minute=0, second=0, microsecond=0)
