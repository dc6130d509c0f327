"""SMS verification codes (短信验证码): 6 digits, valid 5 minutes, one per number and
purpose per minute, at most 5 wrong tries each, and a daily cap per number and per
client address (settings.SMS_CODE_DAILY_LIMIT_*).

Asking for a code does the same work whether or not the number is registered: the
request checks the limits and writes a row, and the worker (``verification_code_send``)
looks the number up, makes the code and sends it — or sends nothing to a number nobody
has. So the page, and its timing, cannot tell anyone which numbers are members'. Only a
keyed hash of each code is stored.

Signing in and resetting by code go through ``django.contrib.auth.authenticate``
(``SmsCodeBackend``), so django-axes counts a wrong code as a failed sign-in of the same
account as a wrong password, and a locked account takes neither.
"""

import datetime
import logging
import secrets

from celery import current_app
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from liaison import ratelimit
from liaison.sms import IMMEDIATE_KINDS, get_sms_backend
from liaison.transactions import service

from .models import Member, VerificationCode

logger = logging.getLogger(__name__)

Purpose = VerificationCode.Purpose
VALID_FOR = datetime.timedelta(minutes=5)
RESEND_SECONDS = 60
MAX_TRIES = 5
DAY = 24 * 60 * 60
SEND_TASK = "members.tasks.send_verification_code"

# The gateway's template for the code (SMS_TEMPLATES), sent at any hour: the member is
# waiting for it on the page.
CODE_KIND = "verification-code"
IMMEDIATE_KINDS.add(CODE_KIND)


class CodeRefused(Exception):
    """A code cannot be sent now; the message is for the person who asked."""


def keyed_hash(scope: str, value: str) -> str:
    """A hash only this site can compute (keyed with SECRET_KEY): a stolen table does
    not give the codes away by trying all million of them."""
    return salted_hmac(f"members.{scope}", value).hexdigest()


def _code_hash(mobile: str, purpose: str, code: str) -> str:
    return keyed_hash("verification", f"{purpose}:{mobile}:{code}")


def _check_limits(mobile: str, purpose: str, client: str | None) -> None:
    # All three counted on every request, so refusing one never hides another's count.
    resend_ok = ratelimit.hit(
        "sms-code-resend", f"{purpose}:{mobile}", limit=1, window=RESEND_SECONDS
    )
    number_ok = ratelimit.hit(
        "sms-code-number", mobile, limit=settings.SMS_CODE_DAILY_LIMIT_PER_NUMBER, window=DAY
    )
    client_ok = ratelimit.hit(
        "sms-code-client",
        client or "unknown",
        limit=settings.SMS_CODE_DAILY_LIMIT_PER_CLIENT,
        window=DAY,
    )
    if not resend_ok:
        raise CodeRefused(
            _("验证码已发送，请查看短信；%(seconds)s 秒后可重新获取。")
            % {"seconds": RESEND_SECONDS}
        )
    if not (number_ok and client_ok):
        raise CodeRefused(_("今天获取验证码的次数已达上限，请明天再试。急需登录请联系联络处。"))


def _enqueue(code_id: int) -> None:
    """Hand the code to the worker. With Redis down the member gets no code and asks
    again in a minute; the page must not break."""
    try:
        current_app.send_task(SEND_TASK, args=(code_id,))
    except Exception:
        logger.warning("Could not queue verification code %s", code_id, exc_info=True)


@service
def verification_code_request(*, mobile: str, purpose: str, client: str | None) -> None:
    """Ask for a code to ``mobile`` (a normalized mobile number, registered or not);
    raises CodeRefused over the limits. ``client`` is the client's IP address."""
    _check_limits(mobile, purpose, client)
    row = VerificationCode.objects.create(
        mobile=mobile, purpose=purpose, expires_at=timezone.now() + VALID_FOR
    )
    transaction.on_commit(lambda: _enqueue(row.pk))


def _recipient(mobile: str, purpose: str) -> Member | None:
    """Whom a code to ``mobile`` is for: a member with an account for signing in and
    resetting; on activation the page has already tied the number to the member."""
    members = Member.objects.select_related("office").exclude(status=Member.Status.DECEASED)
    if purpose == Purpose.ACTIVATE:
        return members.filter(mobile=mobile).first() or Member(mobile=mobile)
    return members.filter(mobile=mobile, user__is_active=True).first()


def verification_code_send(*, code_id: int) -> bool:
    """In the worker: make the code for row ``code_id`` and send it by SMS, at once,
    straight through the SMS backend (a code is useless after 5 minutes, so it does not
    wait in the outbox). Returns False when nothing was sent. Harmless to run twice."""
    row = VerificationCode.objects.filter(pk=code_id, code_hash="", used_at=None).first()
    if row is None or row.expires_at <= timezone.now():
        return False
    member = _recipient(row.mobile, row.purpose)
    if member is None:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        claimed = VerificationCode.objects.filter(pk=row.pk, code_hash="").update(
            code_hash=_code_hash(row.mobile, row.purpose, code)
        )
        if not claimed:
            return False
        # Only the newest code for a number and purpose is good.
        VerificationCode.objects.filter(
            mobile=row.mobile, purpose=row.purpose, used_at=None, pk__lt=row.pk
        ).update(used_at=timezone.now())
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(
            "emails/verification_code_sms.txt",
            {"code": code, "office": getattr(member, "office", None), "purpose": row.purpose},
        ).strip()
    get_sms_backend().send(row.mobile, text, kind=CODE_KIND, params={"code": code})
    return True


@service
def verification_code_check(*, mobile: str, purpose: str, code: str) -> bool:
    """Whether ``code`` is the good code for ``mobile`` and ``purpose`` now; a good code
    is used up, a wrong one counts against the newest code (after 5 it is void)."""
    now = timezone.now()
    row = (
        VerificationCode.objects.select_for_update()
        .filter(mobile=mobile, purpose=purpose, used_at=None, expires_at__gt=now)
        .exclude(code_hash="")
        .order_by("-pk")
        .first()
    )
    if row is None or row.failed_attempts >= MAX_TRIES:
        return False
    if constant_time_compare(row.code_hash, _code_hash(mobile, purpose, code.strip())):
        VerificationCode.objects.filter(pk=row.pk).update(used_at=now)
        return True
    VerificationCode.objects.filter(pk=row.pk).update(failed_attempts=F("failed_attempts") + 1)
    return False


class SmsCodeBackend(ModelBackend):
    """Signs a member in with their mobile number and an SMS code:
    ``authenticate(request, username=mobile, sms_code=..., sms_purpose=...)``.

    Called with ``username`` like the password backend, so django-axes's lockout and
    members.backends.axes_username count both ways in as one account.
    """

    def authenticate(self, request, username=None, sms_code=None, sms_purpose=None, **kwargs):
        if not username or not sms_code or sms_purpose not in (Purpose.SIGN_IN, Purpose.RESET):
            return None
        checked = verification_code_check(mobile=username, purpose=sms_purpose, code=sms_code)
        if not checked:
            return None
        member = (
            Member.objects.select_related("user")
            .filter(mobile=username, user__isnull=False)
            .exclude(status=Member.Status.DECEASED)
            .first()
        )
        if member is None or not self.user_can_authenticate(member.user):
            return None
        return member.user
