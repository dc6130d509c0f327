"""The visit tallies the coverage page reads stay equal to a count of the visits,
whichever way a visit is written: recorded, completed, redated, cancelled, edited or
deleted in the admin — and a nightly repair corrects rows written around the services."""

import datetime
import logging
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from members.models import Member
from tests.factories import MemberFactory
from visits import services, tallies
from visits.models import LifeEvent, Visit, VisitMember, VisitTally
from visits.tasks import repair_visit_tallies

from .forms import visit_admin_form

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

MAY = datetime.datetime(2026, 5, 20, 9, tzinfo=SHANGHAI)
SEPTEMBER = datetime.datetime(2026, 9, 20, 9, tzinfo=SHANGHAI)


def counts(member: Member) -> dict[int, tuple[int, int, datetime.date]]:
    return {
        t.year: (t.first_half, t.second_half, t.last_visited_on)
        for t in VisitTally.objects.filter(member=member)
    }


def record(staff, office, members, on):
    return services.visit_record(
        actor=staff, office=office, kind=Visit.Kind.ROUTINE, visited_on=on, members=members
    )


def test_recording_redating_and_cancelling_move_the_counts(staff, office, member, other_member):
    with time_machine.travel(SEPTEMBER):
        march = record(staff, office, [member, other_member], datetime.date(2026, 3, 2))
        record(staff, office, [member], datetime.date(2026, 8, 3))
        assert counts(member) == {2026: (1, 1, datetime.date(2026, 8, 3))}
        assert counts(other_member) == {2026: (1, 0, datetime.date(2026, 3, 2))}

        services.visit_update(visit=march, actor=staff, visited_on=datetime.date(2025, 12, 30))
        assert counts(member) == {
            2025: (0, 1, datetime.date(2025, 12, 30)),
            2026: (0, 1, datetime.date(2026, 8, 3)),
        }
        assert counts(other_member) == {2025: (0, 1, datetime.date(2025, 12, 30))}

        event = services.life_event_record(
            actor=staff,
            member=other_member,
            kind=LifeEvent.Kind.HOSPITALISED,
            occurred_on=datetime.date(2026, 9, 18),
        )
        assert counts(other_member) == {2025: (0, 1, datetime.date(2025, 12, 30))}  # pending
        services.visit_complete(
            visit=event.visit, actor=staff, visited_on=datetime.date(2026, 9, 19)
        )
        assert counts(other_member)[2026] == (0, 1, datetime.date(2026, 9, 19))
    assert tallies.stale_member_ids() == set()


def test_a_cancelled_pending_visit_counts_nothing(staff, office, member):
    with time_machine.travel(SEPTEMBER):
        event = services.life_event_record(
            actor=staff,
            member=member,
            kind=LifeEvent.Kind.HOSPITALISED,
            occurred_on=datetime.date(2026, 9, 18),
        )
        services.visit_cancel(visit=event.visit, actor=staff, reason="委员已出院")
    assert counts(member) == {}
    assert tallies.stale_member_ids() == set()


def test_changing_members_in_the_admin_recounts_both_sides(
    staff_client, staff, office, member, other_member
):
    with time_machine.travel(MAY):
        visit = record(staff, office, [member], datetime.date(2026, 5, 6))
        link = visit.member_links.get()
        response = staff_client.post(
            reverse("admin:visits_visit_change", args=[visit.pk]),
            visit_admin_form(
                "2026-05-06", [(link, member, True), (None, other_member, False)], visit=visit
            ),
        )
    assert response.status_code == 302, response.text
    assert list(visit.member_links.values_list("member", flat=True)) == [other_member.pk]
    assert counts(member) == {}
    assert counts(other_member) == {2026: (1, 0, datetime.date(2026, 5, 6))}
    assert tallies.stale_member_ids() == set()


def test_deleting_visits_in_the_admin_takes_them_out_of_the_counts(
    staff_client, staff, office, member
):
    with time_machine.travel(MAY):
        first = record(staff, office, [member], datetime.date(2026, 2, 6))
        second = record(staff, office, [member], datetime.date(2026, 4, 6))
        staff_client.post(reverse("admin:visits_visit_delete", args=[first.pk]), {"post": "yes"})
        assert counts(member) == {2026: (1, 0, datetime.date(2026, 4, 6))}
        staff_client.post(
            reverse("admin:visits_visit_changelist"),
            {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
        )
    assert not Visit.objects.exists()
    assert counts(member) == {}


def test_the_nightly_repair_recounts_rows_written_around_the_services(
    staff, office, member, other_member, caplog
):
    with time_machine.travel(MAY):
        record(staff, office, [member, other_member], datetime.date(2026, 3, 2))
        # A bulk load or a manual fix: a link added and a count changed without services.
        visit = record(staff, office, [member], datetime.date(2026, 4, 2))
        third = MemberFactory(office=office, name="林晓", mobile="13900000077")
        VisitMember.objects.create(visit=visit, member=third)
        VisitTally.objects.filter(member=other_member).update(first_half=9)

        with caplog.at_level(logging.WARNING, logger="visits.tallies"):
            assert repair_visit_tallies() == 2
        assert "2 member(s)" in caplog.text
    assert counts(third) == {2026: (1, 0, datetime.date(2026, 4, 2))}
    assert counts(other_member) == {2026: (1, 0, datetime.date(2026, 3, 2))}
    assert tallies.stale_member_ids() == set()
    assert repair_visit_tallies() == 0


def test_rebuild_counts_every_member_as_the_services_do(staff, office, member, other_member):
    with time_machine.travel(SEPTEMBER):
        record(staff, office, [member, other_member], datetime.date(2026, 3, 2))
        record(staff, office, [member], datetime.date(2026, 8, 3))
    kept = set(VisitTally.objects.values_list("member", "year", "first_half", "second_half"))
    assert tallies.rebuild() == 2
    assert set(VisitTally.objects.values_list("member", "year", "first_half", "second_half")) == (
        kept
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_visits_recorded_at_the_same_moment_are_both_counted(staff, office, member):
    """Each recount locks the member first, so the second sees the first's visit."""
    barrier = threading.Barrier(4)
    errors = []

    def visit(day):
        try:
            barrier.wait()
            record(staff, office, [member], datetime.date(2026, 3, day))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(MAY):
        threads = [threading.Thread(target=visit, args=(day,)) for day in (2, 3, 4, 5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert counts(member) == {2026: (4, 0, datetime.date(2026, 3, 5))}


def test_the_repair_command_checks_and_repairs(staff, office, member, capsys):
    with time_machine.travel(MAY):
        record(staff, office, [member], datetime.date(2026, 3, 2))
    VisitTally.objects.all().delete()
    with pytest.raises(SystemExit) as stopped:
        call_command("repair_visit_tallies", "--check")
    assert stopped.value.code == 1
    call_command("repair_visit_tallies")
    call_command("repair_visit_tallies", "--check")
    out = capsys.readouterr().out
    assert "不一致的委员：1 名" in out and "已重新统计 1 名" in out
    assert "不一致的委员：0 名" in out
    assert counts(member) == {2026: (1, 0, datetime.date(2026, 3, 2))}
