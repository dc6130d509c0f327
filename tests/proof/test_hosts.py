"""The two-host drill: two web hosts over one PostgreSQL, one Redis and one object store.

Each "host" is a working directory of its own (its MEDIA_ROOT, STATIC_ROOT, TMPDIR and
beat schedule file), with gunicorn, a Celery worker and a Celery beat started there as
subprocesses; nothing reaches the other host through a disk. The database is the test
database, Redis a private redis-server, the object store moto's S3 server in a thread
of this process (tests/storage/conftest.py), with its check of signed URLs.

Seen as users see it, through the real forms:

- a member signs in on host A and is signed in on host B (sessions in the database);
- an attachment uploaded through the proposal form on A downloads through B (the /media/
  check, then the signed URL), for its member and the office's staff, and is refused
  to another member; neither host's disk holds it;
- a roster previewed on A is imported by the confirm step on B;
- wrong passwords counted on A and B together lock the account on both;
- two beats and two workers running the reminder sweeps at once deliver every reminder
  exactly once (the outbox's unique keys make the second scheduler harmless);
- clients keep requesting pages from both hosts while host A is killed (SIGKILL to its
  every process): every request to B succeeds, before, during and after.
"""

import collections
import contextlib
import datetime
import os
import re
import signal
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path

import pytest
import requests
import time_machine
from django.db import connection
from django.utils import timezone

from bench.common import free_port, redis_server, wait_for_port, worker_args
from briefings.models import Invitation
from liaison.celery import app as celery_app
from liaison.models import Notification
from liaison.outbox import deliver_pending
from members.models import Member
from proposals.models import Proposal, ProposalCategory
from tests.factories import (
    PASSWORD,
    OfficeFactory,
    activity_published,
    member_with_account,
    staff_user,
)
from tests.members.test_import_export import roster_row, xlsx_bytes
from tests.proof.drill_mail import delivered
from tests.proof.test_faults import _database_url, _use_broker
from tests.storage.conftest import new_bucket, s3_endpoint, storage_environment  # noqa: F401

pytestmark = [
    pytest.mark.hosts,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("members_prefer_email"),
]

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%two-hosts\n" * 50
TIMEOUT = 30  # seconds, for every request the drill makes
SENT = Notification.Status.SENT


