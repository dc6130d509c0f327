"""The small demo as ``seed_demo`` writes it, seeded once for this module and only read
by its tests (see the ``demo`` fixture). Tests that seed differently, or change the
demo, are in test_seed_demo.py, test_briefings.py and test_visits.py."""

import datetime
import re
from dataclasses import dataclass
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from briefings.models import Activity, Invitation, Opinion
from briefings.selectors import HELD, PLANNED, half_year_status
from demo.history import TIMELINES
from liaison import roles
from liaison.models import HandlingUnit, Office, StatusChange
from members.models import Contribution, Member, PointEntry, PointRule
from members.strokes import stroke_sort_key
from plans.models import PlanComment, WorkPlan, WorkReport
from reports.models import CommitteeReply, Document, DocumentIssue
from visits.models import Concern, LifeEvent, Visit, VisitMember
from visits.selectors import coverage_by_office

from .seeding import printed_member_sign_in, seed
from .timelines import timeline_faults
from .transactions import service_calls

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# Early October: the first half-year's briefing held and the second one ahead, both
# half-year work reports due, next year's plan drafted.
NOW = datetime.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI)
TODAY = NOW.date()


@dataclass(frozen=True)
class Seeded:
    output: str  # what the command printed
    counts: dict[str, dict[str, int]]  # area → its printed counts
    service_calls: list[tuple[str, int]]  # see transactions.service_calls


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """``seed_demo --scale small`` on TODAY, once for the whole module, inside a
    transaction rolled back after its last test: each test runs in a savepoint of it (so
    what a test writes is undone before the next), and no test of another module ever
    sees a demo row. The block is opened as Django's TestCase opens its class-wide one,
    so services that insist on being the outermost transaction still run in it. The
    module's tests run on TODAY too."""
    with time_machine.travel(NOW), django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            out = StringIO()
            with service_calls() as calls:
                call_command("seed_demo", "--scale", "small", stdout=out)
            output = out.getvalue()
            counts = {
                area: {
                    name: int(count)
                    for name, count in (item.split(" ") for item in listed.split("，"))
                }
                for area, listed in re.findall(r"^  (\w+)：(.+)$", output, re.MULTILINE)
            }
            yield Seeded(output=output, counts=counts, service_calls=calls)
        finally:
            TestCase._rollback_atomics(atomics)


# --- The roster and the command's sign-ins ---------------------------------------------


def test_small_demo_is_one_street_with_stroke_ordered_members(demo):
    assert Office.objects.get().name == "韭菜园街道政协联络处"
    members = list(Member.objects.all())
    assert len(members) == 60
    # bulk_create bypasses Member.save(), so the key must have been computed by the seed.
    assert all(m.stroke_key == stroke_sort_key(m.name) for m in members)
    assert len({m.mobile for m in members}) == 60
    assert {"康熙", "唐朝阳", "黄德军", "曹胜阳"} <= {m.name for m in members}
    assert Member.objects.filter(status=Member.Status.SERVING).count() >= 50
    assert HandlingUnit.objects.filter(office=None).exists()
    assert HandlingUnit.objects.filter(office__isnull=False, name="城管科").exists()


def test_demo_carries_the_hotel_tax_story(demo):
    taxes = list(
        Contribution.objects.filter(member__name="康熙", kind=Contribution.Kind.TAX).order_by(
            "year"
        )
    )
    assert taxes[0].amount == 600_000
    assert len(taxes) == 4 and all(t.amount > 1_000_000 for t in taxes[1:])
    assert (
        Contribution.objects.filter(
            member__name="康熙", kind=Contribution.Kind.AWARD, title__contains="纳税贡献奖"
        ).count()
        == 4
    )
    assert Contribution.objects.filter(member__name="唐朝阳", title__contains="创业之星").exists()
    assert (
        Contribution.objects.filter(
            kind=Contribution.Kind.DONATION, title__contains="八一路小学"
        ).count()
        >= 2
    )


