"""Handling units act on a concern through a signed, expiring link that names the
concern and the unit it was sent to — and nothing else."""

import datetime

import pytest
import time_machine
from django.core import signing

from liaison.models import HandlingUnit, StatusChange
from liaison.unit_links import SALT, unit_link_token
from tests.factories import HandlingUnitFactory
from visits import services
from visits.models import Concern

pytestmark = pytest.mark.django_db
C = Concern.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def cgk(office):
    return HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")


@pytest.fixture
def assigned(staff, member, cgk):
    concern = services.concern_create(
        actor=staff,
        office=member.office,
        member=member,
        title="占道经营",
        content="菜市场门口占道经营。",
        source=Concern.Source.VISIT,
    )
    return services.concern_assign(concern=concern, actor=staff, unit=cgk)


def _url(concern):
    return f"/units/concerns/{unit_link_token(concern)}/"


def _result(day="2026-01-01"):
    return {
        "action": "result",
        "outcome": "resolved",
        "result": "已清理。",
        "reason": "",
        "resolved_on": day,
    }


def _unchanged(concern):
    fresh = Concern.objects.get(pk=concern.pk)
    return fresh.status == C.ASSIGNED and fresh.result == ""


def test_unit_sees_the_concern_and_reports_the_result_through_its_link(client, assigned):
    page = client.get(_url(assigned))
    assert page.status_code == 200
    assert "菜市场门口占道经营" in page.text
    assert "报告办理结果" in page.text
    client.post(_url(assigned), {"action": "acknowledge"})
    client.post(_url(assigned), {"action": "progress", "progress": "已约谈摊主。"})
    response = client.post(_url(assigned), _result(datetime.date.today().isoformat()))
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.status, concern.result, concern.progress) == (
        C.RESOLVED,
        "已清理。",
        "已约谈摊主。",
    )
    labels = set(
        StatusChange.objects.filter(object_id=concern.pk, content_type__model="concern")
        .exclude(actor_label="")
        .values_list("actor_label", flat=True)
    )
    assert labels == {"城管科"}


def test_tampered_link_is_refused_and_changes_nothing(client, assigned):
    token = unit_link_token(assigned)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(f"/units/concerns/{tampered}/", _result())
    assert response.status_code == 403
    assert "链接无效" in response.text
    assert _unchanged(assigned)


def test_expired_link_is_refused_and_changes_nothing(client, assigned, settings):
    settings.UNIT_LINK_MAX_AGE_DAYS = 30
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)):
        url = _url(assigned)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=SHANGHAI)):
        response = client.post(url, _result("2026-03-01"))
    assert response.status_code == 403
    assert "链接已过期" in response.text
    assert _unchanged(assigned)


def test_a_proposal_link_cannot_be_used_for_a_concern(client, assigned):
    token = signing.dumps(
        {"m": "proposals.assignment", "o": assigned.pk, "u": assigned.unit_id}, salt=SALT
    )
    assert client.post(f"/units/concerns/{token}/", _result()).status_code == 403
    assert _unchanged(assigned)


def test_old_units_link_stops_working_once_the_concern_moves_to_another_unit(
    client, staff, assigned, office
):
    old_url = _url(assigned)
    other = HandlingUnitFactory(office=office, name="社区", kind=HandlingUnit.Kind.COMMUNITY)
    services.concern_assign(concern=assigned, actor=staff, unit=other)
    response = client.post(old_url, _result())
    assert response.status_code == 403
    assert "改由其他单位" in response.text
    assert Concern.objects.get().result == ""


def test_result_with_a_future_date_is_shown_as_an_error(client, assigned):
    response = client.post(_url(assigned), _result("2099-01-01"), follow=True)
    assert "办结日期不能晚于今天" in response.text
    assert _unchanged(assigned)


def test_link_of_a_closed_concern_offers_nothing_to_do(client, staff, member, assigned):
    services.concern_report_result(concern=assigned, resolved=True, result="已清理。")
    services.concern_feed_back(concern=assigned, actor=staff)
    services.concern_confirm(concern=assigned, actor=member.user, satisfied=True)
    page = client.get(_url(assigned))
    assert page.status_code == 200
    assert "报告办理结果" not in page.text
    response = client.post(_url(assigned), _result(), follow=True)
    assert "不在办理中" in response.text
    assert Concern.objects.get().status == C.CLOSED
