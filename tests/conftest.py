"""Personas shared by every test: office staff, a member, another member, a committee
leader, staff of another office and district staff."""

import pytest

from liaison import roles

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


SERIAL_MARKERS = ("fault", "broker", "browser", "bench")


def pytest_collection_modifyitems(items):
    """Fault drills, the real broker, the browser and the benchmark's sweep share ports,
    processes and the machine's time: under pytest-xdist (bin/test) one worker runs
    them, one at a time."""
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


@pytest.fixture
def office(db):
    return OfficeFactory(code="jcy", name="韭菜园街道政协联络处", street="韭菜园街道")


@pytest.fixture
def other_office(db):
    return OfficeFactory(code="dtb", name="东屯渡街道政协联络处", street="东屯渡街道")


@pytest.fixture
def staff(office):
    return staff_user(office, username="staff", full_name="周文静")


@pytest.fixture
def other_staff(other_office):
    return staff_user(other_office, username="other_staff", full_name="吴海")


@pytest.fixture
def district_staff(db):
    return UserFactory(username="district", full_name="区政协办", role=roles.DISTRICT_STAFF)


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
