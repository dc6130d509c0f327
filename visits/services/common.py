"""Checks the visit and concern services share."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from liaison.models import Office
from liaison.workflow import (
    WorkflowError,
    refuse,
)
from members.models import Member

from .. import workflows as w
from ..models import (
    Concern,
)

C = Concern.Status


def check_members(office: Office, members: Sequence[Member]) -> None:
    if not members:
        raise WorkflowError(_("请至少选择一位走访的委员。"))
    others = [m.name for m in members if m.office_id != office.pk]
    if others:
        raise WorkflowError(
            _("%(names)s 不属于%(office)s，不能记入本联络处的走访。")
            % {"names": "、".join(others), "office": office}
        )


def check_visit_date(visited_on: datetime.date | None) -> datetime.date:
    refuse(w.visit_date_refusal(visited_on))
    return visited_on


def _check_amount(amount) -> Decimal | None:
    if amount in (None, ""):
        return None
    amount = Decimal(amount)
    if amount < 0:
        raise WorkflowError(_("慰问金不能为负数。"))
    return amount
