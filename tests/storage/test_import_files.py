"""A roster imported by the worker waits in the bucket, not on the web host's disk
(the worker may run on another machine), and is deleted once the import ends."""

import pytest

from liaison import jobs, tasks
from liaison.models import Job
from members.models import Member
from tests.members.test_import_export import HEADERS, admin_preview, roster_row, xlsx_bytes

from .test_object_storage import files_on_disk

pytestmark = [pytest.mark.django_db, pytest.mark.s3]


def test_a_roster_for_the_worker_waits_in_the_bucket_and_is_deleted_after(
    staff_client, staff, bucket, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ROSTER_IMPORT_WORKER_ROWS = 3
    queued = []
    monkeypatch.setattr(jobs, "_enqueue", queued.append)
    data = xlsx_bytes(
        [roster_row(i) for i in range(4)], headers=[h for h in HEADERS if h != "届次"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_preview(staff_client, data)
    job = Job.objects.get()
    assert bucket.stored() == [f"media/{job.upload.name}"]
    assert files_on_disk(settings) == []

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert Member.objects.filter(office=staff.office).count() == 4
    assert bucket.stored() == []  # a roster holds phone numbers: not kept
