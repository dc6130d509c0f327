"""Reads of proposals and reports, scoped and joined for the pages that use them.

The portal reaches proposals only through these: a member sees the proposals they lead
or were invited to co-sign, and their own opinion reports; any other id is a 404."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from members.models import Member

from .models import Adoption, Assignment, OpinionReport, Proposal, ProposalCosigner, Reply


def member_proposals(member: Member) -> QuerySet[Proposal]:
    cosigned = ProposalCosigner.objects.filter(proposal=OuterRef("pk"), member=member)
    return (
        Proposal.objects.filter(Q(lead_member=member) | Q(Exists(cosigned)))
        .select_related("category", "lead_member")
        .order_by("-created_at")
    )


def member_proposal_detail(member: Member, pk: int) -> Proposal:
    """One of the member's proposals with everything its page shows, or DoesNotExist."""
    return (
        member_proposals(member)
        .select_related("office", "merged_into")
        .prefetch_related(
            Prefetch("cosigners", ProposalCosigner.objects.select_related("member")),
            Prefetch(
                "assignments",
                Assignment.objects.filter(is_active=True).select_related("unit"),
            ),
            Prefetch("replies", Reply.objects.select_related("assignment__unit")),
            "feedback",
            "attachments",
        )
        .get(pk=pk)
    )


def pending_cosign_invitations(member: Member) -> QuerySet[ProposalCosigner]:
    return ProposalCosigner.objects.filter(
        member=member,
        status=ProposalCosigner.Status.INVITED,
        proposal__status__in=(Proposal.Status.DRAFT, Proposal.Status.RETURNED),
    ).select_related("proposal__lead_member")


def cosigner_choices(member: Member) -> QuerySet[Member]:
    """Serving members of the office a member may invite, in official name-list order."""
    return (
        Member.objects.filter(office_id=member.office_id, status=Member.Status.SERVING)
        .exclude(pk=member.pk)
        .order_by("stroke_key")
    )


def member_opinion_reports(member: Member) -> QuerySet[OpinionReport]:
    return (
        OpinionReport.objects.filter(member=member)
        .prefetch_related(Prefetch("adoptions", Adoption.objects.order_by("-adopted_on")))
        .order_by("-created_at")
    )
