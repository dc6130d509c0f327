"""Demo visits, life events and concerns for the demo offices: festival visits around
the Spring Festival, routine visits across the year (some members not yet visited this
half-year), hospital and bereavement visits after life events (a few still pending, one
overdue), and concerns in every state with their timelines — overdue ones among them.
Written in bulk, like the roster.

Called by the seed_demo command after the roster and handling units exist.
Deterministic for a given seed and day."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo.history import History
from liaison.models import CalendarDay, HandlingUnit, StatusChange
from members.models import Member
from visits import tallies
from visits.models import (
    Concern,
    ConcernCategory,
    LifeEvent,
    Visit,
    VisitConfig,
    VisitMember,
    VisitTeamMember,
)

from . import bulk

C = Concern.Status
V = Visit.Status

LEADERS = [
    ("刘建华", "街道党工委书记"),
    ("陈志刚", "街道办事处主任"),
    ("王丽", "街道党工委副书记"),
    ("区政协联络委", "区政协委员联络委员会"),
]

SUMMARIES = {
    Visit.Kind.ROUTINE: [
        "走访委员企业，了解生产经营情况和困难诉求。",
        "到委员家中走访，听取委员对街道工作的意见。",
        "走访委员单位，交流履职情况，征求对联络处工作的建议。",
    ],
    Visit.Kind.FESTIVAL: [
        "春节前走访慰问委员，送上节日问候和慰问品。",
        "中秋节前走访慰问，向委员致以节日祝福。",
    ],
    Visit.Kind.HOSPITAL: ["到医院探望住院委员，转达街道党工委的关心和问候。"],
    Visit.Kind.BEREAVEMENT: ["委员亲属去世，代表联络处前往吊唁，慰问家属。"],
    Visit.Kind.CELEBRATION: ["参加委员家庭喜事，送上祝贺。", "为委员祝寿，送上生日祝福。"],
    Visit.Kind.UNIT_EVENT: ["出席委员企业开业仪式，祝贺企业发展。"],
}

LIFE_EVENTS = [
    (LifeEvent.Kind.HOSPITALISED, "因病住院治疗。", "湘雅医院"),
    (LifeEvent.Kind.HOSPITALISED, "手术后住院观察。", "省人民医院"),
    (LifeEvent.Kind.BEREAVEMENT, "父亲病故。", ""),
    (LifeEvent.Kind.WEDDING, "子女结婚。", "华天大酒店"),
    (LifeEvent.Kind.BIRTHDAY, "七十寿辰。", ""),
    (LifeEvent.Kind.UNIT_EVENT, "委员企业新店开业。", "五一大道"),
]

# (category, title, content, result, within the street's duties)
TOPICS = [
    (
        "城市管理",
        "菜市场门口占道经营严重",
        "早晚高峰摊贩占道，行人车辆通行困难。",
        "已联合市场监管所清理占道摊点，设置便民疏导点。",
        True,
    ),
    (
        "城市管理",
        "小区周边共享单车乱停放",
        "人行道被单车占满，盲道无法通行。",
        "已划定停放区域，约谈运营企业落实调度。",
        True,
    ),
    (
        "环境卫生",
        "背街小巷垃圾清运不及时",
        "垃圾桶满溢，夏季异味明显。",
        "已调整清运频次为每日两次，增设分类垃圾桶。",
        True,
    ),
    (
        "交通出行",
        "学校门口上下学时段拥堵",
        "接送车辆乱停，存在安全隐患。",
        "已协调交警设置临时停车泊位和护学岗。",
        True,
    ),
    (
        "社会治安",
        "老旧小区无门禁、外来人员随意进出",
        "居民担心安全，要求加装门禁。",
        "已纳入老旧小区改造计划，门禁系统下月安装。",
        True,
    ),
    (
        "民生服务",
        "社区缺少老年助餐点",
        "独居老人吃饭难，希望就近助餐。",
        "已利用社区闲置用房开设老年食堂。",
        True,
    ),
    (
        "教育医疗",
        "社区卫生服务中心全科医生不足",
        "看病排队时间长。",
        "区卫健局已增派两名全科医生轮值。",
        False,
    ),
    (
        "经济发展",
        "小微企业融资难",
        "希望街道搭建银企对接平台。",
        "已组织银企对接会，三家企业获得贷款。",
        True,
    ),
    (
        "社区建设",
        "老旧小区加装电梯审批慢",
        "审批环节多，居民意见难统一。",
        "区住建局已简化审批流程，推行一站式办理。",
        False,
    ),
    (
        "城市管理",
        "主干道夜间施工噪音扰民",
        "凌晨仍在施工，影响休息。",
        "区城管局已责令施工单位调整作业时间。",
        False,
    ),
    (
        "环境卫生",
        "河道沿线绿化带缺乏养护",
        "杂草丛生，蚊虫多。",
        "已安排园林养护单位定期修剪。",
        True,
    ),
    (
        "民生服务",
        "随迁子女入学政策咨询渠道少",
        "家长不了解入学流程。",
        "区教育局已在社区设立政策咨询点。",
        False,
    ),
]

SOURCES = [Concern.Source.VISIT] * 6 + [Concern.Source.PORTAL] * 2 + [Concern.Source.STAFF]

# The states a concern reaches, weighted so every one shows up in each office.
CONCERN_STATES = (
    [C.NEW] * 2
    + [C.TRIAGED]
    + [C.ASSIGNED] * 3
    + [C.ESCALATED] * 2
    + [C.IN_PROGRESS] * 3
    + [C.RESOLVED] * 2
    + [C.UNRESOLVABLE]
    + [C.FED_BACK] * 2
    + [C.REOPENED]
    + [C.CLOSED] * 6
)


class _Calendar:
    """Working days counted in memory from one read of the calendar's exceptions (the
    demo computes thousands of due dates)."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.exceptions = dict(
            CalendarDay.objects.filter(date__range=(start, end)).values_list(
                "date", "is_working_day"
            )
        )

    def is_working(self, day: datetime.date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def add(self, start: datetime.date, days: int) -> datetime.date:
        day, counted = start, 0
        while counted < days:
            day += datetime.timedelta(days=1)
            counted += self.is_working(day)
        return day


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


class _Builder:
    def __init__(self, rng, today, actor):
        self.rng, self.today, self.actor = rng, today, actor
        self.visits: list[Visit] = []
        self.visit_members: list[tuple[int, Member]] = []  # (index into visits, member)
        self.team: list[tuple[int, dict]] = []
        self.events: list[tuple[int, dict]] = []
        # (concern, index of its visit or None, created at)
        self.concerns: list[tuple[Concern, int | None, datetime.datetime]] = []
        self.history = History()

    def change(self, obj, state, day, *, note="", label=""):
        """A record's timeline: created in the morning, moved in the afternoon; a unit's
        move is signed with its name."""
        actor = None if label else self.actor
        if obj in self.history:
            self.history.move(obj, state, _aware(day, 14), actor=actor, label=label, note=note)
        else:
            self.history.start(obj, state, _aware(day, 9), actor=actor, label=label, note=note)

    def visit(self, office, kind, members, staff, *, on=None, due=None, status=V.DONE):
        rng = self.rng
        amount = {
            Visit.Kind.HOSPITAL: Decimal("1000"),
            Visit.Kind.BEREAVEMENT: Decimal("2000"),
            Visit.Kind.FESTIVAL: Decimal("500"),
        }.get(kind)
        visit = Visit(
            office=office,
            kind=kind,
            status=status,
            visited_on=on if status == V.DONE else None,
            due_date=due,
            place=rng.choice(["委员家中", "委员单位", "联络处会议室", ""])
            if kind in (Visit.Kind.ROUTINE, Visit.Kind.FESTIVAL)
            else "",
            amount=amount,
            gifts="米、油、水果" if kind == Visit.Kind.FESTIVAL else "",
            summary=rng.choice(SUMMARIES[kind]) if status == V.DONE else "",
            staff_notes="已记入委员履职档案。" if rng.random() < 0.3 else "",
            created_by=self.actor,
        )
        index = len(self.visits)
        self.visits.append(visit)
        for member in members:
            self.visit_members.append((index, member))
        if status == V.DONE:
            for user in rng.sample(staff, k=min(len(staff), rng.randint(1, 2))):
                self.team.append((index, {"user": user}))
            if kind != Visit.Kind.ROUTINE or rng.random() < 0.2:
                name, title = rng.choice(LEADERS)
                self.team.append((index, {"name": name, "title": title, "is_leader": True}))
        return index


def _members_by_office(offices):
    grouped = defaultdict(list)
    for member in Member.objects.filter(office__in=offices, status=Member.Status.SERVING).order_by(
        "pk"
    ):
        grouped[member.office_id].append(member)
    return grouped


def _staff_by_office(offices):
    grouped = defaultdict(list)
    for user in get_user_model().objects.filter(office__in=offices, is_staff=True).order_by("pk"):
        grouped[user.office_id].append(user)
    return grouped


def _units(offices):
    """The street's own units per office, and the units above the street per district
    (``None``: the city's, shared by every district)."""
    within, beyond = defaultdict(list), defaultdict(list)
    for unit in HandlingUnit.objects.filter(is_active=True).order_by("pk"):
        if unit.is_within_street and unit.office_id is not None:
            within[unit.office_id].append(unit)
        elif not unit.is_within_street and unit.office_id is None:
            beyond[unit.district_id].append(unit)
    return within, beyond


def _plan_visits(build, office, members, staff, today):
    rng = build.rng
    year_start = datetime.date(today.year, 1, 1)
    half_start = datetime.date(today.year, 1 if today.month <= 6 else 7, 1)
    # Spring Festival visits: groups of members, late January to mid February.
    festival = [m for m in members if rng.random() < 0.6]
    festival_end = min(today, datetime.date(today.year, 2, 10))
    if festival_end >= datetime.date(today.year, 1, 20):
        for start in range(0, len(festival), 6):
            group = festival[start : start + 6]
            on = _between(rng, datetime.date(today.year, 1, 20), festival_end)
            build.visit(office, Visit.Kind.FESTIVAL, group, staff, on=on)
    # Routine visits: some in the first half, fewer so far in the current one, so the
    # coverage page has members still to visit.
    for member in members:
        if rng.random() < 0.55:
            end = min(today, datetime.date(today.year, 6, 30))
            build.visit(
                office, Visit.Kind.ROUTINE, [member], staff, on=_between(rng, year_start, end)
            )
        if half_start.month == 7 and rng.random() < 0.45:
            build.visit(
                office, Visit.Kind.ROUTINE, [member], staff, on=_between(rng, half_start, today)
            )
    # Last year's visits, for the history.
    for member in members:
        if rng.random() < 0.7:
            on = _between(
                rng, datetime.date(today.year - 1, 3, 1), datetime.date(today.year - 1, 11, 30)
            )
            build.visit(office, Visit.Kind.ROUTINE, [member], staff, on=on)


def _plan_life_events(build, office, members, staff, today, config):
    rng = build.rng
    count = max(3, len(members) // 15)
    for i in range(count):
        member = rng.choice(members)
        kind, description, place = rng.choice(LIFE_EVENTS)
        if i == 0:
            occurred = today - datetime.timedelta(days=1)  # pending, not yet due
        elif i == 1:
            occurred = today - datetime.timedelta(days=config.life_event_visit_days + 4)  # overdue
        else:
            latest = today - datetime.timedelta(days=10)
            occurred = _between(rng, min(datetime.date(today.year, 1, 5), latest), latest)
        due = occurred + datetime.timedelta(days=config.life_event_visit_days)
        pending = i < 2
        on = None if pending else min(today, occurred + datetime.timedelta(days=rng.randint(0, 3)))
        index = build.visit(
            office,
            LifeEvent.VISIT_KIND[kind],
            [member],
            staff,
            on=on,
            due=due,
            status=V.PENDING if pending else V.DONE,
        )
        build.events.append(
            (
                index,
                {
                    "office": office,
                    "member": member,
                    "kind": kind,
                    "occurred_on": occurred,
                    "description": description,
                    "place": place,
                    "reported_in_portal": rng.random() < 0.3,
                },
            )
        )
        visit = build.visits[index]
        build.change(visit, V.PENDING, occurred, note=str(LifeEvent.Kind(kind).label))
        if not pending:
            build.change(visit, V.DONE, on, note=f"{on:%Y-%m-%d} 走访")


def _path(target):
    """The moves from new to ``target``, and whether it went to a department."""
    within_path = [C.NEW, C.TRIAGED, C.ASSIGNED, C.IN_PROGRESS, C.RESOLVED, C.FED_BACK, C.CLOSED]
    if target == C.ESCALATED:
        return [C.NEW, C.TRIAGED, C.ESCALATED]
    if target == C.UNRESOLVABLE:
        return [C.NEW, C.TRIAGED, C.ASSIGNED, C.IN_PROGRESS, C.UNRESOLVABLE]
    if target == C.REOPENED:
        return [C.NEW, C.TRIAGED, C.ASSIGNED, C.IN_PROGRESS, C.RESOLVED, C.FED_BACK, C.REOPENED]
    return within_path[: within_path.index(target) + 1]


def _plan_concerns(
    build, office, members, visit_indexes, within, beyond, calendar, config, categories
):
    rng, today = build.rng, build.today
    count = max(len(CONCERN_STATES), len(members) // 4)
    for i in range(count):
        target = CONCERN_STATES[i % len(CONCERN_STATES)]
        category, title, content, result, in_street = rng.choice(TOPICS)
        if target == C.ESCALATED:
            in_street = False
        elif target in (C.ASSIGNED, C.IN_PROGRESS) or not beyond:
            in_street = True
        units = within[office.pk] if in_street else beyond
        if not units:
            continue
        source = rng.choice(SOURCES)
        visit_index = None
        if source == Concern.Source.VISIT and visit_indexes:
            visit_index = rng.choice(visit_indexes)  # its member is chosen from the visit
        member = rng.choice(members)
        latest = today - datetime.timedelta(days=2)
        created = _between(rng, min(datetime.date(today.year, 1, 10), latest), latest)
        # Every third handling concern is overdue: assigned long enough ago.
        overdue = target in (C.ASSIGNED, C.IN_PROGRESS) and i % 3 == 0
        if overdue:
            created = min(created, today - datetime.timedelta(days=45))
        elif target in (C.ASSIGNED, C.IN_PROGRESS, C.REOPENED):
            # Still within its time limit: handed over recently.
            created = today - datetime.timedelta(days=rng.randint(3, 12))
        path = _path(target)
        unit = rng.choice(units) if len(path) > 2 else None
        day = created
        concern = Concern(
            office=office,
            member=member,
            source=source,
            source_label="" if source != Concern.Source.VISIT else "走访收集",
            category=categories.get(category),
            title=title,
            content=content,
            status=target,
            created_by=build.actor if source != Concern.Source.PORTAL else None,
        )
        for previous, state in zip(["", *path[:-1]], path, strict=True):
            if previous:
                day = min(today, day + datetime.timedelta(days=rng.randint(1, 6)))
            note, label = "", ""
            if state == C.TRIAGED:
                concern.scope = Concern.Scope.WITHIN if in_street else Concern.Scope.BEYOND
                note = str(Concern.Scope(concern.scope).label)
            elif state == C.ASSIGNED:
                concern.unit, concern.assigned_on = unit, day
                concern.due_date = calendar.add(day, config.concern_due_working_days)
                note = f"交办 {unit}，{concern.due_date:%Y-%m-%d} 前办结"
            elif state == C.ESCALATED:
                concern.unit, concern.assigned_on = unit, day
                concern.coordination_notes = f"{day:%Y-%m-%d} 已函告{unit}，请其牵头协调。"
                note = f"上报 {unit} 协调"
            elif state == C.IN_PROGRESS:
                concern.acknowledged_at = _aware(day, 11)
                concern.progress = "已安排专人现场核实。"
                note, label = f"{unit} 已签收", str(unit)
            elif state == C.RESOLVED:
                concern.result, concern.resolved_on = result, day
                note, label = result, str(unit)
            elif state == C.UNRESOLVABLE:
                concern.result = "已多次协调。"
                concern.unresolvable_reason = "涉及产权和规划调整，暂不具备条件。"
                concern.resolved_on = day
                note, label = "已多次协调。（涉及产权和规划调整）", str(unit)
            elif state == C.FED_BACK:
                concern.fed_back_at = _aware(day, 15)
                note = "办理结果已反馈委员"
            elif state == C.CLOSED:
                concern.verdict = Concern.Verdict.SATISFIED
                concern.confirmed_at = concern.closed_at = _aware(day, 16)
                note = "满意"
            elif state == C.REOPENED:
                concern.verdict = Concern.Verdict.DISSATISFIED
                concern.member_comments = "问题仍然存在，希望进一步解决。"
                concern.confirmed_at = _aware(day, 16)
                concern.round = 2
                concern.assigned_on = day
                concern.due_date = calendar.add(day, config.concern_due_working_days)
                concern.acknowledged_at = None
                note = "不满意，重新办理"
            build.change(concern, state, day, note=note, label=label)
        if overdue and concern.due_date and concern.due_date >= today:
            concern.due_date = today - datetime.timedelta(days=rng.randint(1, 10))
        build.concerns.append((concern, visit_index, _aware(created, 9)))


def seed_visits(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    """Write demo visits, life events and concerns for ``offices``. Returns counts."""
    offices = list(offices)
    build = _Builder(rng, today, actor)
    members_by_office = _members_by_office(offices)
    staff_by_office = _staff_by_office(offices)
    within, beyond = _units(offices)
    categories = {c.name: c for c in ConcernCategory.objects.all()}
    calendar = _Calendar(datetime.date(today.year - 1, 1, 1), today + datetime.timedelta(days=120))
    concern_plans_by_office = []
    for office in offices:
        members = members_by_office[office.pk]
        if not members:
            continue
        config = VisitConfig.for_office(office)
        staff = staff_by_office[office.pk] or ([actor] if actor else [])
        first = len(build.visits)
        _plan_visits(build, office, members, staff, today)
        _plan_life_events(build, office, members, staff, today, config)
        done = [
            i
            for i in range(first, len(build.visits))
            if build.visits[i].status == V.DONE and build.visits[i].visited_on.year == today.year
        ]
        concern_plans_by_office.append((office, members, done, config))
    for office, members, done, config in concern_plans_by_office:
        # A concern leaves the street for its own district's bodies or the city's, never
        # another district's (liaison.scoping: shared at their level).
        above = beyond[office.district_id] + (beyond[None] if office.district_id else [])
        _plan_concerns(build, office, members, done, within, above, calendar, config, categories)

    # Concerns from a visit are raised by a member who was on it.
    members_of_visit = defaultdict(list)
    for index, member in build.visit_members:
        members_of_visit[index].append(member)
    for concern, visit_index, _created in build.concerns:
        if visit_index is not None:
            concern.member = rng.choice(members_of_visit[visit_index])

    with transaction.atomic():  # the demo's own rows, in one go
        _write(build, actor)
    tallies.rebuild()  # the bulk load bypassed the services that keep them
    concerns = [c for c, _v, _t in build.concerns]
    return {
        "visits": sum(v.status == V.DONE for v in build.visits),
        "pending_visits": sum(v.status == V.PENDING for v in build.visits),
        "life_events": len(build.events),
        "concerns": len(concerns),
        "overdue_concerns": sum(c.is_overdue_on(today) for c in concerns),
    }


def _write(build, actor) -> None:
    Visit.objects.bulk_create(build.visits, batch_size=1000)
    bulk.insert(
        VisitMember,
        [VisitMember(visit=build.visits[i], member=m) for i, m in build.visit_members],
    )
    bulk.insert(
        VisitTeamMember,
        [VisitTeamMember(visit=build.visits[i], **fields) for i, fields in build.team],
    )
    LifeEvent.objects.bulk_create(
        [
            LifeEvent(visit=build.visits[i], reported_by=actor, **fields)
            for i, fields in build.events
        ],
        batch_size=1000,
    )
    for concern, visit_index, _created in build.concerns:
        if visit_index is not None:
            concern.visit = build.visits[visit_index]
    concerns = [c for c, _v, _t in build.concerns]
    Concern.objects.bulk_create(concerns, batch_size=1000)
    # auto_now_add stamped them all "now"; put back when each was collected.
    for concern, _v, created in build.concerns:
        concern.created_at = created
    Concern.objects.bulk_update(concerns, ["created_at"], batch_size=1000)

    for visit in build.visits:
        if visit not in build.history:  # recorded as done
            build.change(visit, V.DONE, visit.visited_on)
    build.history.write()


def reset_visits(*, offices) -> None:
    """Delete the visits area's rows of ``offices`` (before the roster is reset: visits
    and concerns protect the members and units they name)."""
    offices = list(offices)
    concern_type = ContentType.objects.get_for_model(Concern)
    visit_type = ContentType.objects.get_for_model(Visit)
    concern_ids = list(Concern.objects.filter(office__in=offices).values_list("pk", flat=True))
    visit_ids = list(Visit.objects.filter(office__in=offices).values_list("pk", flat=True))
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        StatusChange.objects.filter(content_type=concern_type, object_id__in=concern_ids).delete()
        StatusChange.objects.filter(content_type=visit_type, object_id__in=visit_ids).delete()
        Concern.objects.filter(pk__in=concern_ids).delete()
        LifeEvent.objects.filter(office__in=offices).delete()
        Visit.objects.filter(pk__in=visit_ids).delete()
        VisitConfig.objects.filter(office__in=offices).delete()
