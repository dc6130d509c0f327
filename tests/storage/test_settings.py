"""MEDIA_STORAGE and its companions, read at start-up as the site reads them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "from django.conf import settings;"
    "print(settings.STORAGES['default']['BACKEND']);"
    "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
)


def _start(**env):
    """The settings of a site started with ``env``: (exit code, stdout, stderr)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("S3_", "MEDIA_", "DJANGO_SETTINGS_MODULE"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="liaison.settings.dev", **env)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout.splitlines(), done.stderr


def test_local_disk_is_the_default_and_images_come_only_from_the_site():
    code, out, _err = _start()
    assert code == 0
    assert out[-2:] == ["django.core.files.storage.FileSystemStorage", "'self' data:"]


def test_the_object_store_with_redirects_allows_its_images_and_nothing_else():
    code, out, _err = _start(
        MEDIA_STORAGE="s3", S3_BUCKET="liaison-files", S3_ENDPOINT_URL="https://oss.example.org"
    )
    assert code == 0
    assert out[-2] == "liaison.storage.PrivateS3Storage"
    assert out[-1] == "'self' data: https://oss.example.org https://*.oss.example.org"


def test_streamed_files_need_no_other_origin():
    code, out, _err = _start(
        MEDIA_STORAGE="s3",
        S3_BUCKET="liaison-files",
        S3_ENDPOINT_URL="http://10.0.0.5:9000",
        MEDIA_DELIVERY="stream",
    )
    assert code == 0 and out[-1] == "'self' data:"


def test_a_misconfigured_store_refuses_to_start():
    code, _out, err = _start(MEDIA_STORAGE="s3")
    assert code != 0 and "S3_BUCKET" in err
    code, _out, err = _start(MEDIA_STORAGE="S3-ish")
    assert code != 0 and "MEDIA_STORAGE" in err
