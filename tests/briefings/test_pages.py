"""Activity pages in the admin and the portal: scoped to their office and member, the
staff's steps, the print view, and a constant number of queries whatever the number
of activities and invitees."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from briefings import services
from briefings.models import Activity, ActivityKind, Invitation, Material, Opinion
from members.models import Affiliation, Member, Sector, Term
from members.strokes import stroke_sort_key
from tests.factories import activity_published, activity_scheduled, shanghai

pytestmark = pytest.mark.django_db

A = Activity.Status
BEFORE = shanghai(2026, 3, 2, 9)
DURING = shanghai(2026, 3, 20, 15)
AFTER = shanghai(2026, 3, 21, 10)


@pytest.fixture
def briefing(office, staff, member, other_member):
    with time_machine.travel(BEFORE):
        return activity_published(office=office, actor=staff, members=[member, other_member])


def bulk_members(office, n, prefix="B"):
    term, sector = Term.objects.get(is_current=True), Sector.objects.first()
    affiliation = Affiliation.objects.first()
    start = Member.objects.count()
    members = []
    for i in range(start, start + n):
        name = f"{'王李张刘陈杨黄赵吴周'[i % 10]}委员{i}"
        members.append(
            Member(
                office=office,
                name=name,
                stroke_key=stroke_sort_key(name),
                sex="M",
                member_no=f"{prefix}{i:06d}",
                term=term,
                sector=sector,
                affiliation=affiliation,
            )
        )
    Member.objects.bulk_create(members, batch_size=500)
    return list(Member.objects.filter(member_no__startswith=prefix).order_by("pk"))[-n:]


def bulk_invite(activity, members, *, attended=False):
    Invitation.objects.bulk_create(
        [
            Invitation(
                activity=activity,
                member=m,
                reply=Invitation.Reply.ATTENDING,
                attendance=Invitation.Attendance.ATTENDED if attended else "",
            )
            for m in members
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    services.refresh_activity_counts(activity.pk)  # written past the services


def bulk_activities(office, n):
    kind = ActivityKind.objects.get(name="学习")
    start = shanghai(2026, 2, 1, 9)
    Activity.objects.bulk_create(
        [
            Activity(
                office=office,
                kind=kind,
                title=f"学习会{i}",
                starts_at=start + datetime.timedelta(hours=i),
                ends_at=start + datetime.timedelta(hours=i + 1),
                venue="会议室",
                status=A.PUBLISHED,
            )
            for i in range(n)
        ],
        batch_size=500,
    )


def count_queries(client, url, method="get"):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


# --- Performance ----------------------------------------------------------------------


def test_admin_activity_list_queries_do_not_grow(staff_client, office, briefing):
    bulk_activities(office, 20)
    url = reverse("admin:briefings_activity_changelist") + "?half=all"
    small = count_queries(staff_client, url)
    bulk_activities(office, 2_000)
    bulk_invite(briefing, bulk_members(office, 300))
    assert count_queries(staff_client, url) == small


def test_admin_activity_page_counts_its_invitees_and_pages_through_them(
    staff_client, office, briefing
):
    """Hundreds of invitees: the activity page shows the counts, each a link to the
    list filtered to it; the list pages through them fifty at a time. Neither grows."""
    bulk_invite(briefing, bulk_members(office, 20, "S"))
    page_url = reverse("admin:briefings_activity_change", args=[briefing.pk])
    list_url = (
        reverse("admin:briefings_invitation_changelist") + f"?activity__id__exact={briefing.pk}"
    )
    with time_machine.travel(DURING):
        small = count_queries(staff_client, page_url), count_queries(staff_client, list_url)
        small_size = len(staff_client.get(page_url).content)
        many = bulk_members(office, 500, "L")
        bulk_invite(briefing, many, attended=True)
        large = count_queries(staff_client, page_url), count_queries(staff_client, list_url)
        page = staff_client.get(page_url)
        listing = staff_client.get(list_url)
        attended = staff_client.get(list_url + "&attendance__exact=attended")

    assert large == small
    assert len(page.content) < small_size + 200  # the counts grew, not the page
    assert "邀请 522" in page.text and "出席 500" in page.text
    assert many[0].name not in page.text
    assert f"{briefing.title}：参加人员" in listing.text
    assert listing.text.count('class="action-select"') == 50
    assert attended.text.count('class="action-select"') == 50


def test_invitations_are_taken_back_only_while_the_activity_is_a_draft(
    staff_client, staff, office, member, other_member, briefing
):
    with time_machine.travel(BEFORE):
        draft = activity_scheduled(office=office, actor=staff)
        services.activity_invite(activity=draft, actor=staff, members=[member, other_member])
    url = reverse("admin:briefings_invitation_changelist")
    mine = draft.invitations.get(member=member)
    published = briefing.invitations.get(member=member)

    with time_machine.travel(BEFORE):
        response = staff_client.post(
            url, {"action": "withdraw", "_selected_action": [mine.pk, published.pk]}, follow=True
        )

    assert "已撤销 1 份邀请" in response.text
    assert "委员已收到邀请，不能撤销邀请" in response.text
    assert list(draft.invitations.values_list("member_id", flat=True)) == [other_member.pk]
    assert briefing.invitations.filter(pk=published.pk).exists()
    assert (
        staff_client.post(
            reverse("admin:briefings_invitation_delete", args=[published.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_sign_in_pages_have_constant_queries(staff_client, client, office, briefing, member):
    sheet = reverse("admin:briefings_activity_sign_in", args=[briefing.pk])
    qr = reverse("admin:briefings_activity_qr", args=[briefing.pk])
    from briefings.signin import sign_in_token

    scan = reverse("portal:activity_sign_in", args=[briefing.pk, sign_in_token(briefing)])
    member_client = client.__class__()
    member_client.force_login(member.user)
    bulk_invite(briefing, bulk_members(office, 20, "S"))
    with time_machine.travel(DURING):
        small = (
            count_queries(staff_client, sheet),
            count_queries(staff_client, qr),
            count_queries(member_client, scan),
        )
        bulk_invite(briefing, bulk_members(office, 600, "L"), attended=True)
        large = (
            count_queries(staff_client, sheet),
            count_queries(staff_client, qr),
            count_queries(member_client, scan),
        )
    assert large == small


def test_sign_in_sheet_pages_through_hundreds_and_keeps_its_place_after_a_tick(
    staff_client, office, briefing
):
    bulk_invite(briefing, bulk_members(office, 120, "P"))
    bulk_invite(briefing, bulk_members(office, 30, "Q"), attended=True)
    url = reverse("admin:briefings_activity_sign_in", args=[briefing.pk])
    with time_machine.travel(DURING):
        first = staff_client.get(url)
        waiting = staff_client.get(url, {"waiting": "1", "page": "3"})
        row = waiting.context["invitations"][0]
        ticked = staff_client.post(
            url, {"invitation": row.pk, "back": "waiting=1&page=3"}, follow=True
        )

    assert len(first.context["invitations"]) == 50
    assert "第 1 页，共 4 页（152 人）" in first.text
    assert "邀请 152 人，已签到 30 人" in first.text
    # 122 not signed in: pages of 50, 50 and 22, none of them signed.
    assert len(waiting.context["invitations"]) == 22
    assert all(i.attendance == "" for i in waiting.context["invitations"])
    assert ticked.redirect_chain[-1][0].endswith("?waiting=1&page=3")
    assert f"{row.member.name} 已签到" in ticked.text
    assert row.member.name not in [i.member.name for i in ticked.context["invitations"]]


def test_portal_activity_pages_have_constant_queries(
    member_client, office, staff, member, briefing
):
    urls = [
        reverse("portal:activities"),
        reverse("portal:activity_calendar") + "?month=2026-03",
        reverse("portal:activity_detail", args=[briefing.pk]),
        reverse("portal:dashboard"),
    ]
    with time_machine.travel(BEFORE):
        small = [count_queries(member_client, url) for url in urls]
        more = bulk_members(office, 400, "L")
        bulk_invite(briefing, more)
        bulk_activities(office, 300)
        for activity in Activity.objects.filter(title__startswith="学习会")[:40]:
            bulk_invite(activity, [member, *more[:5]])
        # Written in bulk, past the services that move the data stamp: the home page
        # would show what it kept (portal.home.home_figures); counted as computed.
        cache.clear()
        large = [count_queries(member_client, url) for url in urls]
    assert large == small


# --- Scoping --------------------------------------------------------------------------


def test_staff_of_another_office_get_404_for_the_activity(client, other_staff, briefing):
    client.force_login(other_staff)
    url = reverse("admin:briefings_activity_change", args=[briefing.pk])
    assert client.get(url).status_code == 404
    changelist = client.get(reverse("admin:briefings_activity_changelist") + "?half=all")
    assert briefing.title not in changelist.text


def test_co_organising_office_staff_run_the_joint_activity(
    client, other_office, other_staff, office, staff
):
    with time_machine.travel(BEFORE):
        joint = activity_scheduled(office=office, actor=staff, co_offices=[other_office])
    client.force_login(other_staff)
    assert (
        client.get(reverse("admin:briefings_activity_change", args=[joint.pk])).status_code == 200
    )


def test_member_cannot_open_another_offices_activity(member_client, other_office, other_staff):
    from tests.factories import MemberFactory

    with time_machine.travel(BEFORE):
        theirs = activity_published(
            office=other_office, actor=other_staff, members=[MemberFactory(office=other_office)]
        )
    assert member_client.get(reverse("portal:activity_detail", args=[theirs.pk])).status_code == 404
    response = member_client.post(
        reverse("portal:activity_reply", args=[theirs.pk]), {"attending": "1"}
    )
    assert response.status_code == 404


def test_member_not_invited_sees_a_notice_and_a_reply_is_refused_with_a_message(
    client, office, staff, briefing
):
    from tests.factories import member_with_account

    outsider = member_with_account(office=office, name="周强", mobile="13700000009")
    client.force_login(outsider.user)
    url = reverse("portal:activity_detail", args=[briefing.pk])
    with time_machine.travel(BEFORE):
        page = client.get(url)
        response = client.post(
            reverse("portal:activity_reply", args=[briefing.pk]), {"attending": "1"}, follow=True
        )
    assert "不在本次活动的邀请名单" in page.text
    assert "提交回复" not in page.text
    assert "不在本次活动的邀请名单" in response.text
    assert not Invitation.objects.filter(member=outsider).exists()


def test_draft_activities_are_not_shown_to_members(member_client, office, staff, member):
    with time_machine.travel(BEFORE):
        draft = activity_scheduled(office=office, actor=staff)
        services.activity_invite(activity=draft, actor=staff, members=[member])
    assert member_client.get(reverse("portal:activity_detail", args=[draft.pk])).status_code == 404
    assert draft.title not in member_client.get(reverse("portal:activities")).text


# --- Portal ---------------------------------------------------------------------------


def test_member_asks_for_leave_on_the_phone(member_client, member, briefing):
    with time_machine.travel(BEFORE):
        page = member_client.get(reverse("portal:activity_detail", args=[briefing.pk]))
        assert "提交回复" in page.text
        response = member_client.post(
            reverse("portal:activity_reply", args=[briefing.pk]),
            {"attending": "0", "reason": "出差北京"},
            follow=True,
        )
    assert "请假申请已提交" in response.text
    invitation = Invitation.objects.get(activity=briefing, member=member)
    assert (invitation.reply, invitation.leave_reason) == ("leave", "出差北京")


def test_leave_on_the_phone_after_the_start_shows_a_message(member_client, member, briefing):
    with time_machine.travel(DURING):
        response = member_client.post(
            reverse("portal:activity_reply", args=[briefing.pk]),
            {"attending": "0", "reason": "临时有事"},
            follow=True,
        )
    assert "不能再回复或请假" in response.text
    assert Invitation.objects.get(activity=briefing, member=member).reply == "pending"


def test_upcoming_list_calendar_and_dashboard_show_the_invitation(member_client, briefing):
    with time_machine.travel(BEFORE):
        listing = member_client.get(reverse("portal:activities"))
        calendar = member_client.get(reverse("portal:activity_calendar") + "?month=2026-03")
        dashboard = member_client.get(reverse("portal:dashboard"))
    assert briefing.title in listing.text
    assert [i.activity for i in listing.context["upcoming"]] == [briefing]
    days = {
        cell["date"]: [i.activity for i in cell["items"]]
        for week in calendar.context["weeks"]
        for cell in week
    }
    assert days[datetime.date(2026, 3, 20)] == [briefing]
    assert sum(len(v) for v in days.values()) == 1
    assert briefing.title in dashboard.text
    assert "暂无活动安排" not in dashboard.text


def test_calendar_month_navigation_and_bad_month(member_client):
    response = member_client.get(reverse("portal:activity_calendar") + "?month=2026-13")
    assert response.status_code == 200
    response = member_client.get(reverse("portal:activity_calendar") + "?month=2026-12")
    assert response.context["next"] == "2027-01"
    assert response.context["previous"] == "2026-11"


def test_member_submits_an_opinion_after_the_briefing(member_client, member, briefing):
    with time_machine.travel(AFTER):
        page = member_client.get(reverse("portal:activity_detail", args=[briefing.pk]))
        assert "提意见建议" in page.text
        response = member_client.post(
            reverse("portal:activity_opinion", args=[briefing.pk]),
            {"content": "建议在韭菜园路增设公交站"},
            follow=True,
        )
    assert "感谢您的意见建议" in response.text
    opinion = Opinion.objects.get()
    assert (opinion.member, opinion.activity) == (member, briefing)
    assert "建议在韭菜园路增设公交站" in response.text


def test_materials_download_for_invited_members_only(member_client, briefing, client, office):
    from tests.factories import member_with_account

    material = Material.objects.create(
        activity=briefing,
        title="街道工作通报",
        file=SimpleUploadedFile("tb.pdf", b"%PDF-1.4 report", "application/pdf"),
    )
    url = reverse("portal:activity_material", args=[briefing.pk, material.pk])
    response = member_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    outsider = member_with_account(office=office, name="周强", mobile="13700000009")
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404


def test_a_disguised_material_is_refused(briefing):
    from django.core.exceptions import ValidationError

    material = Material(
        activity=briefing,
        title="通报",
        file=SimpleUploadedFile("tb.pdf", b"MZ not a pdf", "application/pdf"),
    )
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        material.full_clean()


# --- Admin ----------------------------------------------------------------------------


def add_page_data(kind, **fields):
    """What staff type on the admin's add page for an activity of ``kind``."""
    return {
        "kind": kind.pk,
        "title": "2026年上半年政情通报会",
        "topic": "通报街道上半年工作",
        "starts_at_0": "2026-03-20",
        "starts_at_1": "14:30",
        "ends_at_0": "2026-03-20",
        "ends_at_1": "16:30",
        "venue": "街道三楼会议室",
        "leaders-TOTAL_FORMS": "1",
        "leaders-INITIAL_FORMS": "0",
        "leaders-0-position": "1",
        "leaders-0-name": "王书记",
        "leaders-0-title": "党工委书记",
        "leaders-0-unit": "韭菜园街道",
        "agenda-TOTAL_FORMS": "2",
        "agenda-INITIAL_FORMS": "0",
        "agenda-0-position": "1",
        "agenda-0-title": "通报街道经济社会发展情况",
        "agenda-0-presenter": "王书记",
        "agenda-1-position": "2",
        "agenda-1-title": "委员座谈",
        "agenda-1-presenter": "",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        **fields,
    }


