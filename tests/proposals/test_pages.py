"""Proposal pages in the portal and the admin: scoped to their owner, and a constant
number of queries whatever the number of proposals."""

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import Proposal, ProposalCategory
from tests.factories import HandlingUnitFactory, MemberFactory, proposal_draft

pytestmark = pytest.mark.django_db


def bulk_proposals(office, n, *, lead_member=None):
    """``n`` registered-and-assigned-looking proposals written straight to the table."""
    from members.models import Term

    category = ProposalCategory.objects.first()
    term = Term.objects.get(is_current=True)
    lead = lead_member or MemberFactory(office=office)
    start = Proposal.objects.filter(office=office).count()
    Proposal.objects.bulk_create(
        [
            Proposal(
                office=office,
                year=2026,
                term=term,
                title=f"提案{i}",
                reasons="理由",
                suggestions="建议",
                category=category,
                lead_member=lead,
                status=Proposal.Status.REGISTERED,
                serial=i + 1,
                number=f"2026-{i + 1:03d}",
            )
            for i in range(start, start + n)
        ],
        batch_size=1000,
    )


def _count(django_assert_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["admin:proposals_proposal_changelist"])
def test_admin_proposal_changelist_queries_do_not_grow(
    staff_client, office, url_name, django_assert_num_queries
):
    HandlingUnitFactory(office=office)
    bulk_proposals(office, 100)
    url = reverse(url_name) + "?year=2026"
    small = _count(django_assert_num_queries, staff_client, url)
    bulk_proposals(office, 9_900)
    assert _count(django_assert_num_queries, staff_client, url) == small


def test_portal_proposal_pages_queries_do_not_grow(
    member_client, member, office, django_assert_num_queries
):
    mine = proposal_draft(member=member)
    bulk_proposals(office, 100, lead_member=member)
    list_url, detail_url = (
        reverse("portal:proposals"),
        reverse("portal:proposal_detail", args=[mine.pk]),
    )
    small = (
        _count(django_assert_num_queries, member_client, list_url),
        _count(django_assert_num_queries, member_client, detail_url),
    )
    bulk_proposals(office, 9_900)
    large = (
        _count(django_assert_num_queries, member_client, list_url),
        _count(django_assert_num_queries, member_client, detail_url),
    )
    assert large == small


def test_member_cannot_open_another_members_proposal(member_client, other_member):
    theirs = proposal_draft(member=other_member)
    for name in ("portal:proposal_detail", "portal:proposal_edit"):
        assert member_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    response = member_client.post(reverse("portal:proposal_submit", args=[theirs.pk]))
    assert response.status_code == 404
    assert Proposal.objects.get(pk=theirs.pk).status == Proposal.Status.DRAFT


def test_cosigner_sees_and_confirms_the_invitation_in_the_portal(client, member, other_member):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    client.force_login(other_member.user)
    page = client.get(reverse("portal:proposals")).content.decode()
    assert "待我确认的附议邀请" in page and proposal.title in page
    client.post(reverse("portal:proposal_cosign", args=[proposal.pk]), {"accept": "1"})
    assert proposal.cosigners.get().status == "confirmed"


def test_member_drafts_and_submits_a_proposal_in_the_portal(member_client, member):
    category = ProposalCategory.objects.get(name="社区建设")
    response = member_client.post(
        reverse("portal:proposal_create"),
        {
            "title": "关于增设社区养老服务站的建议",
            "category": category.pk,
            "reasons": "老龄化加快",
            "suggestions": "利用闲置用房",
        },
    )
    proposal = Proposal.objects.get(lead_member=member)
    assert response.url == reverse("portal:proposal_detail", args=[proposal.pk])
    member_client.post(reverse("portal:proposal_submit", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    page = member_client.get(reverse("portal:proposal_detail", args=[proposal.pk])).content.decode()
    assert "已提交" in page


def test_cosigner_cannot_give_feedback_for_the_proposer(
    client, member, other_member, staff, office
):
    proposal = proposal_draft(member=member, cosigners=[other_member])
    services.cosign_respond(cosigner=proposal.cosigners.get(), member=other_member, accept=True)
    services.proposal_submit(proposal=proposal, actor=member.user)
    services.proposal_register(proposal=proposal, actor=staff)
    services.proposal_assign(
        proposal=proposal, actor=staff, lead_unit=HandlingUnitFactory(office=office)
    )
    services.reply_record(
        assignment=proposal.assignments.get(), grade="A", content="已解决", contact_method="phone"
    )
    client.force_login(other_member.user)
    response = client.post(
        reverse("portal:proposal_feedback", args=[proposal.pk]),
        {"verdict": "satisfied"},
        follow=True,
    )
    assert "只有第一提案人" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.REPLIED


def test_staff_register_through_the_admin_step_and_see_the_timeline(staff_client, member):
    proposal = proposal_draft(member=member)
    services.proposal_submit(proposal=proposal, actor=member.user)
    step = reverse("admin:proposals_proposal_step", args=[proposal.pk, "register"])
    assert staff_client.get(step).status_code == 200
    staff_client.post(step, {"note": ""})
    proposal.refresh_from_db()
    assert proposal.number.endswith("-001")
    page = staff_client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk]))
    text = page.content.decode()
    assert "办理记录" in text and "已立案" in text


