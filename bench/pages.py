"""The page benchmark: every page of the URLconf (bench/sweep.py), for every persona
that can open it.

For a demo dataset (1×; ``--small``: the one-office demo, else the district) and a
variant with ten times the members per office (10×, and the proposals, visits and
activities the area seeds derive from them), each in a throwaway database; the
proposals are copied to 4× and 40× (PROPOSAL_COPIES):

1. a child process migrates, seeds (``demo.roster.demo_seed`` + every area of
   ``demo.areas``, as ``seed_demo`` does), runs ANALYZE on PostgreSQL, sweeps the
   URLconf counting SQL queries per page in-process (CaptureQueriesContext) and makes
   signed-in sessions for each persona;
2. (not with ``--small``) gunicorn serves liaison.wsgi with bench.settings (DEBUG off,
   the site's middleware) on the loopback, one server per size; each page is timed in
   ROUNDS rounds, each of PAIRS requests alternated with a trivial signed-in view
   (/bench/ping) on both servers, so a neighbour's load falls on page and baseline
   alike; a ratio is the median over the rounds of each round's median page ÷ median
   baseline.

Fails (non-zero exit) when a page's queries differ between the sizes, a page errs, or
a URL pattern could not be filled (bench/sweep.py EXCLUDED lists the deliberate gaps).
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import random
import statistics
import time
from pathlib import Path

from .common import Database, django_env, gunicorn, run_child

TARGETS = {"portal": 5.0, "leader": 5.0, "unit": 5.0, "other": 5.0, "admin": 20.0}
SCALING_TARGET = 1.2
ROUNDS = 3
PAIRS = 7
WARMUP = 2
# The demo seeds 27 proposals per office, 15 of them this year: fewer than the admin's
# 50-row page (which shows this year's by default), so the 1× list would show 15 rows
# and the 10× one 50, and 10×/1× would measure the rows, not the data. Both sizes copy
# the proposals: 4× (about 60 this year per office, a full page) and 40×.
PROPOSAL_COPIES = 4
PING = "/bench/ping"
# The city demo (150 offices, 60,000 members) is swept, by default, on the pages issue 21
# adds levels to: the workbench, the statistics and the coverage, each also with a
# district expanded (bench/sweep.py DISTRICT_PAGES), as city, district and office staff.
# ``--only all`` sweeps every page.
CITY_PAGES = ("admin:index", "admin:reports_statistics", "admin:visits_visit_coverage")
# Each scale's members are divided by this at 1×: the city's 10× is the city seed_demo
# makes (60,000 members), its 1× the same 10 districts and 150 offices with a tenth of
# the members (40 an office) — a city ten times its size would be 600,000 members, a
# seed of hours here. ``--quick`` and ``--from-db`` measure the city itself (10×).
BASE_DIVISOR = {"city": 10}


# --- In the child process (Django set up against the throwaway database) -------------


def prepare(
    factor: str, scale: str = "district", only: str = "", seeded: str = "", keep: str = ""
) -> dict:
    """Seed (``seeded``: "1" — the database is a copy of one seed_demo filled already;
    only the proposals are copied; "kept" — a copy of a database ``--keep`` kept: nothing
    to add), keep a copy named ``keep`` if given, then sweep every page (``only``:
    comma-separated URL names) counting queries and make sessions."""
    import resource

    from django.core.management import call_command
    from django.db import connection

    from demo import roster
    from liaison.models import Office

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if seeded == "kept":
        summary = roster.Summary(offices=Office.objects.count())
    else:
        summary = _seeded(int(factor)) if seeded else seed(int(factor), scale)
    if keep:
        connection.close()  # a template may have no other session
        Database.copy(connection.settings_dict["NAME"], keep)
    seeded = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    result = sweep_pages(only=set(only.split(",")) if only else None)
    return {
        **result,
        "offices": summary.offices,
        "seconds": seeded,
        "seed_peak_mib": peak,
        "sweep_seconds": time.perf_counter() - started - seeded,
    }


def migrate() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {}


def _seeded(factor: int):
    """What ``seed`` adds to a demo seed_demo wrote: the proposals copied."""
    from demo import roster
    from demo.areas import analyze
    from liaison.models import Office

    _multiply_proposals(PROPOSAL_COPIES * factor)
    analyze(vacuum=True)
    return roster.Summary(offices=Office.objects.count())


def seed(factor: int, scale: str):
    """Seed the demo at ``factor`` × the scale's members (on a migrated database)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from demo import roster
    from demo.areas import analyze, seed_areas
    from liaison.models import Office

    base = roster.SCALES[scale]
    members = base.members * factor // BASE_DIVISOR.get(scale, 1)
    if members != base.members:
        scale = f"{scale}{factor}x"
        roster.SCALES[scale] = roster.Scale(
            offices=base.offices, members=members, districts=base.districts
        )
    summary = roster.demo_seed(scale=scale)
    offices = list(Office.objects.filter(code__in=roster.DEMO_OFFICE_CODES).order_by("pk"))
    seed_areas(
        offices=offices,
        today=timezone.localdate(),
        actor=get_user_model().objects.get(username=summary.sign_ins.admin_username),
        seed=roster.SEED,
    )
    _multiply_proposals(PROPOSAL_COPIES * factor)
    analyze(vacuum=True)
    return summary