def test_staff_schedule_a_briefing_in_the_admin(staff_client, office):
    kind = ActivityKind.objects.get(name="政情通报会")
    with time_machine.travel(BEFORE):
        response = staff_client.post(reverse("admin:briefings_activity_add"), add_page_data(kind))
    assert response.status_code == 302, response.context["adminform"].form.errors
    activity = Activity.objects.get()
    assert activity.office == office
    assert activity.is_major
    assert list(activity.agenda.values_list("title", flat=True)) == [
        "通报街道经济社会发展情况",
        "委员座谈",
    ]
    assert str(activity.leaders.get()) == "韭菜园街道 党工委书记 王书记"


def test_staff_invite_by_sector_and_publish_through_the_steps(staff_client, office, staff, member):
    with time_machine.travel(BEFORE):
        activity = activity_scheduled(office=office, actor=staff, kind="学习", title="学习会")
        step = lambda name: reverse("admin:briefings_activity_step", args=[activity.pk, name])  # noqa: E731
        staff_client.post(step("invite"), {"mode": "sectors", "sectors": [member.sector.pk]})
        assert list(activity.invitations.values_list("member", flat=True)) == [member.pk]
        response = staff_client.post(step("publish"), {}, follow=True)
    assert "已完成" in response.text
    assert Activity.objects.get(pk=activity.pk).status == A.PUBLISHED


