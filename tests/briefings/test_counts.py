"""The counts an activity keeps on its row (issue 16): invited, attending, on leave,
attended and opinions, right after every service that changes them, after the demo
seed, and read by the activity list without a query per invitee."""

import datetime
import random

import pytest
import time_machine
from django.db import connection
from django.db.models.deletion import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings import services
from briefings.models import Activity, Invitation, Opinion
from briefings.selectors import activities_by_month
from tests.factories import activity_published, activity_scheduled, shanghai

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]

I = Invitation  # noqa: E741
Att = Invitation.Attendance
BEFORE = datetime.datetime(2026, 3, 2, 9, 0)  # UTC; the briefing is on 20 March
DURING = datetime.datetime(2026, 3, 20, 7, 0)  # 15:00 in Shanghai
AFTER = datetime.datetime(2026, 3, 21, 2, 0)
FIELDS = ("invited_count", "attending_count", "leave_count", "attended_count", "opinion_count")


def stored(activity) -> tuple:
    return tuple(Activity.objects.filter(pk=activity.pk).values_list(*FIELDS).get())


def counted(activity) -> tuple:
    """The counts taken afresh from the rows (what with_counts used to annotate)."""
    invitations = Invitation.objects.filter(activity=activity)
    return (
        invitations.count(),
        invitations.filter(reply=I.Reply.ATTENDING).count(),
        invitations.filter(reply=I.Reply.LEAVE).count(),
        invitations.filter(attendance=Att.ATTENDED).count(),
        Opinion.objects.filter(activity=activity).count(),
    )


def check(activity, expected) -> None:
    assert stored(activity) == counted(activity) == expected


@pytest.fixture
def briefing(office, staff, member, other_member):
    with time_machine.travel(BEFORE):
        return activity_published(office=office, actor=staff, members=[member, other_member])


def test_invite_and_withdraw_move_the_invited_count(office, staff, member, other_member):
    with time_machine.travel(BEFORE):
        draft = activity_scheduled(office=office, actor=staff)
        check(draft, (0, 0, 0, 0, 0))
        services.activity_invite(activity=draft, actor=staff, members=[member, other_member])
        check(draft, (2, 0, 0, 0, 0))
        services.activity_invite(activity=draft, actor=staff, members=[member])  # again
        check(draft, (2, 0, 0, 0, 0))
        services.invitations_withdraw(
            activity=draft, actor=staff, invitations=[draft.invitations.get(member=member)]
        )
        check(draft, (1, 0, 0, 0, 0))


def test_replies_move_attending_and_leave(briefing, member, other_member):
    check(briefing, (2, 0, 0, 0, 0))
    with time_machine.travel(BEFORE + datetime.timedelta(days=1)):
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=True
        )
        check(briefing, (2, 1, 0, 0, 0))
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=False, reason="出差"
        )
        check(briefing, (2, 0, 1, 0, 0))
        services.invitation_reply(
            activity=briefing,
            member=other_member,
            actor=other_member.user,
            attending=False,
            reason="开会",
        )
        check(briefing, (2, 0, 2, 0, 0))
        # Changing one's mind back to attending (there is no way back to "no reply").
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=True
        )
        check(briefing, (2, 1, 1, 0, 0))


def test_attendance_sign_in_correction_and_closing_move_attended(
    briefing, staff, member, other_member
):
    with time_machine.travel(DURING):
        services.attendance_record(invitation=briefing.invitations.get(member=member), actor=staff)
        check(briefing, (2, 0, 0, 1, 0))
        services.attendance_correct(
            invitation=briefing.invitations.get(member=member),
            actor=staff,
            state=Att.ABSENT,
            reason="误点",
        )
        check(briefing, (2, 0, 0, 0, 0))
        services.attendance_correct(
            invitation=briefing.invitations.get(member=member),
            actor=staff,
            state=Att.ATTENDED,
            reason="确已到会",
        )
        check(briefing, (2, 0, 0, 1, 0))
    with time_machine.travel(AFTER):
        services.attendance_close(activity=briefing, actor=staff)
        check(briefing, (2, 0, 0, 1, 0))


def test_qr_sign_in_moves_attended(briefing, member):
    from briefings.signin import sign_in_token

    with time_machine.travel(DURING):
        token = sign_in_token(briefing)
        services.attendance_sign_in(
            activity=briefing, member=member, token=token, actor=member.user
        )
        check(briefing, (2, 0, 0, 1, 0))
        services.attendance_sign_in(  # scanning again changes nothing
            activity=briefing, member=member, token=token, actor=member.user
        )
        check(briefing, (2, 0, 0, 1, 0))


