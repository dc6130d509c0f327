"""Jobs: work too long for a page request, done by the worker with a progress bar.

A large roster import is the first user; opening portal accounts for a whole roster is
the next. The mechanism is small:

1. A kind says what a job does. Register it where the app is ready (its ``jobs.py``,
   imported from ``AppConfig.ready()``)::

       @job_kind("members.roster_import", label=_("导入委员名册"))
       def roster_import(job):  # job: liaison.models.Job
           for row in rows:
               ...
               job.advance(1)  # progress: done / job.total
           return {"summary": "导入完成……", "counts": [["新增", 3]], "errors": []}

   The function reads ``job.office``, ``job.actor``, ``job.params`` (JSON) and
   ``job.upload`` (a stored file, deleted when the job ends); it calls its own services
   (a transaction of its own is fine: progress is also kept in the "jobs" cache, so the
   bar moves while the transaction is open). ``job.set_total(n)`` when the count is only
   known once the job has started. It returns the result shown to staff: ``summary``
   (a sentence), ``counts`` ([label, number] pairs), ``errors`` (sentences), and
   optionally ``link`` ([label, url]: where to go next) and a table: ``columns``
   (headers) and ``rows`` (lists of cells).
   Raising ``JobRefused("…", result=…)`` fails the job with that sentence (and shows the
   result's errors); any other exception
   fails it with a reference number (liaison.errors), the traceback goes to the log.
   A kind must be harmless to run again: a job whose worker died is run once more.

2. A view starts it::

       job = job_start(kind="members.roster_import", office=office, actor=request.user,
                       params={...}, total=len(rows), upload=ContentFile(data, "x.xlsx"),
                       key=hashlib.sha256(data).hexdigest())
       return redirect(job)

   ``job_start`` writes the row and queues the task when the transaction commits.
   The same ``key`` (same office and kind) while a job is queued or running, or within
   ``JOB_REPEAT_WINDOW`` after it finished, returns that job instead of a second one:
   a double-clicked upload imports once.

3. ``redirect(job)`` opens the job's page in the admin (``JobAdmin``): a progress bar
   that refreshes itself while the job works, then its result. Staff see their office's
   jobs only (another office's job is a 404).

Worker death: a running job reports a heartbeat as it advances. The sweep (beat, every
minute) puts a job whose heartbeat stopped for ``JOB_STALE_AFTER`` back in the queue,
once; after that it is marked failed with a sentence saying so, never left "running".
A job queued while Redis was down is queued again by the same sweep.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import error_reference
from .models import DataStamp, Job
from .transactions import service

logger = logging.getLogger(__name__)

JS = Job.Status
RUN_TASK = "liaison.tasks.run_job"
# Progress is written at most this often (seconds): the bar needs no more.
PROGRESS_INTERVAL = 1.0
# A running job whose heartbeat stopped this long ago lost its worker.
JOB_STALE_AFTER = datetime.timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
# A job queued this long ago and still pending lost its task (Redis was down).
JOB_LOST_AFTER = datetime.timedelta(minutes=2)
# How many times a job is run before a worker death fails it.
JOB_MAX_ATTEMPTS = 2
# The same work asked for again this soon after it finished is shown, not redone.
JOB_REPEAT_WINDOW = datetime.timedelta(minutes=10)


class JobRefused(Exception):
    """The job cannot be done; the message tells staff why (in Chinese). ``result``
    (same shape as a kind's return value) lists the details, e.g. each bad row."""

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.result = result or {}


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Callable[[Job], dict | None]


_kinds: dict[str, JobKind] = {}


def job_kind(name: str, *, label) -> Callable:
    """Register the decorated function as what jobs of kind ``name`` do."""

    def register(function):
        _kinds[name] = JobKind(name, label, function)
        return function

    return register


def kind_label(name: str) -> str:
    kind = _kinds.get(name)
    return str(kind.label) if kind else name


# --- Starting -------------------------------------------------------------------------


def _enqueue(job_id: int) -> None:
    """Hand the job to the worker. Redis being down must not break the page: the row
    stays pending and the sweep queues it later."""
    try:
        current_app.send_task(RUN_TASK, args=(job_id,))
    except Exception:
        logger.warning("Could not queue job %s; the sweep will retry", job_id)


def _same_work(office, kind: str, key: str) -> Job | None:
    recent = timezone.now() - JOB_REPEAT_WINDOW
    return (
        Job.objects.filter(office=office, kind=kind, key=key)
        .filter(Q(status__in=Job.ACTIVE) | Q(status=JS.DONE, finished_at__gte=recent))
        .defer("result")
        .order_by("-created_at")
        .first()
    )


@service
def job_start(
    *,
    kind: str,
    office,
    actor,
    params=None,
    total: int = 0,
    upload=None,
    key: str = "",
    title: str = "",
) -> Job:
    """Queue a job of ``kind`` (see the module's docstring); returns the job to show."""
    if kind not in _kinds:
        raise LookupError(f"No job kind {kind!r} is registered")
    if key and (existing := _same_work(office, kind, key)):
        return existing
    job = Job(
        office=office,
        actor=actor,
        kind=kind,
        title=title or kind_label(kind),
        params=params or {},
        total=total,
        key=key,
    )
    try:
        with transaction.atomic():
            if upload is not None:
                job.upload.save(upload.name, upload, save=False)
            job.save()
    except IntegrityError:  # the same work started at the same moment: that one
        return _same_work(office, kind, key)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


# --- Running (the worker) -------------------------------------------------------------


def _cache():
    return caches[settings.JOBS_CACHE]


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def report_progress(job: Job, *, force: bool = False) -> None:
    """Write ``job.done`` and a heartbeat, at most once per PROGRESS_INTERVAL. Inside a
    transaction (a kind that writes all-or-nothing) the row's update would not be seen
    until the end, so progress also goes to the shared cache."""
    now = time.monotonic()
    if not force and now - getattr(job, "_reported", 0.0) < PROGRESS_INTERVAL:
        return
    job._reported = now
    stamp = timezone.now()
    try:
        _cache().set(_progress_key(job.pk), (job.done, stamp), timeout=24 * 60 * 60)
    except Exception:  # a cache that does not answer costs the live bar, not the job
        logger.warning("Could not write progress of job %s", job.pk)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job.pk, status=JS.RUNNING).update(done=job.done, heartbeat_at=stamp)


