"""The allowed moves of a concern (意见建议), DOMAIN.md "Visiting members": within the
street's duties it is assigned to a street department with a time limit; beyond them it
is escalated to a higher-level body; either way the result is fed back to the member,
who confirms it (satisfied closes, not satisfied reopens)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import today
from liaison.workdays import add_working_days
from liaison.workflow import Workflow

from .models import Concern, Visit, VisitConfig

C = Concern.Status

CONCERN_WORKFLOW = Workflow(
    C,
    {
        C.NEW: (C.TRIAGED,),
        C.TRIAGED: (C.ASSIGNED, C.ESCALATED),
        # ASSIGNED -> ASSIGNED: staff hand the concern to another department.
        C.ASSIGNED: (C.ASSIGNED, C.ESCALATED, C.IN_PROGRESS, C.RESOLVED, C.UNRESOLVABLE),
        C.ESCALATED: (C.ESCALATED, C.ASSIGNED, C.IN_PROGRESS, C.RESOLVED, C.UNRESOLVABLE),
        C.IN_PROGRESS: (C.ASSIGNED, C.ESCALATED, C.RESOLVED, C.UNRESOLVABLE),
        # A concern nobody in particular raised has nobody to feed back to: staff close it.
        C.RESOLVED: (C.FED_BACK, C.CLOSED),
        C.UNRESOLVABLE: (C.FED_BACK, C.CLOSED),
        C.FED_BACK: (C.CLOSED, C.REOPENED),
        C.REOPENED: (C.ASSIGNED, C.ESCALATED, C.IN_PROGRESS, C.RESOLVED, C.UNRESOLVABLE),
    },
)

V = Visit.Status

# A visit is recorded as done, or created pending by a life event and then done or
# cancelled.
VISIT_WORKFLOW = Workflow(V, {V.PENDING: (V.DONE, V.CANCELLED)})


# --- Guards ----------------------------------------------------------------------------
# Each returns the sentence a refused person reads, or None when the move may go ahead.
# The services raise it (``liaison.workflow.refuse``); ``actions.py`` asks the same
# question to decide which buttons to show, so the two cannot drift apart.


def visit_date_refusal(visited_on: datetime.date | None, *, required: bool = True) -> str | None:
    """A visit that took place has its date, which is not in the future (a visit still
    to be made is a life event's pending visit)."""
    if visited_on is None:
        return _("请填写走访日期。") if required else None
    if visited_on > today():
        return _("走访日期不能晚于今天，尚未进行的走访请登记为重要事项。")
    return None


def visit_opinion_refusal(visit: Visit) -> str | None:
    """What members said is recorded on a visit that took place."""
    if visit.status != V.DONE:
        return _("只有已走访的记录可以记录意见建议。")
    return None


def _after_triage(concern: Concern) -> str:
    # Assigning or escalating a new concern classifies it first (two timeline rows), so
    # the move is checked from 已分类.
    return C.TRIAGED if concern.status == C.NEW else concern.status


def assign_refusal(concern: Concern) -> str | None:
    return CONCERN_WORKFLOW.refusal(_after_triage(concern), C.ASSIGNED)


def escalate_refusal(concern: Concern) -> str | None:
    return CONCERN_WORKFLOW.refusal(_after_triage(concern), C.ESCALATED)


def coordinate_refusal(concern: Concern) -> str | None:
    if concern.scope != Concern.Scope.BEYOND or concern.status not in Concern.HANDLING_STATUSES:
        return _("只有上报协调中的意见建议可以记录协调情况。")
    return None


def handling_refusal(concern: Concern, unit=None) -> str | None:
    """A unit (or staff for it) acts while the concern is with a unit; ``unit``, when
    given, must be the one it is with (a unit's link names the unit it was sent to)."""
    if concern.status not in Concern.HANDLING_STATUSES:
        return _("该意见建议当前状态为“%(s)s”，不在办理中。") % {"s": concern.get_status_display()}
    if unit is not None and concern.unit_id != unit.pk:
        return _("该事项已改由其他单位办理，本链接不再有效。")
    return None


def feed_back_refusal(concern: Concern) -> str | None:
    reason = CONCERN_WORKFLOW.refusal(concern.status, C.FED_BACK)
    if reason is None and concern.member_id is None:
        return _("该意见建议没有具体反映委员，请直接办结。")
    return reason


def confirm_refusal(concern: Concern, member_id: int | None) -> str | None:
    """The verdict is the member's who raised the concern (staff may key it in for
    them), once the result has been fed back."""
    if member_id is None or member_id != concern.member_id:
        return _("只有反映意见的委员本人可以确认办理结果。")
    if concern.status != C.FED_BACK:
        return _("办理结果尚未反馈或已确认，现在不能评价。")
    return None


def confirm_deadline(concern: Concern) -> datetime.date:
    """The last working day the member has to confirm a result fed back to them."""
    config = VisitConfig.for_office(concern.office)
    return add_working_days(timezone.localdate(concern.fed_back_at), config.confirm_working_days)


def close_refusal(concern: Concern) -> str | None:
    """Staff close a concern nobody in particular raised, or one whose member has not
    confirmed the result within the configured working days."""
    reason = CONCERN_WORKFLOW.refusal(concern.status, C.CLOSED)
    if reason is not None:
        return reason
    if concern.status == C.FED_BACK:
        deadline = confirm_deadline(concern)
        if deadline >= today():
            return _("委员确认期限（%(d)s）未到，暂不能直接办结。") % {"d": f"{deadline:%Y-%m-%d}"}
    elif concern.member_id is not None:
        return _("请先将办理结果反馈给委员。")
    return None
