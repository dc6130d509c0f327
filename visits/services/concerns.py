"""Concerns members raise (反映意见建议): triage, routing to handling units with a deadline,
the units' progress and result, feedback to the member and their verdict."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import HandlingUnit, Office, today
from liaison.transactions import service
from liaison.workdays import CalendarChange, add_working_days, deadlines_recount
from liaison.workflow import (
    WorkflowError,
    lock,
    record_creation,
    record_note,
    refuse,
    transition,
)
from members.models import Member
from members.selectors import acting_member, actor_is_staff

from .. import notifications
from .. import workflows as w
from ..models import (
    Concern,
    ConcernCategory,
    Visit,
    VisitConfig,
)
from ..workflows import CONCERN_WORKFLOW

C = Concern.Status

# --- Concerns -------------------------------------------------------------------------


@service
def concern_create(
    *,
    actor,
    office: Office,
    member: Member | None,
    title: str,
    content: str,
    source: str,
    source_label: str = "",
    visit: Visit | None = None,
    category: ConcernCategory | None = None,
) -> Concern:
    """An opinion collected (意见建议): on a visit, at a briefing, in the portal, or typed
    in by staff. ``member`` is None for an opinion not tied to one member. ``actor`` is
    a staff user or, in the portal, the member's own user."""
    if source not in Concern.Source.values:
        raise WorkflowError(_("请选择意见建议的来源。"))
    if not (title or "").strip():
        raise WorkflowError(_("请填写标题。"))
    if not (content or "").strip():
        raise WorkflowError(_("请填写内容。"))
    if not actor_is_staff(actor):
        acting = acting_member(actor)
        if acting is None or member is None or acting.pk != member.pk:
            raise WorkflowError(_("委员只能以本人名义反映意见建议。"))
    if member is not None and member.office_id != office.pk:
        raise WorkflowError(
            _("%(name)s 不属于%(office)s。") % {"name": member.name, "office": office}
        )
    if visit is not None:
        if visit.office_id != office.pk:
            raise WorkflowError(_("该走访不属于%(office)s。") % {"office": office})
        refuse(w.visit_opinion_refusal(visit))
    concern = Concern.objects.create(
        office=office,
        member=member,
        visit=visit,
        source=source,
        source_label=source_label[:200],
        category=category,
        title=title.strip()[:200],
        content=content.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record_creation(concern, actor=actor, note=concern.get_source_display())
    if source == Concern.Source.PORTAL:
        notifications.concern_raised(concern)
    return concern


def _check_unit(concern: Concern, unit: HandlingUnit, *, within: bool) -> None:
    if unit is None:
        raise WorkflowError(_("请选择承办单位。"))
    if not unit.is_active:
        raise WorkflowError(_("承办单位“%(u)s”已停用。") % {"u": unit})
    if unit.office_id is not None and unit.office_id != concern.office_id:
        raise WorkflowError(_("“%(u)s”是其他联络处的单位，不能交办。") % {"u": unit})
    if within and not unit.is_within_street:
        raise WorkflowError(
            _("“%(u)s”不是街道部门或社区；超出街道职责的问题请上报协调。") % {"u": unit}
        )
    if not within and unit.is_within_street:
        raise WorkflowError(
            _("“%(u)s”是街道部门；街道职责范围内的问题请交办给该部门。") % {"u": unit}
        )


@service
def concern_triage(
    *,
    concern: Concern,
    actor,
    scope: str,
    category: ConcernCategory | None = None,
    note: str = "",
    expected: str | None = None,
) -> Concern:
    """分类: within the street's duties or beyond them."""
    if scope not in Concern.Scope.values:
        raise WorkflowError(_("请选择是否属于街道职责范围。"))
    concern = lock(concern)
    concern.scope = scope
    if category is not None:
        concern.category = category
    label = Concern.Scope(scope).label
    transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=C.TRIAGED,
        actor=actor,
        expected=expected,
        note=f"{label} {note}".strip(),
        update_fields=["scope", "category"],
    )
    return concern


