"""Reads of documents, scoped and joined for the pages that use them.

A committee leader reaches documents only through ``leader_issues``: exactly the
documents issued to them, once rendered; any other id is a 404."""

from django.db.models import Q, QuerySet

from liaison import roles
from liaison.selectors import users_in_roles

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
        users_in_roles(roles.COMMITTEE_LEADER)
        .filter(Q(office=office) | Q(office__isnull=True))
        .order_by("full_name", "username")
    )