def sweep_pages(only=None) -> dict:
    """Every page for every persona (bench/sweep.py), queries counted in-process; the
    personas' session cookies for the timed requests."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from demo.roster import existing_sign_ins
    from members.models import Member
    from proposals.models import Proposal

    from .sweep import complete_demo, sweep

    sign_ins = existing_sign_ins()
    users = get_user_model().objects
    member = Member.objects.get(name=sign_ins.member_name, user__isnull=False)
    personas = {
        "office_staff": users.get(username=sign_ins.staff_username),
        "district_staff": users.get(username=sign_ins.district_username),
        "superuser": users.get(username=sign_ins.admin_username),
        "leader": users.get(username=sign_ins.leader_username),
        "member": member.user,
    }
    if sign_ins.city_username:  # a city: district_staff is 芙蓉区's, city_staff every district's
        personas["city_staff"] = users.get(username=sign_ins.city_username)
    clients = {"anonymous": Client()}
    for persona, user in personas.items():
        clients[persona] = Client()
        clients[persona].force_login(user)

    complete_demo(member, clients["anonymous"], personas["superuser"], personas["office_staff"])
    swept = sweep(personas, member, clients, only=only)
    cookie = settings.SESSION_COOKIE_NAME
    office = member.office
    return {
        "members": Member.objects.count(),
        "office_members": Member.objects.filter(office=office).count(),
        "office_proposals": Proposal.objects.filter(office=office).count(),
        "proposals": Proposal.objects.count(),
        **swept,
        "cookies": {
            persona: c.cookies[cookie].value
            for persona, c in clients.items()
            if persona in personas
        },
        "cookie_name": cookie,
        "today": datetime.date.today().isoformat(),
    }


def _multiply_proposals(factor: int) -> None:
    """The proposals demo is seeded per office, not per member: copy each proposal
    ``factor - 1`` more times (same office, year and status; another lead member of
    the office; serials continued) so the proposal pages see ``factor`` × the rows."""
    from django.db.models import F

    from members.models import Member
    from proposals.models import GramFrequency, Proposal

    rng = random.Random(factor)
    originals = list(Proposal.objects.order_by("pk"))
    leads: dict[int, list[int]] = {}
    for office_id, member_id in Member.objects.values_list("office_id", "pk"):
        leads.setdefault(office_id, []).append(member_id)
    copies = []
    for round_ in range(1, factor):
        for proposal in originals:
            copy = Proposal(
                **{
                    field.attname: getattr(proposal, field.attname)
                    for field in Proposal._meta.concrete_fields
                    if not field.primary_key
                }
            )
            if copy.serial is not None:
                copy.serial += round_ * 10_000
                copy.number = f"{copy.year}-{copy.serial}"
            if copy.lead_member_id:
                copy.lead_member_id = rng.choice(leads[copy.office_id])
            copies.append(copy)
    Proposal.objects.bulk_create(copies, batch_size=1000)
    # The copies carry their originals' search columns (proposals.textindex); every
    # gram is now in ``factor`` times the proposals, so its document frequency is too.
    GramFrequency.objects.update(documents=F("documents") * factor)


# --- In the parent process -------------------------------------------------------------


class Seeded:
    """A PostgreSQL database filled by ``seed_demo`` beforehand (``--from-db``): the
    template the measured databases are copied from (seeding the city takes a while)."""

    label = "PostgreSQL"

    def __init__(self, name: str):
        self.name = name


def _get(conn: http.client.HTTPConnection, url: str, cookie: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    return time.perf_counter() - started, response.status


def measure(servers: list[tuple[int, dict]], keys: list[str], log, pairs=PAIRS) -> list[dict]:
    """Timings of each page (by key) on each server (one per data size), in ROUNDS
    rounds of ``pairs`` requests, each followed by the trivial view, alternating servers."""
    conns, cookies, pages = [], [], []
    for port, prepared in servers:
        conns.append(http.client.HTTPConnection("127.0.0.1", port, timeout=120))
        name = prepared["cookie_name"]
        cookies.append({who: f"{name}={value}" for who, value in prepared["cookies"].items()})
        pages.append({m["key"]: m for m in prepared["measured"]})
    results = [{} for _ in servers]
    try:
        for n, key in enumerate(keys, 1):
            if n % 25 == 0:
                log(f"  {n}/{len(keys)}……")
            targets = []
            for conn, cookie, by_key in zip(conns, cookies, pages, strict=True):
                page = by_key[key]
                # Anonymous pages are divided by the member's trivial view.
                who = cookie.get(page["persona"], "")
                ping = cookie.get(page["persona"], cookie["member"])
                targets.append((conn, page["url"], who, ping))
            for conn, url, who, ping in targets:
                for _ in range(WARMUP):
                    _get(conn, url, who)
                    _get(conn, PING, ping)
            rounds = [
                [{"page": [], "ping": [], "errors": 0} for _ in servers] for _ in range(ROUNDS)
            ]
            for this_round in rounds:
                for _ in range(pairs):
                    for (conn, url, who, ping), t in zip(targets, this_round, strict=True):
                        seconds, status = _get(conn, url, who)
                        t["page"].append(seconds)
                        t["errors"] += status != 200
                        seconds, status = _get(conn, PING, ping)
                        t["ping"].append(seconds)
                        t["errors"] += status != 200
            for size, result in enumerate(results):
                mine = [r[size] for r in rounds]
                result[key] = {
                    "errors": sum(t["errors"] for t in mine),
                    "p50_ms": statistics.median(s for t in mine for s in t["page"]) * 1000,
                    "ping_p50_ms": statistics.median(s for t in mine for s in t["ping"]) * 1000,
                    "ratio_rounds": [
                        statistics.median(t["page"]) / statistics.median(t["ping"]) for t in mine
                    ],
                    "page_round_p50_ms": [statistics.median(t["page"]) * 1000 for t in mine],
                }
                result[key]["ratio_p50"] = statistics.median(result[key]["ratio_rounds"])
    finally:
        for conn in conns:
            conn.close()
    return results


def run_sizes(
    workdir: Path,
    factors: tuple[int, ...],
    scale: str,
    timed: bool,
    log,
    pairs: int = PAIRS,
    only: str = "",
    from_db: str = "",
    keep: bool = False,
    reuse: dict | None = None,
    cold: bool = False,
) -> dict:
    with contextlib.ExitStack() as stack:
        prepared, envs = {}, {}
        if from_db:
            # A database seed_demo filled (PostgreSQL, same server): copied, never used.
            migrated = Seeded(from_db)
            log(f"从已生成演示数据的数据库 {from_db} 复制……")
        elif reuse:
            migrated = None
            log("从保留的数据库复制：" + "，".join(f"{f}× {n}" for f, n in reuse.items()))
        else:
            # Migrated once; the other sizes start from a copy.
            migrated = stack.enter_context(Database(workdir, "pages-migrated"))
            log(f"迁移数据库（{migrated.label} 临时数据库）……")
            run_child("pages:migrate", django_env(migrated.url, workdir))
        kept = {}
        for factor in factors:
            template = Seeded(reuse[factor]) if reuse else migrated
            db = stack.enter_context(Database(workdir, f"pages{factor}x", template=template))
            # --cold: every process's cache is empty at every request (a process just
            # started, or another host): what is kept in the database is all there is.
            envs[factor] = django_env(
                db.url, workdir, **({"BENCH_COLD_CACHE": "true"} if cold else {})
            )
            log(f"准备 {factor}× 数据并逐页统计查询（{db.label} 临时数据库）……")
            if keep:
                kept[factor] = f"liaison_bench_kept_{scale}_{factor}x_{db.name[-6:]}"
            prepared[factor] = run_child(
                "pages:prepare",
                envs[factor],
                str(factor),
                scale,
                only,
                "kept" if reuse else "1" if from_db else "",
                kept.get(factor, ""),
            )
            p = prepared[factor]
            log(
                f"  {p['offices']} 个联络处，{p['members']:,} 名委员"
                f"（所测联络处 {p['office_members']:,} 名），"
                f"提案 {p['proposals']:,} 件（所测联络处 {p['office_proposals']:,} 件）；"
                f"{len(p['measured'])} 个页面；准备 {p['seconds']:.0f} 秒"
                f"（峰值内存 {p['seed_peak_mib']:.0f} MiB），"
                f"逐页 {p['sweep_seconds']:.0f} 秒"
            )
            if keep:
                log(f"  已保留 {factor}× 数据库（未经逐页请求）：{kept[factor]}")
        timings = [{} for _ in factors]
        if timed:
            keys = [
                m["key"]
                for m in prepared[factors[0]]["measured"]
                if all(m["key"] in {x["key"] for x in prepared[f]["measured"]} for f in factors)
            ]
            ports = [stack.enter_context(gunicorn(envs[factor])) for factor in factors]
            log(f"测量 {len(keys)} 个页面的耗时（各规模与空视图交替请求）……")
            timings = measure(
                [(port, prepared[f]) for port, f in zip(ports, factors, strict=True)],
                keys,
                log,
                pairs,
            )
        return {
            factor: {"database": db.label, "prepared": prepared[factor], "timings": timing}
            for factor, timing in zip(factors, timings, strict=True)
        }


def main(args, log=print) -> dict:
    import shutil
    import tempfile

    small = getattr(args, "small", False)
    scale = "small" if small else getattr(args, "scale", None) or "district"
    only = getattr(args, "only", None)
    if only is None:
        only = ",".join(CITY_PAGES) if scale == "city" else ""
    elif only == "all":
        only = ""
    reuse = getattr(args, "reuse", None)
    if (reuse or getattr(args, "keep", False)) and not Database(Path(), "check").postgres:
        raise SystemExit("--keep 与 --reuse 需要 PostgreSQL（设置 DATABASE_URL）")
    if reuse:
        reuse = dict(zip((1, 10), reuse.split(","), strict=True))
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    factors = (1, 10)
    if getattr(args, "quick", False) or getattr(args, "from_db", None):
        factors = (10,) if scale in BASE_DIVISOR else (1,)
    try:
        sizes = run_sizes(
            workdir,
            factors,
            scale,
            timed=not small or getattr(args, "timed", False),
            log=log,
            pairs=getattr(args, "pairs", PAIRS),
            only=only,
            from_db=getattr(args, "from_db", None) or "",
            keep=getattr(args, "keep", False),
            reuse=reuse,
            cold=getattr(args, "cold", False),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    one, ten = sizes[factors[0]], sizes[10] if len(factors) > 1 else None
    rows = compare(one["prepared"], ten and ten["prepared"], one["timings"], ten and ten["timings"])
    prepared = one["prepared"]
    return {
        "database": one["database"],
        "scale": scale,
        "only": only,
        "cold_cache": getattr(args, "cold", False),
        "offices": prepared["offices"],
        "seed_seconds_1x": prepared["seconds"],
        "seed_peak_mib_1x": prepared["seed_peak_mib"],
        "members_1x": prepared["members"],
        "members_10x": ten and ten["prepared"]["members"],
        "rows": rows,
        "skipped": prepared["skipped"],
        "excluded": prepared["excluded"],
        "unfilled": prepared["unfilled"],
        "unmeasured": [f"{u['route']}：{u['reason']}" for u in prepared["unfilled"]],
    }


def _grown(one: dict, ten: dict) -> bool:
    """Whether a page's queries differ between the sizes. A record's page is measured on
    the richest few records (bench/sweep.RECORD_SAMPLES), which are other records at
    each size and may be in other states: it differs when no record at one size runs as
    many queries as one at the other (the ranges do not meet), as a query per row would
    make every richer record's count higher."""
    low_one, high_one = min(one["samples"]), max(one["samples"])
    low_ten, high_ten = min(ten["samples"]), max(ten["samples"])
    return low_ten > high_one or high_ten < low_one


