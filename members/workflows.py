"""The moves of a duty the member reports (DutyClaim): submitted, then approved by staff
(points follow the rules) or returned with the reason."""

from django.utils.translation import gettext as _

from liaison.workflow import Workflow

from .models import DutyClaim, DutyYear

C = DutyClaim.Status

CLAIM_WORKFLOW = Workflow(C, {C.SUBMITTED: (C.APPROVED, C.RETURNED)})


def closed_year_refusal(office_id, year: int) -> str | None:
    """A closed assessment year is final: nothing is added to it or taken from it."""
    if DutyYear.objects.filter(
        office_id=office_id, year=year, status=DutyYear.Status.CLOSED
    ).exists():
        return _(
            "%(year)s年度履职考核已结束，不能再变更该年度的积分；如确需变更，请先重新开放考核。"
        ) % {"year": year}
    return None


def approve_refusal(claim: DutyClaim) -> str | None:
    if refusal := CLAIM_WORKFLOW.refusal(claim.status, C.APPROVED):
        return refusal
    return closed_year_refusal(claim.member.office_id, claim.occurred_on.year)


def return_refusal(claim: DutyClaim) -> str | None:
    return CLAIM_WORKFLOW.refusal(claim.status, C.RETURNED)
