"""Writes for activities: scheduling, the request for instructions (请示), invitations and
replies, leave, attendance and sign-in, opinions collected, minutes.

Moves of an activity go through ``liaison.workflow.transition`` on a locked row and
leave a timeline row; attendance changes lock the invitation row, so a QR sign-in and a
tick on the staff tablet at the same moment cannot both write. Points go through
``members.points`` with the invitation as their source, so a corrected attendance
revokes exactly what it earned. Notifications are written to the outbox in the same
transaction. A refusal raises ``WorkflowError`` with a sentence the page shows as is.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

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
from members.models import Member
from members.points import points_award, points_revoke

from . import notifications, workflows
from .models import (
    ATTENDANCE_POINTS,
    Activity,
    Invitation,
    Opinion,
)
from .signin import token_refusal
from .workflows import ACTIVITY_WORKFLOW, OPINION_WORKFLOW, local_time

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance


def _is_staff(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_staff", False))


def _acting_member(actor) -> Member | None:
    return getattr(actor, "member", None) if actor is not None else None


def _check_self(actor, member: Member) -> None:
    """A member acts for themselves only; staff may act for anyone."""
    if _is_staff(actor):
        return
    acting = _acting_member(actor)
    if acting is None or acting.pk != member.pk:
        raise WorkflowError(_("只能以本人名义办理。"))


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


# --- Invitations and replies ------------------------------------------------------------


@service
def activity_invite(*, activity: Activity, actor, members) -> list[Invitation]:
    """Invite members (all serving, by sector or hand-picked: see
    selectors.invitation_candidates). Inviting someone twice is harmless. Once the
    activity is published, new invitees get their invitation at once."""
    activity = lock(activity)
    refuse(workflows.invite_refusal(activity))
    allowed = activity.organising_office_ids()
    members = list(members)
    for member in members:
        if not member.is_serving:
            raise WorkflowError(_("%(name)s 不是在任委员，不能邀请。") % {"name": member.name})
        if member.office_id not in allowed:
            raise WorkflowError(_("%(name)s 不属于主办联络处，不能邀请。") % {"name": member.name})
    existing = set(activity.invitations.values_list("member_id", flat=True))
    new_ids = list(dict.fromkeys(m.pk for m in members if m.pk not in existing))
    if not new_ids:
        return []
    rows = [Invitation(activity=activity, member_id=pk) for pk in new_ids]
    bulk_create_with_history(
        rows,
        Invitation,
        batch_size=500,
        default_user=actor if getattr(actor, "pk", None) else None,
    )
    created = list(
        Invitation.objects.filter(activity=activity, member_id__in=new_ids).select_related(
            "member__user"
        )
    )
    record_note(activity, actor=actor, note=_("邀请委员 %(n)s 人") % {"n": len(created)})
    if activity.status == A.PUBLISHED and not activity.has_started:
        notifications.invitations_sent(activity, created)
    return created


def _invitation_for(activity: Activity, member: Member) -> Invitation | None:
    """The member's invitation, locked (None: not invited; the guards say so)."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("member__user")
        .filter(activity=activity, member=member)
        .first()
    )
    if invitation is not None:
        invitation.activity = activity
    return invitation


@service
def invitation_reply(
    *, activity: Activity, member: Member, actor, attending: bool, reason: str = ""
) -> Invitation:
    """The member's reply: attend, or ask for leave with a reason (请假). They may change
    their mind until the activity starts."""
    _check_self(actor, member)
    activity = Activity.objects.select_related("office").get(pk=activity.pk)
    invitation = _invitation_for(activity, member)
    refuse(workflows.reply_refusal(activity, invitation))
    reason = reason.strip()
    if attending:
        if invitation.reply == I.Reply.ATTENDING:
            return invitation
        invitation.reply = I.Reply.ATTENDING
        invitation.leave_reason = ""
        invitation.leave_status = I.Leave.NONE
    else:
        if not reason:
            raise WorkflowError(_("请填写请假事由。"))
        if invitation.reply == I.Reply.LEAVE and invitation.leave_reason == reason:
            return invitation
        invitation.reply = I.Reply.LEAVE
        invitation.leave_reason = reason
        invitation.leave_status = I.Leave.REQUESTED
    invitation.leave_decided_at = None
    invitation.leave_decided_by = None
    invitation.leave_note = ""
    invitation.replied_at = timezone.now()
    invitation.save(
        update_fields=[
            "reply",
            "leave_reason",
            "leave_status",
            "leave_decided_at",
            "leave_decided_by",
            "leave_note",
            "replied_at",
        ]
    )
    if not attending:
        notifications.leave_requested(invitation)
    return invitation


