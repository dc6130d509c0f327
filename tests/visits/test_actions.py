"""The buttons each person sees on a visit or a concern come from one actions table
(visits.actions), agree with the transition tables and the services, and a stale or
forged click changes nothing and says why."""

import datetime
import pathlib
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from liaison.actions import MEMBER, PRIMARY, STAFF, UNIT, Actor
from liaison.models import HandlingUnit, StatusChange
from liaison.unit_links import unit_link_token
from members.models import Member
from tests.factories import HandlingUnitFactory, MemberFactory
from visits import services, tallies
from visits.actions import CONCERN_ACTIONS, VISIT_ACTIONS, concern_actions, visit_actions
from visits.admin_steps import CONCERN_STEPS, VISIT_STEPS
from visits.models import Concern, LifeEvent, Visit, VisitTally
from visits.workflows import CONCERN_WORKFLOW, VISIT_WORKFLOW

from .forms import visit_admin_form

pytestmark = pytest.mark.django_db

C = Concern.Status
V = Visit.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
MARCH_2 = time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI))


def _names(obj, actor, table=CONCERN_ACTIONS):
    return [a.name for a in table.available(obj, actor)]


@pytest.fixture
def cgk(office):
    kind = HandlingUnit.Kind.STREET_DEPARTMENT
    return HandlingUnitFactory(office=office, name="城管科", kind=kind)


@pytest.fixture
def bureau(db):
    return HandlingUnitFactory(office=None, name="区城管局", kind=HandlingUnit.Kind.DISTRICT_BODY)


def _concern_in(status, *, staff, member, cgk, bureau, with_member=True):
    """A concern taken through the services to ``status`` (escalated to the district
    bureau for ESCALATED, with the street department otherwise)."""
    concern = services.concern_create(
        actor=staff,
        office=cgk.office,
        member=member if with_member else None,
        title="路灯不亮",
        content="三号栋前路灯坏了一个月。",
        source=Concern.Source.STAFF,
    )

    def assign():
        services.concern_assign(concern=concern, actor=staff, unit=cgk)

    def result(resolved=True):
        return lambda: services.concern_report_result(
            concern=concern, resolved=resolved, result="已修复。", reason="经费不足"
        )

    def feed_back():
        services.concern_feed_back(concern=concern, actor=staff)

    steps = {
        C.NEW: [],
        C.TRIAGED: [lambda: services.concern_triage(concern=concern, actor=staff, scope="within")],
        C.ASSIGNED: [assign],
        C.ESCALATED: [
            lambda: services.concern_escalate(
                concern=concern, actor=staff, unit=bureau, coordination_notes="已函告。"
            )
        ],
        C.IN_PROGRESS: [assign, lambda: services.concern_acknowledge(concern=concern)],
        C.RESOLVED: [assign, result()],
        C.UNRESOLVABLE: [assign, result(resolved=False)],
        C.FED_BACK: [assign, result(), feed_back],
        C.CLOSED: [
            assign,
            result(),
            feed_back,
            lambda: services.concern_confirm(concern=concern, actor=member.user, satisfied=True),
        ],
        C.REOPENED: [
            assign,
            result(),
            feed_back,
            lambda: services.concern_confirm(
                concern=concern, actor=member.user, satisfied=False, comments="仍然不亮"
            ),
        ],
    }
    for step in steps[status]:
        step()
    concern = Concern.objects.select_related("unit").get(pk=concern.pk)
    assert concern.status == status
    return concern


WITH_UNIT = ["unit_result", "unit_acknowledge", "unit_progress"]
# What each persona is offered in each state of a concern a member raised. "unit" is
# the unit the concern is with; "old_unit" a unit it was with before (or never).
EXPECTED = {
    C.NEW: {STAFF: ["triage", "assign", "escalate"], MEMBER: []},
    C.TRIAGED: {STAFF: ["assign", "escalate"], MEMBER: []},
    C.ASSIGNED: {
        STAFF: ["assign", "escalate", *WITH_UNIT],
        MEMBER: [],
        UNIT: ["acknowledge", "progress", "result"],
    },
    C.ESCALATED: {
        STAFF: ["assign", "escalate", *WITH_UNIT, "coordinate"],
        MEMBER: [],
        UNIT: ["acknowledge", "progress", "result"],
    },
    C.IN_PROGRESS: {
        STAFF: ["assign", "escalate", "unit_result", "unit_progress"],
        MEMBER: [],
        UNIT: ["progress", "result"],
    },
    C.RESOLVED: {STAFF: ["feed_back"], MEMBER: [], UNIT: []},
    C.UNRESOLVABLE: {STAFF: ["feed_back"], MEMBER: [], UNIT: []},
    # Within the member's confirmation period: staff may key in the verdict, not close.
    C.FED_BACK: {STAFF: ["confirm"], MEMBER: ["confirm"], UNIT: []},
    C.CLOSED: {STAFF: [], MEMBER: [], UNIT: []},
    C.REOPENED: {
        STAFF: ["assign", "escalate", *WITH_UNIT],
        MEMBER: [],
        UNIT: ["acknowledge", "progress", "result"],
    },
}
assert set(EXPECTED) == set(C.values)


