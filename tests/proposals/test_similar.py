"""Issue 20, item 2: as a member writes 案由 and 建议办法, the portal lists up to five
similar past proposals with their replies and grades, scored (TF-IDF over character
pairs, cosine), from a precomputed representation; staff see the list at registration
with a one-click 并案."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Term
from proposals import search, services, textindex
from proposals.models import GramFrequency, Proposal, ProposalCategory
from tests.factories import HandlingUnitFactory, proposal_draft

from .similar_set import DISTRACTORS, PAIRS

pytestmark = pytest.mark.django_db

P = Proposal.Status


def _past(member, title, suggestions, *, year=2025, status=P.CLOSED, **kwargs):
    return Proposal.objects.create(
        office=member.office,
        year=year,
        term=Term.objects.get(is_current=True),
        title=title,
        reasons=f"{title[2:-3]}是居民反映较多的问题。",
        suggestions=suggestions,
        category=ProposalCategory.objects.get(name="城市管理"),
        lead_member=member,
        status=status,
        **kwargs,
    )


@pytest.fixture
def labelled(member):
    """The earlier proposal of every pair among the distractors, all public."""
    earlier = {}
    rows = [(i, *pair[0]) for i, pair in enumerate(PAIRS)] + [(None, *d) for d in DISTRACTORS]
    for key, title, suggestions in rows:
        proposal = _past(member, title, suggestions)
        if key is not None:
            earlier[key] = proposal
    return earlier


def test_labelled_set_each_paraphrase_finds_its_earlier_proposal_in_the_top_three(labelled, member):
    assert len(PAIRS) >= 10 and len(DISTRACTORS) >= 40
    misses = []
    for i, (_earlier, (title, suggestions)) in enumerate(PAIRS):
        found = search.similar_proposals(
            Proposal.objects.all(), title=title, suggestions=suggestions
        )
        top = [p.pk for p, _score in found[:3]]
        if labelled[i].pk not in top:
            misses.append((title, [p.title for p, _s in found[:3]]))
    assert not misses


def test_scores_are_ordered_and_at_most_five(labelled):
    title, suggestions = PAIRS[0][1]
    found = search.similar_proposals(Proposal.objects.all(), title=title, suggestions=suggestions)
    assert 1 <= len(found) <= 5
    scores = [score for _p, score in found]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1.0001


def test_unrelated_text_lists_nothing(labelled):
    assert not search.similar_proposals(
        Proposal.objects.all(), title="关于举办围棋比赛的建议", suggestions="邀请棋院指导。"
    )


def test_candidates_come_from_the_rarest_grams_within_a_budget(labelled, monkeypatch):
    """The draft's rarest grams pick the candidates; only they are scored."""
    monkeypatch.setattr(search, "CANDIDATE_BUDGET", 3)
    title, suggestions = PAIRS[2][1]  # 菜市场: 农贸/菜市 are rare, 建议 is everywhere
    with CaptureQueriesContext(connection) as queries:
        found = search.similar_proposals(
            Proposal.objects.all(), title=title, suggestions=suggestions
        )
    assert found[0][0].pk == labelled[2].pk
    # Frequencies, at most three candidates, the best with their replies and follow-ups.
    assert len(queries) <= 5
    assert any("LIMIT 3" in q["sql"] for q in queries.captured_queries)


def test_document_frequencies_follow_saves_edits_and_deletes(member):
    first = _past(member, "关于加快老旧小区加装电梯的建议", "加大补贴。")
    second = _past(member, "关于背街小巷停车的建议", "增设泊位。")
    documents = dict(GramFrequency.objects.values_list("gram", "documents"))
    assert documents[textindex.TOTAL] == 2 and documents["电梯"] == 1 and documents["建议"] == 2
    second.title = "关于小区电梯维保的建议"
    second.save()
    assert GramFrequency.objects.get(gram="电梯").documents == 2
    assert GramFrequency.objects.get(gram="停车").documents == 0
    first.delete()
    assert GramFrequency.objects.get(gram="电梯").documents == 1
    live = dict(GramFrequency.objects.values_list("gram", "documents"))
    textindex.rebuild()
    rebuilt = dict(GramFrequency.objects.values_list("gram", "documents"))
    assert {g: n for g, n in live.items() if n} == rebuilt


