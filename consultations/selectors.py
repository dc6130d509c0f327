"""Reads for consultations, each a fixed number of queries whatever the number of
members and answers."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum

from liaison.dashboard import counts_by_office
from liaison.models import today
from liaison.selectors import on_days

from .models import Answer, AnswerItem, Consultation, Question, Recipient

S = Consultation.Status


def _answered_by(member):
    return Exists(Answer.objects.given().filter(consultation=OuterRef("pk"), member=member))


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
                Answer.objects.given().filter(member=member).prefetch_related("items"),
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
                Answer.objects.given().filter(
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
class Entry:
    """An opinion in the summary, with the opinions merged into it."""

    item: AnswerItem
    merged: list[AnswerItem] = field(default_factory=list)


@dataclass
class QuestionSummary:
    """A question's answers, or (``question`` None) the consultation meeting's opinions.
    ``texts``: every opinion (the compilation page); ``entries``: what the summary
    lists — opinions not merged or set aside, each with those merged into it;
    ``set_aside``: how many the summary leaves out."""

    question: Question | None
    answered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    texts: list[AnswerItem] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    set_aside: int = 0

    @property
    def listed(self) -> int:
        """Opinions the summary lists, merged ones included."""
        return sum(1 + len(e.merged) for e in self.entries)


@dataclass
class Compilation:
    consultation: Consultation
    consulted: int
    answered_members: int
    other_speakers: int
    experts: int
    questions: list[QuestionSummary]
    answers: list[Answer]
    meeting: QuestionSummary = field(default_factory=lambda: QuestionSummary(None))

    @property
    def answer_rate(self) -> int:
        return round(self.answered_members * 100 / self.consulted) if self.consulted else 0

    @property
    def adopted(self) -> int:
        return sum(1 for a in self.answers if a.outcome == Answer.Outcome.ADOPTED)

    @property
    def opinion_count(self) -> int:
        return sum(len(q.texts) for q in self.questions) + len(self.meeting.texts)

    @property
    def set_aside(self) -> int:
        return sum(q.set_aside for q in self.questions) + self.meeting.set_aside

    @property
    def merged(self) -> int:
        return sum(len(e.merged) for q in [*self.questions, self.meeting] for e in q.entries)


def _group(summaries: list[QuestionSummary]) -> None:
    """Fill each summary's ``entries`` and ``set_aside`` from the opinions' marks: a
    merged opinion is listed under its target, wherever the target is."""
    M = AnswerItem.Mark
    merged: dict[int, list[AnswerItem]] = {}
    for summary in summaries:
        for item in summary.texts:
            if item.mark == M.MERGE:
                merged.setdefault(item.merged_into_id, []).append(item)
    for summary in summaries:
        for item in summary.texts:
            if item.mark == M.SET_ASIDE:
                summary.set_aside += 1
            elif item.mark != M.MERGE:
                summary.entries.append(Entry(item, merged.get(item.pk, [])))


def compilation(consultation: Consultation) -> Compilation:
    """The answers grouped by question: for a choice item how many chose each option
    (and what share of those who answered it), for a free-text one every answer with
    its author; then the consultation meeting's opinions. Four queries, however many
    answers."""
    counts = Recipient.objects.filter(consultation=consultation).aggregate(n=Count("pk"))
    answers = list(
        Answer.objects.filter(consultation=consultation)
        .select_related("member__sector", "expert")
        .order_by("submitted_at", "pk")
    )
    by_answer = {a.pk: a for a in answers}
    questions = list(consultation.questions.all())
    summaries = {q.pk: QuestionSummary(q) for q in questions}
    meeting = QuestionSummary(None)
    tallies = {q.pk: [0] * len(q.option_list) for q in questions}
    for item in AnswerItem.objects.filter(answer__consultation=consultation).order_by(
        "answer__submitted_at", "answer_id"
    ):
        if item.answer_id not in by_answer:  # written since the answers were read
            continue
        item.answer = by_answer[item.answer_id]
        if item.question_id is None:
            if item.text:
                meeting.answered += 1
                meeting.texts.append(item)
            continue
        summary = summaries.get(item.question_id)
        if summary is None:
            continue
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
    _group([*summaries.values(), meeting])
    given = [a for a in answers if not a.from_meeting]
    return Compilation(
        consultation=consultation,
        consulted=counts["n"],
        answered_members=len({a.member_id for a in given if a.member_id}),
        other_speakers=sum(1 for a in given if a.speaker and not a.member_id),
        experts=sum(1 for a in given if a.expert_id),
        questions=[summaries[q.pk] for q in questions],
        answers=answers,
        meeting=meeting,
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


# --- Numbers that count (issue 18 item 5) ----------------------------------------------


@dataclass
class ConsultationNumbers:
    """An office's consultations over a period: how many were run (sent out), how many
    members were consulted and answered, and of the opinions whose outcome the committee
    decided, how many were adopted (fully or in part)."""

    run: int = 0
    consulted: int = 0
    answered: int = 0
    decided_opinions: int = 0
    adopted: int = 0

    @property
    def answer_rate(self) -> int:
        return round(self.answered * 100 / self.consulted) if self.consulted else 0

    @property
    def adoption_rate(self) -> int:
        return round(self.adopted * 100 / self.decided_opinions) if self.decided_opinions else 0

    def as_dict(self) -> dict:
        return {
            "run": self.run,
            "consulted": self.consulted,
            "answered": self.answered,
            "answer_rate": self.answer_rate,
            "decided_opinions": self.decided_opinions,
            "adopted": self.adopted,
            "adoption_rate": self.adoption_rate,
        }


def consultations_run(office_ids, start, end):
    """Consultations of the offices sent out between ``start`` and ``end`` (dates,
    inclusive; the office's time zone)."""
    return Consultation.objects.filter(
        on_days("opened_at", start, end), office__in=list(office_ids)
    ).exclude(status=S.DRAFT)


def consultation_numbers(office_ids, start, end) -> dict[int, ConsultationNumbers]:
    """``ConsultationNumbers`` per office id (every office asked, zeros included):
    two grouped queries, whatever the number of offices, consultations or answers."""
    office_ids = list(office_ids)
    numbers = {pk: ConsultationNumbers() for pk in office_ids}
    run = consultations_run(office_ids, start, end)
    for office_id, n, consulted in (
        run.order_by()
        .values_list("office")
        .annotate(n=Count("pk"), consulted=Sum("recipient_count"))
    ):
        numbers[office_id].run, numbers[office_id].consulted = n, consulted
    A = Answer.Outcome
    rows = (
        Answer.objects.filter(consultation__in=run.values("pk"))
        .order_by()
        .values("consultation__office")
        .annotate(
            answered=Count(
                "pk", filter=Q(member__isnull=False) & ~Q(source=Answer.Source.ACTIVITY)
            ),
            decided=Count("pk", filter=Q(consultation__decided_on__isnull=False)),
            adopted=Count(
                "pk",
                filter=Q(consultation__decided_on__isnull=False, outcome__in=[A.ADOPTED, A.PARTLY]),
            ),
        )
    )
    for row in rows:
        n = numbers[row["consultation__office"]]
        n.answered, n.decided_opinions, n.adopted = row["answered"], row["decided"], row["adopted"]
    return numbers
