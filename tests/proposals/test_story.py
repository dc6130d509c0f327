"""Issue 20's "done when", tried as a new user would, through the pages each person uses:
the member's portal, staff's admin steps, the unit's signed link and the public page.

A member drafts a proposal whose 案由 restates a 2025 proposal in other words and finds
it at the top of the similar list with its reply; suggests a unit; opens the proposal
for co-signing and two members join from their portals; staff register it and assign it
as suggested; the unit replies B with a planned date and later reports completion
through its link; staff close the follow-up; the proposal, public, is on the office's
public page without signing in, and a private one, with its reason, is not."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from liaison.outbox import deliver_pending
from liaison.unit_links import unit_link_token
from proposals import services
from proposals.models import Assignment, FollowUp, Proposal, ProposalCategory, ProposalCosigner
from proposals.reminders import proposal_reminders_queue
from tests.factories import HandlingUnitFactory, member_with_account, proposal_draft

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _step(client, proposal, step, data):
    """A step of the proposal's page in the admin, taken; its message said no error."""
    url = reverse("admin:proposals_proposal_step", args=[proposal.pk, step])
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:proposals_proposal_change", args=[proposal.pk]
    ), response.content.decode()[:3000]
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors == [], errors
    return response


def _past_proposal(member, staff, office):
    """A 2025 proposal about lift installation, replied by the housing office."""
    with time_machine.travel(datetime.datetime(2025, 3, 3, 10, 0), tick=False):
        past = proposal_draft(
            member=member,
            title="关于老旧小区加装电梯的建议",
            suggestions="简化加装电梯审批流程，加大财政补贴，社区牵头协调住户意见。",
        )
        services.proposal_submit(proposal=past, actor=member.user)
        services.proposal_register(proposal=past, actor=staff)
        housing = HandlingUnitFactory(office=office, name="住建科")
        services.proposal_assign(proposal=past, actor=staff, lead_unit=housing)
        services.reply_record(
            assignment=past.assignments.get(),
            grade="A",
            content="已出台加装电梯补贴办法，每台补贴二十万元。",
            contact_method="visit",
        )
    return past


def test_a_proposal_from_the_similar_list_to_the_public_page(
    member, other_member, staff, staff_client, office
):
    _past_proposal(other_member, staff, office)
    city = HandlingUnitFactory(office=office, name="街道城市管理办公室", email="cgb@example.cn")
    third = member_with_account(office=office, name="刘洋", mobile="13900000003")

    with time_machine.travel(NOW, tick=False):
        # 1. The member writes: the similar list names the 2025 proposal and its reply.
        client = Client()
        client.force_login(member.user)
        draft = {
            "title": "关于既有多层住宅增设电梯的建议",
            "suggestions": "出台增设电梯补贴办法，由社区协调高低楼层住户。",
        }
        similar = client.get(reverse("portal:proposal_similar"), draft).content.decode()
        best = similar.split('data-testid="similar-proposal"')[1]
        assert "关于老旧小区加装电梯的建议" in best and "已出台加装电梯补贴办法" in best

        # 2. …suggests the street's city management office, and submits.
        client.post(
            reverse("portal:proposal_create"),
            {
                **draft,
                "category": ProposalCategory.objects.get(name="城市管理").pk,
                "reasons": "辖区多层住宅没有电梯，高龄住户上下楼困难。",
                "suggested_lead_unit": city.pk,
            },
        )
        proposal = Proposal.objects.get(lead_member=member, title=draft["title"])
        client.post(reverse("portal:proposal_act", args=[proposal.pk, "submit"]))
        proposal.refresh_from_db()
        assert proposal.status == Proposal.Status.SUBMITTED

        # 3. …opens it for co-signing for a week; two members join from their portals.
        client.post(
            reverse("portal:proposal_act", args=[proposal.pk, "open_cosign"]),
            {"until": "2026-03-09"},
        )
        for joiner in (other_member, third):
            joiner_client = Client()
            joiner_client.force_login(joiner.user)
            listing = joiner_client.get(reverse("portal:proposals_open")).content.decode()
            assert draft["title"] in listing
            joiner_client.post(
                reverse("portal:proposal_join_act", args=[proposal.pk, "cosign_join"])
            )
        joined = ProposalCosigner.objects.filter(proposal=proposal, via_open_call=True)
        assert set(joined.values_list("member", flat=True)) == {other_member.pk, third.pk}
        detail = client.get(reverse("portal:proposal_detail", args=[proposal.pk])).content
        assert other_member.name in detail.decode() and "刘洋" in detail.decode()

        # 4. Staff register it and assign it as suggested.
        _step(staff_client, proposal, "register", {"note": ""})
        _step(staff_client, proposal, "assign", {"lead_unit": city.pk})
        lead = Assignment.objects.get(proposal=proposal, role="lead")
        assert lead.unit == city and lead.follows_suggestion is True

        # 5. The unit replies B with a planned date through its link…
        link = reverse("proposals:unit_assignment", args=[unit_link_token(lead)])
        unit = Client()
        reply = {
            "action": "reply",
            "grade": "B",
            "content": "已列入年度计划，拟于9月底前完成首批10台加装。",
            "contact_method": "visit",
            "replied_on": "2026-03-02",
            "planned_on": "2026-09-30",
        }
        assert unit.post(link, reply).status_code == 302
        follow_up = FollowUp.objects.get(proposal=proposal)
        assert follow_up.planned_on == datetime.date(2026, 9, 30)

    # …and, reminded a week before the planned date, reports completion through the
    # link in the reminder.
    with time_machine.travel(datetime.datetime(2026, 9, 24, 10, 0), tick=False):
        deliver_pending()
        mail.outbox.clear()
        proposal_reminders_queue(datetime.date(2026, 9, 24))
        deliver_pending()
        (reminder,) = [m for m in mail.outbox if "cgb@example.cn" in m.to]
        assert "请于2026年9月30日（星期三）前完成" in reminder.body
        fresh = re.search(r"https?://[^/\s]+(/units/proposals/[^/\s]+/)", reminder.body)[1]
        done = {"action": "follow_up_complete", "content": "首批10台已投用。"}
        assert unit.post(fresh, {**done, "reported_on": "2026-09-24"}).status_code == 302
        follow_up.refresh_from_db()
        assert follow_up.status == FollowUp.Status.REPORTED
        # 6. Staff close the follow-up.
        _step(staff_client, proposal, "follow_up_close", {"follow_up": follow_up.pk, "note": ""})
        follow_up.refresh_from_db()
        assert follow_up.status == FollowUp.Status.CLOSED

        # 7. Public, it is on the office's public page without signing in; a private
        # one, with its reason, is not.
        private = proposal_draft(member=member, title="关于某小区物业纠纷调解的建议")
        services.proposal_submit(proposal=private, actor=member.user)
        services.proposal_register(proposal=private, actor=staff)
        _step(staff_client, private, "disclosure", {"is_public": "0", "reason": "涉及居民个人信息"})
        _step(staff_client, proposal, "disclosure", {"is_public": "1", "reason": ""})
        page = Client().get(reverse("public:proposals", args=[office.code, 2026]))
        assert page.status_code == 200
        text = page.content.decode()
        assert draft["title"] in text and "已列入年度计划" in text
        assert "物业纠纷" not in text and "涉及居民个人信息" not in text
