"""A refused form comes back with what the member typed, so nothing is typed twice."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from tests.factories import HandlingUnitFactory, activity_published, proposal_replied, shanghai

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _checked(page: str, name: str) -> str | None:
    for tag in re.findall(rf"<input[^>]*name=\"{name}\"[^>]*>", page):
        if "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def test_leave_without_a_reason_keeps_leave_selected(member_client, member, staff, office):
    with time_machine.travel(NOW, tick=False):
        activity = activity_published(
            office=office, actor=staff, members=[member], starts_at=shanghai(2026, 3, 20, 14, 30)
        )
        url = reverse("portal:activity_act", args=[activity.pk, "reply"])
        page = member_client.post(url, {"attending": "0", "reason": " "}, follow=True)
    html = page.content.decode()
    assert "请填写请假事由" in html
    assert _checked(html, "attending") == "0"


def test_dissatisfied_without_a_reason_keeps_the_choice_and_what_was_typed(
    member_client, member, staff, office
):
    with time_machine.travel(NOW, tick=False):
        proposal = proposal_replied(
            member=member, staff=staff, unit=HandlingUnitFactory(office=office)
        )
        url = reverse("portal:proposal_act", args=[proposal.pk, "feedback"])
        page = member_client.post(url, {"verdict": "dissatisfied", "comments": ""}, follow=True)
        html = page.content.decode()
        assert "不满意" in html and _checked(html, "verdict") == "dissatisfied"
        # Shown once: the next visit opens the form empty again.
        again = member_client.get(reverse("portal:proposal_detail", args=[proposal.pk]))
    assert _checked(again.content.decode(), "verdict") is None
