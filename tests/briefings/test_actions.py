"""The buttons each person sees on an activity or an opinion collected at one come from
one actions table (briefings.actions), agree with the transition table and with what
the services accept, and a stale or forged click changes nothing and says why."""

import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from briefings import services
from briefings.actions import ACTIVITY_ACTIONS, OPINION_ACTIONS, activity_actions
from briefings.admin_steps import ACTIVITY_STEPS, OPINION_STEPS
from briefings.models import Activity, ActivityConfig, ActivityKind, Invitation, Opinion
from briefings.signin import sign_in_token
from briefings.workflows import ACTIVITY_WORKFLOW, OPINION_WORKFLOW
from liaison.actions import MEMBER, PRIMARY, STAFF, Actor
from liaison.models import StatusChange, today
from liaison.workflow import WorkflowError
from tests.briefings.test_pages import add_page_data
from tests.factories import activity_published, activity_scheduled, member_with_account, shanghai

pytestmark = pytest.mark.django_db

A = Activity.Status
OS = Opinion.Status

# The briefing runs on 20 March 2026, 14:30–16:30; sign-in is open 13:30–17:30 and
# opinions are collected until 3 April 16:30 (the default settings).
BEFORE = shanghai(2026, 3, 2, 9)
SIGN_IN_OPEN = shanghai(2026, 3, 20, 14)
DURING = shanghai(2026, 3, 20, 15)
AFTER = shanghai(2026, 3, 21, 10)
LATE = shanghai(2026, 4, 10, 9)


def _names(obj, actor, table=ACTIVITY_ACTIONS):
    return [a.name for a in table.available(obj, actor)]


def _build(scenario, *, office, staff, member, other_member):
    """An activity taken through the services to ``scenario`` (a briefing: major)."""
    invited = [member, other_member]
    with time_machine.travel(BEFORE):
        if scenario.startswith("draft"):
            activity = activity_scheduled(office=office, actor=staff)
            if scenario != "draft":
                services.activity_request_send(activity=activity, actor=staff, sent_on=today())
                services.activity_invite(activity=activity, actor=staff, members=invited)
            if scenario == "draft_refused":
                services.activity_request_answer(
                    activity=activity, actor=staff, outcome="refused", answered_on=today()
                )
            return Activity.objects.get(pk=activity.pk)
        activity = activity_published(office=office, actor=staff, members=invited)
        if scenario == "leave_asked":
            services.invitation_reply(
                activity=activity, member=member, actor=member.user, attending=False, reason="出差"
            )
        if scenario == "cancelled":
            services.activity_cancel(activity=activity, actor=staff, reason="台风")
    if scenario == "signed_in":
        with time_machine.travel(DURING):
            services.attendance_sign_in(
                activity=activity,
                member=member,
                actor=member.user,
                token=sign_in_token(activity),
            )
    if scenario == "held":
        with time_machine.travel(AFTER):
            services.attendance_close(activity=activity, actor=staff)
    return Activity.objects.get(pk=activity.pk)


SCENARIO_STATUS = {
    "draft": A.DRAFT,
    "draft_requested": A.DRAFT,
    "draft_refused": A.DRAFT,
    "published": A.PUBLISHED,
    "leave_asked": A.PUBLISHED,
    "signed_in": A.PUBLISHED,
    "held": A.HELD,
    "cancelled": A.CANCELLED,
}
OPEN_REQUEST = ["request_answer", "invite"]  # a published briefing, its request answered
# (scenario, moment, staff's actions, the invited member's actions)
EXPECTED = [
    ("draft", BEFORE, ["request_send", "invite", "cancel"], []),
    (
        "draft_requested",
        BEFORE,
        ["request_send", "request_answer", "invite", "publish", "cancel"],
        [],
    ),
    ("draft_refused", BEFORE, ["request_answer", "invite", "cancel"], []),
    (
        "published",
        BEFORE,
        [*OPEN_REQUEST, "reschedule", "record_opinion", "cancel"],
        ["reply"],
    ),
    (
        "leave_asked",
        BEFORE,
        [*OPEN_REQUEST, "reschedule", "decide_leave", "record_opinion", "cancel"],
        ["reply"],
    ),
    (
        "published",
        SIGN_IN_OPEN,
        [*OPEN_REQUEST, "reschedule", "record_opinion", "cancel"],
        ["reply", "sign_in"],
    ),
    (
        "published",
        DURING,
        [*OPEN_REQUEST, "close_attendance", "record_opinion", "write_minutes", "cancel"],
        ["opinion", "sign_in"],
    ),
    (
        "leave_asked",
        DURING,
        # A leave request still to decide holds up 完成考勤登记.
        [*OPEN_REQUEST, "decide_leave", "record_opinion", "write_minutes", "cancel"],
        ["opinion", "sign_in"],
    ),
    (
        "signed_in",
        DURING,
        [
            *OPEN_REQUEST,
            "close_attendance",
            "correct_attendance",
            "record_opinion",
            "write_minutes",
            "cancel",
        ],
        ["opinion"],
    ),
    (
        "published",
        AFTER,
        ["request_answer", "close_attendance", "record_opinion", "write_minutes", "cancel"],
        ["opinion"],
    ),
    ("held", AFTER, ["correct_attendance", "record_opinion", "write_minutes"], ["opinion"]),
    ("held", LATE, ["correct_attendance", "record_opinion", "write_minutes"], []),
    ("cancelled", BEFORE, [], []),
]
IDS = [f"{scenario}-{moment:%m%d%H}" for scenario, moment, *_rest in EXPECTED]


