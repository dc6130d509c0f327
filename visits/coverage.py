"""The coverage page's figures, cached until something they depend on changes.

Counting coverage reads one tally row per serving member, so an office of 5,000 members
costs a scan of 5,000 rows on every view. The summary rows and each page of the member
list are instead kept in Django's cache under a key naming what they were computed
from: the offices' coverage stamps (bumped by every tally recount), the newest history
row of members (any member added, moved, renamed or leaving office) and of the visit
configs (targets), and the day (half-year and year change with it). A change of any of
those gives a new key, so the next view computes afresh, in whichever process serves
it; a cache shared between processes is not needed. Entries expire after
``CACHE_SECONDS`` anyway, should a write bypass everything above (raw SQL).

The summary rows are also kept in the database, per office, on the office's coverage
stamp (``figures``, with the key they were counted under), and so are the list's pages
(``CoveragePage``, under the digest of their key): a process whose cache is empty —
just started, or another host — reads them instead of counting and sorting every
office's roster, and counts only the offices whose key changed. The first view after a
change computes: a scan of the offices' serving members.
"""

import datetime
import hashlib
from dataclasses import dataclass, field, fields

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import F, Max
from django.utils import timezone

from members.models import Member

from .models import CoveragePage, CoverageStamp, VisitConfig
from .selectors import CoverageRow, coverage_by_office, coverage_members, for_display

CACHE_SECONDS = 10 * 60
KEPT_PAGES_FOR = datetime.timedelta(days=1)
PER_PAGE = 100
# What each "show" lists, and which summary figure counts it.
SHOWN = {"half": "not_visited_half", "year": "below_target", "all": "serving"}


@dataclass(frozen=True)
class Stamp:
    """Names everything the coverage figures depend on: the day and the newest member
    and visit-config history rows (``common``) and each office's coverage stamp."""

    common: str
    offices: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.common}:" + ",".join(f"{o}.{v}" for o, v in sorted(self.offices.items()))

    def of(self, office_id: int) -> str:
        """What one office's summary row depends on."""
        return f"{self.common}:{self.offices.get(office_id, 0)}"


def version(offices, day: datetime.date) -> Stamp:
    """Names everything the figures of ``offices`` on ``day`` depend on."""
    offices = list(offices)
    # An office without a stamp yet counts as version 0, as its first bump makes 1.
    stamps = dict.fromkeys((office.pk for office in offices), 0)
    stamps.update(
        CoverageStamp.objects.filter(office__in=offices).values_list("office_id", "version")
    )
    members = Member.history.aggregate(last=Max("history_id"))["last"]
    configs = VisitConfig.history.aggregate(last=Max("history_id"))["last"]
    return Stamp(f"{day:%Y%m%d}:{members}:{configs}", stamps)


def _key(*parts) -> str:
    """The cache key of ``parts``; a long one (a district's or a city's offices and
    their stamps) hashed, as memcached and the warning Django gives take at most 250
    characters."""
    raw = ":".join(str(part) for part in parts)
    return "coverage:" + (raw if len(raw) <= 200 else hashlib.sha256(raw.encode()).hexdigest())


def summary(offices, day: datetime.date, stamp: Stamp) -> list[CoverageRow]:
    """``coverage_by_office``, cached, and kept per office in the database."""
    offices = list(offices)
    key = _key("rows", ",".join(str(o.pk) for o in offices), stamp)
    counts = cache.get(key)
    if counts is None:
        counts = _kept(offices, day, stamp)
        cache.set(key, counts, CACHE_SECONDS)
    by_pk = {office.pk: office for office in offices}
    return [CoverageRow(**{**c, "office": by_pk[c["office"]]}) for c in counts]


def _kept(offices, day: datetime.date, stamp: Stamp) -> list[dict]:
    """The offices' summary rows as kept on their coverage stamps; the offices whose
    key changed since (a visit, a member, a target, the day) are counted and kept."""
    kept = {
        office_id: figures
        for office_id, figures, figures_key in CoverageStamp.objects.filter(
            office__in=offices
        ).values_list("office_id", "figures", "figures_key")
        if figures is not None and figures_key == stamp.of(office_id)
    }
    missing = [office for office in offices if office.pk not in kept]
    if missing:
        for row in coverage_by_office(missing, day):
            kept[row.office.pk] = {
                **{f.name: getattr(row, f.name) for f in fields(row)},
                "office": row.office.pk,
            }
        # Under the key read before counting: a visit recorded meanwhile bumps the
        # stamp, so the next view counts that office again.
        CoverageStamp.objects.bulk_create(
            [
                CoverageStamp(office_id=o.pk, figures=kept[o.pk], figures_key=stamp.of(o.pk))
                for o in missing
            ],
            update_conflicts=True,
            unique_fields=["office"],
            update_fields=["figures", "figures_key"],
        )
    return [kept[office.pk] for office in offices]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _kept_page(key: str):
    """A list page as kept in the database under ``key``, or None."""
    found = CoveragePage.objects.filter(key=_digest(key)).values_list("entry", flat=True).first()
    return None if found is None else tuple(found)


def _keep_page(key: str, entry) -> None:
    """Keep a list page in the database; pages kept over a day ago go (their keys name a
    past day, so nothing reads them)."""
    CoveragePage.objects.filter(kept_at__lt=timezone.now() - KEPT_PAGES_FOR).delete()
    CoveragePage.objects.update_or_create(key=_digest(key), defaults={"entry": list(entry)})


def page(*, offices, shown, rows: list[CoverageRow], show: str, number, day, stamp: Stamp) -> Page:
    """One page of the members of ``shown`` that ``show`` lists, the least visited
    first, with their counts, office, sector and last visit. Cached as ids and counts;
    the members themselves are read by primary key (a page's worth)."""
    number = number if str(number).isdigit() else 1  # get_page's reading of anything else
    key = _key("page", ",".join(str(o.pk) for o in shown), show, number, stamp)
    cached = cache.get(key)
    if cached is None:
        cached = _kept_page(key)
    if cached is None:
        members = coverage_members(shown, day, targets={row.office.pk: row.target for row in rows})
        if show == "half":
            members = members.filter(visits_half=0)
        elif show == "year":
            members = members.filter(visits_year__lt=F("target"))
        paginator = Paginator(members, PER_PAGE)
        # The summary rows already counted the list: no second count of the roster.
        paginator.count = sum(getattr(row, SHOWN[show]) for row in rows if row.office in shown)
        found = paginator.get_page(number)
        cached = (
            paginator.count,
            found.number,
            [(m.pk, m.visits_half, m.visits_year, m.target) for m in found.object_list],
        )
        _keep_page(key, cached)
    cache.set(key, cached, CACHE_SECONDS)
    count, number, entries = cached
    members = Member.objects.select_related("sector").in_bulk([pk for pk, *_n in entries])
    allowed = {office.pk for office in shown}
    listed = []
    for pk, half, year, target in entries:
        member = members.get(pk)
        # Gone or moved to another office since (a change the next view's key reflects).
        if member is not None and member.office_id in allowed:
            member.visits_half, member.visits_year, member.target = half, year, target
            listed.append(member)
    paginator = Paginator([], PER_PAGE)
    paginator.count = count
    return Page(for_display(listed, offices), number, paginator)
