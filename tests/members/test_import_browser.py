"""Staff import a large roster in the admin (Chromium through Playwright): the page
becomes the job's progress bar, and then its result."""

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from liaison import jobs, tasks
from liaison.models import Job
from tests.factories import PASSWORD
from tests.members.test_import_export import roster_row, xlsx_bytes
from tests.portal.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOTS = "/tmp/roster_import_{}.png"


def test_staff_watch_a_large_roster_import_and_read_its_result(
    live_server, staff, settings, monkeypatch, tmp_path
):
    settings.ROSTER_IMPORT_WORKER_ROWS = 2
    monkeypatch.setattr(jobs, "_enqueue", lambda job_id: None)  # the worker runs below
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls beside Playwright
    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(xlsx_bytes([roster_row(i) for i in range(3)]))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        try:
            page.goto(f"{live_server.url}/admin/login/")
            page.get_by_label("用户名").fill(staff.username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.goto(f"{live_server.url}/admin/members/member/import/")
            page.locator("input[type=file]").set_input_files(roster)
            page.locator("input[type=submit]").click()

            expect(page.locator("progress")).to_be_visible()
            page.screenshot(path=SCREENSHOTS.format("progress"), full_page=True)
            tasks.run_job(Job.objects.get().pk)

            expect(page.get_by_text("导入完成：新增 3 名委员")).to_be_visible(timeout=10_000)
            expect(page.get_by_role("link", name="历史")).to_have_count(0)
            page.screenshot(path=SCREENSHOTS.format("result"), full_page=True)
        finally:
            browser.close()
            connections.close_all()
