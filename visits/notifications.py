"""The visits area's notifications. Each function writes outbox rows only (see
liaison.services) and is called inside the transaction that made the change, so the
message commits with it. Handling units have no accounts: they get e-mail at their
contact address with a fresh signed link."""

from django.urls import reverse

from liaison.models import Notification
from liaison.selectors import office_staff
from liaison.services import notification_queue, notification_render, notify_user
from liaison.unit_links import unit_link_url

Channel = Notification.Channel

UNIT_URL = "visits:unit_concern"


def concern_portal_path(concern) -> str:
    return reverse("portal:concern_detail", args=[concern.pk])


def concern_admin_path(concern) -> str:
    return reverse("admin:visits_concern_change", args=[concern.pk])


def notify_member(*, member, kind: str, key: str, template: str, context: dict, link: str = ""):
    """A member hears through the portal and e-mail when they have an account, else by
    e-mail if the roster has an address."""
    if member.user_id:
        return notify_user(
            user=member.user,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=member.office,
        )
    if member.email:
        message = notification_render(template=template, context=context)
        row = notification_queue(
            channel=Channel.EMAIL,
            kind=kind,
            dedupe_key=f"{key}:m{member.pk}:email",
            subject=message.subject,
            body=message.body,
            address=member.email,
            office=member.office,
        )
        return [row] if row else []
    return []


def notify_staff(*, office, kind: str, key: str, template: str, context: dict, link: str = ""):
    rows = []
    for user in office_staff([office.pk]):
        rows += notify_user(
            user=user,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=office,
        )
    return rows


def notify_unit(*, concern, kind: str, key: str, template: str, context: dict | None = None):
    """E-mail to the concern's unit with a fresh signed link bound to concern and unit."""
    unit = concern.unit
    link = unit_link_url(concern, UNIT_URL)
    message = notification_render(
        template=template,
        context={"concern": concern, "unit": unit, "link": link, **(context or {})},
    )
    return notification_queue(
        channel=Channel.EMAIL,
        kind=kind,
        dedupe_key=key,
        subject=message.subject,
        body=message.body,
        address=unit.email,
        link=link,
        office=concern.office,
    )


def life_event_recorded(event):
    visit = event.visit
    notify_staff(
        office=event.office,
        kind="visits_life_event",
        key=f"visits-life-event:{event.pk}",
        template="visits/life_event",
        context={"event": event, "visit": visit},
        link=reverse("admin:visits_visit_change", args=[visit.pk]),
    )


def concern_raised(concern):
    notify_staff(
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
    notify_staff(
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
