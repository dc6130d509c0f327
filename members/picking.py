"""Choosing members in the admin, the same way everywhere (the invite step, research
groups): a PickList of members grouped by sector, in the sector list's order and
name-list order within each, with a button for all of them and one per role
(liaison.widgets.PickList)."""

from django import forms
from django.db.models import Count, Q
from django.http import JsonResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.widgets import PickList

from .models import ActivityGroup, Member


def by_sector(queryset):
    """``queryset`` (members) in the order the picker shows them."""
    return queryset.select_related("sector").order_by(
        "sector__position", "sector_id", "stroke_key", "pk"
    )


def member_presets(everyone=None) -> list:
    """PickList presets over members: all of them (labelled ``everyone``), each role
    other than plain 委员, and each activity group (活动组) — each shown when someone
    in the list holds it. The groups are read when the list is drawn: two queries."""
    presets = [(everyone or _("全体在任委员"), lambda m: True)]
    for role, label in Member.Role.choices:
        if role != Member.Role.MEMBER:
            presets.append((label, lambda m, role=role: m.role == role))
    groups: dict[int, set] = {}
    for group_id, member_id in ActivityGroup.members.through.objects.values_list(
        "activitygroup_id", "member_id"
    ):
        groups.setdefault(group_id, set()).add(member_id)
    for group in ActivityGroup.objects.filter(pk__in=list(groups)).order_by(
        "office", "position", "pk"
    ):
        ids = frozenset(groups[group.pk])
        presets.append(
            (_("活动组：%(name)s") % {"name": group.name}, lambda m, ids=ids: m.pk in ids)
        )
    return presets


def member_picklist(everyone=None, office_field=None) -> "MemberPicker":
    """The admin's member picker for a model choice field over members in ``by_sector``
    order: searching the admin's scoped endpoint when the list is long."""
    return MemberPicker(
        search_url=reverse_lazy("admin:members_member_pick"),
        everyone=everyone,
        office_field=office_field,
    )


# --- The search-first picker (a large office) --------------------------------------------
#
# An office of hundreds or thousands of members is not sent to the browser: the field
# shows the members chosen so far (removable), a search box whose matches come from a
# scoped endpoint (``pick_response``), and presets — all, a role, a sector, an activity
# group — resolved on the server with their sizes. Up to FULL_LIST_MAX candidates the
# whole list is still drawn (the PickList above), which is bounded by that number.

# Below it the picker reads the list and its presets (three queries more than a search
# field): a bounded difference, but the two ways must not switch between an office's 1×
# and 10× in the benchmark's one-office demo (60 members), so the bound sits under it.
FULL_LIST_MAX = 40
# A posted member outside the field's candidates (another office's, no longer serving,
# a forged id): the form is refused as a whole.
OUT_OF_SCOPE = gettext_lazy(
    "所选委员中有不在可选范围内的（其他联络处的或已不在任的），未作任何更改，请重新选择。"
)
PICK_ERRORS = {"invalid_choice": OUT_OF_SCOPE, "invalid_pk_value": OUT_OF_SCOPE}
# Matches a search returns at most: type more to narrow.
SEARCH_LIMIT = 20


def search_members(queryset, words: str):
    """Members of ``queryset`` matching what was typed: two characters or more of a
    name, or the start of a member number or a mobile number (digits)."""
    words = words.strip()
    if words.isdigit():
        return queryset.filter(Q(member_no__startswith=words) | Q(mobile__startswith=words))
    if len(words) < 2:
        return queryset.none()
    return queryset.filter(name__contains=words)


def preset_list(queryset, everyone=None) -> list[dict]:
    """The presets over ``queryset`` with their sizes, each shown when it selects anyone:
    all of them, each role other than plain 委员, each sector, each activity group. Four
    queries whatever the number of members."""
    total = queryset.count()
    if not total:
        return []
    presets = [{"key": "all", "kind": "all", "label": everyone or _("全体在任委员"), "size": total}]
    roles = dict(
        queryset.order_by().values_list("role").annotate(n=Count("pk")).values_list("role", "n")
    )
    for role, label in Member.Role.choices:
        if role != Member.Role.MEMBER and roles.get(role):
            presets.append(
                {"key": f"role:{role}", "kind": "role", "label": label, "size": roles[role]}
            )
    sectors = (
        queryset.order_by()
        .values("sector_id", "sector__name", "sector__position")
        .annotate(n=Count("pk"))
        .order_by("sector__position", "sector_id")
    )
    for row in sectors:
        presets.append(
            {
                "key": f"sector:{row['sector_id']}",
                "kind": "sector",
                "label": row["sector__name"],
                "size": row["n"],
            }
        )
    groups = (
        ActivityGroup.objects.filter(members__in=queryset.order_by().values("pk"))
        .values("pk", "name", "office_id", "position")
        .annotate(n=Count("members"))
        .order_by("office_id", "position", "pk")
    )
    for row in groups:
        presets.append(
            {
                "key": f"group:{row['pk']}",
                "kind": "group",
                "label": _("活动组：%(name)s") % {"name": row["name"]},
                "size": row["n"],
            }
        )
    return presets


def preset_members(queryset, key: str):
    """The members of ``queryset`` a preset (``preset_list``'s key) selects; none for an
    unknown key."""
    kind, _sep, arg = key.partition(":")
    if kind == "all":
        return queryset
    if kind == "role" and arg in Member.Role.values:
        return queryset.filter(role=arg)
    if kind == "sector" and arg.isdigit():
        return queryset.filter(sector_id=int(arg))
    if kind == "group" and arg.isdigit():
        return queryset.filter(activity_groups__pk=int(arg))
    return queryset.none()