@service
def leave_decide(*, invitation: Invitation, actor, approve: bool, note: str = "") -> Invitation:
    """Staff approve or refuse a leave request; the member is told."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("member__user", "activity__office")
        .get(pk=invitation.pk)
    )
    refuse(workflows.leave_decide_refusal(invitation, invitation.activity))
    invitation.leave_status = I.Leave.APPROVED if approve else I.Leave.REFUSED
    invitation.leave_decided_at = timezone.now()
    invitation.leave_decided_by = actor if getattr(actor, "pk", None) else None
    invitation.leave_note = note.strip()[:200]
    invitation.save(
        update_fields=["leave_status", "leave_decided_at", "leave_decided_by", "leave_note"]
    )
    notifications.leave_decided(invitation)
    return invitation


# --- Attendance and sign-in -------------------------------------------------------------


def _set_attendance(invitation: Invitation, state: str, *, actor, method: str) -> None:
    """Write the attendance and move the points with it: revoke what the old state
    earned (or cost), award what the new one does."""
    old_kind = ATTENDANCE_POINTS.get(invitation.attendance)
    new_kind = ATTENDANCE_POINTS.get(state)
    if old_kind and old_kind != new_kind:
        points_revoke(member=invitation.member, kind=old_kind, source=invitation)
    invitation.attendance = state
    invitation.attendance_method = method
    invitation.attendance_at = timezone.now()
    invitation.attendance_by = actor if getattr(actor, "pk", None) else None
    invitation.save(
        update_fields=["attendance", "attendance_method", "attendance_at", "attendance_by"]
    )
    if new_kind:
        activity = invitation.activity
        points_award(
            member=invitation.member,
            kind=new_kind,
            occurred_on=activity.date,
            source=invitation,
            actor=actor if getattr(actor, "pk", None) else None,
            description=activity.title,
        )


def _lock_invitation(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("member", "activity__office")
        .get(pk=invitation.pk)
    )


def _state_label(state: str) -> str:
    return str(Att(state).label)


@service
def attendance_record(*, invitation: Invitation, actor, state: str = Att.ATTENDED) -> Invitation:
    """Staff record one invitee's attendance (the tablet sign-in page). Recording it a
    second time is refused: a change is a correction, with a reason."""
    invitation = _lock_invitation(invitation)
    activity = invitation.activity
    refuse(workflows.record_attendance_refusal(activity))
    if state not in (Att.ATTENDED, Att.LEAVE_APPROVED, Att.LEAVE_REFUSED, Att.ABSENT):
        raise WorkflowError(_("请选择出勤情况。"))
    if invitation.attendance:
        raise WorkflowError(
            _("%(name)s 的出勤已登记为“%(state)s”，不能重复登记。如需更正，请使用“更正出勤”。")
            % {"name": invitation.member.name, "state": invitation.get_attendance_display()}
        )
    if state == Att.LEAVE_APPROVED and invitation.leave_status != I.Leave.APPROVED:
        raise WorkflowError(_("%(name)s 没有获准的请假。") % {"name": invitation.member.name})
    if state == Att.LEAVE_REFUSED and invitation.leave_status != I.Leave.REFUSED:
        raise WorkflowError(_("%(name)s 没有被驳回的请假申请。") % {"name": invitation.member.name})
    _set_attendance(invitation, state, actor=actor, method=I.Method.STAFF)
    return invitation


@service
def attendance_sign_in(
    *, activity: Activity, member: Member, token: str, actor
) -> tuple[Invitation, bool]:
    """The member scanned the activity's QR code. Returns (invitation, newly signed in);
    scanning again is harmless."""
    _check_self(actor, member)
    activity = Activity.objects.select_related("office").get(pk=activity.pk)
    refuse(token_refusal(activity, token))
    invitation = _invitation_for(activity, member)
    if invitation is not None and invitation.attendance == Att.ATTENDED:
        return invitation, False
    refuse(workflows.sign_in_refusal(activity, invitation))
    _set_attendance(invitation, Att.ATTENDED, actor=actor, method=I.Method.QR)
    return invitation, True


@service
def attendance_correct(*, invitation: Invitation, actor, state: str, reason: str) -> Invitation:
    """更正出勤: change a recorded attendance, with a reason on the activity's timeline."""
    if not reason.strip():
        raise WorkflowError(_("请填写更正原因。"))
    if state not in (Att.ATTENDED, Att.LEAVE_APPROVED, Att.LEAVE_REFUSED, Att.ABSENT):
        raise WorkflowError(_("请选择出勤情况。"))
    invitation = _lock_invitation(invitation)
    activity = invitation.activity
    refuse(workflows.correct_attendance_refusal(activity))
    if not invitation.attendance:
        raise WorkflowError(
            _("%(name)s 的出勤尚未登记，请直接登记。") % {"name": invitation.member.name}
        )
    if invitation.attendance == state:
        raise WorkflowError(
            _("%(name)s 的出勤已是“%(state)s”，无需更正。")
            % {"name": invitation.member.name, "state": _state_label(state)}
        )
    old = invitation.get_attendance_display()
    _set_attendance(invitation, state, actor=actor, method=I.Method.STAFF)
    record_note(
        activity,
        actor=actor,
        note=_("更正 %(name)s 出勤：%(old)s → %(new)s。%(reason)s")
        % {
            "name": invitation.member.name,
            "old": old,
            "new": _state_label(state),
            "reason": reason,
        },
    )
    return invitation


