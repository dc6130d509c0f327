"""Rosters above ROSTER_IMPORT_WORKER_ROWS rows are imported by the worker with a progress
bar and a result page (issue 12, item 4); smaller ones stay on the page."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison import jobs, tasks
from liaison.models import Job
from members.models import AccountInvitation, Member
from tests.factories import member_with_account
from tests.members.test_import_export import (
    HEADERS,
    admin_preview,
    roster_row,
    xlsx_bytes,
)

NO_TERM = [h for h in HEADERS if h != "届次"]


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "_enqueue", sent.append)
    return sent


def upload(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return admin_preview(client, data)


def test_a_roster_one_row_over_the_threshold_is_imported_by_the_worker_with_a_result_page(
    staff_client, staff, queued, django_capture_on_commit_callbacks
):
    """1,001 rows, and no 届次 column (optional: the current term)."""
    rows = settings.ROSTER_IMPORT_WORKER_ROWS + 1
    data = xlsx_bytes([roster_row(i) for i in range(rows)], headers=NO_TERM)

    response = upload(staff_client, data, django_capture_on_commit_callbacks)

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert queued == [job.pk] and Member.objects.count() == 0
    assert "<progress" in staff_client.get(job.get_absolute_url()).content.decode()

    tasks.run_job(job.pk)

    assert Member.objects.filter(office=staff.office, term__is_current=True).count() == rows
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert f"导入完成：新增 {rows} 名委员，更新 0 名，0 行无变化。" in page
    assert f"<td>{rows + 1}</td><td>新增</td><td>FR{rows - 1:05d}</td>" in page
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (Job.Status.DONE, rows, rows)


def test_the_same_large_roster_uploaded_twice_is_imported_once(
    staff_client, staff, queued, django_capture_on_commit_callbacks, settings
):
    settings.ROSTER_IMPORT_WORKER_ROWS = 2
    data = xlsx_bytes([roster_row(i) for i in range(3)])

    first = upload(staff_client, data, django_capture_on_commit_callbacks)
    again = upload(staff_client, data, django_capture_on_commit_callbacks)
    for job_id in queued:
        tasks.run_job(job_id)

    assert again["Location"] == first["Location"]
    assert Job.objects.count() == 1 and Member.objects.count() == 3


def test_bad_rows_in_a_large_roster_write_nothing_and_are_listed_by_row(
    staff_client, staff, queued, django_capture_on_commit_callbacks, settings
):
    settings.ROSTER_IMPORT_WORKER_ROWS = 2
    rows = [roster_row(1), roster_row(2, 性别="未知"), roster_row(3, 界别="")]

    upload(staff_client, xlsx_bytes(rows), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    tasks.run_job(job.pk)

    assert Member.objects.count() == 0
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert "文件中有 2 处问题，没有导入任何委员" in page
    assert "第 3 行「性别」" in page and "第 4 行「界别」：不能为空" in page


def test_an_unreadable_large_upload_fails_its_job_with_the_reason(
    staff_client, staff, queued, django_capture_on_commit_callbacks, settings, monkeypatch
):
    settings.ROSTER_IMPORT_WORKER_ROWS = 2
    upload(
        staff_client,
        xlsx_bytes([roster_row(i) for i in range(3)]),
        django_capture_on_commit_callbacks,
    )
    job = Job.objects.get()
    monkeypatch.setattr("liaison.imports.MAX_ROWS", 2)  # e.g. a limit lowered meanwhile

    tasks.run_job(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "文件超过 2 行数据。请分成几个文件分别导入。"


def test_a_roster_at_the_threshold_is_still_previewed_on_the_page(
    staff_client, staff, queued, settings
):
    settings.ROSTER_IMPORT_WORKER_ROWS = 3
    response = admin_preview(staff_client, xlsx_bytes([roster_row(i) for i in range(3)]))

    assert response.status_code == 200 and response.context.get("confirm_form") is not None
    assert not Job.objects.exists() and queued == []


def test_the_import_page_says_when_a_roster_goes_to_the_worker(staff_client, settings):
    settings.ROSTER_IMPORT_WORKER_ROWS = 1500

    page = staff_client.get(reverse("admin:members_member_import")).content.decode()

    assert "超过 1500 行的名册在后台导入" in page


def test_a_large_roster_with_open_accounts_ticked_opens_them_and_disables_leavers(
    staff_client, staff, queued, django_capture_on_commit_callbacks, settings
):
    """As on the import page: 开通账号 invites the members in the file, and one the file
    marks 届满 loses the account they had."""
    settings.ROSTER_IMPORT_WORKER_ROWS = 2
    leaving = member_with_account(office=staff.office, member_no="FR00001", name="王芳")
    rows = [roster_row(0), roster_row(1, 状态="届满"), roster_row(2)]
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("admin:members_member_import"),
            {
                "format": "0",
                "resource": "0",
                "import_file": SimpleUploadedFile("名册.xlsx", xlsx_bytes(rows)),
                "open_accounts": "on",
            },
        )

    tasks.run_job(Job.objects.get().pk)

    leaving.user.refresh_from_db()
    assert not leaving.user.is_active
    invited = AccountInvitation.objects.values_list("member__member_no", flat=True)
    assert sorted(invited) == ["FR00000", "FR00002"]
    page = staff_client.get(Job.objects.get().get_absolute_url()).content.decode()
    assert "已发送激活邀请" in page
