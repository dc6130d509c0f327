"""The allowed moves of a consultation (征求意见): drafted by staff, opened to its
audience until the deadline, closed, compiled into a summary, submitted to the street
party working committee, and each member told what became of their opinion."""

from django.utils.translation import gettext as _

from liaison.models import today
from liaison.workflow import Workflow

from .models import Answer, Consultation, long_date

S = Consultation.Status

CONSULTATION_WORKFLOW = Workflow(
    S,
    {
        S.DRAFT: (S.OPEN,),
        S.OPEN: (S.CLOSED,),
        S.CLOSED: (S.COMPILED,),
        # A summary may be rewritten (compiled again) until it is submitted.
        S.COMPILED: (S.COMPILED, S.SUBMITTED),
        S.SUBMITTED: (S.FED_BACK,),
    },
)


# --- Guards ----------------------------------------------------------------------------
# Each returns the sentence a refused person reads, or None. The services raise it; the
# actions table asks the same question to decide which buttons to show.


def open_refusal(consultation: Consultation) -> str | None:
    reason = CONSULTATION_WORKFLOW.refusal(consultation.status, S.OPEN)
    if reason:
        return reason
    if consultation.deadline < today():
        return _("截止日期已过，请先修改截止日期。")
    if not consultation.questions.exists():
        return _("请至少设置一个问题。")
    A = Consultation.Audience
    if consultation.audience == A.SECTORS and not consultation.sectors.exists():
        return _("请选择要征求意见的界别。")
    if consultation.audience == A.CHOSEN and not consultation.chosen_members.exists():
        return _("请选择要征求意见的委员。")
    for question in consultation.questions.all():
        if question.is_choice and len(question.option_list) < 2:
            return _("选择题“%(q)s”至少需要两个选项。") % {"q": question.text}
    return None


def answer_refusal(consultation: Consultation) -> str | None:
    """A member (or staff for them) may answer while it is open, until the deadline."""
    if consultation.status != S.OPEN:
        return _("本次征求意见当前状态为“%(s)s”，不再接收意见。") % {
            "s": consultation.get_status_display()
        }
    if today() > consultation.deadline:
        return _("本次征求意见已于%(d)s截止，不再接收意见。") % {
            "d": long_date(consultation.deadline)
        }
    return None


def record_refusal(consultation: Consultation) -> str | None:
    """Staff record paper and meeting opinions while open and after the deadline, until
    the summary is written (a paper answer may arrive the day after)."""
    if consultation.status not in (S.OPEN, S.CLOSED):
        return _("意见汇总后不能再录入意见。")
    return None


def mark_refusal(consultation: Consultation) -> str | None:
    """Opinions are marked while the summary is being written: once collection has
    closed, until the summary goes to the committee."""
    if consultation.status not in (S.CLOSED, S.COMPILED):
        if consultation.status in (S.DRAFT, S.OPEN):
            return _("截止收集后才能标注意见。")
        return _("意见汇总已报送，不能再修改标注。")
    return None


def feed_back_refusal(consultation: Consultation) -> str | None:
    reason = CONSULTATION_WORKFLOW.refusal(consultation.status, S.FED_BACK)
    if reason:
        return reason
    if not consultation.decision.strip():
        return _("请先登记决策结果。")
    missing = consultation.answers.filter(member__isnull=False, outcome="").count()
    if missing:
        return _("还有%(n)s条委员意见未标明采纳情况。") % {"n": missing}
    return None


def outcome_refusal(consultation: Consultation) -> str | None:
    if consultation.status != S.SUBMITTED:
        return _("报送后才能登记决策结果和采纳情况。")
    return None


OUTCOMES = dict(Answer.Outcome.choices)
