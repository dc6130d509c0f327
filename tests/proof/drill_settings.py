"""Settings for the fault drills' worker subprocesses: the test settings, with mail
written one file per message (optionally slowly) so the drills can count deliveries
across processes."""

from liaison.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.proof.drill_mail.FilePerMessageBackend"
SMS_BACKEND = "liaison.sms.LocmemSmsBackend"
