"""The Celery app for the two-host drill's beats: the site's app with the reminder
sweeps due every second rather than hourly, so that two beats send each sweep many
times within the drill (`celery -A tests.proof.hosts_celery beat`)."""

from liaison.celery import app

SWEEP_SECONDS = 1.0

app.conf.beat_schedule = {
    "outbox-deliver": {
        "task": "liaison.tasks.deliver_notifications",
        "schedule": SWEEP_SECONDS,
        "options": {"expires": 5},
    },
    "briefings-reminders": {
        "task": "briefings.tasks.briefing_reminders",
        "schedule": SWEEP_SECONDS,
        "options": {"expires": 5},
    },
}
