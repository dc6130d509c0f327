import datetime

import pytest

from liaison.models import CalendarDay
from liaison.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db


def test_deadline_skips_national_day_and_counts_make_up_saturday():
    # 2026: 1–7 October off, Saturday 10 October a make-up working day.
    assert add_working_days(datetime.date(2026, 9, 25), 15) == datetime.date(2026, 10, 22)


def test_ordinary_weeks_skip_weekends():
    assert add_working_days(datetime.date(2026, 11, 20), 5) == datetime.date(2026, 11, 27)


def test_staff_entered_schedule_changes_the_count():
    # Next year's schedule is entered by hand once the State Council publishes it.
    friday = datetime.date(2027, 1, 1)
    CalendarDay.objects.update_or_create(
        date=friday, defaults={"is_working_day": False, "name": "元旦"}
    )
    assert not is_working_day(friday)
    assert add_working_days(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(datetime.date(2026, 9, 30), datetime.date(2026, 10, 10)) == 3
