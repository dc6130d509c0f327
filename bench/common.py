"""Shared machinery for the benchmarks: throwaway databases, a private Redis, gunicorn
and a Celery worker as subprocesses, and percentiles."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = "bench.settings"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[round(fraction * 100) - 1]


class Database:
    """A throwaway database: a fresh SQLite file, or a fresh PostgreSQL database on the
    server DATABASE_URL points at (dropped afterwards); a copy of ``template`` (another
    Database, migrated) if given."""

    def __init__(self, workdir: Path, name: str, template: Database | None = None):
        self.template = template
        configured = os.environ.get("DATABASE_URL", "")
        self.postgres = configured.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urllib.parse.urlsplit(configured)
            self.name = f"liaison_bench_{name}_{uuid.uuid4().hex[:6]}"
            self.admin_url = parts._replace(path="/postgres").geturl()
            self.url = parts._replace(path=f"/{self.name}").geturl()
        else:
            self.path = workdir / f"{name}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def __enter__(self):
        if self.postgres:
            template = f' TEMPLATE "{self.template.name}"' if self.template else ""
            self._admin(f'CREATE DATABASE "{self.name}"{template}')
        elif self.template:
            shutil.copyfile(self.template.path, self.path)
        return self

    def __exit__(self, *exc):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    @staticmethod
    def copy(source: str, name: str) -> None:
        """A PostgreSQL copy of database ``source`` (no session may be open on it) named
        ``name``, on DATABASE_URL's server; kept until dropped by hand."""
        import psycopg

        parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        admin_url = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.postgres else "SQLite"


def django_env(database_url: str, workdir: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        DEBUG="false",
    )
    env.update(extra)
    return env


def run_child(module_function: str, env: dict, *args: str) -> dict:
    """Run ``bench.<module>:<function>(*args)`` in a fresh process with ``env``; it
    prints one JSON line last."""
    module, function = module_function.split(":")
    snippet = (
        "import json, sys, django; django.setup(); "
        f"from bench.{module} import {function} as f; "
        "print(json.dumps(f(*sys.argv[1:])))"
    )
    done = subprocess.run(
        [PYTHON, "-c", snippet, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"{module_function} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def redis_server():
    """A private redis-server on a spare port, nothing saved; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 2, threads: int = 1):
    """gunicorn serving liaison.wsgi on the loopback; yields the port."""
    port = free_port()
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "liaison.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        stop(proc)


def worker_args(*options: str, name: str | None = None) -> list[str]:
    """``python -m`` arguments of a Celery worker for a benchmark or a drill: one task
    at a time (solo pool), no chatter between workers, quiet; ``options`` added,
    named ``name`` on this host when given."""
    args = ["celery", "-A", "liaison", "worker", "--pool", "solo", *options]
    args += ["--loglevel", "WARNING", "--without-heartbeat", "--without-mingle"]
    args += ["--without-gossip"]
    return [*args, "-n", f"{name}@%h"] if name else args


@contextlib.contextmanager
def celery_worker(env: dict, queue: str = "celery", include: str = "bench.tasks"):
    """A real Celery worker (solo pool) as a subprocess."""
    proc = subprocess.Popen(
        [PYTHON, "-m", *worker_args("-Q", queue, "--include", include)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        stop(proc)


def run_with_broker(name: str, count: int, describe, log=print) -> dict:
    """Run ``bench.<name>:measure(count)`` in a child process against a throwaway
    database and a private redis-server (for a real Celery worker); ``describe(label)``
    is the line logged first, given the database's label."""
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    try:
        with redis_server() as url, Database(workdir, name) as db:
            env = django_env(db.url, workdir, REDIS_URL=url)
            log(describe(db.label))
            result = run_child(f"{name}:measure", env, str(count))
            result["database"] = db.label
            return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
