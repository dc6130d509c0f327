"""Error pages a member or staff member may meet: Chinese, styled, and without a
database — so a PostgreSQL outage shows "temporarily unavailable" (503), not a trace."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path

from liaison import urls as site_urls
from liaison import views


def _database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def _connection_closed(request):
    raise InterfaceError("connection already closed")


def _bug(request):
    raise ZeroDivisionError


urlpatterns = [
    path("gone/", _database_gone),
    path("closed/", _connection_closed),
    path("bug/", _bug),
    *site_urls.urlpatterns,
]
handler500 = views.server_error


@pytest.fixture
def crashing_site(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/gone/", "/closed/"])
def test_database_outage_answers_503_with_retry_after(crashing_site, url):
    response = crashing_site.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == str(views.RETRY_AFTER_SECONDS)
    page = response.content.decode()
    assert "系统暂时不可用" in page and "bootstrap.min.css" in page


def test_other_failures_answer_the_chinese_500_page(crashing_site):
    response = crashing_site.get("/bug/")
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_unknown_page_is_the_chinese_404(client):
    response = client.get("/portal/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_expired_form_says_so_instead_of_a_csrf_trace(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    response = client.post("/portal/logout/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "CSRF" not in page
