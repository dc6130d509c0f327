"""Issue 20, item 6: each registered proposal is public or not (with a reason); the
office's public page per year shows the public ones and their replies without signing
in, with nothing about the proposers but their name and 界别, and is cached."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.workflow import WorkflowError
from proposals import services
from proposals.models import Proposal
from tests.factories import HandlingUnitFactory, proposal_draft

pytestmark = pytest.mark.django_db


def _registered(member, staff, title):
    proposal = proposal_draft(member=member, title=title)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    return Proposal.objects.get(pk=proposal.pk)


@pytest.fixture
def replied(member, staff, office):
    proposal = _registered(member, staff, "关于增设社区养老服务站的建议")
    services.proposal_assign(
        proposal=proposal, actor=staff, lead_unit=HandlingUnitFactory(office=office, name="民政科")
    )
    services.reply_record(
        assignment=proposal.assignments.get(),
        grade="B",
        content="已列入2027年民生实事项目，计划年内建成。",
        contact_method="visit",
    )
    return Proposal.objects.get(pk=proposal.pk)


def _url(office, year):
    return reverse("public:proposals", args=[office.code, year])


def test_public_page_shows_public_proposals_and_replies_without_signing_in(replied, member, office):
    response = Client().get(_url(office, replied.year))
    assert response.status_code == 200
    page = response.content.decode()
    assert "关于增设社区养老服务站的建议" in page
    assert "已列入2027年民生实事项目" in page and "民政科" in page
    # The proposer: name and 界别 only — never the mobile number or e-mail.
    assert f"{member.name}（{member.sector.name}）" in page
    assert member.mobile not in page and member.email not in page


def test_private_proposal_never_appears_and_drafts_neither(replied, member, staff, office):
    private = _registered(member, staff, "关于某小区物业纠纷调解的建议")
    proposal_draft(member=member, title="尚在起草的提案")
    services.proposal_set_disclosure(
        proposal=private, actor=staff, is_public=False, reason="涉及具体小区居民的个人信息"
    )
    page = Client().get(_url(office, replied.year)).content.decode()
    assert "关于增设社区养老服务站的建议" in page
    assert "物业纠纷" not in page and "涉及具体小区居民" not in page
    assert "尚在起草的提案" not in page


def test_keeping_a_proposal_private_needs_a_reason(replied, staff, staff_client):
    with pytest.raises(WorkflowError, match="不公开须填写理由"):
        services.proposal_set_disclosure(proposal=replied, actor=staff, is_public=False)
    url = reverse("admin:proposals_proposal_step", args=[replied.pk, "disclosure"])
    response = staff_client.post(url, {"is_public": "0", "reason": "  "})
    assert response.status_code == 200
    assert "不公开须填写理由" in response.content.decode()
    assert Proposal.objects.get(pk=replied.pk).is_public is True
    staff_client.post(url, {"is_public": "0", "reason": "涉及个人隐私"})
    replied.refresh_from_db()
    assert replied.is_public is False and replied.not_public_reason == "涉及个人隐私"


def test_disclosure_cannot_be_set_before_registration(member, staff):
    draft = proposal_draft(member=member)
    with pytest.raises(WorkflowError, match="只有已立案的提案"):
        services.proposal_set_disclosure(proposal=draft, actor=staff, is_public=True)


def test_public_page_is_cached_and_a_change_shows_on_the_next_view(replied, staff, office):
    client = Client()
    url = _url(office, replied.year)
    client.get(url)
    with CaptureQueriesContext(connection) as cached:
        assert "养老服务站" in client.get(url).content.decode()
    # The office and the page's stamp, nothing more: the list itself comes from the cache.
    assert len(cached.captured_queries) <= 2, [q["sql"] for q in cached.captured_queries]
    services.proposal_set_disclosure(
        proposal=replied, actor=staff, is_public=False, reason="涉及个人隐私"
    )
    assert "养老服务站" not in client.get(url).content.decode()


def test_public_page_keeps_the_strict_csp_and_unknown_offices_are_not_found(replied, office):
    client = Client()
    response = client.get(_url(office, replied.year))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in re.search(r"script-src([^;]*)", csp).group(1)
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle\s*=", html)
    assert client.get(reverse("public:proposals", args=["no-such-office", 2026])).status_code == 404
    assert client.get(reverse("public:proposals", args=[office.code, 1900])).status_code == 404
    assert client.post(_url(office, replied.year)).status_code == 405
