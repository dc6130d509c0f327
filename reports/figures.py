"""The figures of a work report (DOMAIN.md "Reporting upward"), compiled from the data:
proposals and their outcomes, public-opinion reports and adoptions, research reports,
briefings and activities with attendance, visits and coverage, concerns and results,
members' contributions.

``report_figures`` returns plain JSON-ready data (numbers, strings, lists), because an
issued report stores it as it was that day: later corrections to the records do not
change what the committee received. Each section reads with a fixed number of queries.
"""

import datetime
from collections import Counter
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from briefings.models import Activity, Invitation
from briefings.selectors import organised_by
from consultations.models import Answer
from consultations.selectors import ConsultationNumbers, consultations_run
from liaison.selectors import count_of, on_days
from members.models import Contribution, Member
from proposals.models import (
    Adoption,
    Assignment,
    Feedback,
    OpinionReport,
    Proposal,
    ResearchAdoption,
    ResearchReport,
)
from proposals.selectors import counted_opinion_reports, counted_proposals, handed_in_proposals
from visits.models import Concern, Visit, VisitConfig, VisitMember

from .metrics import held_activities

P = Proposal.Status


def period_window(year: int, half: int | None) -> tuple[datetime.date, datetime.date]:
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    if half == 2:
        return datetime.date(year, 7, 1), datetime.date(year, 12, 31)
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _amount(value) -> float | int:
    if value is None:
        return 0
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _in_window(field: str, window) -> Q:
    return on_days(field, *window)


def _proposals(office, year, window) -> dict:
    in_window = _in_window("submitted_at", window) | (
        Q(submitted_at__isnull=True) & _in_window("created_at", window)
    )
    handed_in = handed_in_proposals().filter(office=office, year=year).filter(in_window)
    statuses = Counter(handed_in.values_list("status", flat=True))
    registered = list(
        counted_proposals()
        .filter(office=office, year=year)
        .filter(in_window)
        .select_related("category", "lead_member")
        .prefetch_related(
            Prefetch(
                "assignments",
                Assignment.objects.filter(is_active=True, role=Assignment.Role.LEAD)
                .select_related("unit")
                .prefetch_related("replies"),
                to_attr="lead_assignments",
            ),
            Prefetch("feedback", Feedback.objects.order_by("round"), to_attr="feedback_rows"),
        )
        .order_by("serial", "pk")
    )
    grades, verdicts, categories = Counter(), Counter(), Counter()
    rows = []
    for proposal in registered:
        lead = proposal.lead_assignments[0] if proposal.lead_assignments else None
        replies = sorted(lead.replies.all(), key=lambda r: (r.round, r.pk)) if lead else []
        grade = replies[-1].grade if replies else ""
        verdict = proposal.feedback_rows[-1].verdict if proposal.feedback_rows else ""
        grades[grade or "none"] += 1
        if verdict:
            verdicts[verdict] += 1
        categories[proposal.category.name] += 1
        rows.append(
            {
                "number": proposal.number,
                "title": proposal.title,
                "proposer": proposal.proposer_display,
                "unit": lead.unit.name if lead else "",
                "status": proposal.get_status_display(),
                "grade": grade,
                "verdict": str(dict(Feedback.Verdict.choices).get(verdict, "")),
                "key": proposal.is_key,
                "excellent": proposal.is_excellent,
            }
        )
    return {
        "submitted": sum(statuses.values()),
        "registered": len(registered),
        "not_registered": statuses.get(P.NOT_REGISTERED, 0),
        "merged": statuses.get(P.MERGED, 0),
        "replied": sum(n for g, n in grades.items() if g != "none"),
        "closed": sum(1 for p in registered if p.status == P.CLOSED),
        "key": sum(1 for p in registered if p.is_key),
        "excellent": sum(1 for p in registered if p.is_excellent),
        "grades": {g: grades.get(g, 0) for g in ("A", "B", "C")},
        "satisfied": verdicts.get(Feedback.Verdict.SATISFIED, 0),
        "basically": verdicts.get(Feedback.Verdict.BASICALLY, 0),
        "dissatisfied": verdicts.get(Feedback.Verdict.DISSATISFIED, 0),
        "categories": sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])),
        "list": rows,
    }


