"""Writes for consultations (征求意见). Every move goes through
``liaison.workflow.transition`` on a locked row and leaves a timeline row; the messages
to members are written to the outbox in the same transaction (notifications.py). A
refusal raises ``WorkflowError`` with a sentence the page shows as is."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import today
from liaison.transactions import service
from liaison.workflow import WorkflowError, lock, record_creation, record_note, refuse, transition
from members.models import ActivityGroup, Member, PointRule
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
    groups: Iterable = (),
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
    groups = list(groups)
    refuse(audience_refusal(office, groups))
    refuse(meeting_refusal(office, meeting))
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
    consultation.groups.set(groups)
    consultation.chosen_members.set(chosen_members)
    record_creation(consultation, actor=actor)
    return consultation


def audience_refusal(office, groups) -> str | None:
    """Activity groups of another office cannot be consulted."""
    foreign = [g.name for g in groups if g.office_id != office.pk]
    if foreign:
        return _("活动组“%(names)s”不属于本联络处，不能作为征求对象。") % {
            "names": "、".join(foreign)
        }
    return None


def meeting_refusal(office, meeting) -> str | None:
    """The consultation meeting is a 协商议事 activity the office organises."""
    if meeting is None:
        return None
    if office.pk not in meeting.organising_office_ids():
        return _("协商议事会“%(title)s”不是本联络处主办的活动，请选择本联络处的协商议事会。") % {
            "title": meeting.title
        }
    if not meeting.kind.holds_consultations:
        return _("“%(title)s”是%(kind)s，不是协商议事活动，请选择类别为协商议事的活动。") % {
            "title": meeting.title,
            "kind": meeting.kind.name,
        }
    if meeting.status == meeting.Status.CANCELLED:
        return _("协商议事会“%(title)s”已取消，请选择其他活动。") % {"title": meeting.title}
    return None


def audience_members(consultation: Consultation):
    """The serving members of the office the audience names (a queryset)."""
    members = Member.objects.filter(office=consultation.office_id, status=Member.Status.SERVING)
    A = Consultation.Audience
    if consultation.audience == A.SECTORS:
        members = members.filter(sector__in=consultation.sectors.all())
    elif consultation.audience == A.GROUPS:
        members = members.filter(
            pk__in=ActivityGroup.members.through.objects.filter(
                activitygroup__in=consultation.groups.all()
            ).values("member_id")
        )
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
    consultation.recipient_count = Recipient.objects.filter(consultation=consultation).count()
    transition(
        consultation,
        workflow=WF,
        target=S.OPEN,
        actor=actor,
        note=note or _("向%(n)s位委员征求意见") % {"n": len(members)},
        update_fields=["opened_at", "recipient_count"],
    )
    notifications.consultation_opened(consultation, members)
    experts_invite(consultation=consultation, actor=actor)
    meeting_opinions_collect(consultation)
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
    transition(
        consultation, workflow=WF, target=S.CLOSED, actor=actor, actor_label=actor_label, note=note
    )
    meeting_opinions_collect(consultation)
    return consultation


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
    """The answer's items as ``items`` says, keeping each kept opinion's mark; an
    opinion withdrawn (its question now left empty) takes the opinions merged into it
    back to unmarked."""
    # Ordered by pk: the default order joins the (nullable) question, and PostgreSQL
    # does not lock the nullable side of an outer join.
    existing = {item.question_id: item for item in answer.items.order_by("pk").select_for_update()}
    create, update = [], []
    for question, text, choices in items:
        item = existing.pop(question.pk, None)
        if item is None:
            create.append(AnswerItem(answer=answer, question=question, text=text, choices=choices))
        else:
            item.text, item.choices = text, choices
            update.append(item)
    gone = [item.pk for item in existing.values()]
    if gone:
        AnswerItem.objects.filter(merged_into__in=gone).update(
            mark=AnswerItem.Mark.NONE, merged_into=None
        )
        AnswerItem.objects.filter(pk__in=gone).delete()
    AnswerItem.objects.bulk_update(update, ["text", "choices"])
    AnswerItem.objects.bulk_create(create)


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
        Answer.objects.given()
        .select_for_update()
        .filter(consultation=consultation, member=member)
        .first()
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
        added = Recipient.objects.get_or_create(consultation=consultation, member=member)[1]
        if added:
            Consultation.objects.filter(pk=consultation.pk).update(
                recipient_count=F("recipient_count") + 1
            )
        answer = (
            Answer.objects.given()
            .select_for_update()
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


# --- The consultation meeting's opinions ------------------------------------------------
# Opinions recorded at the consultation meeting (a 协商议事 activity, briefings.Opinion)
# flow into the consultation as they are recorded (briefings calls ``meeting_opinion_
# recorded`` through its hook, in the same transaction), and those recorded before the
# consultation opened are gathered when it opens and when it closes. Each becomes an
# answer of source 协商议事会意见 with one item and no question; the speaker is the
# member who raised it, if a member did.

COLLECTING = (S.OPEN, S.CLOSED)


def _meeting_answer(consultation: Consultation, opinion) -> Answer:
    answer = Answer.objects.create(
        consultation=consultation,
        member_id=opinion.member_id,
        speaker="" if opinion.member_id else _("与会人员"),
        source=Answer.Source.ACTIVITY,
        meeting_opinion=opinion,
        recorded_by_id=opinion.created_by_id,
    )
    text = f"{opinion.title}：{opinion.content}" if opinion.title else opinion.content
    AnswerItem.objects.create(answer=answer, question=None, text=text)
    return answer


def meeting_opinions_collect(consultation: Consultation) -> int:
    """Bring in the meeting's opinions not in the consultation yet (while it takes
    opinions: open or closed, until the summary is written). Returns how many came in.
    Runs inside the calling service's transaction."""
    if consultation.meeting_id is None or consultation.status not in COLLECTING:
        return 0
    from briefings.models import Opinion

    opinions = (
        Opinion.objects.filter(activity_id=consultation.meeting_id)
        .exclude(consultation_answers__consultation=consultation)
        .order_by("created_at", "pk")
    )
    added = [_meeting_answer(consultation, opinion) for opinion in opinions]
    if added:
        record_note(
            consultation,
            actor_label=_("系统"),
            note=_("协商议事会上的%(n)s条意见汇入本次征求意见") % {"n": len(added)},
        )
    return len(added)