def _check_expected(concern: Concern, expected: str | None) -> None:
    # The same guard as liaison.workflow.transition, for services that move twice.
    if expected is not None and concern.status != expected:
        raise WorkflowError(
            _("该记录已被他人处理，当前状态为“%(status)s”，请刷新后重试。")
            % {"status": concern.get_status_display()}
        )


def _triage_if_new(concern: Concern, actor, scope: str) -> None:
    """Assigning or escalating a new concern classifies it first: two timeline rows."""
    if concern.status == C.NEW:
        concern.scope = scope
        transition(
            concern,
            workflow=CONCERN_WORKFLOW,
            target=C.TRIAGED,
            actor=actor,
            note=str(Concern.Scope(scope).label),
            update_fields=["scope"],
        )


@service
def concern_assign(
    *,
    concern: Concern,
    actor,
    unit: HandlingUnit,
    due_date: datetime.date | None = None,
    note: str = "",
    expected: str | None = None,
) -> Concern:
    """交办: a problem within the street's duties goes to the street department
    concerned, to be done within the office's time limit in working days (DOMAIN.md)."""
    concern = lock(concern)
    _check_expected(concern, expected)
    refuse(w.assign_refusal(concern))
    _check_unit(concern, unit, within=True)
    _triage_if_new(concern, actor, Concern.Scope.WITHIN)
    config = VisitConfig.for_office(concern.office)
    assigned_on = today()
    working_days = None
    if due_date is None:
        working_days = config.concern_due_working_days
        due_date = add_working_days(assigned_on, working_days)
    elif due_date <= assigned_on:
        raise WorkflowError(_("办理期限须晚于今天。"))
    previous_unit = concern.unit if concern.unit_id and concern.unit_id != unit.pk else None
    concern.scope = Concern.Scope.WITHIN
    concern.unit = unit
    concern.assigned_on = assigned_on
    concern.due_date = due_date
    concern.due_working_days = working_days
    concern.acknowledged_at = None
    text = _("交办 %(u)s，%(d)s 前办结") % {"u": unit, "d": f"{due_date:%Y-%m-%d}"}
    if previous_unit is not None:
        text = _("由 %(old)s 改为 ") % {"old": previous_unit} + text
    transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=C.ASSIGNED,
        actor=actor,
        note=f"{text}。{note}".strip() if note else text,
        update_fields=[
            "scope",
            "unit",
            "assigned_on",
            "due_date",
            "due_working_days",
            "acknowledged_at",
        ],
    )
    notifications.concern_assigned(concern)
    return concern


@service
def concern_escalate(
    *,
    concern: Concern,
    actor,
    unit: HandlingUnit,
    coordination_notes: str,
    due_date: datetime.date | None = None,
) -> Concern:
    """上报协调: a problem beyond the street's duties goes to a higher-level body, with
    notes on how the office is coordinating it."""
    if not (coordination_notes or "").strip():
        raise WorkflowError(_("请填写协调情况。"))
    concern = lock(concern)
    refuse(w.escalate_refusal(concern))
    _check_unit(concern, unit, within=False)
    _triage_if_new(concern, actor, Concern.Scope.BEYOND)
    if due_date is not None and due_date <= today():
        raise WorkflowError(_("办理期限须晚于今天。"))
    concern.scope = Concern.Scope.BEYOND
    concern.unit = unit
    concern.assigned_on = today()
    concern.due_date = due_date
    concern.due_working_days = None
    concern.acknowledged_at = None
    concern.coordination_notes = _append(concern.coordination_notes, coordination_notes)
    transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=C.ESCALATED,
        actor=actor,
        note=_("上报 %(u)s 协调：%(n)s") % {"u": unit, "n": coordination_notes},
        update_fields=[
            "scope",
            "unit",
            "assigned_on",
            "due_date",
            "due_working_days",
            "acknowledged_at",
            "coordination_notes",
        ],
    )
    notifications.concern_assigned(concern)
    return concern


def _append(existing: str, text: str) -> str:
    line = f"{today():%Y-%m-%d} {text.strip()}"
    return f"{existing}\n{line}" if existing else line