def pick_label(member) -> str:
    """How a search match or a preset's member reads: name and sector, to tell
    namesakes apart."""
    return f"{member.name}（{member.sector.name}）"


def pick_response(request, queryset, everyone=None) -> JsonResponse:
    """The search-first picker's endpoint over ``queryset``, the members the requester
    may choose (scoped by the caller: nothing outside it is ever returned):

    - ``?q=…`` the matches (at most SEARCH_LIMIT, ``more`` when there are others);
    - ``?presets=1`` the presets with their sizes;
    - ``?preset=key`` every member the preset selects.

    ``office`` (repeated) narrows to those offices — within ``queryset`` still."""
    offices = [int(v) for v in request.GET.getlist("office") if v.isdigit()]
    if offices:
        queryset = queryset.filter(office_id__in=offices)
    if request.GET.get("presets"):
        return JsonResponse({"presets": preset_list(queryset, everyone)})
    if "preset" in request.GET:
        rows = by_sector(preset_members(queryset, request.GET["preset"])).distinct()
        results = [{"id": m.pk, "label": pick_label(m)} for m in rows]
        return JsonResponse({"results": results, "count": len(results)})
    rows = list(by_sector(search_members(queryset, request.GET.get("q", "")))[: SEARCH_LIMIT + 1])
    return JsonResponse(
        {
            "results": [{"id": m.pk, "label": pick_label(m)} for m in rows[:SEARCH_LIMIT]],
            "more": len(rows) > SEARCH_LIMIT,
        }
    )


class SearchFirst:
    """What the two widgets below share: drawn whole up to FULL_LIST_MAX candidates,
    beyond that as ``search_template_name`` with a search box that asks ``search_url``
    (narrowed to ``offices``)."""

    search_template_name = ""

    def _search_context(self, name, value, attrs):
        """The widget's context when it searches, else None (drawn whole)."""
        queryset = getattr(self.choices, "queryset", None)  # a model field's candidates
        # Counted only past the bound (unordered: the database stops at 41 rows), not
        # every serving member of a district.
        bound = FULL_LIST_MAX + 1
        self.searching = queryset is not None and queryset.order_by()[:bound].count() == bound
        if not self.searching:
            return None
        context = forms.Widget.get_context(self, name, value, attrs)
        context["widget"].update(
            search_url=str(self.search_url) if self.search_url else "",
            offices=" ".join(str(o) for o in self.offices),
        )
        return context

    def _render(self, template_name, context, renderer=None):
        if getattr(self, "searching", False):
            template_name = self.search_template_name
        return super()._render(template_name, context, renderer)


class MemberPicker(SearchFirst, PickList):
    """The one member picker: the whole list (a PickList by sector, with presets) up to
    FULL_LIST_MAX candidates; beyond that search-first — the chosen members as
    removable chips with their number, a search box and presets fetched from
    ``search_url`` (js/memberpicker.js). ``offices`` (ids) narrows the search to those
    offices; ``office_field`` names the form's office select to narrow by instead (a
    district account's add page: the office first, then the members)."""

    search_template_name = "liaison/widgets/memberpicker.html"

    def __init__(self, attrs=None, *, search_url=None, everyone=None, office_field=None):
        super().__init__(
            attrs, presets=lambda: member_presets(everyone), group_by=lambda m: m.sector.name
        )
        self.search_url = search_url
        self.everyone = everyone
        self.office_field = office_field
        self.offices = ()

    def get_context(self, name, value, attrs):
        context = self._search_context(name, value, attrs)
        if context is None:
            return super().get_context(name, value, attrs)
        ids = [int(v) for v in value or () if str(v).isdigit()]
        # One query whether or not anyone is chosen yet (``pk__in=[]`` would run none):
        # the field costs the same on a new record and on one with co-signers.
        chosen = by_sector(self.choices.queryset.filter(pk__in=ids or [0]))
        choice = self.choices.choice
        context["widget"].update(
            chosen=[(obj.pk, choice(obj)[1]) for obj in chosen],
            everyone=self.everyone or _("全体在任委员"),
            office_field=self.office_field or "",
        )
        return context

    @property
    def media(self):
        return forms.Media(js=["js/picklist.js", "js/memberpicker.js"])


class SearchSelect(SearchFirst, forms.Select):
    """Choosing one from a list that grows with the office (who said an opinion, whose
    attendance to correct): a plain select up to FULL_LIST_MAX choices; beyond that a
    search box whose matches come from ``search_url`` (``pick_response`` or an
    endpoint answering the same way), the choice kept in a hidden input
    (js/memberpicker.js)."""

    search_template_name = "liaison/widgets/searchselect.html"

    def __init__(self, attrs=None, *, search_url=None):
        super().__init__(attrs)
        self.search_url = search_url
        self.offices = ()

    def get_context(self, name, value, attrs):
        context = self._search_context(name, value, attrs)
        if context is None:
            return super().get_context(name, value, attrs)
        value = value[0] if isinstance(value, (list, tuple)) and value else value
        chosen = None
        if value not in (None, "") and str(value).isdigit():
            obj = self.choices.queryset.filter(pk=int(value)).first()
            if obj is not None:
                chosen = (obj.pk, self.choices.choice(obj)[1])
        context["widget"]["chosen"] = chosen
        return context

    @property
    def media(self):
        return forms.Media(js=["js/memberpicker.js"])
