"""manage.py setup_office: a fresh installation gets its first office and staff, who can
sign in to the admin and see the office; running it again changes nothing."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from liaison import roles
from liaison.models import Office, User

pytestmark = pytest.mark.django_db

ARGS = [
    "--district=芙蓉区",
    "--code=jcy",
    "--name=韭菜园街道政协联络处",
    "--street=韭菜园街道",
    "--staff=staff_jcy:李红:li@example.cn",
    "--district-staff=district:区政协办公室",
    "--no-input",
]


def _setup(*args):
    out = io.StringIO()
    call_command("setup_office", *args, stdout=out)
    return out.getvalue()


def test_scripted_setup_creates_the_office_and_staff_who_can_work(client):
    out = _setup(*ARGS)

    office = Office.objects.get(code="jcy")
    assert (office.name, office.street, office.district.name) == (
        "韭菜园街道政协联络处",
        "韭菜园街道",
        "芙蓉区",
    )
    staff = User.objects.get(username="staff_jcy")
    assert staff.office == office and staff.is_staff
    assert list(staff.groups.values_list("name", flat=True)) == [roles.OFFICE_STAFF]
    district = User.objects.get(username="district")
    assert district.office is None
    assert list(district.groups.values_list("name", flat=True)) == [roles.DISTRICT_STAFF]

    password = re.search(r"staff_jcy.*初始密码 ([\w-]+)", out).group(1)
    signed_in = client.post(
        "/admin/login/?next=/admin/members/member/",
        {"username": "staff_jcy", "password": password},
        follow=True,
    )
    assert signed_in.redirect_chain[-1][0] == "/admin/members/member/"
    assert signed_in.status_code == 200


def test_running_it_again_keeps_the_accounts_and_their_passwords():
    _setup(*ARGS)
    before = User.objects.get(username="staff_jcy").password

    out = _setup(*ARGS[:2], "--name=韭菜园街道政协联络组", *ARGS[3:])

    assert "已存在，密码未改" in out and "初始密码" not in out
    assert Office.objects.get().name == "韭菜园街道政协联络组"
    assert User.objects.get(username="staff_jcy").password == before
    assert User.objects.filter(username__in=["staff_jcy", "district"]).count() == 2


def test_interactive_setup_asks_for_what_is_missing(monkeypatch):
    answers = iter(["芙蓉区", "dzq", "定王台街道政协联络处", "定王台街道", "staff_dwt", "王芳", ""])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda _prompt: "Lianluo-first-2026")

    _setup()

    user = User.objects.get(username="staff_dwt")
    assert user.office.code == "dzq" and user.check_password("Lianluo-first-2026")


def test_a_bad_value_is_refused_in_chinese_and_nothing_is_written():
    with pytest.raises(CommandError, match="用户名:姓名"):
        _setup(*ARGS[:4], "--staff=staff_only", "--no-input")
    with pytest.raises(CommandError):
        _setup(
            "--district=芙蓉区",
            "--code=不是代码",
            "--name=某联络处",
            "--street=某街道",
            "--staff=s1:张三",
            "--no-input",
        )
    assert not Office.objects.exists() and not User.objects.filter(username="s1").exists()
