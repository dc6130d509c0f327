import pytest
from django.urls import reverse

from proposals import services
from proposals.models import ProposalConfig
from tests.factories import proposal_draft

pytestmark = pytest.mark.django_db


def test_admin_index_shows_live_progress_against_configurable_targets(
    staff_client, member, staff, office
):
    ProposalConfig.objects.update_or_create(office=office, defaults={"proposal_target": 12})
    for i in range(3):
        proposal = proposal_draft(member=member, title=f"提案{i}")
        services.proposal_submit(proposal=proposal, actor=member.user)
        if i < 2:
            services.proposal_register(proposal=proposal, actor=staff)
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "2 / 12" in page  # registered ones count; the merely submitted one does not
    assert "0 / 6" in page


def test_other_offices_progress_is_not_shown_to_office_staff(staff_client, other_office):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert other_office.name not in page
