"""Password reset: asked for in a request, sent by the outbox worker.

The request only writes one outbox row holding the address that was typed, whether or
not an account has it: the page does the same work and answers alike for both, so its
timing cannot tell an attacker which addresses are registered (sending in the request
took 1.1 s for a registered address and 0.06 s for an unknown one). The worker looks
the address up when it sends (``reset_messages``) and makes the link then, so no live
reset link is ever stored in the outbox, where staff could read it in the admin.

Each address and each client address may ask a few times per window
(settings.PASSWORD_RESET_LIMIT_*); a refusal reads the same for every address.
"""

import datetime
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import ratelimit
from .models import Notification
from .services import notification_queue
from .transactions import service

KIND = "password-reset"
# What the outbox keeps instead of the message: the link is made when it is sent.
PLACEHOLDER_BODY = "设置新密码的链接在发送时生成，不保存在这里。"
SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
BODY_TEMPLATE = "registration/password_reset_email.txt"


class ResetRefused(Exception):
    """Too many resets asked for; the message is for the person who asked."""


def normalize(email: str) -> str:
    return email.strip().lower()


def _check_limits(email: str, client: str | None) -> None:
    window = settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES * 60
    minutes = settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES
    # Both counted on every request, so refusing one never hides the other's count.
    address_ok = ratelimit.hit(
        "password-reset-address",
        email,
        limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        window=window,
    )
    client_ok = ratelimit.hit(
        "password-reset-client",
        client or "unknown",
        limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT,
        window=window,
    )
    if not address_ok:
        raise ResetRefused(
            _(
                "这个邮箱在 %(minutes)s 分钟内已申请过 %(limit)s 次设置新密码的邮件，"
                "请先查收已发出的邮件（也看看垃圾邮件），或 %(minutes)s 分钟后再试。"
                "急需登录请联系联络处。"
            )
            % {"minutes": minutes, "limit": settings.PASSWORD_RESET_LIMIT_PER_ADDRESS}
        )
    if not client_ok:
        raise ResetRefused(
            _(
                "您所在的网络在 %(minutes)s 分钟内申请设置新密码的次数太多，"
                "请 %(minutes)s 分钟后再试。急需登录请联系联络处。"
            )
            % {"minutes": minutes}
        )


@service
def password_reset_request(*, email: str, client: str | None) -> Notification:
    """Queue a reset e-mail for ``email`` (whoever has it, or nobody); raises
    ResetRefused over the limits. ``client`` is the client's IP address
    (liaison.ratelimit.client_address)."""
    email = normalize(email)
    _check_limits(email, client)
    return notification_queue(
        channel=Notification.Channel.EMAIL,
        kind=KIND,
        # Every request is its own occasion: the limits above bound how many there are.
        dedupe_key=f"{KIND}:{uuid.uuid4().hex}",
        subject=_("设置新密码"),
        body=PLACEHOLDER_BODY,
        address=email,
    )


@dataclass(frozen=True)
class ResetMessage:
    to: str
    subject: str
    body: str


def _office_of(user):
    member = getattr(user, "member", None)
    return getattr(member, "office", None) or getattr(user, "office", None)


def reset_messages(row: Notification) -> list[ResetMessage]:
    """The e-mails for an outbox row of this kind, made now: one per active account
    with a usable password that has the address (none for an unknown address)."""
    site = urlsplit(settings.SITE_URL)
    messages = []
    for user in PasswordResetForm().get_users(row.address):
        context = {
            "email": row.address,
            "domain": site.netloc,
            "site_name": site.netloc,
            "protocol": site.scheme or "https",
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            # The shared pieces (liaison/templatetags/wording.py): who signs, and until
            # when the link works.
            "sign_office": _office_of(user),
            "expires": timezone.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = "".join(render_to_string(SUBJECT_TEMPLATE, context).splitlines())
            body = render_to_string(BODY_TEMPLATE, context)
        messages.append(
            ResetMessage(to=getattr(user, user.get_email_field_name()), subject=subject, body=body)
        )
    return messages
