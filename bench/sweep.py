"""Every page of the URLconf, for every persona that can open it (runs in the child
process, Django set up against the seeded throwaway database).

The URLconf is walked recursively (the admin site's URLs included) and each pattern's
arguments are filled from the demo data: an admin ``<path:object_id>`` with the richest
record of its model the persona sees (most rows across the ModelAdmin's inlines, one
annotated query per model), a workflow step with the richest record the step is open
for, a portal id with the demo member's own records, a unit page with a signed link.
Each filled URL is requested with Django's test client as each persona of its namespace
(admin: office staff, district staff, and city staff on a city demo; portal: the demo
member; reports: a committee leader; units and the rest: anonymous — the superuser and
anonymous are tried only when no such persona opens a page) and classified by the
answer: a page (measured), a file or a POST-only endpoint (skipped, listed with the
reason), or not open to that persona. A pattern that no persona opens, that cannot be
filled, or that fails is *unfilled*: the small mode fails on it unless it is in
EXCLUDED below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Patterns that are not pages and cannot be filled meaningfully, by route (as
# ``str(pattern)`` joins them) — each with its reason, listed in the output. Anything
# else the sweep cannot fill fails the small mode, so a new page cannot land unmeasured.
EXCLUDED = {
    # Django admin's catch-all: adds a missing slash or answers 404.
    "admin/(?P<url>.*)$": "后台的兜底路由（补斜杠或 404），不是页面",
    # "View on site": a redirect to the record's public page.
    "admin/r/<path:content_type_id>/<path:object_id>/": "“在网站上查看”的跳转，不是页面",
    # Files: uploads, a finished document (the demo renders none), a material.
    "media/<path:path>": "上传文件下载，不是页面",
    "admin/reports/document/<path:object_id>/download/": "文件下载，不是页面",
    "admin/reports/document/<path:object_id>/download/word/": "文件下载，不是页面",
    "reports/<int:pk>/download/": "文件下载，不是页面",
    "reports/<int:pk>/download/word/": "文件下载，不是页面",
    "portal/activities/<int:pk>/materials/<int:material_pk>/": "文件下载，不是页面",
    "portal/consultations/<int:pk>/documents/<int:document_pk>/": "文件下载，不是页面",
    "portal/study/<int:pk>/file/": "文件下载，不是页面",
    "units/consultations/<str:token>/documents/<int:document_pk>/": "文件下载，不是页面",
    # Buttons of the document page: POST only, a GET goes back to the change page.
    "admin/reports/document/<path:object_id>/issue/": "只接受 POST（GET 回到修改页）",
    "admin/reports/document/<path:object_id>/regenerate/": "只接受 POST（GET 回到修改页）",
    # Switching the language: POST only, a GET goes back.
    "i18n/setlang/": "只接受 POST（GET 跳回原页）",
    # Documents and the outbox keep no versions (no history table): their version
    # pages answer 404 (liaison.admin.OfficeScopedAdmin.history_form_view).
    "admin/reports/document/^([^/]+)/history/([^/]+)/$": "不保存历史版本（404）",
    "admin/liaison/notification/^([^/]+)/history/([^/]+)/$": "不保存历史版本（404）",
    "admin/liaison/job/^([^/]+)/history/([^/]+)/$": "不保存历史版本（404）",
    # One stored version of a proposal, read-only (a workflow record is never restored
    # from its history): each link the version has filled in (term, proposer, merged
    # into …) is read once, so its queries follow that version's fields, not the data's
    # size — and the sweep picks the newest version, a different record at 1× and 10×.
    "admin/proposals/proposal/^([^/]+)/history/([^/]+)/$": (
        "只读历史版本：查询数随该版本已填的关联字段而定，与数据量无关"
    ),
    # Account pages that need what only the member's phone holds: the activation code
    # is stored hashed (the link is in the invitation SMS), and the new-password step
    # of a reset by SMS code opens only after the code was confirmed in the session.
    # The steps before them (portal/activate/, portal/password-reset/sms/) are measured.
    "portal/activate/<str:code>/": "激活码只在邀请短信里，库中只存哈希",
    "portal/password-reset/sms/new/": "须先在本会话中核验短信验证码",
    # django-axes writes no failure log unless AXES_ENABLE_ACCESS_FAILURE_LOG is on.
    "admin/axes/accessfailurelog/<path:object_id>/change/": "未启用登录失败日志，没有记录",
    "admin/axes/accessfailurelog/<path:object_id>/history/": "未启用登录失败日志，没有记录",
    "admin/axes/accessfailurelog/<path:object_id>/delete/": "未启用登录失败日志，没有记录",
    # The baseline every page is divided by.
    "bench/ping": "基准空视图本身",
}

# Which personas a namespace's pages are measured as; FALLBACK personas are tried
# only when none of these opens a page (the superuser for the admin's own models,
# anonymous for sign-in and password-reset pages).
PERSONAS = {
    # city_staff only where the demo is a city (seed_demo --scale city): then
    # district_staff is 芙蓉区's, bound to it.
    "admin": ("office_staff", "district_staff", "city_staff"),
    "portal": ("member",),
    "reports": ("leader",),
}
FALLBACK = {"admin": ("superuser", "anonymous"), "portal": ("anonymous",)}
CANDIDATES = 20  # records tried per pattern, richest first, until one opens
STEP_CANDIDATES = 3
# A record's page runs the queries of its state (the steps open, the inlines that have
# rows, the similar proposals found), and the richest record at 1× is another record
# than at 10×: the queries of the richest RECORD_SAMPLES records that open are kept,
# and the two sizes' ranges compared (bench/pages.compare).
RECORD_SAMPLES = 3
SEARCH = "王"  # a list's search: the commonest surname, as staff search the roster
# Pages whose work starts from a query string, by namespaced URL name: the proposal
# search (staff and portal) with a word the demo's proposals and replies hold, and the
# similar-proposal list with a draft on a demo topic (issue 20, items 1 and 2).
QUERY_PAGES = {
    "admin:proposals_proposal_search": {"q": "停车"},
    "portal:proposal_search": {"q": "停车"},
    # The member pickers' searches (issue 16): a surname, as staff and members type it.
    "admin:members_member_pick": {"q": "王"},
    "admin:briefings_activity_invitees": {"q": "王"},
    "portal:proposal_cosigner_pick": {"q": "王"},
    "portal:proposal_similar": {
        "title": "关于缓解小区停车难的建议",
        "suggestions": "挖潜增设停车泊位，推行错时共享停车。",
    },
}


# Pages with a row per office that the city's staff see grouped by district and expand
# one district of (?district=, issue 21): swept once more with the demo office's
# district expanded, where the demo has several districts.
DISTRICT_PAGES = ("admin:index", "admin:reports_statistics", "admin:visits_visit_coverage")


@dataclass
class Entry:
    """One pattern (with one variant of its fixed arguments: a step, an app)."""

    route: str
    namespace: str | None
    name: str | None
    variant: str = ""
    measured: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.route + (f" [{self.variant}]" if self.variant else "")


def walk(patterns, prefix: str = "", namespace: str | None = None):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), namespace, pattern


def kind_of(namespace: str | None) -> str:
    if namespace == "admin":
        return "admin"
    if namespace == "portal":
        return "portal"
    if namespace == "reports":
        return "leader"
    return "unit" if namespace in ("proposals", "visits", "consultations") else "other"


# --- Filling arguments ------------------------------------------------------------------


class Unfillable(Exception):
    pass


class Filler:
    """Turns a route and a persona into candidate URLs, richest record first."""

    def __init__(self, users: dict, member):
        self.users = users
        self.member = member

    def variants(self, route: str, namespace: str | None, name) -> list[tuple[str, dict]]:
        """The fixed arguments a pattern is swept with: one per workflow step, one per
        app, a list with and without a search; otherwise one, empty."""
        if (name or "").endswith("_changelist") and self._model_admin(route).search_fields:
            return [("", {}), (f"?q={SEARCH}", {"?": {"q": SEARCH}})]
        if name in DISTRICT_PAGES and self._several_districts():
            district = self.member.office.district_id
            return [("", {}), ("?district=…", {"?": {"district": district}})]
        if name in QUERY_PAGES:
            query = QUERY_PAGES[name]
            searched = (f"?{next(iter(query))}=…", {"?": query})
            return [searched] if name == "portal:proposal_similar" else [("", {}), searched]
        if "(?P<app_label>" in route:
            labels = re.search(r"\(\?P<app_label>([^)]*)\)", route).group(1).split("|")
            return [(label, {"app_label": label}) for label in labels]
        if "<str:step>" in route:
            model_admin = self._model_admin(route)
            return [(step, {"step": step}) for step in model_admin.workflow_steps]
        if route == "admin/autocomplete/":
            return self._autocompletes()
        if "<str:name>" in route:
            # The one action handler: a POST endpoint (the named shortcuts are swept
            # as routes of their own).
            return [("", {"name": "submit"})]
        return [("", {})]

    def candidates(self, route, namespace, persona, fixed: dict) -> list[dict]:
        """Keyword arguments to try for one persona, best first."""
        names = set(re.findall(r"<(?:\w+:)?(\w+)>", route)) - set(fixed)
        if route.endswith("/history/([^/]+)/$"):  # one version of a record's history
            return self._history_versions(route, persona)
        if not names:
            return [dict(fixed)]
        if namespace == "admin" and names in ({"object_id"}, {"id"}):
            (name,) = names
            return [
                {**fixed, name: str(pk)}
                for pk in self._admin_records(route, persona, fixed.get("step"))
            ]
        if namespace == "portal":
            return self._portal(route, names, fixed)
        if namespace in ("proposals", "visits") and names == {"token"}:
            return self._unit_links(namespace)
        if namespace == "public" and names == {"office", "year"}:
            return self._public_pages()
        if namespace == "consultations" and names == {"token"}:
            return self._expert_links()
        raise Unfillable(f"参数 {', '.join(sorted(names))} 无法从演示数据填写")

    def _several_districts(self) -> bool:
        from liaison.models import Office

        return Office.objects.exclude(district=None).values("district").distinct().count() > 1

    # Admin ------------------------------------------------------------------------------

    def _model_admin(self, route: str):
        from django.apps import apps
        from django.contrib import admin

        _admin, app_label, model_name, *_rest = route.split("/")
        try:
            model = apps.get_model(app_label, model_name)
            return admin.site._registry[model]
        except (LookupError, KeyError) as error:
            raise Unfillable("找不到该路由的 ModelAdmin") from error

    def _autocompletes(self) -> list[tuple[str, dict]]:
        """One autocomplete per model searched for (through the first field that
        searches it), with an empty term, as a widget opens."""
        from django.contrib import admin

        seen, variants = set(), []
        for model, model_admin in admin.site._registry.items():
            for field_name in model_admin.autocomplete_fields:
                target = model._meta.get_field(field_name).related_model
                if target in seen:
                    continue
                seen.add(target)
                query = {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": field_name,
                    "term": "",
                }
                variants.append((target._meta.label_lower, {"?": query}))
        return variants

    def _history_versions(self, route: str, persona: str) -> list[dict]:
        """The latest version of the persona's richest records."""
        model_admin = self._model_admin(route)
        history = getattr(model_admin.model, "history", None)
        if history is None:
            raise Unfillable("模型没有修改历史，该页面无法打开")
        records = self._admin_records(route, persona, None)
        pk_name = model_admin.model._meta.pk.attname
        versions = history.filter(**{f"{pk_name}__in": records}).order_by("-history_id")
        if records and not versions.exists():
            # Bulk-seeded rows have no versions yet: the richest gets its first.
            history.bulk_history_create([model_admin.model.objects.get(pk=records[0])])
        return [
            {"args": [str(getattr(v, pk_name)), str(v.history_id)]} for v in versions[:CANDIDATES]
        ]

    def _request(self, persona: str):
        from django.contrib.auth.models import AnonymousUser
        from django.test import RequestFactory

        request = RequestFactory().get("/admin/")
        request.user = self.users.get(persona) or AnonymousUser()
        return request

    def _admin_records(self, route: str, persona: str, step: str | None) -> list:
        """The ids of the persona's richest records: most rows across the inlines."""
        from django.forms.models import _get_foreign_key

        from liaison.selectors import count_of

        model_admin = self._model_admin(route)
        request = self._request(persona)
        if persona == "anonymous":
            return []
        rows = model_admin.get_queryset(request)
        counts = []
        for inline in model_admin.inlines:
            try:
                fk = _get_foreign_key(model_admin.model, inline.model, fk_name=inline.fk_name)
            except ValueError:  # a generic inline: no foreign key to count through
                continue
            counts.append(count_of(inline.model._default_manager.all(), fk.name))
        if counts:
            rows = rows.annotate(bench_rows=sum(counts[1:], counts[0])).order_by(
                "-bench_rows", "-pk"
            )
        else:
            rows = rows.order_by("-pk")
        if route.endswith("/delete/"):
            # The richest records the admin lets this persona delete (a workflow record
            # only before anything was sent from it, liaison.admin_workflow).
            found = []
            for obj in rows.iterator(chunk_size=200):
                if model_admin.has_delete_permission(request, obj):
                    found.append(obj.pk)
                    if len(found) == STEP_CANDIDATES:
                        break
            # None deletable: the richest record, whose page answers 403 (reported as
            # closed to every persona, not as unmeasured).
            return found or list(rows.values_list("pk", flat=True)[:1])
        if step is None:
            return list(rows.values_list("pk", flat=True)[:CANDIDATES])
        # The richest records the step is open for (the first few found).
        found = []
        for obj in rows.iterator(chunk_size=200):
            if _step_open(model_admin, request, obj, step):
                found.append(obj.pk)
                if len(found) == STEP_CANDIDATES:
                    break
        return found

    # Portal -----------------------------------------------------------------------------

    def _portal(self, route: str, names: set, fixed: dict) -> list[dict]:
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        from briefings.selectors import member_activities
        from briefings.signin import sign_in_token
        from consultations.selectors import member_consultations
        from members.selectors import member_study_materials, portal_notifications
        from proposals.selectors import (
            member_opinion_reports,
            member_proposals,
            member_research_reports,
        )
        from visits.selectors import member_concerns, member_visits

        member = self.member
        if names == {"uidb64", "token"}:
            user = member.user
            return [
                {
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                }
            ]
        records = {
            "proposals": lambda: member_proposals(member),
            "opinions": lambda: member_opinion_reports(member),
            "research": lambda: member_research_reports(member),
            "visits": lambda: member_visits(member),
            "concerns": lambda: member_concerns(member),
            "activities": lambda: member_activities(member),
            "consultations": lambda: member_consultations(member),
            "notifications": lambda: portal_notifications(member.user),
            "study": lambda: member_study_materials(member),
        }
        segment = route.split("/")[1]
        if segment not in records or "pk" not in names:
            raise Unfillable(f"门户路由 {segment}/ 没有对应的委员记录")
        rows = records[segment]().order_by("-pk")[:CANDIDATES]
        if segment == "activities" and "material_pk" in names:
            return [
                {**fixed, "pk": a.pk, "material_pk": m.pk}
                for a in rows.prefetch_related("materials")
                for m in a.materials.all()
            ]
        if segment == "activities" and "token" in names:
            return [{**fixed, "pk": a.pk, "token": sign_in_token(a)} for a in rows]
        if names != {"pk"}:
            raise Unfillable(f"参数 {', '.join(sorted(names))} 无法从演示数据填写")
        return [{**fixed, "pk": pk} for pk in rows.values_list("pk", flat=True)]

    # Units ------------------------------------------------------------------------------

    def _unit_links(self, namespace: str) -> list[dict]:
        from liaison.unit_links import unit_link_token
        from proposals.models import Assignment
        from visits.models import Concern

        model = Assignment if namespace == "proposals" else Concern
        rows = model.objects.filter(unit__isnull=False).order_by("-pk")[:CANDIDATES]
        return [{"token": unit_link_token(record)} for record in rows]

    def _expert_links(self) -> list[dict]:
        from consultations.expert_links import expert_link_token
        from consultations.models import Expert

        rows = Expert.objects.order_by("-pk")[:CANDIDATES]
        return [{"token": expert_link_token(expert)} for expert in rows]

    # Public pages -------------------------------------------------------------------------

    def _public_pages(self) -> list[dict]:
        """The offices' public proposal pages (no sign-in), those with the most public
        proposals first."""
        from django.db.models import Count

        from proposals.selectors import counted_proposals

        rows = (
            counted_proposals()
            .filter(is_public=True)
            .values("office__code", "year")
            .annotate(n=Count("pk"))
            .order_by("-n")[:CANDIDATES]
        )
        return [{"office": r["office__code"], "year": r["year"]} for r in rows]


