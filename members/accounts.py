"""Members' portal accounts: invitations, activation, disabling.

Staff open an account (``member_portal_account_create`` in services.py); the member gets
an invitation — a one-time activation code, as a link by SMS (and e-mail where there is
one) through the outbox, or printed on an activation letter — valid for
settings.MEMBER_ACTIVATION_VALID_DAYS. Until the member confirms a mobile number by SMS
code and sets a password on the activation page, the account is inactive with no usable
password, so nobody can sign in to it.

An account is, for staff, one of: 未开通 (no account), 已邀请 (inactive, an invitation
outstanding), 已激活 (active), 已停用 (inactive, no invitation outstanding).
"""

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison import messages
from liaison.models import Notification
from liaison.services import notification_queue
from liaison.transactions import service

from .models import AccountInvitation, Member
from .selectors import mobile_taken
from .verification import keyed_hash

# No 0/O, 1/I/L: the code is also read off a letter and typed.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
KIND = "account-invitation"
# Why an account was disabled when its member left office (the change form, an import).
LEFT_OFFICE = gettext_lazy("委员离任，停用委员服务平台账号")
_CODE_NOISE_RE = re.compile(r"[\s\-]")


def format_code(code: str) -> str:
    """ABCDE-FGHJK: two groups of five, easier to read off a letter."""
    return f"{code[:5]}-{code[5:]}"


def normalize_code(typed: str) -> str:
    return _CODE_NOISE_RE.sub("", typed or "").upper()


def activation_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "portal:activate_code", kwargs={"code": format_code(code)}
    )


def _code_hash(code: str) -> str:
    return keyed_hash("invitation", normalize_code(code))


def _revoke_pending(member: Member, *, now) -> int:
    return AccountInvitation.objects.filter(member=member, used_at=None, revoked_at=None).update(
        revoked_at=now
    )


def _render(template: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context).strip()


def invitation_issue(
    *, member: Member, actor, letter: bool = False
) -> tuple[AccountInvitation, str]:
    """A new invitation for ``member`` (whose account exists and is not active),
    revoking the earlier ones; sent by SMS and e-mail through the outbox, or, with
    ``letter``, for staff to print. Returns it with its code, which is stored nowhere
    else. Joins the caller's transaction."""
    now = timezone.now()
    _revoke_pending(member, now=now)
    expires_at = now + datetime.timedelta(days=settings.MEMBER_ACTIVATION_VALID_DAYS)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    if letter:
        channel = AccountInvitation.Channel.LETTER
    elif member.mobile:
        channel = AccountInvitation.Channel.SMS
    elif member.email:
        channel = AccountInvitation.Channel.EMAIL
    else:
        channel = AccountInvitation.Channel.LETTER
    invitation = AccountInvitation.objects.create(
        member=member,
        code_hash=_code_hash(code),
        channel=channel,
        created_by=actor,
        expires_at=expires_at,
    )
    if channel == AccountInvitation.Channel.LETTER:
        return invitation, code
    context = {
        "member": member,
        "office": member.office,
        "url": activation_url(code),
        "code": format_code(code),
        "expires_on": timezone.localdate(expires_at),
    }
    email_body = _render("emails/account_invitation_email.txt", context)
    sms = messages.sms_render(KIND, context, name=member.name, office=member.office)
    rows = {}
    for row_channel, address in (
        (Notification.Channel.SMS, member.mobile),
        (Notification.Channel.EMAIL, member.email),
    ):
        if not address:
            continue
        rows[row_channel] = notification_queue(
            channel=row_channel,
            kind=KIND,
            dedupe_key=f"{KIND}:{invitation.pk}:{row_channel}",
            subject=_("开通委员服务平台账号"),
            body=sms[0] if row_channel == Notification.Channel.SMS else email_body,
            recipient=member.user,
            address=address,
            link=reverse("portal:activate"),
            office=member.office,
            # The gateway's template (SMS_TEMPLATES["account-invitation"], printed by
            # manage.py sms_templates) takes these.
            sms_params=sms[1] if row_channel == Notification.Channel.SMS else {},
        )
    invitation.notification = rows.get(Notification.Channel.SMS) or rows.get(
        Notification.Channel.EMAIL
    )
    invitation.save(update_fields=["notification"])
    return invitation, code


