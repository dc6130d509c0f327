"""The concern loop and visits, service by service: what staff, units and members may
do, and what is refused with a clear message while nothing changes."""

import datetime

import pytest
import time_machine
from django.core import mail

from liaison.models import HandlingUnit, Notification, StatusChange
from liaison.outbox import deliver_pending
from liaison.workflow import WorkflowError
from tests.factories import HandlingUnitFactory, MemberFactory, member_with_account
from visits import services
from visits.models import Concern, LifeEvent, Visit, VisitConfig

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("members_prefer_email")]
C = Concern.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def cgk(office):
    return HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")


@pytest.fixture
def bureau(db):
    return HandlingUnitFactory(
        office=None, name="区城管局", kind=HandlingUnit.Kind.DISTRICT_BODY, email="qcg@example.cn"
    )


def _concern(staff, member, title="路灯不亮"):
    return services.concern_create(
        actor=staff,
        office=member.office,
        member=member,
        title=title,
        content="三号栋前路灯坏了一个月。",
        source=Concern.Source.STAFF,
    )


def _timeline(concern):
    return list(
        StatusChange.objects.filter(object_id=concern.pk, content_type__model="concern")
        .order_by("pk")
        .values_list("from_status", "to_status")
    )


def _resolved(staff, member, cgk):
    concern = _concern(staff, member)
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    services.concern_report_result(
        concern=concern, resolved=True, result="已修复路灯。", actor_label="城管科"
    )
    return concern


# --- Visits ---------------------------------------------------------------------------


def test_visit_records_members_team_and_opinions_as_concerns(staff, member, office, leader):
    visit = services.visit_record(
        actor=staff,
        office=office,
        kind=Visit.Kind.FESTIVAL,
        visited_on=datetime.date(2026, 1, 20),
        members=[member],
        team_users=[staff],
        leaders=[("刘书记", "街道党工委书记")],
        amount="500",
        opinions=[{"title": "建议增加停车位", "content": "小区停车难。"}],
    )
    assert list(visit.members.all()) == [member]
    assert [t.display_name for t in visit.team.all()] == ["刘书记", "周文静"]  # leaders first
    concern = visit.concerns.get()
    assert (concern.member, concern.source, concern.status) == (member, "visit", C.NEW)


def test_visit_dated_in_the_future_is_refused_and_nothing_is_written(staff, member, office):
    with (
        time_machine.travel(datetime.datetime(2026, 5, 10, 9, tzinfo=SHANGHAI)),
        pytest.raises(WorkflowError, match="走访日期不能晚于今天"),
    ):
        services.visit_record(
            actor=staff,
            office=office,
            kind=Visit.Kind.ROUTINE,
            visited_on=datetime.date(2026, 5, 11),
            members=[member],
            opinions=[{"title": "意见", "content": "内容"}],
        )
    assert not Visit.objects.exists()
    assert not Concern.objects.exists()


def test_visit_to_a_member_of_another_office_is_refused(staff, office, other_office):
    outsider = MemberFactory(office=other_office, name="外处委员", mobile="13711110000")
    with pytest.raises(WorkflowError, match="不属于"):
        services.visit_record(
            actor=staff,
            office=office,
            kind=Visit.Kind.ROUTINE,
            visited_on=datetime.date(2026, 1, 5),
            members=[outsider],
        )
    assert not Visit.objects.exists()


def test_life_event_from_the_portal_creates_a_pending_visit_and_tells_staff(staff, member):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        event = services.life_event_record(
            actor=member.user,
            member=member,
            kind=LifeEvent.Kind.HOSPITALISED,
            occurred_on=datetime.date(2026, 3, 1),
            place="省人民医院",
        )
    visit = event.visit
    assert event.reported_in_portal
    assert (visit.status, visit.kind) == (Visit.Status.PENDING, Visit.Kind.HOSPITAL)
    assert visit.due_date == datetime.date(2026, 3, 5)  # today + 3 days (configurable)
    assert list(visit.members.all()) == [member]
    staff_rows = Notification.objects.filter(recipient=staff, kind="visits_life_event")
    assert staff_rows.count() == 2  # e-mail and in-system message


def test_member_cannot_record_a_life_event_for_someone_else(member, other_member):
    with pytest.raises(WorkflowError, match="本人"):
        services.life_event_record(
            actor=member.user,
            member=other_member,
            kind=LifeEvent.Kind.WEDDING,
            occurred_on=datetime.date(2026, 3, 1),
        )
    assert not LifeEvent.objects.exists() and not Visit.objects.exists()


def test_recording_the_pending_visit_completes_it(staff, member):
    event = services.life_event_record(
        actor=staff,
        member=member,
        kind=LifeEvent.Kind.BEREAVEMENT,
        occurred_on=datetime.date(2026, 3, 1),
    )
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, tzinfo=SHANGHAI)):
        services.visit_complete(
            visit=event.visit,
            actor=staff,
            visited_on=datetime.date(2026, 3, 3),
            team_users=[staff],
            amount="800",
            summary="代表联络处吊唁。",
        )
    visit = Visit.objects.get(pk=event.visit.pk)
    assert (visit.status, visit.visited_on) == (Visit.Status.DONE, datetime.date(2026, 3, 3))
    with pytest.raises(WorkflowError):
        services.visit_complete(visit=visit, actor=staff, visited_on=datetime.date(2026, 3, 3))


