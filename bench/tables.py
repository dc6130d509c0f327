"""Markdown tables from one run's JSON: ``python -m bench.tables bench.json [again.json …]``.

Prints a summary by kind of page (for README.md) and the table of every page measured,
with each miss and the run's machine load (bench/RESULTS.md is this output). Each
further JSON is a run of ``pages --reuse … --only …`` on the same kept databases after a
change: its rows replace the first run's for the same page and persona, marked ↻ and
named with that run's commit and load above the tables."""

from __future__ import annotations

import json
import statistics
import sys

from .pages import PERSONA_NAMES, SCALING_TARGET, growth_cause

PERSONAS = {
    "office_staff": "office staff",
    "district_staff": "district staff",
    "city_staff": "city staff",
    "superuser": "superuser",
    "member": "member",
    "leader": "leader",
    "anonymous": "anonymous",
}
assert set(PERSONAS) == set(PERSONA_NAMES)


def _load(report: dict, part: str) -> str:
    load = report["load"].get(part) or {}
    one, five, fifteen = load.get("load_1_5_15", [0, 0, 0])
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f} at {load.get('at', '?')}"


def summary(report: dict, part: str = "pages") -> str:
    pages = report["results"][part]
    rows = pages["rows"]
    lines = [
        f"Commit `{report['commit']}`, {pages['database']}, {pages['scale']} demo "
        f"({pages['members_1x']:,} / {pages['members_10x']:,} members); machine load "
        f"(1 / 5 / 15 min, {report['load'][part].get('cpus', '?')} cores) "
        f"{_load(report, part)} when the pages started, {_load(report, 'finished')} "
        "at the end.",
        "",
        "| pages (kind) | page × persona | ÷ trivial view, median (max) | target "
        "| 10× ÷ 1× median (max) | queries equal | missing a target (growth explained) |",
        "|---|---|---|---|---|---|---|",
    ]
    kinds: dict[str, list] = {}
    for row in rows:
        kinds.setdefault(row["kind"], []).append(row)
    for kind, group in sorted(kinds.items()):
        ratios = [r["ratio_p50"] for r in group if "ratio_p50" in r]
        scaling = [r["scaling_p50"] for r in group if "scaling_p50" in r]
        equal = sum("queries_10x" in r and "查询数随数据增长" not in r["problems"] for r in group)
        missing = sum(bool(r["problems"]) for r in group)
        explained = sum(r["problems"] == ["10× 未达标"] and bool(_reason(r)) for r in group)
        lines.append(
            f"| {kind} | {len(group)} "
            + (f"| {statistics.median(ratios):.1f} ({max(ratios):.1f}) " if ratios else "| — ")
            + f"| ≤ {group[0]['target']:g} "
            + (f"| {statistics.median(scaling):.2f} ({max(scaling):.2f}) " if scaling else "| — ")
            + f"| {equal} / {len(group)} | {missing} ({explained}) |"
        )
    return "\n".join(lines)


def _row(r: dict) -> str:
    def num(key, fmt, scale=1):
        return format(r[key] / scale, fmt) if key in r else "—"

    missed = "; ".join(_problem(p) for p in r["problems"])
    if "10× 未达标" in r["problems"]:
        missed += _reason(r)
    again = f" ↻{r['again']}" if r.get("again") else ""
    return (
        f"| `{r['route'].replace('|', chr(92) + '|')}`"  # a | inside a cell ends it
        f"{' searching' if 'q=' in r['url'] else ''}{again} "
        f"| {PERSONAS[r['persona']]} | {r['queries_1x']} / {r.get('queries_10x', '—')} "
        f"| {num('bytes_1x', '.0f', 1024)} / {num('bytes_10x', '.0f', 1024)} "
        f"| {num('p50_ms', '.0f')} | {num('ratio_p50', '.1f')} (≤ {r['target']:g}) "
        f"| {num('scaling_p50', '.2f')} | {missed} |"
    )


