"""A large roster imported by a real Celery worker through a real Redis broker: the file
is read in a child forked from the worker (liaison.imports), as in production."""

import pytest

from liaison import jobs
from liaison.models import Job
from liaison.tasks import run_job
from members.formats import XLSX
from members.jobs import roster_import_start
from members.models import Member
from tests.liaison.test_broker import broker, running_worker  # noqa: F401  (fixture)
from tests.members.test_import_export import roster_row, xlsx_bytes

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("broker"),
]


def test_a_large_roster_is_imported_by_the_worker(settings, staff, monkeypatch):
    with running_worker(settings) as (queue, finished):
        monkeypatch.setattr(
            jobs, "_enqueue", lambda job_id: run_job.apply_async((job_id,), queue=queue)
        )
        job = roster_import_start(
            data=xlsx_bytes([roster_row(i) for i in range(3)]),
            file_name="名册.xlsx",
            fmt=XLSX,
            office=staff.office,
            actor=staff,
            show_office=False,
        )
        finished.wait_for(1, timeout=60)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert Member.objects.filter(office=staff.office).count() == 3
