"""The member's home page: what the member must do now, each with its deadline and one
tap to the page where it is done, then their own proposals and reports.

Each kind of to-do is one query through the owning app's selector, whatever the
member's history, so the page costs the same for a new member and for one with years
of records. What the page shows besides the messages (``home_figures``: the to-dos, the
cards, this year's points) is kept under the data stamp (``liaison.models.DataStamp``,
moved by every write) for a few minutes: a member back on the home page between two
changes reads it with one query, and any change is on the page at the next view."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from briefings.models import Invitation
from briefings.selectors import member_upcoming
from consultations.selectors import member_consultations_to_answer
from liaison.models import DataStamp, today
from members.selectors import member_unread_materials
from proposals.selectors import (
    member_feedback_due,
    member_opinion_reports,
    member_proposals,
    pending_cosign_invitations,
)
from reports.duty import standing_for
from visits.selectors import member_concerns_to_confirm, member_dashboard_summary

# How many of the member's own proposals and reports the home page lists.
RECENT = 5
# The activities card: the next 30 days' first three.
ACTIVITIES = 3
ACTIVITY_DAYS = 30
# What the activity card shows of an invitation (its own reply and leave state, the
# activity's title and time): the rest of the two rows is not read.
UPCOMING_FIELDS = ("reply", "leave_status", "activity_id", "activity__title", "activity__starts_at")
# How long the figures are kept at most: the stamp covers every write, the day in the
# key a deadline passing at midnight; this covers what changes with the clock alone (an
# activity starting within the day).
FIGURES_SECONDS = 5 * 60
# How many unread study materials the to-do list names (the newest; the rest are a tap
# away on the materials page).
UNREAD_MATERIALS = 3


@dataclass(frozen=True)
class Todo:
    kind: (
        str  # rate / cosign / reply / confirm / consult / profile: the test ids and icons key on it
    )
    verb: str  # what to do, said to the member
    title: str  # the record it is about
    url: str
    due: datetime.date | None = None  # by when, if there is a deadline
    overdue: bool = False
    provisional: bool = False  # counted over a year whose holidays are not entered yet

    @property
    def sort_key(self):
        # Overdue first, then by deadline, undated last.
        return (not self.overdue, self.due or datetime.date.max)


# What a to-do shows of its record: each query reads these columns only (a proposal's
# row carries kilobytes of search grams, a join's row forty columns), which is most of
# the cost of six small queries.
FEEDBACK_FIELDS = ("title", "feedback_due_date")
COSIGN_FIELDS = ("proposal_id", "proposal__title")
REPLY_FIELDS = ("activity_id", "activity__title", "activity__starts_at")


def member_todos(member) -> list[Todo]:
    """Everything waiting for ``member``, most urgent first (six queries; the profile
    to-do reads the member's own fields)."""
    day = today()
    todos = [
        Todo(
            "rate",
            _("评价办理答复"),
            proposal.title,
            reverse("portal:proposal_detail", args=[proposal.pk]),
            proposal.feedback_due_date,
            bool(proposal.feedback_due_date and proposal.feedback_due_date < day),
            proposal.feedback_due_is_provisional,
        )
        for proposal in member_feedback_due(member).only(*FEEDBACK_FIELDS)
    ]
    todos += [
        Todo(
            "cosign",
            _("确认是否附议"),
            invitation.proposal.title,
            reverse("portal:proposal_detail", args=[invitation.proposal_id]),
        )
        for invitation in pending_cosign_invitations(member)
        .select_related(None)
        .select_related("proposal")
        .only(*COSIGN_FIELDS)
    ]
    todos += [
        Todo(
            "reply",
            _("回复是否参加"),
            invitation.activity.title,
            reverse("portal:activity_detail", args=[invitation.activity_id]),
            timezone.localtime(invitation.activity.starts_at).date(),
        )
        for invitation in member_upcoming(member)
        .filter(reply=Invitation.Reply.PENDING, activity__starts_at__gt=timezone.now())
        .select_related(None)
        .select_related("activity")
        .only(*REPLY_FIELDS)
    ]
    todos += [
        Todo(
            "confirm",
            _("确认办理结果"),
            concern.title,
            reverse("portal:concern_detail", args=[concern.pk]),
        )
        for concern in member_concerns_to_confirm(member).select_related(None).only("title")
    ]
    todos += [
        Todo(
            "consult",
            _("提交征求意见"),
            consultation.title,
            reverse("portal:consultation_detail", args=[consultation.pk]),
            consultation.deadline,
        )
        for consultation in member_consultations_to_answer(member)
        .select_related(None)
        .only("title", "deadline")
    ]
    todos += [
        Todo(
            "study",
            _("阅读参阅资料"),
            material.title,
            reverse("portal:study_detail", args=[material.pk]),
        )
        for material in member_unread_materials(member)
        .select_related(None)
        .only("title")[:UNREAD_MATERIALS]
    ]
    missing = member.missing_contact()  # the member's own fields: no query
    if missing:
        todos.append(
            Todo(
                "profile",
                _("完善个人信息"),
                _("尚缺：%(fields)s") % {"fields": _("、").join(str(field) for field in missing)},
                reverse("portal:profile") + "#contact-form",
            )
        )
    return sorted(todos, key=lambda todo: todo.sort_key)


def member_recent_records(member) -> dict:
    """The member's latest proposals and public-opinion reports (two queries): their
    titles and states, not the rows and relations the full lists show."""
    proposals = member_proposals(member).select_related(None)
    reports = member_opinion_reports(member).prefetch_related(None)
    return {
        "proposals": list(proposals.only("title", "number", "status")[:RECENT]),
        "opinion_reports": list(reports.only("title", "status")[:RECENT]),
    }


def home_figures(member) -> dict:
    """What the home page shows besides the messages, for the template: the to-dos, the
    visits card, the next activities, this year's points against the minimums, the
    latest proposals and reports. Computed (twelve queries) once per data stamp, day
    and language, and kept FIGURES_SECONDS; reading the stamp is one query."""
    day = today()
    key = f"portal-home:{member.pk}:{DataStamp.current()}:{day}:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = _figures(member, day)
        cache.set(key, figures, FIGURES_SECONDS)
    return figures


def _figures(member, day: datetime.date) -> dict:
    soon = timezone.now() + datetime.timedelta(days=ACTIVITY_DAYS)
    activities = (
        member_upcoming(member)
        .filter(activity__starts_at__lte=soon)
        .select_related(None)
        .select_related("activity")
        .only(*UPCOMING_FIELDS)
    )
    return {
        "todos": member_todos(member),
        "visits_summary": member_dashboard_summary(member, day),
        "upcoming_activities": list(activities[:ACTIVITIES]),
        # No grade: a grade is for the year's end (reports/duty.py).
        "standing": standing_for(member, [day.year], with_grade=False),
        "standing_year": day.year,
        **member_recent_records(member),
    }
