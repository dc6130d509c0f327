"""Issue 20, item 3: the proposer suggests the units; staff see the suggestion when
assigning (交办), and the assignment records whether it followed it."""

import pytest
from django.urls import reverse

from liaison.workflow import WorkflowError
from proposals import services
from proposals.models import Assignment, Proposal, ProposalCategory
from tests.factories import HandlingUnitFactory, proposal_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(office):
    return {
        "城管": HandlingUnitFactory(office=office, name="街道城管执法中队"),
        "社区": HandlingUnitFactory(office=office, name="韭菜园社区", kind="community"),
        "住建": HandlingUnitFactory(office=None, name="区住房和城乡建设局", kind="district"),
    }


def _form(category, **extra):
    return {
        "title": "关于整治背街小巷占道经营的建议",
        "category": category.pk,
        "reasons": "占道经营影响通行",
        "suggestions": "划定临时摊点",
        **extra,
    }


def _registered(proposal, member, staff):
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    return Proposal.objects.get(pk=proposal.pk)


def test_member_suggests_units_in_the_portal_form_and_sees_them(member_client, member, units):
    category = ProposalCategory.objects.get(name="城市管理")
    page = member_client.get(reverse("portal:proposal_create")).content.decode()
    assert "建议主办单位" in page and "区住房和城乡建设局" in page
    member_client.post(
        reverse("portal:proposal_create"),
        _form(
            category,
            suggested_lead_unit=units["城管"].pk,
            suggested_co_units=[units["社区"].pk, units["住建"].pk],
            suggested_units_note="也可能涉及区市场监管局",
        ),
    )
    proposal = Proposal.objects.get(lead_member=member)
    assert proposal.suggested_lead_unit == units["城管"]
    assert set(proposal.suggested_co_units.all()) == {units["社区"], units["住建"]}
    detail = member_client.get(reverse("portal:proposal_detail", args=[proposal.pk]))
    text = detail.content.decode()
    assert "您建议的承办单位" in text and "也可能涉及区市场监管局" in text


def test_free_text_only_when_unsure(member_client, member, units):
    category = ProposalCategory.objects.get(name="城市管理")
    member_client.post(
        reverse("portal:proposal_create"),
        _form(category, suggested_units_note="不确定，可能是区城管局"),
    )
    proposal = Proposal.objects.get(lead_member=member)
    assert proposal.suggested_lead_unit is None
    assert proposal.suggested_units_note == "不确定，可能是区城管局"


def test_suggesting_a_unit_that_no_longer_exists_is_refused_and_saves_nothing(
    member_client, member, units
):
    category = ProposalCategory.objects.get(name="城市管理")
    gone = units["社区"]
    gone.is_active = False
    gone.save()
    response = member_client.post(
        reverse("portal:proposal_create"), _form(category, suggested_lead_unit=gone.pk)
    )
    assert response.status_code == 200
    assert "您建议的单位已不在承办单位名单中" in response.content.decode()
    assert not Proposal.objects.filter(lead_member=member).exists()
    # The same refusal from the service, for any other caller.
    proposal = proposal_draft(member=member)
    with pytest.raises(WorkflowError, match="已不在承办单位名单中"):
        services.proposal_suggest_units(proposal=proposal, actor=member.user, lead_unit=gone)


def test_other_offices_unit_cannot_be_suggested(member, other_office):
    theirs = HandlingUnitFactory(office=other_office, name="外街道城管")
    proposal = proposal_draft(member=member)
    with pytest.raises(WorkflowError):
        services.proposal_suggest_units(proposal=proposal, actor=member.user, lead_unit=theirs)


def test_editing_a_draft_whose_suggested_unit_was_retired_says_so(member_client, member, units):
    proposal = proposal_draft(member=member)
    services.proposal_suggest_units(proposal=proposal, actor=member.user, lead_unit=units["城管"])
    units["城管"].is_active = False
    units["城管"].save()
    page = member_client.get(reverse("portal:proposal_edit", args=[proposal.pk]), follow=True)
    assert "您建议的单位“街道城管执法中队”已不在承办单位名单中" in page.content.decode()


def test_assign_step_preselects_the_suggestion_and_records_it_was_followed(
    staff_client, staff, member, units
):
    proposal = proposal_draft(member=member)
    services.proposal_suggest_units(
        proposal=proposal,
        actor=member.user,
        lead_unit=units["城管"],
        co_units=[units["社区"]],
        note="请社区配合",
    )
    proposal = _registered(proposal, member, staff)
    url = reverse("admin:proposals_proposal_step", args=[proposal.pk, "assign"])
    page = staff_client.get(url).content.decode()
    assert "提案人建议主办单位：街道城管执法中队（已预选）" in page
    assert "提案人建议会办单位：韭菜园社区（已预选）" in page
    assert "提案人说明：请社区配合" in page
    assert f'<option value="{units["城管"].pk}" selected>' in page
    staff_client.post(url, {"lead_unit": units["城管"].pk, "co_units": [units["社区"].pk]})
    lead = Assignment.objects.get(proposal=proposal, role="lead")
    co = Assignment.objects.get(proposal=proposal, role="co")
    assert lead.follows_suggestion is True and co.follows_suggestion is True
    change = staff_client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    assert "已按建议交办" in change.content.decode()
    assert "按提案人建议交办" in change.content.decode()  # the timeline row


def test_assignment_records_that_the_suggestion_was_not_followed(staff, member, units):
    proposal = proposal_draft(member=member)
    services.proposal_suggest_units(proposal=proposal, actor=member.user, lead_unit=units["城管"])
    proposal = _registered(proposal, member, staff)
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=units["住建"])
    lead = Assignment.objects.get(proposal=proposal)
    assert lead.follows_suggestion is False
    from liaison.workflow import history_for

    notes = [c.note for c in history_for(proposal)]
    assert any("提案人建议主办：街道城管执法中队" in n for n in notes)


def test_no_suggestion_records_nothing(staff, member, units):
    proposal = _registered(proposal_draft(member=member), member, staff)
    services.proposal_assign(proposal=proposal, actor=staff, lead_unit=units["城管"])
    assert Assignment.objects.get(proposal=proposal).follows_suggestion is None


def test_assign_step_names_a_suggested_unit_that_no_longer_exists(
    staff_client, staff, member, units
):
    proposal = proposal_draft(member=member)
    services.proposal_suggest_units(proposal=proposal, actor=member.user, lead_unit=units["城管"])
    proposal = _registered(proposal, member, staff)
    units["城管"].is_active = False
    units["城管"].save()
    url = reverse("admin:proposals_proposal_step", args=[proposal.pk, "assign"])
    page = staff_client.get(url).content.decode()
    assert "提案人建议主办单位“街道城管执法中队”已停用或不在本联络处的单位名单中，请另选。" in page
    lead_select = page.split('name="lead_unit"')[1].split("</select>")[0]
    assert f'value="{units["城管"].pk}"' not in lead_select
    assert '<option value="" selected>' in lead_select