def test_opinions_added_and_deleted_move_the_opinion_count(
    client, district_staff, briefing, staff, member
):
    with time_machine.travel(DURING):
        services.attendance_record(invitation=briefing.invitations.get(member=member), actor=staff)
        services.opinion_submit(
            activity=briefing, member=member, actor=member.user, content="建议增设停车泊位"
        )
        check(briefing, (2, 0, 0, 1, 1))
        opinion = services.opinion_record(activity=briefing, actor=staff, content="领导的意见")
        check(briefing, (2, 0, 0, 1, 2))
        # A new opinion nobody has handled may be deleted in the admin.
        client.force_login(district_staff)
        response = client.post(
            reverse("admin:briefings_opinion_delete", args=[opinion.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Opinion.objects.filter(pk=opinion.pk).exists()
    check(briefing, (2, 0, 0, 1, 1))


def test_an_invited_member_cannot_be_deleted_so_no_cascade_leaves_a_count(briefing, member):
    """Invitations and opinions PROTECT their member: the only cascade that removes them
    is the activity's own deletion, which takes the counts with it."""
    with pytest.raises(ProtectedError):
        member.delete()
    check(briefing, (2, 0, 0, 0, 0))


def test_a_full_save_does_not_write_back_counts_read_before_a_reply(briefing, member):
    """An admin form read the activity, a member replied, then the form saved."""
    stale = Activity.objects.get(pk=briefing.pk)
    with time_machine.travel(BEFORE + datetime.timedelta(days=1)):
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=True
        )
    stale.venue = "街道办事处二楼会议室"
    stale.save()
    assert Activity.objects.get(pk=briefing.pk).venue == "街道办事处二楼会议室"
    check(briefing, (2, 1, 0, 0, 0))


def test_month_figures_sum_the_stored_counts(briefing, staff, member, office):
    with time_machine.travel(DURING):
        services.attendance_record(invitation=briefing.invitations.get(member=member), actor=staff)
    with time_machine.travel(AFTER):
        services.attendance_close(activity=briefing, actor=staff)
        march = activities_by_month([office.pk], 2026)[2]
    assert (march["activities"], march["invited"], march["attended"]) == (1, 2, 1)


def test_the_demo_seed_fills_the_counts():
    from demo.briefings import seed_briefings
    from demo.roster import demo_seed
    from liaison.models import Office

    today = datetime.date(2026, 9, 1)
    with time_machine.travel(today):
        demo_seed(scale="small", today=today)
        seed_briefings(offices=list(Office.objects.all()), today=today, rng=random.Random(7))
    held = Activity.objects.filter(status=Activity.Status.HELD).exclude(invited_count=0)
    assert held.filter(opinion_count__gt=0).exists()
    for activity in Activity.objects.all():
        assert stored(activity) == counted(activity), activity


def _changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    tables = ("briefings_invitation", "briefings_opinion")
    assert not [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in tables)]
    return len(ctx.captured_queries)


def test_the_activity_list_reads_the_counts_without_a_query_per_invitee(
    staff_client, staff, office
):
    """Five or fifty-odd invitees per activity: the list runs the same queries, and its
    count columns still sort."""
    from tests.briefings.test_pages import bulk_invite, bulk_members

    with time_machine.travel(BEFORE):
        activities = [
            activity_scheduled(
                office=office,
                actor=staff,
                kind="学习",
                title=f"学习会{i}",
                starts_at=shanghai(2026, 3, 10 + i, 9),
            )
            for i in range(3)
        ]
    for n, activity in enumerate(activities):
        bulk_invite(activity, bulk_members(office, 5, f"F{n}"))
    url = reverse("admin:briefings_activity_changelist") + "?half=all"
    small = _changelist_queries(staff_client, url)
    for n, activity in enumerate(activities):
        bulk_invite(activity, bulk_members(office, 45 + 5 * n, f"G{n}"), attended=n == 0)
    large = _changelist_queries(staff_client, url)

    assert large == small
    assert [stored(a) for a in activities] == [counted(a) for a in activities]
    assert stored(activities[0])[:4] == (50, 50, 0, 45)
    columns = list(staff_client.get(url).context["cl"].list_display)
    titles = {}
    for name in ("invited_display", "attended_display", "opinion_display"):
        for sign in ("", "-"):
            response = staff_client.get(f"{url}&o={sign}{columns.index(name)}")
            assert response.status_code == 200
            titles[sign + name] = [a.title for a in response.context["cl"].result_list]
    assert titles["invited_display"] == ["学习会0", "学习会1", "学习会2"]
    assert titles["-invited_display"] == ["学习会2", "学习会1", "学习会0"]
    assert titles["-attended_display"][0] == "学习会0"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_members_replying_at_once_are_both_counted(office, staff, member, other_member):
    """Two connections reply at the same moment (PostgreSQL: the activity row is locked
    before the counts are taken, so the second sees the first's reply; SQLite
    serialises whole transactions anyway)."""
    import threading

    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections: run with DATABASE_URL=postgres://…")
    with time_machine.travel(BEFORE):
        activity = activity_published(office=office, actor=staff, members=[member, other_member])
    barrier = threading.Barrier(2)
    errors = []

    def reply(who):
        try:
            with time_machine.travel(BEFORE + datetime.timedelta(days=1)):
                barrier.wait(timeout=10)
                services.invitation_reply(
                    activity=activity, member=who, actor=who.user, attending=True
                )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(m,)) for m in (member, other_member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    check(activity, (2, 2, 0, 0, 0))


def test_the_migration_fills_the_counts_of_stored_activities(briefing, staff, member):
    """The data migration's one UPDATE, run on activities whose counts are still 0."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps

    with time_machine.travel(DURING):
        services.attendance_record(invitation=briefing.invitations.get(member=member), actor=staff)
        services.opinion_record(activity=briefing, actor=staff, content="领导的意见")
    Activity.objects.update(**dict.fromkeys(FIELDS, 0))
    migration = importlib.import_module("briefings.migrations.0008_activity_counts")

    migration.fill_counts(apps, SimpleNamespace(connection=connection))

    check(briefing, (2, 0, 0, 1, 1))
