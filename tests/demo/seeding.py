"""Running seed_demo and reading what it printed."""

import re
from io import StringIO

from django.core.management import call_command


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def printed_member_sign_in(output: str) -> tuple[str, str]:
    mobile = re.search(r"手机号 (1\d{10})", output).group(1)
    password = re.search(r"密码均为 (\S+?)）", output).group(1)
    return mobile, password
