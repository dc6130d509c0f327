"""The Celery app. Its configuration is the CELERY_* block in settings; the beat
schedule is here, in one place, each entry named."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.dev")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The outbox sweep: delivers pending notifications and re-queues stale claims.
    # Anything written while Redis was down is delivered by the next sweep.
    "outbox-deliver": {
        "task": "liaison.tasks.deliver_notifications",
        "schedule": 30.0,
    },
    # Birthday greetings to members and heads-up to staff, each once per occasion.
    "members-birthday-reminders": {
        "task": "members.tasks.birthday_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
}
