"""Backup and restore of the database and the uploaded files (bin/backup, bin/restore).

A backup is one directory (mode 0700, its files 0600: it holds password hashes and the
members' personal data) holding
  database.dump     PostgreSQL, custom format (pg_dump -Fc), restored with pg_restore; or
  database.sqlite3  SQLite, a consistent copy taken with SQLite's online backup API;
  media.tar.gz      everything under MEDIA_ROOT, or with MEDIA_STORAGE=s3 every object
                    under the bucket's prefix (the same names: a backup of one restores
                    into the other);
  environment       a copy of the environment file named by LIAISON_ENV_FILE, when set:
                    SECRET_KEY signs the links e-mailed to handling units, so a restore
                    with another key breaks them (the backup is then as secret as that
                    file: copy it off the machine encrypted);
  manifest.json     engine, versions, time taken, counts, SECRET_KEY's fingerprint.
A backup is written under a ".partial" name and renamed when complete; afterwards the
old ones beyond BACKUP_KEEP_DAILY (newest per day, default 14) and BACKUP_KEEP_WEEKLY
(newest per ISO week beyond those, default 8) are removed.

Both commands read the same settings as the site (DJANGO_SETTINGS_MODULE, DATABASE_URL,
MEDIA_ROOT or MEDIA_STORAGE and S3_*), so run them with the environment the site runs
with. Restore checks everything it needs before it writes anything, writes the database
in one transaction (SQLite: a new file renamed into place) and the files into a new
folder renamed into place, so a failed restore leaves the targets as they were and can
simply be rerun. On the object store the objects go into the (checked empty) prefix
first and are removed again if anything after them fails.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^liaison-backup-(\d{8})-(\d{6})$")


def _settings():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.dev")
    import django
    from django.conf import settings

    django.setup()
    return settings


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


def _run(args, db, **kwargs):
    return subprocess.run(
        args, env=_pg_env(db), check=True, capture_output=True, text=True, **kwargs
    )


def _major(version_text: str) -> int:
    """15 of "pg_dump (PostgreSQL) 15.20 (Debian …)" or of "150020"."""
    found = re.search(r"(\d+)(?:\.(\d+))?", version_text)
    return int(found.group(1)) if found else 0


def _server_major(db: dict) -> int:
    out = _run(["psql", "-XtAc", "SHOW server_version_num", db["NAME"]], db).stdout
    return int(out.strip()) // 10000


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def _object_store(settings):
    """The object store holding the uploaded files (liaison.storage), or None for
    local disk."""
    if settings.MEDIA_STORAGE != "s3":
        return None
    from django.core.files.storage import default_storage

    return default_storage


def _store_label(store) -> str:
    return f"s3://{store.bucket_name}/{store.location.strip('/')}"


def _add_objects(tar: tarfile.TarFile, store) -> int:
    """Every object under the store's prefix into the archive, named as the site names
    it (the key without the prefix), as MEDIA_ROOT's files are."""
    files = 0
    for name, _size in store.names():
        with store.open(name, "rb") as source:
            info = tarfile.TarInfo(name)
            info.size = source.size
            info.mode = 0o600
            info.mtime = int(datetime.datetime.now().timestamp())
            tar.addfile(info, source)
        files += 1
    return files


def _put_objects(tar: tarfile.TarFile, members, store) -> list[str]:
    """The archive's files into the (empty) store, under the names they had; returns
    the names written, so a failure afterwards can take them out again."""
    from django.core.files import File

    written = []
    try:
        for member in members:
            if not member.isfile():
                continue
            saved = store.save(member.name, File(tar.extractfile(member), name=member.name))
            written.append(saved)
            if saved != member.name:
                raise RuntimeError(f"对象存储把 {member.name!r} 存成了 {saved!r}。")
    except BaseException:
        _remove_objects(store, written)
        raise
    return written


def _remove_objects(store, names) -> None:
    for name in names:
        store.delete(name)


