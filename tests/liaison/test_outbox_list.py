"""The admin's outbox list costs the same however many messages the offices have sent:
its filters' choices are known without reading the outbox, the rows come newest first
along an index, the count stops at a bound, and the search box finds a subject by any
character and an address or occasion key by its start."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import NotificationFactory

URL = reverse("admin:liaison_notification_changelist")


def _queries(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(queries.captured_queries), response


def test_outbox_list_and_search_cost_the_same_with_ten_times_the_messages(staff_client, office):
    NotificationFactory.create_batch(3, office=office, subject="王芳委员的生日提醒")
    staff_client.get(URL)  # warm the session and caches
    few, few_search = _queries(staff_client), _queries(staff_client, {"q": "王"})
    NotificationFactory.create_batch(30, office=office, subject="王芳委员的生日提醒")
    many, many_search = _queries(staff_client), _queries(staff_client, {"q": "王"})

    assert many[0] == few[0]
    assert many_search[0] == few_search[0]


def test_outbox_search_matches_subject_characters_and_address_starts(staff_client, office):
    NotificationFactory(office=office, subject="王芳委员的生日提醒", address="a@example.cn")
    NotificationFactory(office=office, subject="活动通知", address="13900000001")
    NotificationFactory(office=office, subject="活动通知", address="13800000001")

    def subjects(q):
        response = staff_client.get(URL, {"q": q})
        return sorted(row.address for row in response.context["cl"].result_list)

    assert subjects("王") == ["a@example.cn"]
    assert subjects("139") == ["13900000001"]
    assert subjects("活动 1380") == ["13800000001"]


def test_outbox_over_the_bound_says_so_instead_of_counting_everything(
    staff_client, office, monkeypatch
):
    monkeypatch.setattr("liaison.admin_lists.BoundedCountPaginator.bound", 5)
    NotificationFactory.create_batch(7, office=office)

    response = staff_client.get(URL)

    assert "超过5条" in response.text
    assert "7 通知" not in response.text


def test_the_sms_template_panel_link_still_filters_the_outbox(staff_client, office):
    NotificationFactory(
        office=office, channel="sms", kind="visit_planned", error_code="no_template"
    )
    NotificationFactory(office=office, channel="sms", kind="visit_planned")

    response = staff_client.get(
        URL, {"channel__exact": "sms", "kind__exact": "visit_planned", "error_code": "no_template"}
    )

    assert [n.error_code for n in response.context["cl"].result_list] == ["no_template"]
