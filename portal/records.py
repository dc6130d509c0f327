"""The member's own duty record (履职档案) in the portal.

Reads come from reports.duty, always for ``request.member``: there is no member id in the
URL to change."""

from liaison.models import today
from reports import duty

from .views import _page, member_required

LEDGER_LIMIT = 300


def _years(member) -> list[int]:
    this_year = today().year
    first = min(member.term.start_year, this_year)
    return list(range(min(this_year, member.term.end_year), first - 1, -1)) or [this_year]


@member_required
def duty_record(request):
    member = request.member
    years = _years(member)
    try:
        year = int(request.GET.get("year", years[0]))
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    standing = duty.standing_for(member, [year])
    rules = [row for row in duty.rule_rows(standing, [year]) if row["entries"]]
    entries = list(duty.ledger(member, [year])[:LEDGER_LIMIT])
    return _page(
        request,
        "portal/records/duty.html",
        standing=standing,
        rules=rules,
        entries=entries,
        year=year,
        years=years,
    )
