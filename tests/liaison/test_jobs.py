"""Jobs done by the worker with a progress bar (liaison.jobs): started once per piece of
work, run once, scoped to the office, and never left "running" after a worker died."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liaison import jobs, tasks
from liaison.jobs import JobRefused, job_kind, job_start
from liaison.models import DataStamp, Job

seen = {}


@job_kind("tests.count", label="计数")
def count_items(job):
    seen["upload"] = job.upload.read() if job.upload else b""
    with transaction.atomic():  # an all-or-nothing kind: progress still shows
        for _ in range(job.total):
            job.advance(1)
            seen["live"] = jobs.live_progress(Job.objects.get(pk=job.pk))[0]
    if job.params.get("refuse"):
        raise JobRefused("文件中没有委员数据。")
    if job.params.get("crash"):
        raise RuntimeError("boom")
    return {"summary": "计数完成", "counts": [["已数", job.total]], "errors": ["第 3 行：重复"]}


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "_enqueue", sent.append)
    monkeypatch.setattr(jobs, "PROGRESS_INTERVAL", 0)
    return sent


def start(staff, **kwargs):
    kwargs.setdefault("total", 3)
    return job_start(kind="tests.count", office=staff.office, actor=staff, **kwargs)


def test_a_job_is_queued_once_committed_and_the_worker_records_its_result(
    django_capture_on_commit_callbacks, staff, queued
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(staff, upload=ContentFile(b"rows", name="roster.xlsx"))
    assert queued == [job.pk]
    assert job.status == Job.Status.PENDING

    stamp = DataStamp.current()
    tasks.run_job(job.pk)
    job.refresh_from_db()

    assert job.status == Job.Status.DONE
    assert DataStamp.current() > stamp  # what it wrote shows on kept pages
    assert seen["upload"] == b"rows"
    assert seen["live"] == 3  # seen from outside the kind's open transaction
    assert (job.done, job.total) == (3, 3)
    assert job.result["counts"] == [["已数", 3]]
    assert not job.upload  # the roster's phone numbers are not kept


def test_the_same_work_started_twice_is_one_job_and_runs_once(staff, queued):
    first = start(staff, key="sha-1")
    again = start(staff, key="sha-1")
    assert again.pk == first.pk

    tasks.run_job(first.pk)
    tasks.run_job(first.pk)  # the broker hands the same message out again
    assert Job.objects.get(pk=first.pk).attempts == 1
    assert start(staff, key="sha-1").pk == first.pk  # just finished: shown, not redone
    assert start(staff, key="sha-2").pk != first.pk


def test_the_job_page_shows_progress_then_the_result_in_chinese(staff_client, staff, queued):
    job = start(staff)
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page and "排队中" in page

    tasks.run_job(job.pk)
    page = staff_client.get(job.get_absolute_url()).content.decode()

    assert "<progress" not in page and 'http-equiv="refresh"' not in page
    assert "计数完成" in page and "已数" in page and "第 3 行：重复" in page


def test_another_offices_job_is_a_404(client, staff, other_staff, queued):
    job = start(staff)
    client.force_login(other_staff)

    assert client.get(job.get_absolute_url()).status_code == 404
    listed = client.get(reverse("admin:liaison_job_changelist")).content.decode()
    assert job.get_absolute_url() not in listed


def test_a_refused_job_says_why_and_a_crash_gives_a_reference(staff, queued):
    refused, crashed = start(staff, params={"refuse": True}), start(staff, params={"crash": True})

    tasks.run_job(refused.pk)
    tasks.run_job(crashed.pk)

    assert Job.objects.get(pk=refused.pk).error == "文件中没有委员数据。"
    crashed.refresh_from_db()
    assert crashed.status == Job.Status.FAILED
    assert "参考编号" in crashed.error and "boom" not in crashed.error


def test_a_job_whose_worker_died_runs_once_more_then_fails(staff, queued, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    job = start(staff)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    assert jobs.jobs_sweep() == {"requeued": 0, "failed": 0}  # still beating

    time_machine.shift(jobs.JOB_STALE_AFTER + datetime.timedelta(seconds=1))
    queued.clear()
    assert jobs.jobs_sweep()["requeued"] == 1
    assert queued == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING

    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=2)  # died again
    time_machine.shift(jobs.JOB_STALE_AFTER + datetime.timedelta(seconds=1))
    assert jobs.jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "中断" in job.error


def test_the_job_list_costs_the_same_queries_for_2_jobs_as_for_20(staff_client, staff, queued):
    url = reverse("admin:liaison_job_changelist")
    queries = []
    for count in (2, 20):
        while Job.objects.count() < count:
            tasks.run_job(start(staff).pk)
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(url)
        assert response.content.decode().count("3 / 3") == count
        queries.append(len(captured))

    assert queries[0] == queries[1] <= 12
