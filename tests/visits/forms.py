"""The admin's visit form as a browser posts it, with its three inlines."""

from visits.models import Visit


def visit_admin_form(visited_on, links, *, visit=None, kind=Visit.Kind.ROUTINE) -> dict:
    """``links``: (existing VisitMember or None, member, delete?) for each member row."""
    form = {
        "kind": kind,
        "visited_on": visited_on,
        "place": "",
        "amount": "",
        "gifts": "",
        "summary": "",
        "staff_notes": "",
        "member_links-TOTAL_FORMS": str(len(links)),
        "member_links-INITIAL_FORMS": str(sum(1 for link, _m, _d in links if link)),
        "team-TOTAL_FORMS": "0",
        "team-INITIAL_FORMS": "0",
        "concerns-TOTAL_FORMS": "0",
        "concerns-INITIAL_FORMS": "0",
    }
    for i, (link, member, delete) in enumerate(links):
        form[f"member_links-{i}-member"] = str(member.pk)
        if visit is not None:
            form[f"member_links-{i}-visit"] = str(visit.pk)
        if link:
            form[f"member_links-{i}-id"] = str(link.pk)
        if delete:
            form[f"member_links-{i}-DELETE"] = "on"
    return form
