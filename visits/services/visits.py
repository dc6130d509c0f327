"""Visits to members (走访), their tallies, and the life events (婚丧喜庆, illness) that
call for one."""

import datetime
from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from liaison.models import Office, today
from liaison.transactions import service
from liaison.workflow import (
    WorkflowError,
    lock,
    record_creation,
    refuse,
    transition,
)
from members.models import Member
from members.selectors import acting_member, actor_is_staff

from .. import notifications, tallies
from .. import workflows as w
from ..models import (
    Concern,
    LifeEvent,
    Visit,
    VisitConfig,
    VisitMember,
    VisitTeamMember,
)
from ..workflows import VISIT_WORKFLOW
from .common import (
    _check_amount,
    check_members,
    check_visit_date,
)
from .concerns import concern_create

C = Concern.Status

# --- Visits ---------------------------------------------------------------------------


def _set_team(visit: Visit, team_users: Iterable, leaders: Iterable[tuple[str, str]]) -> None:
    rows = [VisitTeamMember(visit=visit, user=user) for user in team_users]
    rows += [
        VisitTeamMember(visit=visit, name=name.strip(), title=title.strip(), is_leader=True)
        for name, title in leaders
        if name.strip()
    ]
    VisitTeamMember.objects.bulk_create(rows)


@service
def visit_record(
    *,
    actor,
    office: Office,
    kind: str,
    visited_on: datetime.date,
    members: Sequence[Member],
    team_users: Iterable = (),
    leaders: Iterable[tuple[str, str]] = (),
    place: str = "",
    amount=None,
    gifts: str = "",
    summary: str = "",
    staff_notes: str = "",
    opinions: Iterable[dict] = (),
) -> Visit:
    """A visit that took place. ``opinions`` are what members said (dicts with title,
    content and optionally member); each becomes a concern collected on this visit."""
    if kind not in Visit.Kind.values:
        raise WorkflowError(_("请选择走访类型。"))
    check_visit_date(visited_on)
    members = list(members)
    check_members(office, members)
    visit = Visit.objects.create(
        office=office,
        kind=kind,
        status=Visit.Status.DONE,
        visited_on=visited_on,
        place=place,
        amount=_check_amount(amount),
        gifts=gifts,
        summary=summary,
        staff_notes=staff_notes,
        created_by=actor,
    )
    VisitMember.objects.bulk_create([VisitMember(visit=visit, member=m) for m in members])
    tallies.refresh(m.pk for m in members)
    _set_team(visit, team_users, leaders)
    record_creation(visit, actor=actor)
    for opinion in opinions:
        concern_create(
            actor=actor,
            office=office,
            member=opinion.get("member") or (members[0] if len(members) == 1 else None),
            title=opinion["title"],
            content=opinion.get("content") or opinion["title"],
            source=Concern.Source.VISIT,
            visit=visit,
            category=opinion.get("category"),
        )
    return visit


@service
def visit_complete(
    *,
    visit: Visit,
    actor,
    visited_on: datetime.date,
    team_users: Iterable = (),
    leaders: Iterable[tuple[str, str]] = (),
    place: str = "",
    amount=None,
    gifts: str = "",
    summary: str = "",
    staff_notes: str = "",
) -> Visit:
    """Record the visit a life event called for: the pending visit becomes done."""
    visit = lock(visit)
    VISIT_WORKFLOW.check(visit.status, Visit.Status.DONE)
    visit.visited_on = check_visit_date(visited_on)
    visit.place = place or visit.place
    visit.amount = _check_amount(amount)
    visit.gifts = gifts
    visit.summary = summary
    visit.staff_notes = staff_notes
    transition(
        visit,
        workflow=VISIT_WORKFLOW,
        target=Visit.Status.DONE,
        actor=actor,
        note=_("%(d)s 走访") % {"d": f"{visit.visited_on:%Y-%m-%d}"},
        update_fields=["visited_on", "place", "amount", "gifts", "summary", "staff_notes"],
    )
    refresh_visit_tallies(visit)
    _set_team(visit, team_users, leaders)
    return visit