def live_progress(job: Job) -> tuple[int, datetime.datetime | None]:
    """(items done, last heartbeat) of a job, the freshest of the row and the cache."""
    done, beat = job.done, job.heartbeat_at
    if job.status == JS.RUNNING:
        try:
            cached = _cache().get(_progress_key(job.pk))
        except Exception:
            cached = None
        if cached and (beat is None or cached[1] > beat):
            done, beat = max(done, cached[0]), cached[1]
    return done, beat


def _claim(job_id: int) -> bool:
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=JS.PENDING).update(
            status=JS.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            done=0,
        )
    )


def _finish(job: Job, status: str, *, result=None, error: str = "") -> None:
    if job.upload:
        job.upload.delete(save=False)  # a roster holds phone numbers: not kept
    Job.objects.filter(pk=job.pk).update(
        status=status,
        result=result or {},
        error=error,
        done=job.done,
        upload="",
        finished_at=timezone.now(),
    )
    # A job writes in the worker, outside any use case (a roster import updates members):
    # what pages keep under the stamp is recomputed, as after a service.
    DataStamp.bump()
    _cache().delete(_progress_key(job.pk))


def job_run(*, job_id: int) -> Job | None:
    """Do a queued job (the worker's task). Harmless to run twice: only the run that
    claims the pending row works. Returns the finished job, or None."""
    if not _claim(job_id):
        return None
    job = Job.objects.select_related("office", "actor").get(pk=job_id)
    try:
        kind = _kinds[job.kind]
        result = kind.run(job)
    except JobRefused as refused:
        _finish(job, JS.FAILED, error=str(refused), result=refused.result)
    except Exception as e:
        reference = error_reference(logger, e, f"Job {job.pk} ({job.kind}) failed")
        _finish(
            job,
            JS.FAILED,
            error=_("处理时发生系统错误，未能完成。请把参考编号 %(reference)s 告诉系统管理员。")
            % {"reference": reference},
        )
    else:
        job.done = max(job.done, job.total) if job.total else job.done
        _finish(job, JS.DONE, result=result)
    job.refresh_from_db()
    return job


def jobs_sweep() -> dict:
    """Queue again the jobs whose task was lost (Redis down) and run once more those
    whose worker died; fail those whose worker died on their last attempt."""
    now = timezone.now()
    requeued = failed = 0
    lost = Job.objects.filter(status=JS.PENDING, created_at__lt=now - JOB_LOST_AFTER)
    for job_id in list(lost.values_list("pk", flat=True)):
        _enqueue(job_id)
        requeued += 1
    for job in Job.objects.filter(status=JS.RUNNING):
        done, beat = live_progress(job)
        if beat is not None and beat > now - JOB_STALE_AFTER:
            continue
        if job.attempts < JOB_MAX_ATTEMPTS:
            if Job.objects.filter(pk=job.pk, status=JS.RUNNING, attempts=job.attempts).update(
                status=JS.PENDING, done=0
            ):
                _enqueue(job.pk)
                requeued += 1
        elif Job.objects.filter(pk=job.pk, status=JS.RUNNING, attempts=job.attempts).exists():
            job.done = done
            _finish(
                job,
                JS.FAILED,
                error=_("后台处理在进行中中断（处理进程意外退出），未能完成。请重新开始。"),
            )
            failed += 1
    return {"requeued": requeued, "failed": failed}
