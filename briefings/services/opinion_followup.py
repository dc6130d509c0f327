"""An opinion taken further: turned into a proposal or a concern routed to a unit, and the
note that says what became of it."""

from django.utils.translation import gettext as _

from liaison.transactions import service
from liaison.workflow import (
    lock,
    record_note,
    refuse,
    transition,
)
from members.models import Member
from proposals.services import proposal_create
from visits.models import Concern
from visits.services import concern_assign, concern_create

from .. import notifications, workflows
from ..models import (
    Activity,
    Invitation,
    Opinion,
)
from ..workflows import OPINION_WORKFLOW

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance


@service
def opinion_to_proposal(
    *,
    opinion: Opinion,
    actor,
    title: str,
    category,
    reasons: str = "",
    suggestions: str = "",
) -> Opinion:
    """Turn a member's opinion into a proposal draft in their name (they complete and
    submit it in the portal). The draft and the opinion point at each other."""
    opinion = lock(opinion)
    refuse(workflows.to_proposal_refusal(opinion))
    member = Member.objects.select_related("office", "term", "user").get(pk=opinion.member_id)
    activity = opinion.activity
    proposal = proposal_create(
        actor=actor,
        office=member.office,
        title=(title or opinion.title or opinion.content[:60]).strip()[:200],
        reasons=(reasons or opinion.content).strip(),
        suggestions=(suggestions or opinion.content).strip(),
        category=category,
        lead_member=member,
    )
    record_note(
        proposal,
        actor=actor,
        note=_("由“%(activity)s”上收集的意见建议转为提案草稿") % {"activity": activity.title},
    )
    opinion.proposal = proposal
    opinion.member = member
    transition(
        opinion,
        workflow=OPINION_WORKFLOW,
        target=Opinion.Status.PROPOSAL,
        actor=actor,
        note=_("转为提案草稿《%(t)s》") % {"t": proposal.title},
        update_fields=["proposal"],
    )
    notifications.opinion_became_proposal(opinion)
    return opinion


@service
def opinion_to_concern(
    *,
    opinion: Opinion,
    actor,
    title: str = "",
    content: str = "",
    category=None,
    unit=None,
) -> Opinion:
    """Turn an opinion into a concern (意见建议) handled by the visits workflow, with
    the activity named as its source; given a street department, it is assigned there
    at once (DOMAIN.md: a problem within the street's duties goes to the department
    concerned, to be done within a time limit). The two point at each other."""
    opinion = lock(opinion)
    OPINION_WORKFLOW.check(opinion.status, Opinion.Status.CONCERN)
    activity = Activity.objects.select_related("office").get(pk=opinion.activity_id)
    member = (
        Member.objects.select_related("office").get(pk=opinion.member_id)
        if opinion.member_id
        else None
    )
    # A member of a co-organising office: the concern belongs to their own office.
    office = member.office if member is not None else activity.office
    concern = concern_create(
        actor=actor,
        office=office,
        member=member,
        title=(title or opinion.title or opinion.content[:60]).strip(),
        content=(content or opinion.content).strip(),
        source=Concern.Source.BRIEFING,
        source_label=f"{activity.title}（{activity.date:%Y-%m-%d}）",
        category=category,
    )
    if unit is not None:
        concern_assign(concern=concern, actor=actor, unit=unit)
    opinion.concern = concern
    note = _("转为意见建议《%(t)s》") % {"t": concern.title}
    if unit is not None:
        note += _("，交办 %(u)s") % {"u": unit}
    transition(
        opinion,
        workflow=OPINION_WORKFLOW,
        target=Opinion.Status.CONCERN,
        actor=actor,
        note=note,
        update_fields=["concern"],
    )
    return opinion


@service
def opinion_note(*, opinion: Opinion, actor, note: str = "") -> Opinion:
    """已阅存: read and filed, no further handling."""
    opinion = lock(opinion)
    opinion.handling_note = note.strip()
    return transition(
        opinion,
        workflow=OPINION_WORKFLOW,
        target=Opinion.Status.NOTED,
        actor=actor,
        note=note,
        update_fields=["handling_note"],
    )