def test_demo_has_birthdays_in_the_coming_week(demo):
    today = timezone.localdate()
    coming = {(today + datetime.timedelta(days=d)).strftime("%m%d") for d in range(7)}
    birthdays = [m.birth_date.strftime("%m%d") for m in Member.objects.exclude(birth_date=None)]
    assert any(day in coming for day in birthdays)


def test_printed_member_signs_in_to_the_portal_with_mobile_and_password(demo, client):
    mobile, password = printed_member_sign_in(demo.output)

    response = client.post(reverse("portal:login"), {"username": mobile, "password": password})

    assert response.status_code == 302
    member = Member.objects.get(mobile=mobile)
    assert client.session["_auth_user_id"] == str(member.user_id)
    assert member.user.groups.filter(name=roles.MEMBER).exists()
    assert member.user.username == member.member_no


def test_printed_staff_and_leader_accounts_have_their_roles(demo):
    _, password = printed_member_sign_in(demo.output)
    staff_name = re.search(r"用户名 (staff_\w+)", demo.output).group(1)
    user_model = get_user_model()

    staff = user_model.objects.get(username=staff_name)
    assert staff.is_staff and staff.office.code == "jcy"
    assert staff.groups.filter(name=roles.OFFICE_STAFF).exists()
    assert staff.check_password(password)
    leader = user_model.objects.get(username="leader")
    assert leader.groups.filter(name=roles.COMMITTEE_LEADER).exists()
    district = user_model.objects.get(username="district")
    assert district.groups.filter(name=roles.DISTRICT_STAFF).exists()
    assert user_model.objects.get(username="admin").is_superuser


def test_seeding_twice_is_harmless_and_prints_the_sign_ins_again(demo):
    counts = (Member.objects.count(), get_user_model().objects.count())

    second = seed()

    assert (Member.objects.count(), get_user_model().objects.count()) == counts
    assert "已存在" in second
    assert printed_member_sign_in(second) == printed_member_sign_in(demo.output)


# --- Activities -------------------------------------------------------------------------


def test_demo_has_two_briefings_a_year_and_the_other_activities(demo):
    counts = demo.counts["briefings"]

    office = Office.objects.get()
    briefings = Activity.objects.filter(kind__is_briefing=True)
    assert briefings.filter(starts_at__year=2025).count() == 2
    assert briefings.filter(starts_at__year=2026).count() == 2
    kinds = set(Activity.objects.values_list("kind__name", flat=True))
    assert {"政情通报会", "专题协商", "视察", "调研", "学习", "主题活动", "捐赠"} <= kinds
    showcase = demo.counts["showcase"]  # the sign-in member's waiting work, seeded last
    meetings = demo.counts["consultations"]["协商议事会"]  # the consultation meeting
    assert counts["activities"] + showcase["activities"] + meetings == Activity.objects.count()
    assert counts["invitations"] + showcase["invitations"] == Invitation.objects.count() > 100
    assert Opinion.objects.exists()
    # Held activities have attendance for everyone; future ones none.
    held = Activity.objects.filter(status=Activity.Status.HELD)
    assert held.exists()
    assert not Invitation.objects.filter(activity__in=held, attendance="").exists()
    assert (
        not Invitation.objects.filter(activity__starts_at__date__gt=TODAY)
        .exclude(attendance="")
        .exists()
    )
    assert PointEntry.objects.filter(kind="activity_attended").exists()
    assert PointEntry.objects.filter(kind="absent_without_leave").exists()
    # The first half-year's briefing took place; the second is ahead.
    halves = half_year_status([office], 2026)[0]["halves"]
    assert halves[0]["state"] == HELD
    assert halves[1]["state"] == PLANNED