def _step_open(model_admin, request, obj, step: str) -> bool:
    from django.http import Http404

    try:
        return model_admin._action(request, obj, step)[0] is not None
    except Http404:
        return False


# --- The sweep --------------------------------------------------------------------------


def classify(response) -> str:
    """'page', or why the answer is not one: 'skip:…' (not a page) / 'refused:…'."""
    status = response.status_code
    if status == 405:
        return "skip:只接受 POST"
    if status in (403, 404):
        return f"refused:{status}"
    if 300 <= status < 400:
        return f"refused:{status} → {response.get('Location', '')}"
    if status != 200:
        return f"error:{status}"
    kind = response.get("Content-Type", "").split(";")[0]
    if response.get("Content-Disposition") or response.streaming:
        return "skip:文件下载"
    if kind not in ("text/html", "application/json", "text/javascript", "text/plain"):
        return f"skip:{kind}，不是页面"
    return "page"


def sweep(users: dict, member, clients: dict, only=None) -> dict:
    """Every pattern, filled, opened as each persona (``clients``: signed in); ``only``:
    just the patterns of these URL names (the others are neither measured nor listed)."""
    from django.urls import get_resolver, reverse

    filler = Filler(users, member)
    entries, excluded, unfilled, skipped = [], [], [], []
    for route, namespace, pattern in walk(get_resolver().url_patterns):
        name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
        if only is not None and name not in only:
            continue
        if route in EXCLUDED:
            excluded.append({"route": route, "reason": EXCLUDED[route]})
            continue
        if route.startswith("admin/"):  # the site's own views under /admin/ too
            namespace = "admin"
        if "RedirectView" in pattern.lookup_str:
            skipped.append({"route": route, "reason": "只是跳转，不是页面"})
            continue
        try:
            variants = filler.variants(route, namespace, name)
        except Unfillable as error:
            unfilled.append({"route": route, "reason": str(error)})
            continue
        for variant, fixed in variants:
            entry = Entry(route, namespace, name, variant)
            if entry.label in EXCLUDED:
                excluded.append({"route": entry.label, "reason": EXCLUDED[entry.label]})
                continue
            entries.append(entry)
            _open(entry, fixed, filler, clients, reverse)
            if not entry.measured and not entry.skipped:
                reason = "；".join(entry.refused) or "没有可用的记录"
                unfilled.append({"route": entry.label, "reason": reason})
    return {
        "measured": [m for e in entries for m in e.measured],
        "skipped": skipped
        + [
            {"route": e.label, "reason": "；".join(sorted(set(e.skipped)))}
            for e in entries
            if e.skipped and not e.measured
        ],
        "excluded": excluded,
        "unfilled": unfilled,
    }