def test_publish_step_without_an_answer_shows_the_rule(staff_client, office, staff, member):
    with time_machine.travel(BEFORE):
        activity = activity_scheduled(office=office, actor=staff)
        services.activity_invite(activity=activity, actor=staff, members=[member])
        response = staff_client.post(
            reverse("admin:briefings_activity_step", args=[activity.pk, "publish"]), {}
        )
    assert response.status_code == 200
    assert "批复后方可发布" in response.text
    assert Activity.objects.get(pk=activity.pk).status == A.DRAFT


def test_staff_approve_leave_in_the_admin_step(staff_client, briefing, member, staff):
    with time_machine.travel(BEFORE):
        invitation = services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=False, reason="出差"
        )
        staff_client.post(
            reverse("admin:briefings_activity_step", args=[briefing.pk, "decide_leave"]),
            {"invitation": invitation.pk, "approve": "1", "note": ""},
        )
    invitation.refresh_from_db()
    assert invitation.leave_status == Invitation.Leave.APPROVED


def test_minutes_print_view_attaches_attendance_and_opinions(staff_client, briefing, staff, member):
    invitation = Invitation.objects.get(activity=briefing, member=member)
    with time_machine.travel(DURING):
        services.attendance_record(invitation=invitation, actor=staff)
        services.opinion_submit(
            activity=briefing, member=member, actor=member.user, content="建议增设停车泊位"
        )
        staff_client.post(
            reverse("admin:briefings_activity_step", args=[briefing.pk, "write_minutes"]),
            {"minutes": "会议由王书记主持，通报了街道一季度工作。"},
        )
        response = staff_client.get(reverse("admin:briefings_activity_minutes", args=[briefing.pk]))
    text = response.text
    assert "会议由王书记主持" in text
    assert "出席（1）" in text and "唐朝阳" in text
    assert "未登记（1）" in text and "黄德军" in text
    assert "建议增设停车泊位" in text
    assert Activity.objects.get(pk=briefing.pk).minutes_by == staff


