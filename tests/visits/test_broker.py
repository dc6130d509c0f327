"""Every visits reminder path through a real Redis broker and a real Celery worker
(see tests/liaison/test_broker.py for the worker): unit due soon and due today, the
weekly overdue digests, the member's confirmation reminder, the coverage reminder and
a pending life-event visit — sent twice, as beat may, and delivered once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from liaison.models import Notification
from tests.factories import HandlingUnitFactory
from tests.liaison.test_broker import broker, worker  # noqa: F401  (fixtures)
from visits import services
from visits.models import Concern, LifeEvent, Visit, VisitConfig
from visits.tasks import visit_reminders

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("members_prefer_email"),
]

MONDAY = datetime.date(2026, 3, 30)


def _concern(staff, member, unit, title, **fields):
    concern = services.concern_create(
        actor=staff,
        office=member.office,
        member=member,
        title=title,
        content=title,
        source=Concern.Source.VISIT,
    )
    services.concern_assign(concern=concern, actor=staff, unit=unit)
    Concern.objects.filter(pk=concern.pk).update(**fields)
    return concern


def test_visit_reminders_through_the_broker_are_delivered_once(
    worker,  # noqa: F811  (the fixture imported above)
    office,
    staff,
    member,
    other_member,
):
    queue, finished = worker
    unit = HandlingUnitFactory(office=office, name="城管科", email="cgk@example.cn")
    VisitConfig.objects.update_or_create(
        office=office, defaults={"coverage_reminder_dates": "03-30"}
    )
    _concern(staff, member, unit, "今日到期的意见", due_date=MONDAY)
    _concern(staff, member, unit, "即将到期的意见", due_date=datetime.date(2026, 4, 1))
    _concern(staff, member, unit, "逾期的意见", due_date=datetime.date(2026, 3, 20))
    _concern(
        staff,
        member,
        unit,
        "待确认的意见",
        status=Concern.Status.FED_BACK,
        result="已办结",
        fed_back_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 10)),
    )
    event = services.life_event_record(
        actor=staff,
        member=other_member,
        kind=LifeEvent.Kind.HOSPITALISED,
        occurred_on=datetime.date(2026, 3, 20),
    )
    Visit.objects.filter(pk=event.visit_id).update(due_date=datetime.date(2026, 3, 27))
    Notification.objects.all().delete()  # what the services queued is not under test
    mail.outbox.clear()

    send_with_day = visit_reminders.s(day=MONDAY.isoformat())
    send_with_day.apply_async(queue=queue)
    send_with_day.apply_async(queue=queue)  # beat may well send two sweeps
    finished.wait_for(2)

    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == sorted(
        [
            ("cgk@example.cn", "【今日到期】“今日到期的意见”今天到期"),
            ("cgk@example.cn", "【办理提醒】“即将到期的意见”将于4月1日到期"),
            ("cgk@example.cn", "【逾期提醒】贵单位有1件委员意见建议已超过办理期限"),
            (staff.email, "【逾期意见建议周报】韭菜园街道政协联络处有1件意见建议逾期未办结"),
            (member.email, "【请确认办理结果】“待确认的意见”"),
            (staff.email, "【走访提醒】2026年上半年还有2位委员尚未走访"),
            (staff.email, f"【走访提醒】请于3月27日前到医院探望（{other_member.name}委员）"),
        ]
    )
    emails = Notification.objects.filter(channel="email")
    assert set(emails.values_list("status", flat=True)) == {Notification.Status.SENT}
