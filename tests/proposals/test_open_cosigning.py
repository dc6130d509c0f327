"""Issue 20, item 4: the proposer opens a submitted proposal for co-signing (附议) by any
serving member of the office until a date; members find it in the portal and join; not
after the window, and not after registration (立案)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from liaison.models import Notification
from liaison.workflow import WorkflowError
from members.models import Member
from proposals import services
from proposals.models import Proposal, ProposalCosigner
from tests.factories import member_with_account, proposal_draft

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 30, 10, 0), tick=False):
        yield


@pytest.fixture
def submitted(member):
    proposal = proposal_draft(member=member, title="关于开放学校操场供居民锻炼的建议")
    services.proposal_submit(proposal=proposal, actor=member.user)
    return Proposal.objects.get(pk=proposal.pk)


def _open(client, proposal, until):
    return client.post(
        reverse("portal:proposal_act", args=[proposal.pk, "open_cosign"]),
        {"until": until.isoformat()},
        follow=True,
    )


def test_two_members_find_the_open_proposal_and_join(
    client, member, other_member, submitted, office
):
    third = member_with_account(office=office, name="刘洋", mobile="13900000003")
    client.force_login(member.user)
    page = _open(client, submitted, TODAY + datetime.timedelta(days=7)).content.decode()
    assert "已开放附议，截止2026年12月7日" in page
    for joiner in (other_member, third):
        client.force_login(joiner.user)
        listing = client.get(reverse("portal:proposals_open")).content.decode()
        assert "关于开放学校操场供居民锻炼的建议" in listing and "我要附议" in listing
        response = client.post(
            reverse("portal:proposal_join_act", args=[submitted.pk, "cosign_join"]), follow=True
        )
        assert "附议成功" in response.content.decode()
        assert "您已附议这件提案" in client.get(reverse("portal:proposals_open")).content.decode()
    joined = ProposalCosigner.objects.filter(proposal=submitted, via_open_call=True)
    assert {c.member for c in joined} == {other_member, third}
    assert all(c.status == ProposalCosigner.Status.CONFIRMED for c in joined)
    submitted.refresh_from_db()
    assert submitted.proposer_kind == Proposal.ProposerKind.JOINT
    # The proposer is told of each, and sees the co-signers on the proposal.
    told = Notification.objects.filter(recipient=member.user, kind="proposal_cosign_joined")
    subjects = sorted(told.filter(channel="portal").values_list("subject", flat=True))
    assert subjects == [
        "【附议】刘洋委员附议了您的提案《关于开放学校操场供居民锻炼的建议》",
        "【附议】黄德军委员附议了您的提案《关于开放学校操场供居民锻炼的建议》",
    ]
    client.force_login(member.user)
    detail = client.get(reverse("portal:proposal_detail", args=[submitted.pk])).content.decode()
    assert "黄德军" in detail and "刘洋" in detail
    # A co-signer finds it among their proposals.
    client.force_login(third.user)
    assert "关于开放学校操场" in client.get(reverse("portal:proposals")).content.decode()


def test_joining_after_the_window_is_refused_with_the_date(client, member, other_member, submitted):
    services.proposal_open_cosigning(
        proposal=submitted, actor=member.user, until=TODAY + datetime.timedelta(days=2)
    )
    client.force_login(other_member.user)
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0), tick=False):
        listing = client.get(reverse("portal:proposals_open")).content.decode()
        assert "关于开放学校操场" not in listing
        response = client.post(
            reverse("portal:proposal_join_act", args=[submitted.pk, "cosign_join"]), follow=True
        )
    assert "附议已于2026年12月2日截止" in response.content.decode()
    assert not submitted.cosigners.exists()


def test_joining_after_registration_is_refused(client, member, other_member, staff, submitted):
    services.proposal_open_cosigning(
        proposal=submitted, actor=member.user, until=TODAY + datetime.timedelta(days=7)
    )
    services.proposal_register(proposal=submitted, actor=staff)
    client.force_login(other_member.user)
    response = client.post(
        reverse("portal:proposal_join_act", args=[submitted.pk, "cosign_join"]), follow=True
    )
    assert "提案已立案，附议已截止" in response.content.decode()
    assert not submitted.cosigners.exists()
    with pytest.raises(WorkflowError, match="提案已立案"):
        services.proposal_join_cosigning(proposal=submitted, member=other_member)


def test_only_the_proposer_opens_and_only_a_submitted_proposal(member, other_member, submitted):
    until = TODAY + datetime.timedelta(days=7)
    with pytest.raises(WorkflowError, match="只有第一提案人"):
        services.proposal_open_cosigning(proposal=submitted, actor=other_member.user, until=until)
    draft = proposal_draft(member=member, title="草稿")
    with pytest.raises(WorkflowError, match="提交后、立案前"):
        services.proposal_open_cosigning(proposal=draft, actor=member.user, until=until)
    with pytest.raises(WorkflowError, match="不能早于今天"):
        services.proposal_open_cosigning(
            proposal=submitted, actor=member.user, until=TODAY - datetime.timedelta(days=1)
        )


def test_bad_date_in_the_portal_changes_nothing(client, member, submitted):
    client.force_login(member.user)
    page = _open(client, submitted, TODAY - datetime.timedelta(days=1)).content.decode()
    assert "附议截止日期不能早于今天" in page
    response = client.post(
        reverse("portal:proposal_act", args=[submitted.pk, "open_cosign"]),
        {"until": ""},
        follow=True,
    )
    assert "请选择附议截止日期" in response.content.decode()
    assert Proposal.objects.get(pk=submitted.pk).open_cosign_until is None


def test_members_who_may_not_join(member, other_member, other_office, submitted):
    services.proposal_open_cosigning(
        proposal=submitted, actor=member.user, until=TODAY + datetime.timedelta(days=7)
    )
    with pytest.raises(WorkflowError, match="第一提案人"):
        services.proposal_join_cosigning(proposal=submitted, member=member)
    outsider = member_with_account(office=other_office, name="外处委员", mobile="13900000009")
    with pytest.raises(WorkflowError, match="本联络处"):
        services.proposal_join_cosigning(proposal=submitted, member=outsider)
    other_member.status = Member.Status.TERM_ENDED
    other_member.save()
    with pytest.raises(WorkflowError, match="在任委员"):
        services.proposal_join_cosigning(proposal=submitted, member=other_member)
    services.proposal_join_cosigning(
        proposal=submitted,
        member=member_with_account(office=member.office, name="陈静", mobile="13900000008"),
    )
    with pytest.raises(WorkflowError, match="已是这件提案的附议人"):
        services.proposal_join_cosigning(proposal=submitted, member=Member.objects.get(name="陈静"))


def test_another_offices_member_cannot_see_the_open_proposal(
    client, other_office, member, submitted
):
    services.proposal_open_cosigning(
        proposal=submitted, actor=member.user, until=TODAY + datetime.timedelta(days=7)
    )
    outsider = member_with_account(office=other_office, name="外处委员", mobile="13900000009")
    client.force_login(outsider.user)
    assert "关于开放学校操场" not in client.get(reverse("portal:proposals_open")).content.decode()
    response = client.post(reverse("portal:proposal_join_act", args=[submitted.pk, "cosign_join"]))
    assert response.status_code == 404
