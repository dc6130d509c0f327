"""The page benchmark.

For the district dataset (1×) and a variant with ten times the members per office
(10×, and the proposals, visits and activities the area seeds derive from them), each
in a throwaway database; the proposals are copied to 4× and 40× (PROPOSAL_COPIES):

1. a child process migrates, seeds (``demo.roster.demo_seed`` + every area of
   ``demo.areas``, as ``seed_demo`` does), runs ANALYZE on PostgreSQL, counts SQL queries
   per page in-process (CaptureQueriesContext) and makes signed-in sessions for a member
   and for an office's staff;
2. gunicorn serves liaison.wsgi with bench.settings (DEBUG off, the site's middleware)
   on the loopback; each page is requested alternately with a trivial signed-in view
   (/bench/ping) over one keep-alive connection, and p50/p95 of each are compared.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import random
import time
from pathlib import Path

from .common import Database, django_env, gunicorn, percentile, run_child

PORTAL_TARGET = 5.0
ADMIN_TARGET = 20.0
SCALING_TARGET = 1.2
ROUNDS = 40
WARMUP = 5
# The demo seeds 27 proposals per office, 15 of them this year: fewer than the admin's
# 50-row page (which shows this year's by default), so the 1× list would show 15 rows
# and the 10× one 50, and 10×/1× would measure the rows, not the data. Both sizes copy
# the proposals: 4× (about 60 this year per office, a full page) and 40×.
PROPOSAL_COPIES = 4
PING = "/bench/ping"

# name, kind (portal/admin), session (member/staff)
PAGES = [
    ("portal_dashboard", "portal", "member"),
    ("portal_proposals", "portal", "member"),
    ("portal_proposal_detail", "portal", "member"),
    ("portal_activity_detail", "portal", "member"),
    ("admin_members", "admin", "staff"),
    ("admin_proposals", "admin", "staff"),
    ("admin_concerns", "admin", "staff"),
    ("admin_coverage", "admin", "staff"),
]


# --- In the child process (Django set up against the throwaway database) -------------


def prepare(factor: str) -> dict:
    """Seed, count queries per page and make sessions. Returns URLs, cookies, counts."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from briefings.models import Invitation
    from demo import roster
    from demo.areas import analyze, seed_areas
    from liaison.models import Office
    from members.models import Member
    from proposals.models import Proposal

    factor = int(factor)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    scale = "district"
    if factor != 1:
        base = roster.SCALES["district"]
        scale = f"district{factor}x"
        roster.SCALES[scale] = roster.Scale(offices=base.offices, members=base.members * factor)
    summary = roster.demo_seed(scale=scale)
    offices = list(Office.objects.filter(code__in=roster.DEMO_OFFICE_CODES).order_by("pk"))
    actor = get_user_model().objects.filter(username=roster.ADMIN_USERNAME).first()
    today = timezone.localdate()
    seed_areas(offices=offices, today=today, actor=actor, seed=roster.SEED)
    _multiply_proposals(PROPOSAL_COPIES * factor)
    analyze()
    seeded = time.perf_counter() - started

    office = offices[0]
    # A member with an account who leads a proposal (every portal page has content).
    proposal = (
        Proposal.objects.filter(office=office, lead_member__user__isnull=False)
        .exclude(serial__gte=10_000)  # one of the seeded proposals at every size
        .order_by("-pk")
        .first()
    )
    member = (
        proposal.lead_member
        if proposal
        else Member.objects.get(office=office, name="唐朝阳", user__isnull=False)
    )
    staff = get_user_model().objects.get(username=f"staff_{office.code}")
    invitation = Invitation.objects.filter(member=member).order_by("-pk").first()
    urls = {
        "portal_dashboard": reverse("portal:dashboard"),
        "portal_proposals": reverse("portal:proposals"),
        "portal_proposal_detail": proposal
        and reverse("portal:proposal_detail", args=[proposal.pk]),
        "portal_activity_detail": invitation
        and reverse("portal:activity_detail", args=[invitation.activity_id]),
        "admin_members": reverse("admin:members_member_changelist"),
        "admin_proposals": reverse("admin:proposals_proposal_changelist"),
        "admin_concerns": reverse("admin:visits_concern_changelist"),
        "admin_coverage": reverse("admin:visits_visit_coverage"),
    }
    clients = {"member": Client(), "staff": Client()}
    clients["member"].force_login(member.user)
    clients["staff"].force_login(staff)
    queries, statuses = {}, {}
    for name, _kind, who in PAGES:
        url = urls[name]
        if url is None:
            continue
        client = clients[who]
        client.get(url)  # warm caches (ContentType, config rows) as a running server has
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries[name] = len(captured)
        statuses[name] = response.status_code
    cookie = settings.SESSION_COOKIE_NAME
    return {
        "seconds": seeded,
        "offices": summary.offices,
        "members": Member.objects.count(),
        "office_members": Member.objects.filter(office=office).count(),
        "office_proposals": Proposal.objects.filter(office=office).count(),
        "proposals": Proposal.objects.count(),
        "urls": urls,
        "queries": queries,
        "statuses": statuses,
        "cookies": {who: c.cookies[cookie].value for who, c in clients.items()},
        "cookie_name": cookie,
        "today": datetime.date.today().isoformat(),
    }


