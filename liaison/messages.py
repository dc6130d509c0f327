"""Every kind of message the system sends to a person, in one registry.

A message kind (``MessageKind``) says who reads it (``audience``: a member, a handling
unit, an invited expert, a committee leader, office staff), which template writes it
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

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

MEMBER = "member"
UNIT = "unit"
# An expert invited to a consultation: no account, a signed link by e-mail (as a unit).
EXPERT = "expert"
LEADER = "leader"
STAFF = "staff"
AUDIENCES = (MEMBER, UNIT, EXPERT, LEADER, STAFF)

# Gateways count 70 characters per text message, the 【签名】 included.
SMS_MAX = 70
# A parameter is ${name} (Alibaba's syntax; Tencent's template gets {1}, {2} … in order).
SMS_PARAM = re.compile(r"\$\{(\w+)\}")
# The longest a free-text parameter (a title) may be in a text message.
SMS_TITLE_MAX = 9


@dataclass(frozen=True)
class SmsText:
    """A text message as registered with the gateway: ``text`` with ``${param}`` slots,
    without the signature (the gateway adds the 【签名】 registered for the account).

    ``link``: the template carries a link (``${url}``), registered with the gateway as
    a template with a link. Only the account invitation does: its link is the
    activation itself. The 70 characters then count the text without the link."""

    text: str
    link: bool = False

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
    # When the date asked for is not a field of the record (a due date): the reader has
    # this many weekdays from the day the message is written (``act_by`` in the
    # template).
    act_within: int = 0
    preference: str = ""
    sms: SmsText | None = None
    # The SMS parameters from the message's context (``name`` is added: the member).
    sms_values: Callable[[dict], dict] | None = None


# By template: a kind may go to two audiences with two templates (an overdue digest to
# the unit and to the office's staff).
_REGISTRY: dict[str, MessageKind] = {}
# Sentence phrases for coded values, by group: {"visit": {"hospital": "到医院探望"}}.
PHRASES: dict[str, dict] = {}


def register(*kinds: MessageKind) -> None:
    for message_kind in kinds:
        if message_kind.audience not in AUDIENCES:
            raise ValueError(f"{message_kind.kind}: unknown audience {message_kind.audience}")
        _REGISTRY[message_kind.template or message_kind.kind] = message_kind


def register_phrases(group: str, phrases: dict) -> None:
    """The words a sentence uses for each value of a choice (lazy translations). A
    value without a phrase is an error the wording test finds, not a label dropped in."""
    PHRASES.setdefault(group, {}).update(phrases)


def phrase(group: str, value) -> str:
    return str(PHRASES[group][value])


def get(kind: str) -> MessageKind | None:
    """The kind's member-facing entry first (the one that may go by SMS)."""
    found = [k for k in _REGISTRY.values() if k.kind == kind]
    found.sort(key=lambda k: AUDIENCES.index(k.audience))
    return found[0] if found else None


def all_kinds() -> list[MessageKind]:
    return sorted(_REGISTRY.values(), key=lambda k: (AUDIENCES.index(k.audience), k.template))


def by_template(template: str) -> MessageKind | None:
    return _REGISTRY.get(template)


def act_by(days: int, today: datetime.date | None = None) -> datetime.date:
    """The date a message asks for something by: ``days`` weekdays from today, so it
    never falls on a Saturday or Sunday. (The holiday calendar is not read here: a
    message is written inside its service's transaction without an extra query.)"""
    day = today or timezone.localdate()
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def with_act_by(message_kind: MessageKind | None, context: dict) -> dict:
    """``context`` with the kind's ``act_by`` date, unless the caller gave one."""
    if message_kind is None or not message_kind.act_within or context.get("act_by"):
        return context
    return {**context, "act_by": act_by(message_kind.act_within)}


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
    context = with_act_by(message_kind, context)
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


def sms_render(kind: str, context: dict, *, name: str = "", office=None, template: str = ""):
    """(text, params) of ``kind``'s text message for this context, or None when the kind
    does not go by SMS (or the message is written with another ``template`` than the
    kind's, whose context the SMS parameters do not know)."""
    message_kind = get(kind)
    if message_kind is None or message_kind.sms is None:
        return None
    if template and message_kind.template and template != message_kind.template:
        return None
    context = with_act_by(message_kind, {**context, "office": context.get("office") or office})
    values = message_kind.sms_values(context) if message_kind.sms_values else {}
    params = {"name": name, **values}
    params = {key: str(value) for key, value in params.items()}
    text = message_kind.sms.fill(params)
    if "phone" in params and not params["phone"]:
        text = text.replace("电话", "").rstrip("，")  # an office without a phone number
    return sms_signature(office) + text, params


def autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("message_kinds")


@dataclass(frozen=True)
class Preview:
    kind: MessageKind
    subject: str
    body: str
    sms: str = ""


def preview(message_kind: MessageKind, *, language: str | None = None) -> Preview:
    """``message_kind`` rendered with its example, as its reader gets it (the e-mail and
    portal text, and the text message if it has one)."""
    from django.utils import translation

    from . import message_examples as ex
    from .services import notification_render

    context = message_kind.example()
    name = ex.NAMES[message_kind.audience]
    office = context.get("office") or ex.office()
    subject = body = ""
    if message_kind.template:
        message = notification_render(
            template=message_kind.template,
            context=context,
            recipient_name=name,
            office=office,
            link=ex.LINKS[message_kind.audience],
            language=language,
        )
        subject, body = message.subject, message.body
    text = ""
    if message_kind.sms is not None:
        with translation.override(language or settings.LANGUAGE_CODE):
            text, _params = sms_render(message_kind.kind, context, name=name, office=office)
    return Preview(kind=message_kind, subject=subject, body=body, sms=text)
