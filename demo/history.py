"""The demo's timelines. Every status move the demo writes itself (proposals, opinion
reports, activities and their opinions, visits, concerns) goes through ``History``,
which checks it against the product's workflow table: the demo can never show a move
the product forbids. Plans, work reports, consultations and the members' duty claims
go through their services, which check their moves themselves.

Rows are collected in memory (the records may not have primary keys yet: they are
bulk-created later) and written at once by ``write()``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from briefings.models import Activity, Opinion
from briefings.workflows import ACTIVITY_WORKFLOW
from briefings.workflows import OPINION_WORKFLOW as ACTIVITY_OPINION_WORKFLOW
from consultations.models import Consultation
from consultations.workflows import CONSULTATION_WORKFLOW
from liaison.models import StatusChange
from liaison.workflow import Workflow, WorkflowError
from members.models import DutyClaim, DutyYear
from members.workflows import CLAIM_WORKFLOW
from plans.models import WorkPlan, WorkReport
from plans.workflows import PLAN_WORKFLOW, REPORT_WORKFLOW
from proposals.models import OpinionReport, Proposal
from proposals.workflows import OPINION_WORKFLOW as REPORT_OPINION_WORKFLOW
from proposals.workflows import PROPOSAL_WORKFLOW
from reports.models import CommitteeReply
from reports.workflows import DUTY_YEAR_WORKFLOW, REPLY_WORKFLOW
from visits.models import Concern, Visit
from visits.workflows import CONCERN_WORKFLOW, VISIT_WORKFLOW

from . import bulk


@dataclass(frozen=True)
class Timeline:
    workflow: Workflow
    # The statuses the product's services create a record in (its first timeline row,
    # written by liaison.workflow.record_creation); every later row is a move.
    created_in: frozenset[str]


TIMELINES: dict[type, Timeline] = {
    Proposal: Timeline(PROPOSAL_WORKFLOW, frozenset({Proposal.Status.DRAFT})),
    # Submitted: converted from a proposal that was not registered.
    OpinionReport: Timeline(
        REPORT_OPINION_WORKFLOW,
        frozenset({OpinionReport.Status.DRAFT, OpinionReport.Status.SUBMITTED}),
    ),
    Activity: Timeline(ACTIVITY_WORKFLOW, frozenset({Activity.Status.DRAFT})),
    Opinion: Timeline(ACTIVITY_OPINION_WORKFLOW, frozenset({Opinion.Status.NEW})),
    # Recorded as done, or created pending by a life event.
    Visit: Timeline(VISIT_WORKFLOW, frozenset({Visit.Status.DONE, Visit.Status.PENDING})),
    Concern: Timeline(CONCERN_WORKFLOW, frozenset({Concern.Status.NEW})),
    # A revision is created as a new version, already revised.
    WorkPlan: Timeline(PLAN_WORKFLOW, frozenset({WorkPlan.Status.DRAFT, WorkPlan.Status.REVISED})),
    WorkReport: Timeline(REPORT_WORKFLOW, frozenset({WorkReport.Status.DRAFT})),
    DutyYear: Timeline(DUTY_YEAR_WORKFLOW, frozenset({DutyYear.Status.OPEN})),
    Consultation: Timeline(CONSULTATION_WORKFLOW, frozenset({Consultation.Status.DRAFT})),
    DutyClaim: Timeline(CLAIM_WORKFLOW, frozenset({DutyClaim.Status.SUBMITTED})),
    CommitteeReply: Timeline(REPLY_WORKFLOW, frozenset({CommitteeReply.Status.DRAFT})),
}


@dataclass
class _Row:
    obj: object
    source: str
    target: str
    at: datetime.datetime
    actor: object
    label: str
    note: str


class History:
    """Timelines of demo records, checked move by move. ``start`` writes a record's
    first row (its creation), ``move`` each later one; a move the workflow does not allow
    raises ``WorkflowError``. A move dated before the previous one is dated with it, so
    the timeline (ordered by time) reads in the order the moves were made."""

    def __init__(self):
        self._rows: list[_Row] = []
        self._last: dict[int, _Row] = {}  # id(obj) → its latest row

    def start(self, obj, status: str, at, *, actor=None, label: str = "", note: str = ""):
        timeline = TIMELINES[type(obj)]
        if obj in self:
            raise WorkflowError(f"{obj!r} already has a timeline")
        if status not in timeline.created_in:
            raise WorkflowError(
                f"a {type(obj).__name__} is never created {timeline.workflow.label(status)}"
            )
        self._add(_Row(obj, "", status, at, actor, label, note))

    def move(self, obj, target: str, at, *, actor=None, label: str = "", note: str = ""):
        last = self._last[id(obj)]
        TIMELINES[type(obj)].workflow.check(last.target, target)
        self._add(_Row(obj, last.target, target, max(at, last.at), actor, label, note))

    def __contains__(self, obj) -> bool:
        return id(obj) in self._last

    def _add(self, row: _Row) -> None:
        self._rows.append(row)
        self._last[id(row.obj)] = row

    def write(self) -> int:
        """Write every row, once the records have primary keys. Each record's status
        must be where its timeline ends."""
        types = {}
        for row in self._last.values():
            if row.obj.status != row.target:
                raise WorkflowError(
                    f"{row.obj!r} is {row.obj.status} but its timeline ends {row.target}"
                )
        changes = []
        for row in self._rows:
            model = type(row.obj)
            if model not in types:
                types[model] = ContentType.objects.get_for_model(model)
            changes.append(
                StatusChange(
                    content_type=types[model],
                    object_id=row.obj.pk,
                    from_status=row.source,
                    to_status=row.target,
                    actor=row.actor,
                    actor_label=row.label,
                    note=row.note,
                    created_at=row.at,
                )
            )
        bulk.insert(StatusChange, changes)
        return len(changes)
