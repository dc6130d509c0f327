"""The consultation's pages: the admin's add page, steps and compilation, the member's
list, answer page and home to-do; query counts at two sizes."""

import datetime

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Answer, AnswerItem, Consultation, Question, Recipient
from liaison.models import today
from tests.factories import MemberFactory

from .helpers import consultation_draft, consultation_open, values_for

pytestmark = [pytest.mark.django_db]
S = Consultation.Status


def _management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_staff_draft_a_consultation_with_its_questions_in_the_admin(staff_client, member):
    deadline = today() + datetime.timedelta(days=7)
    form = {
        "title": "老旧小区改造实施方案（征求意见稿）",
        "requested_by": "街道党工委",
        "summary": "拟对12个小区实施改造。",
        "audience": "all",
        "deadline": deadline.isoformat(),
        "reminder_working_days": "2",
        **_management("questions", 2),
        "questions-0-position": "1",
        "questions-0-kind": "text",
        "questions-0-text": "您对改造范围有何意见？",
        "questions-1-position": "2",
        "questions-1-kind": "single",
        "questions-1-text": "是否赞成加装电梯？",
        "questions-1-options": "赞成\n不赞成",
        **_management("documents"),
        **_management("experts"),
    }
    response = staff_client.post(reverse("admin:consultations_consultation_add"), form)
    assert response.status_code == 302, response.context["adminform"].errors
    consultation = Consultation.objects.get()
    assert consultation.status == S.DRAFT
    assert list(consultation.questions.values_list("text", flat=True)) == [
        "您对改造范围有何意见？",
        "是否赞成加装电梯？",
    ]
    change = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    page = staff_client.get(change)
    assert "发出征求意见" in page.text
    step = reverse("admin:consultations_consultation_step", args=[consultation.pk, "open"])
    assert staff_client.post(step, {"note": ""}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == S.OPEN
    assert Recipient.objects.filter(consultation=consultation, member=member).exists()


def test_admin_refuses_a_deadline_in_the_past(staff_client):
    form = {
        "title": "某事项",
        "summary": "说明",
        "audience": "all",
        "deadline": (today() - datetime.timedelta(days=1)).isoformat(),
        "reminder_working_days": "2",
        **_management("questions"),
        **_management("documents"),
        **_management("experts"),
    }
    response = staff_client.post(reverse("admin:consultations_consultation_add"), form)
    assert response.status_code == 200
    assert "截止日期不能早于今天" in response.text
    assert not Consultation.objects.exists()


def test_staff_record_a_meeting_opinion_and_see_counts_by_question(
    staff, staff_client, office, member, other_member
):
    consultation = consultation_open(staff=staff, office=office)
    services.answer_submit(
        consultation=consultation,
        member=member,
        actor=member.user,
        values=values_for(consultation, choice=0),
    )
    single = consultation.questions.get(kind=Question.Kind.SINGLE)
    step = reverse("admin:consultations_consultation_step", args=[consultation.pk, "record_answer"])
    fields = {f"q{q.pk}": "会上发言：请公示改造清单。" for q in consultation.questions.all()}
    fields[f"q{single.pk}"] = "1"
    response = staff_client.post(
        step, {**fields, "source": "meeting", "speaker": "陈社区主任（居民代表）"}
    )
    assert response.status_code == 302
    page = staff_client.get(
        reverse("admin:consultations_consultation_compilation", args=[consultation.pk])
    )
    assert page.status_code == 200
    assert "共征求2位委员，1位已反馈意见（反馈率50%）" in page.text
    c = page.context["c"]
    choice = next(s for s in c.questions if s.question.pk == single.pk)
    assert [(o.label, o.count, o.percent) for o in choice.options] == [
        ("赞成", 1, 50),
        ("不赞成", 1, 50),
        ("视情况而定", 0, 0),
    ]
    assert "陈社区主任（居民代表）" in page.text


def test_record_step_refuses_an_option_that_does_not_exist(staff, staff_client, office, member):
    consultation = consultation_open(staff=staff, office=office)
    single = consultation.questions.get(kind=Question.Kind.SINGLE)
    step = reverse("admin:consultations_consultation_step", args=[consultation.pk, "record_answer"])
    response = staff_client.post(
        step, {f"q{single.pk}": "9", "source": "paper", "member": str(member.pk)}
    )
    assert response.status_code == 200
    assert "没有所选的选项" in response.text
    assert not Answer.objects.exists()


def test_member_answers_on_the_portal_and_the_to_do_goes_away(staff, office, member, member_client):
    consultation = consultation_open(staff=staff, office=office)
    home = member_client.get(reverse("portal:dashboard"))
    assert [t.kind for t in home.context["todos"]].count("consult") == 1
    url = reverse("portal:consultation_detail", args=[consultation.pk])
    page = member_client.get(url)
    assert page.status_code == 200 and "提交我的意见" in page.text
    questions = list(consultation.questions.all())
    data = {f"q{q.pk}": ("0" if q.is_choice else "建议优先改造排水管网。") for q in questions}
    response = member_client.post(url, data)
    assert response.status_code == 302
    answer = Answer.objects.get(member=member)
    assert answer.items.count() == 3
    home = member_client.get(reverse("portal:dashboard"))
    assert "consult" not in [t.kind for t in home.context["todos"]]
    # A second, new answer from a stale page is refused; an edit replaces the first.
    again = member_client.post(url, data, follow=True)
    assert "已提交过意见" in again.text
    data[f"q{questions[0].pk}"] = "改为：先做雨污分流。"
    member_client.post(url, {**data, "edit": "1"})
    assert answer.items.get(question=questions[0]).text == "改为：先做雨污分流。"
    assert Answer.objects.count() == 1


def test_a_consultation_the_member_was_not_asked_is_not_found(
    staff, office, other_office, member, member_client
):
    MemberFactory(office=other_office, mobile="13700000009")
    other_staff_consultation = consultation_draft(staff=staff, office=office)  # a draft
    assert (
        member_client.get(
            reverse("portal:consultation_detail", args=[other_staff_consultation.pk])
        ).status_code
        == 404
    )


def _bulk_answers(consultation, n, prefix, *, target=None):
    """``n`` opinions (spoken at the meeting: no member rows needed) with their items;
    every fourth is one that flowed in from the consultation meeting (no question). Once
    ``target`` (an opinion) is given, every third text is merged into it and every
    fifth set aside, as staff mark them while compiling."""
    M = AnswerItem.Mark
    answers = Answer.objects.bulk_create(
        [
            Answer(
                consultation=consultation,
                speaker=f"{prefix}{i}",
                source="activity" if i % 4 == 3 else "meeting",
            )
            for i in range(n)
        ],
        batch_size=500,
    )
    items = []
    questions = list(consultation.questions.all())
    for position, answer in enumerate(answers):
        if answer.source == "activity":
            items.append(AnswerItem(answer=answer, question=None, text="会上意见"))
            continue
        for question in questions:
            if question.is_choice:
                items.append(AnswerItem(answer=answer, question=question, choices=[position % 3]))
            elif target is not None and position % 3 == 0:
                items.append(
                    AnswerItem(
                        answer=answer,
                        question=question,
                        text="意见",
                        mark=M.MERGE,
                        merged_into=target,
                    )
                )
            elif target is not None and position % 5 == 0:
                items.append(
                    AnswerItem(
                        answer=answer,
                        question=question,
                        text="意见",
                        mark=M.SET_ASIDE,
                        set_aside_reason="不属于本次征求意见范围",
                    )
                )
            else:
                items.append(AnswerItem(answer=answer, question=question, text="意见"))
    AnswerItem.objects.bulk_create(items, batch_size=1000)


def test_answer_and_compilation_pages_read_the_same_at_10_and_5000_answers(
    staff, office, member, member_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    consultation = consultation_open(staff=staff, office=office)
    services.answer_submit(
        consultation=consultation, member=member, actor=member.user, values=values_for(consultation)
    )
    _bulk_answers(consultation, 9, "十")
    answer_url = reverse("portal:consultation_detail", args=[consultation.pk])
    compile_url = reverse("admin:consultations_consultation_compilation", args=[consultation.pk])

    def count(user, target):
        member_client.force_login(user)
        member_client.get(target)
        with CaptureQueriesContext(connection) as queries:
            response = member_client.get(target)
        assert response.status_code == 200
        return len(queries), response

    small = count(member.user, answer_url)[0], count(staff, compile_url)[0]
    # Collection closed: the page draws each opinion's marking form.
    services.consultation_close(consultation=consultation, actor=staff)
    target = AnswerItem.objects.filter(answer__member=member).exclude(text="").first()
    _bulk_answers(consultation, 4990, "千", target=target)
    answer_queries, _ = count(member.user, answer_url)
    compile_queries, page = count(staff, compile_url)
    assert (answer_queries, compile_queries) == small
    c = page.context["c"]
    assert len(c.answers) == 5000
    assert page.context["can_mark"] and c.merged > 1000 and c.set_aside > 300
    assert len(c.meeting.texts) == 1249
