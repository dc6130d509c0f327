import pytest
from django.urls import reverse

from liaison.services import notify_user

pytestmark = pytest.mark.django_db


def test_staff_read_their_reminders_on_the_admin_index_and_mark_them_read(staff_client, staff):
    notify_user(
        user=staff,
        kind="test",
        key="heads-up:1",
        template="birthday_heads_up",
        context={"member": None, "birthday": None, "days": 3, "office": staff.office},
        channels=("portal",),
    )
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "我的消息（1 条未读）" in page
    staff_client.post(reverse("inbox_read_all"))
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert "我的消息（0 条未读）" in page


def test_members_cannot_use_the_staff_inbox_view(member_client, staff):
    response = member_client.post(reverse("inbox_read_all"))
    assert response.status_code == 302 and "/admin/login/" in response.url
