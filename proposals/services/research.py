"""Research reports (调研报告) and the points their groups earn."""

from liaison.transactions import service
from members.points import (
    points_award,
    points_earned_from,
    points_revoke,
    points_revoke_sources,
)

from ..models import (
    Proposal,
    ResearchReport,
)

P = Proposal.Status


# --- Research reports -----------------------------------------------------------------

RESEARCH_POINTS = "research"


@service
def research_points_sync(*, report: ResearchReport, actor) -> None:
    """Points for taking part in research (参加调研视察): once the report is submitted
    (报送日期 set), its lead member and every group member earn the rule's points for it,
    in the year it was submitted. Members taken out of the group, or a submission date
    removed or moved, take the points back (and earn them again for the new date).
    Harmless to call again after every save."""
    taking_part = {}
    if report.submitted_on is not None:
        taking_part = {m.pk: m for m in report.group_members.all()}
        if report.lead_member_id:
            taking_part[report.lead_member_id] = report.lead_member
    for entry in points_earned_from(kind=RESEARCH_POINTS, source=report):
        if entry.member_id not in taking_part or entry.occurred_on != report.submitted_on:
            points_revoke(member=entry.member, kind=RESEARCH_POINTS, source=report)
    for member in taking_part.values():
        points_award(
            member=member,
            kind=RESEARCH_POINTS,
            occurred_on=report.submitted_on,
            source=report,
            actor=actor,
            description=report.topic,
        )


@service
def research_reports_delete(*, reports) -> None:
    """Delete research reports and the points they earned their group."""
    ids = list(reports.values_list("pk", flat=True))
    points_revoke_sources(kind=RESEARCH_POINTS, model=ResearchReport, source_ids=ids)
    for report in ResearchReport.objects.filter(pk__in=ids):
        report.delete()  # one by one, so the history records each deletion
