"""bin/backup and bin/restore with the files on the object store: every object under the
bucket's prefix goes into the backup beside the database dump, and comes back into an
empty bucket with the database."""

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from proposals.models import ProposalAttachment

from ..factories import member_with_account, proposal_draft
from ..proof.test_backup import READ_BACK, _database_url, _run
from .conftest import new_bucket, storage_environment

pytestmark = pytest.mark.s3

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\nphoto"


def _objects(store) -> dict[str, bytes]:
    return {
        key: store.client.get_object(Bucket=store.name, Key=key)["Body"].read()
        for key in store.stored()
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_of_the_object_store_restores_into_an_empty_bucket(
    office, bucket, s3_endpoint, tmp_path, empty_database
):
    member = member_with_account(office=office, name="唐朝阳", mobile="13900000001")
    proposal = proposal_draft(member=member, title="关于增设社区养老服务站的建议")
    attachment = ProposalAttachment.objects.create(
        proposal=proposal, file=ContentFile(PDF, name="调研报告.pdf"), name="调研报告.pdf"
    )
    member.photo.save("photo.png", ContentFile(PNG))
    before = _objects(bucket)
    assert set(before) == {f"media/{attachment.file.name}", f"media/{member.photo.name}"}

    unused_disk = tmp_path / "no-media-here"
    source_url = _database_url(connection.settings_dict["NAME"])
    site = storage_environment(s3_endpoint, bucket.name)
    expected = json.loads(
        _run(
            [sys.executable, "manage.py", "shell", "-c", READ_BACK],
            database_url=source_url,
            media_root=unused_disk,
            **site,
        ).stdout.splitlines()[-1]
    )
    backup_dir = Path(
        _run(
            ["bin/backup", str(tmp_path / "backups")],
            database_url=source_url,
            media_root=unused_disk,
            **site,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["media"] == f"s3://{bucket.name}/media"
    assert manifest["media_files"] == 2
    with tarfile.open(backup_dir / "media.tar.gz") as tar:
        assert sorted(tar.getnames()) == sorted(k.removeprefix("media/") for k in before)

    # Into a new, empty bucket (a second site, or the same one after losing its store).
    target = new_bucket(s3_endpoint)
    restored_site = storage_environment(s3_endpoint, target.name)
    _run(
        ["bin/restore", str(backup_dir)],
        database_url=empty_database,
        media_root=unused_disk,
        **restored_site,
    )
    assert _objects(target) == before
    restored = json.loads(
        _run(
            [sys.executable, "manage.py", "shell", "-c", READ_BACK],
            database_url=empty_database,
            media_root=unused_disk,
            **restored_site,
        ).stdout.splitlines()[-1]
    )
    assert restored == expected
    assert not unused_disk.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_bucket_that_holds_files_and_writes_nothing(
    office, bucket, s3_endpoint, tmp_path, empty_database
):
    member = member_with_account(office=office, name="唐朝阳", mobile="13900000001")
    member.photo.save("photo.png", ContentFile(PNG))
    site = storage_environment(s3_endpoint, bucket.name)
    backup_dir = Path(
        _run(
            ["bin/backup", str(tmp_path / "backups")],
            database_url=_database_url(connection.settings_dict["NAME"]),
            media_root=tmp_path / "unused",
            **site,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    occupied = new_bucket(s3_endpoint)
    occupied.client.put_object(Bucket=occupied.name, Key="media/kept.pdf", Body=PDF)
    with pytest.raises(subprocess.CalledProcessError) as error:
        _run(
            ["bin/restore", str(backup_dir)],
            database_url=empty_database,
            media_root=tmp_path / "unused",
            **storage_environment(s3_endpoint, occupied.name),
        )
    assert "不是空的" in error.value.stderr
    assert occupied.stored() == ["media/kept.pdf"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_files_on_local_disk_move_to_the_object_store_through_a_backup(
    office, settings, s3_endpoint, tmp_path, empty_database
):
    """README, "Files on object storage": a backup taken on local disk restores into
    the bucket, under the same names."""
    member = member_with_account(office=office, name="唐朝阳", mobile="13900000001")
    attachment = ProposalAttachment.objects.create(
        proposal=proposal_draft(member=member),
        file=ContentFile(PDF, name="调研报告.pdf"),
        name="调研报告.pdf",
    )
    member.photo.save("photo.png", ContentFile(PNG))
    backup_dir = Path(
        _run(
            ["bin/backup", str(tmp_path / "backups")],
            database_url=_database_url(connection.settings_dict["NAME"]),
            media_root=settings.MEDIA_ROOT,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert json.loads((backup_dir / "manifest.json").read_text())["media"] == "local"
    target = new_bucket(s3_endpoint)
    _run(
        ["bin/restore", str(backup_dir)],
        database_url=empty_database,
        media_root=tmp_path / "unused",
        **storage_environment(s3_endpoint, target.name),
    )
    assert _objects(target) == {
        f"media/{attachment.file.name}": PDF,
        f"media/{member.photo.name}": PNG,
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restore_that_fails_leaves_the_bucket_empty(
    office, bucket, s3_endpoint, tmp_path, empty_database
):
    """A damaged database file in the backup: the restore stops, and the objects it may
    already have put back are taken out again, so it can simply be run again."""
    member = member_with_account(office=office, name="唐朝阳", mobile="13900000001")
    member.photo.save("photo.png", ContentFile(PNG))
    backup_dir = Path(
        _run(
            ["bin/backup", str(tmp_path / "backups")],
            database_url=_database_url(connection.settings_dict["NAME"]),
            media_root=tmp_path / "unused",
            **storage_environment(s3_endpoint, bucket.name),
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    for name in ("database.dump", "database.sqlite3"):
        if (backup_dir / name).exists():
            (backup_dir / name).write_bytes(b"not a database")
    target = new_bucket(s3_endpoint)
    with pytest.raises(subprocess.CalledProcessError):
        _run(
            ["bin/restore", str(backup_dir)],
            database_url=empty_database,
            media_root=tmp_path / "unused",
            **storage_environment(s3_endpoint, target.name),
        )
    assert target.stored() == []
