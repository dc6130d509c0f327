"""Signed, expiring links for handling units, which have no accounts.

A link names one record (a unit's assignment of a proposal, a concern routed to a
department) and the unit it was sent to: whoever holds it may act for that unit on that
record, and on nothing else. The record must have a ``unit`` field; once the record is
handed to another unit, the old unit's link stops working.
The token is signed with SECRET_KEY and carries its issue time, so a tampered link fails
the signature check and an old one fails ``max_age``. Reminder e-mails carry fresh links.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

SALT = "liaison.unit-link.v1"


class UnitLinkError(Exception):
    """The link is expired, tampered with, or names a record that no longer exists."""


def unit_link_token(record) -> str:
    return signing.dumps(
        {"m": record._meta.label_lower, "o": record.pk, "u": record.unit_id}, salt=SALT
    )


def unit_link_resolve(token: str, *, model):
    """The record a token names, if it is genuine, fresh and of the expected model."""
    max_age = settings.UNIT_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise UnitLinkError(_("链接已过期，请联系联络处重新发送。")) from error
    except signing.BadSignature as error:
        raise UnitLinkError(_("链接无效，请使用邮件中的完整链接。")) from error
    if payload.get("m") != model._meta.label_lower:
        raise UnitLinkError(_("链接无效，请使用邮件中的完整链接。"))
    try:
        record = model._default_manager.get(pk=payload.get("o"))
    except model.DoesNotExist as error:
        raise UnitLinkError(_("该事项已撤销或转交其他单位。")) from error
    if record.unit_id != payload.get("u"):
        raise UnitLinkError(_("该事项已改由其他单位办理，本链接不再有效。"))
    return record


def unit_link_url(record, url_name: str) -> str:
    """Absolute URL for e-mails (SITE_URL + the named view with the token)."""
    path = reverse(url_name, kwargs={"token": unit_link_token(record)})
    return settings.SITE_URL.rstrip("/") + path
