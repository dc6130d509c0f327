"""The deployment drill: the README's production guide, run on this machine.

A copy of the repository is installed under a temporary prefix by bin/install-production
(LIAISON_PREFIX moves every path: /srv/liaison, /etc/liaison, /var/lib/liaison, …), with
the venv made from Debian's own Python (/usr/bin/python3) — its packages are this test
environment's, put on its path, so no download is needed. The services are started the
way systemd would start them: each unit's ExecStart, User, WorkingDirectory,
EnvironmentFile, Environment, UMask and Runtime/StateDirectory, as a non-root service
user. nginx runs the repository's site file with the prefix's self-signed certificate
on high ports. Then, as a user would see it: static files (one Cache-Control, gzip),
/healthz on both ports, staff signing in over HTTPS, an uploaded file sent by nginx
through X-Accel-Redirect with every security header to its office's staff and to no one
else, a reminder delivered by beat's sweep and the worker, failed sign-ins recorded
under the client's real address (not the proxy's, not a forged one), then a backup by
the backup unit and a restore into a new database and media folder with equal rows and
files.
"""

import contextlib
import hashlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
import urllib3
from django.db import connection
from requests.adapters import HTTPAdapter

from bench.common import free_port, redis_server

pytestmark = pytest.mark.deploy

ROOT = Path(__file__).resolve().parents[2]
SERVICE_USER = "liaison-drill"
SYSTEM_PYTHON = "/usr/bin/python3"
PNG = b"\x89PNG\r\n\x1a\n" + b"drill-photo" * 10


# --- What systemd would read --------------------------------------------------------------