# --- The portal ---------------------------------------------------------------------------


def _similar(client, title, suggestions, proposal=""):
    return client.post(
        reverse("portal:proposal_similar"),
        {"title": title, "suggestions": suggestions, "proposal": proposal},
    )


def test_member_drafting_sees_the_earlier_proposal_with_its_reply_and_grade(
    member_client, member, staff, office
):
    title, suggestions = PAIRS[0][0]
    earlier = proposal_draft(member=member, title=title, suggestions=suggestions)
    services.proposal_submit(proposal=earlier, actor=member.user)
    services.proposal_register(proposal=earlier, actor=staff)
    services.proposal_assign(
        proposal=earlier, actor=staff, lead_unit=HandlingUnitFactory(office=office, name="住建科")
    )
    services.reply_record(
        assignment=earlier.assignments.get(),
        grade="B",
        content="已将加装电梯纳入明年民生实事，计划年底前完成10台。",
        contact_method="visit",
    )
    response = _similar(member_client, *PAIRS[0][1])
    page = response.content.decode()
    assert response.status_code == 200
    assert title in page and "住建科" in page and "B类" in page
    assert "相似度" in page


def test_other_members_private_proposal_is_not_listed(member_client, other_member, staff):
    title, suggestions = PAIRS[1][0]
    private = proposal_draft(member=other_member, title=title, suggestions=suggestions)
    services.proposal_submit(proposal=private, actor=other_member.user)
    response = _similar(member_client, *PAIRS[1][1])
    assert title not in response.content.decode()
    services.proposal_register(proposal=private, actor=staff)
    assert title in _similar(member_client, *PAIRS[1][1]).content.decode()  # public now
    services.proposal_set_disclosure(
        proposal=Proposal.objects.get(pk=private.pk),
        actor=staff,
        is_public=False,
        reason="涉及个人隐私",
    )
    assert title not in _similar(member_client, *PAIRS[1][1]).content.decode()


def test_too_little_text_asks_for_more_and_lists_nothing(member_client):
    page = _similar(member_client, "停车", "").content.decode()
    assert "写下案由和建议办法后" in page


def test_form_button_lists_similar_without_saving(member_client, member, labelled):
    title, suggestions = PAIRS[3][1]
    before = Proposal.objects.count()
    response = member_client.post(
        reverse("portal:proposal_create"),
        {"title": title, "suggestions": suggestions, "reasons": "", "find_similar": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert PAIRS[3][0][0] in page  # the earlier proposal
    assert title in page  # what was typed stays in the form
    assert Proposal.objects.count() == before


def test_form_page_wires_the_live_list(member_client):
    page = member_client.get(reverse("portal:proposal_create")).content.decode()
    assert reverse("portal:proposal_similar") in page and 'hx-trigger="input changed delay' in page
    assert "htmx-2.min.js" in page


def test_draft_does_not_list_itself(member_client, member, labelled):
    title, suggestions = PAIRS[4][0]
    draft = proposal_draft(member=member, title=title, suggestions=suggestions)
    page = _similar(member_client, title, suggestions, proposal=str(draft.pk)).content.decode()
    assert f"/portal/proposals/{draft.pk}/" not in page
    assert labelled[4].title in page


# --- Staff at registration ----------------------------------------------------------------


def test_registration_page_lists_similar_with_one_click_merge(
    staff_client, member, other_member, staff
):
    this_year = services.proposal_submit(
        proposal=proposal_draft(
            member=other_member, title=PAIRS[5][0][0], suggestions=PAIRS[5][0][1]
        ),
        actor=other_member.user,
    )
    submitted = proposal_draft(member=member, title=PAIRS[5][1][0], suggestions=PAIRS[5][1][1])
    services.proposal_submit(proposal=submitted, actor=member.user)
    page = staff_client.get(
        reverse("admin:proposals_proposal_change", args=[submitted.pk])
    ).content.decode()
    assert 'data-testid="similar-proposals"' in page and PAIRS[5][0][0] in page
    merge = reverse("admin:proposals_proposal_step", args=[submitted.pk, "merge"])
    assert f"{merge}?into={this_year.pk}" in page
    step = staff_client.get(f"{merge}?into={this_year.pk}").content.decode()
    assert f'value="{this_year.pk}" selected' in step
