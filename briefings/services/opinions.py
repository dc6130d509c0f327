"""Opinions members give at or after an activity."""

from django.utils.translation import gettext as _

from liaison.transactions import service
from liaison.workflow import (
    WorkflowError,
    record_creation,
    refuse,
)
from members.models import Member

from .. import hooks, workflows
from ..models import (
    Activity,
    Invitation,
    Opinion,
)
from .common import _check_self
from .counts import refresh_activity_counts
from .invitations import _invitation_for

A = Activity.Status
I = Invitation  # noqa: E741
Att = Invitation.Attendance

# --- Opinions collected -----------------------------------------------------------------


def _check_content(content: str) -> str:
    content = (content or "").strip()
    if not content:
        raise WorkflowError(_("请填写意见建议的内容。"))
    return content


@service
def opinion_submit(
    *, activity: Activity, member: Member, actor, content: str, title: str = ""
) -> Opinion:
    """A member's opinion or suggestion in the portal, during the activity or in the
    days after it (ActivityConfig.opinion_days)."""
    _check_self(actor, member)
    activity = Activity.objects.select_related("office").get(pk=activity.pk)
    refuse(workflows.opinion_refusal(activity, _invitation_for(activity, member)))
    content = _check_content(content)
    opinion = Opinion.objects.create(
        activity=activity,
        member=member,
        title=title.strip()[:200],
        content=content,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    refresh_activity_counts(activity.pk)
    record_creation(opinion, actor=actor)
    hooks.opinion_recorded(opinion)
    return opinion


@service
def opinion_record(
    *, activity: Activity, actor, content: str, member: Member | None = None, title: str = ""
) -> Opinion:
    """Staff record an opinion voiced at the activity (by a member, or by a leader or
    guest when ``member`` is None)."""
    content = _check_content(content)
    activity = Activity.objects.get(pk=activity.pk)
    refuse(workflows.record_opinion_refusal(activity))
    if member is not None and member.office_id not in activity.organising_office_ids():
        raise WorkflowError(_("%(name)s 不属于主办联络处。") % {"name": member.name})
    opinion = Opinion.objects.create(
        activity=activity,
        member=member,
        title=title.strip()[:200],
        content=content,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    refresh_activity_counts(activity.pk)
    record_creation(opinion, actor=actor, note=_("工作人员录入"))
    hooks.opinion_recorded(opinion)
    return opinion
