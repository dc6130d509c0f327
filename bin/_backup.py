"""Backup and restore of the database and the uploaded files (bin/backup, bin/restore).

A backup is one directory holding
  database.dump     PostgreSQL, custom format (pg_dump -Fc), restored with pg_restore; or
  database.sqlite3  SQLite, a consistent copy taken with SQLite's online backup API;
  media.tar.gz      everything under MEDIA_ROOT;
  manifest.json     engine, time taken, and the counts of files.
Both commands read the same settings as the site (DJANGO_SETTINGS_MODULE, DATABASE_URL,
MEDIA_ROOT), so run them with the environment the site runs with.
"""

import argparse
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.dev")
    import django
    from django.conf import settings

    django.setup()
    return settings.DATABASES["default"], Path(settings.MEDIA_ROOT)


def _pg_env(db: dict) -> dict:
    """libpq reads the connection from the environment, so no password is on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _engine(db: dict) -> str:
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine not in ("postgresql", "sqlite3"):
        sys.exit(f"不支持的数据库：{db['ENGINE']}")
    return engine


def backup(destination: Path) -> Path:
    db, media_root = _settings()
    engine = _engine(db)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = destination / f"liaison-backup-{stamp}"
    target.mkdir(parents=True)
    if engine == "postgresql":
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(target / "database.dump"),
                db["NAME"],
            ],
            env=_pg_env(db),
            check=True,
        )
    else:
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target / "database.sqlite3")
        with copy:
            source.backup(copy)  # consistent even while the site writes
        copy.close()
        source.close()
    files = 0
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(media_root)))
                    files += 1
    manifest = {
        "engine": engine,
        "created": datetime.datetime.now().astimezone().isoformat(),
        "database": db["NAME"] if engine == "postgresql" else Path(db["NAME"]).name,
        "media_files": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    print(target)
    return target


def _database_is_empty(db: dict, engine: str) -> bool:
    if engine == "sqlite3":
        path = Path(db["NAME"])
        if not path.exists():
            return True
        with sqlite3.connect(path) as conn:
            return not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table'").fetchone()
    out = subprocess.run(
        ["psql", "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db["NAME"]],
        env=_pg_env(db),
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() == "0"


def restore(source: Path) -> None:
    db, media_root = _settings()
    engine = _engine(db)
    manifest = json.loads((source / "manifest.json").read_text())
    if manifest["engine"] != engine:
        sys.exit(f"备份来自 {manifest['engine']}，当前数据库是 {engine}，不能直接恢复。")
    if not _database_is_empty(db, engine):
        sys.exit(f"目标数据库 {db['NAME']} 不是空的；请恢复到一个新建的空数据库。")
    if media_root.is_dir() and any(media_root.iterdir()):
        sys.exit(f"上传文件目录 {media_root} 不是空的；请恢复到一个空目录。")
    if engine == "postgresql":
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
                db["NAME"],
                str(source / "database.dump"),
            ],
            env=_pg_env(db),
            check=True,
        )
    else:
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(source / "database.sqlite3")
        target = sqlite3.connect(db["NAME"])
        with target:
            backup_db.backup(target)
        target.close()
        backup_db.close()
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        tar.extractall(media_root, filter="data")  # refuses absolute paths and "..", links out
    print(f"已恢复 {source} → 数据库 {db['NAME']}，上传文件 {media_root}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="bin/backup | bin/restore")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup", help="备份数据库和上传文件到一个新目录")
    b.add_argument("destination", nargs="?", default=str(ROOT / "var" / "backups"))
    r = sub.add_parser("restore", help="把一个备份目录恢复到空数据库和空的上传文件目录")
    r.add_argument("source")
    args = parser.parse_args(argv)
    if args.command == "backup":
        backup(Path(args.destination).resolve())
    else:
        restore(Path(args.source).resolve())


if __name__ == "__main__":
    main()
