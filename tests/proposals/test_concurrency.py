"""Registration numbers stay unique and gapless when many staff register at once."""

import threading

import pytest
from django.db import connection

from liaison.workflow import WorkflowError
from proposals import services
from proposals.models import Proposal
from tests.factories import proposal_draft

N = 50


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fifty_concurrent_registrations_get_fifty_gapless_numbers(member, staff):
    proposals = []
    for i in range(N):
        proposal = proposal_draft(member=member, title=f"并发提案{i}")
        services.proposal_submit(proposal=proposal, actor=member.user)
        proposals.append(proposal)
    barrier = threading.Barrier(10)
    errors = []

    def register(batch):
        try:
            barrier.wait()
            for proposal in batch:
                services.proposal_register(proposal=proposal, actor=staff)
        except Exception as error:  # surfaced below with the failing thread's error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(proposals[i::10],)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    serials = sorted(Proposal.objects.values_list("serial", flat=True))
    assert serials == list(range(1, N + 1))
    assert Proposal.objects.filter(status=Proposal.Status.REGISTERED).count() == N


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_registering_the_same_proposal_at_once_cannot_both_win(member, staff):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    barrier = threading.Barrier(2)
    outcomes = []

    def register():
        try:
            barrier.wait()
            services.proposal_register(proposal=proposal, actor=staff)
            outcomes.append("registered")
        except WorkflowError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "registered"]
    proposal.refresh_from_db()
    assert proposal.number.endswith("-001")