@pytest.fixture
def build(office, staff, member, other_member):
    """``build(scenario)``: the activity of ``scenario`` (see _build)."""
    return lambda scenario: _build(
        scenario, office=office, staff=staff, member=member, other_member=other_member
    )


@pytest.fixture
def published(build):
    return build("published")


@pytest.fixture
def outsider(office):
    """A member of the same office who was not invited."""
    return member_with_account(office=office, name="周强", mobile="13700000009")


@pytest.mark.parametrize(("scenario", "moment", "staff_names", "member_names"), EXPECTED, ids=IDS)
def test_each_state_offers_each_persona_what_the_table_and_guards_allow(
    scenario, moment, staff_names, member_names, build, staff, member, outsider
):
    activity = build(scenario)
    assert activity.status == SCENARIO_STATUS[scenario]
    with time_machine.travel(moment):
        assert _names(activity, Actor.staff(staff)) == staff_names
        assert _names(activity, Actor.of_member(member)) == member_names
        assert _names(activity, Actor.of_member(outsider)) == []
        for actor in (Actor.staff(staff), Actor.of_member(member)):
            actions = activity_actions(activity, actor)
            assert sum(a.style == PRIMARY for a in actions) <= 1, actions


def test_the_scenarios_cover_every_state_of_the_transition_table():
    assert {SCENARIO_STATUS[scenario] for scenario, *_rest in EXPECTED} == set(A.values)


TARGETS = {"publish": A.PUBLISHED, "close_attendance": A.HELD, "cancel": A.CANCELLED}


@pytest.mark.parametrize(("scenario", "moment", "staff_names", "member_names"), EXPECTED, ids=IDS)
def test_a_move_offered_is_one_the_transition_table_allows(
    scenario, moment, staff_names, member_names, build
):
    activity = build(scenario)
    for name in staff_names:
        if name in TARGETS:
            assert ACTIVITY_WORKFLOW.allows(activity.status, TARGETS[name]), name
    for name, target in TARGETS.items():
        if not ACTIVITY_WORKFLOW.allows(activity.status, target):
            assert name not in staff_names


def _staff_calls(activity, staff):
    now = datetime.datetime.now(tz=datetime.UTC)
    return {
        "request_send": lambda: services.activity_request_send(
            activity=activity, actor=staff, sent_on=today()
        ),
        "request_answer": lambda: services.activity_request_answer(
            activity=activity, actor=staff, outcome="approved", answered_on=today()
        ),
        "invite": lambda: services.activity_invite(activity=activity, actor=staff, members=[]),
        "publish": lambda: services.activity_publish(
            activity=activity, actor=staff, override_reason="书记已口头同意"
        ),
        "reschedule": lambda: services.activity_reschedule(
            activity=activity,
            actor=staff,
            starts_at=now + datetime.timedelta(days=1),
            ends_at=now + datetime.timedelta(days=1, hours=2),
            venue="一楼会议室",
        ),
        "close_attendance": lambda: services.attendance_close(activity=activity, actor=staff),
        "record_opinion": lambda: services.opinion_record(
            activity=activity, actor=staff, content="建议"
        ),
        "write_minutes": lambda: services.minutes_save(
            activity=activity, actor=staff, minutes="纪要"
        ),
        "cancel": lambda: services.activity_cancel(activity=activity, actor=staff, reason="改期"),
    }