def read_environment_file(path: Path) -> dict:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them: comment lines skipped,
    one pair of surrounding quotes removed, anything else (an inline "# …") kept."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def read_unit(path: Path) -> dict:
    """The [Service] section of a unit: each key with its values in order."""
    section, service = None, {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            service.setdefault(key, []).append(value)
    return service


def test_the_environment_example_reads_alike_in_systemd_and_in_the_shell():
    """No inline comments, every value quoted: systemd and `set -a; . env` agree, and the
    Chinese sender with its angle brackets survives both."""
    example = ROOT / "deploy" / "liaison.env.example"
    shell = subprocess.run(
        ["bash", "-c", f'set -a; . "{example}"; env -0'],
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        check=True,
    ).stdout.decode()
    from_shell = dict(item.split("=", 1) for item in shell.split("\0") if "=" in item)
    from_systemd = read_environment_file(example)
    assert from_systemd["MEDIA_ACCEL_REDIRECT"] == "/protected-media/"
    assert from_systemd["DEFAULT_FROM_EMAIL"] == "政协联络处 <noreply@lianluo.example.org>"
    assert {key: from_shell.get(key) for key in from_systemd} == from_systemd


# --- The drill ------------------------------------------------------------------------------


def _service_account():
    """(uid, gid) of the non-root system user the services run as (made by
    bin/install-production with LIAISON_USER)."""
    account = pwd.getpwnam(SERVICE_USER)
    return account.pw_uid, account.pw_gid


class Site:
    """The installed prefix and the processes started from its units."""

    def __init__(self, prefix: Path, database: str):
        self.prefix = prefix
        self.database = database
        self.app = prefix / "srv/liaison/app"
        self.env_file = prefix / "etc/liaison/env"
        self.media = prefix / "var/lib/liaison/media"
        self.mail = prefix / "var/lib/liaison/mail"
        self.https = free_port()
        self.http = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = prefix / "logs"
        self.home = prefix / "var/lib/liaison"  # the service user's home (useradd)

    @property
    def url(self):
        return f"https://127.0.0.1:{self.https}"

    def _as_service(self, umask=0o027):
        uid, gid = _service_account()
        return {"user": uid, "group": gid, "extra_groups": [], "umask": umask}

    def unit_command(self, name: str) -> tuple[list[str], dict, Path, int]:
        """The unit's ExecStart, environment, working directory and umask, and its
        Runtime/StateDirectory made as systemd makes them."""
        unit = read_unit(self.prefix / "etc/systemd/system" / name)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.home)}
        for path in unit.get("EnvironmentFile", []):
            env.update(read_environment_file(Path(path)))
        for assignment in unit.get("Environment", []):
            key, _, value = assignment.partition("=")
            env[key] = value
        uid, gid = _service_account()
        for key, base in (("RuntimeDirectory", "run"), ("StateDirectory", "var/lib")):
            for folder in unit.get(key, []):
                path = self.prefix / base / folder
                path.mkdir(parents=True, exist_ok=True)
                os.chown(path, uid, gid)
                mode = unit.get(f"{key}Mode", ["0755"])[0]
                path.chmod(int(mode, 8))
        command = unit["ExecStart"][0].split()
        return command, env, Path(unit["WorkingDirectory"][0]), int(unit["UMask"][0], 8)

    def start(self, name: str, replace: dict | None = None):
        command, env, cwd, umask = self.unit_command(f"liaison-{name}.service")
        for old, new in (replace or {}).items():
            command = [new if part == old else part for part in command]
        env["DRILL_MAIL_DIR"] = str(self.mail)
        self.logs.mkdir(exist_ok=True)
        log = (self.logs / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            **self._as_service(umask),
        )

    def run_unit(self, name: str) -> str:
        """A oneshot unit (the backup), to completion."""
        command, env, cwd, umask = self.unit_command(name)
        done = subprocess.run(
            command,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            **self._as_service(umask),
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def manage(self, *args, env_extra=None, script: str | None = None) -> str:
        """manage.py as the service user, with the site's environment."""
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(self.home)}
        env.update(read_environment_file(self.env_file))
        env.update(env_extra or {})
        command = [str(self.prefix / "srv/liaison/venv/bin/python"), "manage.py", *args]
        if script:
            command += ["-c", script]
        done = subprocess.run(
            command,
            env=env,
            cwd=self.app,
            capture_output=True,
            text=True,
            **self._as_service(),
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self, *names):
        for name in names or list(self.processes):
            proc = self.processes.pop(name, None)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _install(site: Site, redis_url: str) -> None:
    """The repository's files copied to PREFIX/srv/liaison/app, a venv from the system
    Python, then bin/install-production twice, as the guide says: the first run writes
    the environment file and stops; the administrator fills it in; the second installs."""
    prefix = site.prefix
    app = prefix / "srv/liaison/app"
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in listed:
        source = ROOT / name
        if name and source.is_file() and not name.startswith(".venv"):
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, app / name)
    venv = prefix / "srv/liaison/venv"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(venv)], check=True)
    # The test environment's packages, on the venv's path: pip finds every requirement
    # satisfied. Readable by the service user (in CI the repository may sit under /root).
    site_packages = Path(
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django, pathlib; print(pathlib.Path(django.__file__).parents[1])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    if any(not (p.stat().st_mode & 0o001) for p in [site_packages, *site_packages.parents]):
        copy = prefix / "srv/liaison/test-site-packages"
        linked = subprocess.run(["cp", "-al", str(site_packages), str(copy)], check=False)
        if linked.returncode != 0:  # another file system: a real copy
            shutil.rmtree(copy, ignore_errors=True)
            subprocess.run(["cp", "-a", str(site_packages), str(copy)], check=True)
        site_packages = copy
    (next(venv.glob("lib/python3*/site-packages")) / "test-environment.pth").write_text(
        f"{site_packages}\n"
    )

    install = {
        **os.environ,
        "LIAISON_PREFIX": str(prefix),
        "LIAISON_USER": SERVICE_USER,
        "SYSTEM_PYTHON": SYSTEM_PYTHON,
    }
    first = subprocess.run(
        [str(app / "bin/install-production")], env=install, cwd=app, capture_output=True, text=True
    )
    assert first.returncode == 2, first.stderr
    assert "SECRET_KEY" in first.stderr
    env_file = prefix / "etc/liaison/env"
    text = env_file.read_text()
    for key, value in {
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": site.url,
        "SITE_URL": site.url,
        "DATABASE_URL": site.database,
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "tests.proof.drill_mail.FilePerMessageBackend",
    }.items():
        text = re.sub(rf'^{key}=".*"$', f'{key}="{value}"', text, flags=re.M)
    env_file.write_text(text)
    second = subprocess.run(
        [str(app / "bin/install-production")], env=install, cwd=app, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]


def _nginx_conf(site: Site) -> Path:
    """The installed site file on the drill's ports (no IPv6 listeners), in a minimal
    nginx.conf whose pid, logs and temporary files are in the prefix."""
    enabled = site.prefix / "etc/nginx/sites-enabled/liaison.conf"
    text = enabled.read_text()
    text = re.sub(r"^\s*listen \[::\].*\n", "", text, flags=re.M)
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{site.https} ssl http2;")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{site.http};")
    (site.prefix / "etc/nginx/drill-site.conf").write_text(text)
    temp = site.prefix / "var/lib/nginx"
    conf = site.prefix / "etc/nginx/nginx.conf"
    conf.write_text(
        f"""
worker_processes 1;
pid {site.prefix}/run/nginx.pid;
error_log {site.prefix}/var/log/nginx/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site.prefix}/etc/nginx/drill-site.conf;
}}
"""
    )
    uid, gid = _service_account()
    for path in (temp, site.prefix / "var/log/nginx", site.prefix / "run"):
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, uid, gid)
    os.chown(site.prefix / "etc/liaison/tls/privkey.pem", uid, gid)
    return conf


