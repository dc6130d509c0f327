"""The staff member's to-dos on the admin index: how many records wait for each step,
late ones first, each a link to the list filtered to exactly those records."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import services as proposal_services
from tests.factories import proposal_draft
from visits.models import Concern
from visits.services.concerns import concern_create


def _todos(client) -> list[tuple[str, int, str]]:
    page = client.get(reverse("admin:index")).text
    panel = page.split('class="todo-list"', 1)[1].split("</table>", 1)[0]
    return [
        (label, int(count), href.replace("&amp;", "&"))
        for href, label, count in re.findall(
            r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>\s*'
            r'<td class="todo-count"><a href="[^"]+">(\d+)</a>',
            panel,
        )
    ]


def test_index_lists_what_waits_and_each_link_shows_those_records(
    staff_client, staff, member, other_member, office
):
    for title in ("甲提案", "乙提案"):
        proposal = proposal_draft(member=member, title=title)
        proposal_services.proposal_submit(proposal=proposal, actor=member.user)
    concern_create(
        actor=member.user,
        office=office,
        member=member,
        title="路灯不亮",
        content="小区门口路灯坏了。",
        source=Concern.Source.PORTAL,
    )

    todos = _todos(staff_client)

    assert ("待立案的提案", 2) in [(label, n) for label, n, _ in todos]
    assert ("待分类交办的意见建议", 1) in [(label, n) for label, n, _ in todos]
    for _label, count, url in todos:
        listing = staff_client.get(url)
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == count


def test_nothing_waiting_says_so(staff_client):
    page = staff_client.get(reverse("admin:index")).text
    assert "眼下没有等待办理的事项" in page


def test_the_to_dos_cost_the_same_queries_however_many_records(staff_client, member, office):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            staff_client.get(reverse("admin:index"))
        return len(ctx.captured_queries)

    proposal_services.proposal_submit(proposal=proposal_draft(member=member), actor=member.user)
    queries()  # the first view fills the index's caches (coverage)
    small = queries()
    for i in range(15):
        proposal = proposal_draft(member=member, title=f"提案{i}")
        proposal_services.proposal_submit(proposal=proposal, actor=member.user)
    queries()
    assert queries() == small


def test_overdue_visits_link_to_exactly_the_overdue_ones(staff_client, staff, member, office):
    import datetime

    import time_machine

    from visits.models import Visit

    with time_machine.travel(datetime.datetime(2026, 5, 1, 9)):
        for due in (datetime.date(2026, 4, 1), datetime.date(2026, 6, 1)):
            Visit.objects.create(
                office=office, kind="routine", status=Visit.Status.PENDING, due_date=due
            )
        todos = {label: (n, url) for label, n, url in _todos(staff_client)}
        count, url = todos["逾期未走访"]
        assert count == 1
        assert staff_client.get(url).context["cl"].result_count == 1
