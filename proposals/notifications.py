"""The proposal area's notifications. Each function writes outbox rows only (see
liaison.services) and is called inside the transaction that made the change, so the
message commits with it. Handling units have no accounts: they get e-mail at their
contact address with a fresh signed link."""

from django.urls import reverse

from liaison.models import Notification
from liaison.services import notifications_fulfilled, notify_office_staff
from liaison.services import notify_unit as shared_notify_unit
from members.notifications import notify_member

from .models import ProposalConfig

Channel = Notification.Channel


def _portal_path(proposal) -> str:
    return reverse("portal:proposal_detail", args=[proposal.pk])


def notify_unit(*, assignment, kind: str, key: str, template: str, context: dict):
    """The assignment's unit, with its signed link to the proposal page."""
    return shared_notify_unit(
        record=assignment,
        url_name="proposals:unit_assignment",
        kind=kind,
        key=key,
        template=template,
        context={**context, "assignment": assignment},
        office=assignment.proposal.office,
    )


def _proposers(proposal):
    members = [proposal.lead_member] if proposal.lead_member_id else []
    return members


def cosign_invitation(cosigner):
    proposal = cosigner.proposal
    notify_member(
        member=cosigner.member,
        kind="cosign_invitation",
        key=f"cosign-invite:{cosigner.pk}",
        template="proposals/cosign_invitation",
        context={"proposal": proposal, "member": cosigner.member},
        link=_portal_path(proposal),
    )


def cosign_answered(cosigner):
    """The co-signature is confirmed or declined: its invitation has been answered."""
    notifications_fulfilled(
        member=cosigner.member, kinds=("cosign_invitation",), link=_portal_path(cosigner.proposal)
    )


def cosign_joined(cosigner):
    """A member joined the proposal's open call for co-signers: the proposer is told."""
    proposal = cosigner.proposal
    for member in _proposers(proposal):
        notify_member(
            member=member,
            kind="proposal_cosign_joined",
            key=f"cosign-joined:{cosigner.pk}",
            template="proposals/cosign_joined",
            context={"proposal": proposal, "member": member, "cosigner": cosigner.member},
            link=_portal_path(proposal),
        )


def proposal_returned(proposal):
    for member in _proposers(proposal):
        notify_member(
            member=member,
            kind="proposal_returned",
            key=f"proposal-returned:{proposal.pk}:{proposal.submitted_at:%Y%m%d%H%M%S}",
            template="proposals/returned",
            context={"proposal": proposal},
            link=_portal_path(proposal),
        )


def proposal_registered(proposal):
    for member in _proposers(proposal):
        notify_member(
            member=member,
            kind="proposal_registered",
            key=f"proposal-registered:{proposal.pk}",
            template="proposals/registered",
            context={"proposal": proposal},
            link=_portal_path(proposal),
        )


def proposal_not_registered(proposal):
    for member in _proposers(proposal):
        notify_member(
            member=member,
            kind="proposal_not_registered",
            key=f"proposal-not-registered:{proposal.pk}",
            template="proposals/not_registered",
            context={"proposal": proposal},
            link=_portal_path(proposal),
        )


def assignment_made(assignment):
    proposal = assignment.proposal
    config = ProposalConfig.for_office(proposal.office)
    notify_unit(
        assignment=assignment,
        kind="proposal_assigned",
        key=f"assignment:{assignment.pk}",
        template="proposals/assigned",
        context={"proposal": proposal, "return_days": config.return_window_working_days},
    )


def rehandling_requested(assignment):
    proposal = assignment.proposal
    notify_unit(
        assignment=assignment,
        kind="proposal_rehandling",
        key=f"rehandling:{assignment.pk}:r{proposal.handling_round}",
        template="proposals/rehandling",
        context={"proposal": proposal},
    )


def return_requested(assignment):
    proposal = assignment.proposal
    notify_office_staff(
        office=proposal.office,
        kind="proposal_return_requested",
        key=f"return-requested:{assignment.pk}",
        template="proposals/return_requested",
        context={"proposal": proposal, "assignment": assignment},
        link=reverse("admin:proposals_proposal_change", args=[proposal.pk]),
    )


def return_decided(assignment):
    notify_unit(
        assignment=assignment,
        kind="proposal_return_decided",
        key=f"return-decided:{assignment.pk}",
        template="proposals/return_decided",
        context={"proposal": assignment.proposal},
    )


def feedback_requested(proposal):
    for member in _proposers(proposal):
        notify_member(
            member=member,
            kind="proposal_feedback_request",
            key=f"feedback-request:{proposal.pk}:r{proposal.handling_round}",
            template="proposals/feedback_request",
            context={"proposal": proposal},
            link=_portal_path(proposal),
        )


def feedback_due_date_moved(proposal, *, before, reason: str):
    """The working-day calendar changed under the proposer's feedback deadline."""
    for member in _proposers(proposal):
        notify_member(
            member=member,
            kind="proposal_feedback_due_moved",
            key=f"feedback-due-moved:{proposal.pk}:r{proposal.handling_round}:"
            f"{proposal.feedback_due_date}",
            template="proposals/feedback_due_date_moved",
            context={"proposal": proposal, "before": before, "reason": reason},
            link=_portal_path(proposal),
        )


def feedback_given(proposal, member):
    """The reply is rated: the request and its reminder have been answered."""
    notifications_fulfilled(
        member=member,
        kinds=(
            "proposal_feedback_request",
            "proposal_feedback_reminder",
            "proposal_feedback_due_moved",
        ),
        link=_portal_path(proposal),
    )


def report_adopted(adoption):
    report = adoption.report
    notify_member(
        member=report.member,
        kind="opinion_adopted",
        key=f"opinion-adopted:{adoption.pk}",
        template="proposals/report_adopted",
        context={"report": report, "adoption": adoption},
        link=reverse("portal:opinion_detail", args=[report.pk]),
    )


def follow_up_completed(follow_up):
    """The unit reported the B reply's planned work done: staff check and close it."""
    proposal = follow_up.proposal
    notify_office_staff(
        office=proposal.office,
        kind="proposal_follow_up_reported",
        key=f"follow-up-reported:{follow_up.pk}",
        template="proposals/follow_up_reported",
        context={
            "proposal": proposal,
            "follow_up": follow_up,
            "unit": follow_up.reply.assignment.unit,
        },
        link=reverse("admin:proposals_proposal_change", args=[proposal.pk]),
    )
