"""The PDF documents the office hands the committee (its plan and work reports, the
proposal compendium, minutes, the roster, duty records …), and their issue to
committee leaders. What each kind shows is in reports/documents.py."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import limits
from liaison.limits import LimitedTextField, plausible_date, single_line
from liaison.models import Office
from plans.models import WorkReport


def document_upload_to(document, filename: str) -> str:
    """Unguessable, so that a file under MEDIA_ROOT cannot be found by trying names."""
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "pdf"
    return f"documents/{document.office_id}/{document.document_date:%Y}/{uuid.uuid4().hex}.{suffix}"


class Document(models.Model):
    """A PDF made for the committee, rendered by a Celery worker.

    Same office, kind, parameters and date give the same row (``params_hash``), so asking
    twice — a double click, a re-delivered task — renders once. ``generation`` counts
    deliberate re-renders; a task for an older generation does nothing. System-written,
    like the outbox, so no history table: the status fields are the record.
    """

    class Kind(models.TextChoices):
        PLAN = "plan", _("年度工作计划")
        PLAN_PROGRESS = "plan-progress", _("年度工作计划执行情况")
        WORK_REPORT = "work-report", _("工作报告")
        COMPENDIUM = "compendium", _("提案汇编")
        MINUTES = "minutes", _("活动纪要")
        CONCERNS = "concerns", _("委员反映问题汇总")
        ROSTER = "roster", _("委员名册")
        DUTY_RECORD = "duty-record", _("委员履职档案")
        RANKING = "ranking", _("委员履职积分排名")
        REQUEST = "request", _("请示")
        CONSULTATION = "consultation", _("征求意见情况汇总")
        REPLY = "reply", _("复函")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RENDERING = "rendering", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("文件类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200, validators=[single_line])
    params = models.JSONField(_("参数"), default=dict)
    document_date = models.DateField(_("成文日期"), validators=[plausible_date])
    params_hash = models.CharField(_("参数指纹"), max_length=64, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    generation = models.PositiveIntegerField(_("生成批次"), default=1)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    file = models.FileField(_("文件"), upload_to=document_upload_to, blank=True, max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256 校验值"), max_length=64, blank=True)
    # The editable Word copy, rendered by the same task from the same HTML.
    word_file = models.FileField(
        _("Word 文件"), upload_to=document_upload_to, blank=True, max_length=200
    )
    # 发文字号 (公文 only): the office's yearly serial for this kind, given on issue.
    number_year = models.PositiveSmallIntegerField(_("发文年度"), null=True, blank=True)
    number_serial = models.PositiveIntegerField(_("发文顺序号"), null=True, blank=True)
    render_seconds = models.FloatField(_("生成用时（秒）"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始生成"), null=True, blank=True)
    finished_at = models.DateTimeField(_("生成完成"), null=True, blank=True)
    # The work report this is the issued PDF of (set when the report is issued). The
    # link lives here, not on the report, so that plans knows nothing of documents.
    work_report = models.OneToOneField(
        WorkReport,
        verbose_name=_("工作报告"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="document",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("报告文件")
        verbose_name_plural = _("报告文件")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "params_hash"], name="one_document_per_parameters"
            ),
            models.UniqueConstraint(
                fields=["office", "kind", "number_year", "number_serial"],
                name="one_document_per_number",
            ),
        ]
        indexes = [models.Index(fields=["office", "kind", "-created_at"], name="document_idx")]

    def __str__(self):
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RENDERING)

    @property
    def download_name(self) -> str:
        return f"{self.title}（{self.document_date:%Y%m%d}）.pdf"

    @property
    def word_download_name(self) -> str:
        return f"{self.title}（{self.document_date:%Y%m%d}）.docx"

    @property
    def is_numbered(self) -> bool:
        return self.number_serial is not None

    @property
    def reference(self) -> str:
        """发文字号, e.g. 芙蓉政联〔2026〕3号; empty until the document is issued."""
        if not self.is_numbered:
            return ""
        return document_reference(self.office, self.kind, self.number_year, self.number_serial)


# 机关代字 suffix per 公文 kind: each kind has its own yearly counter, so its own prefix.
KIND_CODES = {
    "request": "请",
    "plan": "",
    "work-report": "报",
    "consultation": "征",
    "reply": "函",
}


def document_reference(office, kind: str, year: int, serial: int) -> str:
    code = office.street.removesuffix("街道") + "政联" + KIND_CODES.get(kind, "")
    return f"{code}〔{year}〕{serial}号"


class DocumentCounter(models.Model):
    """The last 发文字号 serial given per office, kind and year. Issuing locks the row
    (select_for_update), so concurrent issues get consecutive numbers, no gaps."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("文件类型"), max_length=20, choices=Document.Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("最后顺序号"), default=0)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        constraints = [
            models.UniqueConstraint(fields=["office", "kind", "year"], name="one_counter_per_year")
        ]

    def __str__(self):
        return f"{self.office} {self.kind} {self.year}: {self.last}"


class DocumentIssue(models.Model):
    """A document issued (印发) to one committee leader: what their reports page lists."""

    document = models.ForeignKey(
        Document, verbose_name=_("文件"), on_delete=models.CASCADE, related_name="issues"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("领导"),
        on_delete=models.CASCADE,
        related_name="issued_documents",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("印发人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("印发时间"), auto_now_add=True)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("首次下载"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("文件印发")
        verbose_name_plural = _("文件印发")
        constraints = [
            models.UniqueConstraint(fields=["document", "recipient"], name="issue_once_per_leader")
        ]

    def __str__(self):
        return f"{self.document} → {self.recipient}"


class CommitteeReply(models.Model):
    """The office's reply (复函) to a document of the street party working committee —
    a letter asking for opinions, a notice asking for a report. Staff write the body;
    issuing it (发出) gives it its 发文字号 (…政联函〔2026〕1号), renders it as a 公文
    (PDF and Word copy) dated the day it was sent and issues it to the chosen leaders."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已发出")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="committee_replies"
    )
    title = models.CharField(
        _("标题"),
        max_length=200,
        validators=[single_line],
        help_text=_("如：关于2027年街道民生实事项目征求意见的复函"),
    )
    incoming_title = models.CharField(
        _("来文标题"),
        max_length=200,
        validators=[single_line],
        help_text=_("所答复的党工委文件标题，如：关于征求2027年街道民生实事项目意见的函"),
    )
    incoming_reference = models.CharField(
        _("来文字号"),
        max_length=60,
        blank=True,
        validators=[single_line],
        help_text=_("如：韭菜园街党工委函〔2026〕12号；没有可不填。"),
    )
    incoming_on = models.DateField(
        _("来文日期"), null=True, blank=True, validators=[plausible_date]
    )
    recipient = models.CharField(
        _("主送机关"), max_length=100, default=_("街道党工委"), validators=[single_line]
    )
    body = LimitedTextField(
        _("正文"),
        blank=True,
        max_length=limits.DOCUMENT,
        help_text=_(
            "每段一行。以“一、”开头的行为一级标题，以“（一）”开头的行为二级标题。"
            "结尾的“特此函复。”由系统加上。"
        ),
    )
    attachment_titles = LimitedTextField(
        _("附件名称"),
        blank=True,
        max_length=limits.NOTE,
        help_text=_("每行一个附件名称，印在附件说明中；没有附件可不填。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    issued_on = models.DateField(_("发出日期"), null=True, blank=True, validators=[plausible_date])
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("复函")
        verbose_name_plural = _("复函")

    def __str__(self):
        return self.title

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def attachments(self) -> list[str]:
        return [line.strip() for line in self.attachment_titles.splitlines() if line.strip()]
