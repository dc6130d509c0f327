import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ["portal:dashboard", "portal:profile", "portal:notifications"]
PUBLIC_PAGES = ["portal:login", "portal:password_reset"]


def _assert_no_inline_code(html):
    # The CSP allows only our own files: an inline script or style would be blocked.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert "//cdn" not in html and "https://" not in html


@pytest.mark.parametrize("name", MEMBER_PAGES)
def test_member_pages_use_local_bootstrap_and_no_inline_code(member_client, name):
    response = member_client.get(reverse(name))

    assert response.status_code == 200
    assert "/static/bootstrap/css/bootstrap.min.css" in response.text
    assert "/static/bootstrap/js/bootstrap.bundle.min.js" in response.text
    assert "/static/css/site.css" in response.text
    assert 'name="viewport"' in response.text
    _assert_no_inline_code(response.text)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_inline_code(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    _assert_no_inline_code(response.text)


def test_lockout_page_has_no_inline_code(client, member):
    for n in range(6):
        response = client.post(reverse("portal:login"), {"username": member.mobile, "password": n})

    assert response.status_code == 429
    _assert_no_inline_code(response.text)


def test_navbar_links_to_every_member_page_and_signs_out_by_post(member_client, member):
    response = member_client.get(reverse("portal:dashboard"))

    html = response.text
    for label in ("工作台", "个人信息", "消息", "退出"):
        assert label in html
    assert f'href="{reverse("portal:profile")}"' in html
    assert f'<form method="post" action="{reverse("portal:logout")}"' in html


def test_language_switcher_turns_the_portal_to_english_and_back(member_client):
    form = member_client.get(reverse("portal:dashboard")).text
    assert 'action="/i18n/setlang/"' in form
    assert 'name="language" value="en"' in form

    member_client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    english = member_client.get(reverse("portal:dashboard"))
    member_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/portal/"})
    chinese = member_client.get(reverse("portal:dashboard"))

    assert '<html lang="en">' in english.text
    assert '<html lang="zh-hans">' in chinese.text


def test_large_text_is_chosen_once_and_kept_on_the_account(member_client, member):
    from django.urls import reverse

    assert (
        'class="portal-large"' not in member_client.get(reverse("portal:profile")).content.decode()
    )
    response = member_client.post(
        reverse("portal:large_text"), {"on": "1", "next": reverse("portal:profile")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("portal:profile")
    member.user.refresh_from_db()
    assert member.user.large_text
    assert 'class="portal-large"' in member_client.get(reverse("portal:dashboard")).content.decode()
    member_client.post(reverse("portal:large_text"), {"on": "0"})
    member.user.refresh_from_db()
    assert not member.user.large_text
