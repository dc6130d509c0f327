"""The security sweep: every portal and unit-link URL, found in the URLconf rather than
listed by hand, tried with other people's ids; CSRF on every state-changing view; the
content security policy; security headers; the admin closed to leaders and members.

Covered elsewhere and not repeated here:
- sign-in lockout: tests/portal/test_sign_in.py;
- uploads checked by content and size: the apps' upload tests (tests/proposals/test_pages.py,
  tests/briefings/test_pages.py, tests/members/test_admin.py);
- uploaded files served only to those allowed: tests/security/test_media.py;
- signed unit links expire and reject tampering: tests/proposals/test_unit_link.py,
  tests/visits/test_unit_link.py;
- `check --deploy --fail-level WARNING`: tests/liaison/test_settings.py.
"""

import datetime
import re

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from liaison import roles
from liaison.models import Notification

from ..factories import (
    NotificationFactory,
    UserFactory,
    activity_published,
    member_with_account,
    proposal_draft,
    staff_user,
)

SWEPT_NAMESPACES = ("portal", "proposals", "visits", "reports")
INT_CONVERTER = "IntConverter"


def _patterns(resolver=None, namespace=None, prefix=""):
    """(full name, route, converters) of every URL pattern under the swept namespaces."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _patterns(entry, ns, route)
        elif isinstance(entry, URLPattern) and namespace in SWEPT_NAMESPACES and entry.name:
            converters = {
                name: type(conv).__name__ for name, conv in entry.pattern.converters.items()
            }
            yield f"{namespace}:{entry.name}", route, converters


def _portal_patterns():
    return [p for p in _patterns() if p[0].startswith("portal:")]


# Which objects an int parameter of a portal URL names, by the URL's name.
ID_SOURCES = {
    ("notification_", "pk"): "notification",
    ("proposal_", "pk"): "proposal",
    ("opinion_", "pk"): "opinion",
    ("research_", "pk"): "research",
    ("visit_", "pk"): "visit",
    ("concern_", "pk"): "concern",
    ("activity_", "pk"): "activity",
    ("activity_", "material_pk"): "material",
    ("consultation_", "pk"): "consultation",
    ("consultation_", "document_pk"): "consultation_document",
    ("study_", "pk"): "study_material",
}
# Activities belong to the office, not to a member: every member of the office may open
# its published activities. Only another office's are swept. So do study materials
# published to everyone of the office.
OFFICE_SCOPED = {"activity", "material", "study_material"}
# The leaders' reports page: a committee document.
ID_SOURCES[("report_", "pk")] = "document"


def _source(name: str, param: str) -> str | None:
    url_name = name.split(":", 1)[1]
    for (prefix, key), source in ID_SOURCES.items():
        if url_name.startswith(prefix) and param == key:
            return source
    return None


def _records_of(member, staff):
    """One of each kind of record a member may see, belonging to ``member``."""
    from briefings.models import Material
    from consultations import services as consultation_services
    from consultations.models import ConsultationDocument
    from members.models import StudyMaterial
    from proposals.models import ResearchReport
    from proposals.services import opinion_report_create
    from tests.consultations.helpers import consultation_draft
    from visits import services as visits
    from visits.models import Concern, Visit

    office = member.office
    proposal = proposal_draft(member=member)
    opinion = opinion_report_create(
        actor=member.user,
        office=office,
        member=member,
        title="关于老旧小区加装电梯的反映",
        situation="老旧小区住户出行不便。",
        suggestion="简化审批。",
    )
    concern = visits.concern_create(
        actor=member.user,
        office=office,
        member=member,
        title="路灯不亮",
        content="小区门口路灯坏了一个月。",
        source=Concern.Source.PORTAL,
    )
    visit = visits.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.ROUTINE,
        visited_on=timezone.localdate() - datetime.timedelta(days=3),
        members=[member],
        team_users=[staff],
        summary="走访。",
    )
    activity = activity_published(
        office=office,
        actor=staff,
        members=[member],
        starts_at=timezone.now() + datetime.timedelta(days=10),
    )
    material = Material.objects.create(
        activity=activity, title="材料", file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="x.pdf")
    )
    research = ResearchReport.objects.create(office=office, year=2026, topic="适老化改造调研")
    research.group_members.add(member)
    notification = NotificationFactory(recipient=member.user, office=office)
    # A consultation asked of this member alone, with a draft document.
    consultation = consultation_draft(
        staff=staff, office=office, audience="chosen", chosen_members=[member]
    )
    document = ConsultationDocument.objects.create(
        consultation=consultation,
        title="征求意见稿",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="d.pdf"),
    )
    consultation_services.consultation_open(consultation=consultation, actor=staff)
    study_material = StudyMaterial.objects.create(
        office=office,
        title="参阅资料",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="s.pdf"),
        published_on=timezone.localdate(),
    )
    return {
        "study_material": study_material.pk,
        "consultation": consultation.pk,
        "consultation_document": document.pk,
        "research": research.pk,
        "proposal": proposal.pk,
        "opinion": opinion.pk,
        "concern": concern.pk,
        "visit": visit.pk,
        "activity": activity.pk,
        "material": material.pk,
        "notification": notification.pk,
        # Committee documents are the leaders' (reports tests cover their scoping); the
        # CSRF and GET sweeps only need a well-formed URL.
        "document": 999999,
    }


@pytest.fixture
def foreign_ids(staff, other_member, other_office):
    """Records of another member of the same office and of a member of another office."""
    stranger = member_with_account(office=other_office, name="陈立新", mobile="13900000009")
    return [
        ("another member", _records_of(other_member, staff)),
        ("another office", _records_of(stranger, staff_user(other_office, username="o2"))),
    ]


def _fill(route: str, converters: dict, ids: dict, name: str) -> str:
    def value(match):
        param = match.group(2)
        if converters.get(param) == INT_CONVERTER:
            return str(ids[_source(name, param)])
        return "bad-token"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def test_every_int_parameter_of_a_portal_url_has_an_id_source():
    """A new portal route with an id cannot silently escape the sweep."""
    unmapped = [
        f"{name} <{param}>"
        for name, _route, converters in _portal_patterns()
        for param, kind in converters.items()
        if kind == INT_CONVERTER and _source(name, param) is None
    ]
    assert unmapped == []


def test_every_portal_url_with_someone_elses_ids_is_not_found(member_client, foreign_ids):
    swept = [p for p in _portal_patterns() if INT_CONVERTER in p[2].values()]
    assert len(swept) >= 15, swept
    leaks = []
    for whose, ids in foreign_ids:
        for name, route, converters in swept:
            sources = {_source(name, p) for p, kind in converters.items() if kind == INT_CONVERTER}
            if whose == "another member" and sources & OFFICE_SCOPED:
                continue
            url = _fill(route, converters, ids, name)
            for method in ("get", "post"):
                status = getattr(member_client, method)(url).status_code
                # A POST-only view answers any GET with 405 before looking anything up,
                # which tells nothing about the record.
                if status != 404 and not (method == "get" and status == 405):
                    leaks.append(f"{method.upper()} {url} ({name}, {whose}'s ids) → {status}")
    assert leaks == [], "\n".join(leaks)


def test_unit_links_with_a_forged_token_are_refused(member_client):
    """A token that is not signed by us opens nothing (the unit sees the "link not valid"
    page, 403). Expiry and tampering with real tokens: tests/*/test_unit_link.py."""
    for name in ("proposals:unit_assignment", "visits:unit_concern"):
        for token in ("1", "1:abc", "eyJwayI6MX0:1tZ:forged"):
            url = reverse(name, args=[token])
            assert member_client.get(url).status_code in (403, 404), url
            assert member_client.post(url).status_code in (403, 404), url


def _state():
    """Rows in every table (history tables catch any save of a tracked model), and
    notifications read."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    # Per-office configuration rows are created the first time a page reads them.
    counts = {k: v for k, v in counts.items() if not k.endswith("Config")}
    counts.pop("sessions.Session", None)
    counts.pop("axes.AccessLog", None)
    counts.pop("axes.AccessAttempt", None)
    # Opening a study material in the portal is what marks it read (issue 17: the read
    # mark is set when the member opens it); the mark counts towards no minimum.
    counts.pop("members.StudyRead", None)
    counts["read notifications"] = Notification.objects.filter(read_at__isnull=False).count()
    return counts


@pytest.fixture
def own_ids(member, staff):
    return _records_of(member, staff)


def _all_swept_urls(ids):
    return [(name, _fill(route, conv, ids, name)) for name, route, conv in _patterns()]


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(member, own_ids):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    urls = _all_swept_urls(own_ids)
    assert len(urls) >= 30
    before = _state()
    accepted = [
        f"{url} ({name}) → {status}"
        for name, url in urls
        if (status := client.post(url, {"title": "x", "verdict": "satisfied"}).status_code) != 403
    ]
    assert accepted == []
    assert _state() == before


def test_a_get_to_any_url_changes_nothing(member_client, own_ids):
    urls = _all_swept_urls(own_ids)
    before = _state()
    odd = [
        f"{url} ({name}) → {status}"
        for name, url in urls
        if (status := member_client.get(url).status_code) not in (200, 302, 403, 404, 405)
    ]
    assert odd == []
    assert _state() == before


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def test_portal_pages_carry_a_strict_csp_and_no_inline_script_or_style(member_client, own_ids):
    rendered = 0
    problems = []
    for name, url in _all_swept_urls(own_ids):
        if not name.startswith("portal:") or name.endswith(("logout", "read_all")):
            continue
        response = member_client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        rendered += 1
        csp = response.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src([^;]*)", csp)
        if not script_src or "unsafe-inline" in script_src.group(1):
            problems.append(f"{url}: CSP {csp!r}")
        html = response.content.decode()
        if INLINE_SCRIPT.search(html):
            problems.append(f"{url}: inline <script>")
        if STYLE_ATTRIBUTE.search(html):
            problems.append(f"{url}: style attribute")
    assert rendered >= 12
    assert problems == []


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_security_headers_under_production_settings(client, db):
    response = client.get(reverse("portal:login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    plain = client.get(reverse("portal:login"))
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


@pytest.mark.parametrize("persona", ["leader", "member"])
def test_leaders_and_members_cannot_reach_the_admin(db, client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    for url in (
        "/admin/",
        "/admin/proposals/proposal/",
        "/admin/members/member/",
        "/admin/visits/concern/",
        "/admin/liaison/user/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_an_account_without_a_role_cannot_reach_the_admin(client, office):
    client.force_login(UserFactory(office=office, role=roles.COMMITTEE_LEADER))
    assert client.get("/admin/").status_code == 302
