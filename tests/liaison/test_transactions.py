"""One transaction per use case: top-level services cannot be nested in a caller's
transaction by accident, services compose, and an admin POST is one use case."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from liaison.transactions import service, use_case
from proposals import services
from proposals.models import Proposal
from tests.factories import proposal_draft

pytestmark = pytest.mark.django_db


def test_a_service_refuses_to_run_inside_someone_else_s_transaction(member):
    proposal = proposal_draft(member=member)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.proposal_submit(proposal=proposal, actor=member.user)
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.DRAFT


def test_a_service_called_by_a_service_joins_its_transaction(member):
    depths = []

    @service
    def inner():
        depths.append(len(connection.atomic_blocks))

    @service
    def outer():
        depths.append(len(connection.atomic_blocks))
        inner()

    before = len(connection.atomic_blocks)  # the test case's own blocks
    outer()
    # The inner one is a savepoint of the outer's transaction, not one of its own.
    assert depths == [before + 1, before + 2]
    assert len(connection.atomic_blocks) == before


def test_when_a_composed_service_fails_nothing_of_it_is_kept(member):
    @service
    def draft_then_fail():
        proposal_draft(member=member, title="半途而废的提案")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        draft_then_fail()
    assert not Proposal.objects.filter(title="半途而废的提案").exists()


def test_an_admin_post_is_one_use_case_in_which_services_run(staff_client, member):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    response = staff_client.post(
        reverse("admin:proposals_proposal_step", args=[proposal.pk, "register"]), {}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.REGISTERED
    with use_case():  # a use case may hold services too
        services.proposal_mark_excellent(proposal=proposal, actor=member.user)
    assert Proposal.objects.get(pk=proposal.pk).is_excellent
