"""What every app shares: the offices (and the districts and city above them), their
staff accounts, the handling units, the working-day calendar and the notification
outbox."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .limits import LimitedTextField, plausible_date, single_line


class Lookup(models.Model):
    """An editable list that staff keep in the admin (sectors, affiliations)."""

    name = models.CharField(_("名称"), max_length=50, unique=True, validators=[single_line])
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class KeptCountsMixin:
    """A row that keeps counts of other rows (``kept_counts``: the field names), written
    only by its app's refresh function. A full save of a row already stored writes every
    field but those: an admin form read them before a member replied, and must not
    write the old numbers back."""

    kept_counts: tuple[str, ...] = ()

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None and not self._state.adding and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            update_fields = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key
                and f.name not in self.kept_counts
                and f.attname not in deferred
            ]
        super().save(*args, update_fields=update_fields, **kwargs)


class City(models.Model):
    """A city CPPCC (市政协) whose districts share the installation. An installation of
    one district has none, and never shows the level."""

    name = models.CharField(_("名称"), max_length=50, unique=True, validators=[single_line])
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("市")
        verbose_name_plural = _("市")

    def __str__(self):
        return self.name


class District(models.Model):
    """A district CPPCC (区政协) and the offices of its streets. Its staff see its
    offices; the city's staff see every district."""

    name = models.CharField(_("名称"), max_length=50, unique=True, validators=[single_line])
    city = models.ForeignKey(
        City,
        verbose_name=_("所属市"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="districts",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self):
        return self.name


class Office(models.Model):
    """One street's liaison office (政协联络处). A district has one per street."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True, validators=[single_line])
    street = models.CharField(_("街道"), max_length=50, validators=[single_line])
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True, validators=[single_line])
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[single_line])
    email = models.EmailField(_("电子邮箱"), blank=True)
    # The director (主任) who signs what goes up to the committee: printed as 签发人 on
    # a 请示 (GB/T 9704 7.2.5); left empty, the 请示 has no 签发人 line.
    signer_name = models.CharField(
        _("签发人"),
        max_length=20,
        blank=True,
        validators=[single_line],
        help_text=_("联络处主任姓名，印在请示的发文字号行右侧；不填则不印签发人。"),
    )
    # Configurable without a deploy (DOMAIN.md): days before a member's birthday that
    # staff get a heads-up.
    birthday_heads_up_days = models.PositiveSmallIntegerField(_("生日提前提醒天数"), default=3)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("联络处")
        verbose_name_plural = _("联络处")
        permissions = [("view_all_offices", _("可查看和管理全部联络处"))]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """An account: office staff, district staff, a committee leader or a member.

    Roles are Django groups (liaison.roles); ``office`` binds staff to their street.
    """

    full_name = models.CharField(_("姓名"), max_length=50, blank=True, validators=[single_line])
    office = models.ForeignKey(
        Office,
        verbose_name=_("所属联络处"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # Binds a district's staff to their district: they see its offices only. A staff
    # account with the district role and no district sees every district (the city's
    # staff; in a one-district installation, the district's).
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("区政协工作人员填所属区，只能看到本区的联络处；留空则可看到全部区。"),
    )
    phone = models.CharField(_("手机号码"), max_length=20, blank=True, validators=[single_line])
    # 适老化: many members are over sixty. Chosen once by the member, kept on the account
    # so every device they sign in on shows it.
    large_text = models.BooleanField(
        _("大字模式"), default=False, help_text=_("放大文字和按钮，提高对比度。")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username

    def get_short_name(self):
        # The admin greets staff with this: their name, not their username in capitals.
        return self.full_name or self.username


class HandlingUnit(models.Model):
    """A body that answers proposals and concerns (承办单位)."""

    class Kind(models.TextChoices):
        STREET_DEPARTMENT = "street", _("街道部门")
        COMMUNITY = "community", _("社区")
        DISTRICT_BODY = "district", _("区级部门")
        CPPCC = "cppcc", _("上级政协")
        OTHER = "other", _("其他")

    # Street departments and communities belong to one office; a district's bodies are
    # shared by its offices (office empty, district set), a city's by every office
    # (both empty).
    office = models.ForeignKey(
        Office,
        verbose_name=_("所属联络处"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handling_units",
        help_text=_("街道部门填所属联络处；区级部门、上级政协留空，全区共用。"),
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handling_units",
        help_text=_("区级部门填所属区，由本区各联络处共用；市级部门留空，全市共用。"),
    )
    name = models.CharField(_("单位名称"), max_length=100, validators=[single_line])
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    contact_person = models.CharField(
        _("联系人"), max_length=50, blank=True, validators=[single_line]
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[single_line])
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="unique_unit_name_per_office"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_within_street(self) -> bool:
        return self.kind in {self.Kind.STREET_DEPARTMENT, self.Kind.COMMUNITY}


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a public holiday on a weekday, or a
    make-up working day (调休) on a weekend. Seeded from chinese-calendar; staff enter
    next year's official schedule here when the State Council publishes it."""

    date = models.DateField(_("日期"), unique=True, validators=[plausible_date])
    is_working_day = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("说明"), max_length=50, blank=True, validators=[single_line])
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self):
        kind = _("上班") if self.is_working_day else _("放假")
        return f"{self.date:%Y-%m-%d} {self.name} ({kind})"

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


