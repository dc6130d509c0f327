"""One transaction per use case.

A top-level service (``@service``) runs in a durable transaction: when it returns, its
writes are committed and its ``on_commit`` work (reminders to deliver, PDFs to render)
is queued. A caller cannot nest it in a transaction of its own by accident — Django
refuses a durable block inside another — so a view never composes two services in its
own ``atomic()``; that composition is a service too. Services that call services join
the outer one's transaction (the context variable says a use case is already open).

The admin saves a form and its inlines in one transaction of Django's own; it opens
that transaction as a use case (``use_case()``), so the services its hooks call
(recounting tallies, syncing points) join it.

The last statement of every use case moves the data stamp (``DataStamp.bump``), and so
does a finished job (``liaison.jobs``: an import writes in the worker, past the
services): a page that keeps what it computed under the stamp (the member's home page)
recomputes after any write.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from .models import DataStamp

_open = ContextVar("liaison_use_case_open", default=False)


@contextmanager
def use_case():
    """A durable transaction that the services called inside join; inside another use
    case, a savepoint."""
    if _open.get():
        with transaction.atomic():
            yield
        return
    token = _open.set(True)
    try:
        with transaction.atomic(durable=True):
            yield
            DataStamp.bump()
    finally:
        _open.reset(token)


def service(function):
    """Run ``function`` as a use case (see the module's docstring)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        with use_case():
            return function(*args, **kwargs)

    return run
