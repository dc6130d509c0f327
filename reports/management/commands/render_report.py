import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liaison.models import Office, today
from liaison.workflow import WorkflowError
from reports import documents
from reports.models import Document


class Command(BaseCommand):
    help = "同步生成一份报告文件（供定时任务和检查使用），不经后台任务、不入库。KIND：" + "、".join(
        Document.Kind.values
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Document.Kind.values)
        parser.add_argument("--office", required=True, help="联络处代码，例如 jcy")
        parser.add_argument("--year", type=int, help="年度（名册、纪要之外的文件必填）")
        parser.add_argument("--member", type=int, help="委员 ID（履职档案）")
        parser.add_argument("--term", type=int, help="届次 ID（履职档案：整届档案）")
        parser.add_argument("--half", type=int, choices=[1, 2], help="1 上半年，2 下半年")
        parser.add_argument("--activity", type=int, help="活动 ID（活动纪要）")
        parser.add_argument("--consultation", type=int, help="征求意见 ID（征求意见情况汇总）")
        parser.add_argument("--reply", type=int, help="复函 ID（给党工委的复函）")
        parser.add_argument("--date", help="成文日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--out", required=True, help="输出 PDF 文件路径")

    def handle(self, *args, kind, office, out, **options):
        office_row = Office.objects.filter(code=office).first()
        if office_row is None:
            raise CommandError(f"没有代码为 {office} 的联络处。")
        day = today()
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from error
        raw = {
            "year": options["year"],
            "member": options["member"],
            "half": options["half"],
            "activity": options["activity"],
            "consultation": options["consultation"],
            "reply": options["reply"],
        }
        if options["term"]:
            raw = {"member": options["member"], "term": options["term"]}
        try:
            params = documents.normalize(kind, office_row, raw)
        except WorkflowError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        # An unfinished document (no text yet, a plan not adopted …) says "草稿" in its
        # header: a script's output must not pass for the issued document.
        rendered = documents.render(kind, office_row, params, day, draft=True)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered.content)
        self.stdout.write(
            f"{documents.title_for(kind, office_row, params)}：{rendered.pages} 页，"
            f"{rendered.size / 1024:.0f} KiB，用时 {time.perf_counter() - started:.1f} 秒 → {path}"
        )
