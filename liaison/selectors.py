"""Reads every app shares."""

from django.db.models import QuerySet

from . import roles
from .models import User


def office_staff(office_ids) -> QuerySet[User]:
    """Active office staff of the given offices: the people reminders to "staff" go to."""
    return (
        User.objects.filter(
            groups__name=roles.OFFICE_STAFF, is_active=True, office_id__in=list(office_ids)
        )
        .distinct()
        .order_by("pk")
    )
