"""Building consultations for the tests through the services, as staff would."""

import datetime

from consultations import services
from consultations.models import Question
from liaison.models import today


def consultation_draft(*, staff, office, questions=None, deadline=None, **kwargs):
    consultation = services.consultation_create(
        actor=staff,
        office=office,
        title=kwargs.pop("title", "老旧小区改造实施方案（征求意见稿）"),
        summary=kwargs.pop("summary", "街道拟对建成于2000年以前的12个小区实施改造。"),
        deadline=deadline or today() + datetime.timedelta(days=10),
        **kwargs,
    )
    for position, (kind, text, options) in enumerate(
        questions
        or [
            (Question.Kind.TEXT, "您对改造范围有何意见？", ""),
            (Question.Kind.TEXT, "您对资金筹措有何建议？", ""),
            (Question.Kind.SINGLE, "是否赞成加装电梯？", "赞成\n不赞成\n视情况而定"),
        ]
    ):
        Question.objects.create(
            consultation=consultation, position=position, kind=kind, text=text, options=options
        )
    return consultation


def consultation_open(*, staff, office, **kwargs):
    consultation = consultation_draft(staff=staff, office=office, **kwargs)
    return services.consultation_open(consultation=consultation, actor=staff)


def values_for(consultation, *, text="建议优先改造排水管网。", choice=0) -> dict:
    values = {}
    for question in consultation.questions.all():
        values[question.pk] = [choice] if question.is_choice else text
    return values