def _member_calls(activity, member):
    return {
        "reply": lambda: services.invitation_reply(
            activity=activity, member=member, actor=member.user, attending=True
        ),
        "opinion": lambda: services.opinion_submit(
            activity=activity, member=member, actor=member.user, content="建议"
        ),
        "sign_in": lambda: services.attendance_sign_in(
            activity=activity, member=member, actor=member.user, token=sign_in_token(activity)
        ),
    }


@pytest.mark.parametrize(("scenario", "moment", "staff_names", "member_names"), EXPECTED, ids=IDS)
def test_an_action_not_offered_is_refused_by_its_service_in_the_same_words(
    scenario, moment, staff_names, member_names, build, staff, member, outsider
):
    activity = build(scenario)
    with time_machine.travel(moment, tick=False):
        cases = [
            (Actor.staff(staff), name, call) for name, call in _staff_calls(activity, staff).items()
        ]
        for person in (member, outsider):
            cases += [
                (Actor.of_member(person), name, call)
                for name, call in _member_calls(activity, person).items()
            ]
        for actor, name, call in cases:
            reason = ACTIVITY_ACTIONS.refusal(activity, actor, name)
            if reason is None:
                continue
            if name == "sign_in" and reason == "您已签到，无需重复签到。":
                assert call()[1] is False  # scanning again is harmless
                continue
            with pytest.raises(WorkflowError) as refused:
                call()
            assert str(refused.value) == reason, (actor.persona, name)
    assert Activity.objects.get(pk=activity.pk).status == activity.status


def test_every_admin_step_is_a_staff_action_and_every_staff_action_has_a_step():
    assert set(ACTIVITY_STEPS) == ACTIVITY_ACTIONS.names(STAFF)
    assert set(OPINION_STEPS) == OPINION_ACTIONS.names(STAFF)


def test_every_member_action_has_a_portal_handler():
    from portal.briefings import ACTIVITY_HANDLERS

    assert set(ACTIVITY_HANDLERS) == ACTIVITY_ACTIONS.names(MEMBER)
    assert all(ACTIVITY_HANDLERS[name].run for name in ACTIVITY_HANDLERS)
    assert OPINION_ACTIONS.names(MEMBER) == set()  # members read their opinions only


# --- Opinions collected ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "with_member", "expected"),
    [
        (OS.NEW, True, ["to_concern", "to_proposal", "note"]),
        # A leader's or a guest's opinion cannot become a member's proposal draft.
        (OS.NEW, False, ["to_concern", "note"]),
        (OS.NOTED, True, ["to_concern", "to_proposal"]),
        (OS.CONCERN, True, []),
        (OS.PROPOSAL, True, []),
    ],
)
def test_opinion_actions_follow_the_table(status, with_member, expected, office, staff, member):
    with time_machine.travel(BEFORE):
        activity = activity_published(office=office, actor=staff, members=[member])
    with time_machine.travel(DURING):
        opinion = services.opinion_record(
            activity=activity, actor=staff, content="建议", member=member if with_member else None
        )
    Opinion.objects.filter(pk=opinion.pk).update(status=status)
    opinion.refresh_from_db()
    assert _names(opinion, Actor.staff(staff), OPINION_ACTIONS) == expected
    assert sum(a.is_primary for a in OPINION_ACTIONS.available(opinion, Actor.staff(staff))) <= 1
    targets = {"to_concern": OS.CONCERN, "to_proposal": OS.PROPOSAL, "note": OS.NOTED}
    for name in expected:
        assert OPINION_WORKFLOW.allows(status, targets[name])


# --- The admin ---------------------------------------------------------------------------


def test_admin_change_page_shows_the_table_s_buttons_with_one_primary(staff_client, build):
    activity = build("draft_requested")
    with time_machine.travel(BEFORE):
        page = staff_client.get(reverse("admin:briefings_activity_change", args=[activity.pk])).text
    for name in ["request_send", "request_answer", "invite", "publish", "cancel"]:
        assert f'data-action="{name}"' in page
    assert 'data-action="close_attendance"' not in page
    assert page.count("workflow-primary") == 1


