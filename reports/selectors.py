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
    the district's (leaders with no office). The group's few members are read first
    (its index): joined in one query, PostgreSQL guessed a quarter of every account
    was a leader and read all 50,000 member accounts."""
    user_model = get_user_model()
    leader_ids = list(
        user_model.groups.through.objects.filter(group__name=roles.COMMITTEE_LEADER).values_list(
            "user_id", flat=True
        )
    )
    return (
        user_model.objects.filter(pk__in=leader_ids, is_active=True)
        .filter(Q(office=office) | Q(office__isnull=True))
        .order_by("full_name", "username")
    )
