"""The summary report (征求意见情况汇总): submitting a compiled consultation renders it
as a PDF issued to the chosen leaders; it lists who was consulted, the answer rate,
the choice items' counts, the summary and every opinion with its proposer."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Answer, Consultation
from liaison.models import today
from reports import documents
from reports.models import Document, DocumentIssue
from tests.reports.helpers import pdf_text, squash

from .helpers import consultation_open, values_for

pytestmark = [pytest.mark.django_db]


def _compiled(staff, office, member, other_member, **kwargs):
    consultation = consultation_open(staff=staff, office=office, **kwargs)
    services.answer_submit(
        consultation=consultation,
        member=member,
        actor=member.user,
        values=values_for(consultation, text="建议优先改造排水管网。", choice=0),
    )
    services.answer_record(
        consultation=consultation,
        actor=staff,
        values=values_for(consultation, text="请公示改造清单。", choice=1),
        source=Answer.Source.MEETING,
        speaker="陈社区主任",
    )
    services.consultation_close(consultation=consultation, actor=staff)
    services.consultation_compile(
        consultation=consultation,
        actor=staff,
        compiled_summary="一、关于排水：委员建议优先改造排水管网。",
        recommendations="建议将雨污分流纳入首批改造内容。",
    )
    return consultation


def test_submitting_renders_the_summary_and_issues_it_to_leaders(
    staff_client, staff, leader, office, member, other_member
):
    consultation = _compiled(staff, office, member, other_member)
    step = reverse("admin:consultations_consultation_step", args=[consultation.pk, "submit"])
    page = staff_client.get(step)
    assert page.status_code == 200 and leader.get_full_name() in page.text
    response = staff_client.post(
        step, {"submitted_on": today().isoformat(), "recipients": [leader.pk], "note": ""}
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.SUBMITTED
    document = Document.objects.get(kind=Document.Kind.CONSULTATION)
    assert document.params == {"consultation": consultation.pk}
    assert document.title == "关于《老旧小区改造实施方案（征求意见稿）》征求意见情况的报告"
    assert DocumentIssue.objects.filter(document=document, recipient=leader).exists()
    change = staff_client.get(
        reverse("admin:consultations_consultation_change", args=[consultation.pk])
    )
    assert document.title in change.text


def test_the_summary_lists_counts_and_opinions_with_their_proposers(
    staff, office, member, other_member
):
    consultation = _compiled(staff, office, member, other_member)
    params = documents.normalize(
        Document.Kind.CONSULTATION, office, {"consultation": consultation.pk}
    )
    text = squash(
        pdf_text(documents.render(Document.Kind.CONSULTATION, office, params, today()).content)
    )
    assert "共2人" in text and "1位委员反馈意见，反馈率50%" in text
    assert "选择“赞成”的1人（占50%）" in text and "选择“不赞成”的1人（占50%）" in text
    assert "一、关于排水：委员建议优先改造排水管网。" in text
    assert "建议优先改造排水管网。（唐朝阳）" in text
    assert "请公示改造清单。（陈社区主任）" in text


def test_an_anonymised_summary_names_nobody(staff, office, member, other_member):
    consultation = _compiled(staff, office, member, other_member, anonymous=True)
    params = {"consultation": consultation.pk}
    text = squash(
        pdf_text(documents.render(Document.Kind.CONSULTATION, office, params, today()).content)
    )
    assert "建议优先改造排水管网。" in text
    assert "唐朝阳" not in text and "陈社区主任" not in text


def test_another_offices_consultation_cannot_be_rendered(staff, office, other_office, member):
    consultation = consultation_open(staff=staff, office=office)
    with pytest.raises(documents.DocumentParamsError, match="不属于本联络处"):
        documents.normalize(
            Document.Kind.CONSULTATION, other_office, {"consultation": consultation.pk}
        )
