from django.core.management.base import BaseCommand

from visits import tallies


class Command(BaseCommand):
    help = (
        "重新统计与走访记录不一致的委员走访次数（覆盖情况页使用）。每晚自动运行；"
        "直接改动数据库中的走访记录后可手动运行。--check 只检查不修改。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只报告，不修改；不一致时退出码 1")

    def handle(self, *args, check, **options):
        if check:
            stale = tallies.stale_member_ids()
            self.stdout.write(f"走访次数不一致的委员：{len(stale)} 名")
            if stale:
                raise SystemExit(1)
            return
        repaired = tallies.repair()
        self.stdout.write(f"已重新统计 {repaired} 名委员的走访次数。")
