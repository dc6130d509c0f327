"""A large activity's steps do not list every invitee (issue 16): whose attendance to
correct and who said an opinion are searched, so the step pages weigh the same and run
the same queries with ten times the invitees."""

import pytest

from briefings.models import Invitation
from tests.factories import activity_held
from tests.members.test_member_picker import PICK, _add_members, _grows

pytestmark = pytest.mark.django_db


def _invite(activity, members, attendance=Invitation.Attendance.ABSENT):
    Invitation.objects.bulk_create(
        Invitation(activity=activity, member=m, attendance=attendance) for m in members
    )


@pytest.fixture
def large_activity(office, staff, member, other_member):
    activity = activity_held(office=office, staff=staff, attended=[member], absent=[other_member])
    _invite(activity, _add_members(office, 100))
    return activity


def test_a_large_activitys_steps_weigh_the_same_with_ten_times_the_invitees(
    staff_client, office, large_activity
):
    base = f"/admin/briefings/activity/{large_activity.pk}"
    urls = [f"{base}/step/correct_attendance/", f"{base}/step/record_opinion/"]
    grown = _grows(staff_client, urls, lambda: _invite(large_activity, _add_members(office, 900)))
    for url, (small, large) in grown.items():
        assert large == small, url
    page = staff_client.get(urls[0]).text
    assert "data-searchselect" in page and "成员0050" not in page


def test_attendance_is_corrected_for_an_invitee_found_by_search(
    staff_client, large_activity, other_member
):
    base = f"/admin/briefings/activity/{large_activity.pk}"
    found = staff_client.get(f"{base}/invitees/", {"q": "黄德"}).json()["results"]
    invitation = large_activity.invitations.get(member=other_member)
    assert found == [{"id": invitation.pk, "label": "黄德军（无故缺席）"}]
    response = staff_client.post(
        f"{base}/step/correct_attendance/",
        {"invitation": invitation.pk, "state": "attended", "reason": "补签到。"},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.attendance == Invitation.Attendance.ATTENDED


def test_the_invitee_search_is_the_activitys_own(
    client, other_staff, staff_client, large_activity, other_office
):
    url = f"/admin/briefings/activity/{large_activity.pk}/invitees/"
    assert staff_client.get(url, {"q": "成员"}).json()["more"] is True
    client.force_login(other_staff)  # another office's staff: not their activity
    assert client.get(url, {"q": "黄德"}).status_code in (403, 404)


def test_an_opinion_is_recorded_for_a_member_found_by_search(
    staff_client, large_activity, other_member
):
    offices = sorted(large_activity.organising_office_ids())
    found = staff_client.get(PICK, {"q": "黄德", "office": offices}).json()["results"]
    assert [r["id"] for r in found] == [other_member.pk]
    response = staff_client.post(
        f"/admin/briefings/activity/{large_activity.pk}/step/record_opinion/",
        {"member": other_member.pk, "content": "建议增设停车位。"},
    )
    assert response.status_code == 302
    assert large_activity.opinions.get().member == other_member


def test_the_printed_minutes_count_a_large_activitys_invitees_and_name_the_first(
    staff_client, office, large_activity
):
    url = f"/admin/briefings/activity/{large_activity.pk}/print-minutes/"
    grown = _grows(staff_client, [url], lambda: _invite(large_activity, _add_members(office, 900)))
    (small_bytes, small_queries), (large_bytes, large_queries) = grown[url]
    assert large_queries == small_queries
    assert abs(large_bytes - small_bytes) < 100  # a count's digits, not 900 more names
    page = staff_client.get(url).text
    assert "应到 1002 人" in page
    assert "无故缺席（1001）" in page and "等1001人（完整名单见签到表）" in page
    absent = page.split("无故缺席（1001）")[1].split("</td>")[0]
    assert absent.count("、") == 99  # the first 100 names …
    names = absent.removeprefix("</th><td>").split("等")[0].split("、")
    assert names == sorted(names) and names[0] == "成员0002"  # bulk names, by stroke key
    assert "出席（1）</th><td>唐朝阳</td>" in page  # … and every state of its own


def test_the_printed_minutes_name_everyone_of_a_small_activity(staff_client, office, staff, member):
    activity = activity_held(office=office, staff=staff, attended=[member])
    page = staff_client.get(f"/admin/briefings/activity/{activity.pk}/print-minutes/").text
    assert f"出席（1）</th><td>{member.name}</td>" in page
    assert "完整名单见签到表" not in page
