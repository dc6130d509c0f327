"""Runs the chosen benchmarks (all of them when none is named), prints each result with
its target, what could not be measured, and optionally writes everything as JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback

from .common import ROOT


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip()


def machine_load() -> dict:
    """The machine's load when a part starts: this machine is shared, and a figure
    means little without it."""
    one, five, fifteen = os.getloadavg()
    return {
        "at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_1_5_15": [one, five, fifteen],
        "cpus": os.cpu_count(),
    }


def _city(args):
    """The pages part's arguments for the city demo's run (``pages --scale city``)."""
    return argparse.Namespace(
        **{
            **vars(args),
            "scale": "city",
            "only": None,
            "quick": False,
            "small": False,
            "from_db": None,
            "keep": False,
            "reuse": None,
        }
    )


def run(args) -> int:
    from . import imports, load, pages, pdf, reminders, search, sms

    chosen = (
        [args.bench]
        if args.bench
        else ["pages", "city", "search", "reminders", "sms", "imports", "load", "pdf"]
    )
    report = {
        "commit": _commit(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": platform.platform(),
        "load": {},
        "results": {},
        "unmeasured": [],
    }
    ok = True
    for name in chosen:
        report["load"][name] = machine_load()
        load_1, load_5, _ = report["load"][name]["load_1_5_15"]
        print(
            f"\n=== {name} === （机器负载 {load_1:.1f} / {load_5:.1f}，"
            f"{report['load'][name]['cpus']} 核）",
            flush=True,
        )
        try:
            if name == "pages":
                result = pages.main(args, log=_log)
                ok &= pages.print_table(result)
                report["unmeasured"] += result["unmeasured"]
            elif name == "city":  # the pages of each level, on the city demo
                result = pages.main(_city(args), log=_log)
                ok &= pages.print_table(result)
                report["unmeasured"] += result["unmeasured"]
            elif name == "search":
                result = search.main(args, log=_log)
                ok &= search.print_table(result)
            elif name == "reminders":
                result = reminders.main(args, log=_log)
                ok &= reminders.print_result(result)
            elif name == "sms":
                result = sms.main(args, log=_log)
                ok &= sms.print_result(result)
            elif name == "imports":
                result = imports.main(args, log=_log)
                ok &= imports.print_result(result)
            elif name == "load":
                args.users = getattr(args, "users", 50)
                args.seconds = getattr(args, "seconds", 60)
                result = load.main(args, log=_log)
                ok &= load.print_result(result)
            else:  # pdf: seeding and rendering in processes of their own
                result = pdf.run(args, log=_log)
                ok &= result["ok"]
            report["results"][name] = result
        except Exception as exc:  # report what could not be measured and go on
            traceback.print_exc()
            report["unmeasured"].append(f"{name}：{exc}")
            ok = False
    report["load"]["finished"] = machine_load()
    if report["unmeasured"]:
        print("\n未能测量：")
        for line in report["unmeasured"]:
            print(f"  {line}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(report, handle, ensure_ascii=False, indent=2)
        print(f"\n结果已写入 {args.json}")
    print("\n全部达标" if ok else "\n有未达标或未能测量的项目（见上）")
    return 0 if ok else 1


def _log(line: str) -> None:
    print(line, flush=True)
    sys.stdout.flush()
