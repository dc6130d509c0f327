"""Documents are rendered in the worker, once per request however often it is asked
for or delivered; staff follow the progress and download the file."""

import hashlib
import re

import pytest
from django.urls import reverse

from reports import services, tasks
from reports.models import Document
from tests.factories import HandlingUnitFactory, activity_held, proposal_replied

from .helpers import pdf_text, squash

pytestmark = pytest.mark.django_db

DS = Document.Status


@pytest.fixture
def queued(monkeypatch):
    """Tasks handed to the broker, recorded instead of sent."""
    sent = []
    monkeypatch.setattr(services, "_enqueue", lambda pk, generation: sent.append((pk, generation)))
    return sent


def _run(sent):
    for pk, generation in list(sent):
        tasks.render_document(pk, generation)
    sent.clear()


def test_staff_request_a_compendium_and_the_worker_renders_it(
    staff_client, staff, office, member, queued, django_capture_on_commit_callbacks
):
    unit = HandlingUnitFactory(office=office)
    proposal_replied(member=member, staff=staff, unit=unit)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:reports_document_add"),
            {"kind": "compendium", "office": office.pk, "year": 2026},
        )
    document = Document.objects.get()
    assert response.status_code == 302
    assert document.status == DS.PENDING  # the web request rendered nothing
    assert queued == [(document.pk, 1)]

    page = staff_client.get(reverse("admin:reports_document_change", args=[document.pk]))
    assert 'http-equiv="refresh"' in page.content.decode()  # progress page follows the worker

    _run(queued)
    document.refresh_from_db()
    assert document.status == DS.DONE and document.progress == 100
    content = document.file.read()
    assert document.size == len(content)
    assert document.checksum == hashlib.sha256(content).hexdigest()
    assert document.page_count >= 2
    assert f"第 1 页 共 {document.page_count} 页" in pdf_text(content)

    download = staff_client.get(reverse("admin:reports_document_download", args=[document.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == content


def test_asking_again_for_the_same_document_is_harmless(staff, office, queued):
    first = services.document_request(office=office, kind="roster", params={}, actor=staff)
    again = services.document_request(
        office=office, kind="roster", params={"year": 2026}, actor=staff
    )
    assert again.pk == first.pk and Document.objects.count() == 1


def test_a_redelivered_task_renders_once(
    staff, office, queued, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(office=office, kind="roster", params={}, actor=staff)
    calls = []
    real = services.documents.render
    monkeypatch.setattr(
        services.documents, "render", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    tasks.render_document(document.pk, 1)
    tasks.render_document(document.pk, 1)  # the broker hands the same message out again
    assert len(calls) == 1
    document.refresh_from_db()
    assert document.status == DS.DONE and document.attempts == 1


def test_regenerating_bumps_the_generation_and_an_old_task_does_nothing(
    staff, office, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(office=office, kind="roster", params={}, actor=staff)
    _run(queued)
    document.refresh_from_db()
    first_file = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.document_request(
            office=office, kind="roster", params={}, actor=staff, refresh=True
        )
    assert queued == [(document.pk, 2)]
    tasks.render_document(document.pk, 1)  # a stale message from the first request
    document.refresh_from_db()
    assert document.status == DS.PENDING
    _run(queued)
    document.refresh_from_db()
    assert document.status == DS.DONE and document.generation == 2
    assert document.file.name != first_file


def test_a_failed_render_is_recorded_and_asking_again_retries(
    staff, office, queued, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(services.documents, "render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(office=office, kind="roster", params={}, actor=staff)
    _run(queued)
    document.refresh_from_db()
    assert document.status == DS.FAILED
    # The admin shows a reference staff can quote, not the exception; the log has both.
    assert "font missing" not in document.error
    reference = re.search(r"参考编号 (\d{8}-[0-9A-F]{6})", document.error)[1]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert "font missing" in str(logged[0].exc_info[1])
    monkeypatch.undo()
    monkeypatch.setattr(
        services, "_enqueue", lambda pk, generation: queued.append((pk, generation))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_request(office=office, kind="roster", params={}, actor=staff)
    _run(queued)
    document.refresh_from_db()
    assert document.status == DS.DONE


def test_requesting_while_redis_is_down_still_saves_the_request(
    staff_client, office, settings, django_capture_on_commit_callbacks
):
    from liaison.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(
                reverse("admin:reports_document_add"), {"kind": "roster", "office": office.pk}
            )
    finally:
        app.conf.broker_url = saved
        app._pool = None
        app.amqp._producer_pool = None
    assert response.status_code == 302
    assert Document.objects.get().status == DS.PENDING


def test_the_sweep_hands_out_documents_whose_task_was_lost(staff, office, queued):
    import datetime

    from django.utils import timezone

    document = services.document_request(office=office, kind="roster", params={}, actor=staff)
    queued.clear()
    assert services.documents_requeue() == 0  # just asked for: the task is on its way
    Document.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=15)
    )
    assert services.documents_requeue() == 1
    assert queued == [(document.pk, 1)]


def test_staff_of_another_office_get_404_for_the_document(
    client, other_staff, staff, office, queued
):
    document = services.document_request(office=office, kind="roster", params={}, actor=staff)
    client.force_login(other_staff)
    for name in ("admin:reports_document_change", "admin:reports_document_download"):
        assert client.get(reverse(name, args=[document.pk])).status_code == 404


def test_request_form_explains_bad_parameters(staff_client, office):
    response = staff_client.post(
        reverse("admin:reports_document_add"),
        {"kind": "duty-record", "office": office.pk, "year": 2026, "member_no": "NOPE"},
    )
    assert response.status_code == 200
    assert "本联络处没有该编号的委员" in response.content.decode()
    assert not Document.objects.exists()


def test_document_changelist_runs_a_constant_number_of_queries(staff_client, staff, office, queued):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:reports_document_changelist")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.document_request(office=office, kind="roster", params={}, actor=staff)
    small = count()
    for year in range(2000, 2040):
        services.document_request(office=office, kind="ranking", params={"year": year}, actor=staff)
    assert count() == small
    assert "2039年度委员履职积分排名" in squash(staff_client.get(url).content.decode())


def test_an_activity_with_minutes_links_to_its_minutes_pdf_filled_in(
    staff_client, staff, office, member, queued
):
    from briefings import services as briefing_services

    activity = activity_held(office=office, staff=staff, attended=[member])
    change = reverse("admin:briefings_activity_change", args=[activity.pk])
    assert "生成纪要 PDF" not in staff_client.get(change).content.decode()  # no minutes yet
    briefing_services.minutes_save(activity=activity, actor=staff, minutes="通报了经济运行情况。")
    link = f"{reverse('admin:reports_document_add')}?kind=minutes&amp;activity={activity.pk}"
    assert link in staff_client.get(change).content.decode()

    form = staff_client.get(link.replace("&amp;", "&")).context["form"]
    assert (form["kind"].value(), form["activity"].value()) == ("minutes", str(activity.pk))
    staff_client.post(
        reverse("admin:reports_document_add"),
        {"kind": "minutes", "office": office.pk, "activity": activity.pk},
    )
    assert Document.objects.get().params["activity"] == activity.pk
