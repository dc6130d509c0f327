import functools
import threading
import time
from collections import OrderedDict

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .dashboard import panels_for
from .scoping import default_office
from .transactions import use_case

# The admin's menu, grouped by the office's work rather than by app: every kind of record
# staff keep or act on under its area. A model not named here (lookups, settings,
# accounts, the outbox …) falls under 设置.
WORK_AREAS = (
    (
        "members",
        _("委员"),
        (
            "members.member",
            "members.contribution",
            "members.dutyclaim",
            "members.pointentry",
            "members.dutyyear",
            "members.studymaterial",
            "members.studyreflection",
            "members.activitygroup",
        ),
    ),
    (
        "proposals",
        _("提案与社情民意"),
        (
            "proposals.proposal",
            "proposals.reply",
            "proposals.opinionreport",
            "proposals.researchreport",
            "proposals.followup",
        ),
    ),
    (
        "activities",
        _("活动"),
        ("briefings.activity", "briefings.invitation", "briefings.opinion", "briefings.speech"),
    ),
    ("visits", _("走访与意见建议"), ("visits.visit", "visits.concern", "visits.lifeevent")),
    ("consultations", _("征求意见"), ("consultations.consultation",)),
    (
        "plans",
        _("计划与报告"),
        (
            "plans.workplan",
            "plans.workreport",
            "reports.committeereply",
            "reports.document",
            "page:reports_statistics",
        ),
    ),
)
# The admin's own pages in the menu ("page:" + url name under "admin:"): their name and
# the model whose admin opens them (listed only for those it is listed for). Their roles
# are in liaison.roles.ADMIN_PAGES.
WORK_PAGES = {
    "page:reports_statistics": (_("统计"), "reports.document"),
}


def _page_entry(label: str, models: dict) -> dict | None:
    name, model = WORK_PAGES[label]
    if model not in models:
        return None
    return {
        "name": name,
        "object_name": label,
        "admin_url": reverse(f"admin:{label.removeprefix('page:')}"),
        "add_url": None,
        "perms": {"view": True},
        "view_only": True,
    }


def work_areas(app_list: list[dict]) -> list[dict]:
    """Django's app list regrouped into WORK_AREAS, then 设置 for everything else."""
    models = {
        f"{app['app_label']}.{m['object_name'].lower()}": m
        for app in app_list
        for m in app["models"]
    }
    groups = []
    for slug, name, labels in (*WORK_AREAS, ("settings", _("设置"), None)):
        if labels is None:
            labels = [label for label in models if not any(label in a[2] for a in WORK_AREAS)]
        rows = [
            models[label] if label in models else _page_entry(label, models)
            for label in labels
            if label in models or label in WORK_PAGES
        ]
        rows = [row for row in rows if row is not None]
        if rows:
            groups.append(
                {
                    "name": name,
                    "app_label": f"work-{slug}",
                    "app_url": rows[0]["admin_url"],
                    "has_module_perms": True,
                    "models": rows,
                }
            )
    return groups


def mark_current(areas: list[dict], path: str) -> None:
    """Mark the menu entry whose page ``path`` is on (the longest URL it starts with:
    the statistics page lives under the documents' URL) and its work area."""
    entries = [
        (len(model["admin_url"]), area, model)
        for area in areas
        for model in area["models"]
        if model.get("admin_url") and path.startswith(model["admin_url"])
    ]
    if entries:
        _length, area, model = max(entries, key=lambda entry: entry[0])
        area["is_current"] = model["is_current"] = True


# The menu of every admin page is Django's app list: for each of some forty models, its
# admin's permission checks and two URLs reversed. It depends only on who asks (their
# flags, offices and permissions), the language and the URL prefix, so it is built once
# for each of those and copied for each page; a change to any of them is another key.
MENU_SECONDS = 300
MENU_ENTRIES = 512
_menus: OrderedDict = OrderedDict()
_menus_lock = threading.Lock()


def _menu_key(user) -> tuple:
    return (
        user.pk,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        getattr(user, "office_id", None),
        getattr(user, "district_id", None),
        frozenset(user.get_all_permissions()),
        get_language(),
        get_script_prefix(),
    )


# The menu's HTML (admin/_work_nav.html): the same for every page of a menu that marks
# the same entry current, so rendered once for each (some forty links, a translated
# title each).
NAV_ENTRIES = 4096
_navs: OrderedDict = OrderedDict()


def _remember(store: OrderedDict, key, value, limit: int) -> None:
    with _menus_lock:
        store[key] = value
        store.move_to_end(key)
        while len(store) > limit:
            store.popitem(last=False)


def _copy_menu(areas: list[dict]) -> list[dict]:
    """Fresh dicts for a page to mark (mark_current); the names and URLs are shared."""
    return [{**area, "models": [dict(model) for model in area["models"]]} for area in areas]


class LiaisonAdminSite(admin.AdminSite):
    """The one admin the office staff share, titled with their office's name."""

    site_title = _("政协联络处工作系统")
    site_header = _("政协联络处工作系统")
    index_title = _("工作台")

    def each_context(self, request):
        context = super().each_context(request)
        if request.user.is_authenticated:
            office = default_office(request)
            if office is not None:
                context["site_header"] = office.name
        # The work areas run across the top (templates/admin/base_site.html): the side
        # menu would take a third of a 1280-px screen from the table.
        context["is_nav_sidebar_enabled"] = False
        areas = context.get("available_apps") or []
        mark_current(areas, request.path)
        # Called by the template that shows it (admin/base_site.html, admin/index.html).
        context["work_nav"] = functools.partial(self.work_nav, request, areas)
        return context

    def work_nav(self, request, areas: list[dict]) -> str:
        # Which area and entry the page marked current (mark_current).
        marks = tuple(
            (bool(a.get("is_current")), tuple(bool(m.get("is_current")) for m in a["models"]))
            for a in areas
        )
        match = request.resolver_match
        key = (_menu_key(request.user), marks, bool(match and match.url_name == "index"))
        now = time.monotonic()
        with _menus_lock:
            cached = _navs.get(key)
        if cached is None or cached[0] < now:
            html = render_to_string(
                "admin/_work_nav.html", {"available_apps": areas, "request": request}
            )
            cached = (now + MENU_SECONDS, html)
            _remember(_navs, key, cached, NAV_ENTRIES)
        return cached[1]

    def get_app_list(self, request, app_label=None):
        if app_label:
            return super().get_app_list(request, app_label)
        key = _menu_key(request.user)
        now = time.monotonic()
        with _menus_lock:
            cached = _menus.get(key)
        if cached is None or cached[0] < now:
            cached = (now + MENU_SECONDS, work_areas(super().get_app_list(request)))
            _remember(_menus, key, cached, MENU_ENTRIES)
        return _copy_menu(cached[1])

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "panels": panels_for(request)}
        return super().index(request, extra_context)

    def admin_view(self, view, cacheable=False):
        """Every admin POST is one use case: the form, its inlines and the services its
        hooks and steps call commit together, or not at all (liaison.transactions)."""
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def in_one_transaction(request, *args, **kwargs):
            if request.method != "POST":
                return inner(request, *args, **kwargs)
            with use_case():
                return inner(request, *args, **kwargs)

        return in_one_transaction
