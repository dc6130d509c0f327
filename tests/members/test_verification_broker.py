"""An SMS code asked for on the page goes through a real Redis broker and a real Celery
worker (tests/liaison/test_broker.py has the harness)."""

import re

import pytest
from django.urls import reverse

from liaison.celery import app as celery_app
from liaison.sms import LocmemSmsBackend
from members.verification import SEND_TASK
from tests.liaison.test_broker import broker, running_worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def routed_to(settings):
    """Route the code task to the test worker's own queue, as production routes it to
    the default one."""
    saved = celery_app.conf.task_routes

    def route(routes):
        # The app keeps its router once made: make it again from the routes.
        celery_app.conf.task_routes = routes
        celery_app.amqp.flush_routes()
        celery_app.amqp.router = celery_app.amqp.Router()

    yield lambda queue: route({SEND_TASK: {"queue": queue}})
    route(saved)


@pytest.mark.usefixtures("broker")
def test_code_asked_for_on_the_page_is_sent_by_the_worker_and_signs_in(
    settings, client, member, routed_to
):
    with running_worker(settings) as (queue, finished):
        routed_to(queue)
        response = client.post(reverse("portal:sms_login"), {"mobile": member.mobile, "send": "1"})
        finished.wait_for(1)

    assert response.status_code == 200
    [(phone, text)] = LocmemSmsBackend.outbox
    assert phone == member.mobile
    code = re.search(r"验证码是(\d{6})", text).group(1)
    signed_in = client.post(
        reverse("portal:sms_login"), {"mobile": member.mobile, "code": code, "go": "1"}
    )
    assert signed_in.status_code == 302