def _multiply_proposals(factor: int) -> None:
    """The proposals demo is seeded per office, not per member: copy each proposal
    ``factor - 1`` more times (same office, year and status; another lead member of
    the office; serials continued) so the proposal pages see ``factor`` × the rows."""
    from members.models import Member
    from proposals.models import Proposal

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


# --- In the parent process -------------------------------------------------------------


def _get(conn: http.client.HTTPConnection, url: str, cookie: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    return time.perf_counter() - started, response.status


def measure(servers: list[tuple[int, dict]], rounds: int = ROUNDS) -> list[dict]:
    """p50/p95 of each page and of the trivial view on each server (one per data size),
    requested in turn — page, trivial view, next server — so that a neighbour's load on
    this shared machine falls on every figure alike."""
    conns, cookies, results = [], [], []
    for port, prepared in servers:
        conns.append(http.client.HTTPConnection("127.0.0.1", port, timeout=60))
        name = prepared["cookie_name"]
        cookies.append({who: f"{name}={value}" for who, value in prepared["cookies"].items()})
        results.append({})
    try:
        for page, kind, who in PAGES:
            urls = [prepared["urls"].get(page) for _port, prepared in servers]
            if None in urls:
                continue
            for conn, url, cookie in zip(conns, urls, cookies, strict=True):
                for _ in range(WARMUP):
                    _get(conn, url, cookie[who])
                    _get(conn, PING, cookie[who])
            times = [{"page": [], "ping": [], "errors": 0} for _ in servers]
            for _ in range(rounds):
                for conn, url, cookie, t in zip(conns, urls, cookies, times, strict=True):
                    seconds, status = _get(conn, url, cookie[who])
                    t["page"].append(seconds)
                    t["errors"] += status != 200
                    seconds, status = _get(conn, PING, cookie[who])
                    t["ping"].append(seconds)
                    t["errors"] += status != 200
            for result, url, t in zip(results, urls, times, strict=True):
                r = result[page] = {
                    "kind": kind,
                    "url": url,
                    "errors": t["errors"],
                    "p50_ms": percentile(t["page"], 0.5) * 1000,
                    "p95_ms": percentile(t["page"], 0.95) * 1000,
                    "ping_p50_ms": percentile(t["ping"], 0.5) * 1000,
                    "ping_p95_ms": percentile(t["ping"], 0.95) * 1000,
                }
                r["ratio_p50"] = r["p50_ms"] / r["ping_p50_ms"]
                r["ratio_p95"] = r["p95_ms"] / r["ping_p95_ms"]
    finally:
        for conn in conns:
            conn.close()
    return results


def run_sizes(workdir: Path, factors: tuple[int, ...], log) -> dict:
    with contextlib.ExitStack() as stack:
        prepared, envs = {}, {}
        for factor in factors:
            db = stack.enter_context(Database(workdir, f"pages{factor}x"))
            envs[factor] = django_env(db.url, workdir)
            log(f"准备 {factor}× 数据（{db.label} 临时数据库）……")
            prepared[factor] = run_child("pages:prepare", envs[factor], str(factor))
            p = prepared[factor]
            log(
                f"  {p['offices']} 个联络处，{p['members']:,} 名委员"
                f"（第一个联络处 {p['office_members']:,} 名），"
                f"提案 {p['proposals']:,} 件（第一个联络处 {p['office_proposals']:,} 件），"
                f"用时 {p['seconds']:.0f} 秒"
            )
        ports = [stack.enter_context(gunicorn(envs[factor])) for factor in factors]
        log("测量页面耗时（各规模交替请求）……")
        measured = measure([(port, prepared[f]) for port, f in zip(ports, factors, strict=True)])
        return {
            factor: {"database": db.label, "prepared": prepared[factor], "pages": pages}
            for factor, pages in zip(factors, measured, strict=True)
        }


def target_for(kind: str) -> float:
    return PORTAL_TARGET if kind == "portal" else ADMIN_TARGET


def main(args, log=print) -> dict:
    import tempfile

    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    sizes = run_sizes(workdir, (1,) if args.quick else (1, 10), log)
    one = sizes[1]
    ten = sizes.get(10)
    rows, unmeasured = [], []
    for page, kind, _who in PAGES:
        if page not in one["pages"]:
            unmeasured.append(f"{page}：演示数据中没有可用的记录")
            continue
        a = one["pages"][page]
        row = {
            "page": page,
            "kind": kind,
            "url": a["url"],
            "p50_ms": a["p50_ms"],
            "p95_ms": a["p95_ms"],
            "ratio_p50": a["ratio_p50"],
            "ratio_p95": a["ratio_p95"],
            "target": target_for(kind),
            "met": a["ratio_p95"] <= target_for(kind) and a["errors"] == 0,
            "errors": a["errors"],
            "queries_1x": one["prepared"]["queries"].get(page),
        }
        if ten and page in ten["pages"]:
            b = ten["pages"][page]
            row["p50_ms_10x"] = b["p50_ms"]
            row["p95_ms_10x"] = b["p95_ms"]
            row["scaling_p50"] = b["p50_ms"] / a["p50_ms"]
            row["scaling_p95"] = b["p95_ms"] / a["p95_ms"]
            row["scaling_met"] = row["scaling_p50"] <= SCALING_TARGET
            row["queries_10x"] = ten["prepared"]["queries"].get(page)
            row["queries_equal"] = row["queries_1x"] == row["queries_10x"]
        rows.append(row)
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "database": one["database"],
        "members_1x": one["prepared"]["members"],
        "members_10x": ten and ten["prepared"]["members"],
        "rows": rows,
        "unmeasured": unmeasured,
    }


