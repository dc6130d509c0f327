"""The office's annual work plan (年度工作计划) and its work reports to the street party
working committee (工作报告). The PDF documents made of them live in reports/.

DOMAIN.md "The office's work" 1–2 and "Member duty record and points" are the
specification; the plan's moves live in plans/workflows.py.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import limits
from liaison.limits import LimitedTextField, plausible_date, single_line
from liaison.models import Lookup, Office


class PlanCategory(Lookup):
    """The plan's headings (与党工委的联系, 服务经济发展 …); staff keep the list."""

    class Meta(Lookup.Meta):
        verbose_name = _("计划类别")
        verbose_name_plural = _("计划类别")


class PlanConfig(models.Model):
    """Per-office rules staff change without a deploy (DOMAIN.md: "configurable"): when
    the plan is due at the committee, and the duty-record minimums and grades."""

    office = models.OneToOneField(
        Office, verbose_name=_("联络处"), on_delete=models.CASCADE, related_name="plan_config"
    )
    submit_by_month = models.PositiveSmallIntegerField(
        _("计划报送截止（月）"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    submit_by_day = models.PositiveSmallIntegerField(
        _("计划报送截止（日）"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("到期仍未报送党工委的，提醒工作人员。默认 1 月 31 日。"),
    )
    min_proposals = models.PositiveSmallIntegerField(_("每年至少提案（件）"), default=1)
    min_opinion_reports = models.PositiveSmallIntegerField(_("每年至少社情民意（篇）"), default=1)
    min_activities = models.PositiveSmallIntegerField(_("每年至少参加活动（次）"), default=3)
    min_study = models.PositiveSmallIntegerField(
        _("每年至少学习（次）"),
        default=0,
        help_text=_("参加学习活动和提交学习体会合计的次数；0 表示不作要求。"),
    )
    base_points = models.PositiveSmallIntegerField(
        _("基础分"),
        default=0,
        help_text=_("每位在任委员全年履职（参加全体会议）的基础分，与履职积分合计后评定等次。"),
    )
    grade_excellent = models.PositiveSmallIntegerField(
        _("优秀（积分不低于）"),
        default=85,
        help_text=_("未达到年度最低要求的委员，最高评为称职。"),
    )
    grade_competent = models.PositiveSmallIntegerField(_("称职（积分不低于）"), default=60)
    missed_minimum_fails = models.BooleanField(
        _("未达到最低要求评为不称职"),
        default=False,
        help_text=_("勾选后，未达到任一项年度最低要求的委员评为不称职；不勾选时最高评为称职。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("计划与履职考核设置")
        verbose_name_plural = _("计划与履职考核设置")

    def __str__(self):
        return str(self.office)

    def clean(self):
        if self.grade_competent >= self.grade_excellent:
            raise ValidationError(_("“称职”分数线应低于“优秀”分数线。"))

    @classmethod
    def for_office(cls, office) -> "PlanConfig":
        """The office's settings, or the defaults while staff have not saved any: pages
        that read them (the member's home, the duty record) never write a row."""
        return cls.objects.filter(office=office).first() or cls(office=office)

    def submit_deadline(self, year: int) -> datetime.date:
        last = calendar.monthrange(year, self.submit_by_month)[1]
        return datetime.date(year, self.submit_by_month, min(self.submit_by_day, last))


class WorkPlan(models.Model):
    """One version (稿) of an office's plan for a year.

    Revising after the committee's comments writes a new version and keeps the old one.
    The database holds the rules: version numbers are unique, at most one version is
    being worked on, and at most one is adopted, per office and year.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报党工委征求意见")
        REVISED = "revised", _("修改稿")
        ADOPTED = "adopted", _("已通过")
        SUPERSEDED = "superseded", _("已被新版本取代")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.REVISED)
    EDITABLE_STATUSES = (Status.DRAFT, Status.REVISED)

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="work_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    version = models.PositiveSmallIntegerField(_("版本（第几稿）"), default=1, editable=False)
    title = models.CharField(_("标题"), max_length=200, validators=[single_line])
    preamble = LimitedTextField(_("指导思想与总体目标"), blank=True, max_length=limits.DOCUMENT)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("上一稿"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="revisions",
    )
    submitted_to = models.CharField(
        _("报送对象"), max_length=100, blank=True, validators=[single_line]
    )
    submitted_on = models.DateField(
        _("报送日期"), null=True, blank=True, validators=[plausible_date]
    )
    adopted_on = models.DateField(_("通过日期"), null=True, blank=True, validators=[plausible_date])
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
        ordering = ["-year", "-version"]
        verbose_name = _("年度工作计划")
        verbose_name_plural = _("年度工作计划")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "version"], name="unique_plan_version"
            ),
            models.UniqueConstraint(
                fields=["office", "year"],
                condition=Q(status="adopted"),
                name="one_adopted_plan_per_office_year",
            ),
            models.UniqueConstraint(
                fields=["office", "year"],
                condition=Q(status__in=["draft", "submitted", "revised"]),
                name="one_open_plan_per_office_year",
            ),
        ]

    def __str__(self):
        return f"{self.title}（第{self.version}稿）"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class PlanItem(models.Model):
    """One line of the plan: what, who, when, and where possible a target the system
    measures from the data (DOMAIN.md: "2 briefings", "≥10 proposals", "visit every
    member twice")."""

    class Metric(models.TextChoices):
        NONE = "", _("不设量化指标")
        PROPOSALS = "proposals", _("立案提案（件）")
        OPINION_REPORTS = "opinion_reports", _("报送社情民意信息（篇）")
        OPINION_ADOPTED = "opinion_adopted", _("社情民意信息被采用（篇）")
        RESEARCH_REPORTS = "research_reports", _("调研报告（篇）")
        BRIEFINGS = "briefings", _("召开政情通报会（次）")
        ACTIVITIES = "activities", _("开展委员活动（次）")
        VISITS = "visits", _("走访慰问委员（人次）")
        VISIT_COVERAGE = "visit_coverage", _("每位委员至少走访（次）")
        CONCERNS_RESOLVED = "concerns_resolved", _("委员反映问题办结（件）")
        CONSULTATIONS = "consultations", _("开展征求意见（次）")

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    category = models.ForeignKey(PlanCategory, verbose_name=_("类别"), on_delete=models.PROTECT)
    description = LimitedTextField(_("工作内容"), max_length=limits.TEXT)
    owner = models.CharField(_("责任人"), max_length=100, blank=True, validators=[single_line])
    months = models.CharField(
        _("时间安排（月份）"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                r"^(?:(?:[1-9]|1[0-2])(?:\s*[,，、]\s*(?:[1-9]|1[0-2]))*)?$",
                _("请填写 1–12 的月份，用逗号分隔，例如 3,9；全年开展留空。"),
            ),
            single_line,
        ],
        help_text=_("例如 3,9；全年开展留空。"),
    )
    metric = models.CharField(
        _("量化指标"), max_length=20, choices=Metric.choices, blank=True, default=""
    )
    target = models.PositiveIntegerField(_("目标值"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("计划事项")
        verbose_name_plural = _("计划事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(metric="") | Q(target__isnull=False),
                name="plan_item_metric_has_target",
            ),
        ]

    def __str__(self):
        return self.description[:40]

    def clean(self):
        if self.metric and self.target is None:
            raise ValidationError({"target": _("设置了量化指标时，请填写目标值。")})

    @property
    def month_list(self) -> list[int]:
        text = self.months.replace("，", ",").replace("、", ",")
        return sorted({int(m) for m in text.split(",") if m.strip()})

    @property
    def schedule_display(self) -> str:
        months = self.month_list
        if not months:
            return str(_("全年"))
        return "、".join(f"{m}月" for m in months)


class PlanComment(models.Model):
    """A comment from the street party working committee on a submitted version,
    recorded one by one; ``response`` says how the next version took it up."""

    plan = models.ForeignKey(
        WorkPlan, verbose_name=_("工作计划"), on_delete=models.CASCADE, related_name="comments"
    )
    received_on = models.DateField(_("收到日期"), validators=[plausible_date])
    commenter = models.CharField(_("提出人"), max_length=100, validators=[single_line])
    content = LimitedTextField(_("意见内容"), max_length=limits.TEXT)
    response = LimitedTextField(_("采纳情况"), blank=True, max_length=limits.TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("党工委意见")
        verbose_name_plural = _("党工委意见")

    def __str__(self):
        return f"{self.commenter}：{self.content[:30]}"


class WorkReport(models.Model):
    """A half-year or year-end work report to the street party working committee:
    figures compiled from the data plus the sections staff write. The figures are frozen
    (stored) when the report is issued, so later data changes do not rewrite it."""

    class Period(models.TextChoices):
        FIRST_HALF = "h1", _("上半年")
        SECOND_HALF = "h2", _("下半年")
        YEAR_END = "year", _("全年")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已报送")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="work_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    period = models.CharField(_("报告期"), max_length=4, choices=Period.choices)
    title = models.CharField(_("标题"), max_length=200, validators=[single_line])
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    summary = LimitedTextField(_("总体情况"), blank=True, max_length=limits.TEXT)
    highlights = LimitedTextField(_("主要工作和成效"), blank=True, max_length=limits.DOCUMENT)
    problems = LimitedTextField(_("存在的问题"), blank=True, max_length=limits.DOCUMENT)
    next_steps = LimitedTextField(_("下一步工作打算"), blank=True, max_length=limits.DOCUMENT)
    figures = models.JSONField(_("报送时的统计数据"), null=True, blank=True, editable=False)
    issued_on = models.DateField(_("报送日期"), null=True, blank=True, validators=[plausible_date])
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
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
        ordering = ["-year", "-period"]
        verbose_name = _("工作报告")
        verbose_name_plural = _("工作报告")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "period"], name="one_work_report_per_period"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def half(self) -> int | None:
        """1 or 2 for a half-year report, None for the year-end report."""
        return {self.Period.FIRST_HALF: 1, self.Period.SECOND_HALF: 2}.get(self.period)

    @classmethod
    def period_for(cls, half: int | None) -> str:
        return {1: cls.Period.FIRST_HALF, 2: cls.Period.SECOND_HALF}.get(half, cls.Period.YEAR_END)

    @classmethod
    def title_for(cls, year: int, half: int | None) -> str:
        """The usual title (2026年上半年工作报告, 2026年度工作报告); the report's PDF has it too."""
        if half:
            return _("%(year)s年%(half)s工作报告") % {
                "year": year,
                "half": cls.Period(cls.period_for(half)).label,
            }
        return _("%(year)s年度工作报告") % {"year": year}

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED
