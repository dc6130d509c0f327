"""The member's own duty record (履职档案) in the portal, and where each account lands
after signing in.

Reads come from plans.duty, always for ``request.member``: there is no member id in the
URL to change."""

from django.shortcuts import resolve_url

from liaison import roles
from liaison.models import today
from plans import duty

from . import views
from .views import _page, member_required

LEDGER_LIMIT = 300


class LoginView(views.LoginView):
    """The portal's sign-in page serves members and committee leaders alike; a leader
    (no member record) lands on the reports page rather than the members' dashboard."""

    def get_default_redirect_url(self):
        user = self.request.user
        if not hasattr(user, "member") and user.groups.filter(name=roles.COMMITTEE_LEADER).exists():
            return resolve_url("plans:reports")
        return super().get_default_redirect_url()


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
    rules = [row for row in duty.rule_rows(standing) if row["entries"]]
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