def _wait(check, what: str, timeout: float = 60, site: Site | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            result = check()
            if result:
                return result
        time.sleep(0.3)
    logs = (
        "\n".join(f"--- {n}\n{site.log(n)}" for n in ("web", "worker", "beat", "nginx"))
        if site
        else ""
    )
    raise AssertionError(f"{what}: not within {timeout} s\n{logs}")


class SourceAddress(HTTPAdapter):
    """Connections from another loopback address, as if from another client."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _browser(source: str | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    session.verify = False  # the prefix's self-signed certificate
    if source:
        session.mount("https://", SourceAddress(source))
    return session


def _sign_in(session: requests.Session, site: Site, username: str, password: str):
    login = f"{site.url}/admin/login/"
    page = session.get(login)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        login,
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers={"Referer": login},
        allow_redirects=False,
    )


def _row_counts(url: str) -> dict:
    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _hashes(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def databases(django_db_blocker):
    """The site's database and an empty one to restore into. The site's starts as a
    copy of the freshly migrated test database (what bin/install-production's migrate
    would make, minutes sooner on a busy machine); install-production still runs
    migrate on it."""
    if connection.vendor != "postgresql":
        pytest.skip("the deployment drill runs on PostgreSQL: DATABASE_URL=postgres://… (CI)")
    settings = connection.settings_dict
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    server = f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    migrated = settings["NAME"]
    with django_db_blocker.unblock():
        connection.close()  # a template may have no other sessions
    names = [f"liaison_drill_{uuid.uuid4().hex[:8]}"]
    names.append(names[0] + "_restored")
    with psycopg.connect(f"{server}/{migrated}") as conn:
        # An earlier transactional test may have flushed the roles the migrations made.
        pristine = conn.execute("SELECT count(*) FROM auth_group").fetchone()[0] > 0
    admin = psycopg.connect(f"{server}/postgres", autocommit=True)
    template = f' TEMPLATE "{migrated}"' if pristine else ""
    admin.execute(f'CREATE DATABASE "{names[0]}"{template}')
    admin.execute(f'CREATE DATABASE "{names[1]}"')
    try:
        yield [f"{server}/{name}" for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def prefix():
    if os.geteuid() != 0:
        pytest.skip("the deployment drill runs as root, as CI does: it installs a service user")
    for tool in ("nginx", "openssl", "pg_dump", "redis-server"):
        assert shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists(), (
            f"{tool} is missing: bin/test installs it (ensure_packages)"
        )
    # /tmp/pytest-of-root is 0700: the service user could not reach a tmp_path there.
    folder = Path(tempfile.mkdtemp(prefix="liaison-drill-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# The test database is only the drill's template (see `databases`); transactional, so
# that its connection can be closed, and put back as the migrations left it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_production_layout_serves_delivers_and_restores(prefix, databases):
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    source_url, restored_url = databases
    with redis_server() as redis_url:
        site = Site(prefix, source_url)
        try:
            _install(site, redis_url)
            _drill(site, restored_url)
        finally:
            site.stop()


def _drill(site: Site, restored_url: str):
    uid, _gid = _service_account()
    assert uid != 0
    # The first office and its staff, as the guide says (and a second office's staff).
    out = site.manage(
        "setup_office",
        "--no-input",
        "--district=芙蓉区",
        "--code=jcy",
        "--name=韭菜园街道政协联络处",
        "--street=韭菜园街道",
        "--staff=staff_jcy:李红",
    )
    password = re.search(r"初始密码 ([\w-]+)", out).group(1)
    other = site.manage(
        "setup_office",
        "--no-input",
        "--district=芙蓉区",
        "--code=dwt",
        "--name=定王台街道政协联络处",
        "--street=定王台街道",
        "--staff=staff_dwt:王芳",
    )
    other_password = re.search(r"初始密码 ([\w-]+)", other).group(1)

    site.mail.mkdir()
    os.chown(site.mail, uid, -1)
    site.start("web", {"5": "2"})
    site.start("worker", {"--concurrency=4": "--concurrency=1"})
    site.start("beat")
    conf = _nginx_conf(site)
    site.logs.mkdir(exist_ok=True)
    site.processes["nginx"] = subprocess.Popen(
        [
            "nginx",
            "-p",
            str(site.prefix),
            "-c",
            str(conf),
            "-e",
            str(site.prefix / "var/log/nginx/error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=(site.logs / "nginx.log").open("wb"),
        stderr=subprocess.STDOUT,
        **site._as_service(),
    )
    anonymous = _browser()
    _wait(
        lambda: anonymous.get(f"{site.url}/healthz").status_code == 200,
        "/healthz over HTTPS",
        site=site,
    )

    # A member's photo uploaded by the site itself (as the service user), and a reminder
    # written to the outbox that only beat's sweep hands to the worker.
    photo = (
        site.manage(
            "shell",
            script=(
                "from django.core.files.base import ContentFile;"
                "from liaison.models import Office;"
                "from liaison.services import notification_queue;"
                "from tests.factories import MemberFactory;"
                "m = MemberFactory(office=Office.objects.get(code='jcy'));"
                f"m.photo.save('photo.png', ContentFile({PNG!r}));"
                "notification_queue(channel='email', kind='drill', dedupe_key='drill-1',"
                " subject='走访提醒', body='请于本周走访委员。', address='staff@example.cn');"
                "print(m.photo.name)"
            ),
        )
        .strip()
        .splitlines()[-1]
    )

    # /healthz answers on port 80 too, not redirected; everything else is.
    plain = requests.get(f"http://127.0.0.1:{site.http}/healthz", allow_redirects=False)
    assert plain.status_code == 200
    assert (
        requests.get(f"http://127.0.0.1:{site.http}/admin/", allow_redirects=False).status_code
        == 301
    )

    # Static files: nginx sends the pre-compressed copy, with one Cache-Control.
    manifest = (site.prefix / "srv/liaison/static/staticfiles.json").read_text()
    css = re.search(r'"bootstrap/css/bootstrap\.min\.css"\s*:\s*"([^"]+)"', manifest).group(1)
    static = anonymous.get(
        f"{site.url}/static/{css}", headers={"Accept-Encoding": "gzip"}, stream=True
    )
    assert static.status_code == 200
    assert static.headers["Content-Encoding"] == "gzip"
    assert static.raw.headers.getlist("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert static.headers["X-Content-Type-Options"] == "nosniff"

    # Staff sign in over HTTPS and get the photo from nginx, with every security header.
    staff = _browser()
    signed_in = _sign_in(staff, site, "staff_jcy", password)
    assert signed_in.status_code == 302, signed_in.text[-2000:]
    assert staff.get(f"{site.url}/admin/").status_code == 200
    served = staff.get(f"{site.url}/media/{photo}")
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert "X-Accel-Redirect" not in served.headers
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in served.headers["Content-Security-Policy"]
    assert served.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "no-store" in served.headers["Cache-Control"]
    # … to no one else: another office's staff get 404, a visitor the sign-in page.
    stranger = _browser()
    assert _sign_in(stranger, site, "staff_dwt", other_password).status_code == 302
    assert stranger.get(f"{site.url}/media/{photo}").status_code == 404
    refused = anonymous.get(f"{site.url}/media/{photo}", allow_redirects=False)
    assert refused.status_code == 302 and "/login/" in refused.headers["Location"]
    # nginx's internal location is not reachable from outside.
    assert anonymous.get(f"{site.url}/protected-media/{photo}").status_code == 404

    # Failed sign-ins are recorded under the client's own address, which nginx wrote —
    # not the proxy's (127.0.0.1), not the one the client claims.
    attacker = _browser(source="127.0.0.2")
    attacker.headers["X-Forwarded-For"] = "203.0.113.7"
    for _ in range(6):
        attempt = _sign_in(attacker, site, "nobody_here", "wrong-password")
    assert attempt.status_code in (403, 429)  # locked out after five
    recorded = (
        site.manage(
            "shell",
            script=(
                "from axes.models import AccessAttempt;"
                "print(sorted(set(AccessAttempt.objects.filter(username='nobody_here')"
                ".values_list('ip_address', flat=True))))"
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    assert recorded == "['127.0.0.2']"

    # The reminder: beat's sweep (every 30 s) queued it, the worker delivered it.
    _wait(lambda: list(site.mail.glob("*staff@example.cn.eml")), "the reminder's e-mail", 90, site)
    assert (site.prefix / "var/lib/liaison/celerybeat-schedule").exists() or list(
        (site.prefix / "var/lib/liaison").glob("celerybeat-schedule*")
    )

    # Backup by the backup unit, then a restore into a new database and media folder.
    site.stop("web", "worker", "beat", "nginx")
    backup = Path(site.run_unit("liaison-backup.service").strip().splitlines()[-1])
    assert backup.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in backup.iterdir()} == {0o600}
    assert (backup / "environment").read_text() == site.env_file.read_text()
    restored_media = site.prefix / "var/lib/liaison/media-restored"
    _command, env, cwd, umask = site.unit_command("liaison-backup.service")
    env.update(DATABASE_URL=restored_url, MEDIA_ROOT=str(restored_media))
    restore = subprocess.run(
        [str(site.app / "bin/restore"), str(backup)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        **site._as_service(umask),
    )
    assert restore.returncode == 0, restore.stderr
    assert _row_counts(restored_url) == _row_counts(site.database)
    assert _hashes(restored_media) == _hashes(site.media)
    assert _hashes(restored_media)  # the photo is among them
    assert {p.stat().st_uid for p in [restored_media, *restored_media.rglob("*")]} == {uid}
