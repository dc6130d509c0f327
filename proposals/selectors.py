"""Reads of proposals and reports, scoped and joined for the pages that use them.

The portal reaches proposals only through these: a member sees the proposals they lead
or were invited to co-sign, their own opinion reports and the research reports whose
group they led or joined; any other id is a 404."""

import re

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from liaison.models import HandlingUnit, today
from liaison.selectors import contains_text, of_offices, search_terms, units_by_kind
from members.models import Member

from .models import (
    Adoption,
    Assignment,
    OpinionReport,
    Proposal,
    ProposalConfig,
    ProposalCosigner,
    Reply,
    ResearchAdoption,
    ResearchReport,
)

_NUMBER_TERM = re.compile(r"[0-9][0-9-]*")


def proposals_matching(text: str) -> list[Q]:
    """One condition per whitespace-separated term of ``text`` on a proposal's title
    (anywhere) or number: a term of digits by the number's start (``2026-01``) or its
    serial (``15`` finds 2026-015). Each is an index lookup on PostgreSQL
    (proposals.0009_title_search_indexes), so a list of rows that refer to proposals (the
    follow-ups) searches the proposals, not every row of its own."""
    conditions = []
    for term in search_terms(text):
        match = contains_text("title", term)
        if _NUMBER_TERM.fullmatch(term):
            match |= Q(number__startswith=term)
            if term.isdigit() and len(term) <= 6:
                match |= Q(serial=int(term))
        conditions.append(match)
    return conditions


def own_proposal_ids(member: Member):
    """The ids of the proposals the member leads or was invited to co-sign, as a
    subquery: a UNION of two index lookups ("lead = X OR EXISTS(co-signer X)" read every
    proposal in the district to test the EXISTS, so a page grew with the whole
    district's proposals)."""
    led, cosigned = _led_and_cosigned(member)
    return led.values("pk").union(cosigned.values("proposal_id"))


def own_proposal_offices(member: Member):
    """``own_proposal_ids`` with each proposal's office: (id, office id) rows, one UNION
    of the same two index lookups."""
    led, cosigned = _led_and_cosigned(member)
    return led.values_list("pk", "office_id").union(
        cosigned.values_list("proposal_id", "proposal__office_id")
    )


def _led_and_cosigned(member: Member):
    return (
        Proposal.objects.filter(lead_member=member).order_by(),
        ProposalCosigner.objects.filter(member=member).order_by(),
    )


def member_proposals(member: Member) -> QuerySet[Proposal]:
    """Proposals the member leads or was invited to co-sign (``own_proposal_ids``)."""
    return (
        Proposal.objects.filter(pk__in=own_proposal_ids(member))
        # A draft its proposer deleted (withdrawn, never submitted) is gone for them; the
        # office keeps its row and timeline.
        .exclude(status=Proposal.Status.WITHDRAWN, submitted_at__isnull=True)
        .select_related("category", "lead_member")
        .order_by("-created_at")
    )


def member_proposal_detail(member: Member, pk: int) -> Proposal:
    """One of the member's proposals with everything its page shows, or DoesNotExist."""
    return (
        member_proposals(member)
        .select_related("office", "merged_into")
        .prefetch_related(
            Prefetch("cosigners", ProposalCosigner.objects.select_related("member")),
            Prefetch(
                "assignments",
                # The lead unit (主办) before the co-handling units (会办).
                Assignment.objects.filter(is_active=True)
                .select_related("unit")
                .order_by("-role", "pk"),
            ),
            # A B reply's follow-up (issue 20, item 5) shows under it.
            Prefetch(
                "replies",
                Reply.objects.select_related("assignment__unit", "follow_up").prefetch_related(
                    "follow_up__reports"
                ),
            ),
            "feedback",
            "attachments",
            "suggested_co_units",
        )
        .select_related("suggested_lead_unit")
        .get(pk=pk)
    )


def member_proposal_draft(member: Member, pk: int) -> Proposal:
    """One of the member's proposals with what its edit form shows (its co-signers,
    suggested units and attachments), or DoesNotExist: a draft has no assignments,
    replies or feedback to read."""
    return (
        member_proposals(member)
        .select_related("suggested_lead_unit")
        .prefetch_related(
            Prefetch("cosigners", ProposalCosigner.objects.select_related("member")),
            "attachments",
            "suggested_co_units",
        )
        .get(pk=pk)
    )


def member_feedback_due(member: Member) -> QuerySet[Proposal]:
    """The member's proposals whose reply waits for their rating, soonest due first."""
    return Proposal.objects.filter(lead_member=member, status=Proposal.Status.REPLIED).order_by(
        "feedback_due_date", "pk"
    )


