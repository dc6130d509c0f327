"""Text messages (短信). There is no real gateway yet: ``settings.SMS_BACKEND`` names a
class implementing ``BaseSmsBackend``; the default one writes each message to the log.

A gateway backend raises on failure (any exception); the outbox counts that as a
transient failure and retries the row with backoff.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseSmsBackend:
    """Sends one text message to one mobile number, or raises."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(BaseSmsBackend):
    """Writes the message to the log instead of sending it (no gateway yet)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``LocmemSmsBackend.outbox`` as (phone, text), like Django's
    locmem e-mail backend; for tests."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