def _reason(r: dict) -> str:
    """Why the row grows (``pages.growth_cause``), in English, or ""."""
    cause = growth_cause(r)
    if cause is None:
        return ""
    kind, figures = cause
    if kind == "listed":
        return f" — {figures['text']}"
    if kind == "matches":
        counted = f", the page counting up to {figures['bound'] + 1:,}" if figures["bound"] else ""
        return (
            f" — the list's matches grow with the data ({r['matches_1x']:,} → "
            f"{r['matches_10x']:,}{counted}; {r['rows_1x']} → {r['rows_10x']} rows shown)"
        )
    return (
        f" — the page itself is {figures['grew']:.1f}× larger at 10× "
        f"({r['bytes_1x'] / 1024:.0f} → {r['bytes_10x'] / 1024:.0f} KiB: more rows shown)"
    )


PROBLEMS = {
    "查询数随数据增长": "queries grow",
    "比值未达标": "ratio over target",
    "10× 未达标": f"10×/1× over {SCALING_TARGET}",
    "10× 数据下未能打开": "does not open at 10×",
}


def _problem(text: str) -> str:
    return PROBLEMS.get(text, text)


def every_page(report: dict, part: str = "pages") -> str:
    pages = report["results"][part]
    lines = [
        "| page (URL pattern) | persona | queries 1× / 10× | HTML KiB 1× / 10× | p50 ms "
        "| ÷ trivial (target) | 10× ÷ 1× | missed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    rows = sorted(pages["rows"], key=lambda r: (not r["problems"], r["route"], r["persona"]))
    lines += [_row(r) for r in rows]
    lines += ["", "Not measured, with the reason:", ""]
    lines += [f"- `{s['route']}` — skipped: {s['reason']}" for s in pages["skipped"]]
    lines += [f"- `{s['route']}` — excluded: {s['reason']}" for s in pages["excluded"]]
    lines += [f"- `{s['route']}` — UNMEASURED: {s['reason']}" for s in pages["unfilled"]]
    return "\n".join(lines)


def merged(report: dict, again: list[dict]) -> dict:
    """``report`` with each page × persona of the ``again`` runs (in order) replacing its
    own, marked ``again`` (the run's index, from 1)."""
    report = json.loads(json.dumps(report))  # a copy
    pages = report["results"]["pages"]
    rows = {r["key"]: r for r in pages["rows"]}
    for n, later in enumerate(again, 1):
        for row in later["results"]["pages"]["rows"]:
            rows[row["key"]] = {**row, "again": n}
        # A page a later run found closed or not a page (a role made undeletable) is
        # listed with that run's reason instead of its old timings.
        for skipped in later["results"]["pages"]["skipped"]:
            gone = [k for k, r in rows.items() if r["route"] == skipped["route"]]
            for key in gone:
                del rows[key]
            if gone:
                pages["skipped"].append({**skipped, "reason": f"↻{n}: {skipped['reason']}"})
    pages["rows"] = list(rows.values())
    return report


def main(argv: list[str]) -> int:
    reports = []
    for path in argv:
        with open(path, encoding="utf-8") as handle:
            reports.append(json.load(handle))
    report = merged(reports[0], reports[1:])
    print("# Every page, one run of `python -m bench`\n")
    print(
        "Generated by `python -m bench.tables` from the run's `--json`. Ratios: the median "
        "over rounds of each round's median page time ÷ median trivial view time "
        "(interleaved); 10× ÷ 1× likewise, on page times.\n"
    )
    for n, later in enumerate(reports[1:], 1):
        pages = later["results"]["pages"]
        print(
            f"↻{n}: {len(pages['rows'])} page × persona pairs timed again after changes, "
            f"commit `{later['commit']}`, `pages --reuse` on the same kept databases, "
            f"machine load {_load(later, 'pages')} at the start, {_load(later, 'finished')} "
            "at the end; their rows below replace the first run's.\n"
        )
    for part in ("pages", "city"):
        if part in report["results"]:
            print(f"## The {report['results'][part]['scale']} demo\n")
            print(summary(report, part))
            print()
            print(every_page(report, part))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