def test_demo_activity_pages_render(demo, client):
    staff = get_user_model().objects.get(username__startswith="staff_")
    client.force_login(staff)
    assert client.get(reverse("admin:briefings_activity_changelist")).status_code == 200
    held = Activity.objects.filter(status=Activity.Status.HELD, kind__is_briefing=True).first()
    assert client.get(reverse("admin:briefings_activity_change", args=[held.pk])).status_code == 200
    minutes = client.get(reverse("admin:briefings_activity_minutes", args=[held.pk]))
    assert minutes.status_code == 200
    assert "意见建议" in minutes.text


def test_seed_demo_command_seeds_the_activities(demo):
    assert Activity.objects.filter(kind__is_briefing=True).count() == 4


# --- Visits, life events and concerns ---------------------------------------------------


def test_demo_has_visits_life_events_and_concerns_in_every_state(demo):
    counts = demo.counts["visits"]

    assert counts["visits"] == Visit.objects.filter(status=Visit.Status.DONE).count() > 30
    assert counts["pending_visits"] == 2
    assert set(Visit.objects.values_list("kind", flat=True)) >= {"routine", "festival"}
    assert not Visit.objects.filter(visited_on__gt=TODAY).exists()
    assert LifeEvent.objects.filter(
        visit__status=Visit.Status.PENDING, visit__due_date__lt=TODAY
    ).exists()
    assert set(Concern.objects.values_list("status", flat=True)) == set(Concern.Status.values)
    assert counts["overdue_concerns"] > 0
    assert Concern.objects.filter(Concern.overdue_q(TODAY)).count() == counts["overdue_concerns"]
    # Every concern has its timeline, ending in its current state.
    concern = Concern.objects.filter(status=Concern.Status.CLOSED).first()
    steps = list(
        StatusChange.objects.filter(content_type__model="concern", object_id=concern.pk)
        .order_by("created_at", "pk")
        .values_list("to_status", flat=True)
    )
    assert steps[0] == "new" and steps[-1] == "closed"
    # Concerns from visits were raised by someone visited.
    from_visits = Concern.objects.filter(visit__isnull=False)
    assert from_visits.exists()
    for c in from_visits[:20]:
        assert VisitMember.objects.filter(visit=c.visit, member=c.member).exists()
    # Some members still need a visit this half-year, some were visited.
    row = coverage_by_office(Office.objects.all(), TODAY)[0]
    assert 0 < row.not_visited_half < row.serving


def test_demo_visit_pages_render(demo, client):
    staff = get_user_model().objects.filter(is_staff=True, office__isnull=False).first()
    client.force_login(staff)
    for name in (
        "admin:visits_visit_changelist",
        "admin:visits_concern_changelist",
        "admin:visits_visit_coverage",
        "admin:visits_concern_digest",
        "admin:visits_lifeevent_changelist",
        "admin:index",
    ):
        assert client.get(reverse(name)).status_code == 200, name


# --- Plans and work reports -------------------------------------------------------------


def test_each_office_gets_an_adopted_plan_with_comments_and_an_issued_report(demo):
    # Issued reports' PDFs are queued for the worker once the seed commits: never, here.
    counts = demo.counts["plans"]
    offices = list(Office.objects.all())
    for office in offices:
        adopted = WorkPlan.objects.get(office=office, year=2026, status="adopted")
        assert adopted.version == 2 and adopted.items.count() >= 10
        assert PlanComment.objects.filter(plan__office=office, plan__year=2026).count() == 2
        assert WorkPlan.objects.get(office=office, year=2027).status == "draft"  # autumn
        issued = WorkReport.objects.filter(office=office, status="issued")
        assert issued.count() == 2 and all(r.figures for r in issued)
    assert counts["reports"] == 2 * len(offices)
    documents = Document.objects.filter(kind="work-report")
    assert documents.count() == 2 * len(offices)
    issued = DocumentIssue.objects.filter(document__in=documents, recipient__username="leader")
    assert issued.exists()


