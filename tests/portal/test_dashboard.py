import pytest
from django.urls import reverse

from liaison.models import Notification
from members.models import Affiliation, Member, Sector, Term
from members.strokes import stroke_sort_key
from tests.factories import NotificationFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("portal:dashboard")


def portal_message(user, subject="通知", **kwargs):
    return NotificationFactory(
        recipient=user, channel=Notification.Channel.PORTAL, subject=subject, **kwargs
    )


def _bulk_members(office, count):
    """``count`` members in one INSERT (the factory would take one query per member)."""
    term = Term.objects.get(is_current=True)
    sector = Sector.objects.first()
    affiliation = Affiliation.objects.first()
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    members = []
    for n in range(count):
        name = f"{surnames[n % len(surnames)]}委员{n}"
        members.append(
            Member(
                office=office,
                name=name,
                stroke_key=stroke_sort_key(name),
                sex=Member.Sex.MALE,
                member_no=f"BULK{n:06d}",
                mobile=f"150{n:08d}",
                term=term,
                sector=sector,
                affiliation=affiliation,
            )
        )
    Member.objects.bulk_create(members, batch_size=500)


def _bulk_messages(user, count, prefix):
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            channel=Notification.Channel.PORTAL,
            kind="test",
            dedupe_key=f"{prefix}:{n}",
            subject=f"批量消息{n}",
            body="正文",
        )
        for n in range(count)
    )


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))


def test_dashboard_greets_member_with_office_and_unread_count(member_client, member):
    portal_message(member.user, "走访安排")
    portal_message(member.user, "生日祝福")

    response = member_client.get(DASHBOARD)

    assert response.status_code == 200
    assert "唐朝阳委员" in response.text
    assert "韭菜园街道政协联络处" in response.text
    assert response.context["unread_count"] == 2
    assert "2 条未读" in response.text


def test_dashboard_shows_only_the_latest_five_of_the_members_own_portal_messages(
    member_client, member, other_member
):
    for n in range(7):
        portal_message(member.user, f"我的消息{n}")
    portal_message(other_member.user, "别人的消息")
    NotificationFactory(recipient=member.user, channel=Notification.Channel.EMAIL, subject="邮件")

    response = member_client.get(DASHBOARD)

    subjects = [n.subject for n in response.context["latest_notifications"]]
    assert subjects == ["我的消息6", "我的消息5", "我的消息4", "我的消息3", "我的消息2"]
    assert "别人的消息" not in response.text
    assert "邮件" not in subjects


def test_dashboard_empty_cards_say_nothing_yet_rather_than_inventing_numbers(member_client):
    response = member_client.get(DASHBOARD)

    for heading, empty in [
        ("我的提案与社情民意", "您还没有提案或社情民意"),
        ("我的走访", "暂无走访记录"),
        ("活动", "暂无活动安排"),
    ]:
        assert heading in response.text
        assert empty in response.text


def test_staff_without_member_record_get_a_clear_page_not_an_error(client, staff):
    client.force_login(staff)

    response = client.get(DASHBOARD)

    assert response.status_code == 403
    assert "未关联委员信息" in response.text
    assert reverse("admin:index") in response.text


def test_leader_without_member_record_is_told_the_portal_is_for_members(client, office):
    client.force_login(UserFactory(office=office))

    for name in ("portal:dashboard", "portal:profile", "portal:notifications"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert "仅供政协委员使用" in response.text


@pytest.mark.parametrize("members", [100, 5000])
def test_dashboard_query_count_does_not_grow_with_the_roster(
    client, office, member, members, django_assert_num_queries
):
    _bulk_members(office, members)
    _bulk_messages(member.user, members // 10, prefix=f"size{members}")
    client.force_login(member.user)

    # session, user, member (+office, term, and the unread count), latest five, the data
    # stamp (portal.home.home_figures), then what is kept under it: the visits card
    # (visits.selectors.member_dashboard_summary, one query), upcoming activities
    # (briefings.selectors.member_upcoming, one query), the six kinds of to-do
    # (portal.home: ratings, co-signatures, replies, results to confirm, consultations
    # to answer, unread study materials, one query each), the member's latest proposals
    # and opinion reports (one query each), and this year's points against the minimums
    # (reports.duty.standing_for: the office's rules, and the points with every kind of
    # record counted — proposals led and co-signed, opinion reports, activities and
    # study sessions, speeches, materials read, reflections — in one UNION ALL: two)
    with django_assert_num_queries(17):
        response = client.get(DASHBOARD)
    # Back on the page with nothing changed: the session, the user, the member, the
    # latest messages and the stamp.
    with django_assert_num_queries(5):
        again = client.get(DASHBOARD)
    assert again.context["todos"] == response.context["todos"]

    assert response.status_code == 200
    assert len(response.context["latest_notifications"]) == 5
    assert Member.objects.count() == members + 1


def test_staff_who_are_also_members_use_the_portal_as_members(client, office, member):
    # The portal serves whoever has a member record, whatever else the account can do.
    staff = staff_user(office, username="staff-member")
    member.user = staff
    member.save()
    client.force_login(staff)

    assert client.get(DASHBOARD).status_code == 200


def test_a_committee_leader_opening_the_portal_lands_on_the_reports_page(client, leader):
    client.force_login(leader)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and response.url == reverse("reports:index")