def _open(entry, fixed, filler, clients, reverse) -> None:
    """Try the personas (the fallbacks only if none opens it) and their candidates."""
    from django.urls import NoReverseMatch

    primary = tuple(p for p in PERSONAS.get(entry.namespace, ("anonymous",)) if p in clients)
    for personas in (primary, FALLBACK.get(entry.namespace, ())):
        for persona in personas:
            try:
                candidates = filler.candidates(entry.route, entry.namespace, persona, fixed)
            except Unfillable as error:
                entry.refused.append(f"{persona}：{error}")
                continue
            outcome, measured = None, None
            for kwargs in candidates:
                try:
                    url = _url(entry, kwargs, reverse)
                except NoReverseMatch:
                    outcome = "refused:无法生成地址"
                    continue
                try:
                    outcome, url, page = _visit(clients[persona], url, entry.route)
                except Exception as error:  # a page that fails is reported, not fatal
                    outcome = f"error:{type(error).__name__}: {error}"
                    break
                if outcome == "page" and measured:
                    measured["samples"].append(page["queries"])
                    if len(measured["samples"]) == RECORD_SAMPLES:
                        break
                    continue
                if outcome == "page":
                    measured = {
                        "key": f"{persona} {entry.label}",
                        "route": entry.label,
                        "name": entry.name,
                        "persona": persona,
                        "kind": kind_of(entry.namespace),
                        "url": url,
                        **page,
                        "samples": [page["queries"]],
                    }
                    entry.measured.append(measured)
                    if "<path:object_id>" not in entry.route:
                        break
                    continue
                if measured or not outcome.startswith("refused"):
                    break
            if measured:
                continue
            if outcome is None:
                entry.refused.append(f"{persona}：没有可用的记录")
            elif outcome.startswith("skip:"):
                entry.skipped.append(outcome.removeprefix("skip:"))
            elif outcome != "page":
                entry.refused.append(f"{persona}：{outcome.split(':', 1)[1]}")
        if entry.measured or entry.skipped:
            return
    signed_in = [r for r in entry.refused if not r.startswith("anonymous：")]
    if signed_in and all(r.endswith("：403") for r in signed_in):
        entry.skipped.append("对所有身份关闭（403）")


