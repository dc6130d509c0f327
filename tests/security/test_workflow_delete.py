"""A workflow record is deleted only before anything was sent or counted from it; later
it moves through its actions, which leave a trace."""

from django.urls import reverse

from proposals.models import Proposal

from ..factories import proposal_draft


def test_staff_delete_a_draft_but_not_a_submitted_proposal(staff_client, member):
    draft = proposal_draft(member=member, title="写错了的草稿")
    submitted = proposal_draft(member=member, title="已提交的提案")
    from proposals import services

    services.proposal_submit(proposal=submitted, actor=member.user)

    def delete(p):
        return staff_client.post(
            reverse("admin:proposals_proposal_delete", args=[p.pk]), {"post": "yes"}
        )

    page = staff_client.get(reverse("admin:proposals_proposal_change", args=[submitted.pk]))
    changelist = staff_client.get(reverse("admin:proposals_proposal_changelist"))

    assert delete(submitted).status_code == 403
    assert delete(draft).status_code == 302
    assert list(Proposal.objects.values_list("title", flat=True)) == ["已提交的提案"]
    assert "deletelink" not in page.text
    assert 'value="delete_selected"' not in changelist.text