def print_table(result: dict, log=print) -> bool:
    ok = True
    log(
        f"\n页面耗时（{result['database']}，gunicorn 本机回环；"
        "比值 = 页面 ÷ 同一服务器的登录后空视图）"
    )
    log(
        f"{'页面':<24}{'p50 ms':>8}{'p95 ms':>8}{'p50比':>7}{'p95比':>7}{'目标':>6}"
        f"{'10×/1× p50':>11}{'p95':>6}{'查询 1×/10×':>12}"
    )
    for r in result["rows"]:
        scaling = (
            f"{r['scaling_p50']:>11.2f}{r['scaling_p95']:>6.2f}" if "scaling_p50" in r else " " * 17
        )
        queries = f"{r['queries_1x']}/{r.get('queries_10x', '—')}"
        flags = []
        if not r["met"]:
            flags.append("比值未达标")
        if r.get("scaling_met") is False:
            flags.append("10× 未达标")
        if r.get("queries_equal") is False:
            flags.append("查询数不等")
        if r["errors"]:
            flags.append(f"{r['errors']} 个错误")
        ok = ok and not flags
        log(
            f"{r['page']:<24}{r['p50_ms']:>8.1f}{r['p95_ms']:>8.1f}{r['ratio_p50']:>7.1f}"
            f"{r['ratio_p95']:>7.1f}{'≤' + format(r['target'], 'g'):>6}{scaling}{queries:>12}"
            f"  {'；'.join(flags)}"
        )
    log(
        f"目标：门户 ≤ {PORTAL_TARGET:g}，后台列表 ≤ {ADMIN_TARGET:g}（按 p95 比），"
        f"10×/1× ≤ {SCALING_TARGET}（按 p50），两种规模查询数相等"
    )
    for line in result["unmeasured"]:
        log(f"未能测量：{line}")
    return ok
