"""The proposal area's notifications. Each function writes outbox rows only (see
liaison.services) and is called inside the transaction that made the change, so the
message commits with it. Handling units have no accounts: they get e-mail at their
contact address with a fresh signed link."""

from django.urls import reverse

from liaison.models import Notification
from liaison.selectors import office_staff
from liaison.services import notification_queue, notification_render, notify_user
from liaison.unit_links import unit_link_url

Channel = Notification.Channel


def _portal_path(proposal) -> str:
    return reverse("portal:proposal_detail", args=[proposal.pk])


def notify_member(*, member, kind: str, key: str, template: str, context: dict, link: str = ""):
    """A member hears through the portal and e-mail when they have an account, else by
    e-mail if the roster has an address."""
    if member.user_id:
        return notify_user(
            user=member.user,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=member.office,
        )
    if member.email:
        message = notification_render(template=template, context=context)
        return [
            notification_queue(
                channel=Channel.EMAIL,
                kind=kind,
                dedupe_key=f"{key}:m{member.pk}:email",
                subject=message.subject,
                body=message.body,
                address=member.email,
                office=member.office,
            )
        ]
    return []


def notify_staff(*, office, kind: str, key: str, template: str, context: dict, link: str = ""):
    rows = []
    for user in office_staff([office.pk]):
        rows += notify_user(
            user=user,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=office,
        )
    return rows


def notify_unit(*, assignment, kind: str, key: str, template: str, context: dict):
    unit = assignment.unit
    link = unit_link_url(assignment, "proposals:unit_assignment")
    context = {**context, "unit": unit, "assignment": assignment, "link": link}
    message = notification_render(template=template, context=context)
    return notification_queue(
        channel=Channel.EMAIL,
        kind=kind,
        dedupe_key=key,
        subject=message.subject,
        body=message.body,
        address=unit.email,
        link=link,
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
    from .models import ProposalConfig

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
    notify_staff(
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