@service
def concern_coordinate(*, concern: Concern, actor, notes: str) -> Concern:
    """Staff add to the coordination notes of an escalated concern."""
    if not (notes or "").strip():
        raise WorkflowError(_("请填写协调情况。"))
    concern = lock(concern)
    refuse(w.coordinate_refusal(concern))
    concern.coordination_notes = _append(concern.coordination_notes, notes)
    concern.save(update_fields=["coordination_notes"])
    record_note(concern, actor=actor, note=_("协调情况：%(n)s") % {"n": notes})
    return concern


def _actor_label(concern: Concern, actor, actor_label: str) -> str:
    if actor_label:
        return actor_label
    return "" if getattr(actor, "pk", None) else str(concern.unit)


@service
def concern_acknowledge(
    *, concern: Concern, actor=None, actor_label: str = "", unit: HandlingUnit | None = None
) -> Concern:
    """签收: the unit has the concern in hand; it is now in progress."""
    concern = lock(concern)
    refuse(w.handling_refusal(concern, unit))
    if concern.acknowledged_at and concern.status == C.IN_PROGRESS:
        return concern  # acknowledging twice is harmless
    concern.acknowledged_at = timezone.now()
    transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=C.IN_PROGRESS,
        actor=actor,
        actor_label=_actor_label(concern, actor, actor_label),
        note=_("%(u)s 已签收") % {"u": concern.unit},
        update_fields=["acknowledged_at"],
    )
    return concern


@service
def concern_update_progress(
    *,
    concern: Concern,
    progress: str,
    actor=None,
    actor_label: str = "",
    unit: HandlingUnit | None = None,
) -> Concern:
    """A unit (or staff for it) reports how handling is going."""
    if not (progress or "").strip():
        raise WorkflowError(_("请填写办理进展。"))
    concern = lock(concern)
    refuse(w.handling_refusal(concern, unit))
    label = _actor_label(concern, actor, actor_label)
    concern.progress = progress.strip()
    note = _("办理进展：%(p)s") % {"p": concern.progress}
    if concern.status == C.IN_PROGRESS:
        concern.save(update_fields=["progress"])
        record_note(concern, actor=actor, actor_label=label, note=note)
    else:
        concern.acknowledged_at = concern.acknowledged_at or timezone.now()
        transition(
            concern,
            workflow=CONCERN_WORKFLOW,
            target=C.IN_PROGRESS,
            actor=actor,
            actor_label=label,
            note=note,
            update_fields=["progress", "acknowledged_at"],
        )
    return concern


@service
def concern_report_result(
    *,
    concern: Concern,
    resolved: bool,
    result: str,
    reason: str = "",
    resolved_on: datetime.date | None = None,
    actor=None,
    actor_label: str = "",
    unit: HandlingUnit | None = None,
) -> Concern:
    """办理结果: resolved, or cannot be resolved with the reason. Staff are told so they
    can feed the result back to the member."""
    if not (result or "").strip():
        raise WorkflowError(_("请填写办理结果。"))
    if not resolved and not (reason or "").strip():
        raise WorkflowError(_("无法解决的，请说明原因。"))
    resolved_on = resolved_on or today()
    if resolved_on > today():
        raise WorkflowError(_("办结日期不能晚于今天。"))
    concern = lock(concern)
    refuse(w.handling_refusal(concern, unit))
    concern.result = result.strip()
    concern.unresolvable_reason = "" if resolved else reason.strip()
    concern.resolved_on = resolved_on
    concern.acknowledged_at = concern.acknowledged_at or timezone.now()
    target = C.RESOLVED if resolved else C.UNRESOLVABLE
    transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=target,
        actor=actor,
        actor_label=_actor_label(concern, actor, actor_label),
        note=concern.result if resolved else f"{concern.result}（{concern.unresolvable_reason}）",
        update_fields=["result", "unresolvable_reason", "resolved_on", "acknowledged_at"],
    )
    notifications.concern_result_reported(concern)
    return concern


