"""The year-end report and the compendium rendered by a real Celery worker through a real
Redis broker, as in production: the web request only queues them."""

import datetime

import pytest
import time_machine

from plans import services as plans_services
from reports import services
from reports.models import Document
from reports.tasks import render_document
from tests.factories import HandlingUnitFactory, proposal_replied
from tests.liaison.test_broker import broker, running_worker  # noqa: F401  (fixture)

from .helpers import pdf_text, squash

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("broker"),
]


def test_year_end_report_and_compendium_render_in_the_worker(
    settings,
    office,
    staff,
    leader,
    member,
    other_member,
):
    unit = HandlingUnitFactory(office=office, name="韭菜园街道城管科")
    with time_machine.travel(datetime.date(2026, 4, 1)):
        proposal_replied(member=member, staff=staff, unit=unit, title="关于校园周边食品安全的建议")
        proposal_replied(
            member=other_member, staff=staff, unit=unit, title="关于老旧小区停车的建议"
        )
    report = plans_services.work_report_create(actor=staff, office=office, year=2026)
    sent = []
    # Queue to the test worker's own queue instead of the default one.
    with running_worker(settings) as (queue, finished):
        original = services._enqueue
        services._enqueue = lambda pk, generation: sent.append(
            render_document.apply_async((pk, generation), queue=queue)
        )
        try:
            with time_machine.travel(datetime.date(2026, 12, 28), tick=True):
                services.work_report_issue(report=report, actor=staff, recipients=[leader])
            compendium = services.document_request(
                office=office, kind="compendium", params={"year": 2026}, actor=staff
            )
            finished.wait_for(2, timeout=120)
        finally:
            services._enqueue = original

    report.refresh_from_db()
    year_end = Document.objects.get(pk=report.document.pk)
    compendium.refresh_from_db()
    assert len(sent) == 2
    for document in (year_end, compendium):
        assert document.status == Document.Status.DONE, document.error
        assert document.page_count >= 2 and document.size > 0
    year_end_text = pdf_text(year_end.file.read())
    assert "2026年度工作报告" in squash(year_end_text)
    assert "共提交提案2件，立案2件，已答复2件" in squash(year_end_text)
    assert "— 1 —" in year_end_text  # 公文 page numbers
    compendium_text = pdf_text(compendium.file.read())
    assert "共立案提案2件，已答复2件" in squash(compendium_text)
    assert "关于老旧小区停车的建议" in squash(compendium_text)
    assert f"第 1 页 共 {compendium.page_count} 页" in compendium_text
    assert year_end.issues.get().notified_at is not None  # the leader was told