def test_activity_list_filters_by_half_year_and_kind(staff_client, office, staff):
    with time_machine.travel(BEFORE):
        first = activity_scheduled(office=office, actor=staff, title="上半年通报会")
        second = activity_scheduled(
            office=office, actor=staff, title="下半年通报会", starts_at=shanghai(2026, 9, 18, 9)
        )
        study = activity_scheduled(office=office, actor=staff, kind="学习", title="学习会")
        url = reverse("admin:briefings_activity_changelist")
        h1 = staff_client.get(url + "?half=2026-1")
        h2 = staff_client.get(url + "?half=2026-2")
        kind = staff_client.get(url + f"?half=2026&kind__id__exact={study.kind_id}")
    assert set(h1.context["cl"].result_list) == {first, study}
    assert list(h2.context["cl"].result_list) == [second]
    assert list(kind.context["cl"].result_list) == [study]


def test_invitation_admin_approves_leave_in_bulk(staff_client, briefing, member, other_member):
    with time_machine.travel(BEFORE):
        for m in (member, other_member):
            services.invitation_reply(
                activity=briefing, member=m, actor=m.user, attending=False, reason="出差"
            )
        staff_client.post(
            reverse("admin:briefings_invitation_changelist"),
            {
                "action": "approve_leave",
                "_selected_action": list(briefing.invitations.values_list("pk", flat=True)),
            },
        )
    assert set(briefing.invitations.values_list("leave_status", flat=True)) == {"approved"}


