"""Chinese working days: Monday to Friday, except public holidays, plus the make-up
working days (调休) on weekends. Exceptions live in ``CalendarDay`` so staff can enter a
new year's official schedule in the admin; the chinese-calendar package seeds them."""

import calendar
import datetime

from chinese_calendar import constants as cc

from .models import CalendarDay

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


def _exceptions(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:

    return dict(
        CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working_day")
    )


def _is_working(day: datetime.date, exceptions: dict[datetime.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _is_working(day, _exceptions(day, day))


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    "Due within 15 working days" of an assignment on 2026-09-28 skips the National Day
    week and lands on the make-up Saturday if one falls in between, as offices count it.
    """
    if days < 0:
        raise ValueError("days must be zero or more")
    # Long holidays add at most ~10 days per month, so three times the span plus a
    # fortnight always covers the answer; one query for the whole window.
    window_end = start + datetime.timedelta(days=days * 3 + 14)
    exceptions = _exceptions(start, window_end)
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day > window_end:  # pragma: no cover - only with absurd calendars
            window_end = day + datetime.timedelta(days=days * 3 + 14)
            exceptions.update(_exceptions(day, window_end))
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
