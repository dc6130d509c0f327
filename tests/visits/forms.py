"""The admin's visit form as a browser posts it: the members ticked in the picker, the
team and concern inlines empty."""

from visits.models import Visit


def visit_admin_form(visited_on, links, *, visit=None, kind=Visit.Kind.ROUTINE) -> dict:
    """``links``: (existing VisitMember or None, member, untick?) for each member the
    picker shows ticked before the post; ``visit`` is kept for the callers' sake."""
    return {
        "kind": kind,
        "visited_on": visited_on,
        "place": "",
        "amount": "",
        "gifts": "",
        "summary": "",
        "staff_notes": "",
        "visited_members": [str(member.pk) for _link, member, untick in links if not untick],
        "team-TOTAL_FORMS": "0",
        "team-INITIAL_FORMS": "0",
        "concerns-TOTAL_FORMS": "0",
        "concerns-INITIAL_FORMS": "0",
    }