def test_donation_activity_records_outputs_in_the_admin(staff_client, office, staff):
    with time_machine.travel(BEFORE):
        activity = activity_scheduled(
            office=office, actor=staff, kind="主题活动", title="食品安全进校园"
        )
    page = staff_client.get(reverse("admin:briefings_activity_change", args=[activity.pk]))
    assert "活动成果" in page.text and "捐赠" in page.text
    study = activity_scheduled(
        office=office,
        actor=staff,
        kind="学习",
        title="学习会",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    page = staff_client.get(reverse("admin:briefings_activity_change", args=[study.pk]))
    assert "outputs-TOTAL_FORMS" not in page.text


def test_published_activity_is_rescheduled_through_the_step(staff_client, briefing, member):
    url = reverse("admin:briefings_activity_step", args=[briefing.pk, "reschedule"])
    with time_machine.travel(BEFORE):
        page = staff_client.get(reverse("admin:briefings_activity_change", args=[briefing.pk]))
        assert 'name="starts_at_0"' not in page.text  # not editable in the form any more
        staff_client.post(
            url,
            {
                "starts_at_0": "2026-03-27",
                "starts_at_1": "09:00",
                "ends_at_0": "2026-03-27",
                "ends_at_1": "11:00",
                "venue": "一楼会议室",
                "reason": "",
            },
        )
    briefing.refresh_from_db()
    assert briefing.starts_at == shanghai(2026, 3, 27, 9)
    assert briefing.venue == "一楼会议室"


def test_invite_step_groups_members_by_sector_says_how_many_and_invites_those_ticked(
    staff_client, staff, office, member, other_member
):
    with time_machine.travel(BEFORE):
        draft = activity_scheduled(office=office, actor=staff)
    serving = Member.objects.filter(office=office, status=Member.Status.SERVING)
    url = reverse("admin:briefings_activity_step", args=[draft.pk, "invite"])

    with time_machine.travel(BEFORE):
        page = staff_client.get(url)
        staff_client.post(url, {"members": [member.pk]})

    assert "Ctrl" not in page.text
    # Start from all serving members (their number shown), then adjust.
    everyone = " ".join(
        str(pk)
        for pk in serving.order_by("sector__position", "sector_id", "stroke_key", "pk").values_list(
            "pk", flat=True
        )
    )
    assert (
        f'data-values="{everyone}">全体在任委员<span class="picklist-size">{serving.count()}</span>'
        in page.text
    )
    assert 'class="picklist"' in page.text and "js/picklist.js" in page.text
    assert (
        f'<legend><label><input type="checkbox" class="picklist-all" hidden> {member.sector.name}'
        in page.text
    )
    assert list(draft.invitations.values_list("member", flat=True)) == [member.pk]


def test_deleting_a_draft_activity_confirms_with_counts_whatever_its_invitees(
    staff_client, staff, office
):
    with time_machine.travel(BEFORE):
        draft = activity_scheduled(office=office, actor=staff)
    url = reverse("admin:briefings_activity_delete", args=[draft.pk])
    bulk_invite(draft, bulk_members(office, 20, "D"))
    small = count_queries(staff_client, url)
    bulk_invite(draft, bulk_members(office, 300, "E"))

    assert count_queries(staff_client, url) == small
    page = staff_client.get(url).text
    assert "参加人员: 320" in page
    staff_client.post(url, {"post": "yes"})
    assert not Activity.objects.filter(pk=draft.pk).exists()


def test_a_draft_with_a_speech_on_record_is_not_deleted(staff_client, staff, office, member):
    from briefings.models import Speech

    with time_machine.travel(BEFORE):
        draft = activity_scheduled(office=office, actor=staff)
    bulk_invite(draft, [member])
    Speech.objects.create(
        activity=draft,
        member=member,
        kind=Speech.Kind.values[0],
        title="发言",
        delivered_on=BEFORE.date(),
    )
    url = reverse("admin:briefings_activity_delete", args=[draft.pk])

    page = staff_client.get(url)
    assert page.context["protected"] == ["委员发言"]
    staff_client.post(url, {"post": "yes"})
    assert Activity.objects.filter(pk=draft.pk).exists() and draft.invitations.count() == 1


def test_leave_to_decide_is_counted_from_the_waiting_requests_alone(
    client, district_staff, office, briefing, member
):
    """The admin index's "待审批的请假" reads the partial index of waiting requests,
    not every invitation of the district (issue 16)."""
    bulk_invite(briefing, bulk_members(office, 400))
    Invitation.objects.filter(activity=briefing, member=member).update(
        leave_status=Invitation.Leave.REQUESTED
    )
    client.force_login(district_staff)

    response = client.get(reverse("admin:index"))

    html = response.content.decode()
    assert re.search(r"待审批的请假</a></th>\s*<td class=\"todo-count\"><a [^>]*>1</a>", html)
    waiting = Invitation.objects.filter(
        activity__in=Activity.objects.values("pk"), leave_status=Invitation.Leave.REQUESTED
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        assert "invitation_leave_waiting_idx" in waiting.explain()
