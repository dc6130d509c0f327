"""Speeches (委员发言): staff arrange a member to speak on an activity's agenda and record
the speech afterwards; points follow the rules (``members.points``), with the speech as
their source, so correcting or deleting a speech moves exactly the points it earned."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from liaison.models import today
from liaison.scoping import visible_offices
from liaison.transactions import service
from liaison.workflow import WorkflowError, refuse
from members.models import Member
from members.points import points_award, points_earned_from, points_revoke
from members.workflows import closed_year_refusal

from ..models import Activity, AgendaItem, Speech
from ..selectors import staff_activities

SPEECH_FIELDS = ("kind", "title", "text", "file", "delivered_on", "is_adopted", "agenda_item")


def _refuse_activity(activity: Activity, actor) -> None:
    if actor is not None and not staff_activities(actor).filter(pk=activity.pk).exists():
        raise WorkflowError(_("只能记录本联络处主办的会议或活动中的发言。"))


def speech_refusal(
    *,
    activity: Activity,
    member: Member,
    delivered_on: datetime.date,
    agenda_item: AgendaItem | None = None,
    text: str = "",
    file=None,
) -> str | None:
    """Why this speech may not be recorded as given, or None."""
    if member.office_id not in activity.organising_office_ids():
        return _("%(name)s不是主办联络处的委员，不能记录其在本活动中的发言。") % {
            "name": member.name
        }
    if agenda_item is not None and agenda_item.activity_id != activity.pk:
        return _("所选议程不属于该活动。")
    if delivered_on > today():
        return _("发言日期不能晚于今天。")
    if not (text or "").strip() and not file:
        return _("请填写发言内容或上传发言稿文件。")
    return closed_year_refusal(member.office_id, delivered_on.year)


def _points_due(speech: Speech) -> set[str]:
    kinds = {speech.point_kind}
    if speech.is_adopted:
        kinds.add(Speech.ADOPTED_POINTS)
    return kinds


def _earned(speech: Speech) -> list:
    return [
        entry
        for kind in {*Speech.POINT_KINDS.values(), Speech.ADOPTED_POINTS}
        for entry in points_earned_from(kind=kind, source=speech)
    ]


def _sync_points(speech: Speech, actor) -> None:
    """Make the ledger say what the speech is worth now: what it earned under another
    member, kind or date is taken back, what is due is awarded (a closed year is left
    as it is, by members.points)."""
    due = _points_due(speech)
    for entry in _earned(speech):
        if (
            entry.kind not in due
            or entry.member_id != speech.member_id
            or entry.occurred_on != speech.delivered_on
        ):
            points_revoke(member=entry.member, kind=entry.kind, source=speech)
    for kind in due:
        points_award(
            member=speech.member,
            kind=kind,
            occurred_on=speech.delivered_on,
            source=speech,
            actor=actor,
            description=speech.title,
        )


@service
def agenda_speaker_arrange(*, item: AgendaItem, member: Member | None, actor) -> AgendaItem:
    """Arrange ``member`` to speak on the agenda item (None: nobody)."""
    item = AgendaItem.objects.select_for_update().select_related("activity").get(pk=item.pk)
    _refuse_activity(item.activity, actor)
    item.speaker = member
    try:
        item.full_clean()
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from error
    item.save(update_fields=["speaker"])
    return item


@service
def speech_record(
    *,
    activity: Activity,
    member: Member,
    kind: str,
    title: str,
    delivered_on: datetime.date,
    actor,
    text: str = "",
    file=None,
    is_adopted: bool = False,
    agenda_item: AgendaItem | None = None,
) -> Speech:
    """Staff record a speech a member gave (or handed in) at an activity; it earns the
    rules' points for its kind, and for its adoption."""
    _refuse_activity(activity, actor)
    if actor is not None and not visible_offices(actor).filter(pk=member.office_id).exists():
        raise WorkflowError(_("只能记录本联络处委员的发言。"))
    refuse(
        speech_refusal(
            activity=activity,
            member=member,
            delivered_on=delivered_on,
            agenda_item=agenda_item,
            text=text,
            file=file,
        )
    )
    speech = Speech(
        activity=activity,
        member=member,
        kind=kind,
        title=title,
        text=text,
        delivered_on=delivered_on,
        is_adopted=is_adopted,
        agenda_item=agenda_item,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if file:
        speech.file = file
    try:
        speech.full_clean()
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from error
    speech.save()
    _sync_points(speech, actor)
    return speech


@service
def speech_update(*, speech: Speech, actor, **changes) -> Speech:
    """Correct a recorded speech (its kind, date, adoption …); the points follow."""
    locked = Speech.objects.select_for_update().select_related("activity").get(pk=speech.pk)
    _refuse_activity(locked.activity, actor)
    before = locked.delivered_on.year
    refuse(closed_year_refusal(locked.member.office_id, before))
    for name, value in changes.items():
        if name not in SPEECH_FIELDS:
            raise TypeError(name)
        setattr(locked, name, value)
    refuse(
        speech_refusal(
            activity=locked.activity,
            member=locked.member,
            delivered_on=locked.delivered_on,
            agenda_item=locked.agenda_item,
            text=locked.text,
            file=locked.file,
        )
    )
    try:
        locked.full_clean()
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from error
    locked._history_user = actor
    locked.save()
    _sync_points(locked, actor)
    return locked


@service
def speeches_delete(*, speeches, actor) -> int:
    """Delete speeches recorded in error, and the points they earned. A speech of a
    closed year is refused: its points are part of final totals."""
    rows = list(Speech.objects.select_for_update().filter(pk__in=[s.pk for s in speeches]))
    for speech in rows:
        refuse(closed_year_refusal(speech.member.office_id, speech.delivered_on.year))
    for speech in rows:
        for entry in _earned(speech):
            points_revoke(member=entry.member, kind=entry.kind, source=speech)
        speech.delete()  # one by one, so the history records each deletion
    return len(rows)
