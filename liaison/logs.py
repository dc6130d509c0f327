"""Logging that never writes a handling unit's signed link in full.

A unit link (liaison.unit_links) is the unit's only credential and stays valid for
UNIT_LINK_MAX_AGE_DAYS, so a path such as ``/units/concerns/<token>/`` in a log line —
Django's ``Not Found``/``Forbidden`` warnings, the development server's request lines,
gunicorn's access log, an SMS text logged by the console backend — would hand the
record to whoever reads the log. The filter keeps the token's first part (the record it
names, readable by anyone anyway) and drops the timestamp and signature that make it
usable.
"""

import logging
import re

# /units/<kind>/<token>: the token is signing.dumps() output, "payload:timestamp:sig",
# possibly with the colons percent-encoded by a client.
_UNIT_LINK = re.compile(
    r"(?P<prefix>/units/[\w-]+/)(?P<payload>[^/:%\s?#\"'<>]*)(?P<rest>[^/\s?#\"'<>]*)"
)


def _masked(match: re.Match) -> str:
    if not match["rest"]:
        # No separator at all: not a whole token, but may be one cut short; keep little.
        return f"{match['prefix']}{match['payload'][:8]}…"
    return f"{match['prefix']}{match['payload']}:…"


def mask_unit_links(text: str) -> str:
    """``text`` with every signed unit link cut down to the record it names."""
    return _UNIT_LINK.sub(_masked, text) if "/units/" in text else text


class MaskUnitLinks(logging.Filter):
    """Rewrites a record's message with its unit links masked (see the module doc).

    Attached to every handler in LOGGING rather than to loggers: a logger's filters do
    not see records propagated from its children (``django.request``,
    ``django.security.csrf``, ``gunicorn.access``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_unit_links(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
