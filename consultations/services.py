"""Writes for consultations (征求意见). Every move goes through
``liaison.workflow.transition`` on a locked row and leaves a timeline row; the messages
to members are written to the outbox in the same transaction (notifications.py). A
refusal raises ``WorkflowError`` with a sentence the page shows as is."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import today
from liaison.transactions import service
from liaison.workflow import WorkflowError, lock, record_creation, record_note, refuse, transition
from members.models import Member, PointRule
from members.points import points_award
from members.selectors import acting_member, actor_is_staff

from . import notifications
from . import workflows as w
from .models import Answer, AnswerItem, Consultation, Expert, Question, Recipient

S = Consultation.Status
WF = w.CONSULTATION_WORKFLOW


@service
def consultation_create(
    *,
    actor,
    office,
    title: str,
    summary: str,
    deadline: datetime.date,
    audience: str = Consultation.Audience.ALL,
    sectors: Iterable = (),
    chosen_members: Iterable[Member] = (),
    requested_by: str = "街道党工委",
    meeting=None,
    reminder_working_days: int = 2,
    anonymous: bool = False,
) -> Consultation:
    """A draft consultation; its questions and documents are added before it opens."""
    if deadline < today():
        raise WorkflowError(_("截止日期不能早于今天。"))
    chosen_members = list(chosen_members)
    foreign = [m.name for m in chosen_members if m.office_id != office.pk]
    if foreign:
        raise WorkflowError(
            _("%(names)s 不属于本联络处，不能作为征求对象。") % {"names": "、".join(foreign)}
        )
    if meeting is not None and meeting.office_id != office.pk:
        raise WorkflowError(_("协商议事会须由本联络处主办。"))
    consultation = Consultation.objects.create(
        office=office,
        title=title,
        summary=summary,
        deadline=deadline,
        audience=audience,
        requested_by=requested_by,
        meeting=meeting,
        reminder_working_days=reminder_working_days,
        anonymous=anonymous,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    consultation.sectors.set(sectors)
    consultation.chosen_members.set(chosen_members)
    record_creation(consultation, actor=actor)
    return consultation


def audience_members(consultation: Consultation):
    """The serving members of the office the audience names (a queryset)."""
    members = Member.objects.filter(office=consultation.office_id, status=Member.Status.SERVING)
    A = Consultation.Audience
    if consultation.audience == A.SECTORS:
        members = members.filter(sector__in=consultation.sectors.all())
    elif consultation.audience == A.CHOSEN:
        members = members.filter(pk__in=consultation.chosen_members.values("pk"))
    return members


@service
def consultation_open(*, consultation: Consultation, actor, note: str = "") -> Consultation:
    """Send the consultation to its audience: the recipients are written and each is
    asked for their opinion by the deadline."""
    consultation = lock(consultation)
    refuse(w.open_refusal(consultation))
    members = list(audience_members(consultation).select_related("user"))
    if not members:
        raise WorkflowError(_("征求对象中没有在任委员，请调整征求对象。"))
    Recipient.objects.bulk_create(
        [Recipient(consultation=consultation, member=m) for m in members],
        ignore_conflicts=True,
        batch_size=500,
    )
    consultation.opened_at = timezone.now()
    transition(
        consultation,
        workflow=WF,
        target=S.OPEN,
        actor=actor,
        note=note or _("向%(n)s位委员征求意见") % {"n": len(members)},
        update_fields=["opened_at"],
    )
    notifications.consultation_opened(consultation, members)
    experts_invite(consultation=consultation, actor=actor)
    return consultation


@service
def experts_invite(*, consultation: Consultation, actor) -> int:
    """E-mail each invited expert not yet invited their signed link (when the
    consultation opens, and for experts added while it is open)."""
    consultation = Consultation.objects.select_related("office").get(pk=consultation.pk)
    refuse(w.answer_refusal(consultation))
    invited = 0
    for expert in consultation.experts.filter(invited_at__isnull=True).select_for_update():
        notifications.expert_invited(consultation, expert)
        expert.invited_at = timezone.now()
        expert.save(update_fields=["invited_at"])
        invited += 1
    if invited:
        record_note(consultation, actor=actor, note=_("向%(n)s位特邀专家发出邀请") % {"n": invited})
    return invited


@service
def expert_answer(
    *, consultation: Consultation, expert: Expert, values: dict, attachment=None, edit=False
) -> Answer:
    """An invited expert's opinion through their signed link, editable until the
    deadline like a member's."""
    consultation = Consultation.objects.get(pk=consultation.pk)
    if expert.consultation_id != consultation.pk:
        raise WorkflowError(_("链接无效，请使用邮件中的完整链接。"))
    refuse(w.answer_refusal(consultation))
    items = _clean_items(consultation, values)
    existing = (
        Answer.objects.select_for_update().filter(consultation=consultation, expert=expert).first()
    )
    if existing is not None and not edit:
        raise WorkflowError(_("您已提交过意见，请在原意见上修改。"))
    answer = existing or Answer(
        consultation=consultation, expert=expert, source=Answer.Source.EXPERT
    )
    if attachment:
        answer.attachment = attachment
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as error:
        raise WorkflowError(_("您已提交过意见，请在原意见上修改。")) from error
    _write_items(answer, items)
    if existing is None:
        record_note(
            consultation,
            actor_label=str(expert),
            note=_("特邀专家%(name)s提交了意见") % {"name": expert.name},
        )
    return answer


