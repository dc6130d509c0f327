"""Writing the demo's largest tables at once, for the offices other than the sign-in
member's (the city scale's 150 offices): the rows are the ones the services write one
by one, built here in memory and sent in one statement.

``member_messages`` builds the outbox rows a message to many members leaves
(``members.notifications.member_rows`` for each member), the text rendered once per
channel rather than once per member: every member's copy differs only in the greeting's
name. ``insert`` writes rows with PostgreSQL's ``COPY`` (``bulk_create`` elsewhere),
several times faster for the half a million messages of the city scale."""

from django.db import connection, models
from django.utils import timezone

from liaison import messages
from liaison.models import Notification
from liaison.services import Message, _prepare, notification_render
from members.notifications import member_channels

Channel = Notification.Channel
# A private-use character no name contains: rendered in the name's place, then
# replaced by each member's name.
NAME = "\ue000"


def member_messages(
    members, *, kind: str, key: str, template: str, context: dict, link: str, office
) -> list[Notification]:
    """The unsaved outbox rows of ``kind`` to each of ``members``, as ``member_rows``
    makes them for each (prepared as ``notifications_queue`` writes them: the portal's
    delivered, a text message due after the quiet hours). ``context`` must not depend
    on the member beyond their name (tests/demo/test_bulk.py compares the two)."""
    now = timezone.now()
    texts: dict[str, Message] = {}
    sms = None
    rows = []

    def render(member, channel, name) -> Message:
        return notification_render(
            template=template,
            context={**context, "member": member},
            channel=channel,
            recipient_name=name,
            office=office,
            link=link,
        )

    for member in members:
        name = member.name
        who = f"u{member.user_id}" if member.user_id else f"m{member.pk}"
        for channel, address in member_channels(member, kind):
            if channel not in texts:
                texts[channel] = render(member, channel, NAME)
            message = texts[channel]
            subject, body = message.subject, message.body.replace(NAME, name)
            if NAME in subject:  # cut to length after the name went in: render it
                subject = render(member, channel, name).subject
            params = {"name": name} if channel == Channel.SMS else {}
            if channel == Channel.SMS:
                if sms is None:
                    sms = messages.sms_render(
                        kind,
                        {**context, "member": member},
                        name=NAME,
                        office=office,
                        template=template,
                    ) or ("", None)
                text, sms_params = sms
                if sms_params is not None:
                    body = text.replace(NAME, name)
                    params = {k: v.replace(NAME, name) for k, v in sms_params.items()}
            rows.append(
                _prepare(
                    Notification(
                        channel=channel,
                        kind=kind,
                        dedupe_key=f"{key}:{who}:{channel}",
                        subject=subject,
                        body=body,
                        recipient_id=member.user_id,
                        address=address,
                        link=link,
                        office=office,
                        sms_params=params,
                        next_attempt_at=now,
                    ),
                    now,
                )
            )
    return rows


def insert(model, rows, *, batch_size: int = 2000) -> None:
    """Write unsaved ``rows`` of ``model`` (their primary keys are not read back). On
    PostgreSQL one ``COPY``: each field's value as ``save()`` would write it (defaults,
    ``auto_now_add``); elsewhere ``bulk_create``."""
    rows = list(rows)
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=batch_size)
        return
    fields = [
        f
        for f in model._meta.local_concrete_fields
        if not (f.primary_key and f.db_returning)  # an AutoField: the sequence's
    ]
    values = [_value(f) for f in fields]
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([value(row) for value in values])


# Fields whose attribute is what PostgreSQL stores (no conversion on the way in).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BooleanField,
    models.DateField,
    models.DateTimeField,
    models.AutoField,  # a foreign key's target
    models.BigAutoField,
)


def _value(field):
    """How ``insert`` reads ``field`` of a row: the attribute itself for a plain field
    (a foreign key's id), else as ``save()`` prepares it."""
    plain = type(field) in _PLAIN or (
        isinstance(field, models.ForeignKey) and type(field.target_field) in _PLAIN
    )
    if (
        plain
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ):
        attname = field.attname
        return lambda row: getattr(row, attname)
    return lambda row: field.get_db_prep_save(field.pre_save(row, True), connection)


def write_points(ledger) -> int:
    """``PointsLedger.write`` with ``insert``: the ledger's entries, in one ``COPY``."""
    from members.models import PointEntry

    insert(PointEntry, ledger.entries)
    return len(ledger.entries)
