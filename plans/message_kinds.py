"""The plans area's message kinds (liaison/messages.py)."""

import datetime

from django.utils.translation import gettext_lazy as _

from liaison import message_examples as ex
from liaison.messages import STAFF, MessageKind, register

register(
    MessageKind(
        kind="plan_not_submitted",
        audience=STAFF,
        template="plans/plan_not_submitted",
        description=_("年度工作计划未报送"),
        act_within=7,
        example=lambda: {
            "office": ex.office(),
            "year": 2026,
            "deadline": datetime.date(2026, 1, 31),
        },
    ),
)
