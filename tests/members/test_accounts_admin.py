"""Staff open, re-send and disable members' portal accounts from the roster (issue 13
item 1, staff side)."""

import datetime
import re
import subprocess

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from liaison import tasks
from liaison.models import Job, Notification
from liaison.outbox import deliver_pending
from liaison.sms import BaseSmsBackend
from members import tasks as member_tasks
from members.dashboard import reach_panel
from members.models import AccountInvitation, Member
from tests.factories import PASSWORD, MemberFactory, OfficeFactory, member_with_account
from tests.liaison.test_jobs import queued  # noqa: F401  (the fixture)
from tests.members.test_admin import bulk_members
from tests.members.test_import_export import (
    HEADERS,
    admin_confirm,
    admin_preview,
    csv_text,
    roster_row,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:members_member_changelist")


def _act(client, action, members, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [m.pk for m in members], **extra},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _state_cell(client, member) -> str:
    page = client.get(CHANGELIST, {"q": member.member_no}).content.decode()
    start = page.index('class="field-account_state_display"')
    return page[start : page.index("</td>", start)]


@pytest.fixture
def roster(office):
    return [
        MemberFactory(office=office, name="石磊", mobile="13600000001"),
        MemberFactory(office=office, name="罗敏", mobile="13600000002", email=""),
    ]


def test_staff_open_accounts_for_selected_members(staff_client, roster, sms):
    response = _act(staff_client, "open_accounts", roster)

    assert "已为 2 名委员开通账号并发送激活邀请。" in _messages(response)
    for member in roster:
        member.refresh_from_db()
        assert member.user is not None and not member.user.is_active
        assert [t for t in sms.texts_to(member.mobile) if "/portal/activate/" in t]


def test_roster_shows_each_members_account_state(staff_client, roster, sms, settings, member):
    shi, luo = roster
    assert "未开通" in _state_cell(staff_client, shi)

    _act(staff_client, "open_accounts", [shi, luo])
    cell = _state_cell(staff_client, shi)
    assert "已邀请" in cell and "短信" in cell and "待发送" in cell

    sms.deliver()
    assert "已发送" in _state_cell(staff_client, shi)

    settings.SMS_BACKEND = "tests.members.test_accounts_admin.BrokenGateway"
    _act(staff_client, "resend_invitations", [luo])
    settings.OUTBOX_MAX_ATTEMPTS = 1
    deliver_pending()
    assert "发送失败" in _state_cell(staff_client, luo)

    assert "已激活" in _state_cell(staff_client, member)
    assert "尚未登录" in _state_cell(staff_client, member)

    invited = staff_client.get(CHANGELIST, {"account": "invited"}).context["cl"].result_list
    assert {m.pk for m in invited} == {shi.pk, luo.pk}


class BrokenGateway(BaseSmsBackend):
    def send(self, phone, text, **kwargs):
        raise TimeoutError("gateway timed out")


def test_already_active_account_is_not_invited_again(staff_client, member, sms):
    response = _act(staff_client, "open_accounts", [member])

    assert "1 名委员的账号已激活，未重复发送。" in _messages(response)
    assert not AccountInvitation.objects.exists()
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_member_no_longer_serving_is_refused_and_the_rest_opened(staff_client, roster, office):
    gone = MemberFactory(office=office, name="陈静", status=Member.Status.TERM_ENDED)

    response = _act(staff_client, "open_accounts", [gone, *roster])

    messages = _messages(response)
    assert "已为 2 名委员开通账号并发送激活邀请。" in messages
    assert any("陈静已不在任" in m for m in messages)
    gone.refresh_from_db()
    assert gone.user is None


def test_resend_sends_a_new_link_and_voids_the_old(staff_client, roster, sms):
    shi = roster[0]
    _act(staff_client, "open_accounts", [shi])

    response = _act(staff_client, "resend_invitations", [shi])

    assert "已向 1 名委员重新发送激活邀请。" in _messages(response)
    invitations = AccountInvitation.objects.filter(member=shi)
    assert invitations.count() == 2
    assert invitations.filter(revoked_at__isnull=True).count() == 1


def test_disabled_account_cannot_sign_in(staff_client, member, client):
    response = _act(staff_client, "disable_accounts", [member])

    assert "已停用 1 名委员的平台账号。" in _messages(response)
    assert "已停用" in _state_cell(staff_client, member)
    staff_client.logout()
    sign_in = client.post(
        reverse("portal:login"), {"username": member.mobile, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert sign_in.status_code == 200


def test_member_who_leaves_office_is_disabled(staff_client, member):
    change = reverse("admin:members_member_change", args=[member.pk])
    form = staff_client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields and name != "photo"
    }
    data.update(
        {
            "status": Member.Status.TERM_ENDED,
            "term": member.term_id,
            "sector": member.sector_id,
            "affiliation": member.affiliation_id,
            "birth_date": "1970-05-17",
            "contributions-TOTAL_FORMS": "0",
            "contributions-INITIAL_FORMS": "0",
        }
    )

    response = staff_client.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    member.user.refresh_from_db()
    assert not member.user.is_active
    assert member.history.first().history_change_reason == "委员离任，停用委员服务平台账号"


def test_gbk_import_with_open_accounts_ticked_invites_every_imported_member(
    staff_client, staff, sms
):
    rows = [roster_row(i) for i in range(20)]
    rows[3]["手机号码"] = ""
    data = csv_text(rows, headers=HEADERS).encode("gbk")
    upload_page = staff_client.get(reverse("admin:members_member_import")).content.decode()
    assert "开通账号" in upload_page

    preview = admin_preview_with_accounts(staff_client, data)
    assert "将为导入的在任委员开通委员平台账号" in preview.content.decode()
    done = admin_confirm(staff_client, preview)

    assert done.status_code == 302
    assert AccountInvitation.objects.count() == 20
    assert Notification.objects.filter(kind="account-invitation", channel="sms").count() == 19
    assert AccountInvitation.objects.get(member__member_no="FR00003").channel == "email"


def admin_preview_with_accounts(client, data):
    upload = SimpleUploadedFile("名册.csv", data)
    return client.post(
        reverse("admin:members_member_import"),
        {"format": "1", "resource": "0", "import_file": upload, "open_accounts": "on"},
    )


def test_import_without_open_accounts_opens_none(staff_client, staff):
    data = csv_text([roster_row(i) for i in range(2)], headers=HEADERS).encode("gbk")

    admin_confirm(staff_client, admin_preview(staff_client, data, name="名册.csv", fmt="1"))

    assert Member.objects.count() == 2
    assert not AccountInvitation.objects.exists()


# --- large batches: the worker does them --------------------------------------------


@pytest.mark.usefixtures("queued")
@pytest.mark.parametrize("count", [60, 600])
def test_opening_many_accounts_returns_at_once_with_a_progress_page(
    staff_client, staff, count, django_assert_num_queries
):
    bulk_members(staff.office, count)

    with django_assert_num_queries(OPEN_MANY_QUERIES):
        response = _open_all(staff_client)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == job.get_absolute_url()
    assert (job.kind, job.total) == ("members.accounts_open", count)
    assert not AccountInvitation.objects.exists()  # nothing done in the request
    assert "<progress" in staff_client.get(response.url).content.decode()


def _open_all(client):
    """Select all N members, then the action, as the changelist posts it."""
    return client.post(
        CHANGELIST,
        {
            "action": "open_accounts",
            "select_across": "1",
            "index": "0",
            "_selected_action": [Member.objects.values_list("pk", flat=True).first()],
        },
    )


# The same at any size (the changelist the action is taken from, its filters and count,
# the members' ids in one query, the job's insert, the data stamp moved at the end of
# the use case): nothing per member.
OPEN_MANY_QUERIES = 22


@pytest.mark.usefixtures("queued")
def test_the_worker_opens_the_accounts_and_shows_the_result(staff_client, staff):
    bulk_members(staff.office, 60)
    MemberFactory(office=staff.office, name="陈静", status=Member.Status.TERM_ENDED)
    response = _open_all(staff_client)

    tasks.run_job(Job.objects.get().pk)

    job = Job.objects.get()
    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (61, 61)
    assert AccountInvitation.objects.count() == 60
    page = staff_client.get(response.url).content.decode()
    assert "已为 60 名委员开通账号并发送激活邀请。" in page
    assert "陈静已不在任" in page


# --- activation letters -------------------------------------------------------------


def test_staff_print_activation_letters_one_page_per_member(staff_client, office, tmp_path):
    no_phone = [
        MemberFactory(office=office, name="石磊", mobile="", email="", member_no="FR70001"),
        MemberFactory(office=office, name="罗敏", mobile="", email="", member_no="FR70002"),
    ]
    _act(staff_client, "open_accounts", no_phone)

    response = _act(staff_client, "print_activation_letters", no_phone)

    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "letters.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 2
    assert "尊敬的石磊委员" in pages[0] and "FR70001" in pages[0]
    assert "尊敬的罗敏委员" in pages[1] and "FR70002" in pages[1]
    code = re.search(r"激活码：\s*([A-Z0-9]{5}-[A-Z0-9]{5})", pages[0]).group(1)
    # The printed code opens the activation page; the one sent before is void.
    staff_client.logout()
    assert staff_client.post(reverse("portal:activate"), {"code": code}).status_code == 302
    assert AccountInvitation.objects.filter(member=no_phone[0], revoked_at=None).get().channel == (
        "letter"
    )


def test_letters_for_an_active_account_are_refused(staff_client, member):
    response = _act(staff_client, "print_activation_letters", [member])

    assert response["Content-Type"].startswith("text/html")
    assert any("已激活" in m for m in _messages(response))


# --- reach on the admin index -------------------------------------------------------


def _reach_rows(client) -> list[dict]:
    panels = client.get(reverse("admin:index")).context["panels"]
    return next(p for p in panels if p.title == "委员平台账号").context["rows"]


def test_admin_index_shows_the_reach_of_the_portal(staff_client, staff, roster, member, sms):
    office = staff.office
    MemberFactory(office=office, name="陈静")  # no account
    _act(staff_client, "open_accounts", roster)
    sms.deliver()
    Notification.objects.create(
        office=office,
        channel="sms",
        kind="x",
        dedupe_key="x",
        subject="x",
        body="x",
        address="13600000009",
        status=Notification.Status.FAILED,
    )
    member.user.last_login = timezone.now() - datetime.timedelta(days=91)
    member.user.save()
    recent = member_with_account(office=office, name="刘洋")
    recent.user.last_login = timezone.now() - datetime.timedelta(days=3)
    recent.user.save()

    (row,) = _reach_rows(staff_client)

    assert (row["active"], row["invited"], row["without"]) == (2, 2, 1)
    assert (row["sms_sent"], row["sms_failed"]) == (2, 1)
    assert row["dormant"] == 1
    assert row["office"] == office
    page = staff_client.get(reverse("admin:index")).content.decode()
    dormant_link = f"{CHANGELIST}?account=dormant&amp;status__exact=serving&amp;office__id__exact="
    assert dormant_link in page
    listed = staff_client.get(
        CHANGELIST,
        {"account": "dormant", "status__exact": "serving", "office__id__exact": office.pk},
    )
    assert [m.name for m in listed.context["cl"].result_list] == ["唐朝阳"]


def test_reach_panel_shows_only_the_staff_members_office(staff_client, staff, other_office):
    MemberFactory(office=other_office)

    panel_rows = _reach_rows(staff_client)

    assert [r["office"] for r in panel_rows] == [staff.office]


@pytest.mark.parametrize("offices", [1, 6])
def test_reach_panel_costs_the_same_queries_however_many_offices_and_members(
    rf, district_staff, offices, django_assert_num_queries
):
    for n in range(offices):
        bulk_members(OfficeFactory(), 20 * (n + 1), start=1000 * n)
    request = rf.get("/admin/")
    request.user = district_staff

    # First view: the user's permissions (2), whether the offices are in several
    # districts (once a request: the city's staff see the panel per district), the
    # offices, the kept figures (none yet), then the members' counts, the month's SMS
    # and keeping them.
    with django_assert_num_queries(8):
        panel = reach_panel(request)
    # Every later view reads the offices and their kept figures (the permissions are
    # cached on the user by now): no member is counted.
    with django_assert_num_queries(2):
        again = reach_panel(request)

    assert len(panel.context["rows"]) == offices
    assert sum(r["without"] for r in panel.context["rows"]) == 20 * offices * (offices + 1) // 2
    assert [r["without"] for r in again.context["rows"]] == [
        r["without"] for r in panel.context["rows"]
    ]


def test_reach_panel_follows_changes_to_the_offices_accounts(staff_client, staff, roster):
    office = staff.office
    before = _reach_rows(staff_client)[0]
    MemberFactory(office=office, name="陈静")  # a new member, no account

    _act(staff_client, "open_accounts", roster)
    after = _reach_rows(staff_client)[0]

    assert after["without"] == before["without"] - len(roster) + 1
    assert after["invited"] == before["invited"] + len(roster)


def test_the_worker_recounts_members_who_became_dormant(staff_client, staff):
    member = member_with_account(office=staff.office, name="刘洋")
    User = type(member.user)
    User.objects.filter(pk=member.user.pk).update(last_login=timezone.now())
    assert _reach_rows(staff_client)[0]["dormant"] == 0
    # 91 days on, with no write to mark the office: the ten-minute count finds it.
    User.objects.filter(pk=member.user.pk).update(
        last_login=timezone.now() - datetime.timedelta(days=91)
    )
    assert _reach_rows(staff_client)[0]["dormant"] == 0

    assert member_tasks.count_account_reach() >= 1

    assert _reach_rows(staff_client)[0]["dormant"] == 1
    assert "统计于" in staff_client.get(reverse("admin:index")).content.decode()


def test_roster_import_marking_a_member_as_term_ended_disables_the_account(staff_client, staff):
    leaving = member_with_account(office=staff.office, member_no="FR00001", name="王芳")
    data = csv_text([roster_row(1, 状态="届满")], headers=HEADERS).encode("gbk")

    admin_confirm(staff_client, admin_preview(staff_client, data, name="名册.csv", fmt="1"))

    leaving.user.refresh_from_db()
    assert not leaving.user.is_active
    assert leaving.history.first().history_change_reason == "委员离任，停用委员服务平台账号"
