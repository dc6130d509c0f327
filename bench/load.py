"""The load test: locust, headless and time-bounded, with mixed member (portal) and
staff (admin) traffic against gunicorn on the loopback, on the district dataset
(seeded as bench.pages does). Prints the error rate and p50/p95 of portal and admin
requests against the trivial signed-in view measured in the same run."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from .common import PYTHON, ROOT, Database, django_env, gunicorn, run_child

ERROR_TARGET = 0.0


def main(args, log=print) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        with Database(workdir, "load") as db:
            env = django_env(db.url, workdir)
            log(f"负载：准备 1× 数据（{db.label} 临时数据库）……")
            prepared = run_child("pages:prepare", env, "1")
            with gunicorn(env, workers=4, threads=2) as port:
                log(f"负载：{args.users} 个并发用户，{args.seconds} 秒……")
                locust_env = dict(env, BENCH_LOAD=json.dumps(prepared))
                subprocess.run(
                    [
                        PYTHON,
                        "-m",
                        "locust",
                        "-f",
                        str(ROOT / "bench" / "locustfile.py"),
                        "--headless",
                        "-u",
                        str(args.users),
                        "-r",
                        str(max(1, args.users // 5)),
                        "-t",
                        f"{args.seconds}s",
                        "--host",
                        f"http://127.0.0.1:{port}",
                        "--csv",
                        str(workdir / "load"),
                        "--only-summary",
                        "--loglevel",
                        "ERROR",
                        "--stop-timeout",
                        "10",
                    ],
                    cwd=ROOT,
                    env=locust_env,
                    check=False,
                    capture_output=True,
                    text=True,
                )
        rows = {}
        with open(workdir / "load_stats.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                rows[row["Name"]] = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": float(row["50%"]),
                    "p95_ms": float(row["95%"]),
                    "rps": float(row["Requests/s"]),
                }
        total = rows.pop("Aggregated")
        ping = rows["ping"]
        for row in rows.values():
            row["ratio_p50"] = row["p50_ms"] / max(ping["p50_ms"], 1)
            row["ratio_p95"] = row["p95_ms"] / max(ping["p95_ms"], 1)
        return {
            "database": db.label,
            "users": args.users,
            "seconds": args.seconds,
            "requests": total["requests"],
            "failures": total["failures"],
            "error_rate": total["failures"] / max(total["requests"], 1),
            "rps": total["rps"],
            "by_kind": rows,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def print_result(result: dict, log=print) -> bool:
    ok = result["failures"] == 0 and result["requests"] > 0
    log(
        f"\n负载（{result['database']}，gunicorn 4×2，本机回环）：{result['users']} 个并发用户 "
        f"{result['seconds']} 秒，{result['requests']:,} 个请求（{result['rps']:.0f}/秒），"
        f"错误 {result['failures']}（{result['error_rate']:.2%}，目标 0）{'' if ok else '  未达标'}"
    )
    for name, row in result["by_kind"].items():
        log(
            f"  {name:<7}{row['requests']:>7} 次  p50 {row['p50_ms']:>6.0f} ms  "
            f"p95 {row['p95_ms']:>6.0f} ms  ÷ 空视图 p50 {row['ratio_p50']:.1f} "
            f"p95 {row['ratio_p95']:.1f}"
        )
    return ok
