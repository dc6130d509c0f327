"""Writes for plans, work reports and documents.

Plan moves go through ``liaison.workflow.transition`` on a locked row. Documents are
rendered by a Celery worker: ``document_request`` only writes a row and queues a task
after the transaction commits; the task calls ``document_render``, which claims the row
with a conditional update so that two deliveries of the same task render once.
"""

import datetime
import logging
import time

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import roles
from liaison.models import today
from liaison.workflow import (
    WorkflowError,
    lock,
    record_creation,
    record_note,
    refuse,
    transition,
)

from . import documents, notifications, workflows
from .models import (
    Document,
    DocumentIssue,
    PlanComment,
    PlanItem,
    WorkPlan,
    WorkReport,
)
from .workflows import PLAN_WORKFLOW, REPORT_WORKFLOW

logger = logging.getLogger(__name__)

S = WorkPlan.Status
DS = Document.Status

# A render still "in progress" after this long died with its worker (the task time
# limit is 25 minutes): the sweep hands it out again.
STALE_RENDER = datetime.timedelta(minutes=30)
# How often a running render writes its progress to the database.
PROGRESS_INTERVAL = 1.0


# --- Annual work plan -----------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, office, year: int, title: str = "", preamble: str = "") -> WorkPlan:
    """Start the year's plan (version 1, a draft)."""
    existing = WorkPlan.objects.filter(office=office, year=year).order_by("-version").first()
    if existing is not None:
        raise WorkflowError(
            _("%(year)s年度工作计划已存在（%(plan)s），请在原计划上修改。")
            % {"year": year, "plan": existing}
        )
    try:
        with transaction.atomic():
            plan = WorkPlan.objects.create(
                office=office,
                year=year,
                version=1,
                title=title or _("%(year)s年度工作计划") % {"year": year},
                preamble=preamble,
                created_by=actor,
            )
    except IntegrityError:
        raise WorkflowError(_("%(year)s年度工作计划已存在。") % {"year": year}) from None
    record_creation(plan, actor=actor)
    return plan


@transaction.atomic
def plan_item_add(
    *,
    plan: WorkPlan,
    actor,
    category,
    description: str,
    owner: str = "",
    months: str = "",
    metric: str = "",
    target: int | None = None,
) -> PlanItem:
    plan = lock(plan)
    if not plan.is_editable:
        raise WorkflowError(
            _("“%(status)s”的计划不能修改；请先生成修改稿。")
            % {"status": plan.get_status_display()}
        )
    position = (plan.items.aggregate(top=Max("position"))["top"] or 0) + 1
    item = PlanItem(
        plan=plan,
        position=position,
        category=category,
        description=description,
        owner=owner,
        months=months,
        metric=metric or "",
        target=target,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def plan_submit(
    *, plan: WorkPlan, actor, submitted_on: datetime.date, submitted_to: str = "", note: str = ""
) -> WorkPlan:
    """Send the plan to the street party working committee for study and comments."""
    plan = lock(plan)
    refuse(workflows.submit_refusal(plan))
    plan.submitted_on = submitted_on
    plan.submitted_to = submitted_to or _("街道党工委")
    transition(
        plan,
        workflow=PLAN_WORKFLOW,
        target=S.SUBMITTED,
        actor=actor,
        note=note or _("报送%(to)s征求意见") % {"to": plan.submitted_to},
        update_fields=["submitted_on", "submitted_to"],
    )
    return plan


@transaction.atomic
def plan_comment_record(
    *, plan: WorkPlan, actor, received_on: datetime.date, commenter: str, content: str
) -> PlanComment:
    """One comment from the committee on the submitted version."""
    plan = lock(plan)
    refuse(workflows.comment_refusal(plan))
    if plan.submitted_on and received_on < plan.submitted_on:
        raise WorkflowError(_("收到意见的日期不能早于报送日期。"))
    comment = PlanComment.objects.create(
        plan=plan,
        received_on=received_on,
        commenter=commenter,
        content=content,
        recorded_by=actor,
    )
    record_note(plan, actor=actor, note=_("登记%(who)s的意见") % {"who": commenter})
    return comment


@transaction.atomic
def plan_revise(*, plan: WorkPlan, actor, note: str = "") -> WorkPlan:
    """Write the next version (修改稿) from this one, items copied, to be edited.

    A submitted version is retired at once; an adopted one stays in force until the
    new version is adopted.
    """
    plan = lock(plan)
    refuse(workflows.revise_refusal(plan))
    if plan.status == S.SUBMITTED:
        transition(
            plan,
            workflow=PLAN_WORKFLOW,
            target=S.SUPERSEDED,
            actor=actor,
            note=note or _("根据意见修改，生成新版本"),
        )
    top = WorkPlan.objects.filter(office=plan.office, year=plan.year).aggregate(v=Max("version"))
    revised = WorkPlan.objects.create(
        office=plan.office,
        year=plan.year,
        version=top["v"] + 1,
        title=plan.title,
        preamble=plan.preamble,
        status=S.REVISED,
        previous=plan,
        created_by=actor,
    )
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=revised,
                position=item.position,
                category_id=item.category_id,
                description=item.description,
                owner=item.owner,
                months=item.months,
                metric=item.metric,
                target=item.target,
            )
            for item in plan.items.all()
        ]
    )
    record_creation(revised, actor=actor, note=_("由第%(v)s稿修改") % {"v": plan.version})
    return revised


