"""Personas shared by every test: office staff, a member, another member, a committee
leader, staff of another office and district staff."""

import re

import pytest

from liaison import roles
from liaison.models import City, District
from liaison.outbox import deliver_pending
from liaison.sms import LocmemSmsBackend
from members.models import VerificationCode
from members.verification import verification_code_send

from . import migrated_db
from .factories import (
    OfficeFactory,
    UserFactory,
    member_with_account,
    staff_user,
)


@pytest.fixture(scope="session")
def django_db_keepdb(django_db_keepdb, django_db_createdb, django_db_modify_db_settings):
    """A migrated database kept by an earlier run is used as it is (see migrated_db).
    After django_db_modify_db_settings: under pytest-xdist each worker's database name
    gets its suffix there, and the kept copy must land under that name."""
    if django_db_keepdb or django_db_createdb:
        return django_db_keepdb
    return migrated_db.restore()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_keepdb, django_db_blocker, request):
    reuse = request.config.getvalue("reuse_db")
    if not reuse:
        with django_db_blocker.unblock():
            migrated_db.keep()
    yield
    if django_db_keepdb and not reuse:
        migrated_db.discard()


SERIAL_MARKERS = ("fault", "broker", "browser", "deploy", "hosts", "bench")


def pytest_collection_modifyitems(items):
    """Fault drills, the real broker, the browser, the deployment and two-host drills
    and the benchmark's sweep share ports, processes and the machine's time: under
    pytest-xdist (bin/test) one worker runs them, one at a time."""
    for item in items:
        if any(item.get_closest_marker(name) for name in SERIAL_MARKERS):
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids repeat between tests (rolled back), so
    a cached page from one test could otherwise answer the next."""
    from django.core.cache import cache

    cache.clear()


# The levels an installation runs at (issue 21): "district" — one district, its staff
# bound to no district (the installation as it was); "city-district" — a city of two
# districts, ``district_staff`` bound to the district of ``office`` and ``other_office``;
# "city" — the same city, ``district_staff`` the city's (bound to none) and
# ``other_office`` in the second district. A test module marked ``levels`` runs each of
# its tests that use ``office`` or ``district_staff`` at all three; others run at
# "district".
LEVELS = ("district", "city-district", "city")


def pytest_generate_tests(metafunc):
    scoped = {"district_staff", "office"} & set(metafunc.fixturenames)
    if scoped and metafunc.definition.get_closest_marker("levels"):
        metafunc.parametrize("level", LEVELS, indirect=True)


@pytest.fixture
def level(request):
    return getattr(request, "param", "district")


@pytest.fixture
def districts(db, level):
    """(the district of ``office``, the other district or ``None``)."""
    if level == "district":
        return District.objects.get_or_create(name="芙蓉区")[0], None
    city = City.objects.get_or_create(name="长沙市")[0]
    home = District.objects.update_or_create(name="芙蓉区", defaults={"city": city})[0]
    return home, District.objects.get_or_create(name="天心区", defaults={"city": city})[0]


@pytest.fixture
def office(districts):
    return OfficeFactory(
        code="jcy", name="韭菜园街道政协联络处", street="韭菜园街道", district=districts[0]
    )


@pytest.fixture
def other_office(districts, level):
    district = districts[1] if level == "city" else districts[0]
    return OfficeFactory(
        code="dtb", name="东屯渡街道政协联络处", street="东屯渡街道", district=district
    )


@pytest.fixture
def foreign_office(districts):
    """An office of another district (a city installation), or ``None``."""
    if districts[1] is None:
        return None
    return OfficeFactory(
        code="pqj", name="坡子街街道政协联络处", street="坡子街街道", district=districts[1]
    )


@pytest.fixture
def staff(office):
    return staff_user(office, username="staff", full_name="周文静")


@pytest.fixture
def other_staff(other_office):
    return staff_user(other_office, username="other_staff", full_name="吴海")


@pytest.fixture
def district_staff(districts, level):
    return UserFactory(
        username="district",
        full_name="区政协办",
        role=roles.DISTRICT_STAFF,
        district=districts[0] if level == "city-district" else None,
    )


@pytest.fixture
def leader(office):
    return UserFactory(
        username="leader", full_name="街道党工委书记", office=office, role=roles.COMMITTEE_LEADER
    )


@pytest.fixture
def member(office):
    return member_with_account(office=office, name="唐朝阳", mobile="13900000001")


@pytest.fixture
def other_member(office):
    return member_with_account(office=office, name="黄德军", mobile="13900000002")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


class SmsPhone:
    """The phones of the test: SMS kept by the locmem backend. ``deliver()`` does what
    the worker does — sends the verification codes asked for and the outbox's rows."""

    def __init__(self, outbox):
        self.outbox = outbox

    def deliver(self):
        for pk in VerificationCode.objects.filter(code_hash="").values_list("pk", flat=True):
            verification_code_send(code_id=pk)
        deliver_pending()

    def texts_to(self, mobile: str) -> list[str]:
        self.deliver()
        return [text for phone, text in self.outbox if phone == mobile]

    def last_code(self, mobile: str) -> str:
        texts = [t for t in self.texts_to(mobile) if "验证码" in t]
        assert texts, f"no code sent to {mobile}"
        return re.search(r"验证码是(\d{6})", texts[-1]).group(1)


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "liaison.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return SmsPhone(LocmemSmsBackend.outbox)


@pytest.fixture
def members_prefer_email():
    """For tests about what a member is told and when, written before members chose
    their channels (members/notifications.py): every member created during the test
    takes every kind of message by e-mail. Use it through ``usefixtures`` so that it
    is in place before the persona fixtures create their members."""
    from django.db.models.signals import pre_save

    from members.models import DELIVERY_FIELDS, Member

    def prefer_email(sender, instance, **kwargs):
        if instance._state.adding:
            for name in DELIVERY_FIELDS:
                setattr(instance, name, "email")

    pre_save.connect(prefer_email, sender=Member, weak=False, dispatch_uid="prefer_email")
    yield
    pre_save.disconnect(sender=Member, dispatch_uid="prefer_email")
