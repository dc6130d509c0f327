"""manage.py setup_office: the first office of a fresh installation and its staff.

Interactive when run in a terminal without arguments; for scripts every value is an
argument (--no-input), and the new accounts' passwords are generated and printed once.
Idempotent: a second run with the same code updates the office and leaves existing
accounts' passwords alone.
"""

import getpass
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from liaison import roles
from liaison.models import User
from liaison.services import Account, office_set_up


def _account(value: str) -> tuple[str, str, str]:
    """USERNAME:全名[:邮箱]"""
    parts = value.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise CommandError(f"账号格式应为 用户名:姓名[:邮箱]，收到 {value!r}。")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


class Command(BaseCommand):
    help = (
        "新安装的系统：建立第一个联络处（所属区、代码、名称、街道）和第一批工作人员账号"
        "（联络处工作人员、区政协工作人员）。可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", help="所属区，如 芙蓉区")
        parser.add_argument("--code", help="联络处代码（字母、数字、连字符），如 jcy")
        parser.add_argument("--name", help="联络处名称，如 韭菜园街道政协联络处")
        parser.add_argument("--street", help="街道，如 韭菜园街道")
        parser.add_argument(
            "--staff",
            action="append",
            default=[],
            metavar="用户名:姓名[:邮箱]",
            help="联络处工作人员（可多次）",
        )
        parser.add_argument(
            "--district-staff",
            action="append",
            default=[],
            metavar="用户名:姓名[:邮箱]",
            help="区政协工作人员，可查看全部联络处（可多次）",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="不提问：缺少的值报错，新账号的密码随机生成并打印一次",
        )

    def handle(self, *args, interactive, **options):
        values = {}
        for key, question in (
            ("district", "所属区"),
            ("code", "联络处代码（字母、数字、连字符）"),
            ("name", "联络处名称"),
            ("street", "街道"),
        ):
            values[key] = options[key] or (self._ask(question) if interactive else "")
            if not values[key]:
                raise CommandError(f"缺少{question}（--{key}）。")
        wanted = [(*_account(v), roles.OFFICE_STAFF) for v in options["staff"]]
        wanted += [(*_account(v), roles.DISTRICT_STAFF) for v in options["district_staff"]]
        if not wanted and interactive:
            username = self._ask("第一位联络处工作人员的用户名")
            wanted.append(
                (
                    username,
                    self._ask("姓名"),
                    self._ask("邮箱（可空）", blank=True),
                    roles.OFFICE_STAFF,
                )
            )
        if not wanted:
            raise CommandError("至少需要一个账号（--staff 或 --district-staff）。")

        accounts, generated = [], {}
        for username, full_name, email, role in wanted:
            password = None
            if not User.objects.filter(username=username).exists():
                password = self._password(username, interactive)
                if not interactive:
                    generated[username] = password
            accounts.append(Account(username, full_name, role, email, password))
        try:
            office, results = office_set_up(accounts=accounts, **values)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error

        self.stdout.write(
            f"联络处：{office.name}（{office.code}，{office.district}{office.street}）"
        )
        for account, created in results:
            state = "已建立" if created else "已存在，密码未改"
            line = f"{account.role}：{account.username}（{account.full_name}）{state}"
            if account.username in generated:
                line += f"，初始密码 {generated[account.username]}（请登录后修改）"
            self.stdout.write(line)

    def _ask(self, question: str, *, blank: bool = False) -> str:
        while True:
            answer = input(f"{question}：").strip()
            if answer or blank:
                return answer

    def _password(self, username: str, interactive: bool) -> str:
        if not interactive:
            return secrets.token_urlsafe(12)
        while True:
            password = getpass.getpass(f"{username} 的密码：")
            if password != getpass.getpass("再输入一次："):
                self.stderr.write("两次输入不一致。")
                continue
            try:
                validate_password(password, User(username=username))
            except ValidationError as error:
                self.stderr.write("；".join(error.messages))
                continue
            return password
