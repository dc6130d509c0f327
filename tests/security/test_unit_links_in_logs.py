"""A handling unit's signed link is its only credential and stays valid for months: no
log line may carry one in full — not Django's Forbidden / Not Found warnings, not the
development server's request lines, not gunicorn's access log."""

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.logging import LogCaptureHandler
from django.test import Client

from liaison.unit_links import unit_link_token
from tests.factories import HandlingUnitFactory
from visits import services
from visits.models import Concern

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def concern(staff, member, office):
    unit = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
    concern = services.concern_create(
        actor=staff,
        office=member.office,
        member=member,
        title="占道经营",
        content="菜市场门口占道经营。",
        source=Concern.Source.VISIT,
    )
    return services.concern_assign(concern=concern, actor=staff, unit=unit)


@pytest.fixture
def log_output():
    """Everything the configured handlers write, from any logger (pytest's own capture
    handlers are left alone: they are not what production writes)."""
    buffer = io.StringIO()
    swapped = []
    for handler in list(logging._handlerList):  # every handler that exists
        handler = handler()
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, LogCaptureHandler
        ):
            swapped.append((handler, handler.setStream(buffer)))
    yield buffer
    for handler, stream in swapped:
        handler.setStream(stream)


def _secret_part(token: str) -> str:
    """The timestamp and signature: what makes the link usable."""
    return token.split(":", 1)[1]


def test_forbidden_and_not_found_warnings_do_not_print_the_link(concern, log_output):
    token = unit_link_token(concern)
    browser = Client(enforce_csrf_checks=True)
    # A POST without the CSRF cookie: django.security.csrf and django.request warn.
    assert browser.post(f"/units/concerns/{token}/", {"action": "acknowledge"}).status_code == 403
    # A mistyped link: django.request's "Not Found".
    assert browser.get(f"/units/concerns/{token}/x/").status_code == 404
    written = log_output.getvalue()
    assert "Forbidden" in written and "Not Found" in written
    assert _secret_part(token) not in written
    assert f"/units/concerns/{token.split(':')[0]}:…" in written


def test_development_server_request_lines_do_not_print_the_link(concern, log_output):
    token = unit_link_token(concern)
    # What runserver's request handler logs for each request.
    logging.getLogger("django.server").info(
        '"%s" %s %s',
        f"GET /units/concerns/{token}/ HTTP/1.1",
        "200",
        "5120",
        extra={"status_code": 200},
    )
    written = log_output.getvalue()
    assert "/units/concerns/" in written
    assert _secret_part(token) not in written


def test_gunicorn_access_log_does_not_print_the_link(concern):
    token = unit_link_token(concern)
    # gunicorn configures logging process-wide: run it in a process of its own, with the
    # gunicorn.conf.py that the production unit picks up from the app folder.
    script = """
import datetime, json, runpy, sys, types
from gunicorn.config import Config
from gunicorn.glogging import Logger
cfg = Config()
cfg.set("logconfig_dict", runpy.run_path("gunicorn.conf.py")["logconfig_dict"])
log = Logger(cfg)
path = json.loads(sys.argv[1])
environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path,
           "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.9",
           "HTTP_REFERER": "https://lianluo.example.org" + path}
resp = types.SimpleNamespace(status="200 OK", sent=5120, headers=[])
log.access(resp, types.SimpleNamespace(headers=[]), environ, datetime.timedelta(0, 0, 3000))
"""
    path = f"/units/concerns/{token}/"
    run = subprocess.run(
        [sys.executable, "-c", script, json.dumps(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "GET /units/concerns/" in run.stdout
    assert _secret_part(token) not in run.stdout + run.stderr
