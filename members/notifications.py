"""How a member is told something. Every area uses this.

Each kind of message belongs to one of four groups (invitations, deadlines and feedback
requests, birthday greetings, news: ``MessageKind.preference`` in liaison/messages.py),
and the member chooses per group whether it comes by SMS, e-mail or only in the portal
(``Member.receive_*``). A member with an account always gets the portal message, plus
the chosen SMS or e-mail when the roster has the number or address (an e-mail-only
member without e-mail gets the portal only). A member without an account has no portal:
the chosen channel, else whichever of mobile number and e-mail the roster has, so nobody
is left out by a choice that leads nowhere. A text message is the kind's registered SMS
template (``MessageKind.sms``), filled with its parameters.
"""

from liaison import messages
from liaison.models import Notification
from liaison.services import Message, notification_render_once, notifications_insert

from .models import Member

Channel = Notification.Channel

# The kinds each preference covers; every other kind to a member is news. A kind
# registered in liaison/messages.py says it there (``MessageKind.preference``), which
# wins; this table serves kinds not registered yet.
PREFERENCE_BY_KIND = {
    "activity_invitation": "receive_invitations",
    "cosign_invitation": "receive_invitations",
    "activity_cancelled": "receive_invitations",
    "activity_rescheduled": "receive_invitations",
    "activity_leave_decided": "receive_invitations",
    "activity_reply_reminder": "receive_deadlines",
    "activity_reminder": "receive_deadlines",
    "activity_opinions_request": "receive_deadlines",
    "proposal_feedback_request": "receive_deadlines",
    "proposal_feedback_reminder": "receive_deadlines",
    "proposal_feedback_due_moved": "receive_deadlines",
    "proposal_returned": "receive_deadlines",
    "visits_concern_due_moved": "receive_deadlines",
    "visits_concern_fed_back": "receive_deadlines",
    "visits_concern_confirm_reminder": "receive_deadlines",
    "birthday_greeting": "receive_birthdays",
}


def preferred_channel(member: Member, kind: str) -> str:
    """The member's choice for the kind's group (``MessageKind.preference`` in the
    registry, liaison/messages.py); a kind without a group is news."""
    message_kind = messages.get(kind)
    if message_kind is not None and message_kind.preference:
        return getattr(member, message_kind.preference)
    return getattr(member, PREFERENCE_BY_KIND.get(kind, "receive_news"))


def member_channels(member: Member, kind: str) -> list[tuple[str, str]]:
    """Where ``kind`` goes for this member: (channel, address) pairs, the portal's with
    an empty address."""
    user = member.user if member.user_id else None
    addresses = {
        Channel.SMS: member.mobile or (user.phone if user else ""),
        Channel.EMAIL: (user.email if user else "") or member.email,
    }
    chosen = preferred_channel(member, kind)
    if user is not None and user.is_active:
        channels = [(Channel.PORTAL, "")]
        if addresses.get(chosen):
            channels.append((chosen, addresses[chosen]))
        return channels
    for channel in (chosen, Channel.SMS, Channel.EMAIL):
        if addresses.get(channel):
            return [(channel, addresses[channel])]
    return []


def member_rows(
    member: Member,
    *,
    kind: str,
    key: str,
    template: str,
    context: dict,
    link: str = "",
    office=None,
    rendered: dict[str, Message] | None = None,
) -> list[Notification]:
    """Unsaved outbox rows for one member, by their preference. Dedupe keys are
    ``<key>:u<user id>:<channel>`` for a member with an account, ``<key>:m<member
    id>:<channel>`` otherwise. Each message greets the member by name (尊敬的××委员);
    ``rendered`` caches messages by channel and name. A text message is the kind's
    registered SMS template (liaison/messages.py) filled for this member."""
    rendered = {} if rendered is None else rendered
    rows = []
    office = office if office is not None else member.office
    for channel, address in member_channels(member, kind):
        message = notification_render_once(
            rendered,
            template,
            context,
            channel,
            recipient_name=member.name,
            office=office,
            link=link,
        )
        sms_params = {"name": member.name} if channel == Channel.SMS else {}
        if channel == Channel.SMS and (
            sms := messages.sms_render(
                kind, context, name=member.name, office=office, template=template
            )
        ):
            text, sms_params = sms
            message = Message(subject=message.subject, body=text)
        who = f"u{member.user_id}" if member.user_id else f"m{member.pk}"
        rows.append(
            Notification(
                channel=channel,
                kind=kind,
                dedupe_key=f"{key}:{who}:{channel}",
                subject=message.subject,
                body=message.body,
                recipient=member.user if member.user_id else None,
                address=address,
                link=link,
                office=office,
                sms_params=sms_params,
            )
        )
    return rows


def notify_member(
    *, member, kind: str, key: str, template: str, context: dict, link: str = ""
) -> list[Notification]:
    """Queue the message for one member; returns the rows that were new."""
    return notifications_insert(
        member_rows(member, kind=kind, key=key, template=template, context=context, link=link)
    )


def duty_claim_decided(claim) -> list[Notification]:
    """The office's decision on a duty the member reported (approved: the points are in;
    returned: the reason), to the member, once per decision."""
    from django.urls import reverse

    if claim.status == claim.Status.APPROVED:
        kind, template, page = "duty_claim_approved", "members/claim_approved", "portal:duty_record"
    else:
        kind, template, page = "duty_claim_returned", "members/claim_returned", "portal:duty_claims"
    return notify_member(
        member=claim.member,
        kind=kind,
        key=f"duty-claim:{claim.pk}:{claim.status}",
        template=template,
        context={"claim": claim, "member": claim.member},
        link=reverse(page),
    )