@service
def attendance_close(*, activity: Activity, actor, expected: str | None = None) -> Activity:
    """完成考勤登记: everyone not signed in becomes leave approved, leave refused or absent
    without leave, points are written, and the activity counts as held."""
    activity = lock(activity)
    refuse(workflows.close_attendance_refusal(activity))
    for invitation in activity.invitations.filter(attendance="").select_related("member"):
        invitation.activity = activity
        state = {
            I.Leave.APPROVED: Att.LEAVE_APPROVED,
            I.Leave.REFUSED: Att.LEAVE_REFUSED,
        }.get(invitation.leave_status, Att.ABSENT)
        _set_attendance(invitation, state, actor=actor, method=I.Method.CLOSING)
    counts = dict.fromkeys(Att.values, 0)
    for state in activity.invitations.values_list("attendance", flat=True):
        counts[state] += 1
    activity.attendance_closed_at = timezone.now()
    transition(
        activity,
        workflow=ACTIVITY_WORKFLOW,
        target=A.HELD,
        actor=actor,
        expected=expected,
        note=_("出席 %(a)s 人，请假 %(l)s 人，请假未准 %(r)s 人，无故缺席 %(x)s 人")
        % {
            "a": counts[Att.ATTENDED],
            "l": counts[Att.LEAVE_APPROVED],
            "r": counts[Att.LEAVE_REFUSED],
            "x": counts[Att.ABSENT],
        },
        update_fields=["attendance_closed_at"],
    )
    return activity


# --- Opinions collected -----------------------------------------------------------------


def _check_content(content: str) -> str:
    content = (content or "").strip()
    if not content:
        raise WorkflowError(_("请填写意见建议的内容。"))
    return content


