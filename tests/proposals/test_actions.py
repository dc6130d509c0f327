"""The buttons each person sees on a proposal or a public-opinion report come from one
actions table (proposals.actions), agree with the transition table and the services,
and a stale or forged click changes nothing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from liaison.actions import MEMBER, PRIMARY, STAFF, UNIT, Actor
from liaison.unit_links import unit_link_token
from proposals import services
from proposals.actions import OPINION_ACTIONS, PROPOSAL_ACTIONS, proposal_actions
from proposals.admin_steps import OPINION_STEPS, PROPOSAL_STEPS
from proposals.models import OpinionReport, Proposal
from proposals.workflows import OPINION_WORKFLOW, PROPOSAL_WORKFLOW
from tests.factories import HandlingUnitFactory, proposal_draft

P = Proposal.Status
OS = OpinionReport.Status

pytestmark = pytest.mark.django_db


def _names(obj, actor, table=PROPOSAL_ACTIONS):
    return [a.name for a in table.available(obj, actor)]


def _proposal_in(status, *, member, other_member, staff, office):
    """A proposal taken through the services to ``status`` (one lead unit, one co unit)."""
    proposal = proposal_draft(member=member, cosigners=[other_member])
    services.cosign_respond(cosigner=proposal.cosigners.get(), member=other_member, accept=True)
    steps = {
        P.DRAFT: [],
        P.WITHDRAWN: [lambda: services.proposal_withdraw(proposal=proposal, actor=member.user)],
        P.SUBMITTED: [lambda: services.proposal_submit(proposal=proposal, actor=member.user)],
    }
    submit = steps[P.SUBMITTED]
    steps[P.RETURNED] = [
        *submit,
        lambda: services.proposal_return(proposal=proposal, actor=staff, reason="请补充数据"),
    ]
    steps[P.NOT_REGISTERED] = [
        *submit,
        lambda: services.proposal_reject(
            proposal=proposal, actor=staff, ground=Proposal.NotRegisteredGround.values[0]
        ),
    ]
    steps[P.REGISTERED] = [
        *submit,
        lambda: services.proposal_register(proposal=proposal, actor=staff),
    ]
    lead, co = HandlingUnitFactory(office=office), HandlingUnitFactory(office=office)
    steps[P.ASSIGNED] = [
        *steps[P.REGISTERED],
        lambda: services.proposal_assign(
            proposal=proposal, actor=staff, lead_unit=lead, co_units=[co]
        ),
    ]

    def lead_assignment():
        return proposal.assignments.get(unit=lead)

    steps[P.ACKNOWLEDGED] = [
        *steps[P.ASSIGNED],
        lambda: services.assignment_acknowledge(assignment=lead_assignment()),
    ]
    steps[P.REPLIED] = [
        *steps[P.ACKNOWLEDGED],
        lambda: services.reply_record(
            assignment=lead_assignment(), grade="A", content="已落实", contact_method="phone"
        ),
    ]
    steps[P.CLOSED] = [
        *steps[P.REPLIED],
        lambda: services.feedback_give(proposal=proposal, actor=member.user, verdict="satisfied"),
    ]
    steps[P.REHANDLING] = [
        *steps[P.REPLIED],
        lambda: services.feedback_give(
            proposal=proposal, actor=member.user, verdict="dissatisfied", comments="仍未落实"
        ),
    ]
    for step in steps[status]:
        step()
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.status == status
    return proposal


HANDLING_STAFF = ["unit_opinion", "extend", "mark_key", "disclosure", "mark_excellent"]
# What each persona is offered in each state of a joint proposal with a lead and a co unit.
EXPECTED = {
    P.DRAFT: {
        STAFF: ["submit", "withdraw"],
        "lead": ["submit", "edit", "discard"],
    },
    P.SUBMITTED: {
        STAFF: ["register", "return", "merge", "reject", "withdraw"],
        "lead": ["open_cosign", "withdraw"],
    },
    P.RETURNED: {
        STAFF: ["submit", "withdraw"],
        "lead": ["submit", "edit", "withdraw"],
    },
    P.WITHDRAWN: {STAFF: [], "lead": []},
    P.NOT_REGISTERED: {STAFF: [], "lead": []},
    P.REGISTERED: {STAFF: ["assign", "mark_key", "disclosure", "mark_excellent"], "lead": []},
    P.ASSIGNED: {
        STAFF: [
            "unit_reply",
            "unit_acknowledge",
            "unit_opinion",
            "unit_return",
            "extend",
            "mark_key",
            "disclosure",
            "mark_excellent",
        ],
        "lead": [],
        "lead_unit": ["acknowledge", "reply", "return"],
        "co_unit": ["acknowledge", "reply", "opinion", "return"],
    },
    P.ACKNOWLEDGED: {
        # The lead unit has acknowledged: only the co unit may still ask to return it.
        STAFF: [
            "unit_reply",
            "unit_acknowledge",
            "unit_opinion",
            "unit_return",
            "extend",
            "mark_key",
            "disclosure",
            "mark_excellent",
        ],
        "lead": [],
        "lead_unit": ["reply"],
        "co_unit": ["acknowledge", "reply", "opinion", "return"],
    },
    P.REPLIED: {
        STAFF: ["feedback", "mark_key", "disclosure", "mark_excellent"],
        "lead": ["feedback"],
        "lead_unit": [],
        "co_unit": [],
    },
    P.REHANDLING: {
        STAFF: [
            "unit_reply",
            "unit_acknowledge",
            "unit_opinion",
            "extend",
            "mark_key",
            "disclosure",
            "mark_excellent",
        ],
        "lead": [],
        "lead_unit": ["reply"],
        "co_unit": ["acknowledge", "reply", "opinion"],
    },
    P.CLOSED: {STAFF: ["mark_key", "disclosure", "mark_excellent"], "lead": [], "lead_unit": []},
}


@pytest.mark.parametrize("status", list(EXPECTED))
def test_each_state_offers_each_persona_what_the_table_and_guards_allow(
    status, member, other_member, staff, office
):
    proposal = _proposal_in(
        status, member=member, other_member=other_member, staff=staff, office=office
    )
    expected = EXPECTED[status]
    assert _names(proposal, Actor.staff(staff)) == expected[STAFF]
    assert _names(proposal, Actor.of_member(member)) == expected["lead"]
    # The co-signer answered the invitation when it was made: nothing is left for them.
    assert _names(proposal, Actor.of_member(other_member)) == []
    for key, unit_role in (("lead_unit", "lead"), ("co_unit", "co")):
        if key in expected:
            assignment = proposal.assignments.get(role=unit_role)
            assert _names(proposal, Actor.of_unit(assignment)) == expected[key], key
    for persona_actor in (Actor.staff(staff), Actor.of_member(member)):
        actions = proposal_actions(proposal, persona_actor)
        assert sum(a.style == PRIMARY for a in actions) <= 1


@pytest.mark.parametrize("status", list(EXPECTED))
def test_a_move_offered_is_one_the_transition_table_allows(
    status, member, other_member, staff, office
):
    proposal = _proposal_in(
        status, member=member, other_member=other_member, staff=staff, office=office
    )
    targets = {
        "submit": P.SUBMITTED,
        "register": P.REGISTERED,
        "return": P.RETURNED,
        "merge": P.MERGED,
        "reject": P.NOT_REGISTERED,
        "withdraw": P.WITHDRAWN,
        "discard": P.WITHDRAWN,
        "assign": P.ASSIGNED,
        "close": P.CLOSED,
    }
    for actor in (Actor.staff(staff), Actor.of_member(member)):
        for action in proposal_actions(proposal, actor):
            if action.name in targets:
                assert PROPOSAL_WORKFLOW.allows(status, targets[action.name]), action.name


def test_an_invited_cosigner_is_offered_to_confirm_or_decline_and_the_lead_waits(
    member, other_member
):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    assert _names(proposal, Actor.of_member(other_member)) == ["cosign_accept", "cosign_decline"]
    # The proposer may edit but not submit while the invitation is open.
    assert _names(proposal, Actor.of_member(member)) == ["edit", "discard"]


def test_close_is_offered_once_the_feedback_deadline_has_passed(
    member, other_member, staff, office
):
    proposal = _proposal_in(
        P.REPLIED, member=member, other_member=other_member, staff=staff, office=office
    )
    due = proposal.feedback_due_date
    with time_machine.travel(f"{due.isoformat()} 23:00 +0800", tick=False):
        assert "close" not in _names(proposal, Actor.staff(staff))
    day_after = due + datetime.timedelta(days=1)
    with time_machine.travel(f"{day_after.isoformat()} 09:00 +0800", tick=False):
        assert _names(proposal, Actor.staff(staff))[:2] == ["feedback", "close"]


def test_every_admin_step_is_an_action_of_the_table_and_every_staff_action_has_a_step():
    assert set(PROPOSAL_STEPS) == PROPOSAL_ACTIONS.names(STAFF)
    assert set(OPINION_STEPS) == OPINION_ACTIONS.names(STAFF)


def test_every_member_and_unit_action_has_a_handler():
    from portal.proposals import OPINION_HANDLERS, PROPOSAL_HANDLERS
    from proposals.views import UNIT_HANDLERS

    assert set(PROPOSAL_HANDLERS) == PROPOSAL_ACTIONS.names(MEMBER)
    assert set(OPINION_HANDLERS) == OPINION_ACTIONS.names(MEMBER)
    assert set(UNIT_HANDLERS) == PROPOSAL_ACTIONS.names(UNIT)


@pytest.mark.parametrize(
    ("status", "staff_names", "member_names"),
    [
        (OS.DRAFT, ["submit"], ["edit", "submit"]),
        (OS.SUBMITTED, ["edit", "not_used"], []),
        (OS.EDITED, ["approve", "not_used"], []),
        (OS.APPROVED, ["issue"], []),
        (OS.ISSUED, ["forward", "adopt"], []),
        (OS.FORWARDED, ["adopt"], []),
        (OS.NOT_USED, [], []),
    ],
)
def test_opinion_report_actions_follow_the_table(
    status, staff_names, member_names, staff, member, other_member, office
):
    report = services.opinion_report_create(
        actor=member.user, office=office, member=member, title="t", situation="s", suggestion="x"
    )
    OpinionReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    assert _names(report, Actor.staff(staff), OPINION_ACTIONS) == staff_names
    assert _names(report, Actor.of_member(member), OPINION_ACTIONS) == member_names
    assert _names(report, Actor.of_member(other_member), OPINION_ACTIONS) == []
    for name in staff_names:
        if name in ("edit", "approve", "forward", "not_used", "issue"):
            target = {
                "edit": OS.EDITED,
                "approve": OS.APPROVED,
                "forward": OS.FORWARDED,
                "not_used": OS.NOT_USED,
                "issue": OS.ISSUED,
            }[name]
            assert OPINION_WORKFLOW.allows(status, target)


# --- The surfaces draw and take exactly these actions ----------------------------------


def test_admin_change_page_shows_the_table_s_buttons_with_one_primary(
    staff_client, member, other_member, staff, office
):
    proposal = _proposal_in(
        P.SUBMITTED, member=member, other_member=other_member, staff=staff, office=office
    )
    page = staff_client.get(
        reverse("admin:proposals_proposal_change", args=[proposal.pk])
    ).content.decode()
    for name in EXPECTED[P.SUBMITTED][STAFF]:
        assert f'data-action="{name}"' in page
    assert 'data-action="assign"' not in page
    # One button for the next step; the rest in the menu beside it; the state named.
    assert page.count("workflow-primary") == 1
    primary, menu = page.split('<details class="workflow-more">', 1)
    assert 'data-action="register"' in primary
    assert all(f'data-action="{n}"' in menu for n in EXPECTED[P.SUBMITTED][STAFF][1:])
    assert "当前状态" in primary


def test_admin_step_not_offered_now_is_refused_with_the_reason_and_changes_nothing(
    staff_client, member, other_member, staff, office
):
    proposal = _proposal_in(
        P.REGISTERED, member=member, other_member=other_member, staff=staff, office=office
    )
    url = reverse("admin:proposals_proposal_step", args=[proposal.pk, "register"])
    response = staff_client.post(url, follow=True)
    assert "不能执行“立案”" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == P.REGISTERED
    assert (
        staff_client.get(
            reverse("admin:proposals_proposal_step", args=[proposal.pk, "no_such_step"])
        ).status_code
        == 404
    )


def test_portal_detail_shows_only_the_member_s_actions_and_a_stale_click_is_told_why(
    client, member, other_member, staff, office
):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    client.force_login(member.user)
    detail = reverse("portal:proposal_detail", args=[proposal.pk])
    page = client.get(detail).content.decode()
    assert 'data-action="edit"' in page and 'data-action="discard"' in page
    assert 'data-action="submit"' not in page
    assert "还有附议人未确认" in page  # why there is no 提交 yet
    response = client.post(
        reverse("portal:proposal_act", args=[proposal.pk, "submit"]), follow=True
    )
    assert "还有附议人未确认" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == P.DRAFT
    # A staff action's name is not a member action: 404, not a move.
    assert (
        client.post(reverse("portal:proposal_act", args=[proposal.pk, "register"])).status_code
        == 404
    )


def test_cosigner_confirms_through_the_action_then_the_lead_can_submit(
    client, member, other_member
):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    client.force_login(other_member.user)
    page = client.get(reverse("portal:proposal_detail", args=[proposal.pk])).content.decode()
    assert 'data-action="cosign_accept"' in page
    client.post(reverse("portal:proposal_act", args=[proposal.pk, "cosign_accept"]))
    assert proposal.cosigners.get().status == "confirmed"
    client.force_login(member.user)
    page = client.get(reverse("portal:proposal_detail", args=[proposal.pk])).content.decode()
    assert 'data-action="submit"' in page
    client.post(reverse("portal:proposal_act", args=[proposal.pk, "submit"]))
    assert Proposal.objects.get(pk=proposal.pk).status == P.SUBMITTED


def test_unit_page_buttons_follow_the_table_and_a_second_reply_is_refused(
    client, member, other_member, staff, office
):
    proposal = _proposal_in(
        P.ACKNOWLEDGED, member=member, other_member=other_member, staff=staff, office=office
    )
    lead = proposal.assignments.get(role="lead")
    url = f"/units/proposals/{unit_link_token(lead)}/"
    page = client.get(url).content.decode()
    assert 'data-action="reply"' in page
    assert 'data-action="acknowledge"' not in page and 'data-action="return"' not in page
    reply = {
        "action": "reply",
        "grade": "A",
        "content": "已落实",
        "contact_method": "phone",
        "replied_on": "2026-11-30",
    }
    with time_machine.travel("2026-11-30 10:00 +0800", tick=False):
        client.post(url, reply)
        assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
        response = client.post(url, reply, follow=True)
    assert "不能答复" in response.content.decode()
    assert proposal.replies.count() == 1
    assert 'data-action="reply"' not in client.get(url).content.decode()


def test_a_member_deletes_a_draft_and_it_leaves_their_list_but_not_the_office_s(
    member_client, member
):
    draft = proposal_draft(member=member, title="写错了的草稿")
    page = member_client.get(reverse("portal:proposal_detail", args=[draft.pk])).content.decode()
    assert "删除草稿" in page and "撤回提案" not in page
    response = member_client.post(
        reverse("portal:proposal_act", args=[draft.pk, "discard"]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal:proposals")
    assert "草稿已删除" in response.content.decode()
    assert "写错了的草稿" not in member_client.get(reverse("portal:proposals")).content.decode()
    assert Proposal.objects.get(pk=draft.pk).status == P.WITHDRAWN  # kept for the office


def test_the_lead_unit_is_listed_before_co_handling_units(
    member_client, member, other_member, staff, office
):
    proposal = _proposal_in(
        P.ASSIGNED, member=member, other_member=other_member, staff=staff, office=office
    )
    co = proposal.assignments.get(role="co").unit
    co.name = "乙会办单位"
    co.save(update_fields=["name"])
    # The first lead unit gives the proposal back; the new lead's row comes after the
    # co-handling unit's, and is still listed first.
    first_lead = proposal.assignments.get(role="lead")
    services.assignment_request_return(assignment=first_lead, reason="不属本单位职责")
    services.assignment_decide_return(
        assignment=first_lead,
        actor=staff,
        accept=True,
        new_unit=HandlingUnitFactory(office=office, name="甲主办单位"),
    )
    page = member_client.get(reverse("portal:proposal_detail", args=[proposal.pk])).content.decode()
    assert page.index("甲主办单位") < page.index("乙会办单位")


def test_a_dissatisfied_rating_needs_a_reason_and_changes_nothing_without_one(
    member_client, member, other_member, staff, office
):
    proposal = _proposal_in(
        P.REPLIED, member=member, other_member=other_member, staff=staff, office=office
    )
    url = reverse("portal:proposal_act", args=[proposal.pk, "feedback"])
    response = member_client.post(url, {"verdict": "dissatisfied"}, follow=True)
    assert "请写明不满意的原因" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == P.REPLIED
    member_client.post(url, {"verdict": "dissatisfied", "comments": "没有具体时间表"})
    assert Proposal.objects.get(pk=proposal.pk).status == P.REHANDLING
