import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from liaison import roles
from members.services import member_portal_account_create, member_update_contact
from tests.factories import PASSWORD, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- member_portal_account_create -----------------------------------------------------


def test_portal_account_uses_member_number_email_and_name(office, staff):
    member = MemberFactory(office=office, name="唐朝阳", member_no="FR90001", email="t@example.cn")

    user = member_portal_account_create(member=member, password=PASSWORD, actor=staff)

    member.refresh_from_db()
    assert member.user == user
    assert user.username == "FR90001"
    assert user.email == "t@example.cn"
    assert user.full_name == "唐朝阳"
    assert user.groups.filter(name=roles.MEMBER).exists()
    assert not user.is_staff


def test_member_can_sign_in_with_mobile_or_member_number_after_account_created(office, staff, rf):
    member = MemberFactory(office=office, member_no="FR90002", mobile="13712345678")
    user = member_portal_account_create(member=member, password=PASSWORD, actor=staff)

    for name in ("13712345678", "FR90002"):
        request = rf.post("/portal/login/")
        assert authenticate(request, username=name, password=PASSWORD) == user


def test_account_opened_without_password_waits_for_activation(office, staff):
    member = MemberFactory(office=office)

    user = member_portal_account_create(member=member, actor=staff)

    assert not user.is_active
    assert not user.has_usable_password()
    assert member.invitations.count() == 1


def test_account_creation_is_recorded_in_member_history(office, staff):
    member = MemberFactory(office=office)

    member_portal_account_create(member=member, password=PASSWORD, actor=staff)

    latest = member.history.first()
    assert latest.history_user == staff
    assert latest.history_change_reason == "开通委员服务平台账号"
    assert latest.user_id == member.user_id


def test_running_account_creation_twice_keeps_one_account_and_password(office, staff):
    member = MemberFactory(office=office)
    first = member_portal_account_create(member=member, password=PASSWORD, actor=staff)

    second = member_portal_account_create(member=member, actor=staff)

    assert second.pk == first.pk
    assert second.check_password(PASSWORD)


def test_account_name_held_by_another_member_is_refused(office, staff):
    # A stray account named after this member's number already belongs to someone else.
    clash = UserFactory(username="FR-CLASH")
    MemberFactory(office=office, member_no="FR-CLASH-OWNER", user=clash)
    victim = MemberFactory(office=office, member_no="FR-CLASH")

    with pytest.raises(ValidationError, match="已属于其他委员"):
        member_portal_account_create(member=victim, password=PASSWORD, actor=staff)
    victim.refresh_from_db()
    assert victim.user is None


# --- member_update_contact ------------------------------------------------------------


def test_contact_update_changes_only_contact_fields_and_syncs_account(member):
    changed = member_update_contact(
        member=member,
        actor=member.user,
        mobile="138 0000 1234",
        office_phone="0731-84112233",
        email="new@example.cn",
        wechat="tcy2026",
    )

    member.refresh_from_db()
    member.user.refresh_from_db()
    assert set(changed) == {"mobile", "office_phone", "email", "wechat"}
    assert member.mobile == "13800001234"
    assert member.office_phone == "0731-84112233"
    assert member.user.email == "new@example.cn"
    assert member.user.phone == "13800001234"


def test_contact_update_refuses_official_fields(member):
    with pytest.raises(ValueError, match="name"):
        member_update_contact(member=member, actor=member.user, name="改名")
    member.refresh_from_db()
    assert member.name == "唐朝阳"


def test_contact_update_records_who_and_what_in_history(member):
    member_update_contact(member=member, actor=member.user, office_phone="0731-84000001")

    latest = member.history.first()
    assert latest.history_user == member.user
    assert latest.history_change_reason == "更新联系方式：办公电话"
    assert latest.office_phone == "0731-84000001"


def test_unchanged_contact_writes_no_history(member):
    before = member.history.count()

    changed = member_update_contact(member=member, actor=member.user, mobile=member.mobile)

    assert changed == []
    assert member.history.count() == before


@pytest.mark.parametrize("bad", ["1390000000", "23900000001", "139000000012", "1390000000a"])
def test_contact_update_rejects_malformed_mobile(member, bad):
    with pytest.raises(ValidationError) as excinfo:
        member_update_contact(member=member, actor=member.user, mobile=bad)
    assert "11 位" in excinfo.value.message_dict["mobile"][0]


def test_contact_update_rejects_mobile_of_another_member(member, other_member):
    with pytest.raises(ValidationError) as excinfo:
        member_update_contact(member=member, actor=member.user, mobile=other_member.mobile)

    assert "其他委员" in excinfo.value.message_dict["mobile"][0]
    member.refresh_from_db()
    assert member.mobile == "13900000001"


def test_contact_update_rejects_bad_email(member):
    with pytest.raises(ValidationError) as excinfo:
        member_update_contact(member=member, actor=member.user, email="not-an-address")
    assert "email" in excinfo.value.message_dict
