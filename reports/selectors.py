"""Reads of documents, scoped and joined for the pages that use them.

A committee leader reaches documents only through ``leader_issues``: exactly the
documents issued to them, once rendered; any other id is a 404."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from liaison import roles

from .models import Document, DocumentIssue


def leader_issues(user) -> QuerySet[DocumentIssue]:
    return (
        DocumentIssue.objects.filter(recipient_id=user.pk, document__status=Document.Status.DONE)
        .select_related("document__office")
        .order_by("-issued_at", "-pk")
    )


def leaders_for(office):
    """Committee leaders who may receive the office's documents: the office's own and
    the district's (leaders with no office)."""
    return (
        get_user_model()
        .objects.filter(groups__name=roles.COMMITTEE_LEADER, is_active=True)
        .filter(Q(office=office) | Q(office__isnull=True))
        .distinct()
        .order_by("full_name", "username")
    )
