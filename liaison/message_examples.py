"""Example data for rendering every message kind (liaison/messages.py): what
``manage.py preview_messages`` and ``manage.py sms_templates`` print and the wording
test reads. Plain objects (no database), with the values a real office would have."""

import datetime
from types import SimpleNamespace as Example

from django.utils import timezone

# A Tuesday; the usual deadline in the examples is the Friday of the next week.
TODAY = datetime.date(2026, 4, 28)
DUE = datetime.date(2026, 5, 8)

# The greeting's name for each audience.
NAMES = {
    "member": "李明华",
    "unit": "武昌区住房和城市更新局",
    "expert": "周规划（市规划设计院）",
    "leader": "王建国",
    "staff": "陈静",
}
# The page each audience acts on, when the kind does not say.
LINKS = {
    "member": "/portal/",
    "unit": "https://lianluo.example.gov.cn/unit/proposals/eyJhIjoxMn0:1uXyZ/",
    "expert": "https://lianluo.example.gov.cn/units/consultations/eyJjIjo1LCJlIjo5fQ:1vAbC/",
    "leader": "/reports/",
    "staff": "/admin/",
}


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def office():
    return Example(pk=1, name="东湖街道政协委员联络处", phone="027-86781234", district="武昌区")


def member(name: str = NAMES["member"]):
    return Example(
        pk=7,
        name=name,
        mobile="13907150001",
        sector=Example(name="经济界"),
        employer="武汉东湖科技有限公司",
        position="总经理",
        office=office(),
    )


def unit():
    return Example(
        pk=3,
        name=NAMES["unit"],
        contact_person="张科长",
        email="banli@zjj.example.gov.cn",
        office=office(),
    )