class Notification(models.Model):
    """The outbox: every reminder is a row here first, then a worker delivers it.

    ``dedupe_key`` names the occasion (kind, target, date); the unique index makes a
    reminder at most once per occasion however often the sweep that creates it runs.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")
        PORTAL = "portal", _("站内消息")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无地址未发")
        # A text message over the member's daily limit, sent within the next morning's
        # digest instead.
        DIGESTED = "digested", _("并入汇总短信")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.CASCADE, null=True, blank=True
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    address = models.CharField(_("地址"), max_length=254, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("类型"), max_length=50)
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # What the SMS gateway answered: its message id when it accepted the message, its
    # error code when it refused it.
    gateway_message_id = models.CharField(
        _("网关消息编号"), max_length=100, blank=True, validators=[single_line]
    )
    error_code = models.CharField(
        _("错误代码"), max_length=100, blank=True, validators=[single_line]
    )
    # Parameters of the gateway's template besides the row's own (liaison/sms.py).
    sms_params = models.JSONField(_("短信模板参数"), default=dict, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["recipient", "channel", "-created_at"], name="inbox_idx"),
            # The admin's outbox list, newest first (its order, with the id Django adds
            # to make it total): the newest 50 across offices, and one office's, are read
            # along these without sorting the table.
            models.Index(fields=["-created_at", "-id"], name="outbox_newest_idx"),
            models.Index(fields=["office", "-created_at", "-id"], name="outbox_office_newest_idx"),
            # Text messages sent to a number today (the daily limit).
            models.Index(
                fields=["address", "sent_at"], name="sms_sent_idx", condition=Q(channel="sms")
            ),
            # Text messages the gateway had no template for (liaison.sms.NO_TEMPLATE):
            # the staff warning on the admin index reads them without a scan.
            models.Index(
                fields=["created_at"],
                name="sms_no_template_idx",
                condition=Q(error_code="no_template"),
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.subject}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


def today() -> datetime.date:
    """Today in the office's time zone (Asia/Shanghai), not the server's."""
    return timezone.localdate()


class StatusChange(models.Model):
    """One move of a workflow (proposal, opinion report, concern, plan): who, when, from,
    to, and why. Written only by ``liaison.workflow.transition``."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    from_status = models.CharField(_("原状态"), max_length=30, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who acted when there is no account: a handling unit through its signed link.
    actor_label = models.CharField(_("操作方"), max_length=100, blank=True)
    note = LimitedTextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="status_change_idx"
            )
        ]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"

    @property
    def actor_display(self) -> str:
        if self.actor_label:
            return self.actor_label
        return str(self.actor) if self.actor else _("系统")


class Job(models.Model):
    """Work too long for a page request (a large roster import, accounts for a whole
    roster), done by the worker while staff watch a progress bar. Started, run and
    swept by ``liaison.jobs``; what each kind does is registered there.

    ``key`` names the work (e.g. the uploaded file's hash): the same work asked for twice
    while the first is queued or running is the same job (the constraint below).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    # Empty: started by district staff for several offices; only district staff see it.
    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.CASCADE, null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=50)
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # The file the work reads (an uploaded roster); deleted once the job has finished.
    upload = models.FileField(_("文件"), upload_to="jobs/%Y/%m/", blank=True, max_length=200)
    key = models.CharField(_("去重键"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("总数"), default=0)
    done = models.PositiveIntegerField(_("已完成数"), default=0)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    # {"summary": "…", "counts": [["新增", 3], …], "errors": ["第 5 行：…", …]}
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind", "key"],
                condition=Q(status__in=["pending", "running"]) & ~Q(key=""),
                name="one_active_job_per_key",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("admin:liaison_job_change", args=[self.pk])

    def set_total(self, total: int) -> None:
        """How many items the job will do, once the kind knows (after reading a file)."""
        self.total = total
        Job.objects.filter(pk=self.pk).update(total=total)

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more items done; the job's kind calls this as it works."""
        from .jobs import report_progress  # liaison.jobs imports this module

        self.done += n
        report_progress(self)

    @property
    def is_working(self) -> bool:
        return self.status in self.ACTIVE


class DataStamp(models.Model):
    """One row whose number grows with every use case that commits a write
    (``liaison.transactions``): what a page keeps between requests (the member's home
    page) is kept under this number, so whichever host answers recomputes it after any
    change, and nothing else has to be invalidated by hand."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return str(self.version)

    @classmethod
    def current(cls) -> int:
        """The number now (0 before the first write): one query of one row."""
        return next(iter(cls.objects.filter(pk=1).values_list("version", flat=True)), 0)

    @classmethod
    def bump(cls) -> None:
        """One more: the last statement of a use case's transaction, so the row is
        locked only while that transaction commits, and the number moves with the
        writes it covers or not at all."""
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})
