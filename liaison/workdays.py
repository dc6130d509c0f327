"""Chinese working days: Monday to Friday, except public holidays, plus the make-up
working days (调休) on weekends. Exceptions live in ``CalendarDay`` so staff can enter a
new year's official schedule in the admin; the chinese-calendar package seeds them."""

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass

from chinese_calendar import constants as cc
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import CalendarDay
from .workflow import record_note

# chinese-calendar names its holidays in English; the office reads Chinese.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def package_calendar_days(since: datetime.date | None = None):
    """(date, is_working_day, name) for every exception chinese-calendar knows."""
    for day, holiday in sorted(cc.holidays.items()):
        if since is None or day >= since:
            yield day, False, HOLIDAY_NAMES_ZH.get(holiday, holiday)
    for day, holiday in sorted(cc.workdays.items()):
        if since is None or day >= since:
            yield day, True, f"{HOLIDAY_NAMES_ZH.get(holiday, holiday)}调休上班"


def seed_calendar(calendar_day_model, since: datetime.date | None = None) -> int:
    """Insert the package's exceptions that are not in the table yet (staff edits win)."""
    existing = set(calendar_day_model.objects.values_list("date", flat=True))
    rows = [
        calendar_day_model(date=day, is_working_day=working, name=name)
        for day, working, name in package_calendar_days(since)
        if day not in existing
    ]
    calendar_day_model.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _exceptions(
    start: datetime.date, end: datetime.date, calendar=CalendarDay
) -> dict[datetime.date, bool]:
    return dict(
        calendar.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )


def _is_working(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _is_working(day, _exceptions(day, day))


def add_working_days(start: datetime.date, days: int, *, calendar=CalendarDay) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    "Due within 15 working days" of an assignment on 2026-09-28 skips the National Day
    week and lands on the make-up Saturday if one falls in between, as offices count it.
    ``calendar`` is the CalendarDay model (a migration passes its historical one).
    """
    if days < 0:
        raise ValueError("days must be zero or more")
    # Long holidays add at most ~10 days per month, so three times the span plus a
    # fortnight always covers the answer; one query for the whole window.
    window_end = start + datetime.timedelta(days=days * 3 + 14)
    exceptions = _exceptions(start, window_end, calendar)
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day > window_end:  # pragma: no cover - only with absurd calendars
            window_end = day + datetime.timedelta(days=days * 3 + 14)
            exceptions.update(_exceptions(day, window_end, calendar))
        if _is_working(day, exceptions):
            counted += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]: how many have passed since ``start`` by ``end``."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    return sum(
        _is_working(start + datetime.timedelta(days=i), exceptions)
        for i in range(1, (end - start).days + 1)
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


# A year "has a schedule" once it has calendar days: the package's or those staff entered
# from the State Council's notice (every year's notice moves New Year and the Spring
# Festival, so a year without rows has not been entered). Read on every page that shows a
# deadline, so kept for a minute; the calendar services clear it when days change.
_SCHEDULED_KEY = "workdays:scheduled-years"


def scheduled_years() -> frozenset[int]:
    years = cache.get(_SCHEDULED_KEY)
    if years is None:
        years = frozenset(d.year for d in CalendarDay.objects.dates("date", "year"))
        cache.set(_SCHEDULED_KEY, years, 60)
    return years


def forget_scheduled_years() -> None:
    cache.delete(_SCHEDULED_KEY)


def is_provisional(deadline: datetime.date) -> bool:
    """A deadline counted in working days is provisional while its year's official
    schedule is missing: its days were counted as plain Monday to Friday. (It is counted
    forward from today or earlier, and earlier years are scheduled, so its own year is
    the one that matters.)"""
    return deadline.year not in scheduled_years()


def missing_schedule_year(day: datetime.date) -> int | None:
    """The year whose official schedule should be entered now: this year's if it is
    missing, next year's from ``WORKDAYS_NEXT_YEAR_WARNING`` on; None when both are in."""
    years = scheduled_years()
    if day.year not in years:
        return day.year
    month, dom = (int(part) for part in settings.WORKDAYS_NEXT_YEAR_WARNING.split("-"))
    if (day.month, day.day) >= (month, dom) and day.year + 1 not in years:
        return day.year + 1
    return None


def provisional_note(deadline: datetime.date) -> str:
    return _("%(year)s年节假日安排尚未录入，此期限暂按周一至周五计算，录入后将自动重新计算。") % {
        "year": deadline.year
    }


@dataclass(frozen=True)
class CalendarChange:
    """Calendar days staff or the package refresh changed (added, edited or deleted),
    and why, in words for the history rows: "2027年春节"."""

    days: frozenset[datetime.date]
    reason: str
    actor: object = None


# Apps with deadlines counted in working days register a function here (in their
# AppConfig.ready()) that recomputes their open deadlines a change affects and returns
# how many moved; liaison calls them without importing the apps.
_recomputers: list[Callable[[CalendarChange], int]] = []


def register_deadlines(recompute: Callable[[CalendarChange], int]):
    if recompute not in _recomputers:
        _recomputers.append(recompute)
    return recompute


def deadlines_recompute(change: CalendarChange) -> int:
    forget_scheduled_years()
    return sum(recompute(change) for recompute in _recomputers)


def deadlines_recount(
    change: CalendarChange,
    records,
    *,
    start: str,
    days: str,
    deadline: str,
    note: str,
    moved: Callable[[object, datetime.date], None],
) -> int:
    """Count again the ``deadline`` of ``records`` (open ones, a queryset) whose rule is
    ``days`` working days after ``start`` and whose window (start, deadline] holds a
    changed day (a day after the deadline was never counted). A record whose deadline
    moves is saved, gets a timeline row (``note`` with %(why)s, %(old)s, %(new)s) and is
    passed to ``moved(record, before)`` to tell the people concerned. Returns how many
    moved. (The records are workflow records: they have a status and ``updated_at``.)"""
    window = Q(pk__in=[])
    for day in change.days:
        window |= Q(**{f"{start}__lt": day, f"{deadline}__gte": day})
    records = (
        records.select_for_update(of=("self",))
        .filter(window, **{f"{days}__isnull": False})
        .order_by("pk")
    )
    count = 0
    for record in records:
        before = getattr(record, deadline)
        after = add_working_days(getattr(record, start), getattr(record, days))
        if after == before:
            continue
        setattr(record, deadline, after)
        record.save(update_fields=[deadline, "updated_at"])
        record_note(
            record,
            actor=change.actor,
            note=str(note)
            % {"why": change.reason, "old": f"{before:%Y-%m-%d}", "new": f"{after:%Y-%m-%d}"},
        )
        moved(record, before)
        count += 1
    return count
