"""Writes for documents: asking for one, rendering it (the worker's job), issuing it to
committee leaders — and issuing a work report, which needs its figures and its PDF.

``document_request`` only writes a row and queues the render after the transaction
commits; the task calls ``document_render``, which claims the row with a conditional
update so that two deliveries of the same task render once.
"""

import datetime
import logging
import time

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations import services as consultations_services
from consultations.models import Consultation
from liaison.errors import error_reference
from liaison.models import today
from liaison.transactions import service
from liaison.workflow import WorkflowError, lock, record_creation, refuse, transition
from members.models import DutyYear
from plans import services as plans_services
from plans.models import WorkReport

from . import documents, notifications, workflows
from .figures import report_figures
from .models import CommitteeReply, Document, DocumentCounter, DocumentIssue
from .pdf import RenderLimitExceeded, memory_limit_message, render_limits, time_limit_message
from .selectors import leaders_for

logger = logging.getLogger(__name__)

DS = Document.Status

# A render still "in progress" after this long died with its worker (the task time
# limit is 25 minutes): the sweep hands it out again.
STALE_RENDER = datetime.timedelta(minutes=30)
# How often a running render writes its progress to the database.
PROGRESS_INTERVAL = 1.0
# The render task (reports/tasks.py registers it under this name). Queued by name, so
# that these services need not import the tasks module, which imports them.
RENDER_TASK = "reports.tasks.render_document"


def _enqueue(document_id: int, generation: int) -> None:
    """Hand the render to the worker. Redis being down must not break the page: the row
    stays pending and the documents sweep hands it out later."""
    try:
        current_app.send_task(RENDER_TASK, args=(document_id, generation))
    except Exception:
        logger.warning("Could not queue document %s; the sweep will retry", document_id)


@service
def document_request(
    *,
    office,
    kind: str,
    params: dict,
    actor=None,
    document_date: datetime.date | None = None,
    refresh: bool = False,
) -> Document:
    """Ask for a document. The same office, kind, parameters and date give the same row:
    asking again returns it (re-rendering only when ``refresh`` — staff corrected the data
    — or when the last attempt failed). A document issued to leaders is never re-rendered.
    """
    params = documents.normalize(kind, office, params)
    document_date = document_date or today()
    key = documents.fingerprint(kind, office, params, document_date)
    document = Document.objects.select_for_update().filter(office=office, params_hash=key).first()
    if document is None:
        try:
            with transaction.atomic():
                document = Document.objects.create(
                    office=office,
                    kind=kind,
                    title=documents.title_for(kind, office, params),
                    params=params,
                    document_date=document_date,
                    params_hash=key,
                    requested_by=actor,
                )
        except IntegrityError:  # a concurrent request for the same document won
            return Document.objects.get(office=office, params_hash=key)
    elif document.status == DS.FAILED or (refresh and document.status == DS.DONE):
        if refresh and document.issues.exists():
            raise WorkflowError(_("该文件已印发给领导，不能重新生成；如需更新，请改日期另行生成。"))
        document.generation = F("generation") + 1
        document.status = DS.PENDING
        document.progress = 0
        document.error = ""
        document.requested_by = actor or document.requested_by
        document.save(update_fields=["generation", "status", "progress", "error", "requested_by"])
        document.refresh_from_db()
    else:
        return document  # pending, rendering, or done: nothing to do
    generation = document.generation
    transaction.on_commit(lambda: _enqueue(document.pk, generation))
    return document


def _claim(document_id: int, generation: int) -> bool:
    stale = timezone.now() - STALE_RENDER
    return bool(
        Document.objects.filter(pk=document_id, generation=generation)
        .filter(
            Q(status__in=[DS.PENDING, DS.FAILED]) | Q(status=DS.RENDERING, started_at__lt=stale)
        )
        .update(
            status=DS.RENDERING,
            started_at=timezone.now(),
            progress=1,
            attempts=F("attempts") + 1,
            error="",
        )
    )


class _Progress:
    """Writes a running render's progress, at most once a second."""

    def __init__(self, document_id: int, generation: int):
        self.document_id = document_id
        self.generation = generation
        self.last = 0.0
        self.percent = 1

    def __call__(self, share: float) -> None:
        percent = max(self.percent, min(99, int(share * 100)))
        now = time.monotonic()
        if percent == self.percent or now - self.last < PROGRESS_INTERVAL:
            return
        self.percent, self.last = percent, now
        Document.objects.filter(
            pk=self.document_id, generation=self.generation, status=DS.RENDERING
        ).update(progress=percent)