def test_admin_step_not_allowed_in_state_shows_message(staff_client, member):
    proposal = proposal_draft(member=member)
    step = reverse("admin:proposals_proposal_step", args=[proposal.pk, "assign"])
    response = staff_client.get(step, follow=True)
    assert "不能执行" in response.content.decode()


def test_staff_of_another_office_get_404_for_the_proposal(client, other_staff, member):
    proposal = proposal_draft(member=member)
    client.force_login(other_staff)
    assert (
        client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk])).status_code
        == 404
    )
    step = reverse("admin:proposals_proposal_step", args=[proposal.pk, "register"])
    assert client.post(step, {}).status_code == 404


def test_member_attaches_a_document_but_a_disguised_file_is_refused(member_client, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    category = ProposalCategory.objects.get(name="经济发展")
    data = {
        "title": "关于扶持楼宇经济的建议",
        "category": category.pk,
        "reasons": "r",
        "suggestions": "s",
    }
    fake = SimpleUploadedFile("调研.pdf", b"<html>not a pdf</html>", "application/pdf")
    response = member_client.post(reverse("portal:proposal_create"), {**data, "attachment": fake})
    assert response.status_code == 200
    assert "内容与扩展名不符" in response.content.decode()
    assert not Proposal.objects.exists()
    real = SimpleUploadedFile("调研.pdf", b"%PDF-1.4 data", "application/pdf")
    member_client.post(reverse("portal:proposal_create"), {**data, "attachment": real})
    assert Proposal.objects.get().attachments.get().name == "调研.pdf"


def _proposal_with(member, staff, office, *, cosigners, units):
    """A registered proposal with confirmed co-signers, assigned to ``units`` (the first
    leads), and a draft with the same co-signers."""
    people = [
        MemberFactory(office=office, mobile=f"1370{cosigners:02d}{i:05d}") for i in range(cosigners)
    ]
    registered = proposal_draft(member=member, cosigners=people)
    draft = proposal_draft(member=member, cosigners=people, title="仍在起草的提案")
    for row in registered.cosigners.all():
        services.cosign_respond(cosigner=row, member=row.member, accept=True)
    services.proposal_submit(proposal=registered, actor=member.user)
    services.proposal_register(proposal=registered, actor=staff)
    lead, *co = [HandlingUnitFactory(office=office) for _ in range(units)]
    services.proposal_assign(proposal=registered, actor=staff, lead_unit=lead, co_units=co)
    return registered, draft


def test_admin_proposal_change_page_queries_do_not_grow(staff_client, member, office, staff):
    """Neither the number of proposals nor a record's co-signers and units add queries:
    inline rows come with what they show, and each unit's buttons are asked in bulk."""

    def change_pages(*proposals):
        return [
            _count(None, staff_client, reverse("admin:proposals_proposal_change", args=[p.pk]))
            for p in proposals
        ]

    small = change_pages(*_proposal_with(member, staff, office, cosigners=1, units=1))
    bulk_proposals(office, 2_000)
    registered, draft = _proposal_with(member, staff, office, cosigners=20, units=4)

    assert change_pages(registered, draft) == small
    page = staff_client.get(reverse("admin:proposals_proposal_change", args=[draft.pk]))
    assert registered.cosigners.first().member.name in page.text


def test_staff_add_a_cosigner_to_a_draft_and_keep_the_others(staff_client, member, office):
    first = MemberFactory(office=office, mobile="13712345678", name="第一附议")
    draft = proposal_draft(member=member, cosigners=[first])
    added = MemberFactory(office=office, mobile="13712345679", name="新增附议")
    url = reverse("admin:proposals_proposal_change", args=[draft.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not hasattr(v, "all")}
    data["category"] = draft.category_id
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    data["cosigners"] = [first.pk, added.pk]  # ticked in the members picker

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(draft.cosigners.values_list("member__name", flat=True)) == {"第一附议", "新增附议"}


def test_proposal_changelist_exports_the_filtered_office_list_to_xlsx(staff_client, member, staff):
    import io

    import openpyxl

    registered = proposal_draft(member=member, title="已立案的提案")
    services.proposal_submit(proposal=registered, actor=member.user)
    services.proposal_register(proposal=registered, actor=staff)
    proposal_draft(member=member, title="还是草稿的提案")
    response = staff_client.get(reverse("admin:proposals_proposal_export") + "?status=registered")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("案号", "案由", "提案人")
    assert [row[1] for row in rows[1:]] == ["已立案的提案"]
