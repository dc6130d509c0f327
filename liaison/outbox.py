"""Delivering the outbox: claim due rows, send them, record the outcome.

Two workers (or two overlapping beat sweeps) never send the same row: a worker claims
rows with a conditional UPDATE (``pending`` -> ``sending`` with a fresh claim token,
only where the row is still pending) and then sends only the rows carrying its token.
Whichever UPDATE runs second finds those rows no longer pending and gets none of them.
On PostgreSQL the candidates are also read with ``SKIP LOCKED`` so concurrent claimers
pick different rows instead of queueing behind each other; SQLite serialises writers.

A failure of the mail server (any exception) is transient: the row goes back to
pending with exponential backoff, and after ``OUTBOX_MAX_ATTEMPTS`` it is marked failed.

Text messages go to the SMS backend a batch at a time (``deliver_sms``), which answers
per message: accepted (the gateway's message id is stored), refused for now (retried
with backoff, like a mail failure) or refused for good (failed at once, with the
gateway's error code). Before that, text messages are held during the quiet hours until
the morning; those over a member's daily limit are folded into one digest that goes out
the next morning; and a kind the gateway has no template for becomes a portal message.

A claim is a lease of ``OUTBOX_CLAIM_TIMEOUT_SECONDS`` (90 s) that the worker renews
as it goes through its batch (``renew_claims`` before each message, at most every
sixth of the lease), so a batch may take as long as it needs while only a dead
worker's rows go stale. A worker killed mid-batch leaves rows in ``sending``; once the
lease has run out the next sweep (every 30 s) returns them to pending and sends them,
so they go out again within two minutes. That counts as an attempt, so a row that
kills its worker every time ends up failed rather than looping. Delivery is therefore
at least once: a worker killed after the mail server accepted a message, but before
recording it, sends it again.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from . import messages, password_reset
from .models import Notification
from .services import notification_insert, notification_queue
from .sms import (
    IMMEDIATE_KINDS,
    NO_TEMPLATE,
    SmsMessage,
    SmsResult,
    get_sms_backend,
    next_morning,
    release_time,
)

logger = logging.getLogger(__name__)

Channel = Notification.Channel
Status = Notification.Status

# How many rows one claim takes. The lease is renewed while the batch is sent, so its
# length is bounded by nothing but fairness between workers.
BATCH_SIZE = 20
BACKOFF_CAP = datetime.timedelta(hours=1)
NO_ACCOUNT = "没有使用这个邮箱的有效账号，未发送"
NO_TEMPLATE_NOTE = "短信网关没有这类消息的模板，已改为站内消息"
DIGEST_KIND = "sms_digest"


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next try after ``attempts`` failures: 1, 2, 4, 8 … minutes,
    at most an hour."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    # Text messages held for the morning, and folded into a digest.
    held: int = 0
    digested: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed + self.skipped + self.held + self.digested


def release_stale_claims(*, now: datetime.datetime | None = None) -> int:
    """Return rows whose worker died mid-send (``sending`` for longer than the claim
    timeout) to pending, or to failed when that was their last attempt."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS)
    stale = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=cutoff)
    error = "发送中断（处理进程未完成），已重新排队"
    with transaction.atomic():
        failed = stale.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS - 1).update(
            status=Status.FAILED,
            attempts=F("attempts") + 1,
            last_error=error,
            claim_token="",
            claimed_at=None,
        )
        released = stale.update(
            status=Status.PENDING,
            attempts=F("attempts") + 1,
            last_error=error,
            next_attempt_at=now,
            claim_token="",
            claimed_at=None,
        )
    if failed or released:
        logger.warning("Outbox: released %s stale claims, %s failed", released, failed)
    return released + failed


def renew_claims(tokens, *, now: datetime.datetime | None = None) -> int:
    """Extend the lease on this worker's rows still sending (under ``tokens``): it is
    alive and working through them. A row the sweep released meanwhile carries another
    token or none and is left alone."""
    now = now or timezone.now()
    return Notification.objects.filter(claim_token__in=list(tokens), status=Status.SENDING).update(
        claimed_at=now
    )


def claim_due(*, limit: int = BATCH_SIZE, now: datetime.datetime | None = None):
    """Claim up to ``limit`` due rows for this worker; returns them (status sending)."""
    now = now or timezone.now()
    with transaction.atomic():
        candidates = Notification.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        return claim(ids, now=now)


def claim(ids, *, now: datetime.datetime) -> list[Notification]:
    """Claim the rows among ``ids`` that are still pending, under a fresh token.

    The condition on status is what makes this safe without row locks: two workers may
    read the same candidates, but a row the first one claimed is no longer pending when
    the second one's UPDATE runs, so the second gets none of it.
    """
    token = uuid.uuid4().hex
    Notification.objects.filter(pk__in=list(ids), status=Status.PENDING).update(
        status=Status.SENDING, claim_token=token, claimed_at=now
    )
    return list(
        Notification.objects.filter(claim_token=token, status=Status.SENDING).order_by("pk")
    )


class _Senders:
    """Opens the SMTP connection and the SMS backend once per batch, on first use.

    If the mail server cannot be reached, the rest of the batch's e-mails fail at once
    with the same error instead of each waiting for EMAIL_TIMEOUT again.
    """

    def __init__(self):
        self._email = None
        self._email_error: Exception | None = None
        self._sms = None

    def send(self, row: Notification) -> bool:
        """Send one row; False when it turned out to have nobody to go to."""
        if row.channel == Channel.EMAIL:
            if row.kind == password_reset.KIND:
                # Made now, never stored (see liaison/password_reset.py); an address
                # no account has gets nothing.
                messages = password_reset.reset_messages(row)
                for message in messages:
                    self._send_email(message.subject, message.body, message.to)
                return bool(messages)
            self._send_email(row.subject, row.body, row.address)
        # A portal row is delivered by existing; nothing to send. Text messages go
        # through deliver_sms.
        return True

    @property
    def sms(self):
        if self._sms is None:
            self._sms = get_sms_backend()
        return self._sms

    def _send_email(self, subject: str, body: str, to: str) -> None:
        if self._email_error is not None:
            raise self._email_error
        if self._email is None:
            email = get_connection(fail_silently=False)
            try:
                email.open()
            except Exception as exc:
                self._email_error = exc
                raise
            self._email = email
        try:
            EmailMessage(subject=subject, body=body, to=[to], connection=self._email).send()
        except Exception:
            # The connection may be broken; the next message opens a fresh one.
            self.close()
            raise

    def close(self) -> None:
        if self._email is not None:
            email, self._email = self._email, None
            try:
                email.close()
            except Exception:  # a broken connection is closed for our purpose
                logger.debug("Outbox: closing the mail connection failed", exc_info=True)


def _update_claimed(row: Notification, **fields) -> None:
    # Conditional on our token: if the sweep released this row as stale and another
    # worker claimed it, that worker records the outcome.
    Notification.objects.filter(pk=row.pk, claim_token=row.claim_token).update(
        claim_token="", claimed_at=None, **fields
    )


def _record_success(row: Notification) -> None:
    _update_claimed(row, status=Status.SENT, sent_at=timezone.now())


def _record_failure(
    row: Notification, error: str, *, error_code: str = "", permanent: bool = False
) -> bool:
    """Returns True when the row is now failed for good: a permanent error, or its last
    attempt."""
    attempts = row.attempts + 1
    final = permanent or attempts >= settings.OUTBOX_MAX_ATTEMPTS
    now = timezone.now()
    _update_claimed(
        row,
        status=Status.FAILED if final else Status.PENDING,
        attempts=attempts,
        last_error=error[:2000],
        error_code=error_code,
        next_attempt_at=now if final else now + backoff(attempts),
    )
    return final


