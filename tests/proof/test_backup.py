"""bin/backup and bin/restore: a backup restored into an empty database and an empty
media folder holds the same records and files."""

import datetime
import importlib.util
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from proposals.models import ProposalAttachment

from ..factories import member_with_account, proposal_draft

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Printed (on the last line) by the restored site: what a user would see, read through the ORM.
READ_BACK = (
    "import json; from members.models import Member; from proposals.models import Proposal;"
    "print(json.dumps({"
    "'members': sorted(Member.objects.values_list('name', flat=True)),"
    "'proposals': sorted(Proposal.objects.values_list('title', flat=True)),"
    "'attachments': sorted(f.name for p in Proposal.objects.all() for f in "
    "[a.file for a in p.attachments.all()])}, ensure_ascii=False))"
)


def _database_url(name: str) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    auth = settings["USER"] or ""
    if settings["PASSWORD"]:
        auth += f":{settings['PASSWORD']}"
    host = settings["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{settings['PORT'] or 5432}/{name}"


def _run(args, *, database_url, media_root, **extra_env):
    env = {
        **os.environ,
        **extra_env,
        "DJANGO_SETTINGS_MODULE": "liaison.settings.dev",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "PYTHON": sys.executable,
    }
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the same engine the tests run on."""
    if connection.vendor == "sqlite":
        yield _database_url(str(tmp_path / "restored.sqlite3"))
        return
    name = f"liaison_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(name)
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_an_empty_database_has_the_same_records_and_files(
    office, settings, tmp_path, empty_database
):
    member = member_with_account(office=office, name="唐朝阳", mobile="13900000001")
    member_with_account(office=office, name="黄德军", mobile="13900000002")
    proposal = proposal_draft(member=member, title="关于增设社区养老服务站的建议")
    attachment = ProposalAttachment.objects.create(
        proposal=proposal, file=ContentFile(PDF, name="调研报告.pdf"), name="调研报告.pdf"
    )
    member.photo.save("photo.png", ContentFile(b"\x89PNG\r\n\x1a\nphoto"))

    source_url = _database_url(connection.settings_dict["NAME"])
    expected = json.loads(
        _run(
            [sys.executable, "manage.py", "shell", "-c", READ_BACK],
            database_url=source_url,
            media_root=settings.MEDIA_ROOT,
        ).stdout.splitlines()[-1]
    )
    assert "关于增设社区养老服务站的建议" in expected["proposals"]
    # The backup holds password hashes and personal data: the service user's alone.
    (tmp_path / "site.env").write_text('SECRET_KEY="the-site-key"\n')

    backup_dir = Path(
        _run(
            ["bin/backup", str(tmp_path / "backups")],
            database_url=source_url,
            media_root=settings.MEDIA_ROOT,
            LIAISON_ENV_FILE=str(tmp_path / "site.env"),
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert stat.S_IMODE(backup_dir.stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in backup_dir.iterdir()} == {0o600}
    assert (backup_dir / "environment").read_text() == 'SECRET_KEY="the-site-key"\n'
    # The empty folder the site will use, owned by its service user: run as root (CI),
    # restore leaves the files to that user, so uploads keep working afterwards.
    restored_media = tmp_path / "restored-media"
    restored_media.mkdir()
    if os.geteuid() == 0:
        os.chown(restored_media, 65534, 65534)
    _run(["bin/restore", str(backup_dir)], database_url=empty_database, media_root=restored_media)
    owners = {
        (p.stat().st_uid, p.stat().st_gid) for p in [restored_media, *restored_media.rglob("*")]
    }
    assert owners == {(restored_media.stat().st_uid, restored_media.stat().st_gid)}
    if os.geteuid() == 0:
        assert owners == {(65534, 65534)}

    restored = json.loads(
        _run(
            [sys.executable, "manage.py", "shell", "-c", READ_BACK],
            database_url=empty_database,
            media_root=restored_media,
        ).stdout.splitlines()[-1]
    )
    assert restored == expected
    assert (restored_media / attachment.file.name).read_bytes() == PDF
    assert (restored_media / member.photo.name).read_bytes() == b"\x89PNG\r\n\x1a\nphoto"


def test_restore_refuses_to_write_over_a_database_that_has_data(tmp_path):
    import sqlite3

    occupied = tmp_path / "occupied.sqlite3"
    with sqlite3.connect(occupied) as conn:
        conn.execute("CREATE TABLE t (x)")
    backup_dir = tmp_path / "b"
    backup_dir.mkdir()
    (backup_dir / "manifest.json").write_text(json.dumps({"engine": "sqlite3"}))
    with pytest.raises(subprocess.CalledProcessError) as error:
        _run(
            ["bin/restore", str(backup_dir)],
            database_url=f"sqlite:///{occupied}",
            media_root=tmp_path / "m",
        )
    assert "不是空的" in error.value.stderr


def _backup_module():
    spec = importlib.util.spec_from_file_location("liaison_backup", ROOT / "bin" / "_backup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _archive(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


def _file(name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    return info, data


def test_restore_extracts_safely_on_a_python_without_tarfile_filters(tmp_path, monkeypatch):
    """Debian 12's Python 3.11.2 has no extractall(filter=): the files are still
    extracted, and an archive reaching outside the folder is refused before any write."""
    backup = _backup_module()
    monkeypatch.delattr(tarfile, "data_filter")
    good = tmp_path / "good.tar.gz"
    _archive(good, [_file("proposals/调研报告.pdf", PDF), _file("members/photo.png")])
    with tarfile.open(good) as tar:
        backup._extract(tar, backup.check_members(tar), tmp_path / "out")
    assert (tmp_path / "out" / "proposals" / "调研报告.pdf").read_bytes() == PDF

    link = tarfile.TarInfo("members/evil")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    for bad in ([_file("../escaped")], [_file("/tmp/absolute")], [(link, None)]):
        archive = tmp_path / "bad.tar.gz"
        _archive(archive, bad)
        with tarfile.open(archive) as tar, pytest.raises(SystemExit, match="不安全"):
            backup.check_members(tar)
    assert not (tmp_path / "escaped").exists()


def test_old_backups_are_pruned_to_the_daily_and_weekly_ones_kept(tmp_path):
    backup = _backup_module()
    start = datetime.datetime(2027, 3, 31, 2, 0)
    for days_ago in range(60):
        for hour in (2, 14):  # two a day: only the newest of each day is kept
            taken = (start - datetime.timedelta(days=days_ago)).replace(hour=hour)
            folder = tmp_path / f"liaison-backup-{taken:%Y%m%d-%H%M%S}"
            folder.mkdir()
            (folder / "manifest.json").write_text("{}")
    (tmp_path / "liaison-backup-20270101-000000.partial").mkdir()  # never counted

    backup.prune(tmp_path, daily=14, weekly=8)

    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".partial"))
    assert len(kept) == 22
    assert kept[-1] == "liaison-backup-20270331-140000"
    assert all(name.endswith("-140000") for name in kept)
    weeks = {datetime.datetime.strptime(n[15:23], "%Y%m%d").isocalendar()[:2] for n in kept[:8]}
    assert len(weeks) == 8


def test_a_refused_restore_writes_nothing_and_can_be_run_again(tmp_path):
    """Every check comes before the first write: an archive reaching outside the media
    folder stops the restore with the database file and the media folder not created."""
    import sqlite3

    backup_dir = tmp_path / "b"
    backup_dir.mkdir()
    (backup_dir / "manifest.json").write_text(json.dumps({"engine": "sqlite3"}))
    with sqlite3.connect(backup_dir / "database.sqlite3") as conn:
        conn.execute("CREATE TABLE t (x)")
    _archive(backup_dir / "media.tar.gz", [_file("proposals/a.pdf"), _file("../../escaped")])
    target, media = tmp_path / "restored.sqlite3", tmp_path / "media"

    with pytest.raises(subprocess.CalledProcessError) as error:
        _run(["bin/restore", str(backup_dir)], database_url=f"sqlite:///{target}", media_root=media)

    assert "不安全" in error.value.stderr
    assert not target.exists() and not media.exists()
    assert not (tmp_path / "escaped").exists()
    # Fixed, the same command restores.
    _archive(backup_dir / "media.tar.gz", [_file("proposals/a.pdf")])
    _run(["bin/restore", str(backup_dir)], database_url=f"sqlite:///{target}", media_root=media)
    assert (media / "proposals" / "a.pdf").read_bytes() == b"x"
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