def test_pending_visit_cannot_be_completed_with_a_future_date(staff, member):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        event = services.life_event_record(
            actor=staff,
            member=member,
            kind=LifeEvent.Kind.WEDDING,
            occurred_on=datetime.date(2026, 3, 8),
        )
        with pytest.raises(WorkflowError, match="走访日期不能晚于今天"):
            services.visit_complete(
                visit=event.visit, actor=staff, visited_on=datetime.date(2026, 3, 8)
            )
    assert Visit.objects.get().status == Visit.Status.PENDING


# --- Concerns -------------------------------------------------------------------------


def test_assigning_a_new_concern_triages_it_and_sets_the_working_day_deadline(staff, member, cgk):
    concern = _concern(staff, member)
    with time_machine.travel(datetime.datetime(2026, 9, 28, 9, tzinfo=SHANGHAI)):
        services.concern_assign(concern=concern, actor=staff, unit=cgk)
    concern.refresh_from_db()
    assert concern.scope == Concern.Scope.WITHIN
    assert concern.due_date == datetime.date(2026, 10, 23)
    assert _timeline(concern) == [("", "new"), ("new", "triaged"), ("triaged", "assigned")]


def test_due_days_are_configurable_per_office(staff, member, cgk, office):
    VisitConfig.objects.create(office=office, concern_due_working_days=5)
    concern = _concern(staff, member)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        services.concern_assign(concern=concern, actor=staff, unit=cgk)
    assert Concern.objects.get().due_date == datetime.date(2026, 3, 9)


def test_concern_assigned_to_a_unit_of_another_office_is_refused(staff, member, other_office):
    foreign = HandlingUnitFactory(office=other_office, name="东屯渡城管科")
    concern = _concern(staff, member)
    with pytest.raises(WorkflowError, match="其他联络处"):
        services.concern_assign(concern=concern, actor=staff, unit=foreign)
    concern.refresh_from_db()
    assert (concern.status, concern.unit, concern.due_date) == (C.NEW, None, None)
    assert _timeline(concern) == [("", "new")]
    assert not Notification.objects.exists()


def test_within_the_street_goes_to_a_department_and_beyond_is_escalated(staff, member, cgk, bureau):
    concern = _concern(staff, member)
    with pytest.raises(WorkflowError, match="上报协调"):
        services.concern_assign(concern=concern, actor=staff, unit=bureau)
    with pytest.raises(WorkflowError, match="街道部门"):
        services.concern_escalate(concern=concern, actor=staff, unit=cgk, coordination_notes="x")
    with pytest.raises(WorkflowError, match="协调情况"):
        services.concern_escalate(concern=concern, actor=staff, unit=bureau, coordination_notes="")
    services.concern_escalate(
        concern=concern, actor=staff, unit=bureau, coordination_notes="已与区城管局电话沟通。"
    )
    concern.refresh_from_db()
    assert (concern.status, concern.scope) == (C.ESCALATED, Concern.Scope.BEYOND)
    assert "已与区城管局电话沟通" in concern.coordination_notes
    services.concern_coordinate(concern=concern, actor=staff, notes="区城管局已派员现场查看。")
    concern.refresh_from_db()
    assert concern.coordination_notes.count("\n") == 1


def test_unit_acknowledges_reports_progress_and_result(staff, member, cgk):
    concern = _concern(staff, member)
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    services.concern_acknowledge(concern=concern, actor_label="城管科", unit=cgk)
    services.concern_update_progress(
        concern=concern, progress="已联系供电部门。", actor_label="城管科", unit=cgk
    )
    with pytest.raises(WorkflowError, match="原因"):
        services.concern_report_result(
            concern=concern, resolved=False, result="涉及产权", actor_label="城管科", unit=cgk
        )
    services.concern_report_result(
        concern=concern,
        resolved=False,
        result="已协调",
        reason="线路属小区物业产权。",
        actor_label="城管科",
        unit=cgk,
    )
    concern.refresh_from_db()
    assert concern.status == C.UNRESOLVABLE
    assert concern.unresolvable_reason == "线路属小区物业产权。"
    actors = set(
        StatusChange.objects.filter(object_id=concern.pk, content_type__model="concern")
        .exclude(actor_label="")
        .values_list("actor_label", flat=True)
    )
    assert actors == {"城管科"}


def test_feedback_and_satisfied_confirmation_close_the_concern(staff, member, cgk):
    concern = _resolved(staff, member, cgk)
    services.concern_feed_back(concern=concern, actor=staff)
    services.concern_confirm(concern=concern, actor=member.user, satisfied=True)
    concern.refresh_from_db()
    assert (concern.status, concern.verdict) == (C.CLOSED, Concern.Verdict.SATISFIED)
    assert concern.closed_at is not None