def compare(one: dict, ten: dict | None, timed: dict | None = None, timed_ten=None) -> list:
    """A row per page measured at 1×: its queries and size at both sizes, its timings
    if taken, and its problems (queries that grow, a page lost at 10×, targets missed)."""
    at_ten = {m["key"]: m for m in ten["measured"]} if ten else {}
    rows = []
    for page in one["measured"]:
        key = page["key"]
        row = {
            **{k: page[k] for k in ("key", "route", "name", "persona", "kind", "url")},
            "queries_1x": page["queries"],
            "bytes_1x": page["bytes"],
            "target": TARGETS[page["kind"]],
            "problems": [],
        }
        if ten:
            grown = at_ten.get(key)
            if grown is None:
                row["problems"].append("10× 数据下未能打开")
            else:
                row["queries_10x"] = grown["queries"]
                row["bytes_10x"] = grown["bytes"]
                for figure in ("matches", "rows", "count_bound"):  # an admin list's
                    if figure in page and figure in grown:
                        row[f"{figure}_1x"], row[f"{figure}_10x"] = page[figure], grown[figure]
                row["samples_1x"], row["samples_10x"] = page["samples"], grown["samples"]
                if _grown(page, grown):
                    row["problems"].append("查询数随数据增长")
        timing = (timed or {}).get(key)
        if timing:
            row.update(
                {k: timing[k] for k in ("p50_ms", "ping_p50_ms", "ratio_p50", "ratio_rounds")}
            )
            row["errors"] = timing["errors"]
            if timing["ratio_p50"] > row["target"]:
                row["problems"].append("比值未达标")
            if timing["errors"]:
                row["problems"].append(f"{timing['errors']} 个错误")
            grown = (timed_ten or {}).get(key)
            if grown:
                row["p50_ms_10x"] = grown["p50_ms"]
                row["ratio_p50_10x"] = grown["ratio_p50"]
                row["scaling_rounds"] = [
                    b / a
                    for a, b in zip(
                        timing["page_round_p50_ms"], grown["page_round_p50_ms"], strict=True
                    )
                ]
                row["scaling_p50"] = statistics.median(row["scaling_rounds"])
                if row["scaling_p50"] > SCALING_TARGET:
                    row["problems"].append("10× 未达标")
                    row["reason"] = growth_reason(row)
        rows.append(row)
    return rows


