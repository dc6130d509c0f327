"""The member's search of past proposals, public-opinion reports and replies, and the
similar-proposal list of the proposal form (issue 20, items 1 and 2). What a member may
find comes from proposals.search.visible_proposals: their own, what they co-signed, and
what their office made public; nothing else, whatever they type."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from proposals import search
from proposals.forms import SearchForm
from proposals.models import Proposal
from proposals.selectors import suggestable_units

from .views import _page, member_required


@member_required
def search_page(request):
    member = request.member
    # What the member may find (their own proposals read: one query) only once they search.
    searching = "q" in request.GET
    proposals = search.visible_proposals(member=member) if searching else Proposal.objects.none()
    reports = search.visible_reports(member=member)
    # The office's years (search.years_between: index reads); the member's own
    # proposals are their office's.
    office = Proposal.objects.filter(office_id=member.office_id)
    units = suggestable_units(member.office)
    lists = search.filter_lists(
        f"office:{member.office_id}",
        years=lambda: search.years_between(office.exclude(status=Proposal.Status.DRAFT)),
        units=units,
    )
    form = SearchForm(request.GET or None, lists=lists, units=units, member_labels=True)
    result = search.run_search(form, proposals=proposals, reports=reports, member=True, own=member)
    for row in result["proposals"]:
        # Their own page, or the office's public page for the others.
        row["own"] = row["object"].is_own
    return _page(request, "portal/search.html", form=form, result=result)


@require_http_methods(["GET", "POST"])
@member_required(frame=False)
def similar(request):
    """The similar-proposal list for what the member has typed so far: the form posts
    it (htmx, debounced in the page; the form's own button works without it), a GET
    with the same fields reads it too (the benchmark's sweep)."""
    data = request.POST if request.method == "POST" else request.GET
    return HttpResponse(
        render_to_string(
            "portal/proposals/_similar.html", similar_context(request, data), request=request
        )
    )


def similar_context(request, data) -> dict:
    """What the similar list shows for the 案由 and 建议办法 in ``data``."""
    title, suggestions = data.get("title", ""), data.get("suggestions", "")
    exclude = data.get("proposal", "")
    exclude = int(exclude) if exclude.isdigit() else None
    if len(title.strip()) + len(suggestions.strip()) < 4:
        return {"similar": None}
    found = search.similar_proposals(
        search.visible_proposals(member=request.member).exclude(status="draft"),
        title=title,
        suggestions=suggestions,
        exclude=exclude,
        own=request.member,
    )
    return {"similar": [{"object": p, "score": s, "own": p.is_own} for p, s in found]}
