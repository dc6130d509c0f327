"""Choosing many in the admin is ticking in a PickList (search, groups, the number
chosen, presets), never a Ctrl-click list: research groups by sector with a button for
all members and each role; joint offices of an activity."""

import datetime
import re

import pytest
import time_machine

from members.models import Member
from proposals.models import ProposalCosigner, ResearchReport
from proposals.services import cosign_respond, proposal_submit
from tests.factories import MemberFactory, member_with_account, proposal_draft, staff_user
from visits.models import Visit, VisitTeamMember

pytestmark = pytest.mark.django_db


def test_a_research_group_is_picked_by_sector_with_presets(staff_client, office, member):
    standing = MemberFactory(
        office=office, role=Member.Role.STANDING, name="常委甲", mobile="13900009999"
    )
    page = staff_client.get("/admin/proposals/researchreport/add/").text
    assert not re.search(r'<select[^>]*name="group_members"', page)
    assert 'class="picklist"' in page
    assert f"> {member.sector.name}</label>" in page
    assert re.search(rf'data-values="[^"]*\b{standing.pk}\b[^"]*">常委<', page)
    assert f'value="{member.pk}"' in page


def test_a_research_group_is_saved_from_the_ticks(staff_client, office, member, other_member):
    data = {
        "year": 2026,
        "topic": "老旧小区加装电梯调研",
        "lead_member": member.pk,
        "group_members": [other_member.pk],
        "summary": "走访三个小区。",
        "adoptions-TOTAL_FORMS": 0,
        "adoptions-INITIAL_FORMS": 0,
    }
    staff_client.post("/admin/proposals/researchreport/add/", data)
    report = ResearchReport.objects.get()
    assert list(report.group_members.all()) == [other_member]


def test_joint_offices_are_ticked_not_ctrl_clicked(staff_client):
    page = staff_client.get("/admin/briefings/activity/add/").text
    assert not re.search(r"<select[^>]*multiple", page)


def _resubmit(response, **changes) -> dict:
    """The admin change page's form as the browser would post it back unchanged, with
    ``changes`` made."""
    data = {}

    def put(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    data.update(changes)
    return data


def _proposal_url(proposal) -> str:
    return f"/admin/proposals/proposal/{proposal.pk}/change/"


def test_cosigners_are_picked_from_the_offices_serving_members(
    staff_client, office, other_office, member, other_member
):
    retired = MemberFactory(office=office, name="退任甲", status=Member.Status.TERM_ENDED)
    elsewhere = MemberFactory(office=other_office, name="外处乙")
    proposal = proposal_draft(member=member)
    page = staff_client.get(_proposal_url(proposal)).text
    assert 'class="picklist"' in page
    assert not re.search(r'<select[^>]*name="cosigners"', page)
    assert f'name="cosigners" value="{other_member.pk}"' in page
    assert f"> {other_member.sector.name}</label>" in page
    for absent in (member, retired, elsewhere):  # the lead, a former member, another office
        assert f'name="cosigners" value="{absent.pk}"' not in page


def test_ticking_and_unticking_cosigners_keeps_the_answers_of_those_kept(
    staff_client, office, member, other_member
):
    third = member_with_account(office=office, name="曹胜阳", mobile="13900000003")
    fourth = member_with_account(office=office, name="刘洋", mobile="13900000004")
    proposal = proposal_draft(member=member, cosigners=[other_member, third])
    confirmed = proposal.cosigners.get(member=other_member)
    cosign_respond(cosigner=confirmed, member=other_member, accept=True)

    response = staff_client.get(_proposal_url(proposal))
    assert "黄德军（已确认）" in response.text
    data = _resubmit(response, cosigners=[other_member.pk, fourth.pk])
    assert staff_client.post(_proposal_url(proposal), data).status_code == 302

    rows = {c.member: c for c in ProposalCosigner.objects.filter(proposal=proposal)}
    assert set(rows) == {other_member, fourth}  # third taken off, fourth invited
    assert rows[other_member].status == ProposalCosigner.Status.CONFIRMED
    assert rows[other_member].responded_at is not None
    assert rows[fourth].status == ProposalCosigner.Status.INVITED


def test_a_forged_cosigner_from_another_office_is_refused_and_nothing_saved(
    staff_client, office, other_office, member, other_member
):
    elsewhere = MemberFactory(office=other_office, name="外处乙")
    proposal = proposal_draft(member=member, cosigners=[other_member])
    response = staff_client.get(_proposal_url(proposal))
    data = _resubmit(response, cosigners=[elsewhere.pk], title="改过的案由")
    refused = staff_client.post(_proposal_url(proposal), data)
    assert refused.status_code == 200
    assert "不在可选范围内" in str(refused.context["adminform"].form.errors["cosigners"])
    proposal.refresh_from_db()
    assert proposal.title != "改过的案由"
    assert [c.member for c in proposal.cosigners.all()] == [other_member]


def test_the_lead_member_cannot_be_ticked_as_a_cosigner(staff_client, member, other_member):
    proposal = proposal_draft(member=member)
    response = staff_client.get(_proposal_url(proposal))
    data = _resubmit(response, cosigners=[other_member.pk], lead_member=other_member.pk)
    refused = staff_client.post(_proposal_url(proposal), data)
    assert refused.status_code == 200
    assert "第一提案人不能同时作为附议人" in refused.text
    assert not proposal.cosigners.exists()


def test_a_submitted_proposals_cosigners_are_shown_not_picked(staff_client, member, other_member):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    cosign_respond(cosigner=proposal.cosigners.get(), member=other_member, accept=True)
    proposal_submit(proposal=proposal, actor=member.user)
    page = staff_client.get(_proposal_url(proposal)).text
    assert 'name="cosigners"' not in page
    assert "黄德军（已确认）" in page


VISIT_ADD = "/admin/visits/visit/add/"


def _visit_form(members, **extra) -> dict:
    return {
        "kind": Visit.Kind.ROUTINE,
        "visited_on": "2026-03-02",
        "visited_members": [m.pk for m in members],
        "team-TOTAL_FORMS": 0,
        "team-INITIAL_FORMS": 0,
        "concerns-TOTAL_FORMS": 0,
        "concerns-INITIAL_FORMS": 0,
        **extra,
    }


def test_visited_members_are_picked_from_the_offices_serving_members(
    staff_client, office, other_office, member, other_member
):
    retired = MemberFactory(office=office, name="退任甲", status=Member.Status.TERM_ENDED)
    elsewhere = MemberFactory(office=other_office, name="外处乙")
    page = staff_client.get(VISIT_ADD).text
    assert 'class="picklist"' in page
    assert not re.search(r'<select[^>]*name="visited_members"', page)
    assert 'name="member_links-TOTAL_FORMS"' not in page  # no more one row per member
    for shown in (member, other_member):
        assert f'name="visited_members" value="{shown.pk}"' in page
    for absent in (retired, elsewhere):
        assert f'name="visited_members" value="{absent.pk}"' not in page


@time_machine.travel(datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC))
def test_a_visit_is_recorded_with_the_ticked_members(staff_client, member, other_member):
    response = staff_client.post(VISIT_ADD, _visit_form([member, other_member]))
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert set(visit.members.all()) == {member, other_member}


