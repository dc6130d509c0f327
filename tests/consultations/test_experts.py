"""Invited experts who are not members answer through a signed link e-mailed to them,
as handling units do: a tampered or expired link, or one after the deadline, gets a
clear page and changes nothing."""

import datetime

import pytest
import time_machine
from django.core import signing

from consultations import services
from consultations.expert_links import SALT, expert_link_token
from consultations.models import Answer, Expert
from liaison.models import Notification

from .helpers import consultation_draft

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def consultation(staff, office, member):
    draft = consultation_draft(staff=staff, office=office)
    Expert.objects.create(
        consultation=draft, name="周规划", organisation="市规划设计院", email="zhou@example.cn"
    )
    return services.consultation_open(consultation=draft, actor=staff)


def _url(expert):
    return f"/units/consultations/{expert_link_token(expert)}/"


def _data(consultation, text="建议统筹考虑消防通道。"):
    return {f"q{q.pk}": ("0" if q.is_choice else text) for q in consultation.questions.all()}


def test_opening_e_mails_each_expert_their_link(consultation):
    expert = consultation.experts.get()
    mail = Notification.objects.get(kind="consultation_expert_invitation")
    assert mail.channel == Notification.Channel.EMAIL and mail.address == "zhou@example.cn"
    assert mail.body.startswith("周规划（市规划设计院）：")
    assert "/units/consultations/" in mail.body and "前打开下面的链接" in mail.body
    expert.refresh_from_db()
    assert expert.invited_at is not None


def test_the_expert_answers_and_edits_through_the_link(client, consultation):
    expert = consultation.experts.get()
    page = client.get(_url(expert))
    assert page.status_code == 200 and consultation.title in page.text
    assert client.post(_url(expert), _data(consultation)).status_code == 302
    answer = Answer.objects.get(expert=expert)
    assert answer.source == Answer.Source.EXPERT and answer.author == "周规划（市规划设计院）"
    again = client.post(_url(expert), _data(consultation, "第二份"), follow=True)
    assert "已提交过意见" in again.text
    client.post(_url(expert), {**_data(consultation, "改为：统筹消防通道和停车。"), "edit": "1"})
    assert Answer.objects.filter(expert=expert).count() == 1
    assert answer.items.filter(text="改为：统筹消防通道和停车。").exists()


def test_a_tampered_link_is_refused(client, consultation):
    expert = consultation.experts.get()
    token = expert_link_token(expert)
    forged = signing.dumps({"c": consultation.pk, "e": expert.pk + 1}, salt="wrong")
    for bad in (token[:-2] + "xx", forged):
        response = client.post(f"/units/consultations/{bad}/", _data(consultation))
        assert response.status_code == 403
        assert "链接无效" in response.text
    assert not Answer.objects.exists()


def test_an_expired_link_is_refused(client, consultation, settings):
    expert = consultation.experts.get()
    token = expert_link_token(expert)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
        days=settings.UNIT_LINK_MAX_AGE_DAYS + 1
    )
    with time_machine.travel(later):
        response = client.get(f"/units/consultations/{token}/")
    assert response.status_code == 403 and "链接已过期" in response.text


def test_after_the_deadline_the_link_takes_no_answer(client, consultation):
    expert = consultation.experts.get()
    with time_machine.travel(consultation.deadline + datetime.timedelta(days=1)):
        page = client.get(_url(expert))
        assert "不再接收意见" in page.text
        client.post(_url(expert), _data(consultation))
    assert not Answer.objects.exists()


def test_a_link_from_another_consultation_cannot_answer_this_one(consultation, staff, office):
    other = consultation_draft(staff=staff, office=office, title="另一事项")
    stranger = Expert.objects.create(consultation=other, name="某", email="x@example.cn")
    with pytest.raises(Exception, match="链接无效"):
        services.expert_answer(
            consultation=consultation, expert=stranger, values={}, attachment=None
        )
    assert signing.loads(expert_link_token(stranger), salt=SALT)["c"] == other.pk