# Why a page misses 10× ÷ 1×, where a run showed it and the cause is not the code's to
# remove — by route, or (route, persona). A page whose HTML grew with the data at least
# as much as its time is explained by its own figures (growth_cause), not listed here.
REASONS: dict = {
    # It reads rows in proportion to the record it shows: the measured activity has
    # 478 invitees at 1× and 4,637 at 10×. Listed from the run of 1 December 18:32 UTC
    # and its re-timings (README: "The district: every page").
    "admin/briefings/activity/<path:object_id>/print-minutes/": (
        "纪要列出每种出席情况按姓氏笔画的前 100 人：要对该活动的全部受邀人按姓名排序"
        "（最大的活动 478 人 → 4,637 人）"
    ),
}


def growth_cause(row: dict) -> tuple[str, dict] | None:
    """Why a row misses 10× ÷ 1×, if anything says: ("listed", REASONS' text), ("matches",
    an admin list whose matches grew) or ("html", the page itself grew at least as much
    as its time) — the one rule both the run's output and bench.tables word."""
    known = REASONS.get((row["route"], row["persona"])) or REASONS.get(row["route"])
    if known:
        return "listed", {"text": known}
    if row.get("matches_10x", 0) > SCALING_TARGET * row.get("matches_1x", 0) > 0:
        return "matches", {"bound": row.get("count_bound_10x")}
    # The page's own growth explains no more than it grew: a page twice as slow whose
    # HTML grew a quarter is not explained by it.
    grew = row["bytes_10x"] / row["bytes_1x"] if row.get("bytes_1x") and "bytes_10x" in row else 0
    if SCALING_TARGET < grew >= row.get("scaling_p50", 0):
        return "html", {"grew": grew}
    return None