@service
def concern_feed_back(*, concern: Concern, actor, note: str = "") -> Concern:
    """反馈委员: the result is fed back to the member, who is asked to confirm."""
    concern = lock(concern)
    refuse(w.feed_back_refusal(concern))
    concern.fed_back_at = timezone.now()
    concern.feedback_note = note.strip()
    transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=C.FED_BACK,
        actor=actor,
        note=note or _("办理结果已反馈委员"),
        update_fields=["fed_back_at", "feedback_note"],
    )
    notifications.concern_fed_back(concern)
    return concern


def _verdict_giver(concern: Concern, actor, member: Member | None) -> int | None:
    """Whose verdict this is: the acting member's own, or — staff keying in a verdict
    given by phone or in person — the member they name."""
    acting = acting_member(actor)
    if actor_is_staff(actor) and (acting is None or acting.pk != concern.member_id):
        return member.pk if member is not None else None
    return acting.pk if acting is not None else None


@service
def concern_confirm(
    *, concern: Concern, actor, satisfied: bool, comments: str = "", member: Member | None = None
) -> Concern:
    """The member's verdict on the result: satisfied closes the concern, not satisfied
    reopens it with the same unit and a new time limit. Only the member who raised it
    may confirm; staff may record the member's verdict given by phone or in person."""
    concern = lock(concern)
    refuse(w.confirm_refusal(concern, _verdict_giver(concern, actor, member)))
    if not satisfied and not (comments or "").strip():
        raise WorkflowError(_("请说明不满意的原因，以便重新办理。"))
    concern.verdict = Concern.Verdict.SATISFIED if satisfied else Concern.Verdict.DISSATISFIED
    concern.member_comments = comments.strip()
    concern.confirmed_at = timezone.now()
    label = concern.get_verdict_display()
    note = f"{label}：{concern.member_comments}" if concern.member_comments else label
    fields = ["verdict", "member_comments", "confirmed_at"]
    notifications.concern_confirmed(concern)
    if satisfied:
        concern.closed_at = concern.confirmed_at
        transition(
            concern,
            workflow=CONCERN_WORKFLOW,
            target=C.CLOSED,
            actor=actor,
            note=note,
            update_fields=[*fields, "closed_at"],
        )
        return concern
    config = VisitConfig.for_office(concern.office)
    concern.round += 1
    concern.assigned_on = today()
    concern.due_working_days = config.concern_due_working_days
    concern.due_date = add_working_days(today(), concern.due_working_days)
    concern.acknowledged_at = None
    transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=C.REOPENED,
        actor=actor,
        note=_("%(n)s，重新办理，%(d)s 前办结") % {"n": note, "d": f"{concern.due_date:%Y-%m-%d}"},
        update_fields=[
            *fields,
            "round",
            "assigned_on",
            "due_date",
            "due_working_days",
            "acknowledged_at",
        ],
    )
    notifications.concern_reopened(concern)
    return concern


@service
def concern_close(*, concern: Concern, actor, note: str = "") -> Concern:
    """Staff close a concern: one with no member to feed back to, or one whose member
    has not confirmed within the configured working days."""
    concern = lock(concern)
    refuse(w.close_refusal(concern))
    if concern.status == C.FED_BACK:
        note = note or _("委员逾期未确认，办结")
    concern.closed_at = timezone.now()
    return transition(
        concern,
        workflow=CONCERN_WORKFLOW,
        target=C.CLOSED,
        actor=actor,
        note=note,
        update_fields=["closed_at"],
    )


def concern_deadlines_recompute(change: CalendarChange) -> int:
    """Move the due dates of concerns still with a unit, counted in working days over the
    changed calendar days, and tell the unit and the member. Runs inside the calendar
    service's transaction (registered in VisitsConfig.ready())."""
    return deadlines_recount(
        change,
        Concern.objects.filter(status__in=Concern.HANDLING_STATUSES).select_related(
            "unit", "office", "member"
        ),
        start="assigned_on",
        days="due_working_days",
        deadline="due_date",
        note=_("工作日历变更（%(why)s）：办理期限由 %(old)s 改为 %(new)s"),
        moved=lambda concern, before: notifications.concern_due_date_moved(
            concern, before=before, reason=change.reason
        ),
    )
