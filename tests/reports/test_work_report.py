"""Work reports to the committee: compiled from the data, narrative written by staff,
figures frozen when issued, rendered in the worker and issued to the leaders."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from liaison.outbox import deliver_pending
from liaison.workflow import WorkflowError
from plans import services as plans_services
from plans.models import WorkReport
from proposals import services as proposal_services
from reports import documents, services, tasks
from reports.figures import report_figures
from reports.models import Document
from tests.factories import (
    ContributionFactory,
    HandlingUnitFactory,
    activity_held,
    proposal_draft,
    proposal_replied,
    shanghai,
)

from .helpers import pdf_text, squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_of_work(office, staff, member, other_member):
    """2026: three registered proposals (two replied), an opinion report adopted, a
    briefing with two members, two visits, a concern resolved, a tax contribution."""
    from visits import services as visit_services

    unit = HandlingUnitFactory(office=office, name="韭菜园街道城管科")
    with time_machine.travel(datetime.date(2026, 4, 1)):
        proposal_replied(member=member, staff=staff, unit=unit, title="关于校园周边食品安全的建议")
        proposal_replied(
            member=other_member, staff=staff, unit=unit, title="关于老旧小区停车的建议", grade="B"
        )
        third = proposal_draft(member=member, title="关于社区养老服务的建议")
        proposal_services.proposal_submit(proposal=third, actor=member.user)
        proposal_services.proposal_register(proposal=third, actor=staff)
        report = proposal_services.opinion_report_create(
            actor=member.user,
            office=office,
            title="关于夜市噪音扰民的反映",
            situation="情况",
            suggestion="建议",
            member=member,
        )
        for target in ("submitted", "edited", "approved"):
            proposal_services.opinion_report_move(report=report, actor=staff, target=target)
        proposal_services.opinion_report_move(
            report=report, actor=staff, target="issued", issue_number="2026年第3期"
        )
        proposal_services.adoption_record(
            report=report,
            actor=staff,
            level="district",
            kind="adopted",
            adopted_on=datetime.date(2026, 4, 1),
            body="区政协",
        )
    activity_held(office=office, staff=staff, attended=[member, other_member])
    with time_machine.travel(datetime.date(2026, 6, 1)):
        visit = visit_services.visit_record(
            actor=staff,
            office=office,
            kind="routine",
            visited_on=datetime.date(2026, 5, 20),
            members=[member, other_member],
            opinions=[
                {"title": "小区路灯不亮", "content": "东门路灯坏了三个月。", "member": member}
            ],
        )
    ContributionFactory(member=member, year=2026, title="南京大酒店区级税收", amount=1200000)
    return visit


def test_figures_are_compiled_from_every_area(office, year_of_work):
    figures = report_figures(office, 2026)
    assert figures["proposals"]["registered"] == 3
    assert figures["proposals"]["replied"] == 2
    assert figures["proposals"]["grades"] == {"A": 1, "B": 1, "C": 0}
    assert figures["opinions"]["submitted"] == 1 and figures["opinions"]["adopted"] == 1
    assert figures["activities"]["held"] == 1 and figures["activities"]["briefings"] == 1
    assert figures["activities"]["attended"] == 2
    assert figures["visits"]["member_visits"] == 2 and figures["visits"]["members_visited"] == 2
    assert figures["concerns"]["collected"] == 1
    assert figures["contributions"]["tax_total"] == 1200000


def test_a_half_year_report_counts_only_its_half(office, year_of_work):
    assert report_figures(office, 2026, 2)["proposals"]["submitted"] == 0
    assert report_figures(office, 2026, 1)["proposals"]["submitted"] == 3


def test_issuing_freezes_the_numbers(office, staff, leader, year_of_work, member, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda pk, generation: None)
    report = plans_services.work_report_create(
        actor=staff,
        office=office,
        year=2026,
        summary="全年工作稳步推进。",
        problems="委员参与面还不够广。",
        next_steps="继续做好走访。",
    )
    with time_machine.travel(datetime.date(2026, 12, 28)):
        services.work_report_issue(report=report, actor=staff, recipients=[leader])
    report.refresh_from_db()
    assert (
        report.status == WorkReport.Status.ISSUED and report.figures["proposals"]["registered"] == 3
    )
    with pytest.raises(WorkflowError):
        plans_services.work_report_update(report=report, actor=staff, summary="改")

    # Data changes after the report was issued…
    with time_machine.travel(datetime.date(2026, 12, 29)):
        later = proposal_draft(member=member, title="迟到的提案")
        proposal_services.proposal_submit(proposal=later, actor=member.user)
        proposal_services.proposal_register(proposal=later, actor=staff)
    # …do not change what the committee received.
    tasks.render_document(report.document.pk, 1)
    document = Document.objects.get(pk=report.document.pk)
    text = squash(pdf_text(document.file.read()))
    assert "立案3件" in text and "迟到的提案" not in text
    assert "2026年12月28日" in text
    deliver_pending()
    to_leader = [m.subject for m in mail.outbox if leader.email in m.to]
    assert len(to_leader) == 1 and "2026年度工作报告" in to_leader[0]


def test_year_end_report_pdf_reads_right(office, staff, year_of_work):
    plans_services.work_report_create(
        actor=staff, office=office, year=2026, highlights="围绕“三服务”开展工作。"
    )
    pdf = documents.render("work-report", office, {"year": 2026}, datetime.date(2026, 12, 28))
    text = pdf_text(pdf.content)
    flat = squash(text)
    assert "韭菜园街道政协联络处" in text
    assert "2026年度工作报告" in flat and "草稿（未定稿：工作报告尚未报送）" in flat
    assert "共提交提案3件，立案3件，已答复2件" in flat
    assert "报送社情民意信息1篇，被采用1篇" in flat
    assert "开展委员活动1次（其中政情通报会1次），委员出席2人次" in flat
    assert "走访慰问委员2人次，覆盖委员2人" in flat
    assert "收集委员反映问题1件" in flat
    assert "纳税120万元" in flat
    assert "围绕“三服务”开展工作" in flat
    assert "附件：2026年全年工作统计表" in flat  # 附件说明; the tables follow as the 附件
    for page in range(1, pdf.pages + 1):  # 公文 page numbers
        assert f"— {page} —" in pdf_text(pdf.content, first=page, last=page)


def test_a_report_for_a_year_without_data_is_an_honest_empty_document(office):
    pdf = documents.render("work-report", office, {"year": 2031}, datetime.date(2031, 12, 28))
    flat = squash(pdf_text(pdf.content))
    assert "共提交提案0件" in flat
    assert "本期暂无提案" in flat and "本期暂无已举行的活动" in flat


def test_staff_issue_the_report_from_the_admin(staff_client, office, staff, leader, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda pk, generation: None)
    report = plans_services.work_report_create(actor=staff, office=office, year=2026, half=1)
    page = staff_client.get(reverse("admin:plans_workreport_change", args=[report.pk]))
    assert "统计数据（实时，报送时冻结）" in page.content.decode()
    response = staff_client.post(
        reverse("admin:plans_workreport_step", args=[report.pk, "issue"]),
        {"issued_on": "2026-07-05", "recipients": [leader.pk]},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_issued and report.document.title == "2026年上半年工作报告"
    assert report.document.issues.get().recipient == leader


def test_minutes_print_attendance_and_opinions(office, staff, member, other_member):
    from briefings import services as briefing_services

    activity = activity_held(office=office, staff=staff, attended=[member], absent=[other_member])
    with time_machine.travel(shanghai(2026, 3, 21, 9)):
        briefing_services.minutes_save(
            activity=activity, actor=staff, minutes="街道党工委书记通报了上半年经济运行情况。"
        )
        briefing_services.opinion_record(
            activity=activity, actor=staff, member=member, content="建议加快农贸市场改造。"
        )
    pdf = documents.render("minutes", office, {"activity": activity.pk}, datetime.date(2026, 3, 21))
    flat = squash(pdf_text(pdf.content))
    assert "2026年上半年政情通报会纪要" in flat
    assert "邀请2人，出席1人，无故缺席1人" in flat
    assert "街道党工委书记通报了上半年经济运行情况" in flat
    assert "建议加快农贸市场改造" in flat


def test_concern_digest_lists_concerns_and_results(office, year_of_work):
    pdf = documents.render("concerns", office, {"year": 2026}, datetime.date(2026, 12, 28))
    flat = squash(pdf_text(pdf.content))
    assert "2026年委员反映问题汇总" in flat
    assert "共收集委员反映问题1件" in flat
    assert "小区路灯不亮" in flat and "东门路灯坏了三个月" in flat
    empty = documents.render("concerns", office, {"year": 2031}, datetime.date(2031, 1, 1))
    assert "暂无委员反映的问题" in squash(pdf_text(empty.content))


def test_sections_staff_left_empty_are_left_out_not_printed_as_to_be_filled(office, staff):
    plans_services.work_report_create(
        actor=staff, office=office, year=2026, next_steps="继续做好委员服务。"
    )
    flat = squash(
        pdf_text(
            documents.render(
                "work-report", office, {"year": 2026}, datetime.date(2026, 12, 28)
            ).content
        )
    )
    assert "待填写" not in flat
    assert "存在的问题" not in flat
    assert "三、下一步工作打算" in flat and "继续做好委员服务" in flat
