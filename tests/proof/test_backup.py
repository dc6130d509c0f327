"""bin/backup and bin/restore: a backup restored into an empty database and an empty
media folder holds the same records and files."""

import json
import os
import subprocess
import sys
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


def _run(args, *, database_url, media_root):
    env = {
        **os.environ,
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

    backup_dir = Path(
        _run(
            ["bin/backup", str(tmp_path / "backups")],
            database_url=source_url,
            media_root=settings.MEDIA_ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    restored_media = tmp_path / "restored-media"
    _run(["bin/restore", str(backup_dir)], database_url=empty_database, media_root=restored_media)

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
