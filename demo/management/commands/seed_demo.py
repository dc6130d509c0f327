import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from demo import roster
from demo.areas import reset_areas, seed_areas
from liaison.models import Office


class Command(BaseCommand):
    help = (
        "生成演示数据：small 为一个街道联络处约 60 名委员，district 为全区 12 个联络处约 5,000 名"
        "委员，city 为全市 10 个区 150 个联络处约 60,000 名委员。数据库已有联络处或委员时不写入；"
        "--reset 先删除演示数据再重建。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(roster.SCALES), default="small")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="先删除演示数据（演示联络处及其委员、账号、承办单位），再重新生成。",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="打印登录地址时使用的站点地址。",
        )

    def handle(self, *args, scale, reset, base_url, **options):
        started = time.perf_counter()
        if reset:
            try:
                self._delete_demo()
            except DatabaseError as error:
                raise CommandError(f"无法删除演示数据：{error}") from error
        cpu, roster_started = time.process_time(), time.perf_counter()
        try:
            summary = roster.demo_seed(scale=scale)  # one transaction of its own
        except roster.DemoDataExists as exists:
            if exists.is_demo:
                self.stdout.write("演示数据已存在，未重复写入（加 --reset 可重建）。")
                sign_ins = roster.existing_sign_ins()
                if sign_ins:
                    self._print_sign_ins(sign_ins, base_url)
            else:
                self.stdout.write(
                    f"数据库中已有 {exists.offices} 个联络处、{exists.members} 名委员，"
                    "演示数据只写入空数据库，本次未写入任何内容。"
                )
            return
        self.stdout.write(
            f"    名册用时 {time.perf_counter() - roster_started:.1f} 秒"
            f"（本进程 CPU {time.process_time() - cpu:.1f} 秒）"
        )
        try:
            self._seed_areas()
        except BaseException:
            # The areas write through services that must be the outermost transaction
            # (durable), so they cannot share one with the roster: a failure deletes
            # what was written instead, and leaves no half demo.
            self._delete_demo()
            raise
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示数据（{scale}）：{summary.offices} 个联络处，"
                f"{summary.members} 名委员，{summary.accounts} 个账号，"
                f"{summary.handling_units} 个承办单位，{summary.contributions} 条委员贡献，"
                f"用时 {elapsed:.1f} 秒。"
            )
        )
        self._print_sign_ins(summary.sign_ins, base_url)

    def _delete_demo(self) -> None:
        """Every area's rows of the demo offices, the last seeded first, then the roster."""
        reset_areas(offices=list(Office.objects.filter(code__in=roster.DEMO_OFFICE_CODES)))
        roster.demo_reset()

    def _seed_areas(self) -> None:
        """Each later area (proposals, visits, briefings, plans) seeds its part for the
        demo offices, in the order the areas depend on each other."""
        seed_areas(
            offices=list(Office.objects.filter(code__in=roster.DEMO_OFFICE_CODES).order_by("pk")),
            today=timezone.localdate(),
            actor=get_user_model().objects.filter(username=roster.ADMIN_USERNAME).first(),
            seed=roster.SEED,
            log=self.stdout.write,
        )

    def _print_sign_ins(self, sign_ins: roster.SignIns, base_url: str) -> None:
        base = base_url.rstrip("/")
        lines = [
            f"登录方式（所有演示账号的密码均为 {sign_ins.password}）：",
            f"  联络处工作人员  {base}/admin/   用户名 {sign_ins.staff_username}",
            f"  政协委员        {base}/portal/  手机号 {sign_ins.member_mobile}"
            f"（{sign_ins.member_name}）",
            f"  委员会领导      {base}/reports/ 用户名 {sign_ins.leader_username}",
            f"  区政协工作人员  {base}/admin/   用户名 {sign_ins.district_username}",
        ]
        if sign_ins.city_username:
            lines[-1] += "（芙蓉区）"
            lines.append(f"  市政协工作人员  {base}/admin/   用户名 {sign_ins.city_username}")
            others = "、".join(f"{name} {username}" for name, username in sign_ins.other_districts)
            lines.append(f"  其他区政协工作人员 {base}/admin/ 用户名 {others}")
        lines.append(f"  系统管理员      {base}/admin/   用户名 {sign_ins.admin_username}")
        self.stdout.write("\n".join(lines))