@transaction.atomic
def plan_adopt(*, plan: WorkPlan, actor, adopted_on: datetime.date, note: str = "") -> WorkPlan:
    """The committee adopted this version. An earlier adopted version is retired first
    (in the same transaction: the database allows one adopted plan per year)."""
    plan = lock(plan)
    refuse(workflows.adopt_refusal(plan))
    for earlier in WorkPlan.objects.select_for_update().filter(
        office=plan.office, year=plan.year, status=S.ADOPTED
    ):
        transition(
            earlier,
            workflow=PLAN_WORKFLOW,
            target=S.SUPERSEDED,
            actor=actor,
            note=_("第%(v)s稿通过后不再执行") % {"v": plan.version},
        )
    plan.adopted_on = adopted_on
    transition(
        plan,
        workflow=PLAN_WORKFLOW,
        target=S.ADOPTED,
        actor=actor,
        note=note,
        update_fields=["adopted_on"],
    )
    return plan


def current_plan(office, year: int) -> WorkPlan | None:
    """The plan in force: the adopted version, else the newest one."""
    plans = WorkPlan.objects.filter(office=office, year=year)
    return plans.filter(status=S.ADOPTED).first() or plans.order_by("-version").first()


# --- Work reports ---------------------------------------------------------------------


@transaction.atomic
def work_report_create(
    *, actor, office, year: int, half: int | None = None, title: str = "", **sections
) -> WorkReport:
    period = WorkReport.period_for(half)
    if WorkReport.objects.filter(office=office, year=year, period=period).exists():
        raise WorkflowError(_("该报告期的工作报告已存在。"))
    report = WorkReport.objects.create(
        office=office,
        year=year,
        period=period,
        title=title
        or documents.title_for(Document.Kind.WORK_REPORT, office, _report_params(year, half)),
        created_by=actor,
        **sections,
    )
    record_creation(report, actor=actor)
    return report


def _report_params(year, half) -> dict:
    return {"year": year, **({"half": half} if half else {})}


SECTIONS = ("summary", "highlights", "problems", "next_steps")


@transaction.atomic
def work_report_update(*, report: WorkReport, actor, **sections) -> WorkReport:
    report = lock(report)
    if report.is_issued:
        raise WorkflowError(_("工作报告已报送，不能再修改。"))
    unknown = set(sections) - {*SECTIONS, "title"}
    if unknown:
        raise ValueError(f"not editable: {unknown}")
    for name, value in sections.items():
        setattr(report, name, value)
    report.save()
    return report


@transaction.atomic
def work_report_issue(
    *, report: WorkReport, actor, issued_on: datetime.date | None = None, recipients=()
) -> WorkReport:
    """Freeze the figures, mark the report issued, have its PDF rendered and issue it to
    the chosen leaders (they are told once the PDF is ready)."""
    from .figures import report_figures

    report = lock(report)
    issued_on = issued_on or today()
    report.figures = report_figures(report.office, report.year, report.half, as_of=issued_on)
    report.issued_on = issued_on
    report.issued_by = actor
    transition(
        report,
        workflow=REPORT_WORKFLOW,
        target=WorkReport.Status.ISSUED,
        actor=actor,
        update_fields=["figures", "issued_on", "issued_by"],
    )
    document = document_request(
        office=report.office,
        kind=Document.Kind.WORK_REPORT,
        params=_report_params(report.year, report.half),
        actor=actor,
        document_date=issued_on,
        refresh=True,
    )
    report.document = document
    report.save(update_fields=["document"])
    if recipients:
        document_issue(document=document, recipients=recipients, actor=actor)
    return report


# --- Documents ------------------------------------------------------------------------


def _enqueue(document_id: int, generation: int) -> None:
    """Hand the render to the worker. Redis being down must not break the page: the row
    stays pending and the documents sweep hands it out later."""
    from .tasks import render_document

    try:
        render_document.delay(document_id, generation)
    except Exception:
        logger.warning("Could not queue document %s; the sweep will retry", document_id)


@transaction.atomic
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
    try:
        rendered = documents.render(
            document.kind,
            document.office,
            document.params,
            document.document_date,
            progress=_Progress(document_id, generation),
        )
    except Exception as error:
        logger.exception("Document %s failed to render", document_id)
        Document.objects.filter(pk=document_id, generation=generation).update(
            status=DS.FAILED, error=f"{type(error).__name__}: {error}"[:2000], progress=0
        )
        return None
    return _document_store(document, generation, rendered)


@transaction.atomic
def _document_store(document: Document, generation: int, rendered) -> Document | None:
    current = Document.objects.select_for_update().get(pk=document.pk)
    if current.generation != generation or current.status != DS.RENDERING:
        return None  # re-requested meanwhile: the newer task writes its own file
    old_file = current.file.name if current.file else ""
    current.file.save("document.pdf", ContentFile(rendered.content), save=False)
    current.status = DS.DONE
    current.progress = 100
    current.size = rendered.size
    current.page_count = rendered.pages
    current.checksum = rendered.checksum
    current.render_seconds = round(rendered.seconds, 2)
    current.finished_at = timezone.now()
    current.save()
    if old_file and old_file != current.file.name:
        storage = current.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    _notify_issues(current)
    return current


def leaders_for(office):
    """Committee leaders who may receive the office's documents: the office's own and
    the district's (leaders with no office)."""
    return (
        get_user_model()
        .objects.filter(groups__name=roles.COMMITTEE_LEADER, is_active=True)
        .filter(Q(office=office) | Q(office__isnull=True))
        .distinct()
        .order_by("full_name", "username")
    )


@transaction.atomic
def document_issue(*, document: Document, recipients, actor) -> list[DocumentIssue]:
    """Issue (印发) a document to committee leaders. They are notified once it is
    rendered — now, if it already is. Issuing twice to the same leader is harmless."""
    document = Document.objects.select_for_update().get(pk=document.pk)
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


@transaction.atomic
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
