"""The search benchmark (issue 20): proposal search and the similar-proposal list at
1,000 and 10,000 proposals in one office, each divided by the trivial view.

For each size, in a throwaway database (DATABASE_URL's server, else SQLite):

1. a child process migrates and seeds the one-office demo (``demo.roster`` + every area
   of ``demo.areas``), then adds proposals to that office up to the size — written in
   bulk from the demo's topics recombined (``generate``: a street's community, a subject,
   reasons and suggestions drawn from the demo's sentences, most of them assigned and
   replied, registered ones public), indexes them (``textindex.rebuild``), runs ANALYZE,
   counts each measured request's SQL queries in-process and makes signed-in sessions;
2. gunicorn serves each size (bench.settings) and every request is timed against the
   trivial view exactly as the page benchmark does (bench.pages.measure: interleaved
   rounds, both sizes alternated).

Measured, for a few kinds of query (a two-character word, a longer phrase, a rare word,
a common word): the admin search (office staff), the portal search (the demo member:
their own and the office's public proposals), the portal's similar list as a member
types a draft (the htmx endpoint: a title half typed, a title, a title with a paragraph
of 建议办法, a long draft), and the registration page's similar list (the admin change
page of a submitted proposal; that page without the list is measured as a reference).

Targets: p50 ≤ 5× the trivial view at 10,000 proposals, 10×/1× ≤ 1.2, and the same
number of queries at both sizes. The registration page is an admin change page (target
≤ 20, as every admin page's): there the similar list is what it costs beyond the same
page of a closed proposal, which has none (the reference), and that is held to ≤ 5.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from .common import Database, django_env, gunicorn, run_child
from .pages import PAIRS, TARGETS, measure

SIZES = (1_000, 10_000)
TARGET = 5.0
SCALING_TARGET = 1.2
SEED = 20

# Searches: (key, words). The rare word is in about one proposal in 200 (generate).
SEARCHES = [
    ("two", "停车"),
    ("phrase", "老旧小区加装电梯"),
    ("rare", "盲道"),
    ("common", "社区"),
]
# Drafts as typed in the portal form: (key, title, suggestions).
LONG_SUGGESTIONS = (
    "一是摸清辖区多层住宅底数，逐栋评估加装电梯的条件，建立台账。"
    "二是出台增设电梯补贴办法，明确财政补贴、住房公积金提取和社会资本参与的方式。"
    "三是由社区牵头成立协商议事会，协调高低楼层住户意见，化解邻里矛盾。"
    "四是压缩审批时限，推行联合审查，一窗受理，限时办结。"
    "五是加强施工安全监管和后期维保，明确维保责任主体和费用分担。"
)
DRAFTS = [
    ("typing", "关于加装电", ""),
    ("title", "关于老旧小区加装电梯的建议", ""),
    (
        "paragraph",
        "关于老旧小区加装电梯的建议",
        "出台增设电梯补贴办法，由社区牵头协调高低楼层住户意见，压缩审批时限。",
    ),
    # Sent as a GET (bench.pages.measure), as the form's POST would carry it: gunicorn
    # refuses a request line over 4 KiB, so the long draft is about 300 characters.
    ("long", "关于老旧小区加装电梯的建议", LONG_SUGGESTIONS * 2),
]


# --- The generated proposals ------------------------------------------------------------

PLACES = [
    f"{a}{b}社区"
    for a in "东西南北新华光明幸福和平建设人民"
    for b in ("苑", "园", "里", "湾", "坊")
]
EXTRA_SUBJECTS = [
    "老旧小区加装电梯",
    "小区停车难",
    "背街小巷路灯照明",
    "农贸市场提质改造",
    "独居老人应急救助",
    "社区食堂建设",
    "雨污分流改造",
    "口袋公园建设",
    "物业服务监管",
    "快递末端配送",
    "青少年心理健康服务",
    "托育服务供给",
]
EXTRA_REASONS = [
    "辖区多层住宅没有电梯，高龄住户上下楼困难。",
    "小区车位供需矛盾突出，夜间乱停车现象普遍。",
    "部分小巷路灯损坏，夜间通行不便。",
    "居民反映物业服务质量不高，收费不透明。",
    "雨季部分路段积水严重，影响居民出行。",
    "双职工家庭托育需求大，普惠托位不足。",
]
EXTRA_SUGGESTIONS = [
    "出台增设电梯补贴办法，由社区牵头协调高低楼层住户意见。",
    "挖潜增设停车泊位，推行错时共享停车。",
    "排查维修路灯，纳入日常管护。",
    "建立物业服务评价机制，公开收支情况。",
    "实施雨污分流改造，疏通排水管网。",
    "利用闲置用房建设普惠托育点。",
]
REPLIES = [
    "经研究，已会同有关部门制定工作方案，分步实施。",
    "该建议已列入明年重点工作，将积极争取资金予以解决。",
    "我单位已组织现场踏勘，近期将完成整改。",
    "受资金和规划条件限制，暂时难以实施，将在今后工作中统筹考虑。",
    "已协调社区和物业公司召开协调会，明确了责任分工。",
]
RARE_REASON = "部分路段盲道被占用，视障人士出行不便。"
RARE_SUGGESTION = "清理占用盲道的设施，完善无障碍环境。"


def _pools():
    from demo import proposals as demo

    topics = [*demo.TOPICS, demo.SIMILAR_LAST_YEAR]
    subjects = [t[1].removeprefix("关于").removesuffix("的建议") for t in topics]
    subjects += [t[0] for t in demo.REPORT_TOPICS] + EXTRA_SUBJECTS
    reasons = [t[2] for t in topics] + [t[1] for t in demo.REPORT_TOPICS] + EXTRA_REASONS
    suggestions = [t[3] for t in topics] + [t[2] for t in demo.REPORT_TOPICS] + EXTRA_SUGGESTIONS
    return subjects, reasons, suggestions


def generate(rng: random.Random) -> tuple[str, str, str]:
    """A proposal's 案由, 理由 and 建议办法: a community of the street (sometimes), a
    subject, two or three reasons and suggestions drawn from the demo's sentences; one in
    about 200 also about 盲道 (the rare word)."""
    subjects, reasons, suggestions = _POOLS
    place = rng.choice(PLACES) if rng.random() < 0.4 else ""
    title = f"关于{place}{rng.choice(subjects)}的建议"
    why = "".join(rng.sample(reasons, rng.randint(2, 3)))
    how = "".join(rng.sample(suggestions, rng.randint(2, 3)))
    if place:
        why = f"{place}{why}"
    if rng.random() < 0.005:
        why += RARE_REASON
        how += RARE_SUGGESTION
    return title, why, how


_POOLS: tuple = ((), (), ())


# --- In the child process -----------------------------------------------------------------


def prepare(size: str) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    added = seed(int(size))
    seeded = time.perf_counter() - started
    return {**sweep(), "added": added, "seconds": seeded}


def seed(size: int) -> int:
    """The one-office demo, plus generated proposals in its office up to ``size``."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from demo import roster
    from demo.areas import analyze, seed_areas
    from liaison.models import HandlingUnit, Office
    from members.models import Member
    from proposals import textindex
    from proposals.models import Assignment, Proposal, ProposalCategory, Reply

    global _POOLS
    _POOLS = _pools()
    summary = roster.demo_seed(scale="small")
    office = Office.objects.get(code=roster.DEMO_OFFICE_CODES[0])
    today = timezone.localdate()
    seed_areas(
        offices=[office],
        today=today,
        actor=get_user_model().objects.get(username=summary.sign_ins.admin_username),
        seed=roster.SEED,
    )
    rng = random.Random(SEED)
    # The office's archive grows; the searching member's own proposals do not (a member
    # leads a few a year): the generated ones are the other members'.
    members = list(
        Member.objects.filter(office=office)
        .exclude(name=summary.sign_ins.member_name)
        .values_list("pk", "term_id")
    )
    categories = list(ProposalCategory.objects.all())
    units = list(HandlingUnit.objects.filter(office=office, is_active=True))
    statuses = [Proposal.Status.CLOSED] * 6 + [Proposal.Status.REPLIED] * 2
    statuses += [Proposal.Status.ASSIGNED, Proposal.Status.NOT_REGISTERED]
    count = size - Proposal.objects.filter(office=office).count()
    proposals, serials = [], {}
    for _ in range(count):
        title, reasons, suggestions = generate(rng)
        year = today.year - rng.randint(1, 10)
        status = rng.choice(statuses)
        lead, term = rng.choice(members)
        public = rng.random() < 0.9
        proposal = Proposal(
            office=office,
            year=year,
            term_id=term,
            title=title,
            reasons=reasons,
            suggestions=suggestions,
            category=rng.choice(categories),
            lead_member_id=lead,
            status=status,
            is_public=public,
            not_public_reason="" if public else "涉及个人隐私",
            submitted_at=timezone.make_aware(datetime.datetime(year, 3, 1, 10)),
        )
        if status != Proposal.Status.NOT_REGISTERED:
            serials[year] = serials.get(year, 1000) + 1
            proposal.serial = serials[year]
            proposal.number = f"{year}-{proposal.serial}"
            proposal.registered_at = proposal.submitted_at
        proposals.append(proposal)
    Proposal.objects.bulk_create(proposals, batch_size=1000)
    assignments, replies = [], []
    for proposal in proposals:
        if proposal.status in (
            Proposal.Status.CLOSED,
            Proposal.Status.REPLIED,
            Proposal.Status.ASSIGNED,
        ):
            day = datetime.date(proposal.year, 4, 1)
            assignment = Assignment(
                proposal=proposal,
                unit=rng.choice(units),
                role=Assignment.Role.LEAD,
                assigned_on=day,
            )
            assignments.append(assignment)
            if proposal.status != Proposal.Status.ASSIGNED:
                replies.append(
                    Reply(
                        proposal=proposal,
                        assignment=assignment,
                        grade=rng.choice("AABBC"),
                        content="".join(rng.sample(REPLIES, 2)),
                        contact_method=rng.choice(Reply.Contact.values),
                        replied_on=datetime.date(proposal.year, 6, 1),
                    )
                )
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    Reply.objects.bulk_create(replies, batch_size=1000)
    # A proposal just handed in, as staff open it to register: its similar list.
    lead, term = rng.choice(members)
    Proposal.objects.create(
        office=office,
        year=today.year,
        term_id=term,
        title="关于老旧小区加装电梯的建议",
        reasons="辖区多层住宅没有电梯，高龄住户上下楼困难。",
        suggestions="出台增设电梯补贴办法，由社区牵头协调高低楼层住户意见，压缩审批时限。",
        category=categories[0],
        lead_member_id=lead,
        status=Proposal.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    # Written in bulk, past the save() that keeps the search columns current.
    textindex.rebuild()
    analyze(vacuum=True)
    return len(proposals) + 1


def _requests() -> list[dict]:
    from django.urls import reverse

    from proposals.models import Proposal

    measured = []
    admin_search = reverse("admin:proposals_proposal_search")
    portal_search = reverse("portal:proposal_search")
    for key, words in SEARCHES:
        query = urlencode({"q": words})
        measured.append(
            {"key": f"admin-search-{key}", "url": f"{admin_search}?{query}", "persona": "staff"}
        )
        measured.append(
            {"key": f"portal-search-{key}", "url": f"{portal_search}?{query}", "persona": "member"}
        )
    similar = reverse("portal:proposal_similar")
    for key, title, suggestions in DRAFTS:
        query = urlencode({"title": title, "suggestions": suggestions})
        measured.append(
            {"key": f"portal-similar-{key}", "url": f"{similar}?{query}", "persona": "member"}
        )
    submitted = Proposal.objects.filter(
        status=Proposal.Status.SUBMITTED, title="关于老旧小区加装电梯的建议"
    ).latest("pk")
    closed = Proposal.objects.filter(status=Proposal.Status.CLOSED).latest("pk")
    measured.append(
        {
            "key": "registration-similar",
            "url": reverse("admin:proposals_proposal_change", args=[submitted.pk]),
            "persona": "staff",
        }
    )
    measured.append(
        {
            "key": "admin-change-reference",
            "url": reverse("admin:proposals_proposal_change", args=[closed.pk]),
            "persona": "staff",
        }
    )
    return measured


def sweep() -> dict:
    """Each request once in-process, its queries counted; sessions for the personas."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from demo.roster import existing_sign_ins
    from members.models import Member
    from proposals.models import Proposal

    sign_ins = existing_sign_ins()
    member = Member.objects.get(name=sign_ins.member_name, user__isnull=False)
    personas = {
        "staff": get_user_model().objects.get(username=sign_ins.staff_username),
        "member": member.user,
    }
    clients = {}
    for persona, user in personas.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
    measured = _requests()
    for request in measured:
        client = clients[request["persona"]]
        client.get(request["url"])  # warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(request["url"])
        request["status"] = response.status_code
        request["queries"] = len(queries)
        request["bytes"] = len(response.content)
    cookie = settings.SESSION_COOKIE_NAME
    return {
        "measured": measured,
        "office_proposals": Proposal.objects.filter(office=member.office).count(),
        "cookies": {persona: c.cookies[cookie].value for persona, c in clients.items()},
        "cookie_name": cookie,
    }


# --- In the parent process ----------------------------------------------------------------


def main(args, log=print) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    pairs = getattr(args, "pairs", PAIRS)
    try:
        with contextlib.ExitStack() as stack:
            migrated = stack.enter_context(Database(workdir, "search-migrated"))
            log(f"迁移数据库（{migrated.label} 临时数据库）……")
            run_child("pages:migrate", django_env(migrated.url, workdir))
            prepared, envs = {}, {}
            for size in SIZES:
                db = stack.enter_context(Database(workdir, f"search{size}", template=migrated))
                envs[size] = django_env(db.url, workdir)
                log(f"准备一个联络处 {size:,} 件提案（{db.label} 临时数据库）……")
                prepared[size] = run_child("search:prepare", envs[size], str(size))
                log(
                    f"  所测联络处提案 {prepared[size]['office_proposals']:,} 件；"
                    f"准备 {prepared[size]['seconds']:.0f} 秒"
                )
            ports = [stack.enter_context(gunicorn(envs[size])) for size in SIZES]
            keys = [m["key"] for m in prepared[SIZES[0]]["measured"]]
            # The trivial view is read with each persona's session (pages.measure: the
            # member's when the persona has none).
            log(f"测量 {len(keys)} 个请求的耗时（两种规模与空视图交替请求）……")
            timings = measure(
                [(port, prepared[s]) for port, s in zip(ports, SIZES, strict=True)],
                keys,
                log,
                pairs,
            )
            database = migrated.label
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"database": database, "sizes": list(SIZES), "rows": compare(prepared, timings)}


def compare(prepared: dict, timings: list[dict]) -> list[dict]:
    small, large = SIZES
    at_large = {m["key"]: m for m in prepared[large]["measured"]}
    rows = []
    for request in prepared[small]["measured"]:
        key = request["key"]
        one, ten = timings[0][key], timings[1][key]
        grown = at_large[key]
        row = {
            "key": key,
            "persona": request["persona"],
            "url": request["url"],
            "queries_1x": request["queries"],
            "queries_10x": grown["queries"],
            "status": [request["status"], grown["status"]],
            "p50_ms": one["p50_ms"],
            "p50_ms_10x": ten["p50_ms"],
            "ping_p50_ms": one["ping_p50_ms"],
            "ratio_p50": one["ratio_p50"],
            "ratio_p50_10x": ten["ratio_p50"],
            "scaling_rounds": [
                b / a
                for a, b in zip(one["page_round_p50_ms"], ten["page_round_p50_ms"], strict=True)
            ],
            "errors": one["errors"] + ten["errors"],
            "problems": [],
        }
        row["scaling_p50"] = statistics.median(row["scaling_rounds"])
        reference = key == "admin-change-reference"
        page_target = TARGETS["admin"] if key == "registration-similar" else TARGET
        if row["queries_1x"] != row["queries_10x"]:
            row["problems"].append("查询数随数据增长")
        if row["ratio_p50_10x"] > page_target and not reference:
            row["problems"].append("比值未达标")
        if row["scaling_p50"] > SCALING_TARGET:
            row["problems"].append("10× 未达标")
        if row["errors"] or row["status"] != [200, 200]:
            row["problems"].append("出错")
        rows.append(row)
    by_key = {row["key"]: row for row in rows}
    registration = by_key.get("registration-similar")
    reference = by_key.get("admin-change-reference")
    if registration and reference:
        # The similar list's own cost at registration, in trivial views.
        extra = registration["ratio_p50_10x"] - reference["ratio_p50_10x"]
        registration["list_ratio_10x"] = extra
        if extra > TARGET:
            registration["problems"].append("相似提案列表比值未达标")
    return rows


def print_table(result: dict, log=print) -> bool:
    small, large = result["sizes"]
    log(
        f"\n搜索与相似提案（{result['database']}，一个联络处 {small:,} / {large:,} 件提案；"
        "比值 = 各轮请求中位数 ÷ 同轮空视图中位数，取各轮中位数）"
    )
    log(
        f"{'请求':<28}{'查询':>7}{'p50 ms':>9}{'比值':>6}{'p50 ms 10×':>12}{'比值 10×':>9}"
        f"{'10×/1×':>8}"
    )
    for r in result["rows"]:
        log(
            f"{r['key']:<28}{r['queries_1x']:>3}/{r['queries_10x']:<3}{r['p50_ms']:>9.1f}"
            f"{r['ratio_p50']:>6.1f}{r['p50_ms_10x']:>12.1f}{r['ratio_p50_10x']:>9.1f}"
            f"{r['scaling_p50']:>8.2f}" + (f"  {'；'.join(r['problems'])}" if r["problems"] else "")
        )
    for r in result["rows"]:
        if "list_ratio_10x" in r:
            log(f"登记页上相似提案列表本身（减去参照页）：比值 10× {r['list_ratio_10x']:.1f}")
    log(
        f"目标：{large:,} 件时比值 ≤ {TARGET:g}，10×/1× ≤ {SCALING_TARGET}，两种规模查询数相等；"
        f"登记页（registration-similar）是后台修改页，页面 ≤ {TARGETS['admin']:g}，"
        f"相似提案列表本身（减去 admin-change-reference，不含相似提案的同一修改页）≤ {TARGET:g}"
    )
    return not any(r["problems"] for r in result["rows"])
