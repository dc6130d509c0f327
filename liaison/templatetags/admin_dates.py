"""``{{ value|admin_date }}``: a date as the admin writes it (2026-05-13, 2026-05-13 09:30);
``{% overdue_badge %}``: the red 逾期 mark beside it (liaison.admin_dates)."""

from django import template

from liaison import admin_dates

register = template.Library()

register.filter("admin_date", admin_dates.admin_date)
register.simple_tag(admin_dates.overdue_badge, name="overdue_badge")