def backup(destination: Path) -> Path:
    os.umask(0o077)  # every directory 0700, every file 0600
    settings = _settings()
    db, media_root = settings.DATABASES["default"], Path(settings.MEDIA_ROOT)
    engine = _engine(db)
    destination.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = destination / f"liaison-backup-{stamp}"
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    manifest = {"engine": engine}
    if engine == "postgresql":
        client = _major(_run(["pg_dump", "--version"], db).stdout)
        server = _server_major(db)
        if client < server:
            sys.exit(
                f"pg_dump 的版本（{client}）低于数据库服务器（{server}）：请安装 "
                f"postgresql-client-{server} 后再备份。"
            )
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", "database.dump", db["NAME"]],
            db,
            cwd=partial,
        )
        manifest.update(pg_dump_version=client, server_version=server, database=db["NAME"])
    else:
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(partial / "database.sqlite3")
        with copy:
            source.backup(copy)  # consistent even while the site writes
        copy.close()
        source.close()
        manifest["database"] = Path(db["NAME"]).name
    files = 0
    store = _object_store(settings)
    with tarfile.open(partial / "media.tar.gz", "w:gz") as tar:
        if store is not None:
            files = _add_objects(tar, store)
        elif media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(media_root)))
                    files += 1
    env_file = os.environ.get("LIAISON_ENV_FILE")
    if env_file:
        shutil.copyfile(env_file, partial / "environment")
    manifest.update(
        created=datetime.datetime.now().astimezone().isoformat(),
        media_files=files,
        media=_store_label(store) if store is not None else "local",
        environment=bool(env_file),
        secret_key_sha256=_fingerprint(settings.SECRET_KEY),
    )
    (partial / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    partial.rename(target)
    print(target)
    prune(
        destination,
        daily=int(os.environ.get("BACKUP_KEEP_DAILY", "14")),
        weekly=int(os.environ.get("BACKUP_KEEP_WEEKLY", "8")),
    )
    return target


def prune(destination: Path, *, daily: int, weekly: int) -> list[Path]:
    """Keep the newest complete backup of each of the last `daily` days that have one,
    then the newest of each of the `weekly` ISO weeks before them; remove the rest."""
    backups = []
    for path in destination.iterdir():
        found = NAME.match(path.name)
        if found and (path / "manifest.json").is_file():
            taken = datetime.datetime.strptime("".join(found.groups()), "%Y%m%d%H%M%S")
            backups.append((taken, path))
    backups.sort(reverse=True)
    keep, days, weeks = set(), [], []
    for taken, path in backups:
        day, week = taken.date(), taken.isocalendar()[:2]
        if day not in days and len(days) < daily:
            days.append(day)
            keep.add(path)
        elif day not in days and week not in weeks and len(weeks) < weekly:
            weeks.append(week)
            keep.add(path)
    removed = [path for _taken, path in backups if path not in keep]
    for path in removed:
        shutil.rmtree(path)
    return removed


def _database_is_empty(db: dict, engine: str) -> bool:
    if engine == "sqlite3":
        path = Path(db["NAME"])
        if not path.exists():
            return True
        with sqlite3.connect(path) as conn:
            return not conn.execute("SELECT 1 FROM sqlite_master WHERE type='table'").fetchone()
    out = _run(
        ["psql", "-XtAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db["NAME"]],
        db,
    )
    return out.stdout.strip() == "0"


def check_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Every member a plain file or folder inside the target: no absolute path, no "..",
    no links or devices. tarfile's "data" filter says the same from Python 3.11.4 on;
    Debian 12's Python is 3.11.2, so the archive is checked here, before anything is
    written."""
    members = tar.getmembers()
    for member in members:
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
            sys.exit(f"备份里的上传文件 {member.name!r} 不安全（绝对路径、“..”或链接），已停止。")
    return members


def _extract(tar: tarfile.TarFile, members, folder: Path) -> None:
    if hasattr(tarfile, "data_filter"):
        tar.extractall(folder, members=members, filter="data")
        return
    for member in members:  # what the data filter would do to modes and owners
        member.mode = (member.mode & 0o755) | (0o700 if member.isdir() else 0o600)
        member.uid = member.gid = 0
        member.uname = member.gname = ""
    tar.extractall(folder, members=members)


def _owner(media_root: Path) -> tuple[int, int, int]:
    """Who should own the restored files: the existing (empty) media folder's owner,
    group and mode, or else its parent's owner and group."""
    if media_root.is_dir():
        st = media_root.stat()
        return st.st_uid, st.st_gid, st.st_mode & 0o7777
    st = media_root.parent.stat()
    return st.st_uid, st.st_gid, 0o750


def restore(source: Path) -> None:
    settings = _settings()
    db, media_root = settings.DATABASES["default"], Path(settings.MEDIA_ROOT)
    engine = _engine(db)
    # --- Every check first: nothing is written until all of them pass. ---
    manifest_path = source / "manifest.json"
    if not manifest_path.is_file():
        sys.exit(f"{source} 不是完整的备份（没有 manifest.json）。")
    manifest = json.loads(manifest_path.read_text())
    if manifest["engine"] != engine:
        sys.exit(f"备份来自 {manifest['engine']}，当前数据库是 {engine}，不能直接恢复。")
    if engine == "postgresql":
        dump = source / "database.dump"
        listing = subprocess.run(
            ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=False
        )
        if listing.returncode != 0:
            sys.exit(
                "pg_restore 读不了这份备份（它的版本可能低于做备份的 pg_dump "
                f"{manifest.get('pg_dump_version', '?')}）：{listing.stderr.strip()}"
            )
    if not _database_is_empty(db, engine):
        sys.exit(f"目标数据库 {db['NAME']} 不是空的；请恢复到一个新建的空数据库。")
    store = _object_store(settings)
    if store is not None:
        if not store.is_empty():
            sys.exit(f"对象存储 {_store_label(store)} 不是空的；请恢复到一个空的存储桶或前缀。")
    else:
        if media_root.is_dir() and any(media_root.iterdir()):
            sys.exit(f"上传文件目录 {media_root} 不是空的；请恢复到一个空目录。")
        if not os.access(media_root.parent, os.W_OK):
            sys.exit(f"不能写入 {media_root.parent}。")
        uid, gid, mode = _owner(media_root)
    if manifest.get("secret_key_sha256") not in (None, _fingerprint(settings.SECRET_KEY)):
        print(
            "注意：当前 SECRET_KEY 与备份时不同，已发给承办单位的链接将失效；"
            "原来的设置在备份的 environment 文件里（若有）。",
            file=sys.stderr,
        )
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        members = check_members(tar)

        if store is not None:
            # --- The objects, into the empty prefix; taken out again if the database fails.
            written = _put_objects(tar, members, store)
        else:
            # --- The files, into a new folder beside the target, renamed into place last.
            staging = media_root.with_name(media_root.name + ".restoring")
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            _extract(tar, members, staging)
    if store is not None:
        try:
            _restore_database(source, db, engine)
        except BaseException:
            _remove_objects(store, written)
            raise
        print(f"已恢复 {source} → 数据库 {db['NAME']}，上传文件 {_store_label(store)}")
        return
    if os.geteuid() == 0:
        for path in [staging, *staging.rglob("*")]:
            os.chown(path, uid, gid)
    staging.chmod(mode)
    _restore_database(source, db, engine)
    if media_root.is_dir():
        media_root.rmdir()  # empty, checked above
    staging.rename(media_root)
    print(f"已恢复 {source} → 数据库 {db['NAME']}，上传文件 {media_root}")


def _restore_database(source: Path, db: dict, engine: str) -> None:
    """The database, all or nothing."""
    if engine == "postgresql":
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                db["NAME"],
                str(source / "database.dump"),
            ],
            db,
        )
    else:
        target = Path(db["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = target.with_name(target.name + ".restoring")
        fresh.unlink(missing_ok=True)
        backup_db, copy = sqlite3.connect(source / "database.sqlite3"), sqlite3.connect(fresh)
        with copy:
            backup_db.backup(copy)
        copy.close()
        backup_db.close()
        fresh.rename(target)


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