def _count_failure(report: DeliveryReport, row: Notification, error: str, **kwargs) -> None:
    logger.warning("Outbox: sending notification %s failed: %s", row.pk, error)
    report.errors.append(f"{row.pk}: {error}")
    if _record_failure(row, error, **kwargs):
        report.failed += 1
    else:
        report.retrying += 1


def sms_params(row: Notification) -> dict:
    """The values a gateway template may use (liaison/sms.py)."""
    link = row.link
    if link.startswith("/"):
        link = settings.SITE_URL.rstrip("/") + link
    return {"title": row.subject, "link": link, **row.sms_params}


def _sent_today(addresses, now) -> dict[str, int]:
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    counts = (
        Notification.objects.filter(
            channel=Channel.SMS, status=Status.SENT, address__in=addresses, sent_at__gte=midnight
        )
        .values_list("address")
        .annotate(n=Count("pk"))
    )
    return dict(counts)


def _fold_into_digest(row: Notification, now) -> None:
    """Put ``row`` (over its number's daily limit) into that number's digest for the
    day, one text message sent the next morning."""
    day = timezone.localdate(now)
    key = f"sms-digest:{row.address}:{day:%Y%m%d}"
    morning = next_morning(now)
    with transaction.atomic():
        notification_insert(
            row=Notification(
                channel=Channel.SMS,
                kind=DIGEST_KIND,
                dedupe_key=key,
                subject="",
                body="",
                address=row.address,
                recipient_id=row.recipient_id,
                office_id=row.office_id,
                link=reverse("portal:notifications"),
                next_attempt_at=morning,
            )
        )
        digest = Notification.objects.select_for_update().get(dedupe_key=key)
        # The titles are kept for staff (the admin shows the row); the text stays short
        # (WORDING.md: at most 70 characters) and sends the member to the portal.
        titles = [*digest.sms_params.get("titles", []), row.subject]
        name = row.sms_params.get("name") or digest.sms_params.get("name", "")
        date = f"{day.month}月{day.day}日"
        digest.sms_params = {"count": len(titles), "name": name, "date": date, "titles": titles}
        digest.subject = f"{date}另有{len(titles)}条消息未发短信"
        digest.body = messages.sms_text(
            DIGEST_KIND, {"name": name, "date": date, "count": len(titles)}, row.office
        )
        digest.save(update_fields=["sms_params", "subject", "body"])
        _update_claimed(row, status=Status.DIGESTED, last_error=f"已并入{date}的汇总短信")


def _fall_back_to_portal(row: Notification) -> None:
    """A kind the gateway has no template for: the message goes to the portal instead
    (once: the portal row the member already has is kept), and staff are warned
    (liaison.selectors.sms_kinds_without_template)."""
    _update_claimed(row, status=Status.SKIPPED, error_code=NO_TEMPLATE, last_error=NO_TEMPLATE_NOTE)
    if row.recipient_id:
        key = row.dedupe_key.removesuffix(":sms")
        notification_queue(
            channel=Channel.PORTAL,
            kind=row.kind,
            dedupe_key=f"{key}:portal",
            subject=row.subject,
            body=row.body,
            recipient=row.recipient,
            link=row.link,
            office=row.office,
        )


