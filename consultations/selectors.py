"""Reads for consultations, each a fixed number of queries whatever the number of
members and answers."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from liaison.dashboard import counts_by_office
from liaison.models import today

from .models import Answer, AnswerItem, Consultation, Question, Recipient

S = Consultation.Status


def _answered_by(member):
    return Exists(Answer.objects.filter(consultation=OuterRef("pk"), member=member))


def member_consultations(member):
    """The consultations the member was asked (newest first), each marked ``answered``."""
    return (
        Consultation.objects.filter(recipients__member=member)
        .exclude(status=S.DRAFT)
        .annotate(answered=_answered_by(member))
        .order_by("-opened_at", "-pk")
    )


def member_consultations_to_answer(member):
    """Open consultations the member was asked and has not answered, before the deadline
    (the home page's to-do; one query)."""
    return (
        member_consultations(member)
        .filter(status=S.OPEN, deadline__gte=today(), answered=False)
        .order_by("deadline", "pk")
    )


def member_consultation_detail(member, pk) -> Consultation:
    """A consultation the member was asked, with its questions, documents and the
    member's own answer (``my_answer``, its items in ``my_items`` by question pk).
    Raises ``Consultation.DoesNotExist`` for any other (another office's, a draft, one
    the member was not asked): the page answers 404."""
    consultation = (
        Consultation.objects.filter(recipients__member=member, pk=pk)
        .exclude(status=S.DRAFT)
        .select_related("office")
        .prefetch_related(
            "questions",
            "documents",
            Prefetch(
                "answers",
                Answer.objects.filter(member=member).prefetch_related("items"),
                to_attr="mine",
            ),
        )
        .get()
    )
    consultation.is_recipient = True
    consultation.my_answer = consultation.mine[0] if consultation.mine else None
    consultation.my_items = (
        {item.question_id: item for item in consultation.my_answer.items.all()}
        if consultation.my_answer
        else {}
    )
    return consultation


def non_answerers(consultation_ids):
    """Recipients of ``consultation_ids`` who have not answered, members' accounts
    loaded (for the reminders)."""
    return (
        Recipient.objects.filter(consultation_id__in=consultation_ids)
        .exclude(
            Exists(
                Answer.objects.filter(
                    consultation=OuterRef("consultation"), member=OuterRef("member")
                )
            )
        )
        .select_related("member__user")
        .order_by("pk")
    )


# --- Compilation -----------------------------------------------------------------------


@dataclass
class OptionCount:
    label: str
    count: int
    percent: int


@dataclass
class QuestionSummary:
    question: Question
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    texts: list[AnswerItem] = field(default_factory=list)


@dataclass
class Compilation:
    consultation: Consultation
    consulted: int
    answered_members: int
    other_speakers: int
    experts: int
    questions: list[QuestionSummary]
    answers: list[Answer]

    @property
    def answer_rate(self) -> int:
        return round(self.answered_members * 100 / self.consulted) if self.consulted else 0

    @property
    def adopted(self) -> int:
        return sum(1 for a in self.answers if a.outcome == Answer.Outcome.ADOPTED)


def compilation(consultation: Consultation) -> Compilation:
    """The answers grouped by question: for a choice item how many chose each option
    (and what share of those who answered it), for a free-text one every answer with
    its author. Four queries, however many answers."""
    counts = Recipient.objects.filter(consultation=consultation).aggregate(n=Count("pk"))
    answers = list(
        Answer.objects.filter(consultation=consultation)
        .select_related("member__sector", "expert")
        .order_by("submitted_at", "pk")
    )
    by_answer = {a.pk: a for a in answers}
    questions = list(consultation.questions.all())
    summaries = {q.pk: QuestionSummary(q) for q in questions}
    tallies = {q.pk: [0] * len(q.option_list) for q in questions}
    for item in AnswerItem.objects.filter(answer__consultation=consultation).order_by(
        "answer__submitted_at", "answer_id"
    ):
        summary = summaries.get(item.question_id)
        if summary is None:
            continue
        item.answer = by_answer[item.answer_id]
        summary.answered += 1
        if summary.question.is_choice:
            for position in item.choices:
                if 0 <= position < len(tallies[item.question_id]):
                    tallies[item.question_id][position] += 1
        elif item.text:
            summary.texts.append(item)
    for question in questions:
        summary = summaries[question.pk]
        total = summary.answered
        summary.options = [
            OptionCount(label, count, round(count * 100 / total) if total else 0)
            for label, count in zip(question.option_list, tallies[question.pk], strict=True)
        ]
    return Compilation(
        consultation=consultation,
        consulted=counts["n"],
        answered_members=sum(1 for a in answers if a.member_id),
        other_speakers=sum(1 for a in answers if a.speaker and not a.member_id),
        experts=sum(1 for a in answers if a.expert_id),
        questions=[summaries[q.pk] for q in questions],
        answers=answers,
    )


def office_consultation_counts(offices) -> dict:
    """Staff to-dos per office ({name: {office id: n}}, liaison.dashboard.Todo): open
    consultations past their deadline (to close), closed ones waiting for their summary,
    submitted ones waiting for their outcome; one query."""
    return counts_by_office(
        Consultation.objects.filter(office__in=offices),
        to_close=Count("pk", filter=Q(status=S.OPEN, deadline__lt=today())),
        to_compile=Count("pk", filter=Q(status=S.CLOSED)),
        to_feed_back=Count("pk", filter=Q(status=S.SUBMITTED)),
    )