def document_render(*, document_id: int, generation: int) -> Document | None:
    """Render a requested document (the worker's job). Harmless to run twice: only the
    run that claims the row renders; a task for an older generation does nothing.
    Returns the document when this run rendered it."""
    if not _claim(document_id, generation):
        return None
    document = Document.objects.select_related("office").get(pk=document_id)
    seconds, mib = settings.DOCUMENT_RENDER_SECONDS, settings.DOCUMENT_RENDER_MEMORY_MIB
    try:
        with render_limits(seconds=seconds, mib=mib):
            rendered = documents.render(
                document.kind,
                document.office,
                document.params,
                document.document_date,
                progress=_Progress(document_id, generation),
                reference=document.reference,
            )
    except (RenderLimitExceeded, SoftTimeLimitExceeded, MemoryError) as error:
        # Too long or too large (settings.DOCUMENT_RENDER_*): say so, not "system error".
        logger.warning("Document %s stopped: %r", document_id, error)
        if isinstance(error, RenderLimitExceeded):
            message = error.message
        elif isinstance(error, SoftTimeLimitExceeded):
            message = time_limit_message(seconds)
        else:
            message = memory_limit_message(mib)
        advice = _("请稍后重新生成；如仍失败，请告诉系统管理员（可调整生成时限或内存上限）。")
        _document_failed(document_id, generation, f"{message}{advice}")
        return None
    except Exception as error:
        # The admin shows ``error``: a reference staff can quote, never the exception's
        # own (English, often database) text, which stays in the log (liaison.errors).
        reference = error_reference(logger, error, f"Document {document_id} failed to render")
        message = _("系统错误，参考编号 %(reference)s，请告诉系统管理员。") % {
            "reference": reference
        }
        _document_failed(document_id, generation, message)
        return None
    return _document_store(document, generation, rendered)


def document_word(*, document_id: int, generation: int) -> Document | None:
    """The editable Word copy of a rendered document (the worker's job, in the same task
    right after the PDF): the same data and HTML, with python-docx. A failure here leaves
    the PDF as it is and is logged; the Word link appears only once the copy exists."""
    document = Document.objects.select_related("office").get(pk=document_id)
    if document.generation != generation or document.status != DS.DONE:
        return None
    seconds, mib = settings.DOCUMENT_RENDER_SECONDS, settings.DOCUMENT_RENDER_MEMORY_MIB
    try:
        with render_limits(seconds=seconds, mib=mib):
            content = documents.render_word(
                document.kind,
                document.office,
                document.params,
                document.document_date,
                reference=document.reference,
            )
    except Exception as error:
        error_reference(logger, error, f"Word copy of document {document_id} failed")
        return None
    with transaction.atomic():
        current = Document.objects.select_for_update().get(pk=document_id)
        if current.generation != generation or current.status != DS.DONE:
            return None
        old = current.word_file.name if current.word_file else ""
        current.word_file.save("document.docx", ContentFile(content), save=False)
        current.save(update_fields=["word_file"])
        if old and old != current.word_file.name:
            storage = current.word_file.storage
            transaction.on_commit(lambda: storage.delete(old))
    return current


def _document_failed(document_id: int, generation: int, message: str) -> None:
    Document.objects.filter(pk=document_id, generation=generation).update(
        status=DS.FAILED, error=message, progress=0
    )


@transaction.atomic
def _document_store(document: Document, generation: int, rendered) -> Document | None:
    current = Document.objects.select_for_update().get(pk=document.pk)
    if current.generation != generation or current.status != DS.RENDERING:
        return None  # re-requested meanwhile: the newer task writes its own file
    old_file = current.file.name if current.file else ""
    old_word = current.word_file.name if current.word_file else ""
    current.file.save("document.pdf", ContentFile(rendered.content), save=False)
    current.word_file = ""  # the Word copy of this generation follows (document_word)
    current.status = DS.DONE
    current.progress = 100
    current.size = rendered.size
    current.page_count = rendered.pages
    current.checksum = rendered.checksum
    current.render_seconds = round(rendered.seconds, 2)
    current.finished_at = timezone.now()
    current.save()
    storage = current.file.storage
    for old, new in ((old_file, current.file.name), (old_word, current.word_file.name)):
        if old and old != new:
            transaction.on_commit(lambda old=old: storage.delete(old))
    _notify_issues(current)
    return current


