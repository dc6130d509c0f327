"""Which font serves each role in the documents, and what it cannot draw.

Lists each role (小标宋, 仿宋, 楷体, 黑体, 宋体) with the file serving it — the office's own
from DOCUMENT_FONT_DIR, or the free Debian font — the files in that directory that were
refused and why, and the characters of current data (names, titles) a role's font lacks;
those are drawn by the fallback fonts behind it, never as a tofu box.
"""

from django.core.management.base import BaseCommand

from briefings.models import Activity
from liaison.models import Office, User
from members.models import Member
from proposals.models import Proposal
from reports import fonts


def current_text() -> str:
    """The names and titles documents print: what a font must be able to draw."""
    parts = []
    for model, fields in (
        (Office, ("name", "street")),
        (Member, ("name",)),
        (User, ("full_name",)),
        (Proposal, ("title",)),
        (Activity, ("title", "venue")),
    ):
        for row in model.objects.values_list(*fields).iterator():
            parts += [value for value in row if value]
    return "".join(parts)


class Command(BaseCommand):
    help = "列出文件各字体角色所用的字体文件，以及现有数据中该字体缺少的字。"

    def handle(self, *args, **options):
        for entry in fonts.scan():
            if entry.error:
                self.stdout.write(
                    self.style.WARNING(f"不采用 {entry.path}：{entry.error}（改用免费字体）")
                )
        for report in fonts.role_reports(current_text()):
            where = report.path or "（未安装，由后备字体代替）"
            self.stdout.write(f"{report.role.label}：{report.family}  {where}")
            if report.missing:
                chars = "".join(report.missing[:200])
                self.stdout.write(
                    self.style.WARNING(
                        f"  缺少 {len(report.missing)} 个字（由后备字体显示）：{chars}"
                    )
                )
