"""The coverage page is cached, and never out of date: a recorded visit, a member who
leaves office, a changed target or a new half-year shows on the very next view."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from visits import services
from visits.models import Visit, VisitConfig

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
MAY = datetime.datetime(2026, 5, 20, 9, tzinfo=SHANGHAI)


def _visit(staff, member):
    services.visit_record(
        actor=staff,
        office=member.office,
        kind=Visit.Kind.ROUTINE,
        visited_on=datetime.date(2026, 5, 19),
        members=[member],
    )


def _view(client, show="half"):
    response = client.get(reverse("admin:visits_visit_coverage"), {"show": show})
    page = response.context["page"]
    return response.context["rows"][0], [m.name for m in page.object_list]


def test_a_second_view_is_served_from_the_cache(staff_client, member, other_member):
    with time_machine.travel(MAY):
        _view(staff_client)
        with CaptureQueriesContext(connection) as second:
            row, listed = _view(staff_client)
    assert sorted(listed) == sorted([member.name, other_member.name])
    assert row.serving == 2
    counted = [q["sql"] for q in second.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counted == []  # neither the summary nor the list was counted again


def test_a_recorded_visit_shows_on_the_next_view(staff_client, staff, member):
    with time_machine.travel(MAY):
        assert member.name in _view(staff_client)[1]
        _visit(staff, member)
        row, listed = _view(staff_client)
    assert member.name not in listed and row.visited_half == 1


def test_a_member_leaving_office_shows_on_the_next_view(staff_client, member, other_member):
    with time_machine.travel(MAY):
        assert _view(staff_client)[0].serving == 2
        other_member.status = other_member.Status.TERM_ENDED
        other_member.save()
        row, listed = _view(staff_client)
    assert row.serving == 1 and listed == [member.name]


def test_a_changed_target_shows_on_the_next_view(staff_client, staff, office, member):
    with time_machine.travel(MAY):
        _visit(staff, member)
        assert member.name in _view(staff_client, "year")[1]  # one of two visits
        VisitConfig.objects.create(office=office, visits_per_year=1)
        row, listed = _view(staff_client, "year")
    assert member.name not in listed and row.target == 1


def test_a_new_half_year_shows_on_the_next_view(staff_client, staff, member):
    with time_machine.travel(MAY):
        _visit(staff, member)
        assert member.name not in _view(staff_client)[1]
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, tzinfo=SHANGHAI)):
        assert member.name in _view(staff_client)[1]  # not yet visited this half-year


@pytest.mark.parametrize("number", ["abc", "-1", "", "99"])
def test_any_page_number_shows_a_page_of_the_list(staff_client, member, number):
    with time_machine.travel(MAY):
        response = staff_client.get(reverse("admin:visits_visit_coverage"), {"page": number})
    assert response.status_code == 200
    assert [m.name for m in response.context["page"].object_list] == [member.name]


def _index_rows(client):
    panels = client.get(reverse("admin:index")).context["panels"]
    return next(p for p in panels if p.template == "admin/visits/panel.html").context["rows"]


def test_an_empty_cache_reads_the_kept_figures_instead_of_counting(
    staff_client, staff, member, other_member
):
    """A restarted process (or another host) has an empty cache: the index and the
    coverage page read each office's kept summary, counting no roster."""
    with time_machine.travel(MAY):
        _visit(staff, member)
        first = _index_rows(staff_client)[0]
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            again = _index_rows(staff_client)[0]
        # Read now: the next request empties the connection's query log.
        cold_sql = [q["sql"] for q in cold.captured_queries]
        row, _listed = _view(staff_client)
        # A visit recorded afterwards is counted on the next view, cache or not.
        _visit(staff, other_member)
        cache.clear()
        after = _index_rows(staff_client)[0]
    assert cold_sql  # the view ran its queries: none of them counted a roster
    assert [sql for sql in cold_sql if "visits_visittally" in sql] == []
    assert (again.serving, again.visited_half) == (first.serving, first.visited_half) == (2, 1)
    assert row.visited_half == 1
    assert after.visited_half == 2


def test_an_empty_cache_reads_the_kept_list_page_instead_of_sorting_the_roster(
    staff_client, staff, member, other_member
):
    """The list's page is kept in the database too: a process with an empty cache shows
    the same members without sorting every serving member by their visits; a visit
    recorded afterwards changes the list on the next view, cache or not."""
    with time_machine.travel(MAY):
        _row, first = _view(staff_client)
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            _row, again = _view(staff_client)
        # Read now: the next request empties the connection's query log.
        cold_sql = [q["sql"] for q in cold.captured_queries]
        _visit(staff, member)
        cache.clear()
        _row, after = _view(staff_client)
    assert cold_sql  # the view ran its queries: none of them sorted the roster
    assert [sql for sql in cold_sql if '"visits_half"' in sql] == []
    assert again == first and sorted(first) == sorted([member.name, other_member.name])
    assert after == [other_member.name]
