"""The statistics page's figures (issue 15, "Statistics on screen"): for one office or
the whole district and one year, members by sector, political affiliation, sex, age band
and term; proposals by category, status, lead unit and reply grade; concerns by category
and on-time rate; activities and attendance by month.

Each table is counted in the database by the selector of the app it reads (GROUP BY), so
the page costs the same number of queries for 60 members or 5,000. Each table carries its
chart, drawn by the same code as the PDFs (``reports.charts``), and the same rows go to
its ``.xlsx`` download (``liaison.spreadsheets``: no cell is ever a formula).
"""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Max
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from briefings.models import Activity, Invitation
from briefings.selectors import activities_by_month
from members.models import Member
from members.selectors import member_breakdowns
from proposals.models import Assignment, Proposal, Reply
from proposals.selectors import proposal_breakdowns
from visits.models import Concern
from visits.selectors import concern_breakdown

from .charts import bar_chart

# Month labels ("12月") need little room beside their bars.
MONTH_LABEL_WIDTH = 60


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: SafeString = field(default_factory=lambda: SafeString(""))
    # A last row summing up the table (not charted).
    total: list | None = None

    @property
    def all_rows(self) -> list[list]:
        return [*self.rows, self.total] if self.total else list(self.rows)


@dataclass
class Section:
    slug: str
    title: str
    tables: list[Table]


def _count_table(slug, title, label, unit, pairs) -> Table:
    """A table of (label, count) with its bar chart and a total row."""
    pairs = [(str(name), n) for name, n in pairs]
    return Table(
        slug=slug,
        title=title,
        headers=[label, _("数量（%(unit)s）") % {"unit": unit}],
        rows=[[name, n] for name, n in pairs],
        chart=bar_chart(pairs, label=title, unit=unit),
        total=[_("合计"), sum(n for name, n in pairs)] if pairs else None,
    )


def _members(office_ids, year, day) -> Section:
    counts = member_breakdowns(office_ids, year)
    person = _("人")
    return Section(
        "members",
        _("委员"),
        [
            _count_table("sector", _("在任委员按界别"), _("界别"), person, counts["sector"]),
            _count_table(
                "affiliation",
                _("在任委员按政治面貌"),
                _("政治面貌"),
                person,
                counts["affiliation"],
            ),
            _count_table("sex", _("在任委员按性别"), _("性别"), person, counts["sex"]),
            _count_table(
                "age",
                _("在任委员按年龄段（%(year)s年）") % {"year": year},
                _("年龄段"),
                person,
                counts["age"],
            ),
            _count_table("term", _("名册委员按届次"), _("届次"), person, counts["term"]),
        ],
    )


def _proposals(office_ids, year, day) -> Section:
    counts = proposal_breakdowns(office_ids, year)
    piece = _("件")
    return Section(
        "proposals",
        _("提案"),
        [
            _count_table("category", _("立案提案按类别"), _("类别"), piece, counts["category"]),
            _count_table("status", _("提交的提案按状态"), _("状态"), piece, counts["status"]),
            _count_table("unit", _("立案提案按主办单位"), _("主办单位"), piece, counts["unit"]),
            _count_table("grade", _("立案提案按答复类别"), _("答复类别"), piece, counts["grade"]),
        ],
    )


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _concerns(office_ids, year, day) -> Section:
    rows = concern_breakdown(office_ids, year, day)
    collected = _count_table(
        "concern_category",
        _("意见建议按类别"),
        _("类别"),
        _("件"),
        [(row.category, row.collected) for row in rows],
    )
    due = sum(row.due for row in rows)
    on_time = sum(row.on_time for row in rows)
    timely = Table(
        slug="concern_on_time",
        title=_("意见建议按期办结率"),
        headers=[_("类别"), _("已到期（件）"), _("按期办结（件）"), _("按期办结率（%）")],
        rows=[[row.category, row.due, row.on_time, row.on_time_rate] for row in rows],
        chart=bar_chart(
            [(row.category, row.on_time_rate) for row in rows if row.due],
            label=_("意见建议按期办结率"),
            unit="%",
        ),
        total=[_("合计"), due, on_time, _percent(on_time, due)] if rows else None,
    )
    return Section("concerns", _("意见建议"), [collected, timely])


def _activities(office_ids, year, day) -> Section:
    months = activities_by_month(office_ids, year)
    label = _("%(month)s月")
    held = Table(
        slug="activities",
        title=_("活动按月"),
        headers=[_("月份"), _("活动（次）")],
        rows=[[label % {"month": m["month"]}, m["activities"]] for m in months],
        chart=bar_chart(
            [(label % {"month": m["month"]}, m["activities"]) for m in months],
            label=_("活动按月"),
            unit=_("次"),
            label_width=MONTH_LABEL_WIDTH,
        ),
        total=[_("合计"), sum(m["activities"] for m in months)],
    )
    invited = sum(m["invited"] for m in months)
    attended = sum(m["attended"] for m in months)
    attendance = Table(
        slug="attendance",
        title=_("出席情况按月"),
        headers=[_("月份"), _("邀请（人次）"), _("出席（人次）"), _("出席率（%）")],
        rows=[
            [label % {"month": m["month"]}, m["invited"], m["attended"], m["rate"]] for m in months
        ],
        chart=bar_chart(
            [(label % {"month": m["month"]}, m["attended"]) for m in months],
            label=_("出席情况按月（人次）"),
            unit=_("人次"),
            label_width=MONTH_LABEL_WIDTH,
        ),
        total=[_("合计"), invited, attended, _percent(attended, invited)],
    )
    return Section("activities", _("活动与出席"), [held, attendance])


SECTIONS = (_members, _proposals, _concerns, _activities)
# The models the tables count: a new history row in any of them is a change.
SOURCES = (Member, Proposal, Assignment, Reply, Concern, Activity, Invitation)
CACHE_SECONDS = 10 * 60


def version(day: datetime.date) -> str:
    """Names the data the tables are counted from (one index lookup per model)."""
    newest = [m.history.aggregate(last=Max("history_id"))["last"] for m in SOURCES]
    return f"{day:%Y%m%d}:{get_language()}:" + ",".join(str(n) for n in newest)


def statistics(office_ids, year: int, day: datetime.date) -> list[Section]:
    """Every section of the page for the offices (None: every office) and the year,
    from the cache while nothing they count has changed."""
    offices = "all" if office_ids is None else ",".join(str(pk) for pk in sorted(office_ids))
    key = f"statistics:{offices}:{year}:{version(day)}"
    sections = cache.get(key)
    if sections is None:
        sections = [build(office_ids, year, day) for build in SECTIONS]
        cache.set(key, sections, CACHE_SECONDS)
    return sections


def table(office_ids, year: int, day: datetime.date, slug: str) -> Table | None:
    """One table by its slug (its download)."""
    tables = (t for section in statistics(office_ids, year, day) for t in section.tables)
    return next((t for t in tables if t.slug == slug), None)