def _opinions(office, year, window) -> dict:
    in_window = _in_window("submitted_at", window) | (
        Q(submitted_at__isnull=True) & _in_window("created_at", window)
    )
    reports = list(
        counted_opinion_reports()
        .filter(office=office, year=year)
        .filter(in_window)
        .select_related("member")
        .prefetch_related(Prefetch("adoptions", Adoption.objects.order_by("adopted_on")))
        .order_by("created_at", "pk")
    )
    levels = Counter()
    rows = []
    for report in reports:
        adoptions = list(report.adoptions.all())
        for adoption in adoptions:
            levels[adoption.get_level_display()] += 1
        rows.append(
            {
                "title": report.title,
                "member": report.member.name if report.member_id else office.name,
                "status": report.get_status_display(),
                "adoptions": "；".join(
                    f"{a.get_level_display()}{a.get_kind_display()}" for a in adoptions
                ),
            }
        )
    return {
        "submitted": len(reports),
        "issued": sum(
            1
            for r in reports
            if r.status in (OpinionReport.Status.ISSUED, OpinionReport.Status.FORWARDED)
        ),
        "adopted": sum(1 for r in rows if r["adoptions"]),
        "instructions": sum(
            1 for r in reports for a in r.adoptions.all() if a.kind == Adoption.Kind.INSTRUCTION
        ),
        "levels": sorted(levels.items(), key=lambda kv: -kv[1]),
        "list": rows,
    }


def _research(office, year, window) -> dict:
    reports = list(
        ResearchReport.objects.filter(office=office, year=year)
        .filter(Q(submitted_on__range=window) | Q(submitted_on__isnull=True))
        .select_related("lead_member")
        .prefetch_related(Prefetch("adoptions", ResearchAdoption.objects.order_by("adopted_on")))
        .order_by("submitted_on", "pk")
    )
    return {
        "count": len(reports),
        "adopted": sum(1 for r in reports if r.adoptions.all()),
        "list": [
            {
                "topic": r.topic,
                "lead": r.lead_member.name if r.lead_member_id else "",
                "submitted_to": r.submitted_to,
                "adopted_by": "、".join(a.body for a in r.adoptions.all()),
            }
            for r in reports
        ],
    }


