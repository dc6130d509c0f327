"""Fault drill: the worker importing a large roster is killed mid-way. Nothing of the
import stays (it writes all or nothing), the job is not left "running": the sweep hands
it to another worker, which imports every row once."""

import datetime
import signal
import time

import pytest

from liaison import jobs
from liaison.models import Job
from members.formats import XLSX
from members.jobs import roster_import_start
from members.models import Member
from tests.members.test_import_export import roster_row, xlsx_bytes
from tests.proof.test_faults import mail_dir, redis_server, wait_until, workers  # noqa: F401

pytestmark = [
    pytest.mark.fault,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROWS = 3_000


def test_a_roster_import_whose_worker_dies_is_run_again_and_imports_every_row_once(
    workers,  # noqa: F811
    staff,
    settings,
    monkeypatch,
):
    monkeypatch.setattr(jobs, "JOB_STALE_AFTER", datetime.timedelta(seconds=2))
    workers.env["TEST_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)  # where the upload is stored
    data = xlsx_bytes([roster_row(i) for i in range(ROWS)])
    first = workers.start()
    job = roster_import_start(
        data=data,
        file_name="名册.xlsx",
        fmt=XLSX,
        office=staff.office,
        actor=staff,
        show_office=False,
    )
    running = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, total=ROWS)
    wait_until(running.exists, 60, "the worker reading the roster")
    time.sleep(1)  # checking rows, inside the import's transaction
    first.send_signal(signal.SIGKILL)
    first.wait()

    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    assert Member.objects.count() == 0  # the dead worker's transaction left nothing

    time.sleep(2.5)  # the job's heartbeat is now stale
    workers.start()
    assert jobs.jobs_sweep()["requeued"] == 1  # what beat does every minute
    done = Job.objects.filter(pk=job.pk, status=Job.Status.DONE)
    wait_until(done.exists, 120, "the import by the second worker")

    job.refresh_from_db()
    assert job.attempts == 2
    assert Member.objects.filter(office=staff.office).count() == ROWS