def deliver_sms(rows: list[Notification], report: DeliveryReport, backend) -> None:
    """Send claimed text messages (with addresses) through ``backend`` in one go."""
    now = timezone.now()
    morning = release_time(now)
    if morning > now:
        held = [row for row in rows if row.kind not in IMMEDIATE_KINDS]
        report.held += Notification.objects.filter(
            pk__in=[row.pk for row in held], claim_token__in={row.claim_token for row in held}
        ).update(status=Status.PENDING, next_attempt_at=morning, claim_token="", claimed_at=None)
        rows = [row for row in rows if row.kind in IMMEDIATE_KINDS]
    sent_today = _sent_today({row.address for row in rows}, now) if rows else {}
    outgoing = []
    for row in rows:
        capped = row.kind != DIGEST_KIND and row.kind not in IMMEDIATE_KINDS
        if not backend.has_template(row.kind):
            _fall_back_to_portal(row)
            report.skipped += 1
        elif capped and sent_today.get(row.address, 0) >= settings.SMS_DAILY_LIMIT:
            _fold_into_digest(row, now)
            report.digested += 1
        else:
            sent_today[row.address] = sent_today.get(row.address, 0) + 1
            outgoing.append(row)
    if not outgoing:
        return
    messages = [
        SmsMessage(
            phone=row.address, text=row.body or row.subject, kind=row.kind, params=sms_params(row)
        )
        for row in outgoing
    ]
    try:
        results = backend.send_messages(messages)
    except Exception as exc:
        error = SmsResult(error_code=type(exc).__name__, error=str(exc), transient=True)
        results = [error] * len(outgoing)
    accepted = defaultdict(list)  # one UPDATE per message id (a batch may share one)
    for row, result in zip(outgoing, results, strict=True):
        if result.accepted:
            accepted[result.message_id].append(row)
        else:
            _count_failure(
                report,
                row,
                f"{result.error_code}: {result.error}".rstrip(": "),
                error_code=result.error_code,
                permanent=not result.transient,
            )
    now = timezone.now()
    for message_id, rows in accepted.items():
        for token in {row.claim_token for row in rows}:
            report.sent += Notification.objects.filter(
                pk__in=[row.pk for row in rows if row.claim_token == token], claim_token=token
            ).update(
                status=Status.SENT,
                sent_at=now,
                gateway_message_id=message_id,
                error_code="",
                claim_token="",
                claimed_at=None,
            )


def deliver_batch(rows: list[Notification], report: DeliveryReport) -> None:
    senders = _Senders()
    tokens = {row.claim_token for row in rows}
    # Renewed before a message whenever a sixth of the lease has passed, so one message
    # may take five sixths of it (75 s of 90: several EMAIL_TIMEOUTs) without its row
    # going stale, at the cost of one UPDATE per 15 s of sending.
    renew_every = datetime.timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT_SECONDS / 6)
    renewed_at = timezone.now()
    sms = []
    try:
        for row in rows:
            now = timezone.now()
            if now - renewed_at >= renew_every:
                renew_claims(tokens, now=now)
                renewed_at = now
            if row.channel != Channel.PORTAL and not row.address:
                _update_claimed(row, status=Status.SKIPPED)
                continue
            if row.channel == Channel.SMS:
                sms.append(row)
                continue
            try:
                delivered = senders.send(row)
            except Exception as exc:
                # Any error from the mail server (refused, timed out, connection lost)
                # is treated as transient and retried with backoff.
                _count_failure(report, row, f"{type(exc).__name__}: {exc}")
                continue
            if not delivered:
                _update_claimed(row, status=Status.SKIPPED, last_error=NO_ACCOUNT)
                report.skipped += 1
                continue
            _record_success(row)
            report.sent += 1
    finally:
        senders.close()
    if sms:
        renew_claims(tokens)
        try:
            backend = senders.sms
        except Exception as exc:
            # The backend cannot be set up (a wrong SMS_TEMPLATES, a missing SDK): the
            # rows wait, with the reason on each, until the configuration is fixed.
            for row in sms:
                _count_failure(report, row, f"{type(exc).__name__}: {exc}", error_code="config")
        else:
            deliver_sms(sms, report, backend)


def deliver_pending(*, limit: int = 200, batch_size: int = BATCH_SIZE) -> DeliveryReport:
    """Claim and send due notifications in batches, at most ``limit`` in this call."""
    report = DeliveryReport()
    while report.attempted < limit:
        rows = claim_due(limit=min(batch_size, limit - report.attempted))
        if not rows:
            break
        deliver_batch(rows, report)
    return report