def _contributions(office, year) -> dict:
    rows = list(
        Contribution.objects.filter(member__office=office, year=year)
        .select_related("member")
        .order_by("kind", "-amount", "id")
    )
    totals = dict(
        Contribution.objects.filter(member__office=office, year=year)
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    counts = Counter(r.kind for r in rows)
    K = Contribution.Kind
    return {
        "enterprises": counts.get(K.ENTERPRISE, 0),
        "tax_total": _amount(totals.get(K.TAX)),
        "tax_members": len({r.member_id for r in rows if r.kind == K.TAX}),
        "awards": counts.get(K.AWARD, 0),
        "donations": counts.get(K.DONATION, 0),
        "donation_total": _amount(totals.get(K.DONATION)),
        "list": [
            {
                "member": r.member.name,
                "kind": r.get_kind_display(),
                "title": r.title,
                "amount": _amount(r.amount) if r.amount is not None else None,
            }
            for r in rows
        ],
    }


def _members(office) -> dict:
    counts = dict(
        Member.objects.filter(office=office)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {"serving": counts.get(Member.Status.SERVING, 0)}


def report_figures(office, year: int, half: int | None = None, *, as_of=None) -> dict:
    """Everything a work report counts, for the office's year or half-year."""
    window = period_window(year, half)
    figures = {
        "year": year,
        "half": half,
        "start": window[0].isoformat(),
        "end": window[1].isoformat(),
        "compiled_on": (as_of or datetime.date.today()).isoformat(),
        "members": _members(office),
        "proposals": _proposals(office, year, window),
        "opinions": _opinions(office, year, window),
        "research": _research(office, year, window),
        "contributions": _contributions(office, year),
        "consultations": _consultations(office, window),
    }
    figures.update(activity_figures(office, window))
    return figures


def _consultations(office, window) -> dict:
    """Consultations before street decisions (征求意见) sent out in the period: answer
    and adoption rates, and one row each (one query)."""
    A = Answer.Outcome
    rows = list(
        consultations_run([office.pk], *window)
        .annotate(
            answered=count_of(Answer.objects.given().filter(member__isnull=False), "consultation"),
            opinions=count_of(Answer.objects.all(), "consultation"),
            adopted=count_of(
                Answer.objects.filter(outcome__in=[A.ADOPTED, A.PARTLY]), "consultation"
            ),
        )
        .order_by("opened_at", "pk")
    )
    numbers = ConsultationNumbers(
        run=len(rows),
        consulted=sum(c.recipient_count for c in rows),
        answered=sum(c.answered for c in rows),
        decided_opinions=sum(c.opinions for c in rows if c.decided_on),
        adopted=sum(c.adopted for c in rows if c.decided_on),
    )
    return {
        **numbers.as_dict(),
        "list": [
            {
                "date": timezone.localdate(c.opened_at).isoformat(),
                "title": c.title,
                "status": c.get_status_display(),
                "consulted": c.recipient_count,
                "answered": c.answered,
                "adopted": c.adopted if c.decided_on else None,
            }
            for c in rows
        ],
    }


def activity_figures(office, window) -> dict:
    """Briefings and activities with attendance, visits and coverage, concerns and
    results (from the briefings and visits apps)."""
    return {
        "activities": _activities(office, window),
        "visits": _visits(office, window),
        "concerns": _concerns(office, window),
    }


def _activities(office, window) -> dict:
    start, end = window
    held = list(
        held_activities(office, start.year)
        .filter(on_days("starts_at", start, end))
        .select_related("kind")
        .order_by("starts_at", "pk")
    )
    planned = (
        Activity.objects.filter(organised_by([office.pk]), on_days("starts_at", *window))
        .exclude(status=Activity.Status.CANCELLED)
        .count()
    )
    kinds = Counter(a.kind.name for a in held)
    invited = sum(a.invited_count for a in held)
    attended = sum(a.attended_count for a in held)
    leave = Invitation.objects.filter(
        activity__in=held, attendance=Invitation.Attendance.LEAVE_APPROVED
    ).count()
    return {
        "held": len(held),
        "planned": planned,
        "briefings": sum(1 for a in held if a.kind.is_briefing),
        "invited": invited,
        "attended": attended,
        "leave": leave,
        "attendance_rate": round(100 * attended / invited) if invited else 0,
        "opinions": sum(a.opinion_count for a in held),
        "kinds": sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
        "list": [
            {
                "date": a.date.isoformat(),
                "title": a.title,
                "kind": a.kind.name,
                "invited": a.invited_count,
                "attended": a.attended_count,
                "opinions": a.opinion_count,
            }
            for a in held
        ],
    }


def _visits(office, window) -> dict:
    done = Visit.objects.filter(office=office, status=Visit.Status.DONE, visited_on__range=window)
    kinds = Counter(
        str(dict(Visit.Kind.choices)[kind]) for kind in done.values_list("kind", flat=True)
    )
    per_member = dict(
        VisitMember.objects.filter(
            visit__in=done, member__office=office, member__status=Member.Status.SERVING
        )
        .values_list("member_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    serving = Member.objects.filter(office=office, status=Member.Status.SERVING).count()
    config = VisitConfig.objects.filter(office=office).first()
    target = (
        config.visits_per_year if config else VisitConfig._meta.get_field("visits_per_year").default
    )
    whole_year = (window[1] - window[0]).days > 200
    required = target if whole_year else max(1, target // 2)
    return {
        "visits": done.count(),
        "member_visits": VisitMember.objects.filter(visit__in=done).count(),
        "members_visited": len(per_member),
        "serving": serving,
        "required": required,
        "covered": sum(1 for n in per_member.values() if n >= required),
        "coverage_rate": round(100 * len(per_member) / serving) if serving else 0,
        "kinds": sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def _concerns(office, window) -> dict:
    C = Concern.Status
    rows = list(
        Concern.objects.filter(on_days("created_at", *window), office=office)
        .select_related("member", "unit", "category")
        .order_by("created_at", "pk")
    )
    resolved = [c for c in rows if c.resolved_on and not c.unresolvable_reason and not c.is_open]
    return {
        "collected": len(rows),
        "within": sum(1 for c in rows if c.scope == Concern.Scope.WITHIN),
        "beyond": sum(1 for c in rows if c.scope == Concern.Scope.BEYOND),
        "resolved": len(resolved),
        "unresolvable": sum(1 for c in rows if c.unresolvable_reason and not c.is_open),
        "open": sum(1 for c in rows if c.is_open),
        "fed_back": sum(1 for c in rows if c.fed_back_at),
        "satisfied": sum(1 for c in rows if c.verdict == Concern.Verdict.SATISFIED),
        "dissatisfied": sum(1 for c in rows if c.verdict == Concern.Verdict.DISSATISFIED),
        "closed": sum(1 for c in rows if c.status == C.CLOSED),
        "list": [
            {
                "title": c.title,
                "member": c.member.name if c.member_id else "",
                "unit": c.unit.name if c.unit_id else "",
                "status": c.get_status_display(),
                "result": c.result,
            }
            for c in rows
        ],
    }
