"""Extra admin pages of proposals: the search of proposals, public-opinion reports and
replies (issue 20, item 1) and the list of open follow-ups by unit (item 5)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from liaison.models import HandlingUnit, today
from liaison.scoping import scope_queryset
from liaison.selectors import units_by_kind

from . import search
from .forms import SearchForm
from .models import Proposal


def _years(proposals) -> list[int]:
    return search.years_between(proposals) or [today().year]


def search_page(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    proposals = search.visible_proposals(user=request.user)
    reports = search.visible_reports(user=request.user)
    units = units_by_kind(
        scope_queryset(HandlingUnit.objects.all(), request.user, "office", shared=True)
    )
    lists = search.filter_lists(
        f"account:{request.user.pk}", years=lambda: _years(proposals), units=units
    )
    form = SearchForm(request.GET or None, lists=lists, units=units)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("搜索提案、社情民意和答复"),
        "form": form,
        "result": search.run_search(form, proposals=proposals, reports=reports),
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/proposals/proposal/search.html", context)


def similar_for(request, proposal: Proposal) -> list[dict]:
    """The similar-proposal list of a proposal's admin page: the office's other
    proposals like it, each with whether it can be merged into now (并案: same office
    and year, submitted or registered and not closed — the merge step's choices)."""
    from .admin_steps import MergeForm

    proposals = search.visible_proposals(user=request.user).filter(
        ~Q(status=Proposal.Status.WITHDRAWN)
    )
    found = search.similar_proposals(
        proposals,
        title=proposal.title,
        suggestions=proposal.suggestions,
        exclude=proposal.pk,
        exclude_grams=proposal.similarity_grams,
    )
    mergeable = set(
        MergeForm(record=proposal)
        .fields["into"]
        .queryset.filter(pk__in=[p.pk for p, _score in found])
        .values_list("pk", flat=True)
    )
    return [{"object": p, "score": score, "mergeable": p.pk in mergeable} for p, score in found]