def pending_cosign_invitations(member: Member) -> QuerySet[ProposalCosigner]:
    return ProposalCosigner.objects.filter(
        member=member,
        status=ProposalCosigner.Status.INVITED,
        proposal__status__in=(Proposal.Status.DRAFT, Proposal.Status.RETURNED),
    ).select_related("proposal__lead_member")


def cosigner_choices(member: Member) -> QuerySet[Member]:
    """Serving members of the office a member may invite, in official name-list order."""
    return (
        Member.objects.filter(office_id=member.office_id, status=Member.Status.SERVING)
        .exclude(pk=member.pk)
        .order_by("stroke_key")
    )


def suggestable_units(office) -> QuerySet[HandlingUnit]:
    """Units a proposer of ``office`` may suggest (建议承办单位): the office's active units
    and the district-wide ones, in the order the office picks them."""
    return units_by_kind(
        HandlingUnit.objects.filter(is_active=True).filter(
            Q(office=office) | Q(office__isnull=True)
        )
    )


def cosigning_calls(member: Member) -> QuerySet[Proposal]:
    """Proposals of the member's office that were opened for co-signing (附议), open or
    not: joining one whose window closed gets its message, not a 404."""
    return (
        Proposal.objects.filter(office_id=member.office_id, open_cosign_until__isnull=False)
        .exclude(status__in=(Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN))
        .select_related("category", "lead_member", "office")
        .prefetch_related(Prefetch("cosigners", ProposalCosigner.objects.select_related("member")))
    )


def open_for_cosigning(member: Member) -> QuerySet[Proposal]:
    """Proposals the member's office may join as co-signers now, closing soonest first."""
    return (
        cosigning_calls(member)
        .filter(status=Proposal.Status.SUBMITTED, open_cosign_until__gte=today())
        .order_by("open_cosign_until", "pk")
    )


def member_opinion_reports(member: Member) -> QuerySet[OpinionReport]:
    return (
        OpinionReport.objects.filter(member=member)
        .prefetch_related(Prefetch("adoptions", Adoption.objects.order_by("-adopted_on")))
        .order_by("-created_at")
    )


def member_research_reports(member: Member) -> QuerySet[ResearchReport]:
    """Research reports the member led or was in the group of (groups may span offices),
    newest first, with the group and what was adopted."""
    led = ResearchReport.objects.filter(lead_member=member).order_by().values("pk")
    joined = (
        ResearchReport.group_members.through.objects.filter(member=member)
        .order_by()
        .values("researchreport_id")
    )
    return (
        ResearchReport.objects.filter(pk__in=led.union(joined))
        .select_related("lead_member", "office")
        .prefetch_related(
            Prefetch("group_members", Member.objects.only("id", "name").order_by("stroke_key")),
            Prefetch("adoptions", ResearchAdoption.objects.order_by("-adopted_on")),
        )
        .order_by("-year", "-created_at", "-pk")
    )


# Proposals that count towards the yearly target: registered (立案) or further along.
COUNTED_PROPOSAL_STATUSES = (
    Proposal.Status.REGISTERED,
    Proposal.Status.ASSIGNED,
    Proposal.Status.ACKNOWLEDGED,
    Proposal.Status.REPLIED,
    Proposal.Status.REHANDLING,
    Proposal.Status.CLOSED,
)
# Reports that count: handed in and not turned down.
COUNTED_REPORT_STATUSES = (
    OpinionReport.Status.SUBMITTED,
    OpinionReport.Status.EDITED,
    OpinionReport.Status.APPROVED,
    OpinionReport.Status.ISSUED,
    OpinionReport.Status.FORWARDED,
)


def counted_proposals() -> QuerySet[Proposal]:
    """Proposals that count (立案 or further along): the one definition behind every
    yearly count and list of proposals — targets, plan metrics, work reports, the
    compendium, duty records. Narrow it with ``.filter()``."""
    return Proposal.objects.filter(status__in=COUNTED_PROPOSAL_STATUSES)


def handed_in_proposals() -> QuerySet[Proposal]:
    """Proposals a member handed in and did not take back: every status but draft and
    withdrawn, whatever the office decided (not registered and merged ones included)."""
    return Proposal.objects.exclude(status__in=[Proposal.Status.DRAFT, Proposal.Status.WITHDRAWN])


def counted_opinion_reports() -> QuerySet[OpinionReport]:
    """Public-opinion reports that count: handed in and not turned down."""
    return OpinionReport.objects.filter(status__in=COUNTED_REPORT_STATUSES)