def test_admin_step_not_offered_now_is_refused_with_the_reason_and_changes_nothing(
    staff_client, published
):
    activity = published
    step = lambda name: reverse("admin:briefings_activity_step", args=[activity.pk, name])  # noqa: E731
    with time_machine.travel(BEFORE):
        # A page drawn later, or a forged request: the activity has not started.
        response = staff_client.post(step("close_attendance"), {"note": ""}, follow=True)
        assert "不能执行“完成考勤登记”：活动尚未开始，不能完成考勤登记。" in response.text
        response = staff_client.post(step("publish"), {}, follow=True)
        assert "不能执行“发布并通知委员”" in response.text
        assert staff_client.get(step("no_such_step")).status_code == 404
    activity.refresh_from_db()
    assert activity.status == A.PUBLISHED
    assert not activity.invitations.exclude(attendance="").exists()


def test_admin_opinion_step_refused_for_an_opinion_without_a_member(
    staff_client, office, staff, member
):
    with time_machine.travel(BEFORE):
        activity = activity_published(office=office, actor=staff, members=[member])
    with time_machine.travel(DURING):
        opinion = services.opinion_record(activity=activity, actor=staff, content="领导的意见")
    url = reverse("admin:briefings_opinion_step", args=[opinion.pk, "to_proposal"])
    response = staff_client.post(
        url, {"title": "x", "reasons": "y", "suggestions": "z"}, follow=True
    )
    assert "该意见没有提出委员" in response.text
    opinion.refresh_from_db()
    assert (opinion.status, opinion.proposal_id) == (OS.NEW, None)


def _add_page_data(kind, **fields):
    return add_page_data(
        kind,
        **{
            # Typed out of order: the positions decide.
            "agenda-0-position": "2",
            "agenda-1-position": "1",
            "agenda-1-duration_minutes": "40",
            "materials-TOTAL_FORMS": "1",
            "materials-0-title": "学习材料",
            "materials-0-file": SimpleUploadedFile("xx.pdf", b"%PDF-1.4 doc", "application/pdf"),
            "materials-0-shared_with_members": "on",
            **fields,
        },
    )


