"""Every kind of message the system sends to a person, in one registry.

A message kind (``MessageKind``) says who reads it (``audience``: a member, a handling
unit, a committee leader, office staff), which template writes it
(``templates/emails/<template>.txt``), whether it asks the reader to do something by a
date (``acts``), the member preference group it belongs to (``preference``), its text
message if it may go by SMS (``sms``: a gateway template with named parameters), and
an example context (``example``) from which ``manage.py preview_messages``,
``manage.py sms_templates`` and tests/liaison/test_message_wording.py render it.

Each app declares its kinds in its own ``message_kinds.py`` with ``register(...)``; the
modules are imported when the apps are ready (``LiaisonConfig.ready``). Adding a kind:
write the template with the shared pieces (``{% load messages %}``: ``{% greeting %}``,
``{% signoff %}``, ``|longdate``; see liaison/templatetags/messages.py), register the
kind here with an example, and the wording test covers it.

The pieces every template gets (``message_context``): ``audience``, ``recipient_name``
(the greeting's name), ``sign_office`` (whose name and phone sign it) and
``action_url`` (the absolute address of the page where the reader acts: the portal for
members, the admin for staff, the signed link for units).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

MEMBER = "member"
UNIT = "unit"
LEADER = "leader"
STAFF = "staff"
AUDIENCES = (MEMBER, UNIT, LEADER, STAFF)

# Gateways count 70 characters per text message, the 【签名】 included.
SMS_MAX = 70
# A parameter is ${name} (Alibaba's syntax; Tencent's template gets {1}, {2} … in order).
SMS_PARAM = re.compile(r"\$\{(\w+)\}")
# The longest a free-text parameter (a title) may be in a text message.
SMS_TITLE_MAX = 12


@dataclass(frozen=True)
class SmsText:
    """A text message as registered with the gateway: ``text`` with ``${param}`` slots,
    without the signature (the gateway adds the 【签名】 registered for the account)."""

    text: str

    @property
    def params(self) -> tuple[str, ...]:
        seen: list[str] = []
        for name in SMS_PARAM.findall(self.text):
            if name not in seen:
                seen.append(name)
        return tuple(seen)

    def fill(self, values: dict) -> str:
        return SMS_PARAM.sub(lambda m: str(values.get(m.group(1), "")), self.text)

    def tencent(self) -> str:
        """The same template in Tencent's positional form."""
        order = self.params
        return SMS_PARAM.sub(lambda m: f"{{{order.index(m.group(1)) + 1}}}", self.text)


@dataclass(frozen=True)
class MessageKind:
    kind: str
    audience: str
    template: str
    description: str
    example: Callable[[], dict]
    acts: bool = True
    preference: str = ""
    sms: SmsText | None = None
    # The SMS parameters from the message's context (``name`` is added: the member).
    sms_values: Callable[[dict], dict] | None = None


_REGISTRY: dict[str, MessageKind] = {}


def register(*kinds: MessageKind) -> None:
    for message_kind in kinds:
        if message_kind.audience not in AUDIENCES:
            raise ValueError(f"{message_kind.kind}: unknown audience {message_kind.audience}")
        _REGISTRY[message_kind.kind] = message_kind


def get(kind: str) -> MessageKind | None:
    return _REGISTRY.get(kind)


def all_kinds() -> list[MessageKind]:
    return sorted(_REGISTRY.values(), key=lambda k: (AUDIENCES.index(k.audience), k.kind))


def by_template(template: str) -> MessageKind | None:
    for message_kind in _REGISTRY.values():
        if message_kind.template == template:
            return message_kind
    return None


def absolute(path: str) -> str:
    if not path or "://" in path:
        return path
    return settings.SITE_URL.rstrip("/") + path


def person_name(user) -> str:
    """How a staff member or leader is addressed: their name, not the user name."""
    return (user.get_full_name() or "").replace(" ", "") or user.username


def message_context(
    context: dict, *, template: str, recipient_name: str = "", office=None, link: str = ""
) -> dict:
    """``context`` with the shared pieces every message template uses."""
    message_kind = by_template(template)
    extra = {
        "audience": message_kind.audience if message_kind else "",
        "recipient_name": recipient_name,
        "sign_office": office if office is not None else context.get("office"),
        "action_url": absolute(link),
    }
    return {**extra, **{k: v for k, v in context.items() if k not in extra or v}}


def sms_title(title: str) -> str:
    title = str(title)
    return title if len(title) <= SMS_TITLE_MAX else title[: SMS_TITLE_MAX - 1] + "…"


def sms_signature(office=None) -> str:
    sign = settings.SMS_SIGN_NAME or (office.name if office is not None else "")
    return f"【{sign}】" if sign else ""


def sms_text(kind: str, values: dict, office=None) -> str:
    """The text message of ``kind`` as the member's phone shows it (signature first)."""
    message_kind = get(kind)
    if message_kind is None or message_kind.sms is None:
        return ""
    return sms_signature(office) + message_kind.sms.fill(values)


def sms_render(kind: str, context: dict, *, name: str = "", office=None):
    """(text, params) of ``kind``'s text message for this context, or None when the kind
    does not go by SMS."""
    message_kind = get(kind)
    if message_kind is None or message_kind.sms is None:
        return None
    params = {"name": name, **(message_kind.sms_values(context) if message_kind.sms_values else {})}
    params = {key: str(value) for key, value in params.items()}
    return sms_signature(office) + message_kind.sms.fill(params), params


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("message_kinds")
