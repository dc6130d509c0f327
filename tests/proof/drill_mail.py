"""A mail backend for the fault drills: each message becomes one file in DRILL_MAIL_DIR
named after its recipient, after DRILL_MAIL_DELAY seconds (a slow mail server)."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FilePerMessageBackend(BaseEmailBackend):
    def send_messages(self, messages):
        directory = Path(os.environ["DRILL_MAIL_DIR"])
        delay = float(os.environ.get("DRILL_MAIL_DELAY", "0"))
        for message in messages:
            time.sleep(delay)
            name = f"{uuid.uuid4().hex}__{message.to[0]}.eml"
            (directory / name).write_bytes(message.message().as_bytes())
        return len(messages)


def delivered(directory: Path) -> list[str]:
    """Recipients of the messages written so far, one entry per message."""
    return sorted(
        path.name.split("__", 1)[1].removesuffix(".eml") for path in directory.glob("*.eml")
    )
