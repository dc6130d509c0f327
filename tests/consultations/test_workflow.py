"""A consultation from draft to the members' feedback, service by service: what staff
and members may do, and what is refused with a clear message while nothing changes."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from consultations import services
from consultations.models import Answer, Consultation, Question, Recipient
from liaison.models import Notification, StatusChange, today
from liaison.templatetags.wording import longday
from liaison.workflow import WorkflowError
from members.models import PointEntry, Sector
from tests.factories import MemberFactory, member_with_account

from .helpers import consultation_draft, consultation_open, values_for

pytestmark = [pytest.mark.django_db]
S = Consultation.Status


def test_opening_writes_the_audience_and_asks_each_member(staff, office, member, other_member):
    MemberFactory(
        office=office, status="term_ended", mobile="13700000001"
    )  # not serving: not consulted
    consultation = consultation_open(staff=staff, office=office)
    assert consultation.status == S.OPEN
    assert set(consultation.recipients.values_list("member__name", flat=True)) == {
        "唐朝阳",
        "黄德军",
    }
    request = Notification.objects.get(
        kind="consultation_request", recipient=member.user, channel=Notification.Channel.PORTAL
    )
    assert request.subject.startswith("【征求意见】“老旧小区改造实施方案")
    assert request.body.startswith("尊敬的唐朝阳委员：")
    deadline = longday(consultation.deadline)
    assert f"请于{deadline}前在委员服务平台阅读征求意见稿并提交您的意见" in request.body
    assert request.link == f"/portal/consultations/{consultation.pk}/"
    assert office.name in request.body


def test_audience_by_sector_leaves_the_other_sectors_out(staff, office, member, other_member):
    education = Sector.objects.get_or_create(name="教育界")[0]
    teacher = member_with_account(
        office=office, name="李老师", sector=education, mobile="13700000002"
    )
    consultation = consultation_draft(
        staff=staff, office=office, audience=Consultation.Audience.SECTORS, sectors=[education]
    )
    services.consultation_open(consultation=consultation, actor=staff)
    assert list(consultation.recipients.values_list("member", flat=True)) == [teacher.pk]
    with pytest.raises(WorkflowError, match="未向您征求"):
        services.answer_submit(
            consultation=consultation,
            member=member,
            actor=member.user,
            values=values_for(consultation),
        )
    assert not Answer.objects.exists()


def test_chosen_members_of_another_office_are_refused(staff, office, other_office):
    outsider = MemberFactory(office=other_office, mobile="13700000003")
    with pytest.raises(WorkflowError, match="不属于本联络处"):
        consultation_draft(
            staff=staff,
            office=office,
            audience=Consultation.Audience.CHOSEN,
            chosen_members=[outsider],
        )
    assert not Consultation.objects.exists()


def test_a_draft_without_questions_cannot_open(staff, office, member):
    consultation = consultation_draft(staff=staff, office=office)
    consultation.questions.all().delete()
    with pytest.raises(WorkflowError, match="至少设置一个问题"):
        services.consultation_open(consultation=consultation, actor=staff)
    consultation.refresh_from_db()
    assert consultation.status == S.DRAFT
    assert not Recipient.objects.exists()


def test_a_choice_item_needs_two_options(staff, office, member):
    consultation = consultation_draft(
        staff=staff, office=office, questions=[(Question.Kind.SINGLE, "是否赞成？", "赞成")]
    )
    with pytest.raises(WorkflowError, match="至少需要两个选项"):
        services.consultation_open(consultation=consultation, actor=staff)


def test_member_answers_once_and_edits_until_the_deadline(staff, office, member):
    consultation = consultation_open(staff=staff, office=office)
    answer = services.answer_submit(
        consultation=consultation, member=member, actor=member.user, values=values_for(consultation)
    )
    with pytest.raises(WorkflowError, match="已提交过意见"):
        services.answer_submit(
            consultation=consultation,
            member=member,
            actor=member.user,
            values=values_for(consultation),
        )
    services.answer_submit(
        consultation=consultation,
        member=member,
        actor=member.user,
        values=values_for(consultation, text="建议先改雨污分流。", choice=2),
        edit=True,
    )
    assert Answer.objects.count() == 1
    texts = sorted(answer.items.exclude(text="").values_list("text", flat=True))
    assert texts == ["建议先改雨污分流。", "建议先改雨污分流。"]
    assert answer.items.get(question__kind="single").choices == [2]
    # The request in the member's inbox is done.
    assert not Notification.objects.filter(
        recipient=member.user,
        kind="consultation_request",
        channel=Notification.Channel.PORTAL,
        read_at__isnull=True,
    ).exists()
    day_after = consultation.deadline + datetime.timedelta(days=1)
    with (
        time_machine.travel(day_after, tick=False),
        pytest.raises(WorkflowError, match=r"已于.*截止"),
    ):
        services.answer_submit(
            consultation=consultation,
            member=member,
            actor=member.user,
            values=values_for(consultation, text="晚到的意见"),
            edit=True,
        )
    assert not answer.items.filter(text="晚到的意见").exists()


def test_an_option_that_does_not_exist_is_refused(staff, office, member):
    consultation = consultation_open(staff=staff, office=office)
    with pytest.raises(WorkflowError, match="没有所选的选项"):
        services.answer_submit(
            consultation=consultation,
            member=member,
            actor=member.user,
            values=values_for(consultation, choice=7),
        )
    single = consultation.questions.get(kind="single")
    values = values_for(consultation)
    values[single.pk] = [0, 1]
    with pytest.raises(WorkflowError, match="只能选一项"):
        services.answer_submit(
            consultation=consultation, member=member, actor=member.user, values=values
        )
    assert not Answer.objects.exists()


def test_a_member_cannot_answer_for_another(staff, office, member, other_member):
    consultation = consultation_open(staff=staff, office=office)
    with pytest.raises(WorkflowError, match="本人名义"):
        services.answer_submit(
            consultation=consultation,
            member=other_member,
            actor=member.user,
            values=values_for(consultation),
        )


def test_staff_record_paper_and_meeting_opinions(staff, office, member):
    consultation = consultation_open(staff=staff, office=office)
    services.answer_record(
        consultation=consultation,
        actor=staff,
        values=values_for(consultation, text="书面意见：加装电梯需照顾低层住户。"),
        source=Answer.Source.PAPER,
        member=member,
    )
    services.answer_record(
        consultation=consultation,
        actor=staff,
        values=values_for(consultation, text="社区居民代表：希望公示改造清单。"),
        source=Answer.Source.MEETING,
        speaker="陈社区主任",
    )
    authors = sorted(a.author for a in consultation.answers.all())
    assert authors == ["唐朝阳", "陈社区主任"]
    assert StatusChange.objects.filter(note__contains="工作人员录入唐朝阳的意见").exists()


def test_an_attachment_that_lies_about_its_type_is_refused_by_the_form(staff, office, member):
    from consultations.forms import AnswerFields

    consultation = consultation_open(staff=staff, office=office)
    fake = SimpleUploadedFile("意见.pdf", b"this is not a pdf", content_type="application/pdf")
    form = AnswerFields({}, {"attachment": fake}, questions=consultation.questions.all())
    assert not form.is_valid()
    assert "内容与扩展名不符" in str(form.errors["attachment"])


def test_compile_submit_and_feed_back_tell_each_member(staff, office, member, other_member):
    consultation = consultation_open(staff=staff, office=office)
    for who in (member, other_member):
        services.answer_submit(
            consultation=consultation, member=who, actor=who.user, values=values_for(consultation)
        )
    services.consultation_close(consultation=consultation, actor=staff)
    services.consultation_compile(
        consultation=consultation, actor=staff, compiled_summary="意见集中在排水和电梯两方面。"
    )
    services.consultation_submit(consultation=consultation, actor=staff, submitted_on=today())
    consultation.refresh_from_db()
    with pytest.raises(WorkflowError, match="请先登记决策结果"):
        services.consultation_feed_back(consultation=consultation, actor=staff)
    mine, theirs = (consultation.answers.get(member=m) for m in (member, other_member))
    services.consultation_record_outcome(
        consultation=consultation,
        actor=staff,
        decision="方案修改后印发，增加雨污分流内容。",
        decided_on=today(),
        outcomes={mine.pk: (Answer.Outcome.ADOPTED, "雨污分流已写入方案第三条。")},
    )
    with pytest.raises(WorkflowError, match="1条委员意见未标明采纳情况"):
        services.consultation_feed_back(consultation=consultation, actor=staff)
    services.consultation_record_outcome(
        consultation=consultation,
        actor=staff,
        decision="方案修改后印发，增加雨污分流内容。",
        decided_on=today(),
        outcomes={theirs.pk: (Answer.Outcome.NOTED, "电梯加装将另行征求住户意见。")},
    )
    services.consultation_feed_back(consultation=consultation, actor=staff)
    consultation.refresh_from_db()
    assert consultation.status == S.FED_BACK
    told = Notification.objects.get(
        kind="consultation_outcome", recipient=member.user, channel=Notification.Channel.PORTAL
    )
    assert told.body.startswith("尊敬的唐朝阳委员：")
    assert "已被采纳：雨污分流已写入方案第三条。" in told.body
    other = Notification.objects.get(
        kind="consultation_outcome",
        recipient=other_member.user,
        channel=Notification.Channel.PORTAL,
    )
    assert "已留作参考：电梯加装将另行征求住户意见。" in other.body
    # The adopted opinion earns its member the configured points; the noted one none.
    assert list(PointEntry.objects.values_list("member__name", "kind", "points")) == [
        ("唐朝阳", "consultation_adopted", 3)
    ]


def test_staff_cannot_compile_while_answers_are_collected(staff, office, member):
    consultation = consultation_open(staff=staff, office=office)
    with pytest.raises(WorkflowError, match="不能变更为"):
        services.consultation_compile(consultation=consultation, actor=staff, compiled_summary="x")
    consultation.refresh_from_db()
    assert consultation.status == S.OPEN and consultation.compiled_summary == ""
