from django.core.management.base import BaseCommand

from liaison.services import calendar_refresh


class Command(BaseCommand):
    help = (
        "从已安装的 chinesecalendar 导入数据库中缺少的节假日与调休，并更正放假/上班与之不符的日期；"
        "受影响的未办结工作日期限随之重新计算并通知有关人员。升级 chinesecalendar 后运行。"
    )

    def handle(self, *args, **options):
        result = calendar_refresh()
        self.stdout.write(
            f"新增 {result.added} 天，更正 {result.corrected} 天，"
            f"重新计算的办理期限 {result.moved} 项。"
        )