@service
def member_account_invitation_resend(*, member: Member, actor) -> AccountInvitation:
    """Send a new invitation to a member whose account is not active yet (or was
    disabled: re-inviting opens it again)."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("user", "office")
        .get(pk=member.pk)
    )
    _refuse_unless_invitable(member)
    invitation, _code = invitation_issue(member=member, actor=actor)
    return invitation


def _refuse_unless_invitable(member: Member) -> None:
    if member.user is None:
        raise ValidationError(_("%(name)s尚未开通账号。") % {"name": member.name})
    if member.user.is_active:
        raise ValidationError(_("%(name)s的账号已激活，无需再发邀请。") % {"name": member.name})
    if not member.is_serving:
        raise ValidationError(
            _("%(name)s已不在任，不能开通账号。") % {"name": member.name}, code="not_serving"
        )


@service
def member_account_letters(*, members, actor) -> list[tuple[AccountInvitation, str]]:
    """Activation letters for ``members``: a new invitation each (revoking any earlier
    one, so only the printed code works), returned with the code to print."""
    letters = []
    for member in members:
        member = (
            Member.objects.select_for_update(of=("self",))
            .select_related("user", "office")
            .get(pk=member.pk)
        )
        _refuse_unless_invitable(member)
        invitation, code = invitation_issue(member=member, actor=actor, letter=True)
        letters.append((invitation, code))
    return letters


class ActivationError(ValidationError):
    """The code or link cannot activate an account; the message says why."""


def invitation_for_code(code: str) -> AccountInvitation:
    """The outstanding invitation with this code, or ActivationError saying what is
    wrong with it (unknown, used, replaced by a newer one, expired, account disabled)."""
    normalized = normalize_code(code)
    invitation = None
    if len(normalized) == CODE_LENGTH:
        invitation = (
            AccountInvitation.objects.select_related("member__user", "member__office")
            .filter(code_hash=_code_hash(normalized))
            .first()
        )
    if invitation is None:
        raise ActivationError(
            _("激活码无效，请核对短信或激活信上的激活码，或联系联络处。"), code="unknown"
        )
    if invitation.used_at is not None:
        raise ActivationError(
            _("这个激活码已经用过，账号已激活，请直接登录。忘记密码可用短信验证码重设。"),
            code="used",
        )
    if invitation.revoked_at is not None:
        raise ActivationError(
            _("这个激活码已作废（联络处已重新发送或已停用账号），请使用最新收到的激活码。"),
            code="revoked",
        )
    if invitation.expires_at <= timezone.now():
        raise ActivationError(
            _("这个激活码已于%(date)s过期，请联系联络处重新发送。")
            % {"date": _date(timezone.localdate(invitation.expires_at))},
            code="expired",
        )
    member = invitation.member
    if member.user is None or member.user.is_active or not member.is_serving:
        raise ActivationError(_("这个账号无法激活，请联系联络处。"), code="unavailable")
    return invitation


def _date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@service
def member_account_activate(*, code: str, mobile: str, password: str):
    """Activate the account the invitation ``code`` opens: the member has confirmed
    ``mobile`` by SMS code (the caller checked it) and chosen ``password`` (validated).
    A mobile number that differs from the roster's becomes the member's, unless another
    member has it. Returns the account."""
    invitation = invitation_for_code(code)
    invitation = AccountInvitation.objects.select_for_update().get(pk=invitation.pk)
    # Re-checked under the lock: two tabs activating at once activate once.
    invitation = invitation_for_code(code)
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=invitation.member_id)
    )
    if mobile != member.mobile:
        if mobile_taken(mobile, exclude_member_id=member.pk):
            raise ActivationError(
                _("该手机号码已登记在其他委员名下，请核对；如有疑问请联系联络处。"),
                code="mobile_in_use",
            )
        member.mobile = mobile
        member._change_reason = _("激活账号时确认手机号码")
        member._history_user = member.user
        try:
            with transaction.atomic():
                member.save(update_fields=["mobile", "updated_at"])
        except IntegrityError as error:
            raise ActivationError(
                _("该手机号码已登记在其他委员名下，请核对；如有疑问请联系联络处。"),
                code="mobile_in_use",
            ) from error
    user = member.user
    user.phone = mobile
    user.is_active = True
    user.set_password(password)
    user.save(update_fields=["phone", "is_active", "password"])
    now = timezone.now()
    AccountInvitation.objects.filter(pk=invitation.pk).update(used_at=now)
    _revoke_pending(member, now=now)
    return user


@service
def member_account_disable(*, member: Member, actor, reason: str = "") -> bool:
    """Stop the member's account: it can no longer sign in, and outstanding
    invitations are void. Returns False when there was nothing to disable."""
    member = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    user = member.user
    revoked = _revoke_pending(member, now=timezone.now())
    if user is None or (not user.is_active and not revoked):
        return False
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    member._history_user = actor
    member._change_reason = str(reason) if reason else _("停用委员服务平台账号")
    member.save(update_fields=["updated_at"])
    return True
