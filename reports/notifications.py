"""Notifications of documents. Each writes outbox rows only (liaison.services), inside
the transaction that made the change."""

from django.urls import reverse

from liaison.services import notify_user


def document_issued(issue, document) -> None:
    """A committee leader has a new document on their reports page."""
    notify_user(
        user=issue.recipient,
        kind="document_issued",
        key=f"document-issued:{issue.pk}",
        template="reports/document_issued",
        context={"document": document, "office": document.office, "issue": issue},
        link=reverse("reports:index"),
        office=document.office,
    )
