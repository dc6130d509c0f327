"""The visits area's notifications. Each function writes outbox rows only (see
liaison.services) and is called inside the transaction that made the change, so the
message commits with it. Handling units have no accounts: they get e-mail at their
contact address with a fresh signed link."""

from django.urls import reverse

from liaison.models import Notification
from liaison.services import notify_office_staff
from liaison.services import notify_unit as shared_notify_unit
from members.notifications import notify_member

Channel = Notification.Channel

UNIT_URL = "visits:unit_concern"


def concern_portal_path(concern) -> str:
    return reverse("portal:concern_detail", args=[concern.pk])


def concern_admin_path(concern) -> str:
    return reverse("admin:visits_concern_change", args=[concern.pk])


def notify_unit(*, concern, kind: str, key: str, template: str, context: dict | None = None):
    """E-mail to the concern's unit with a fresh signed link bound to concern and unit."""
    return shared_notify_unit(
        record=concern,
        url_name=UNIT_URL,
        kind=kind,
        key=key,
        template=template,
        context={"concern": concern, **(context or {})},
        office=concern.office,
    )


def life_event_recorded(event):
    visit = event.visit
    notify_office_staff(
        office=event.office,
        kind="visits_life_event",
        key=f"visits-life-event:{event.pk}",
        template="visits/life_event",
        context={"event": event, "visit": visit},
        link=reverse("admin:visits_visit_change", args=[visit.pk]),
    )


def concern_raised(concern):
    notify_office_staff(
        office=concern.office,
        kind="visits_concern_raised",
        key=f"concern-raised:{concern.pk}",
        template="visits/concern_raised",
        context={"concern": concern},
        link=concern_admin_path(concern),
    )


def concern_assigned(concern):
    notify_unit(
        concern=concern,
        kind="visits_concern_assigned",
        key=(
            f"concern-assigned:{concern.pk}:u{concern.unit_id}:r{concern.round}"
            f":{concern.status}:{concern.assigned_on}"
        ),
        template="visits/assigned",
    )


def concern_reopened(concern):
    notify_unit(
        concern=concern,
        kind="visits_concern_reopened",
        key=f"concern-reopened:{concern.pk}:r{concern.round}",
        template="visits/reopened",
    )


def concern_result_reported(concern):
    notify_office_staff(
        office=concern.office,
        kind="visits_concern_result",
        key=f"concern-result:{concern.pk}:r{concern.round}",
        template="visits/result_reported",
        context={"concern": concern},
        link=concern_admin_path(concern),
    )


def concern_fed_back(concern):
    notify_member(
        member=concern.member,
        kind="visits_concern_fed_back",
        key=f"concern-fed-back:{concern.pk}:r{concern.round}",
        template="visits/fed_back",
        context={"concern": concern},
        link=concern_portal_path(concern),
    )


def concern_due_date_moved(concern, *, before, reason: str):
    """The working-day calendar changed under a concern's deadline: the unit doing it
    and the member who raised it are told the new date."""
    context = {"concern": concern, "before": before, "reason": reason}
    key = f"concern-due-moved:{concern.pk}:r{concern.round}:{concern.due_date}"
    notify_unit(
        concern=concern,
        kind="visits_concern_due_moved",
        key=key,
        template="visits/due_date_moved",
        context=context,
    )
    if concern.member_id is None:
        return
    notify_member(
        member=concern.member,
        kind="visits_concern_due_moved",
        key=key,
        template="visits/due_date_moved_member",
        context=context,
        link=concern_portal_path(concern),
    )
