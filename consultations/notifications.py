"""The consultation area's messages to members and invited experts (kinds registered in
consultations/message_kinds.py, written with the shared pieces of WORDING.md). Each
function writes outbox rows only, inside the transaction that made the change or from
the reminder sweep; dedupe keys name the occasion, so each reaches each member at most
once. Every message greets the member by name, so it is rendered per member."""

from django.urls import reverse

from liaison.models import Notification
from liaison.services import (
    notification_queue,
    notification_render,
    notifications_fulfilled,
    notifications_queue,
)
from members.notifications import member_rows

from .expert_links import expert_link_url

REQUEST_KINDS = ("consultation_request", "consultation_reminder", "consultation_last_call")


def portal_path(consultation) -> str:
    return reverse("portal:consultation_detail", args=[consultation.pk])


def _queue(consultation, members, *, kind: str, key: str, template: str, extra=None) -> int:
    link = portal_path(consultation)
    base = {"consultation": consultation, "office": consultation.office}
    rows = []
    for member in members:
        context = {**base, "member": member, **(extra(member) if extra else {})}
        rows += member_rows(
            member,
            kind=kind,
            key=key,
            template=template,
            context=context,
            link=link,
            office=consultation.office,
        )
    return notifications_queue(rows=rows)


def consultation_opened(consultation, members) -> int:
    """The request for opinions, to every member consulted."""
    return _queue(
        consultation,
        members,
        kind="consultation_request",
        key=f"consultation-open:{consultation.pk}",
        template="consultations/request",
    )


def reminder(consultation, members, *, last_call: bool) -> int:
    """N working days before the deadline, and on the day, to those not yet answered."""
    if last_call:
        kind, key, template = "consultation_last_call", "last", "consultations/last_call"
    else:
        kind, key, template = "consultation_reminder", "before", "consultations/reminder"
    return _queue(
        consultation,
        members,
        kind=kind,
        key=f"consultation-{key}:{consultation.pk}:{consultation.deadline:%Y%m%d}",
        template=template,
    )


def answer_given(consultation, member) -> None:
    """The member has answered: the requests in their inbox are done."""
    notifications_fulfilled(member=member, kinds=REQUEST_KINDS, link=portal_path(consultation))


def outcome_fed_back(consultation, answers) -> int:
    """What became of each member's opinion (采纳 / 部分采纳 / 留作参考, with the note)."""
    by_member = {answer.member_id: answer for answer in answers}
    return _queue(
        consultation,
        [answer.member for answer in answers],
        kind="consultation_outcome",
        key=f"consultation-outcome:{consultation.pk}",
        template="consultations/outcome",
        extra=lambda member: {"answer": by_member[member.pk]},
    )


def expert_invited(consultation, expert) -> int:
    """The invitation to an expert who is not a member: an e-mail with their signed
    link (they have no account)."""
    link = expert_link_url(expert)
    name = f"{expert.name}（{expert.organisation}）" if expert.organisation else expert.name
    message = notification_render(
        template="consultations/expert_invitation",
        context={"consultation": consultation, "office": consultation.office, "expert": expert},
        recipient_name=name,
        office=consultation.office,
        link=link,
    )
    row = notification_queue(
        channel=Notification.Channel.EMAIL,
        kind="consultation_expert_invitation",
        dedupe_key=f"consultation-expert:{expert.pk}:{consultation.deadline:%Y%m%d}",
        subject=message.subject,
        body=message.body,
        address=expert.email,
        link=link,
        office=consultation.office,
    )
    return 1 if row is not None else 0