def test_each_office_has_sent_a_numbered_reply_to_the_committee(demo):
    offices = list(Office.objects.all())
    assert demo.counts["plans"]["replies"] == len(offices)
    for office in offices:
        reply = CommitteeReply.objects.get(office=office)
        assert reply.is_issued and reply.issued_on <= TODAY and "一、" in reply.body
        document = Document.objects.get(office=office, kind="reply")
        assert document.reference == f"{office.street.removesuffix('街道')}政联函〔2026〕1号"
        assert document.document_date == reply.issued_on
        assert document.issues.exists()  # issued to the office's leaders


# --- What the demo must never show ------------------------------------------------------


def test_every_timeline_moves_only_as_its_workflow_allows(demo):
    faults, models = timeline_faults(TODAY)

    assert faults == []
    assert models == set(TIMELINES)  # every workflow the demo fills has its timelines


def test_no_member_earns_more_points_of_a_kind_in_a_year_than_its_cap(demo):
    caps = dict(PointRule.objects.exclude(yearly_cap=None).values_list("kind", "yearly_cap"))
    totals = PointEntry.objects.values("member", "kind", "year").annotate(total=Sum("points"))
    assert totals.filter(kind__in=caps).exists()  # the demo earns capped kinds
    over = [row for row in totals.filter(kind__in=caps) if row["total"] > caps[row["kind"]]]
    assert over == []


def test_the_demo_opens_no_transaction_around_the_services_it_calls(demo):
    assert "plans.services.plan_adopt" in {name for name, _ in demo.service_calls}
    assert [call for call in demo.service_calls if call[1]] == []


def test_the_demo_member_signs_in_to_unread_messages_and_one_to_do_of_each_kind(demo):
    from portal.home import member_todos

    member = Member.objects.get(name="唐朝阳")
    todos = member_todos(member)
    kinds = {todo.kind for todo in todos}
    assert kinds == {"rate", "cosign", "reply", "confirm", "consult", "profile", "study"}
    assert [t.kind for t in todos].count("study") == 1  # the newest material, unread
    unread = member.user.notifications.filter(channel="portal", read_at=None)
    assert unread.count() >= 4


def test_proposals_and_reports_are_dated_over_their_year_not_on_the_seeding_day(demo):
    from proposals.models import OpinionReport, Proposal

    for model in (Proposal, OpinionReport, Concern):
        months = {
            (row.year if hasattr(row, "year") else row.created_at.year, row.created_at.month)
            for row in model.objects.all()
        }
        assert len(months) >= 5, model.__name__
    last_year = Proposal.objects.filter(year=TODAY.year - 1)
    assert {p.created_at.year for p in last_year} == {TODAY.year - 1}
    assert len({p.created_at.month for p in last_year}) >= 3


def test_a_members_own_draft_and_submission_are_credited_to_the_member(demo):
    from proposals.models import Proposal

    member = Member.objects.get(name="唐朝阳")
    proposal = Proposal.objects.filter(lead_member=member, year=TODAY.year - 1).first()
    moves = StatusChange.objects.filter(content_type__model="proposal", object_id=proposal.pk)
    actors = dict(moves.values_list("to_status", "actor_id"))
    assert actors["draft"] == actors["submitted"] == member.user_id
    registered = moves.filter(to_status="registered").first()
    assert registered is None or registered.actor_id != member.user_id


def test_last_years_grades_are_believable_and_name_the_missed_minimum(demo):
    from collections import Counter

    from reports import duty

    office = Office.objects.get()
    last_year = duty.standings(office=office, years=[TODAY.year - 1])
    grades = Counter(row.grade for row in last_year)
    assert grades[duty.COMPETENT] > len(last_year) / 2  # most members
    assert 0 < grades[duty.INCOMPETENT] <= len(last_year) / 5  # a few
    assert 0 < grades[duty.EXCELLENT] < grades[duty.COMPETENT]  # some
    for row in last_year:
        if row.grade == duty.INCOMPETENT:
            assert row.missed or row.below_threshold  # a visible reason
    # This year is still open: points and progress only.
    assert {row.grade for row in duty.standings(office=office, years=[TODAY.year])} == {""}