def yearly_progress(offices, year: int) -> list[dict]:
    """Each office's proposals and public-opinion reports this year against its targets
    (ProposalConfig), counted in the database: two grouped queries in all, each read
    from its (office, year, status) index alone (COUNT(*): no column outside it)."""
    offices = list(offices)
    ids = [o.pk for o in offices]
    proposals = dict(
        counted_proposals()
        .filter(office_id__in=ids, year=year)
        .values_list("office_id")
        .annotate(n=Count("*"))
    )
    reports = dict(
        counted_opinion_reports()
        .filter(office_id__in=ids, year=year)
        .values_list("office_id")
        .annotate(n=Count("*"))
    )
    configs = {c.office_id: c for c in ProposalConfig.objects.filter(office_id__in=ids)}
    defaults = ProposalConfig()
    rows = []
    for office in offices:
        config = configs.get(office.pk, defaults)
        rows.append(
            {
                "office": office,
                "proposals": proposals.get(office.pk, 0),
                "proposal_target": config.proposal_target,
                "reports": reports.get(office.pk, 0),
                "report_target": config.opinion_report_target,
            }
        )
    for row in rows:
        row["proposals_met"] = row["proposals"] >= row["proposal_target"]
        row["reports_met"] = row["reports"] >= row["report_target"]
        row["proposals_short"] = max(0, row["proposal_target"] - row["proposals"])
        row["reports_short"] = max(0, row["report_target"] - row["reports"])
    return rows


def proposal_breakdowns(office_ids, year: int) -> dict[str, list[tuple[str, int]]]:
    """The offices' proposals of ``year``: handed in by status; counted ones (立案 or
    further along) by category, by lead unit and by the grade of the lead unit's latest
    reply (as the work report counts it). Four grouped queries. ``office_ids`` None counts
    every office."""
    offices = of_offices(office_ids)
    one_office = office_ids is not None and len(list(office_ids)) == 1
    counted = counted_proposals().filter(offices, year=year).order_by()
    statuses = dict(
        handed_in_proposals()
        .filter(offices, year=year)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    latest_grade = (
        Reply.objects.filter(
            proposal_id=OuterRef("pk"),
            assignment__is_active=True,
            assignment__role=Assignment.Role.LEAD,
        )
        .order_by("-round", "-pk")
        .values("grade")[:1]
    )
    grades = dict(
        counted.annotate(grade=Subquery(latest_grade)).values_list("grade").annotate(n=Count("id"))
    )
    grade_labels = [*Reply.Grade.choices, (None, _("尚未答复"))]
    return {
        "category": list(
            counted.values("category__name")
            .annotate(n=Count("id"))
            .order_by("category__position", "category__name")
            .values_list("category__name", "n")
        ),
        "status": [
            (str(label), statuses[value])
            for value, label in Proposal.Status.choices
            if statuses.get(value)
        ],
        # Street departments of different offices share names (社会事务办): a unit is
        # told apart by its office's street where more than one office is counted.
        "unit": [
            (f"{name}（{street}）" if street and not one_office else name, n)
            for name, street, n in Assignment.objects.filter(
                proposal__in=counted, is_active=True, role=Assignment.Role.LEAD
            )
            .values("unit_id", "unit__name", "unit__office__street")
            .annotate(n=Count("id"))
            .order_by("-n", "unit__name", "unit_id")
            .values_list("unit__name", "unit__office__street", "n")
        ],
        "grade": [
            (str(label), grades[value]) for value, label in grade_labels if grades.get(value)
        ],
    }


# --- The office's public page (issue 20, item 6) ----------------------------------------


def public_proposals(office, year: int) -> QuerySet[Proposal]:
    """The office's registered proposals of ``year`` that are public, with what the
    public page shows: number, text, category, the proposers' names and 界别 (nothing
    else about them), and the replies. A private one never appears."""
    return (
        counted_proposals()
        .filter(office=office, year=year, is_public=True)
        .select_related("category", "lead_member__sector", "office")
        .prefetch_related(
            Prefetch(
                "cosigners",
                ProposalCosigner.objects.filter(
                    status=ProposalCosigner.Status.CONFIRMED
                ).select_related("member__sector"),
                to_attr="public_cosigners",
            ),
            Prefetch(
                "replies",
                Reply.objects.select_related("assignment__unit"),
                to_attr="public_replies",
            ),
        )
        .order_by("serial", "pk")
    )


def public_page_stamp(office, year: int) -> tuple:
    """What the public page is computed from, in one query: a new registration, a
    changed disclosure or a new reply changes it, so the cached page is replaced on the
    next view (issue 20: "cached")."""
    row = (
        counted_proposals()
        .filter(office=office, year=year)
        .aggregate(
            n=Count("pk", distinct=True),
            registered=Max("registered_at"),
            disclosed=Max("disclosure_changed_at"),
            replied=Max("replies__created_at"),
        )
    )
    return tuple(str(row[k]) for k in ("n", "registered", "disclosed", "replied"))


def public_years(office) -> list[int]:
    """The years with at least one public registered proposal, newest first."""
    return list(
        counted_proposals()
        .filter(office=office, is_public=True)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
