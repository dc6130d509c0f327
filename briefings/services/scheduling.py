"""An activity from creation to its minutes: the request for instructions (请示), publishing,
rescheduling, cancelling."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import today
from liaison.transactions import service
from liaison.uploads import validate_document
from liaison.workflow import (
    WorkflowError,
    lock,
    record_creation,
    record_note,
    refuse,
    transition,
)

from .. import notifications, workflows
from ..models import (
    Activity,
    Invitation,
)
from ..workflows import ACTIVITY_WORKFLOW, local_time

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance


# --- Scheduling -------------------------------------------------------------------------


@service
def activity_create(
    *,
    actor,
    office,
    kind,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str,
    topic: str = "",
    is_major: bool = False,
    co_offices=(),
    leaders=(),
    agenda=(),
) -> Activity:
    """Schedule an activity (筹备中). ``leaders`` are (name, title, unit) and ``agenda``
    (title, presenter) in order.

    A major activity goes to the street party working committee for instructions (请示)
    before publication: one of a kind major by default (政情通报会) always starts as
    major, any other when staff say so. The admin's add page calls this too, so the
    rule lives here alone; staff may still change the flag while it is a draft."""
    refuse(workflows.schedule_refusal(title=title, starts_at=starts_at, ends_at=ends_at))
    activity = Activity.objects.create(
        office=office,
        kind=kind,
        title=title.strip(),
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        is_major=bool(is_major) or kind.is_major_by_default,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    co_offices = [o for o in co_offices if o.pk != office.pk]
    if co_offices:
        activity.co_offices.set(co_offices)
    for position, (name, leader_title, unit) in enumerate(leaders, start=1):
        activity.leaders.create(name=name, title=leader_title, unit=unit, position=position)
    for position, (item, presenter) in enumerate(agenda, start=1):
        activity.agenda.create(title=item, presenter=presenter, position=position)
    record_creation(activity, actor=actor)
    return activity


@service
def activity_request_send(
    *,
    activity: Activity,
    actor,
    sent_on: datetime.date,
    recipient: str = "",
    document=None,
) -> Activity:
    """请示: the request for instructions went to the street party working committee."""
    activity = lock(activity)
    refuse(workflows.request_send_refusal(activity))
    if sent_on > today():
        raise WorkflowError(_("报送日期不能晚于今天。"))
    activity.request_sent_on = sent_on
    activity.request_recipient = (recipient or activity.request_recipient or "街道党工委").strip()
    activity.is_major = True
    fields = ["request_sent_on", "request_recipient", "is_major"]
    if document is not None:
        try:
            validate_document(document)
        except ValidationError as error:
            raise WorkflowError(" ".join(error.messages)) from error
        activity.request_document = document
        fields.append("request_document")
    activity.save(update_fields=fields)
    record_note(
        activity,
        actor=actor,
        note=_("%(date)s 向%(to)s报送请示") % {"date": sent_on, "to": activity.request_recipient},
    )
    return activity


@service
def activity_request_answer(
    *,
    activity: Activity,
    actor,
    outcome: str,
    answered_on: datetime.date,
    answer: str = "",
) -> Activity:
    """The committee's answer (批复) and its date."""
    activity = lock(activity)
    refuse(workflows.request_answer_refusal(activity))
    if outcome not in Activity.RequestOutcome.values:
        raise WorkflowError(_("请选择批复结果。"))
    if answered_on < activity.request_sent_on:
        raise WorkflowError(
            _("批复日期不能早于请示报送日期（%(d)s）。") % {"d": activity.request_sent_on}
        )
    if answered_on > today():
        raise WorkflowError(_("批复日期不能晚于今天。"))
    activity.request_outcome = outcome
    activity.request_answer = answer
    activity.request_answered_on = answered_on
    activity.save(update_fields=["request_outcome", "request_answer", "request_answered_on"])
    label = Activity.RequestOutcome(outcome).label
    record_note(
        activity,
        actor=actor,
        note=_("%(date)s %(to)s批复：%(outcome)s %(answer)s")
        % {
            "date": answered_on,
            "to": activity.request_recipient,
            "outcome": label,
            "answer": answer,
        },
    )
    return activity