# --- Consultations ------------------------------------------------------------------------


def test_demo_consultation_meeting_opinions_flowed_in_and_were_marked(demo, client):
    from consultations.models import AnswerItem, Consultation
    from members.models import ActivityGroup

    compiled = Consultation.objects.get(status="compiled")
    assert compiled.meeting.kind.holds_consultations
    meeting_items = AnswerItem.objects.filter(answer__consultation=compiled, question=None)
    assert meeting_items.count() == 3 == compiled.meeting.opinions.count()
    marks = set(
        AnswerItem.objects.filter(answer__consultation=compiled).values_list("mark", flat=True)
    )
    assert {"adopt", "merge", "set_aside"} <= marks
    assert "同类意见" in compiled.compiled_summary
    assert ActivityGroup.objects.filter(leader__isnull=False).count() == 3
    assert Consultation.objects.get(status="submitted").audience == "groups"
    staff = get_user_model().objects.get(username__startswith="staff_")
    client.force_login(staff)
    page = client.get(reverse("admin:consultations_consultation_compilation", args=[compiled.pk]))
    assert page.status_code == 200
    assert "协商议事会上的意见" in page.text and "并入编号" in page.text


def test_the_demo_shows_issue_20_proposals_believably(demo):
    """Suggested units and an open co-signing with joiners; a B reply followed up and
    one followed up to completion; a pair of similar proposals across years the
    similar-proposal list finds; the search finds the demo's proposals."""
    from proposals import search
    from proposals.models import FollowUp, Proposal

    market = Proposal.objects.get(title="关于改造街道菜市场环境的建议")
    assert market.has_unit_suggestion and market.is_open_for_cosigning
    assert market.cosigners.filter(via_open_call=True).count() == 2
    states = set(FollowUp.objects.values_list("status", "regraded"))
    assert {("open", False), ("closed", True)} <= states
    lift = Proposal.objects.get(title="关于加快老旧小区加装电梯的建议", year=TODAY.year)
    assert lift.follow_ups.get(status="open").reports.exists()
    found = search.similar_proposals(
        Proposal.objects.all(), title=lift.title, suggestions=lift.suggestions, exclude=lift.pk
    )
    earlier = Proposal.objects.get(title="关于推动既有多层住宅增设电梯的建议")
    assert earlier.year == TODAY.year - 1 and earlier.follow_ups.get().regraded
    assert earlier.pk in [p.pk for p, _score in found[:3]]
    terms = search.parse_query("停车")
    assert search.search_proposals(Proposal.objects.all(), terms, search.Filters()).exists()


def test_the_demo_duty_record_shows_speeches_and_study(demo):
    """Speeches at the briefings and a written one by the sign-in member, materials read
    by most of their audience and a few reflections; the duty record counts them."""
    from briefings.models import Speech
    from members.models import StudyMaterial, StudyRead, StudyReflection
    from reports import duty

    member = Member.objects.get(name="唐朝阳")
    assert Speech.objects.filter(kind="plenary", agenda_item__speaker__isnull=False).exists()
    assert Speech.objects.filter(member=member, kind="written").exists()
    assert PointEntry.objects.filter(kind="speech", source_type__model="speech").exists()
    standing = duty.standing_for(member, [TODAY.year])
    assert standing.speeches >= 1 and standing.reflections + standing.materials_read >= 1
    office = member.office
    materials = StudyMaterial.objects.filter(office=office).count()
    audience = Member.objects.filter(office=office, status="serving").count()
    reads = StudyRead.objects.filter(material__office=office).count()
    assert materials == 4 and audience < reads < materials * audience
    assert 0 < StudyReflection.objects.filter(material__office=office).count() < reads / 3
