"""Every activity reminder path through a real Redis broker and a real Celery worker
(see tests/liaison/test_broker.py for the worker): 3 days and 1 day before, "send us your
opinions", attendance not recorded, and a half-year without a briefing — each sweep
sent twice, as beat may, and each reminder delivered once."""

import pytest
import time_machine
from django.core import mail

from briefings import services
from briefings.models import ActivityConfig
from briefings.tasks import briefing_reminders
from liaison.models import Notification
from tests.factories import activity_published, shanghai
from tests.liaison.test_broker import broker, worker  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("members_prefer_email"),
]


def test_activity_reminders_through_the_broker_are_delivered_once(
    worker,  # noqa: F811  (the fixture imported above)
    office,
    staff,
    member,
    other_member,
):
    queue, finished = worker
    ActivityConfig.objects.create(office=office, second_half_month=7, second_half_day=1)
    with time_machine.travel(shanghai(2026, 3, 2, 9)):
        briefing = activity_published(office=office, actor=staff, members=[member, other_member])
        services.invitation_reply(
            activity=briefing, member=member, actor=member.user, attending=True
        )
    Notification.objects.all().delete()  # what the services queued is not under test
    mail.outbox.clear()

    moments = [
        shanghai(2026, 3, 17, 9),  # 3 days before
        shanghai(2026, 3, 19, 9),  # 1 day before
        shanghai(2026, 3, 20, 17),  # after: send us your opinions
        shanghai(2026, 3, 23, 9),  # next working day, attendance not recorded
        shanghai(2026, 7, 1, 9),  # no second-half briefing by the office's date
    ]
    for moment in moments:
        task = briefing_reminders.s(now=moment.isoformat())
        task.apply_async(queue=queue)
        task.apply_async(queue=queue)  # beat may well send two sweeps
    finished.wait_for(2 * len(moments))

    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    title = briefing.title
    assert sent == sorted(
        [
            (member.email, f"【活动提醒】“{title}”将于3天后举行"),
            (other_member.email, f"【请回复】“{title}”将于3天后举行"),
            (member.email, f"【活动提醒】“{title}”将于明天举行"),
            (other_member.email, f"【请回复】“{title}”将于明天举行"),
            (member.email, f"【征集意见】欢迎对“{title}”提出意见建议"),
            (staff.email, f"【考勤未登记】“{title}”的出勤尚未登记完成"),
            (staff.email, "【通报会提醒】韭菜园街道政协联络处2026年下半年尚未安排政情通报会"),
        ]
    )
    emails = Notification.objects.filter(channel="email")
    assert set(emails.values_list("status", flat=True)) == {Notification.Status.SENT}
