"""The consultation meeting (协商议事): opinions recorded at the activity the
consultation names flow into it — on the compilation page, marked as from the meeting,
with the speaker if a member. A meeting of another office, or of another kind, is
refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from briefings import services as briefings
from consultations import services
from consultations.admin_steps import draft_summary
from consultations.models import Answer, Consultation
from consultations.selectors import compilation, member_consultations_to_answer
from liaison.workflow import WorkflowError
from tests.factories import MemberFactory, activity_published

from .helpers import consultation_draft, consultation_open, values_for

pytestmark = [pytest.mark.django_db]


def _meeting(office, staff, members, **kwargs):
    return activity_published(
        office=office,
        actor=staff,
        members=members,
        kind=kwargs.pop("kind", "协商议事"),
        title=kwargs.pop("title", "老旧小区改造协商议事会"),
        starts_at=timezone.now() + datetime.timedelta(days=3),
        **kwargs,
    )


def test_opinions_recorded_at_the_meeting_flow_into_the_consultation(
    staff, staff_client, office, member, other_member
):
    meeting = _meeting(office, staff, [member, other_member])
    # Said before the consultation opened: brought in when it opens.
    briefings.opinion_record(
        activity=meeting, actor=staff, member=member, content="建议分批施工，减少扰民。"
    )
    consultation = consultation_open(staff=staff, office=office, meeting=meeting)
    # Said after: flows in as it is recorded.
    briefings.opinion_record(
        activity=meeting, actor=staff, content="居民代表：希望公示资金使用情况。"
    )
    answers = Answer.objects.filter(consultation=consultation, source=Answer.Source.ACTIVITY)
    assert sorted(a.author for a in answers) == ["与会人员", "唐朝阳"]
    page = staff_client.get(
        reverse("admin:consultations_consultation_compilation", args=[consultation.pk])
    )
    meeting_rows = page.context["c"].meeting.texts
    assert [i.text for i in meeting_rows] == [
        "建议分批施工，减少扰民。",
        "居民代表：希望公示资金使用情况。",
    ]
    assert "协商议事会上的意见" in page.text and "老旧小区改造协商议事会" in page.text
    # The member's meeting opinion is not their answer: the answer rate and the to-do
    # still wait for it.
    c = compilation(consultation)
    assert c.answered_members == 0
    assert list(member_consultations_to_answer(member)) == [consultation]
    services.answer_submit(
        consultation=consultation, member=member, actor=member.user, values=values_for(consultation)
    )
    assert compilation(consultation).answered_members == 1
    assert "协商议事会上收集意见2条" in draft_summary(consultation)


def test_the_same_opinion_does_not_flow_in_twice(staff, office, member):
    meeting = _meeting(office, staff, [member])
    consultation = consultation_open(staff=staff, office=office, meeting=meeting)
    briefings.opinion_record(activity=meeting, actor=staff, member=member, content="建议分批施工。")
    services.consultation_close(consultation=consultation, actor=staff)
    assert Answer.objects.filter(consultation=consultation).count() == 1


def test_a_meeting_of_another_office_is_refused(staff, other_staff, office, other_office):
    meeting = _meeting(other_office, other_staff, [MemberFactory(office=other_office)])
    with pytest.raises(WorkflowError, match="不是本联络处主办的活动"):
        consultation_draft(staff=staff, office=office, meeting=meeting)
    assert not Consultation.objects.exists()


def test_an_activity_that_is_not_a_consultation_meeting_is_refused(staff, office, member):
    briefing = _meeting(office, staff, [member], kind="调研", title="背街小巷调研")
    with pytest.raises(WorkflowError, match="不是协商议事活动"):
        consultation_draft(staff=staff, office=office, meeting=briefing)
    assert not Consultation.objects.exists()


def test_admin_change_page_refuses_a_meeting_of_another_office(
    staff, client, district_staff, other_staff, office, other_office
):
    # District staff see every office's activities: the form itself must refuse.
    client.force_login(district_staff)
    consultation = consultation_draft(staff=staff, office=office)
    meeting = _meeting(other_office, other_staff, [MemberFactory(office=other_office)])
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    form = {
        "office": str(office.pk),
        "title": consultation.title,
        "requested_by": "街道党工委",
        "summary": consultation.summary,
        "meeting": str(meeting.pk),
        "audience": "all",
        "deadline": consultation.deadline.isoformat(),
        "reminder_working_days": "2",
    }
    for prefix in ("questions", "documents", "experts"):
        form.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    response = client.post(url, form)
    assert response.status_code == 200
    assert "不是本联络处主办的活动" in response.text
    consultation.refresh_from_db()
    assert consultation.meeting_id is None
