"""How a member is told something: through the portal and e-mail when they have an
account, else by e-mail if the roster has an address. Every area uses this."""

from liaison.models import Notification
from liaison.services import notification_queue, notification_render, notify_user


def notify_member(
    *, member, kind: str, key: str, template: str, context: dict, link: str = ""
) -> list[Notification]:
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
        row = notification_queue(
            channel=Notification.Channel.EMAIL,
            kind=kind,
            dedupe_key=f"{key}:m{member.pk}:email",
            subject=message.subject,
            body=message.body,
            address=member.email,
            office=member.office,
        )
        return [row] if row else []
    return []