def growth_reason(row: dict) -> str:
    """``growth_cause`` in the run's words, or ""."""
    cause = growth_cause(row)
    if cause is None:
        return ""
    kind, figures = cause
    if kind == "listed":
        return figures["text"]
    if kind == "matches":
        bound = figures["bound"]
        counted = f"，页面计数至多读到 {bound + 1:,} 行" if bound else ""
        return (
            f"列表匹配的行随数据增长（{row['matches_1x']:,} → {row['matches_10x']:,} 行"
            f"{counted}；显示 {row['rows_1x']} → {row['rows_10x']} 行）"
        )
    return (
        f"页面本身大了 {figures['grew']:.1f} 倍（{row['bytes_1x'] / 1024:.0f} → "
        f"{row['bytes_10x'] / 1024:.0f} KiB）：10× 数据下列出的行更多"
    )


PERSONA_NAMES = {
    "office_staff": "联络处工作人员",
    "district_staff": "区政协工作人员",
    "city_staff": "市政协工作人员",
    "superuser": "超级管理员",
    "member": "委员",
    "leader": "领导",
    "anonymous": "未登录",
}


def print_table(result: dict, log=print) -> bool:
    timed = any("ratio_p50" in r for r in result["rows"])
    log(
        f"\n逐页（{result['database']}，{result['scale']} 演示数据，"
        f"{result['members_1x']:,} / {result['members_10x'] or '—'} 名委员；"
        "比值 = 各轮页面中位数 ÷ 同轮空视图中位数，取各轮中位数）"
    )
    width = max((len(r["route"]) for r in result["rows"]), default=4) + 2
    log(
        f"{'页面':<{width}}{'身份':<8}{'查询 1×/10×':>12}{'HTML KiB':>9}"
        + (f"{'p50 ms':>8}{'比值':>6}{'目标':>5}{'10×/1×':>8}" if timed else "")
    )
    for r in result["rows"]:
        queries = f"{r['queries_1x']}/{r.get('queries_10x', '—')}"
        line = (
            f"{r['route']:<{width}}{PERSONA_NAMES[r['persona']]:<8}{queries:>12}"
            f"{r['bytes_1x'] / 1024:>9.1f}"
        )
        if "ratio_p50" in r:
            scaling = f"{r['scaling_p50']:>8.2f}" if "scaling_p50" in r else " " * 8
            line += f"{r['p50_ms']:>8.1f}{r['ratio_p50']:>6.1f}{'≤' + format(r['target'], 'g'):>5}"
            line += scaling
        samples = r.get("samples_1x", []) + r.get("samples_10x", [])
        if len(set(samples)) > 1:  # a record's page: the richest records' range at each size
            one, ten = r["samples_1x"], r["samples_10x"]
            line += f"  （各规模最丰富的几条记录：{min(one)}–{max(one)} / {min(ten)}–{max(ten)}）"
        if r["problems"]:
            line += f"  {'；'.join(r['problems'])}"
            if r.get("reason"):
                line += f"（{r['reason']}）"
        log(line)
    targets = "，".join(f"{k} ≤ {v:g}" for k, v in TARGETS.items())
    log(f"目标：{targets}；10×/1× ≤ {SCALING_TARGET}；两种规模查询数相等（记录页：范围相交）")
    for s in result["skipped"]:
        log(f"不是页面，跳过：{s['route']}（{s['reason']}）")
    for s in result["excluded"]:
        log(f"按清单排除：{s['route']}（{s['reason']}）")
    for s in result["unfilled"]:
        log(f"未能测量：{s['route']}（{s['reason']}）")
    problems = [r for r in result["rows"] if r["problems"]]
    growing = [r for r in problems if "查询数随数据增长" in r["problems"]]
    # A page whose only miss is 10× ÷ 1× with its reason shown (its own HTML growing,
    # or REASONS) is listed, not failed: issue 16's "or is listed with its reason".
    explained = [r for r in problems if r["problems"] == ["10× 未达标"] and r.get("reason")]
    log(
        f"共 {len(result['rows'])} 个页面×身份；{len(problems)} 个未达标"
        f"（其中查询数增长 {len(growing)} 个，10×/1× 超出而已说明原因 {len(explained)} 个）；"
        f"未能测量 {len(result['unfilled'])} 个"
    )
    return len(problems) == len(explained) and not result["unfilled"]
