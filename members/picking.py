"""Choosing members in the admin, the same way everywhere (the invite step, research
groups): a PickList of members grouped by sector, in the sector list's order and
name-list order within each, with a button for all of them and one per role
(liaison.widgets.PickList)."""

from django.utils.translation import gettext as _

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


def member_picklist(everyone=None) -> PickList:
    """A PickList for a model choice field over members in ``by_sector`` order."""
    return PickList(presets=lambda: member_presets(everyone), group_by=lambda m: m.sector.name)
