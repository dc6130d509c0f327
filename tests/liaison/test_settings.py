"""The production settings module refuses to start half-configured, and passes Django's
deployment checklist once configured. Each case runs in a fresh interpreter, because
settings are read once per process."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
GOOD_KEY = secrets.token_urlsafe(64)[:60]
READ_SETTINGS = "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)"


def run(args, **env):
    # A clean slate: no configuration of ours, and none of Django's switches that other
    # tests set in this process (the browser test sets DJANGO_ALLOW_ASYNC_UNSAFE).
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"} and not key.startswith("DJANGO_")
    }
    environment.update(DJANGO_SETTINGS_MODULE="liaison.settings.production", **env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["-c", READ_SETTINGS], ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run(["-c", READ_SETTINGS], SECRET_KEY="too-short", ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run(["-c", READ_SETTINGS], SECRET_KEY=GOOD_KEY)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_never_runs_in_debug_mode():
    result = run(["-c", READ_SETTINGS], SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="example.org", DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert "example.org" in result.stdout


def test_configured_production_passes_the_deployment_checklist():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
