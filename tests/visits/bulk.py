"""Volume for the query-count tests: a roster, visits and concerns written in a few
INSERTs (the factories would take several queries per row)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from liaison.models import StatusChange
from members.models import Affiliation, Member, Sector, Term
from members.strokes import stroke_sort_key
from visits import tallies
from visits.models import Concern, ConcernCategory, Visit, VisitMember

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def bulk_members(office, count, prefix="BULK") -> list[Member]:
    term = Term.objects.get(is_current=True)
    sector, affiliation = Sector.objects.first(), Affiliation.objects.first()
    start = Member.objects.count()
    members = []
    for n in range(start, start + count):
        name = f"{SURNAMES[n % len(SURNAMES)]}委员{n}"
        members.append(
            Member(
                office=office,
                name=name,
                stroke_key=stroke_sort_key(name),
                sex=Member.Sex.MALE,
                member_no=f"{prefix}{n:06d}",
                mobile=f"150{n:08d}",
                term=term,
                sector=sector,
                affiliation=affiliation,
            )
        )
    return Member.objects.bulk_create(members, batch_size=500)


def bulk_visits(office, members, *, every=2, on=datetime.date(2026, 3, 10)) -> list[Visit]:
    """One routine visit for every ``every``-th member, one member per visit."""
    chosen = members[::every]
    visits = Visit.objects.bulk_create(
        [
            Visit(
                office=office,
                kind=Visit.Kind.ROUTINE,
                status=Visit.Status.DONE,
                visited_on=on - datetime.timedelta(days=i % 60),
                summary="走访了解委员近况。",
                staff_notes="内部备注",
            )
            for i in range(len(chosen))
        ],
        batch_size=500,
    )
    VisitMember.objects.bulk_create(
        [VisitMember(visit=v, member=m) for v, m in zip(visits, chosen, strict=True)],
        batch_size=500,
    )
    tallies.refresh(m.pk for m in chosen)  # as the seed does after its bulk load
    return visits


def bulk_concerns(office, members, count, *, unit=None) -> list[Concern]:
    category = ConcernCategory.objects.first()
    statuses = [s for s, _label in Concern.Status.choices]
    concerns = Concern.objects.bulk_create(
        [
            Concern(
                office=office,
                member=members[i % len(members)] if members else None,
                source=Concern.Source.VISIT,
                category=category,
                title=f"意见建议{i}",
                content="内容",
                status=statuses[i % len(statuses)],
                unit=unit if unit and i % 3 else None,
                due_date=datetime.date(2026, 3, 1) if i % 3 else None,
            )
            for i in range(count)
        ],
        batch_size=500,
    )
    content_type = ContentType.objects.get_for_model(Concern)
    StatusChange.objects.bulk_create(
        [
            StatusChange(
                content_type=content_type,
                object_id=c.pk,
                to_status=c.status,
                created_at=timezone.now(),
            )
            for c in concerns
        ],
        batch_size=500,
    )
    return concerns
