from django.conf import settings
from django.urls import reverse


def test_interface_is_chinese_even_for_an_english_browser(client, db):
    page = client.get(reverse("portal:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "委员登录" in page.content.decode() or "登录" in page.content.decode()
    assert page["Content-Language"] == "zh-hans"


def test_english_when_chosen_with_the_switcher(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/portal/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("portal:login"))
    assert page["Content-Language"] == "en"