@pytest.mark.parametrize("status", list(EXPECTED))
def test_each_concern_state_offers_each_persona_what_the_table_and_guards_allow(
    status, staff, member, other_member, cgk, bureau
):
    concern = _concern_in(status, staff=staff, member=member, cgk=cgk, bureau=bureau)
    expected = EXPECTED[status]
    assert _names(concern, Actor.staff(staff)) == expected[STAFF]
    assert _names(concern, Actor.of_member(member)) == expected[MEMBER]
    assert _names(concern, Actor.of_member(other_member)) == []
    if UNIT in expected:
        assert _names(concern, Actor.of_unit(concern.unit)) == expected[UNIT]
        # A unit the concern is not with is offered nothing (its link no longer works).
        elsewhere = bureau if concern.unit == cgk else cgk
        assert _names(concern, Actor.of_unit(elsewhere)) == []
    for actor in (Actor.staff(staff), Actor.of_member(member), Actor.of_unit(concern.unit)):
        assert sum(a.style == PRIMARY for a in concern_actions(concern, actor)) <= 1


# The status each move leads to (confirm: satisfied closes, not satisfied reopens).
TARGETS = {
    "triage": [C.TRIAGED],
    "assign": [C.ASSIGNED],
    "escalate": [C.ESCALATED],
    "unit_acknowledge": [C.IN_PROGRESS],
    "acknowledge": [C.IN_PROGRESS],
    "unit_result": [C.RESOLVED, C.UNRESOLVABLE],
    "result": [C.RESOLVED, C.UNRESOLVABLE],
    "feed_back": [C.FED_BACK],
    "confirm": [C.CLOSED, C.REOPENED],
    "close": [C.CLOSED],
}


@pytest.mark.parametrize("status", list(EXPECTED))
def test_a_move_offered_is_one_the_transition_table_allows(status, staff, member, cgk, bureau):
    concern = _concern_in(status, staff=staff, member=member, cgk=cgk, bureau=bureau)
    for actor in (Actor.staff(staff), Actor.of_member(member), Actor.of_unit(concern.unit)):
        for action in concern_actions(concern, actor):
            # A new concern is triaged on its way to a unit (two timeline rows).
            start = C.TRIAGED if status == C.NEW and action.name != "triage" else status
            for target in TARGETS.get(action.name, ()):
                assert CONCERN_WORKFLOW.allows(start, target), (status, action.name)


def test_a_concern_nobody_in_particular_raised_is_closed_not_fed_back(staff, cgk, bureau):
    concern = _concern_in(
        C.RESOLVED, staff=staff, member=None, cgk=cgk, bureau=bureau, with_member=False
    )
    assert _names(concern, Actor.staff(staff)) == ["close"]


def test_close_is_offered_once_the_confirmation_period_has_passed(staff, member, cgk, bureau):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        concern = _concern_in(C.FED_BACK, staff=staff, member=member, cgk=cgk, bureau=bureau)
        assert _names(concern, Actor.staff(staff)) == ["confirm"]
    # Ten working days from Monday 2 March end on Monday 16 March.
    with time_machine.travel(datetime.datetime(2026, 3, 16, 9, tzinfo=SHANGHAI)):
        assert _names(concern, Actor.staff(staff)) == ["confirm"]
    with time_machine.travel(datetime.datetime(2026, 3, 17, 9, tzinfo=SHANGHAI)):
        assert _names(concern, Actor.staff(staff)) == ["confirm", "close"]