def test_admin_add_page_schedules_through_activity_create(staff_client, office, staff):
    study = ActivityKind.objects.get(name="学习")
    with (
        time_machine.travel(BEFORE),
        mock.patch("briefings.services.activity_create", wraps=services.activity_create) as create,
    ):
        response = staff_client.post(
            reverse("admin:briefings_activity_add"),
            _add_page_data(study, title="委员学习会", _continue="1"),
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    create.assert_called_once()
    assert create.call_args.kwargs["actor"] == staff
    activity = Activity.objects.get()
    # The admin redirects and logs with the row the service wrote.
    assert response.url == reverse("admin:briefings_activity_change", args=[activity.pk])
    assert LogEntry.objects.get().object_id == str(activity.pk)
    assert (activity.office, activity.created_by, activity.is_major) == (office, staff, False)
    assert list(activity.agenda.values_list("title", "duration_minutes")) == [
        ("委员座谈", 40),
        ("通报街道经济社会发展情况", None),
    ]
    assert str(activity.leaders.get()) == "韭菜园街道 党工委书记 王书记"
    assert activity.materials.get().title == "学习材料"
    assert StatusChange.objects.filter(object_id=activity.pk, to_status=A.DRAFT).count() == 1


def test_major_is_decided_by_the_service_for_the_admin_and_the_code_alike(
    staff_client, office, staff
):
    briefing, study = (ActivityKind.objects.get(name=n) for n in ("政情通报会", "学习"))
    with time_machine.travel(BEFORE):
        staff_client.post(
            reverse("admin:briefings_activity_add"), _add_page_data(briefing, title="通报会")
        )
        staff_client.post(
            reverse("admin:briefings_activity_add"),
            _add_page_data(study, title="视察", is_major="on"),
        )
        by_code = activity_scheduled(office=office, actor=staff, kind="学习", title="学习会")
    assert dict(Activity.objects.values_list("title", "is_major")) == {
        "通报会": True,  # a briefing (政情通报会) is always major
        "视察": True,  # staff said so
        "学习会": False,
    }
    assert not by_code.is_major


def test_admin_add_page_refused_by_the_service_says_why_and_writes_nothing(staff_client, office):
    study = ActivityKind.objects.get(name="学习")
    with (
        time_machine.travel(BEFORE),
        mock.patch(
            "briefings.services.activity_create", side_effect=WorkflowError("请填写活动名称。")
        ),
    ):
        response = staff_client.post(
            reverse("admin:briefings_activity_add"), _add_page_data(study), follow=True
        )
    assert "请填写活动名称。" in response.text
    assert not Activity.objects.exists()


# --- The portal --------------------------------------------------------------------------


def test_portal_detail_draws_only_the_member_s_actions(published, member_client):
    activity, client = published, member_client
    url = reverse("portal:activity_detail", args=[activity.pk])
    with time_machine.travel(SIGN_IN_OPEN):
        page = client.get(url).text
    assert 'data-action="reply"' in page
    assert 'data-action="opinion"' not in page
    assert 'data-action="sign_in"' not in page  # taken on the QR code's page only
    with time_machine.travel(AFTER):
        page = client.get(url).text
    assert 'data-action="reply"' not in page and "提交回复" not in page
    assert 'data-action="opinion"' in page
    assert reverse("portal:activity_act", args=[activity.pk, "opinion"]) in page


def test_portal_stale_or_forged_clicks_are_told_why_and_change_nothing(
    published, member_client, member
):
    activity, client = published, member_client
    act = lambda name: reverse("portal:activity_act", args=[activity.pk, name])  # noqa: E731
    with time_machine.travel(BEFORE):
        # The opinion form of a page drawn after the start, posted before it.
        response = client.post(act("opinion"), {"content": "建议"}, follow=True)
        assert "活动开始后即可提交意见建议" in response.text
        # A staff action's name is not a member action: 404, not a move.
        assert client.post(act("publish")).status_code == 404
        assert client.post(act("no_such_action")).status_code == 404
    with time_machine.travel(DURING):
        response = client.post(act("reply"), {"attending": "0", "reason": "临时有事"}, follow=True)
        assert "不能再回复或请假" in response.text
        response = client.post(act("sign_in"), {"token": "forged"}, follow=True)
        assert "二维码无效" in response.text
    invitation = Invitation.objects.get(activity=activity, member=member)
    assert (invitation.reply, invitation.attendance) == ("pending", "")
    assert not Opinion.objects.exists()


def test_portal_reply_through_the_action_then_the_form_opens_on_the_answer(
    published, member_client, member
):
    activity, client = published, member_client
    with time_machine.travel(BEFORE):
        response = client.post(
            reverse("portal:activity_act", args=[activity.pk, "reply"]),
            {"attending": "0", "reason": "出差北京"},
            follow=True,
        )
        assert "请假申请已提交" in response.text
        page = client.get(reverse("portal:activity_detail", args=[activity.pk])).text
        response = client.post(
            reverse("portal:activity_reply", args=[activity.pk]), {"attending": "1"}, follow=True
        )
    leave_checked = re.search(r'<input[^>]*name="attending"[^>]*value="0"[^>]*checked', page)
    assert leave_checked, "the form opens on the member's answer (请假)"
    assert "已回复参加" in response.text
    assert Invitation.objects.get(activity=activity, member=member).reply == "attending"


def test_opinion_window_is_one_rule_for_the_page_and_the_service(published, member_client, office):
    activity, client = published, member_client
    ActivityConfig.objects.create(office=office, opinion_days=3)
    url = reverse("portal:activity_detail", args=[activity.pk])
    last_moment = activity.ends_at + datetime.timedelta(days=3)
    with time_machine.travel(last_moment, tick=False):
        assert 'data-action="opinion"' in client.get(url).text
        assert "请于 3月23日 前提交" in client.get(url).text
    with time_machine.travel(last_moment + datetime.timedelta(minutes=1), tick=False):
        assert 'data-action="opinion"' not in client.get(url).text
        response = client.post(
            reverse("portal:activity_opinion", args=[activity.pk]), {"content": "晚了"}, follow=True
        )
    assert "意见征集已于 2026年03月23日 16:30 截止" in response.text
    assert not Opinion.objects.exists()


def test_sign_in_page_draws_the_table_s_button_and_a_second_visit_says_done(
    published, member_client
):
    activity, client = published, member_client
    url = reverse("portal:activity_sign_in", args=[activity.pk, sign_in_token(activity)])
    with time_machine.travel(BEFORE):
        page = client.get(url).text
        assert "签到尚未开始" in page and 'data-action="sign_in"' not in page
    with time_machine.travel(DURING):
        assert 'data-action="sign_in"' in client.get(url).text
        client.post(url)
        page = client.get(url).text
    assert "您已签到，无需重复签到" in page and 'data-action="sign_in"' not in page