@time_machine.travel(datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC))
def test_a_forged_member_of_another_office_is_refused_and_nothing_saved(
    staff_client, other_office, member
):
    elsewhere = MemberFactory(office=other_office, name="外处乙")
    refused = staff_client.post(VISIT_ADD, _visit_form([member, elsewhere]))
    assert refused.status_code == 200
    assert "不在可选范围内" in str(refused.context["adminform"].form.errors["visited_members"])
    assert not Visit.objects.exists()


@time_machine.travel(datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC))
def test_changing_the_ticks_adds_and_removes_the_visited_members(
    staff_client, office, other_office, member, other_member
):
    third = MemberFactory(office=office, name="曹胜阳")
    staff_client.post(VISIT_ADD, _visit_form([member, other_member]))
    visit = Visit.objects.get()
    kept = visit.member_links.get(member=member)
    url = f"/admin/visits/visit/{visit.pk}/change/"
    response = staff_client.get(url)
    assert response.context["adminform"].form["visited_members"].value() == [
        member.pk,
        other_member.pk,
    ]

    data = _resubmit(response, visited_members=[member.pk, third.pk])
    assert staff_client.post(url, data).status_code == 302
    assert set(visit.members.all()) == {member, third}
    assert visit.member_links.get(member=member).pk == kept.pk  # the row kept, not re-made

    elsewhere = MemberFactory(office=other_office, name="外处乙")
    forged = staff_client.post(url, _resubmit(response, visited_members=[elsewhere.pk]))
    assert "不在可选范围内" in str(forged.context["adminform"].form.errors["visited_members"])
    emptied = staff_client.post(url, _resubmit(response, visited_members=[]))
    assert "请至少选择一位走访的委员" in emptied.text
    assert set(visit.members.all()) == {member, third}


@time_machine.travel(datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC))
def test_the_visit_page_costs_the_same_however_many_members_and_team(
    staff_client, office, member, other_member
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff_client.post(VISIT_ADD, _visit_form([member, other_member]))
    visit = Visit.objects.get()
    url = f"/admin/visits/visit/{visit.pk}/change/"
    staff_client.get(url)  # warm caches (content types, the session)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    more = MemberFactory.create_batch(12, office=office, mobile="")
    staff_client.post(url, _resubmit(staff_client.get(url), visited_members=[m.pk for m in more]))
    assert visit.members.count() == 12
    # And more staff on the visit's team: each row's account list is the same one.
    for n in range(4):
        VisitTeamMember.objects.create(visit=visit, user=staff_user(office, username=f"t{n}"))
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(url)
    assert len(many) == len(few)
    # The serving members appear once each in the picker, the 12 of them ticked.
    assert page.text.count('name="visited_members"') == Member.objects.filter(office=office).count()
    ticked = re.findall(r'name="visited_members" value="\d+"[^>]*checked', page.text)
    assert len(ticked) == 12
