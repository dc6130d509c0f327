"""Office staff in the admin at 1280×800 and 1440×900 (Chromium through Playwright,
against the demo): no changelist, change form, add form, workflow step or custom admin
page scrolls sideways; rows of the member, proposal and concern lists stay one line
high; every workflow record page with a step open shows exactly one primary button;
no list of many needs Ctrl-click. One browser and one page for the whole walk.

Screenshots of the index, the proposal list, a proposal, the 交办 step and the 邀请委员
step are left in ADMIN_SCREENSHOTS (default: the temp directory) as after-*.png."""

import os
import tempfile
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import connections
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import sync_playwright

from briefings.models import Activity
from liaison.admin_workflow import WorkflowAdminMixin
from liaison.models import User
from plans.models import WorkPlan
from proposals.models import Proposal
from tests.demo.seeding import seed
from tests.members.test_import_export import roster_row, xlsx_bytes
from tests.portal.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(os.environ.get("ADMIN_SCREENSHOTS", tempfile.gettempdir()))
VIEWPORTS = [(1280, 800), (1440, 900)]
STAFF = "staff_jcy"  # the demo's office staff (seed_demo prints it)
PASSWORD = "lianluo-2026"
ONE_LINE_LISTS = ["members/member", "proposals/proposal", "visits/concern"]

# A cell whose text runs over more than one line (its rows may be taller: a photo).
WRAPPED_CELLS = """() => [...document.querySelectorAll('#result_list tbody :is(td, th)')]
  .filter((cell) => !cell.querySelector('img, input'))
  .filter((cell) => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    if (!rects.length) return false;
    const top = Math.min(...rects.map((r) => r.top));
    const bottom = Math.max(...rects.map((r) => r.bottom));
    const size = parseFloat(getComputedStyle(cell).fontSize);
    return bottom - top > size * 2.2;
  })
  .map((cell) => `${cell.className}: ${cell.textContent.trim().slice(0, 20)}`)"""
# A multi-select list (Ctrl-click to choose several); autocompletes are typed into.
CTRL_LISTS = """() => [...document.querySelectorAll('select[multiple]')]
  .filter((s) => !s.classList.contains('admin-autocomplete')).map((s) => s.name)"""


def _staff_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _pages(user) -> tuple[list[str], list[str]]:
    """Every admin page the staff member opens: each list, add form and one record's
    page (for a workflow, a record with a next step open, and that step's page), and the
    custom pages. Also the workflow record pages, to count their primary buttons."""
    request = _staff_request(user)
    pages, workflow_pages = ["/admin/"], []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            pages.append(reverse("admin:{}_{}_add".format(*info)))
        records = model_admin.get_queryset(request).order_by("-pk")
        record = records.first()
        if isinstance(model_admin, WorkflowAdminMixin):
            # One record in each state with a next step for staff (a draft only its
            # author may submit offers staff nothing but 撤回: no primary button then);
            # the first of them, and its first step's page, also for the widths.
            by_state = {}
            for r in records:
                actions = model_admin.available_actions(request, r)
                if r.status not in by_state and any(not a.is_danger for a in actions):
                    by_state[r.status] = (r, actions[0])
            change = "admin:{}_{}_change".format(*info)
            workflow_pages += [reverse(change, args=[r.pk]) for r, _a in by_state.values()]
            if by_state:
                record, action = next(iter(by_state.values()))
                pages.append(
                    reverse("admin:{}_{}_step".format(*info), args=[record.pk, action.name])
                )
        if record is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[record.pk]))
    held = Activity.objects.filter(status=Activity.Status.HELD).order_by("pk").first()
    for name, args in [
        ("visits_visit_coverage", []),
        ("visits_concern_digest", []),
        ("members_member_roster", []),
        ("members_member_import", []),
        ("plans_workplan_progress", [WorkPlan.objects.order_by("pk").first().pk]),
        ("briefings_activity_sign_in", [held.pk]),
        ("briefings_activity_qr", [held.pk]),
        ("briefings_activity_minutes", [held.pk]),
        ("password_change", []),
    ]:
        pages.append(reverse(f"admin:{name}", args=args))
    return pages, workflow_pages


def _special_steps() -> dict[str, str]:
    registered = Proposal.objects.filter(status=Proposal.Status.REGISTERED).first()
    published = Activity.objects.filter(status=Activity.Status.PUBLISHED).first()
    return {
        "assign": reverse("admin:proposals_proposal_step", args=[registered.pk, "assign"]),
        "invite": reverse("admin:briefings_activity_step", args=[published.pk, "invite"]),
    }


def test_every_admin_page_fits_the_screen_with_one_next_step(live_server, monkeypatch, tmp_path):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    seed()
    user = User.objects.get(username=STAFF)
    pages, workflow_pages = _pages(user)
    steps = _special_steps()
    pages += list(steps.values())
    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(xlsx_bytes([roster_row(i) for i in range(3)]))
    problems = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.set_default_timeout(15_000)
        try:
            page.goto(f"{live_server.url}/admin/login/")
            page.locator("#id_username").fill(STAFF)
            page.locator("#id_password").fill(PASSWORD)
            page.locator("#id_password").press("Enter")
            page.wait_for_url(f"{live_server.url}/admin/")

            for width, height in VIEWPORTS:
                page.set_viewport_size({"width": width, "height": height})
                for url in pages:
                    response = page.goto(f"{live_server.url}{url}")
                    if response.status >= 400:
                        problems.append(f"{url}: HTTP {response.status}")
                        continue
                    scroll = page.evaluate("document.documentElement.scrollWidth")
                    if scroll > width:
                        problems.append(f"{url} at {width}px: {scroll}px wide")
                    if ctrl := page.evaluate(CTRL_LISTS):
                        problems.append(f"{url}: Ctrl-click lists {ctrl}")
                    one_line = any(f"/admin/{name}/" == url for name in ONE_LINE_LISTS)
                    if one_line and (wrapped := page.evaluate(WRAPPED_CELLS)):
                        problems.append(f"{url} at {width}px: wrapped {wrapped[:5]}")
                # The import preview (a small roster is shown before it is saved).
                page.goto(f"{live_server.url}/admin/members/member/import/")
                page.locator("input[type=file]").set_input_files(roster)
                page.locator("input[type=submit]").click()
                page.wait_for_load_state()
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"import preview at {width}px: {scroll}px wide")

            page.set_viewport_size({"width": 1280, "height": 800})
            for url in workflow_pages:
                page.goto(f"{live_server.url}{url}")
                primary = page.locator(".workflow-bar .workflow-primary").count()
                if primary != 1:
                    problems.append(f"{url}: {primary} primary buttons")

            proposal = next(u for u in workflow_pages if "/proposals/proposal/" in u)
            for name, url in {
                "index": "/admin/",
                "proposal-list": "/admin/proposals/proposal/",
                "proposal": proposal,
                **steps,
            }.items():
                page.goto(f"{live_server.url}{url}")
                page.wait_for_load_state("networkidle")  # the picker's presets are fetched
                page.screenshot(path=str(SHOTS / f"after-{name}.png"), full_page=True)
        finally:
            browser.close()
            connections.close_all()

    assert len(workflow_pages) >= 8  # proposals, reports, concerns, visits, activities …
    assert problems == [], "\n".join(problems)