def _visit(client, url: str, route: str) -> tuple[str, str, dict]:
    """GET ``url``; a page is requested again with its queries counted (the first
    request warmed the caches, as on a running server). A redirect to the same route
    (a password-reset link moving its token into the session) is followed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    response = client.get(url)
    location = response.get("Location", "")
    if 300 <= response.status_code < 400 and location.startswith("/"):
        try:
            same = resolve(location.split("?")[0]).route == resolve(url.split("?")[0]).route
        except Resolver404:
            same = False
        if same:
            url = location
            response = client.get(url)
    outcome = classify(response)
    if outcome != "page":
        return outcome, url, {}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    page = {"queries": len(captured), "bytes": len(response.content)}
    changelist = (getattr(response, "context_data", None) or {}).get("cl")
    if changelist is not None:  # an admin list: how many rows matched, how many shown
        page["matches"], page["rows"] = changelist.result_count, len(changelist.result_list)
        page["count_bound"] = bound = getattr(changelist.paginator, "bound", None)
        if bound and changelist.result_count > bound:
            # The page counted up to its bound (liaison.admin_lists); what it searched
            # or sorted is every match, counted here, outside the measured request.
            page["matches"] = changelist.queryset.order_by().count()
    return classify(response), url, page


def _url(entry, kwargs, reverse) -> str:
    """The URL for ``kwargs`` (``args``: positional; ``?``: the query string): reversed
    by name where the pattern has one, else built from the route."""
    from urllib.parse import urlencode

    kwargs = dict(kwargs)
    query = kwargs.pop("?", None)
    args = kwargs.pop("args", None)
    if entry.name:
        url = reverse(entry.name, args=args) if args else reverse(entry.name, kwargs=kwargs)
        return url + (f"?{urlencode(query)}" if query else "")
    url = "/" + entry.route
    for key, value in kwargs.items():
        url = re.sub(rf"<(\w+:)?{key}>", str(value), url)
    return url


def complete_demo(member, anonymous, superuser, staff=None) -> None:
    """What the demo leaves out and a page needs, so that every page has a record to
    show: each office's configuration rows, a concern and an inbox message of the demo
    member, a failed admin sign-in (the lockout log's records), a city (the demo is one
    district), a reply to the committee still in draft (the demo's are sent) and, in the
    member's office, a record in each workflow state the demo never leaves one in
    (``seed_step_records``)."""
    from django.apps import apps
    from django.urls import reverse

    from liaison.models import City, Job, Notification, Office
    from liaison.services import notification_queue
    from reports.models import CommitteeReply
    from reports.services import committee_reply_create
    from visits.models import Concern
    from visits.selectors import member_concerns
    from visits.services.concerns import concern_create

    for model in apps.get_models():
        if hasattr(model, "for_office"):
            for office in Office.objects.all():
                config = model.for_office(office)
                if config.pk is None:  # the defaults, until staff save them
                    config.save()
    if not member_concerns(member).exists():
        concern_create(
            actor=member.user,
            office=member.office,
            member=member,
            title="路口红绿灯时间过短",
            content="老人过马路来不及，建议延长绿灯时间。",
            source=Concern.Source.PORTAL,
        )
    notification_queue(
        channel=Notification.Channel.PORTAL,
        kind="bench",
        dedupe_key="bench:inbox",
        subject="会议提醒",
        body="请准时参加本周五的界别活动。",
        recipient=member.user,
        office=member.office,
    )
    anonymous.post(
        reverse("admin:login"), {"username": superuser.username, "password": "not-the-password"}
    )
    City.objects.get_or_create(name="长沙市")
    if not CommitteeReply.objects.filter(status=CommitteeReply.Status.DRAFT).exists():
        committee_reply_create(
            office=member.office,
            actor=superuser,
            title="关于社区养老服务设施布局意见的复函",
            incoming_title="关于征求社区养老服务设施布局意见的函",
            body="一、总体意见\n委员们赞成按步行15分钟服务圈布点，建议优先利用闲置公房。",
        )
    # A finished background job of each office (a roster import), for the job pages.
    for office in Office.objects.all():
        Job.objects.get_or_create(
            office=office,
            kind="roster-import",
            key="bench",
            defaults={
                "title": "名册导入",
                "status": Job.Status.DONE,
                "total": 60,
                "done": 60,
                "result": {"summary": "新增 60 名"},
            },
        )
    seed_step_records(member, staff or superuser)


def seed_step_records(member, actor) -> None:
    """Records in the states the demo never leaves one in, so that every workflow step's
    page is measured (its activities are all held or cancelled, no proposal awaits a
    return decision, no plan awaits the committee, no work report is a draft): made in
    ``member``'s office (the office staff persona's) through the services, as staff and
    the member would, at 1× and 10× alike.

    - a major activity in preparation, its request for instructions sent and not yet
      answered, members invited (请示报送, 批复, 邀请, 发布, 取消);
    - a published activity not yet started, for which the member asked for leave
      (调整时间地点, 审批请假);
    - a published activity that has started, no leave pending (完成考勤登记);
    - a registered proposal assigned to a lead and a co-handling unit, the lead unit
      asking to give it back (处理退回申请; 代单位申请退回 for the co-handling unit);
    - a work plan submitted to the committee (登记意见, 登记通过);
    - a work report in draft (报送).
    """
    import datetime
    import time

    from django.utils import timezone

    from briefings.models import ActivityKind
    from briefings.services import (
        activity_create,
        activity_invite,
        activity_publish,
        activity_request_send,
        invitation_reply,
    )
    from liaison.models import HandlingUnit
    from members.models import Member
    from plans.models import PlanCategory, WorkPlan, WorkReport
    from plans.services import plan_create, plan_item_add, plan_submit, work_report_create
    from proposals.models import Assignment, Proposal
    from proposals.services import assignment_request_return, proposal_assign

    office = member.office
    today = timezone.localdate()
    kind = ActivityKind.objects.order_by("pk").first()
    others = (
        Member.objects.filter(office=office, status=Member.Status.SERVING)
        .exclude(pk=member.pk)
        .order_by("pk")
    )
    invitees = [member, *others[:9]]

    def activity(title: str, days: int):
        starts = timezone.now() + datetime.timedelta(days=days, seconds=30)
        created = activity_create(
            actor=actor,
            office=office,
            kind=kind,
            title=title,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            venue="联络处会议室",
            topic="基准测试",
        )
        activity_invite(activity=created, actor=actor, members=invitees)
        return created

    drafted = activity("社区养老服务专题协商（筹备中）", 21)
    activity_request_send(activity=drafted, actor=actor, sent_on=today)

    coming = activity("垃圾分类工作视察（已发布）", 14)
    activity_publish(activity=coming, actor=actor, override_reason="基准测试：先行发布")
    invitation_reply(
        activity=coming, member=member, actor=member.user, attending=False, reason="出差"
    )

    # Started: published while still ahead (publishing needs a future start), then
    # the few seconds to its start are waited out below (no service moves a start
    # into the past).
    under_way = activity("老旧小区改造情况通报（进行中）", 0)
    activity_publish(activity=under_way, actor=actor, override_reason="基准测试：先行发布")

    registered = (
        Proposal.objects.filter(office=office, status=Proposal.Status.REGISTERED)
        .order_by("pk")
        .first()
    )
    units = list(HandlingUnit.objects.filter(office=office, is_active=True).order_by("pk")[:2])
    if registered is not None and len(units) == 2:
        proposal_assign(proposal=registered, actor=actor, lead_unit=units[0], co_units=units[1:])
        lead = Assignment.objects.get(proposal=registered, unit=units[0], role=Assignment.Role.LEAD)
        assignment_request_return(
            assignment=lead, reason="不属于本单位职责范围", actor_label=str(units[0])
        )

    year = today.year + 1
    while WorkPlan.objects.filter(office=office, year=year).exists():
        year += 1
    plan = plan_create(actor=actor, office=office, year=year)
    plan_item_add(
        plan=plan,
        actor=actor,
        category=PlanCategory.objects.order_by("pk").first(),
        description="组织委员开展民生实事专题视察",
        months="3,9",
    )
    plan_submit(plan=plan, actor=actor, submitted_on=today)

    year = today.year + 1
    while WorkReport.objects.filter(
        office=office, year=year, period=WorkReport.period_for(None)
    ).exists():
        year += 1
    work_report_create(actor=actor, office=office, year=year, summary="全年工作总结（草稿）")
    waiting = (under_way.starts_at - timezone.now()).total_seconds()
    if waiting > 0:
        time.sleep(waiting + 1)