@service
def consultation_close(
    *, consultation: Consultation, actor=None, actor_label: str = "", note: str = ""
) -> Consultation:
    """Stop taking answers (staff, early; or the sweep, the day after the deadline)."""
    consultation = lock(consultation)
    return transition(
        consultation, workflow=WF, target=S.CLOSED, actor=actor, actor_label=actor_label, note=note
    )


# --- Answers ---------------------------------------------------------------------------


def _clean_items(consultation: Consultation, values: dict) -> list[tuple[Question, str, list]]:
    """``values`` maps each question's pk to the text (free text) or the chosen option
    positions (choice items). Returns (question, text, choices) for every question
    answered; refuses an option that does not exist, two options on a single choice,
    and a required question left empty."""
    cleaned = []
    for question in consultation.questions.all():
        value = values.get(question.pk)
        text, choices = "", []
        if question.is_choice:
            raw = (
                value
                if isinstance(value, (list, tuple))
                else ([] if value in (None, "") else [value])
            )
            count = len(question.option_list)
            for item in raw:
                try:
                    position = int(item)
                except (TypeError, ValueError):
                    position = -1
                if not 0 <= position < count:
                    raise WorkflowError(
                        _("“%(q)s”没有所选的选项，请刷新页面后重新选择。") % {"q": question.text}
                    )
                if position not in choices:
                    choices.append(position)
            if question.kind == Question.Kind.SINGLE and len(choices) > 1:
                raise WorkflowError(_("“%(q)s”只能选一项。") % {"q": question.text})
            choices.sort()
        else:
            text = (value or "").strip() if isinstance(value, str) else ""
        if question.required and not (text or choices):
            raise WorkflowError(_("请回答“%(q)s”。") % {"q": question.text})
        if text or choices:
            cleaned.append((question, text, choices))
    if not cleaned:
        raise WorkflowError(_("请至少回答一个问题。"))
    return cleaned


def _write_items(answer: Answer, items) -> None:
    answer.items.all().delete()
    AnswerItem.objects.bulk_create(
        [
            AnswerItem(answer=answer, question=q, text=text, choices=choices)
            for q, text, choices in items
        ]
    )


@service
def answer_submit(
    *,
    consultation: Consultation,
    member: Member,
    actor,
    values: dict,
    attachment=None,
    edit: bool = False,
) -> Answer:
    """A member's opinion in the portal, editable until the deadline: ``edit`` says the
    member is changing the answer they gave (a second new answer is refused)."""
    if not actor_is_staff(actor):
        acting = acting_member(actor)
        if acting is None or acting.pk != member.pk:
            raise WorkflowError(_("只能以本人名义提交意见。"))
    consultation = Consultation.objects.get(pk=consultation.pk)
    refuse(w.answer_refusal(consultation))
    if not Recipient.objects.filter(consultation=consultation, member=member).exists():
        raise WorkflowError(_("本次征求意见未向您征求，不能提交意见。"))
    items = _clean_items(consultation, values)
    # Lock the member's answer (if any), so a double tap cannot write two.
    existing = (
        Answer.objects.select_for_update().filter(consultation=consultation, member=member).first()
    )
    if existing is not None and not edit:
        raise WorkflowError(_("您已提交过意见，请在原意见上修改。"))
    if existing is None:
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    consultation=consultation,
                    member=member,
                    source=Answer.Source.PORTAL,
                    attachment=attachment or "",
                )
        except IntegrityError as error:
            raise WorkflowError(_("您已提交过意见，请在原意见上修改。")) from error
        record_note(consultation, actor=actor, note=_("%(name)s提交了意见") % {"name": member.name})
    else:
        answer = existing
        if attachment:
            answer.attachment = attachment
        answer.save()
    _write_items(answer, items)
    notifications.answer_given(consultation, member)
    return answer


