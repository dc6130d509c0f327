"""Unexpected errors as staff see them: a Chinese sentence with a reference number.

A database error's own text (``NOT NULL constraint failed: members_member.term_id``)
means nothing to staff, is in English, and tells an outsider about the schema; it never
reaches a page (issue 12). The page shows a reference number instead, which staff can
quote, and the log holds the exception under the same number.
"""

import logging
import secrets

from django.utils import timezone


def error_reference(logger: logging.Logger, error: BaseException, what: str) -> str:
    """Log ``error`` (``what`` says where it happened) under a new reference number,
    and return the number, e.g. ``20261130-3F9A2C``."""
    reference = f"{timezone.localtime():%Y%m%d}-{secrets.token_hex(3).upper()}"
    logger.error("%s [reference %s]", what, reference, exc_info=error)
    return reference