class Host:
    """One web host: a working directory with gunicorn, a worker and a beat started in
    it, each in a process group of its own so that the host can be killed whole."""

    def __init__(self, name: str, workdir: Path, env: dict):
        self.name = name
        self.dir = workdir / name
        for folder in ("media", "static", "tmp", "logs"):
            (self.dir / folder).mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            env,
            MEDIA_ROOT=str(self.dir / "media"),
            TEST_MEDIA_ROOT=str(self.dir / "media"),
            STATIC_ROOT=str(self.dir / "static"),
            TMPDIR=str(self.dir / "tmp"),
            CELERY_BEAT_SCHEDULE_FILENAME=str(self.dir / "celerybeat-schedule"),
            HOME=str(self.dir),  # gunicorn's control socket is ~/.gunicorn/gunicorn.ctl
        )
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, role: str, args: list[str]) -> None:
        log = open(self.dir / "logs" / f"{role}.log", "wb")  # noqa: SIM115
        self.procs[role] = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=self.dir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def start_web(self) -> None:
        self.start(
            "web",
            [
                "gunicorn",
                "liaison.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "2",
                "--timeout",
                "30",
            ],
        )

    def start_worker(self) -> None:
        self.start("worker", worker_args(name=self.name))

    def start_beat(self) -> None:
        # At INFO: the drill counts the sweeps each beat sent in its log.
        self.env["LOG_LEVEL"] = "INFO"
        self.start("beat", ["celery", "-A", "tests.proof.hosts_celery", "beat", "-l", "INFO"])
        self.env["LOG_LEVEL"] = "WARNING"

    def wait_ready(self, timeout: float = 120) -> None:
        """Until /healthz answers 200: gunicorn listens before its workers have loaded
        the site, and the first request would wait for that."""
        wait_for_port(self.port, timeout=timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/healthz", timeout=timeout).status_code == 200:
                    return
            time.sleep(0.5)
        pytest.fail(f"host {self.name}: /healthz not 200 within {timeout} s\n{self.log('web')}")

    def log(self, role: str) -> str:
        return (self.dir / "logs" / f"{role}.log").read_text(errors="replace")

    def stop(self, role: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(role, None)
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
                proc.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # Whatever the group left behind (a gunicorn worker whose master died first).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)

    def kill(self) -> None:
        """The machine dies: every process of the host at once, nothing finishes."""
        for role in list(self.procs):
            self.stop(role, signal.SIGKILL)

    def stop_all(self) -> None:
        for role in list(self.procs):
            self.stop(role)

    def files_on_disk(self) -> list[Path]:
        return [p for p in (self.dir / "media").rglob("*") if p.is_file()]


@pytest.fixture
def broker():
    """A private redis-server: the one Redis both hosts share (broker, rate limits)."""
    with redis_server() as url:
        saved = celery_app.conf.broker_url
        _use_broker(url)  # what this process queues goes to the drill's Redis
        try:
            yield url
        finally:
            _use_broker(saved)


@pytest.fixture
def hosts(tmp_path, broker, s3_endpoint):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the two-host drill shares one PostgreSQL: DATABASE_URL=postgres://… (CI)")
    bucket = new_bucket(s3_endpoint)
    mail = tmp_path / "mail"
    mail.mkdir()
    env = dict(
        os.environ,
        **storage_environment(s3_endpoint, bucket.name),
        DJANGO_SETTINGS_MODULE="tests.proof.hosts_settings",
        DATABASE_URL=_database_url(),
        REDIS_URL=broker,
        DRILL_MAIL_DIR=str(mail),
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
    )
    env.pop("TEST_MEDIA_ROOT", None)
    pair = [Host("a", tmp_path, env), Host("b", tmp_path, env)]
    try:
        yield pair, bucket, mail
    finally:
        for host in pair:
            host.stop_all()


# --- What a browser does ------------------------------------------------------------------


class Browser(requests.Session):
    """A browser whose requests a load balancer may send to either host: one cookie jar
    (cookies do not name a port), the base URL given with each request."""

    def csrf(self, url: str) -> str:
        response = self.get(url, timeout=TIMEOUT)
        assert response.status_code == 200, (url, response.status_code)
        return self.cookies["csrftoken"]

    def sign_in(self, host: Host, username: str, password: str = PASSWORD, path="/portal/login/"):
        token = self.csrf(host.url + path)
        return self.post(
            host.url + path,
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": host.url + path},
            allow_redirects=False,
            timeout=TIMEOUT,
        )


def signed_in_browser(host: Host, username: str, path="/portal/login/") -> Browser:
    browser = Browser()
    response = browser.sign_in(host, username, path=path)
    assert response.status_code == 302, (username, response.status_code)
    return browser


def hidden_fields(html: str, action: str) -> dict:
    """The hidden inputs of the page's form posting to ``action``."""
    form = re.search(rf'<form[^>]*action="[^"]*{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action} on the page"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(1)):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = unescape(attrs.get("value", ""))
    return fields


# --- The drill ------------------------------------------------------------------------------


def test_two_hosts_share_files_sessions_lockouts_and_one_schedule_and_survive_a_kill(hosts):
    (a, b), bucket, mail = hosts
    office = OfficeFactory(code="jcy", name="韭菜园街道政协联络处", street="韭菜园街道")
    office_staff = staff_user(office, username="staff")
    member = member_with_account(office=office, name="唐朝阳", mobile="13900000001")
    neighbour = member_with_account(office=office, name="黄德军", mobile="13900000002")
    locked = member_with_account(office=office, name="李明", mobile="13900000003")
    # An activity in two days, published two days ago: its "please reply" reminder is
    # due now for each invited member who has not replied.
    invited = [
        member_with_account(
            office=office,
            name=f"委员{n}",
            email=f"invited{n}@example.cn",
            mobile=f"1370000000{n}",
        )
        for n in range(6)
    ]
    published = timezone.now() - datetime.timedelta(days=2)
    with time_machine.travel(published, tick=False):
        activity_published(
            office=office,
            actor=office_staff,
            members=invited,
            starts_at=published + datetime.timedelta(days=4, hours=1),
        )
    deliver_pending()  # the invitations went out before the drill
    before = set(Notification.objects.values_list("pk", flat=True))

    for host in (a, b):
        host.start_web()
        host.start_worker()
        host.start_beat()
    for host in (a, b):
        host.wait_ready()
    started = time.monotonic()

    # (b) A session made on A is a session on B.
    browser = signed_in_browser(a, member.mobile)
    page = browser.get(b.url + "/portal/", timeout=TIMEOUT)
    assert page.status_code == 200 and "唐朝阳" in page.text

    # (a) A file uploaded through A's form downloads through B, after B's check.
    token = browser.csrf(a.url + "/portal/proposals/new/")

    response = browser.post(
        a.url + "/portal/proposals/new/",
        data={
            "title": "关于增设社区养老服务站的建议",
            "category": ProposalCategory.objects.get(name="社区建设").pk,
            "reasons": "老龄化加快",
            "suggestions": "利用闲置用房",
            "csrfmiddlewaretoken": token,
        },
        files={"attachment": ("调研.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert response.status_code == 302, response.text[-2000:]
    proposal = Proposal.objects.get(lead_member=member)
    detail = browser.get(b.url + response.headers["Location"], timeout=TIMEOUT)
    assert detail.status_code == 200 and "调研.pdf" in detail.text
    link = proposal.attachments.get().file.url  # the /media/ link staff's pages give
    assert link.startswith("/media/")
    assert bucket.stored() == [f"media/{proposal.attachments.get().file.name}"]
    assert a.files_on_disk() == [] and b.files_on_disk() == []

    def download(who: Browser | None, host: Host):
        client = who or requests.Session()
        first = client.get(host.url + link, allow_redirects=False, timeout=TIMEOUT)
        if first.status_code != 302 or not first.headers["Location"].startswith(bucket.endpoint):
            return first.status_code, first.headers.get("Location", "")
        signed = requests.get(first.headers["Location"], timeout=TIMEOUT)
        return signed.status_code, signed.content

    assert download(browser, b) == (200, PDF)
    staff_browser = signed_in_browser(b, "staff", path="/admin/login/")
    assert download(staff_browser, b) == (200, PDF)
    assert download(staff_browser, a) == (200, PDF)
    status, _ = download(signed_in_browser(b, neighbour.mobile), b)
    assert status == 404  # another member of the same office
    status, location = download(None, b)
    assert status == 302 and location.startswith("/portal/login/")  # a visitor signs in first

    # A roster previewed through A's admin import is imported by the confirmation on B
    # (the file between the two steps is in the bucket, not in A's /tmp).
    token = staff_browser.csrf(a.url + "/admin/members/member/import/")
    roster = xlsx_bytes([roster_row(n, 委员编号=f"HOST{n:02d}") for n in range(3)])
    preview = staff_browser.post(
        a.url + "/admin/members/member/import/",
        data={"format": "0", "resource": "0", "csrfmiddlewaretoken": token},
        files={"import_file": ("名册.xlsx", roster)},
        timeout=TIMEOUT,
    )
    assert preview.status_code == 200 and "将新增 3 名委员" in preview.text
    confirmed = staff_browser.post(
        b.url + "/admin/members/member/process_import/",
        data=hidden_fields(preview.text, "process_import/"),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert confirmed.status_code == 302, confirmed.text[-2000:]
    assert Member.objects.filter(member_no__startswith="HOST", office=office).count() == 3
    assert a.files_on_disk() == [] and b.files_on_disk() == []
    assert not [key for key in bucket.stored() if "django-import-export" in key]

    # (c) Five wrong passwords, counted on A and B together, lock the account on both.
    stranger = Browser()
    for n, host in enumerate((a, b, a, b, a)):
        stranger.sign_in(host, locked.mobile, f"wrong-{n}")
    for host in (a, b):
        refused = Browser().sign_in(host, locked.mobile)
        assert refused.status_code == 429 and "账号已暂时锁定" in refused.text

    # (e) Two beats, two workers: every reminder delivered exactly once.
    since = Notification.objects.exclude(pk__in=before)
    emails = since.filter(channel=Notification.Channel.EMAIL)

    def all_delivered() -> bool:
        reminded = emails.filter(kind="activity_reply_reminder", status=SENT).count()
        return reminded == len(invited) and not emails.exclude(status=SENT).exists()

    deadline = time.monotonic() + 60
    while not all_delivered() or time.monotonic() - started < 8:
        assert time.monotonic() < deadline, "reminders not delivered within 60 s"
        time.sleep(0.5)
    for host in (a, b):
        host.stop("beat")
    time.sleep(2)  # the last sweeps they sent
    for host in (a, b):
        host.stop("worker")
    sweeps = {
        host.name: host.log("beat").count("Sending due task briefings-reminders") for host in (a, b)
    }
    assert min(sweeps.values()) >= 3, sweeps  # both schedulers were at work
    pending = Invitation.objects.filter(member__in=invited, reply=Invitation.Reply.PENDING)
    assert pending.count() == len(invited)
    assert sorted(
        emails.filter(kind="activity_reply_reminder").values_list("address", flat=True)
    ) == sorted(m.email for m in invited)
    # Each message written once to the mail server, however many sweeps found it due.
    assert not emails.exclude(status=SENT).exists()
    assert collections.Counter(delivered(mail)) == collections.Counter(
        emails.values_list("address", flat=True)
    )

    # (d) Under load, host A dies; every request sent to B succeeds.
    signed_in = [signed_in_browser(a, member.mobile), staff_browser]
    pages = [(0, "/portal/"), (1, "/admin/"), (0, "/portal/proposals/"), (1, "/admin/")]
    results: dict[str, list] = {"a": [], "b": []}
    killing = threading.Event()  # set just before the kill: requests in flight to A fail
    killed = threading.Event()
    stopping = threading.Event()

    def client(number: int):
        which, path = pages[number % len(pages)]
        who = Browser()  # a browser of its own per client, with the signed-in cookies
        who.cookies.update(signed_in[which].cookies)
        while not stopping.is_set():
            for host in (a, b):
                after = killed.is_set()  # sent after the kill
                try:
                    response = who.get(host.url + path, timeout=TIMEOUT, allow_redirects=False)
                    outcome = response.status_code
                except requests.RequestException as error:
                    outcome = type(error).__name__
                # "before": answered before the kill began.
                results[host.name].append((after, outcome, not killing.is_set()))
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        killing.set()
        a.kill()
        killed.set()
        time.sleep(4)
    finally:
        stopping.set()
        for thread in threads:
            thread.join(TIMEOUT + 5)
    to_b = [outcome for _after, outcome, _before in results["b"]]
    assert len(to_b) >= 20 and set(to_b) == {200}, collections.Counter(to_b)
    assert {outcome for _after, outcome, before in results["a"] if before} == {200}
    assert "ConnectionError" in {outcome for after, outcome, _before in results["a"] if after}
    assert sum(1 for after, _o, _b in results["b"] if after) >= 10  # B carried on alone
    # And B alone still serves the file uploaded through A.
    assert download(browser, b) == (200, PDF)
