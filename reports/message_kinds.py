"""The documents' message kinds (liaison/messages.py): a committee leader is told of a
document sent to them."""

import datetime

from django.utils.translation import gettext_lazy as _

from liaison import message_examples as ex
from liaison.messages import LEADER, MessageKind, register

register(
    MessageKind(
        kind="document_issued",
        audience=LEADER,
        template="reports/document_issued",
        description=_("报送报告文件"),
        example=lambda: {
            "office": ex.office(),
            "today": ex.TODAY,
            "document": ex.Example(
                title="东湖街道政协委员联络处2026年第一季度工作报告",
                document_date=datetime.date(2026, 4, 15),
                page_count=12,
                office=ex.office(),
            ),
        },
        acts=False,
    ),
)
