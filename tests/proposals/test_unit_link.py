"""Handling units act through a signed, expiring link that names one assignment."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from liaison.unit_links import unit_link_token
from proposals import services
from proposals.models import Proposal, Reply
from tests.factories import HandlingUnitFactory, proposal_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(member, staff, office):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    lead = HandlingUnitFactory(office=office, name="城管科")
    co = HandlingUnitFactory(office=office, name="社区")
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=lead, co_units=[co])
    return proposal


def _url(assignment):
    return f"/units/proposals/{unit_link_token(assignment)}/"


def test_unit_acknowledges_and_replies_with_a_letter_through_its_link(client, assigned):
    assignment = assigned.assignments.get(role="lead")
    page = client.get(_url(assignment))
    assert page.status_code == 200
    assert assigned.title in page.content.decode()
    client.post(_url(assignment), {"action": "acknowledge"})
    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 reply letter", "application/pdf")
    response = client.post(
        _url(assignment),
        {
            "action": "reply",
            "grade": "B",
            "content": "已列入计划",
            "contact_method": "phone",
            "replied_on": datetime.date.today().isoformat(),
            "planned_on": (datetime.date.today() + datetime.timedelta(days=90)).isoformat(),
            "letter": letter,
        },
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert reply.grade == "B" and reply.letter.name.endswith(".pdf")
    assert Proposal.objects.get(pk=assigned.pk).status == Proposal.Status.REPLIED


def test_a_letter_that_is_not_what_its_extension_says_is_refused(client, assigned):
    assignment = assigned.assignments.get(role="lead")
    fake = SimpleUploadedFile("答复函.pdf", b"MZ this is an exe", "application/pdf")
    response = client.post(
        _url(assignment),
        {
            "action": "reply",
            "grade": "A",
            "content": "x",
            "contact_method": "phone",
            "replied_on": datetime.date.today().isoformat(),
            "letter": fake,
        },
    )
    assert response.status_code == 200
    assert "内容与扩展名不符" in response.content.decode()
    assert not Reply.objects.exists()


def test_tampered_link_is_refused_and_changes_nothing(client, assigned):
    assignment = assigned.assignments.get(role="lead")
    token = unit_link_token(assignment)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(f"/units/proposals/{tampered}/", {"action": "acknowledge"})
    assert response.status_code == 403
    assert "链接无效" in response.content.decode()
    assert assigned.assignments.get(role="lead").acknowledged_at is None


def test_expired_link_is_refused(client, assigned, settings):
    assignment = assigned.assignments.get(role="lead")
    with time_machine.travel(datetime.datetime.now() - datetime.timedelta(days=250)):
        old_token = unit_link_token(assignment)
    response = client.post(f"/units/proposals/{old_token}/", {"action": "acknowledge"})
    assert response.status_code == 403
    assert "链接已过期" in response.content.decode()
    assert assigned.assignments.get(role="lead").acknowledged_at is None


def test_co_unit_link_gives_an_opinion_but_does_not_move_the_proposal(client, assigned):
    co = assigned.assignments.get(role="co")
    client.post(_url(co), {"action": "opinion", "opinion": "建议社区协助宣传"})
    co.refresh_from_db()
    assert co.co_opinion == "建议社区协助宣传"
    assert Proposal.objects.get(pk=assigned.pk).status == Proposal.Status.ASSIGNED
    lead_page = _url(assigned.assignments.get(role="lead"))
    from django.test import Client

    assert "建议社区协助宣传" in Client().get(lead_page).content.decode()


def test_illegal_step_through_link_shows_message(client, assigned):
    assignment = assigned.assignments.get(role="lead")
    client.post(_url(assignment), {"action": "acknowledge"})
    response = client.post(
        _url(assignment), {"action": "return", "reason": "不属本单位"}, follow=True
    )
    assert "已签收的提案不能申请退回" in response.content.decode()


def test_reply_form_preselects_no_grade_and_refuses_a_reply_without_one(client, assigned):
    assignment = assigned.assignments.get(role="lead")
    client.post(_url(assignment), {"action": "acknowledge"})
    page = client.get(_url(assignment)).content.decode()
    assert 'name="grade"' in page
    grade_inputs = [line for line in page.splitlines() if 'name="grade"' in line]
    assert len(grade_inputs) == 3 and not any("checked" in line for line in grade_inputs)
    response = client.post(
        _url(assignment),
        {
            "action": "reply",
            "content": "已列入计划",
            "contact_method": "phone",
            "replied_on": datetime.date.today().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "请选择答复类别" in response.content.decode()
    assert not Reply.objects.exists()
    assert Proposal.objects.get(pk=assigned.pk).status == Proposal.Status.ACKNOWLEDGED


def test_each_unit_page_says_what_is_asked_of_that_unit_and_by_when(client, assigned):
    lead = client.get(_url(assigned.assignments.get(role="lead"))).content.decode()
    co = client.get(_url(assigned.assignments.get(role="co"))).content.decode()
    assigned.refresh_from_db()
    due = assigned.due_date
    date = f"{due.year}年{due.month}月{due.day}日"
    assert f"第{assigned.number}号提案" in lead
    assert f"请于{date}" in lead and "加盖公章的答复函答复提案人" in lead
    assert f"请于{date}" in co and "会办意见送主办单位" in co
    assert "无需直接答复提案人" in co and "无需直接答复提案人" not in lead
