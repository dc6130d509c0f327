import datetime
import re
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from briefings.models import Activity
from demo import areas
from liaison import roles
from liaison.models import HandlingUnit, Office, StatusChange
from members.models import Contribution, Member, PointEntry, PointRule
from members.strokes import stroke_sort_key
from proposals.models import Proposal
from tests.factories import OfficeFactory
from visits.models import Concern, Visit

from .timelines import timeline_faults

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def printed_member_sign_in(output: str) -> tuple[str, str]:
    mobile = re.search(r"手机号 (1\d{10})", output).group(1)
    password = re.search(r"密码均为 (\S+?)）", output).group(1)
    return mobile, password


def test_small_demo_is_one_street_with_stroke_ordered_members():
    seed()

    assert Office.objects.get().name == "韭菜园街道政协联络处"
    members = list(Member.objects.all())
    assert len(members) == 60
    # bulk_create bypasses Member.save(), so the key must have been computed by the seed.
    assert all(m.stroke_key == stroke_sort_key(m.name) for m in members)
    assert len({m.mobile for m in members}) == 60
    assert {"康熙", "唐朝阳", "黄德军", "曹胜阳"} <= {m.name for m in members}
    assert Member.objects.filter(status=Member.Status.SERVING).count() >= 50
    assert HandlingUnit.objects.filter(office=None).exists()
    assert HandlingUnit.objects.filter(office__isnull=False, name="城管科").exists()


def test_demo_carries_the_hotel_tax_story():
    seed()

    taxes = list(
        Contribution.objects.filter(member__name="康熙", kind=Contribution.Kind.TAX).order_by(
            "year"
        )
    )
    assert taxes[0].amount == 600_000
    assert len(taxes) == 4 and all(t.amount > 1_000_000 for t in taxes[1:])
    assert (
        Contribution.objects.filter(
            member__name="康熙", kind=Contribution.Kind.AWARD, title__contains="纳税贡献奖"
        ).count()
        == 4
    )
    assert Contribution.objects.filter(member__name="唐朝阳", title__contains="创业之星").exists()
    assert (
        Contribution.objects.filter(
            kind=Contribution.Kind.DONATION, title__contains="八一路小学"
        ).count()
        >= 2
    )


def test_demo_has_birthdays_in_the_coming_week():
    seed()

    today = timezone.localdate()
    coming = {(today + datetime.timedelta(days=d)).strftime("%m%d") for d in range(7)}
    birthdays = [m.birth_date.strftime("%m%d") for m in Member.objects.exclude(birth_date=None)]
    assert any(day in coming for day in birthdays)


def test_printed_member_signs_in_to_the_portal_with_mobile_and_password(client):
    output = seed()
    mobile, password = printed_member_sign_in(output)

    response = client.post(reverse("portal:login"), {"username": mobile, "password": password})

    assert response.status_code == 302
    member = Member.objects.get(mobile=mobile)
    assert client.session["_auth_user_id"] == str(member.user_id)
    assert member.user.groups.filter(name=roles.MEMBER).exists()
    assert member.user.username == member.member_no


def test_printed_staff_and_leader_accounts_have_their_roles():
    output = seed()
    _, password = printed_member_sign_in(output)
    staff_name = re.search(r"用户名 (staff_\w+)", output).group(1)
    user_model = get_user_model()

    staff = user_model.objects.get(username=staff_name)
    assert staff.is_staff and staff.office.code == "jcy"
    assert staff.groups.filter(name=roles.OFFICE_STAFF).exists()
    assert staff.check_password(password)
    leader = user_model.objects.get(username="leader")
    assert leader.groups.filter(name=roles.COMMITTEE_LEADER).exists()
    district = user_model.objects.get(username="district")
    assert district.groups.filter(name=roles.DISTRICT_STAFF).exists()
    assert user_model.objects.get(username="admin").is_superuser


def test_seeding_twice_is_harmless_and_prints_the_sign_ins_again():
    first = seed()
    counts = (Member.objects.count(), get_user_model().objects.count())

    second = seed()

    assert (Member.objects.count(), get_user_model().objects.count()) == counts
    assert "已存在" in second
    assert printed_member_sign_in(second) == printed_member_sign_in(first)


def test_reset_rebuilds_the_same_demo_without_duplicates():
    seed()
    names = list(Member.objects.order_by("member_no").values_list("name", flat=True))

    seed("--reset")

    assert list(Member.objects.order_by("member_no").values_list("name", flat=True)) == names
    assert Office.objects.count() == 1
    # The old demo's history went with it: one "created" row per member remains.
    assert Member.history.count() == len(names)


def test_demo_is_not_written_into_a_database_holding_real_offices():
    OfficeFactory(code="real", name="真实联络处")

    output = seed()

    assert "未写入" in output
    assert not Member.objects.exists()
    assert Office.objects.count() == 1


def test_demo_points_keep_to_the_rules_staff_configured():
    # Staff may cap every kind and switch a rule off (DOMAIN.md: a configurable rules
    # table with a cap per year); the demo's ledger then keeps to them as points_award does.
    PointRule.objects.update(yearly_cap=12)
    PointRule.objects.filter(kind=PointRule.Kind.ABSENT_WITHOUT_LEAVE).update(is_active=False)

    seed()

    totals = PointEntry.objects.values("member", "kind", "year").annotate(total=Sum("points"))
    assert totals.filter(total=12).exists()  # some reached a cap
    assert not totals.filter(total__gt=12).exists()
    assert not PointEntry.objects.filter(kind=PointRule.Kind.ABSENT_WITHOUT_LEAVE).exists()


@pytest.mark.parametrize("day", [datetime.date(2026, 1, 8), datetime.date(2026, 7, 1)])
def test_a_demo_seeded_on_any_day_has_timelines_its_workflows_allow(day):
    # The start of the year and of its second half squeeze every record's history into
    # a few days (the module test_seeded reads one seeded in October).
    with time_machine.travel(datetime.datetime(2026, day.month, day.day, 9, tzinfo=SHANGHAI)):
        seed()

    assert timeline_faults(day)[0] == []


def test_a_failed_seed_leaves_no_half_demo(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the disk is full")

    last = areas.AREAS[-1]
    monkeypatch.setattr(
        areas, "AREAS", [*areas.AREAS[:-1], areas.Area(last.name, fail, last.reset)]
    )

    with pytest.raises(RuntimeError):
        seed()

    for model in (Office, Member, Proposal, Activity, Visit, Concern, StatusChange, PointEntry):
        assert not model.objects.exists(), model
    assert not get_user_model().objects.exists()
