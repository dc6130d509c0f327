import pytest
from django.urls import reverse

from liaison.models import Notification
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("portal:notifications")


def portal_message(user, subject="通知", **kwargs):
    return NotificationFactory(
        recipient=user, channel=Notification.Channel.PORTAL, subject=subject, **kwargs
    )


def test_member_sees_own_portal_messages_newest_first(member_client, member, other_member):
    portal_message(member.user, "较早的消息")
    portal_message(member.user, "最新的消息")
    portal_message(other_member.user, "别人的消息")
    NotificationFactory(recipient=member.user, subject="邮件渠道")

    response = member_client.get(NOTIFICATIONS)

    subjects = [n.subject for n in response.context["page"].object_list]
    assert subjects == ["最新的消息", "较早的消息"]
    assert "别人的消息" not in response.text


def test_messages_are_paginated(member_client, member):
    for n in range(25):
        portal_message(member.user, f"消息{n:02d}")

    first = member_client.get(NOTIFICATIONS)
    second = member_client.get(NOTIFICATIONS, {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert [n.subject for n in second.context["page"].object_list] == [
        f"消息{n:02d}" for n in range(4, -1, -1)
    ]
    assert "第 1 页 共 2 页" in first.text


def test_nav_badge_counts_unread_messages(member_client, member):
    portal_message(member.user)
    portal_message(member.user)
    portal_message(member.user, read_at="2026-01-01T00:00:00+08:00")

    response = member_client.get(reverse("portal:profile"))

    assert 'data-testid="unread-badge">2<' in response.text


def test_member_marks_one_message_read(member_client, member):
    message = portal_message(member.user)
    other = portal_message(member.user)

    response = member_client.post(reverse("portal:notification_read", args=[message.pk]))

    assert response.status_code == 302
    message.refresh_from_db()
    other.refresh_from_db()
    assert message.read_at is not None
    assert other.read_at is None


def test_marking_another_members_message_read_is_a_404(member_client, other_member):
    theirs = portal_message(other_member.user)

    response = member_client.post(reverse("portal:notification_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_an_email_row_read_through_the_portal_is_a_404(member_client, member):
    email = NotificationFactory(recipient=member.user, channel=Notification.Channel.EMAIL)

    response = member_client.post(reverse("portal:notification_read", args=[email.pk]))

    assert response.status_code == 404


def test_marking_read_needs_a_post(member_client, member):
    message = portal_message(member.user)

    response = member_client.get(reverse("portal:notification_read", args=[message.pk]))

    assert response.status_code == 405


def test_mark_all_read_touches_only_the_members_own_messages(member_client, member, other_member):
    mine = [portal_message(member.user) for _ in range(3)]
    theirs = portal_message(other_member.user)

    response = member_client.post(reverse("portal:notifications_read_all"), follow=True)

    assert "已将 3 条消息标为已读" in response.text
    assert all(Notification.objects.get(pk=m.pk).read_at for m in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_does_not_redirect_off_site(member_client, member):
    message = portal_message(member.user)

    response = member_client.post(
        reverse("portal:notification_read", args=[message.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == NOTIFICATIONS


def test_only_site_links_are_rendered_from_a_message(member_client, member):
    portal_message(member.user, "站内", link="/portal/profile/")
    portal_message(member.user, "站外", link="javascript:alert(1)")

    response = member_client.get(NOTIFICATIONS)

    assert 'href="/portal/profile/"' in response.text
    assert "javascript:" not in response.text


@pytest.mark.parametrize("count", [30, 600])
def test_message_list_query_count_does_not_grow_with_the_inbox(
    member_client, member, other_member, count, django_assert_num_queries
):
    for user, prefix in ((member.user, "mine"), (other_member.user, "theirs")):
        Notification.objects.bulk_create(
            Notification(
                recipient=user,
                channel=Notification.Channel.PORTAL,
                kind="test",
                dedupe_key=f"{prefix}:{n}",
                subject=f"消息{n}",
                body="正文",
            )
            for n in range(count)
        )

    # session, user, member with the unread count, page count, page rows
    with django_assert_num_queries(5):
        response = member_client.get(NOTIFICATIONS, {"page": 2})

    assert len(response.context["page"].object_list) == min(count - 20, 20)
