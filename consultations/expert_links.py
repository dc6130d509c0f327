"""Signed, expiring links for invited experts, who have no accounts (as handling units'
links, liaison/unit_links.py). A link names one expert of one consultation: whoever
holds it may read the consultation and give (or change, until the deadline) that
expert's opinion, and nothing else. A tampered link fails the signature check, an old
one ``UNIT_LINK_MAX_AGE_DAYS``; an expert removed from the consultation, the lookup."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Expert

SALT = "consultations.expert-link.v1"


class ExpertLinkError(Exception):
    """The link is expired, tampered with, or names an expert no longer invited."""


def expert_link_token(expert: Expert) -> str:
    return signing.dumps({"c": expert.consultation_id, "e": expert.pk}, salt=SALT)


def expert_link_resolve(token: str) -> Expert:
    max_age = settings.UNIT_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ExpertLinkError(_("链接已过期，请联系联络处重新发送。")) from error
    except signing.BadSignature as error:
        raise ExpertLinkError(_("链接无效，请使用邮件中的完整链接。")) from error
    expert = (
        Expert.objects.select_related("consultation__office")
        .filter(pk=payload.get("e"), consultation_id=payload.get("c"))
        .first()
    )
    if expert is None:
        raise ExpertLinkError(_("该邀请已撤销，本链接不再有效。"))
    return expert


def expert_link_url(expert: Expert) -> str:
    path = reverse("consultations:expert", kwargs={"token": expert_link_token(expert)})
    return settings.SITE_URL.rstrip("/") + path