@service
def visit_set_members(*, visit: Visit, actor, members: Sequence[Member]) -> Visit:
    """Correct who was visited (the admin's picker): members newly chosen are added,
    those no longer chosen taken off, and both sides' tallies recounted."""
    visit = lock(visit)
    members = list(members)
    check_members(visit.office, members)
    wanted = {m.pk for m in members}
    before = set(visit.member_links.values_list("member_id", flat=True))
    visit.member_links.exclude(member_id__in=wanted).delete()
    VisitMember.objects.bulk_create(
        [VisitMember(visit=visit, member=m) for m in members if m.pk not in before]
    )
    refresh_visit_tallies(visit, also=before - wanted)
    return visit


@service
def visit_update(*, visit: Visit, actor, **fields) -> Visit:
    """Correct a visit's details (the admin form). The date rule holds here too."""
    visit = lock(visit)
    editable = {
        "kind",
        "visited_on",
        "due_date",
        "place",
        "amount",
        "gifts",
        "summary",
        "staff_notes",
    }
    unknown = set(fields) - editable
    if unknown:
        raise ValueError(f"not editable: {unknown}")
    if "visited_on" in fields:
        done = visit.status == Visit.Status.DONE
        refuse(w.visit_date_refusal(fields["visited_on"], required=done))
    if "amount" in fields:
        fields["amount"] = _check_amount(fields["amount"])
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.save()
    if "visited_on" in fields:
        refresh_visit_tallies(visit)
    return visit


@service
def visit_cancel(*, visit: Visit, actor, reason: str) -> Visit:
    if not reason.strip():
        raise WorkflowError(_("请填写取消走访的原因。"))
    visit = lock(visit)
    visit.cancel_reason = reason
    transition(
        visit,
        workflow=VISIT_WORKFLOW,
        target=Visit.Status.CANCELLED,
        actor=actor,
        note=reason,
        update_fields=["cancel_reason"],
    )
    refresh_visit_tallies(visit)
    return visit


@service
def visit_delete(*, visits: QuerySet[Visit], actor) -> int:
    """Delete visits recorded by mistake and take them out of their members' tallies
    (concerns collected on them are kept, without the visit). Returns how many."""
    members = list(VisitMember.objects.filter(visit__in=visits).values_list("member_id", flat=True))
    pks = list(visits.values_list("pk", flat=True))
    Visit.objects.filter(pk__in=pks).delete()
    tallies.refresh(members)
    return len(pks)


def refresh_visit_tallies(visit: Visit, also: Iterable[int] = ()) -> None:
    """Recount the tallies of the visit's members (and of ``also``: members just
    removed from it) after a change that can move their counts."""
    tallies.refresh([*visit.member_links.values_list("member_id", flat=True), *also])


# --- Life events ----------------------------------------------------------------------


@service
def life_event_record(
    *,
    actor,
    member: Member,
    kind: str,
    occurred_on: datetime.date,
    description: str = "",
    place: str = "",
) -> LifeEvent:
    """A member is in hospital, bereaved, marrying, turning a milestone age, or their
    unit holds a major event. Staff, or the member in the portal, record it; a pending
    visit with a due date is created and staff are told."""
    in_portal = not actor_is_staff(actor)
    if in_portal:
        acting = acting_member(actor)
        if acting is None or acting.pk != member.pk:
            raise WorkflowError(_("委员只能登记本人的事项。"))
    elif not member.is_serving:
        raise WorkflowError(_("%(name)s 不是在任委员。") % {"name": member.name})
    if kind not in LifeEvent.Kind.values:
        raise WorkflowError(_("请选择事项类型。"))
    if occurred_on is None:
        raise WorkflowError(_("请填写事项日期。"))
    config = VisitConfig.for_office(member.office)
    due_date = max(occurred_on, today()) + datetime.timedelta(days=config.life_event_visit_days)
    visit = Visit.objects.create(
        office=member.office,
        kind=LifeEvent.VISIT_KIND[kind],
        status=Visit.Status.PENDING,
        due_date=due_date,
        place=place,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    VisitMember.objects.create(visit=visit, member=member)
    record_creation(
        visit,
        actor=actor,
        note=_("%(k)s，应于 %(d)s 前走访")
        % {"k": LifeEvent.Kind(kind).label, "d": f"{due_date:%Y-%m-%d}"},
    )
    event = LifeEvent.objects.create(
        office=member.office,
        member=member,
        kind=kind,
        occurred_on=occurred_on,
        description=description,
        place=place,
        reported_by=actor if getattr(actor, "pk", None) else None,
        reported_in_portal=in_portal,
        visit=visit,
    )
    notifications.life_event_recorded(event)
    return event