@service
def opinion_submit(
    *, activity: Activity, member: Member, actor, content: str, title: str = ""
) -> Opinion:
    """A member's opinion or suggestion in the portal, during the activity or in the
    days after it (ActivityConfig.opinion_days)."""
    _check_self(actor, member)
    activity = Activity.objects.select_related("office").get(pk=activity.pk)
    refuse(workflows.opinion_refusal(activity, _invitation_for(activity, member)))
    content = _check_content(content)
    opinion = Opinion.objects.create(
        activity=activity,
        member=member,
        title=title.strip()[:200],
        content=content,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record_creation(opinion, actor=actor)
    return opinion


@service
def opinion_record(
    *, activity: Activity, actor, content: str, member: Member | None = None, title: str = ""
) -> Opinion:
    """Staff record an opinion voiced at the activity (by a member, or by a leader or
    guest when ``member`` is None)."""
    content = _check_content(content)
    activity = Activity.objects.get(pk=activity.pk)
    refuse(workflows.record_opinion_refusal(activity))
    if member is not None and member.office_id not in activity.organising_office_ids():
        raise WorkflowError(_("%(name)s 不属于主办联络处。") % {"name": member.name})
    opinion = Opinion.objects.create(
        activity=activity,
        member=member,
        title=title.strip()[:200],
        content=content,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record_creation(opinion, actor=actor, note=_("工作人员录入"))
    return opinion


@service
def opinion_to_proposal(
    *,
    opinion: Opinion,
    actor,
    title: str,
    category,
    reasons: str = "",
    suggestions: str = "",
) -> Opinion:
    """Turn a member's opinion into a proposal draft in their name (they complete and
    submit it in the portal). The draft and the opinion point at each other."""
    from proposals.services import proposal_create

    opinion = lock(opinion)
    refuse(workflows.to_proposal_refusal(opinion))
    member = Member.objects.select_related("office", "term", "user").get(pk=opinion.member_id)
    activity = opinion.activity
    proposal = proposal_create(
        actor=actor,
        office=member.office,
        title=(title or opinion.title or opinion.content[:60]).strip()[:200],
        reasons=(reasons or opinion.content).strip(),
        suggestions=(suggestions or opinion.content).strip(),
        category=category,
        lead_member=member,
    )
    record_note(
        proposal,
        actor=actor,
        note=_("由“%(activity)s”上收集的意见建议转为提案草稿") % {"activity": activity.title},
    )
    opinion.proposal = proposal
    opinion.member = member
    transition(
        opinion,
        workflow=OPINION_WORKFLOW,
        target=Opinion.Status.PROPOSAL,
        actor=actor,
        note=_("转为提案草稿《%(t)s》") % {"t": proposal.title},
        update_fields=["proposal"],
    )
    notifications.opinion_became_proposal(opinion)
    return opinion


@service
def opinion_to_concern(
    *,
    opinion: Opinion,
    actor,
    title: str = "",
    content: str = "",
    category=None,
    unit=None,
) -> Opinion:
    """Turn an opinion into a concern (意见建议) handled by the visits workflow, with
    the activity named as its source; given a street department, it is assigned there
    at once (DOMAIN.md: a problem within the street's duties goes to the department
    concerned, to be done within a time limit). The two point at each other."""
    from visits.models import Concern
    from visits.services import concern_assign, concern_create

    opinion = lock(opinion)
    OPINION_WORKFLOW.check(opinion.status, Opinion.Status.CONCERN)
    activity = Activity.objects.select_related("office").get(pk=opinion.activity_id)
    member = (
        Member.objects.select_related("office").get(pk=opinion.member_id)
        if opinion.member_id
        else None
    )
    # A member of a co-organising office: the concern belongs to their own office.
    office = member.office if member is not None else activity.office
    concern = concern_create(
        actor=actor,
        office=office,
        member=member,
        title=(title or opinion.title or opinion.content[:60]).strip(),
        content=(content or opinion.content).strip(),
        source=Concern.Source.BRIEFING,
        source_label=f"{activity.title}（{activity.date:%Y-%m-%d}）",
        category=category,
    )
    if unit is not None:
        concern_assign(concern=concern, actor=actor, unit=unit)
    opinion.concern = concern
    note = _("转为意见建议《%(t)s》") % {"t": concern.title}
    if unit is not None:
        note += _("，交办 %(u)s") % {"u": unit}
    transition(
        opinion,
        workflow=OPINION_WORKFLOW,
        target=Opinion.Status.CONCERN,
        actor=actor,
        note=note,
        update_fields=["concern"],
    )
    return opinion


@service
def opinion_note(*, opinion: Opinion, actor, note: str = "") -> Opinion:
    """已阅存: read and filed, no further handling."""
    opinion = lock(opinion)
    opinion.handling_note = note.strip()
    return transition(
        opinion,
        workflow=OPINION_WORKFLOW,
        target=Opinion.Status.NOTED,
        actor=actor,
        note=note,
        update_fields=["handling_note"],
    )
