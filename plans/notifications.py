"""Notifications of the plans area. Each writes outbox rows only (liaison.services),
inside the transaction that made the change."""

from django.urls import reverse

from liaison.services import notify_office_staff


def plan_not_submitted(*, office, year: int, deadline, key: str) -> int:
    """Staff: the year's plan has not gone to the committee by the configured date."""
    return len(
        notify_office_staff(
            office=office,
            kind="plan_not_submitted",
            key=key,
            template="plans/plan_not_submitted",
            context={"office": office, "year": year, "deadline": deadline},
            link=reverse("admin:plans_workplan_changelist"),
        )
    )
