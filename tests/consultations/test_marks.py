"""Marking opinions while compiling (issue 18 item 3): adopt, merge with another,
set aside with a reason; the summary groups merged ones under their target and leaves
set-aside ones out with a count. Bad marks are refused and change nothing."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.admin_steps import draft_summary
from consultations.models import AnswerItem, Consultation, Question
from consultations.selectors import compilation
from liaison.workflow import WorkflowError

from .helpers import consultation_open, values_for

pytestmark = [pytest.mark.django_db]
M = AnswerItem.Mark
ONE_TEXT = [(Question.Kind.TEXT, "您对改造范围有何意见？", "")]


def _closed_with_opinions(staff, office, member, other_member):
    consultation = consultation_open(staff=staff, office=office, questions=ONE_TEXT)
    services.answer_submit(
        consultation=consultation,
        member=member,
        actor=member.user,
        values=values_for(consultation, text="建议优先改造排水管网。"),
    )
    services.answer_submit(
        consultation=consultation,
        member=other_member,
        actor=other_member.user,
        values=values_for(consultation, text="排水管网应先于外墙改造。"),
    )
    services.answer_record(
        consultation=consultation,
        actor=staff,
        values=values_for(consultation, text="建议在小区门口增设快递柜。"),
        source="meeting",
        speaker="陈社区主任",
    )
    services.consultation_close(consultation=consultation, actor=staff)
    first, second, off_topic = AnswerItem.objects.filter(
        answer__consultation=consultation
    ).order_by("answer__submitted_at", "pk")
    return consultation, first, second, off_topic


def test_summary_lists_merged_opinions_under_their_target_and_counts_those_set_aside(
    staff, office, member, other_member
):
    consultation, first, second, off_topic = _closed_with_opinions(
        staff, office, member, other_member
    )
    services.opinion_mark(consultation=consultation, actor=staff, item=first, mark=M.ADOPT)
    services.opinion_mark(
        consultation=consultation, actor=staff, item=second, mark=M.MERGE, merged_into=first
    )
    services.opinion_mark(
        consultation=consultation,
        actor=staff,
        item=off_topic,
        mark=M.SET_ASIDE,
        reason="不属于本次改造范围，已转社区办理。",
    )
    c = compilation(Consultation.objects.get(pk=consultation.pk))
    (summary,) = c.questions
    assert [(e.item.pk, [m.pk for m in e.merged]) for e in summary.entries] == [
        (first.pk, [second.pk])
    ]
    assert (summary.set_aside, c.merged, c.set_aside) == (1, 1, 1)
    text = draft_summary(consultation)
    assert (
        "— 建议优先改造排水管网。（唐朝阳）\n      同类意见：排水管网应先于外墙改造。（黄德军）"
        in text
    )
    assert "快递柜" not in text
    assert "另有1条意见经研究不采入汇总" in text


def test_staff_mark_an_opinion_from_the_compilation_page_and_return_to_it(
    staff, staff_client, office, member, other_member
):
    consultation, first, second, _off = _closed_with_opinions(staff, office, member, other_member)
    page_url = reverse("admin:consultations_consultation_compilation", args=[consultation.pk])
    page = staff_client.get(page_url)
    assert "保存标注" in page.text
    step = reverse("admin:consultations_consultation_step", args=[consultation.pk, "mark"])
    response = staff_client.post(
        step,
        {"item": second.pk, "mark": "merge", "merged_into": first.pk, "next": page_url},
    )
    assert response.status_code == 302 and response.url == page_url
    second.refresh_from_db()
    assert (second.mark, second.merged_into_id) == (M.MERGE, first.pk)
    assert f"并入编号{first.pk}" in staff_client.get(page_url).text


@pytest.mark.parametrize(
    "case, message",
    [
        ("self", "不能把意见并入它自己"),
        ("foreign", "只能并入本次征求意见中的意见"),
        ("no_reason", "须填写理由"),
        ("into_merged", "请直接并入"),
    ],
)
def test_bad_marks_are_refused_with_a_message_and_change_nothing(
    staff, staff_client, office, member, other_member, case, message
):
    consultation, first, second, off_topic = _closed_with_opinions(
        staff, office, member, other_member
    )
    services.opinion_mark(
        consultation=consultation, actor=staff, item=second, mark=M.MERGE, merged_into=first
    )
    other = consultation_open(staff=staff, office=office, questions=ONE_TEXT, title="另一事项")
    services.answer_submit(
        consultation=other, member=member, actor=member.user, values=values_for(other)
    )
    foreign = AnswerItem.objects.get(answer__consultation=other)
    data = {
        "self": {"item": first.pk, "mark": "merge", "merged_into": first.pk},
        "foreign": {"item": first.pk, "mark": "merge", "merged_into": foreign.pk},
        "no_reason": {"item": off_topic.pk, "mark": "set_aside", "reason": "  "},
        "into_merged": {"item": off_topic.pk, "mark": "merge", "merged_into": second.pk},
    }[case]
    before = list(
        AnswerItem.objects.order_by("pk").values_list(
            "pk", "mark", "merged_into", "set_aside_reason"
        )
    )
    step = reverse("admin:consultations_consultation_step", args=[consultation.pk, "mark"])
    response = staff_client.post(step, data)
    assert response.status_code == 200
    assert message in response.text
    after = list(
        AnswerItem.objects.order_by("pk").values_list(
            "pk", "mark", "merged_into", "set_aside_reason"
        )
    )
    assert after == before


def test_an_opinion_others_are_merged_into_cannot_be_set_aside(staff, office, member, other_member):
    consultation, first, second, _off = _closed_with_opinions(staff, office, member, other_member)
    services.opinion_mark(
        consultation=consultation, actor=staff, item=second, mark=M.MERGE, merged_into=first
    )
    with pytest.raises(WorkflowError, match="已有1条意见并入本条"):
        services.opinion_mark(
            consultation=consultation, actor=staff, item=first, mark=M.SET_ASIDE, reason="重复"
        )
    first.refresh_from_db()
    assert first.mark == M.NONE


def test_opinions_are_marked_only_between_closing_and_submitting(staff, office, member):
    consultation = consultation_open(staff=staff, office=office, questions=ONE_TEXT)
    services.answer_submit(
        consultation=consultation, member=member, actor=member.user, values=values_for(consultation)
    )
    item = AnswerItem.objects.get()
    with pytest.raises(WorkflowError, match="截止收集后才能标注意见"):
        services.opinion_mark(consultation=consultation, actor=staff, item=item, mark=M.ADOPT)
    item.refresh_from_db()
    assert item.mark == M.NONE


def test_a_member_editing_an_answer_keeps_its_mark(staff, office, member, other_member):
    consultation, first, _second, _off = _closed_with_opinions(staff, office, member, other_member)
    services.opinion_mark(consultation=consultation, actor=staff, item=first, mark=M.ADOPT)
    # Staff re-key the member's paper answer after the deadline: the opinion keeps its mark.
    services.answer_record(
        consultation=consultation,
        actor=staff,
        member=member,
        source="paper",
        values=values_for(consultation, text="建议优先改造排水管网（书面补充）。"),
    )
    first.refresh_from_db()
    assert (first.text, first.mark) == ("建议优先改造排水管网（书面补充）。", M.ADOPT)
