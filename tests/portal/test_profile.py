import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROFILE = reverse("portal:profile")


def _contact(member, **changes):
    data = {
        "mobile": member.mobile,
        "office_phone": member.office_phone,
        "email": member.email,
        "wechat": member.wechat,
        "home_address": member.home_address,
        "work_address": member.work_address,
    }
    data.update(changes)
    return data


def test_profile_shows_official_fields_read_only(member_client, member):
    member.ethnicity = "土家族"
    member.professional_title = "高级经济师"
    member.save()

    response = member_client.get(PROFILE)

    assert response.status_code == 200
    for text in [
        "唐朝阳",
        member.member_no,
        "女",
        "土家族",
        "1970年5月17日",
        "经济界",
        "无党派人士",
        "第十一届",
        "委员",
        "长沙某某建材有限公司",
        "总经理",
        "高级经济师",
    ]:
        assert text in response.text
    form = response.context["form"]
    assert set(form.fields) == {
        "mobile",
        "office_phone",
        "email",
        "wechat",
        "home_address",
        "work_address",
    }


def test_member_corrects_contact_details(member_client, member):
    response = member_client.post(
        PROFILE,
        _contact(
            member,
            office_phone="0731-84567890",
            email="tang@example.cn",
            home_address="长沙市芙蓉区韭菜园路 1 号",
        ),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == PROFILE
    assert "联系方式已更新" in response.text
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.office_phone == "0731-84567890"
    assert member.home_address == "长沙市芙蓉区韭菜园路 1 号"
    assert member.user.email == "tang@example.cn"
    assert member.history.first().history_user == member.user


def test_official_fields_in_a_crafted_post_are_ignored(member_client, member):
    member_client.post(
        PROFILE, _contact(member, name="改名", member_no="HACK", employer="别的单位", wechat="wx1")
    )

    member.refresh_from_db()
    assert (member.name, member.employer, member.wechat) == (
        "唐朝阳",
        "长沙某某建材有限公司",
        "wx1",
    )
    assert member.member_no != "HACK"


def test_malformed_mobile_is_refused_with_a_chinese_message(member_client, member):
    response = member_client.post(PROFILE, _contact(member, mobile="2390000"))

    assert response.status_code == 200
    assert "手机号码应为以 1 开头的 11 位数字" in response.text
    member.refresh_from_db()
    assert member.mobile == "13900000001"


def test_mobile_of_another_member_is_refused_with_a_chinese_message(
    member_client, member, other_member
):
    response = member_client.post(PROFILE, _contact(member, mobile=other_member.mobile))

    assert response.status_code == 200
    assert "该手机号码已登记在其他委员名下" in response.text
    member.refresh_from_db()
    assert member.mobile == "13900000001"


def test_saving_unchanged_details_says_nothing_changed(member_client, member):
    before = member.history.count()

    response = member_client.post(PROFILE, _contact(member), follow=True)

    assert "没有需要保存的修改" in response.text
    assert member.history.count() == before


def test_new_mobile_number_signs_in(client, member_client, member):
    member_client.post(PROFILE, _contact(member, mobile="138-0000-1234"))
    member_client.post(reverse("portal:logout"))

    response = client.post(
        reverse("portal:login"), {"username": "13800001234", "password": "S3cure-pass-2026"}
    )

    assert response.status_code == 302