def meeting_opinion_recorded(opinion) -> None:
    """briefings' hook: an opinion recorded at an activity flows into every consultation
    that names the activity as its meeting and still takes opinions."""
    for consultation in Consultation.objects.select_for_update().filter(
        meeting_id=opinion.activity_id, status__in=COLLECTING
    ):
        if not consultation.answers.filter(meeting_opinion=opinion).exists():
            _meeting_answer(consultation, opinion)
            record_note(
                consultation,
                actor_label=_("系统"),
                note=_("协商议事会上的1条意见汇入本次征求意见"),
            )


# --- Marking opinions while compiling (issue 18 item 3) --------------------------------


@service
def opinion_mark(
    *,
    consultation: Consultation,
    actor,
    item: AnswerItem,
    mark: str,
    merged_into: AnswerItem | None = None,
    reason: str = "",
) -> AnswerItem:
    """Mark one opinion for the summary: adopt it, merge it with another opinion of the
    same consultation (listed under that one), set it aside with a reason (left out and
    counted), or take the mark off. Refused with a sentence, nothing changed, for an
    opinion of another consultation, a merge into itself or into an opinion that is
    merged or set aside, and a set-aside without a reason."""
    M = AnswerItem.Mark
    consultation = lock(consultation)
    refuse(w.mark_refusal(consultation))
    if mark not in M.values:
        raise WorkflowError(_("标注不正确，请刷新页面后重试。"))
    item = (
        AnswerItem.objects.select_for_update()
        .order_by("pk")
        .filter(pk=item.pk, answer__consultation=consultation)
        .exclude(text="")
        .first()
    )
    if item is None:
        raise WorkflowError(_("该意见不属于本次征求意见，请刷新页面后重试。"))
    reason = (reason or "").strip()
    target = None
    if mark == M.MERGE:
        if merged_into is None:
            raise WorkflowError(_("请填写要并入的意见编号。"))
        if merged_into.pk == item.pk:
            raise WorkflowError(_("不能把意见并入它自己，请填写另一条意见的编号。"))
        target = (
            AnswerItem.objects.select_for_update()
            .order_by("pk")
            .filter(pk=merged_into.pk, answer__consultation=consultation)
            .exclude(text="")
            .first()
        )
        if target is None:
            raise WorkflowError(
                _("编号%(n)s的意见不属于本次征求意见，只能并入本次征求意见中的意见。")
                % {"n": merged_into.pk}
            )
        if target.mark == M.MERGE:
            raise WorkflowError(
                _("编号%(n)s的意见已并入编号%(m)s，请直接并入编号%(m)s。")
                % {"n": target.pk, "m": target.merged_into_id}
            )
        if target.mark == M.SET_ASIDE:
            raise WorkflowError(
                _("编号%(n)s的意见已不采入汇总，不能并入该意见。") % {"n": target.pk}
            )
    if mark == M.SET_ASIDE and not reason:
        raise WorkflowError(_("不采入汇总的意见须填写理由。"))
    if mark in (M.MERGE, M.SET_ASIDE):
        merged_here = item.merged.count()
        if merged_here:
            raise WorkflowError(
                _("已有%(n)s条意见并入本条，请先将它们改并入其他意见或取消合并。")
                % {"n": merged_here}
            )
    item.mark = mark
    item.merged_into = target
    item.set_aside_reason = reason if mark == M.SET_ASIDE else ""
    item.save(update_fields=["mark", "merged_into", "set_aside_reason"])
    return item


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
    # One message per member: their answer to the questions if they gave one, else what
    # they said at the meeting.
    by_member = {}
    for answer in sorted(answers, key=lambda a: a.from_meeting, reverse=True):
        by_member[answer.member_id] = answer
    notifications.outcome_fed_back(consultation, list(by_member.values()))
    return consultation
