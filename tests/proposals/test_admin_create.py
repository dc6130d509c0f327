"""The admin's add pages create through the create services (one write path)."""

from unittest import mock

import pytest
from django.urls import reverse

from liaison.models import StatusChange
from proposals import services
from proposals.models import OpinionReport, Proposal, ProposalCategory

pytestmark = pytest.mark.django_db


def _proposal_form(member, **overrides):
    return {
        "year": 2026,
        "proposer_kind": Proposal.ProposerKind.INDIVIDUAL,
        "lead_member": member.pk,
        "category": ProposalCategory.objects.get(name="社区建设").pk,
        "title": "关于增设社区养老服务站的建议",
        "reasons": "老龄化加快",
        "suggestions": "利用闲置用房",
        **overrides,
    }


def test_admin_add_proposal_calls_proposal_create_and_starts_the_timeline(
    staff_client, staff, member
):
    with mock.patch.object(services, "proposal_create", wraps=services.proposal_create) as create:
        response = staff_client.post(
            reverse("admin:proposals_proposal_add"), _proposal_form(member)
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    create.assert_called_once()
    proposal = Proposal.objects.get()
    assert proposal.lead_member == member and proposal.created_by == staff
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.term == member.term  # the service's rule, not a form field
    assert StatusChange.objects.filter(object_id=proposal.pk, from_status="").count() == 1


def test_admin_add_proposal_shows_the_service_refusal_and_writes_nothing(
    client, district_staff, member, other_office
):
    # District staff may pick any office and any member; proposal_create refuses a
    # proposer from another office, and the form says so with what was typed kept.
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:proposals_proposal_add"),
        _proposal_form(member, office=other_office.pk),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "第一提案人不属于该联络处" in page
    assert "关于增设社区养老服务站的建议" in page
    assert not Proposal.objects.exists()


def test_admin_add_opinion_report_calls_opinion_report_create(staff_client, member):
    with mock.patch.object(
        services, "opinion_report_create", wraps=services.opinion_report_create
    ) as create:
        response = staff_client.post(
            reverse("admin:proposals_opinionreport_add"),
            {
                "year": 2026,
                "member": member.pk,
                "title": "关于老旧小区加装电梯的情况反映",
                "situation": "居民反映强烈",
                "analysis": "",
                "suggestion": "简化审批",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    create.assert_called_once()
    assert OpinionReport.objects.get().member == member