def _visit_in(status, *, staff, member):
    if status == V.DONE:
        return services.visit_record(
            actor=staff,
            office=member.office,
            kind=Visit.Kind.ROUTINE,
            visited_on=datetime.date(2026, 3, 2),
            members=[member],
        )
    visit = services.life_event_record(
        actor=staff,
        member=member,
        kind=LifeEvent.Kind.HOSPITALISED,
        occurred_on=datetime.date(2026, 3, 1),
    ).visit
    if status == V.CANCELLED:
        services.visit_cancel(visit=visit, actor=staff, reason="委员已出院")
    return Visit.objects.get(pk=visit.pk)


@pytest.mark.parametrize(
    ("status", "staff_names"),
    [(V.PENDING, ["complete", "cancel"]), (V.DONE, ["opinion"]), (V.CANCELLED, [])],
)
def test_each_visit_state_offers_staff_what_the_table_allows_and_the_member_nothing(
    status, staff_names, staff, member
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        visit = _visit_in(status, staff=staff, member=member)
    assert _names(visit, Actor.staff(staff), VISIT_ACTIONS) == staff_names
    assert _names(visit, Actor.of_member(member), VISIT_ACTIONS) == []
    assert sum(a.style == PRIMARY for a in visit_actions(visit, Actor.staff(staff))) <= 1
    targets = {"complete": V.DONE, "cancel": V.CANCELLED}
    for name in staff_names:
        if name in targets:
            assert VISIT_WORKFLOW.allows(status, targets[name])


def test_every_admin_step_is_a_staff_action_and_every_staff_action_has_a_step():
    assert set(VISIT_STEPS) == VISIT_ACTIONS.names(STAFF)
    assert set(CONCERN_STEPS) == CONCERN_ACTIONS.names(STAFF)


def test_every_member_and_unit_action_has_a_handler():
    from portal.visits import CONCERN_HANDLERS
    from visits.views import UNIT_HANDLERS

    assert set(CONCERN_HANDLERS) == CONCERN_ACTIONS.names(MEMBER)
    assert set(UNIT_HANDLERS) == CONCERN_ACTIONS.names(UNIT)
    # Members and units have nothing to do to a visit: no handler is needed.
    assert VISIT_ACTIONS.names(MEMBER) == VISIT_ACTIONS.names(UNIT) == set()


def test_no_screen_keeps_its_own_flags_for_workflow_moves():
    base = pathlib.Path(settings.BASE_DIR)
    for path in (
        "portal/visits.py",
        "visits/views.py",
        "templates/portal/visits/concern_detail.html",
        "templates/portal/visits/detail.html",
        "templates/visits/unit_concern.html",
    ):
        assert "can_" not in (base / path).read_text(encoding="utf-8"), path


# --- The surfaces draw and take exactly these actions ----------------------------------


def _timeline_rows(concern):
    return StatusChange.objects.filter(content_type__model="concern", object_id=concern.pk).count()


def test_admin_concern_page_shows_the_table_s_buttons_with_one_primary(
    staff_client, staff, member, cgk, bureau
):
    concern = _concern_in(C.ASSIGNED, staff=staff, member=member, cgk=cgk, bureau=bureau)
    page = staff_client.get(reverse("admin:visits_concern_change", args=[concern.pk])).text
    for name in EXPECTED[C.ASSIGNED][STAFF]:
        assert f'data-action="{name}"' in page
    for name in ("triage", "coordinate", "feed_back", "confirm", "close"):
        assert f'data-action="{name}"' not in page
    assert page.count("workflow-primary") == 1


def test_admin_step_not_offered_now_is_refused_with_the_reason_and_changes_nothing(
    staff_client, staff, member, cgk, bureau
):
    concern = _concern_in(C.ASSIGNED, staff=staff, member=member, cgk=cgk, bureau=bureau)
    rows = _timeline_rows(concern)
    url = reverse("admin:visits_concern_step", args=[concern.pk, "feed_back"])
    response = staff_client.post(url, {"note": "请确认。"}, follow=True)
    assert "不能执行“反馈委员”：当前状态为“已交办”，不能变更为“已反馈委员”" in response.text
    assert Concern.objects.get(pk=concern.pk).status == C.ASSIGNED
    assert _timeline_rows(concern) == rows
    unknown = reverse("admin:visits_concern_step", args=[concern.pk, "result"])  # a unit's
    assert staff_client.post(unknown).status_code == 404


def test_admin_close_before_the_confirmation_deadline_is_told_the_deadline(
    staff_client, staff, member, cgk, bureau
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        concern = _concern_in(C.FED_BACK, staff=staff, member=member, cgk=cgk, bureau=bureau)
        url = reverse("admin:visits_concern_step", args=[concern.pk, "close"])
        response = staff_client.post(url, {"note": ""}, follow=True)
    assert "委员确认期限（2026-03-16）未到" in response.text
    assert Concern.objects.get(pk=concern.pk).status == C.FED_BACK


def test_admin_visit_step_on_a_visit_already_done_is_refused(staff_client, staff, member):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        visit = _visit_in(V.DONE, staff=staff, member=member)
        url = reverse("admin:visits_visit_step", args=[visit.pk, "cancel"])
        response = staff_client.post(url, {"reason": "重复登记"}, follow=True)
    assert "不能执行“取消走访”" in response.text and "已走访" in response.text
    assert Visit.objects.get(pk=visit.pk).status == V.DONE


def test_portal_concern_page_offers_confirmation_only_once_fed_back_and_a_forged_post_is_told_why(
    client, staff, member, other_member, cgk, bureau
):
    concern = _concern_in(C.RESOLVED, staff=staff, member=member, cgk=cgk, bureau=bureau)
    client.force_login(member.user)
    detail = reverse("portal:concern_detail", args=[concern.pk])
    act = reverse("portal:concern_act", args=[concern.pk, "confirm"])
    assert 'data-action="confirm"' not in client.get(detail).text
    response = client.post(act, {"satisfied": "1"}, follow=True)
    assert "办理结果尚未反馈或已确认，现在不能评价" in response.text
    assert Concern.objects.get(pk=concern.pk).status == C.RESOLVED
    # A staff action's name is not a member action: 404, not a move.
    feed_back = reverse("portal:concern_act", args=[concern.pk, "feed_back"])
    assert client.post(feed_back).status_code == 404
    assert Concern.objects.get(pk=concern.pk).status == C.RESOLVED

    services.concern_feed_back(concern=concern, actor=staff)
    assert 'data-action="confirm"' in client.get(detail).text
    client.post(act, {"satisfied": "1"})
    assert Concern.objects.get(pk=concern.pk).status == C.CLOSED
    # The page was open in a second tab: the stale click is refused, the verdict stands.
    response = client.post(act, {"satisfied": "0", "comments": "不满意"}, follow=True)
    assert "办理结果尚未反馈或已确认" in response.text
    closed = Concern.objects.get(pk=concern.pk)
    assert (closed.status, closed.verdict) == (C.CLOSED, Concern.Verdict.SATISFIED)


def test_unit_page_buttons_follow_the_table_and_a_stale_or_forged_post_changes_nothing(
    client, staff, member, cgk, bureau
):
    concern = _concern_in(C.ASSIGNED, staff=staff, member=member, cgk=cgk, bureau=bureau)
    url = f"/units/concerns/{unit_link_token(concern)}/"
    page = client.get(url).text
    for name in ("acknowledge", "progress", "result"):
        assert f'data-action="{name}"' in page
    client.post(url, {"action": "acknowledge"})
    assert Concern.objects.get(pk=concern.pk).status == C.IN_PROGRESS
    assert 'data-action="acknowledge"' not in client.get(url).text
    rows = _timeline_rows(concern)
    response = client.post(url, {"action": "acknowledge"}, follow=True)
    assert "已签收。" in response.text
    response = client.post(url, {"action": "feed_back", "note": "x"}, follow=True)
    assert "未知的操作" in response.text
    assert Concern.objects.get(pk=concern.pk).status == C.IN_PROGRESS
    assert _timeline_rows(concern) == rows


# --- One write path: the admin's add pages create through the create services ----------


def _spy(name):
    return mock.patch.object(services, name, wraps=getattr(services, name))


def test_admin_add_page_records_the_visit_through_visit_record_and_counts_it(
    staff_client, staff, member, other_member
):
    form = visit_admin_form("2026-03-02", [(None, member, False), (None, other_member, False)])
    form.update(
        {
            "team-TOTAL_FORMS": "2",
            "team-0-user": str(staff.pk),
            "team-1-name": "刘书记",
            "team-1-title": "街道党工委书记",
            "team-1-is_leader": "on",
        }
    )
    with MARCH_2, _spy("visit_record") as record:
        response = staff_client.post(reverse("admin:visits_visit_add"), form)
    assert response.status_code == 302, response.text
    record.assert_called_once()
    visit = Visit.objects.get()
    assert (visit.status, visit.created_by) == (V.DONE, staff)
    assert set(visit.members.all()) == {member, other_member}
    assert sorted(t.display_name for t in visit.team.all()) == ["刘书记", "周文静"]
    assert visit.team.get(name="刘书记").is_leader
    assert StatusChange.objects.filter(content_type__model="visit", object_id=visit.pk).count() == 1
    assert VisitTally.objects.filter(member=member, year=2026).get().first_half == 1
    assert tallies.stale_member_ids() == set()


def test_admin_add_page_shows_the_service_s_refusal_and_writes_nothing(staff_client, member):
    with MARCH_2, _spy("visit_record") as record:
        no_members = staff_client.post(
            reverse("admin:visits_visit_add"), visit_admin_form("2026-03-01", [])
        )
        no_date = staff_client.post(
            reverse("admin:visits_visit_add"), visit_admin_form("", [(None, member, False)])
        )
    assert record.call_count == 2  # the service decides, not the form
    assert "请至少选择一位走访的委员" in no_members.text
    assert "请填写走访日期" in no_date.text
    assert not Visit.objects.exists() and not VisitTally.objects.exists()


def test_admin_delete_takes_the_visit_out_of_the_tallies_through_the_service(
    staff_client, staff, member
):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        visit = _visit_in(V.DONE, staff=staff, member=member)
        with _spy("visit_delete") as delete:
            staff_client.post(
                reverse("admin:visits_visit_delete", args=[visit.pk]), {"post": "yes"}
            )
    delete.assert_called_once()
    assert not Visit.objects.exists() and not VisitTally.objects.exists()


def test_admin_add_life_event_goes_through_life_event_record(staff_client, member, office):
    retired = MemberFactory(
        office=office, name="林老", mobile="13711113333", status=Member.Status.TERM_ENDED
    )
    form = {"kind": "hospitalised", "occurred_on": "2026-03-01", "place": "", "description": ""}
    with MARCH_2, _spy("life_event_record") as record:
        refused = staff_client.post(
            reverse("admin:visits_lifeevent_add"), {**form, "member": retired.pk}
        )
        done = staff_client.post(
            reverse("admin:visits_lifeevent_add"), {**form, "member": member.pk}
        )
    assert record.call_count == 2
    assert "林老 不是在任委员" in refused.text
    assert done.status_code == 302
    event = LifeEvent.objects.get()
    assert (event.member, event.visit.status) == (member, V.PENDING)


def test_admin_add_concern_goes_through_concern_create(
    client, district_staff, member, office, other_office
):
    outsider = MemberFactory(office=other_office, name="外处委员", mobile="13711112222")
    client.force_login(district_staff)  # chooses the office, sees every office's members
    form = {"office": office.pk, "title": "路灯不亮", "content": "三号栋", "source": "staff"}
    with _spy("concern_create") as create:
        refused = client.post(reverse("admin:visits_concern_add"), {**form, "member": outsider.pk})
        done = client.post(reverse("admin:visits_concern_add"), {**form, "member": member.pk})
    assert create.call_count == 2
    assert "外处委员 不属于" in refused.text
    assert done.status_code == 302
    concern = Concern.objects.get()
    assert (concern.member, concern.status, concern.created_by) == (member, C.NEW, district_staff)
    assert _timeline_rows(concern) == 1


def test_visit_page_costs_the_same_queries_whatever_its_members_and_concerns(
    staff_client, staff, member, office
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from visits import services

    def queries(visit):
        url = reverse("admin:visits_visit_change", args=[visit.pk])
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        small = _visit_in(V.DONE, staff=staff, member=member)
        people = [
            MemberFactory(office=office, mobile=f"1371111{i:04d}", name=f"委员{i}")
            for i in range(12)
        ]
        large = services.visit_record(
            office=office,
            actor=staff,
            members=people,
            visited_on=datetime.date(2026, 3, 1),
            kind=small.kind,
        )
    assert queries(large) == queries(small)