def _refuse_unfinished(document: Document) -> None:
    reasons = documents.unfinished(
        document.kind, document.office, document.params, document.document_date
    )
    if reasons:
        raise WorkflowError(_("文件尚未定稿，不能印发：%(why)s。") % {"why": "；".join(reasons)})


def document_number(document: Document) -> Document:
    """Give a 公文 its 发文字号 (once): the next serial of its office, kind and year. The
    counter row is locked until the transaction ends, so two issues at once get
    consecutive numbers, and a rolled-back issue gives its number back (no gaps). The
    PDF carries the number, so a rendered document is rendered again."""
    if document.kind not in documents.OFFICIAL or document.is_numbered:
        return document
    year = document.document_date.year
    DocumentCounter.objects.get_or_create(office=document.office, kind=document.kind, year=year)
    counter = DocumentCounter.objects.select_for_update().get(
        office=document.office, kind=document.kind, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    document.number_year, document.number_serial = year, counter.last
    fields = ["number_year", "number_serial"]
    if document.status in (DS.DONE, DS.FAILED, DS.RENDERING):
        document.generation += 1
        document.status, document.progress = DS.PENDING, 0
        fields += ["generation", "status", "progress"]
        generation = document.generation
        transaction.on_commit(lambda: _enqueue(document.pk, generation))
    document.save(update_fields=fields)
    return document


@service
def document_issue(*, document: Document, recipients, actor) -> list[DocumentIssue]:
    """Issue (印发) a document to committee leaders. They are notified once it is
    rendered — now, if it already is. Issuing twice to the same leader is harmless.
    An unfinished document (placeholders, a plan not adopted …) cannot be issued; a 公文
    gets its 发文字号 on its first issue."""
    document = Document.objects.select_for_update().select_related("office").get(pk=document.pk)
    _refuse_unfinished(document)
    document = document_number(document)
    allowed = set(leaders_for(document.office).values_list("pk", flat=True))
    issued = []
    for recipient in recipients:
        if recipient.pk not in allowed:
            raise WorkflowError(
                _("%(name)s 不是本联络处的委员会领导，不能印发。")
                % {"name": recipient.get_full_name()}
            )
        issue, created = DocumentIssue.objects.get_or_create(
            document=document, recipient=recipient, defaults={"issued_by": actor}
        )
        if created:
            issued.append(issue)
    if document.status == DS.DONE:
        _notify_issues(document)
    return issued


def _notify_issues(document: Document) -> None:
    pending = list(document.issues.filter(notified_at__isnull=True).select_related("recipient"))
    for issue in pending:
        notifications.document_issued(issue, document)
    if pending:
        DocumentIssue.objects.filter(pk__in=[i.pk for i in pending]).update(
            notified_at=timezone.now()
        )


@service
def document_downloaded(*, issue: DocumentIssue) -> None:
    if issue.downloaded_at is None:
        DocumentIssue.objects.filter(pk=issue.pk, downloaded_at__isnull=True).update(
            downloaded_at=timezone.now()
        )


def documents_requeue() -> int:
    """The sweep: hand out documents whose task never reached a worker (Redis was down)
    or whose worker died mid-render. Returns how many were queued."""
    now = timezone.now()
    waiting = Document.objects.filter(
        Q(status=DS.PENDING, created_at__lt=now - datetime.timedelta(minutes=2))
        | Q(status=DS.RENDERING, started_at__lt=now - STALE_RENDER)
    ).values_list("pk", "generation")
    count = 0
    for pk, generation in waiting:
        _enqueue(pk, generation)
        count += 1
    return count


# --- Work reports ---------------------------------------------------------------------


def _report_params(year: int, half: int | None) -> dict:
    return {"year": year, **({"half": half} if half else {})}


@service
def work_report_issue(
    *, report: WorkReport, actor, issued_on: datetime.date | None = None, recipients=()
) -> WorkReport:
    """Freeze the figures, mark the report issued, have its PDF rendered and issue it to
    the chosen leaders (they are told once the PDF is ready)."""
    issued_on = issued_on or today()
    report = plans_services.work_report_issue(
        report=report,
        actor=actor,
        figures=report_figures(report.office, report.year, report.half, as_of=issued_on),
        issued_on=issued_on,
    )
    document = document_request(
        office=report.office,
        kind=Document.Kind.WORK_REPORT,
        params=_report_params(report.year, report.half),
        actor=actor,
        document_date=issued_on,
        refresh=True,
    )
    document.work_report = report
    document.save(update_fields=["work_report"])
    document_number(document)  # 发文字号: the report is issued now
    if recipients:
        document_issue(document=document, recipients=recipients, actor=actor)
    return report


# --- The assessment year ------------------------------------------------------------------


@service
def duty_year_open(*, office, year: int, actor=None) -> DutyYear:
    """The office's assessment year, created open if staff never opened it."""
    duty_year, created = DutyYear.objects.get_or_create(office=office, year=year)
    if created:
        record_creation(duty_year, actor=actor)
    return duty_year


@service
def duty_year_close(*, duty_year: DutyYear, actor, note: str = "") -> DutyYear:
    """Close the year: from now on the grades are final and shown in the portal, the
    duty records and the ranking."""
    duty_year = lock(duty_year)
    refuse(workflows.close_refusal(duty_year))
    duty_year.closed_at = timezone.now()
    duty_year.closed_by = actor
    return transition(
        duty_year,
        workflow=workflows.DUTY_YEAR_WORKFLOW,
        target=DutyYear.Status.CLOSED,
        actor=actor,
        note=note,
        update_fields=["closed_at", "closed_by"],
    )


@service
def duty_year_reopen(*, duty_year: DutyYear, actor, reason: str) -> DutyYear:
    """Reopen a closed year (a record came in late): grades are withdrawn until it is
    closed again. The reason stays on the year's timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写重新开放的原因。"))
    duty_year = lock(duty_year)
    refuse(workflows.reopen_refusal(duty_year))
    duty_year.closed_at = None
    duty_year.closed_by = None
    return transition(
        duty_year,
        workflow=workflows.DUTY_YEAR_WORKFLOW,
        target=DutyYear.Status.OPEN,
        actor=actor,
        note=reason,
        update_fields=["closed_at", "closed_by"],
    )


@service
def consultation_submit(
    *,
    consultation: Consultation,
    actor,
    submitted_on: datetime.date | None = None,
    recipients=(),
    note: str = "",
) -> Consultation:
    """Submit the compiled consultation to the committee: the consultation moves to
    已报送, its summary (征求意见情况汇总) is rendered as a PDF dated the day it was
    submitted, and issued to the chosen leaders (told once the PDF is ready)."""
    submitted_on = submitted_on or today()
    consultation = consultations_services.consultation_submit(
        consultation=consultation, actor=actor, submitted_on=submitted_on, note=note
    )
    document = document_request(
        office=consultation.office,
        kind=Document.Kind.CONSULTATION,
        params={"consultation": consultation.pk},
        actor=actor,
        document_date=submitted_on,
        refresh=True,
    )
    if recipients:
        document_issue(document=document, recipients=recipients, actor=actor)
    return consultation


# --- Replies to the committee ---------------------------------------------------------


@service
def committee_reply_create(*, office, actor, **fields) -> CommitteeReply:
    """A reply to the committee, written as a draft (the admin's add form does the same
    through the model admin)."""
    reply = CommitteeReply(office=office, created_by=actor, **fields)
    reply.full_clean()
    reply.save()
    record_creation(reply, actor=actor)
    return reply


@service
def committee_reply_issue(
    *,
    reply: CommitteeReply,
    actor,
    issued_on: datetime.date | None = None,
    recipients=(),
    note: str = "",
) -> CommitteeReply:
    """Send (发出) a reply to the committee: it is marked sent on ``issued_on``, gets
    its 发文字号 (…政联函〔2026〕N号, its own yearly counter), is rendered as a 公文
    dated that day (PDF, then the Word copy) and issued to the chosen leaders, who are
    told once the PDF is ready. A reply without a body is refused and nothing changes."""
    issued_on = issued_on or today()
    reply = lock(reply)
    refuse(workflows.reply_issue_refusal(reply))
    reply.issued_on = issued_on
    reply.issued_by = actor
    transition(
        reply,
        workflow=workflows.REPLY_WORKFLOW,
        target=CommitteeReply.Status.ISSUED,
        actor=actor,
        note=note,
        update_fields=["issued_on", "issued_by"],
    )
    document = document_request(
        office=reply.office,
        kind=Document.Kind.REPLY,
        params={"reply": reply.pk},
        actor=actor,
        document_date=issued_on,
        refresh=True,
    )
    document_number(document)
    if recipients:
        document_issue(document=document, recipients=recipients, actor=actor)
    return reply
