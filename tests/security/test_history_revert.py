"""A workflow record moves only through its actions. Its history pages are for reading:
restoring an old version would bring back an old status with no status-change row, no
notification and none of the workflow's checks."""

from django.urls import reverse

from liaison.models import StatusChange
from proposals.models import Proposal

from ..factories import HandlingUnitFactory, proposal_replied


def test_staff_cannot_restore_a_replied_proposal_to_its_draft_version(
    staff_client, staff, member, office
):
    unit = HandlingUnitFactory(office=office)
    proposal = proposal_replied(member=member, staff=staff, unit=unit)
    draft_version = proposal.history.earliest("history_date")
    assert draft_version.status == Proposal.Status.DRAFT
    url = reverse(
        "admin:proposals_proposal_simple_history", args=[proposal.pk, draft_version.history_id]
    )

    moves = StatusChange.objects.count()

    page = staff_client.get(url)
    response = staff_client.post(url, {"title": proposal.title, "_save": "1"})

    assert page.status_code == 200
    assert "恢复" not in page.text and "Revert" not in page.text
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REPLIED
    assert StatusChange.objects.count() == moves


def test_history_pages_of_records_that_keep_no_history_table_open(staff_client, staff, office):
    """Documents and the outbox keep no history table: their history page lists the
    admin's own log instead of failing."""
    from liaison.models import Notification

    from ..factories import NotificationFactory

    row = NotificationFactory(recipient=staff, office=office, channel=Notification.Channel.PORTAL)
    page = staff_client.get(reverse("admin:liaison_notification_history", args=[row.pk]))

    assert page.status_code == 200