@service
def answer_record(
    *,
    consultation: Consultation,
    actor,
    values: dict,
    source: str,
    member: Member | None = None,
    speaker: str = "",
    attachment=None,
) -> Answer:
    """Staff record an opinion given on paper or at the consultation meeting: for a
    member of the office (it replaces that member's answer, if any), or for a speaker
    who is not a member."""
    consultation = Consultation.objects.get(pk=consultation.pk)
    refuse(w.record_refusal(consultation))
    speaker = (speaker or "").strip()
    if member is None and not speaker:
        raise WorkflowError(_("请选择委员，或填写发言人。"))
    if member is not None and member.office_id != consultation.office_id:
        raise WorkflowError(_("%(name)s 不属于本联络处。") % {"name": member.name})
    items = _clean_items(consultation, values)
    answer = None
    if member is not None:
        Recipient.objects.get_or_create(consultation=consultation, member=member)
        answer = (
            Answer.objects.select_for_update()
            .filter(consultation=consultation, member=member)
            .first()
        )
    if answer is None:
        answer = Answer(consultation=consultation, member=member)
    answer.speaker = "" if member is not None else speaker
    answer.source = source
    answer.recorded_by = actor if getattr(actor, "pk", None) else None
    if attachment:
        answer.attachment = attachment
    answer.save()
    _write_items(answer, items)
    record_note(
        consultation,
        actor=actor,
        note=_("工作人员录入%(name)s的意见（%(source)s）")
        % {"name": answer.author, "source": answer.get_source_display()},
    )
    if member is not None:
        notifications.answer_given(consultation, member)
    return answer


# --- Compilation, submission, outcome --------------------------------------------------


@service
def consultation_compile(
    *, consultation: Consultation, actor, compiled_summary: str, recommendations: str = ""
) -> Consultation:
    """The summary of the opinions (征求意见情况汇总) and the office's recommendations."""
    consultation = lock(consultation)
    if not (compiled_summary or "").strip():
        raise WorkflowError(_("请填写意见汇总。"))
    consultation.compiled_summary = compiled_summary.strip()
    consultation.recommendations = (recommendations or "").strip()
    return transition(
        consultation,
        workflow=WF,
        target=S.COMPILED,
        actor=actor,
        update_fields=["compiled_summary", "recommendations"],
    )


@service
def consultation_submit(
    *, consultation: Consultation, actor, submitted_on: datetime.date, note: str = ""
) -> Consultation:
    """The summary is sent to the street party working committee."""
    consultation = lock(consultation)
    if submitted_on > today():
        raise WorkflowError(_("报送日期不能晚于今天。"))
    consultation.submitted_on = submitted_on
    return transition(
        consultation,
        workflow=WF,
        target=S.SUBMITTED,
        actor=actor,
        note=note,
        update_fields=["submitted_on"],
    )


@service
def consultation_record_outcome(
    *,
    consultation: Consultation,
    actor,
    decision: str,
    decided_on: datetime.date,
    outcomes: dict[int, tuple[str, str]],
) -> Consultation:
    """What the committee or the street office decided, and for each opinion whether
    it was adopted (fully, partly, or noted) with a sentence for its author."""
    consultation = lock(consultation)
    refuse(w.outcome_refusal(consultation))
    if not (decision or "").strip():
        raise WorkflowError(_("请填写决策结果。"))
    if decided_on > today():
        raise WorkflowError(_("决策日期不能晚于今天。"))
    consultation.decision = decision.strip()
    consultation.decided_on = decided_on
    consultation.save(update_fields=["decision", "decided_on"])
    answers = {a.pk: a for a in consultation.answers.select_for_update()}
    changed = []
    for pk, (outcome, note) in outcomes.items():
        answer = answers.get(pk)
        if answer is None:
            raise WorkflowError(_("意见不属于本次征求意见，请刷新页面后重试。"))
        if outcome and outcome not in Answer.Outcome.values:
            raise WorkflowError(_("采纳情况不正确。"))
        answer.outcome, answer.outcome_note = outcome or "", (note or "").strip()
        changed.append(answer)
    Answer.objects.bulk_update(changed, ["outcome", "outcome_note"], batch_size=500)
    record_note(consultation, actor=actor, note=_("登记决策结果和意见采纳情况"))
    return consultation


@service
def consultation_feed_back(*, consultation: Consultation, actor, note: str = "") -> Consultation:
    """Each member who answered is told what became of their opinion."""
    consultation = lock(consultation)
    refuse(w.feed_back_refusal(consultation))
    transition(consultation, workflow=WF, target=S.FED_BACK, actor=actor, note=note)
    answers = list(consultation.answers.filter(member__isnull=False).select_related("member__user"))
    # An opinion adopted fully or in part earns its member the configurable points.
    for answer in answers:
        if answer.outcome in (Answer.Outcome.ADOPTED, Answer.Outcome.PARTLY):
            points_award(
                member=answer.member,
                kind=PointRule.Kind.CONSULTATION_ADOPTED,
                occurred_on=consultation.decided_on or today(),
                source=answer,
                actor=actor,
                description=_("征求意见“%(title)s”被采纳") % {"title": consultation.title},
            )
    notifications.outcome_fed_back(consultation, answers)
    return consultation
