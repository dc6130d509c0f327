"""Message kinds of the shared part (liaison/messages.py): handling units' contacts."""

from django.utils.translation import gettext_lazy as _

from . import message_examples as ex
from .messages import STAFF, MessageKind, register

register(
    MessageKind(
        kind="unit_contact_changed",
        audience=STAFF,
        template="unit_contact_changed",
        description=_("承办单位联系方式变更"),
        act_within=3,
        example=lambda: {
            "unit": ex.unit(),
            "actor": "周敏",
            "office": ex.office(),
            "changes": [("电子邮箱", "old@zjj.example.gov.cn", "banli@zjj.example.gov.cn")],
        },
    ),
)
