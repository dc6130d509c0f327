"""A migrated SQLite test database kept between runs, for the fast local loop.

Migrating an empty database is the slowest step of a test run (Django renders the
project's models again for nearly every migration: a quarter of a minute on the 2-core
machine). The first run keeps a copy of its freshly migrated file, named after
everything the migrations depend on: their source, the project modules they import and
the installed packages. A later run copies it into place, and Django then only checks
that nothing is left to migrate. Anything that changes a migration changes the name,
so a stale copy is never used. PostgreSQL (CI), ``--reuse-db`` and ``--create-db`` are
left to pytest-django."""

import ast
import hashlib
import importlib.metadata
import importlib.util
import os
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connections

PREFIX = "liaison-test-migrated-"


def _test_file() -> Path | None:
    database = settings.DATABASES["default"]
    name = str(database.get("TEST", {}).get("NAME") or "")
    if database["ENGINE"] != "django.db.backends.sqlite3" or not name.startswith("/"):
        return None
    return Path(name)


def _key() -> str:
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256()
    files = set()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for migration in loader.disk_migrations.values():
        path = Path(importlib.util.find_spec(migration.__module__).origin)
        files.add(path)
        for node in ast.walk(ast.parse(path.read_bytes())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                spec = importlib.util.find_spec(name)
                origin = Path(spec.origin) if spec and spec.origin else None
                if (
                    origin
                    and Path(settings.BASE_DIR) in origin.parents
                    and "site-packages" not in origin.parts
                ):
                    files.add(origin)  # a project module a migration uses (roles, calendar)
    for path in sorted(files):
        digest.update(str(path).encode() + path.read_bytes())
    for package in sorted(
        f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions()
    ):
        digest.update(package.encode())
    return digest.hexdigest()[:20]


def _kept() -> Path:
    return Path(tempfile.gettempdir()) / f"{PREFIX}{_key()}.sqlite3"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def restore() -> bool:
    """Copy a kept database into place as this run's test database; False if none."""
    target = _test_file()
    if target is None or not _kept().exists():
        return False
    _remove(target)
    with closing(sqlite3.connect(_kept())) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return True


def keep() -> None:
    """Keep a copy of this run's freshly migrated test database (once per key)."""
    target = _test_file()
    if target is None or (kept := _kept()).exists():
        return
    partial = kept.with_name(f"{kept.name}.{os.getpid()}")
    # The backup API reads through SQLite, write-ahead log included.
    with closing(sqlite3.connect(target)) as source, closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)
    partial.replace(kept)  # atomic: a parallel run sees the whole file or none
    for old in kept.parent.glob(f"{PREFIX}*.sqlite3"):
        if old != kept and time.time() - old.stat().st_mtime > 86400:
            old.unlink(missing_ok=True)  # migrations changed since


def discard() -> None:
    """Delete this run's test database (pytest-django keeps a restored one)."""
    target = _test_file()
    if target is not None:
        connections.close_all()
        _remove(target)
