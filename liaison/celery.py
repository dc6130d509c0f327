"""The Celery app. Its configuration is the CELERY_* block in settings; the beat
schedule is here, in one place, each entry named."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings.dev")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _beat_schedule_directory(sender, **kwargs):
    # Beat opens its schedule file (var/celerybeat-schedule) before any beat signal
    # fires, and fails if the directory is missing on a fresh clone.
    filename = sender.conf.beat_schedule_filename
    if filename:
        Path(filename).parent.mkdir(parents=True, exist_ok=True)


app.conf.beat_schedule = {
    # The outbox sweep: delivers pending notifications and re-queues stale claims.
    # Anything written while Redis was down is delivered by the next sweep. A sweep
    # still waiting in the queue when the next one is due is useless, so it expires
    # rather than piling up while the worker is down.
    "outbox-deliver": {
        "task": "liaison.tasks.deliver_notifications",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Birthday greetings to members and heads-up to staff, each once per occasion.
    # Greetings go out from 07:30; the later hourly runs write nothing new unless an
    # earlier one was missed (Redis or the worker down), which they make up.
    "members-birthday-reminders": {
        "task": "members.tasks.birthday_reminders",
        "schedule": crontab(hour="7-21", minute=30),
        "options": {"expires": 50 * 60},
    },
    # Proposals: due-date reminders to units, weekly overdue digests (Mondays), feedback
    # reminders, the staff review digest and the fourth-quarter target alert. Hourly in
    # office hours so a missed run is made up; dedupe keys keep each reminder once.
    "proposals-reminders": {
        "task": "proposals.tasks.proposal_reminders",
        "schedule": crontab(hour="8-18", minute=5),
        "options": {"expires": 50 * 60},
    },
    # Activities: 3 days and 1 day before, "send us your opinions" afterwards,
    # attendance not recorded, and a half-year without a political briefing. Hourly in
    # office hours; dedupe keys keep each reminder once per occasion.
    "briefings-reminders": {
        "task": "briefings.tasks.briefing_reminders",
        "schedule": crontab(hour="8-18", minute=15),
        "options": {"expires": 50 * 60},
    },
    # Visits and concerns: unit due dates (before and on the day), weekly overdue
    # digests, members' confirmation reminders, coverage gaps on the configured dates
    # and pending life-event visits. Hourly in office hours; each reminder once.
    "visits-reminders": {
        "task": "visits.tasks.visit_reminders",
        "schedule": crontab(hour="8-18", minute=25),
        "options": {"expires": 50 * 60},
    },
    # Consultations: members not yet answered, N working days before the deadline and
    # on the day; a consultation past its deadline is closed. Hourly in office hours;
    # dedupe keys keep each reminder once per deadline.
    "consultations-reminders": {
        "task": "consultations.tasks.consultation_reminders",
        "schedule": crontab(hour="8-18", minute=45),
        "options": {"expires": 50 * 60},
    },
    # The admin index's 委员平台账号 figures (members.models.AccountReach), recounted for
    # every office: members turn dormant as the days pass, the month's SMS are counted.
    "members-account-reach": {
        "task": "members.tasks.count_account_reach",
        "schedule": 10 * 60.0,
        "options": {"expires": 9 * 60},
    },
    # Visit tallies (what the coverage page reads) recounted where they drifted from the
    # visits — a bulk load or a manual fix that bypassed the services. Nightly, quiet.
    "visits-tallies-repair": {
        "task": "visits.tasks.repair_visit_tallies",
        "schedule": crontab(hour=2, minute=40),
        "options": {"expires": 3 * 60 * 60},
    },
    # The annual work plan not sent to the street party working committee by the
    # configured date: staff are told the day after, then weekly. Each once per week.
    "plans-reminders": {
        "task": "plans.tasks.plan_reminders",
        "schedule": crontab(hour="8-18", minute=35),
        "options": {"expires": 50 * 60},
    },
    # Jobs (large imports …) whose task was lost while Redis was down, or whose worker
    # died mid-way: queued again once, then marked failed (liaison.jobs).
    "jobs-sweep": {
        "task": "liaison.tasks.jobs_sweep",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Documents whose render task never reached a worker (Redis was down when staff
    # asked) or whose worker died mid-render are handed out again.
    "documents-sweep": {
        "task": "reports.tasks.documents_sweep",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
}