@service
def activity_publish(
    *, activity: Activity, actor, override_reason: str = "", expected: str | None = None
) -> Activity:
    """发布: invitees get their invitation. A major activity waits for the committee's
    answer unless staff give a reason to go ahead (DOMAIN.md, "Reporting upward")."""
    activity = lock(activity)
    ACTIVITY_WORKFLOW.check(activity.status, A.PUBLISHED)
    refuse(workflows.publish_refusal(activity))
    note = ""
    if activity.is_major and not activity.request_answered:
        if not override_reason.strip():
            raise WorkflowError(
                _("重大活动须在街道党工委批复后方可发布；如确需先行发布，请填写理由。")
            )
        activity.publish_override_reason = override_reason.strip()
        note = _("未批复先行发布：%(r)s") % {"r": activity.publish_override_reason}
    invitations = list(activity.invitations.select_related("member__user"))
    activity.published_at = timezone.now()
    transition(
        activity,
        workflow=ACTIVITY_WORKFLOW,
        target=A.PUBLISHED,
        actor=actor,
        expected=expected,
        note=note,
        update_fields=["published_at", "publish_override_reason"],
    )
    notifications.invitations_sent(activity, invitations)
    return activity


@service
def activity_reschedule(
    *,
    activity: Activity,
    actor,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    venue: str,
    reason: str = "",
) -> Activity:
    """调整时间地点 of a published activity: invitees are told, and the QR code printed
    for the old time stops working (signin.token_refusal)."""
    refuse(workflows.times_refusal(starts_at, ends_at))
    if not venue.strip():
        raise WorkflowError(_("请填写地点。"))
    activity = lock(activity)
    refuse(workflows.reschedule_refusal(activity))
    if starts_at <= timezone.now():
        raise WorkflowError(_("新的开始时间须晚于现在。"))
    old = f"{local_time(activity.starts_at)} {activity.venue}"
    activity.starts_at, activity.ends_at, activity.venue = starts_at, ends_at, venue.strip()
    activity.save(update_fields=["starts_at", "ends_at", "venue"])
    record_note(
        activity,
        actor=actor,
        note=_("调整时间地点：%(old)s → %(new)s %(reason)s")
        % {"old": old, "new": f"{local_time(starts_at)} {activity.venue}", "reason": reason},
    )
    notifications.activity_rescheduled(
        activity, list(activity.invitations.select_related("member__user"))
    )
    return activity


@service
def activity_cancel(*, activity: Activity, actor, reason: str) -> Activity:
    if not reason.strip():
        raise WorkflowError(_("请填写取消原因。"))
    activity = lock(activity)
    was_published = activity.status == A.PUBLISHED
    activity.cancel_reason = reason.strip()
    transition(
        activity,
        workflow=ACTIVITY_WORKFLOW,
        target=A.CANCELLED,
        actor=actor,
        note=reason,
        update_fields=["cancel_reason"],
    )
    if was_published and not activity.has_ended:
        notifications.activity_cancelled(
            activity, list(activity.invitations.select_related("member__user"))
        )
    return activity


@service
def minutes_save(*, activity: Activity, actor, minutes: str) -> Activity:
    """会议纪要, written by staff once the activity has taken place."""
    activity = lock(activity)
    refuse(workflows.minutes_refusal(activity))
    first = not activity.minutes
    activity.minutes = minutes.strip()
    activity.minutes_by = actor if getattr(actor, "pk", None) else None
    activity.minutes_updated_at = timezone.now()
    activity.save(update_fields=["minutes", "minutes_by", "minutes_updated_at"])
    record_note(activity, actor=actor, note=_("撰写会议纪要") if first else _("修改会议纪要"))
    return activity