def test_not_satisfied_reopens_with_the_same_unit_and_a_new_deadline(staff, member, cgk):
    concern = _resolved(staff, member, cgk)
    services.concern_feed_back(concern=concern, actor=staff)
    with pytest.raises(WorkflowError, match="原因"):
        services.concern_confirm(concern=concern, actor=member.user, satisfied=False)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=SHANGHAI)):
        services.concern_confirm(
            concern=concern, actor=member.user, satisfied=False, comments="路灯又坏了。"
        )
    concern.refresh_from_db()
    assert (concern.status, concern.round, concern.unit) == (C.REOPENED, 2, cgk)
    assert concern.due_date > datetime.date(2026, 4, 1)
    deliver_pending()
    assert any("重新办理" in m.subject and m.to == ["cgk@example.cn"] for m in mail.outbox)
    # The unit can work on it again through its link.
    services.concern_report_result(
        concern=concern, resolved=True, result="已更换线路。", actor_label="城管科", unit=cgk
    )
    assert Concern.objects.get().status == C.RESOLVED


def test_only_the_member_who_raised_it_can_confirm(staff, member, other_member, cgk):
    concern = _resolved(staff, member, cgk)
    services.concern_feed_back(concern=concern, actor=staff)
    with pytest.raises(WorkflowError, match="本人"):
        services.concern_confirm(concern=concern, actor=other_member.user, satisfied=True)
    with pytest.raises(WorkflowError, match="本人"):
        services.concern_confirm(concern=concern, actor=staff, satisfied=True, member=other_member)
    concern.refresh_from_db()
    assert (concern.status, concern.verdict, concern.confirmed_at) == (C.FED_BACK, "", None)
    # Staff may record the member's own verdict given by phone.
    services.concern_confirm(concern=concern, actor=staff, satisfied=True, member=member)
    assert Concern.objects.get().status == C.CLOSED


def test_result_cannot_be_fed_back_before_the_unit_reports(staff, member, cgk):
    concern = _concern(staff, member)
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    with pytest.raises(WorkflowError, match="不能变更"):
        services.concern_feed_back(concern=concern, actor=staff)
    assert Concern.objects.get().status == C.ASSIGNED


def test_concern_without_a_member_is_closed_by_staff(staff, office, cgk):
    concern = services.concern_create(
        actor=staff,
        office=office,
        member=None,
        title="集体意见",
        content="内容",
        source=Concern.Source.BRIEFING,
        source_label="上半年政情通报会",
    )
    services.concern_assign(concern=concern, actor=staff, unit=cgk)
    services.concern_report_result(
        concern=concern, resolved=True, result="已办", actor_label="城管科"
    )
    with pytest.raises(WorkflowError, match="直接办结"):
        services.concern_feed_back(concern=concern, actor=staff)
    services.concern_close(concern=concern, actor=staff)
    assert Concern.objects.get().status == C.CLOSED


def test_staff_close_an_unconfirmed_result_only_after_the_confirmation_period(staff, member, cgk):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        concern = _resolved(staff, member, cgk)
        services.concern_feed_back(concern=concern, actor=staff)
        with pytest.raises(WorkflowError, match="未到"):
            services.concern_close(concern=concern, actor=staff)
    with time_machine.travel(datetime.datetime(2026, 3, 17, 9, tzinfo=SHANGHAI)):
        services.concern_close(concern=concern, actor=staff)
    assert Concern.objects.get().status == C.CLOSED


def test_overdue_is_marked_while_with_the_unit(staff, member, cgk):
    concern = _concern(staff, member)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)):
        services.concern_assign(concern=concern, actor=staff, unit=cgk)
        assert not Concern.objects.get().is_overdue
    with time_machine.travel(datetime.datetime(2026, 4, 30, 9, tzinfo=SHANGHAI)):
        concern = Concern.objects.get()
        assert concern.is_overdue
        assert Concern.objects.filter(Concern.overdue_q(datetime.date(2026, 4, 30))).exists()


def test_concern_for_a_member_without_an_account_is_fed_back_by_email(staff, office, cgk):
    plain = MemberFactory(office=office, name="无账号委员", mobile="13722220000", email="p@x.cn")
    concern = _resolved(staff, plain, cgk)
    services.concern_feed_back(concern=concern, actor=staff)
    deliver_pending()
    assert [m.to for m in mail.outbox if "有了办理结果" in m.subject] == [["p@x.cn"]]


def test_portal_member_raises_a_concern_and_staff_are_told(staff, office):
    someone = member_with_account(office=office, name="邓丽君", mobile="13733330000")
    services.concern_create(
        actor=someone.user,
        office=office,
        member=someone,
        title="噪音扰民",
        content="夜间施工噪音。",
        source=Concern.Source.PORTAL,
    )
    assert Notification.objects.filter(recipient=staff, kind="visits_concern_raised").exists()
