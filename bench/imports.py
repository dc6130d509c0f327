"""The roster import benchmark: a 5,000-row .xlsx roster imported the way the worker
does it (members.jobs: read within liaison.imports' bounds, every row checked, all
written in one transaction), its time and its peak memory above the process's baseline
(ru_maxrss, in a fresh process that has only set Django up and migrated). The roster
file is written by this process, so that building it costs the measured one nothing."""

from __future__ import annotations

import datetime
import resource
import shutil
import tempfile
import time
from pathlib import Path

from .common import Database, django_env, redis_server, run_child

ROWS = 5_000
# Targets, with room for a slower machine: what one import may cost a worker.
TARGET_SECONDS = 60.0
TARGET_PEAK_MB = 200.0

HEADERS = ["姓名", "性别", "出生日期", "委员编号", "届次", "界别", "政治面貌", "工作单位"]
HEADERS += ["职务", "手机号码", "电子邮箱", "家庭住址", "状态"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "芳明伟洋静帆军磊敏强丽华平刚桂英秀兰德胜"


def roster_file(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append(
            [
                SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[i % 7],
                "男" if i % 2 else "女",
                datetime.date(1960 + i % 30, 1 + i % 12, 1 + i % 28),
                f"BR{i:05d}",
                "第十一届",
                "经济界",
                "无党派人士",
                f"长沙某某有限公司{i % 300}",
                "总经理",
                13800000000 + i,
                f"m{i}@example.cn",
                f"长沙市芙蓉区韭菜园路{i}号",
                "在任",
            ]
        )
    book.save(path)


def _rss_mb() -> float:
    """The high-water mark of this process and of the largest child it waited for (the
    file is read in a forked child, liaison.imports.read_bounded), in MB."""
    return max(
        resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )


def prepare(path: str) -> dict:
    """In a child process: the database migrated, an office, its staff member, and the
    roster uploaded (the job queued, as the import page leaves it)."""
    from django.core.management import call_command

    from liaison import jobs
    from liaison.models import Office, User
    from members.formats import XLSX
    from members.jobs import roster_import_start

    call_command("migrate", verbosity=0)
    office = Office.objects.create(code="bench", name="基准联络处", street="基准街道")
    staff = User.objects.create(username="bench-staff", office=office, is_staff=True)
    jobs._enqueue = lambda job_id: None  # measure() runs it
    data = Path(path).read_bytes()
    job = roster_import_start(
        data=data, file_name="名册.xlsx", fmt=XLSX, office=office, actor=staff, show_office=False
    )
    return {"job": job.pk, "file_kb": len(data) / 1024}


def measure(job_id: str) -> dict:
    """In a fresh child process with Django set up: run the job as the worker does. Its
    baseline is the process with the modules the job uses loaded, so that ru_maxrss
    (the high-water mark, of this process or of the child that read the file)
    afterwards minus it is what the import itself took."""
    from liaison import jobs
    from liaison.models import Job
    from members import jobs as member_jobs  # noqa: F401  (openpyxl, import-export …)
    from members.models import Member

    baseline = _rss_mb()
    started = time.perf_counter()
    job = jobs.job_run(job_id=int(job_id))
    seconds = time.perf_counter() - started
    return {
        "rows": ROWS,
        "seconds": seconds,
        "peak_mb": _rss_mb() - baseline,
        "baseline_mb": baseline,
        "ok_status": job.status == Job.Status.DONE,
        "error": job.error,
        "created": Member.objects.count(),
    }


def main(args, log=print) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    try:
        path = workdir / "roster.xlsx"
        roster_file(path, ROWS)
        with redis_server() as url, Database(workdir, "imports") as db:
            env = django_env(db.url, workdir, REDIS_URL=url)
            log(f"名册导入：{ROWS:,} 行 .xlsx 名册由 worker 导入的耗时和峰值内存（{db.label}）……")
            prepared = run_child("imports:prepare", env, str(path))
            result = run_child("imports:measure", env, str(prepared["job"]))
            result.update(database=db.label, file_kb=prepared["file_kb"])
            return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_result(result: dict, log=print) -> bool:
    ok = (
        result["ok_status"]
        and result["created"] == result["rows"]
        and result["seconds"] <= TARGET_SECONDS
        and result["peak_mb"] <= TARGET_PEAK_MB
    )
    log(
        f"\n名册导入：{result['rows']:,} 行（{result['file_kb']:.0f} KB .xlsx）"
        f"{result['seconds']:.1f} 秒（目标 ≤ {TARGET_SECONDS:g}），"
        f"峰值内存比基线（{result['baseline_mb']:.0f} MB）多 {result['peak_mb']:.0f} MB"
        f"（目标 ≤ {TARGET_PEAK_MB:g}）；"
        f"新增 {result['created']:,} 名委员{'' if ok else '  未达标 ' + result['error']}"
    )
    return ok
