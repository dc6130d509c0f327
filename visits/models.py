"""Visiting members (走访慰问) and the concern loop (意见建议): DOMAIN.md "Three key
points — visiting members". Visits, life events that call for one, and concerns routed
to a street department (to be done within a time limit) or escalated to a higher-level
body, with the result fed back to the member. The concern moves live in
visits/workflows.py."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import limits, workdays
from liaison.limits import LimitedTextField, plausible_date, single_line
from liaison.models import HandlingUnit, Lookup, Office, today
from members.models import Member

_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def parse_month_days(value: str) -> list[tuple[int, int]]:
    """``"06-15, 11-30"`` -> ``[(6, 15), (11, 30)]``; raises ValueError on bad input."""
    result = []
    for part in (value or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not _MONTH_DAY.match(part):
            raise ValueError(part)
        month, day = int(part[:2]), int(part[3:])
        datetime.date(2024, month, day)  # a leap year: 02-29 is allowed, 02-30 is not
        result.append((month, day))
    return sorted(set(result))


def validate_month_days(value: str) -> None:
    try:
        parse_month_days(value)
    except ValueError as error:
        raise ValidationError(
            _("日期格式应为“月-日”，多个日期用逗号分隔，例如 06-15,11-30。")
        ) from error


class VisitConfig(models.Model):
    """Per-office rules staff may change without a deploy (DOMAIN.md: "configurable")."""

    office = models.OneToOneField(
        Office, verbose_name=_("联络处"), on_delete=models.CASCADE, related_name="visit_config"
    )
    visits_per_year = models.PositiveSmallIntegerField(
        _("每位委员每年至少走访（次）"), default=2, validators=[MinValueValidator(1)]
    )
    coverage_reminder_dates = models.CharField(
        _("走访覆盖提醒日期"),
        max_length=100,
        default="05-15,11-15",
        validators=[validate_month_days, single_line],
        help_text=_("每年这些日期提醒工作人员尚未走访的委员，格式“月-日”，逗号分隔。"),
    )
    life_event_visit_days = models.PositiveSmallIntegerField(
        _("重要事项走访期限（天）"),
        default=3,
        help_text=_("委员住院、亲属去世、婚庆寿诞等登记后，应在多少天内走访。"),
    )
    concern_due_working_days = models.PositiveSmallIntegerField(
        _("意见建议办理期限（工作日）"), default=15, validators=[MinValueValidator(1)]
    )
    due_soon_working_days = models.PositiveSmallIntegerField(_("到期前提醒（工作日）"), default=3)
    confirm_working_days = models.PositiveSmallIntegerField(
        _("委员确认期限（工作日）"),
        default=10,
        help_text=_("办理结果反馈委员后，超过此期限未确认的提醒委员一次。"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("走访工作设置")
        verbose_name_plural = _("走访工作设置")

    def __str__(self):
        return str(self.office)

    @classmethod
    def for_office(cls, office) -> "VisitConfig":
        return cls.objects.get_or_create(office=office)[0]

    @property
    def reminder_dates(self) -> list[tuple[int, int]]:
        try:
            return parse_month_days(self.coverage_reminder_dates)
        except ValueError:
            return []


class Visit(models.Model):
    """One visit by the office to one or more members (走访慰问)."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("走访慰问")
        FESTIVAL = "festival", _("节日慰问")
        HOSPITAL = "hospital", _("探望病患")
        BEREAVEMENT = "bereavement", _("吊唁慰问")
        CELEBRATION = "celebration", _("婚庆寿诞")
        UNIT_EVENT = "unit_event", _("委员单位重大活动")

    class Status(models.TextChoices):
        PENDING = "pending", _("待走访")
        DONE = "done", _("已走访")
        CANCELLED = "cancelled", _("已取消")

    # What the visited member reads in the portal (WORDING.md).
    MEMBER_LABELS = {
        Status.PENDING: _("已收到"),
        Status.DONE: _("已走访"),
        Status.CANCELLED: _("已取消"),
    }

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="visits"
    )
    kind = models.CharField(_("走访类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DONE, db_index=True
    )
    visited_on = models.DateField(
        _("走访日期"), null=True, blank=True, db_index=True, validators=[plausible_date]
    )
    due_date = models.DateField(
        _("应走访日期"),
        null=True,
        blank=True,
        help_text=_("由重要事项生成的待走访记录。"),
        validators=[plausible_date],
    )
    members = models.ManyToManyField(
        Member,
        verbose_name=_("走访委员"),
        through="VisitMember",
        related_name="visits",
    )
    place = models.CharField(_("地点"), max_length=200, blank=True, validators=[single_line])
    amount = models.DecimalField(
        _("慰问金（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    gifts = models.CharField(_("慰问品"), max_length=200, blank=True, validators=[single_line])
    summary = LimitedTextField(
        _("走访情况"),
        blank=True,
        help_text=_("委员本人在服务平台可以看到。"),
        max_length=limits.TEXT,
    )
    staff_notes = LimitedTextField(
        _("内部备注"),
        blank=True,
        help_text=_("仅工作人员可见，委员看不到。"),
        max_length=limits.TEXT,
    )
    cancel_reason = LimitedTextField(_("取消原因"), blank=True)
    created_by = models.ForeignKey(
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
        ordering = ["-visited_on", "-id"]
        verbose_name = _("走访")
        verbose_name_plural = _("走访")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visited_on__isnull=False),
                name="done_visit_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status", "visited_on"], name="visit_office_idx"),
            # The district's list across offices, newest first.
            models.Index(fields=["-visited_on", "-id"], name="visit_newest_idx"),
        ]

    def __str__(self):
        when = self.visited_on or self.due_date
        return f"{self.get_kind_display()} {when:%Y-%m-%d}" if when else self.get_kind_display()

    @property
    def member_status_label(self) -> str:
        return str(self.MEMBER_LABELS.get(self.status, self.get_status_display()))

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.PENDING
            and self.due_date is not None
            and self.due_date < today()
        )


class VisitMember(models.Model):
    """A member visited on a visit. Coverage counts these rows."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="member_links"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="visit_links"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("走访委员")
        verbose_name_plural = _("走访委员")
        constraints = [
            models.UniqueConstraint(fields=["visit", "member"], name="one_link_per_visit_member")
        ]
        indexes = [models.Index(fields=["member", "visit"], name="visit_member_idx")]

    def __str__(self):
        return str(self.member_id and self.member)


class VisitTally(models.Model):
    """A member's done visits in one year, by half-year, and the last visit's date.

    Derived data: ``visits.services.tallies_refresh`` recounts a member's rows from
    their visits whenever a visit is recorded, completed, redated, cancelled, deleted or
    its members change, and a nightly repair recounts any row that drifted. The
    coverage page and reminders read one row per member instead of counting visits, so
    they cost the same however many visits the office has recorded."""

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="visit_tallies"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    first_half = models.PositiveIntegerField(_("上半年走访（次）"), default=0)
    second_half = models.PositiveIntegerField(_("下半年走访（次）"), default=0)
    last_visited_on = models.DateField(_("最近走访日期"), validators=[plausible_date])

    class Meta:
        verbose_name = _("走访次数")
        verbose_name_plural = _("走访次数")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_tally_per_member_year")
        ]

    def __str__(self):
        return f"{self.member_id} {self.year}: {self.first_half}+{self.second_half}"


class CoverageStamp(models.Model):
    """A counter per office, bumped whenever any of its members' visit tallies change:
    part of the key under which the coverage page's figures are cached
    (``visits.coverage``), so a recorded visit shows on the next view. It also keeps
    the office's summary figures with the key they were counted under, so a process
    with an empty cache (a restart, another host) reads them rather than counting the
    roster again."""

    office = models.OneToOneField(
        Office, primary_key=True, on_delete=models.CASCADE, related_name="coverage_stamp"
    )
    version = models.PositiveBigIntegerField(default=0)
    figures = models.JSONField(null=True, blank=True, editable=False)
    figures_key = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = _("走访覆盖版本")
        verbose_name_plural = _("走访覆盖版本")

    def __str__(self):
        return f"{self.office_id}: {self.version}"


class CoveragePage(models.Model):
    """One page of the coverage page's member list as computed (ids and counts), under
    the digest of what it was computed from (``visits.coverage``): a process with an
    empty cache (a restart, another host) reads it instead of sorting every serving
    member of the offices shown. Rows older than a day are dropped as new ones come."""

    key = models.CharField(max_length=64, unique=True, editable=False)
    entry = models.JSONField(editable=False)
    kept_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("走访覆盖名单页")
        verbose_name_plural = _("走访覆盖名单页")

    def __str__(self):
        return self.key


class VisitTeamMember(models.Model):
    """Someone on the visiting team: a staff user, or an invited leader by name (leaders
    of the street party working committee often have no account)."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工作人员/领导账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True, validators=[single_line])
    title = models.CharField(_("职务"), max_length=100, blank=True, validators=[single_line])
    is_leader = models.BooleanField(_("受邀领导"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_leader", "id"]
        verbose_name = _("走访人员")
        verbose_name_plural = _("走访人员")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="team_member_named"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        return str(self.user) if self.user_id else ""

    def clean(self):
        if not self.user_id and not self.name.strip():
            raise ValidationError(_("请选择账号或填写姓名。"))


class LifeEvent(models.Model):
    """Something in a member's life the office should be there for (DOMAIN.md: illness,
    bereavement, a wedding, a birthday, a member unit's opening). Recording one creates
    a pending visit with a due date; recording that visit completes it."""

    class Kind(models.TextChoices):
        HOSPITALISED = "hospitalised", _("住院治疗")
        BEREAVEMENT = "bereavement", _("亲属去世")
        WEDDING = "wedding", _("婚庆")
        BIRTHDAY = "birthday", _("整寿生日")
        UNIT_EVENT = "unit_event", _("单位重大活动")

    # The kind of visit each event calls for.
    VISIT_KIND = {
        Kind.HOSPITALISED: Visit.Kind.HOSPITAL,
        Kind.BEREAVEMENT: Visit.Kind.BEREAVEMENT,
        Kind.WEDDING: Visit.Kind.CELEBRATION,
        Kind.BIRTHDAY: Visit.Kind.CELEBRATION,
        Kind.UNIT_EVENT: Visit.Kind.UNIT_EVENT,
    }

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="life_events"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="life_events"
    )
    kind = models.CharField(_("事项"), max_length=12, choices=Kind.choices)
    occurred_on = models.DateField(_("日期"), validators=[plausible_date])
    description = LimitedTextField(_("情况说明"), blank=True, max_length=limits.TEXT)
    place = models.CharField(_("地点"), max_length=200, blank=True, validators=[single_line])
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_in_portal = models.BooleanField(_("委员本人登记"), default=False)
    visit = models.OneToOneField(
        Visit,
        verbose_name=_("走访"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="life_event",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("重要事项")
        verbose_name_plural = _("重要事项")
        # The admin's list, newest first: across offices and for one office.
        indexes = [
            models.Index(fields=["-occurred_on", "-id"], name="lifeevent_newest_idx"),
            models.Index(
                fields=["office", "-occurred_on", "-id"], name="lifeevent_office_newest_idx"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.occurred_on:%Y-%m-%d}"


class ConcernCategory(Lookup):
    class Meta(Lookup.Meta):
        verbose_name = _("意见建议类别")
        verbose_name_plural = _("意见建议类别")


class Concern(models.Model):
    """An opinion or problem a member raised (意见建议) — on a visit, at a briefing, in
    the portal, or recorded by staff — and its handling until the member confirms."""

    class Source(models.TextChoices):
        VISIT = "visit", _("走访收集")
        BRIEFING = "briefing", _("通报会收集")
        PORTAL = "portal", _("委员网上反映")
        STAFF = "staff", _("工作人员录入")

    class Status(models.TextChoices):
        NEW = "new", _("新收集")
        TRIAGED = "triaged", _("已分类")
        ASSIGNED = "assigned", _("已交办")
        ESCALATED = "escalated", _("已上报协调")
        IN_PROGRESS = "in_progress", _("办理中")
        RESOLVED = "resolved", _("已解决")
        UNRESOLVABLE = "unresolvable", _("无法解决")
        FED_BACK = "fed_back", _("已反馈委员")
        REOPENED = "reopened", _("重新办理")
        CLOSED = "closed", _("已办结")

    class Scope(models.TextChoices):
        WITHIN = "within", _("街道职责范围内")
        BEYOND = "beyond", _("超出街道职责")

    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    # Statuses in which a unit is working and the due date runs.
    HANDLING_STATUSES = (Status.ASSIGNED, Status.ESCALATED, Status.IN_PROGRESS, Status.REOPENED)
    OPEN_STATUSES = (Status.NEW, Status.TRIAGED, *HANDLING_STATUSES)
    # Open or waiting to be reported back (the to-dos): counted through concern_office_idx
    # without reading the closed ones.
    WAITING_STATUSES = (*OPEN_STATUSES, Status.RESOLVED, Status.UNRESOLVABLE)

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="concerns"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("反映委员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
        help_text=_("不针对某位委员的意见（如通报会上集体提出）留空。"),
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("来源走访"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    source_label = models.CharField(
        _("来源说明"),
        max_length=200,
        blank=True,
        help_text=_("例如通报会名称。"),
        validators=[single_line],
    )
    category = models.ForeignKey(
        ConcernCategory,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    title = models.CharField(_("标题"), max_length=200, validators=[single_line])
    content = LimitedTextField(_("内容"), max_length=limits.TEXT)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    scope = models.CharField(_("职责范围"), max_length=8, choices=Scope.choices, blank=True)
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    assigned_on = models.DateField(
        _("交办日期"), null=True, blank=True, validators=[plausible_date]
    )
    due_date = models.DateField(
        _("办理期限"), null=True, blank=True, db_index=True, validators=[plausible_date]
    )
    # The rule that gave the due date: this many working days after ``assigned_on``.
    # Empty when staff chose the date themselves; then a calendar change leaves it.
    due_working_days = models.PositiveSmallIntegerField(
        _("办理期限（工作日）"), null=True, blank=True, editable=False
    )
    coordination_notes = LimitedTextField(_("协调情况"), blank=True, max_length=limits.TEXT)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    progress = LimitedTextField(_("最新进展"), blank=True, max_length=limits.TEXT)
    result = LimitedTextField(_("办理结果"), blank=True, max_length=limits.TEXT)
    unresolvable_reason = LimitedTextField(_("无法解决原因"), blank=True)
    resolved_on = models.DateField(
        _("办结日期"), null=True, blank=True, validators=[plausible_date]
    )
    fed_back_at = models.DateTimeField(_("反馈委员时间"), null=True, blank=True)
    feedback_note = LimitedTextField(_("反馈说明"), blank=True)
    verdict = models.CharField(_("委员评价"), max_length=12, choices=Verdict.choices, blank=True)
    member_comments = LimitedTextField(_("委员意见"), blank=True)
    confirmed_at = models.DateTimeField(_("委员确认时间"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("收集时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        indexes = [
            models.Index(fields=["office", "status", "created_at"], name="concern_office_idx"),
            # The staff's to-dos (visits.dashboard): the concerns still waiting, counted
            # per office without reading the closed ones (Concern.WAITING_STATUSES).
            models.Index(
                fields=["office", "status", "due_date"],
                condition=Q(
                    status__in=[
                        "new",
                        "triaged",
                        "assigned",
                        "escalated",
                        "in_progress",
                        "reopened",
                        "resolved",
                        "unresolvable",
                    ]
                ),
                name="concern_todo_idx",
            ),
            # The changelist's order: its 50 newest are read from the index, not sorted
            # out of every concern of the office joined to its members.
            models.Index(fields=["office", "created_at", "id"], name="concern_office_newest_idx"),
            # The district's list across offices, newest first, without the roster.
            models.Index(fields=["-created_at", "-id"], name="concern_newest_idx"),
            models.Index(fields=["unit", "status"], name="concern_unit_idx"),
        ]

    def __str__(self):
        return self.title

    # How the member reads each status: the office's own steps (classified, escalated,
    # fed back) mean nothing to the member, who wants to know where their concern is.
    MEMBER_LABELS = {
        Status.NEW: _("已收到"),
        Status.TRIAGED: _("已收到"),
        Status.ASSIGNED: _("办理中"),
        Status.ESCALATED: _("已报区有关部门办理"),
        Status.IN_PROGRESS: _("办理中"),
        Status.RESOLVED: _("已办理，待告知您结果"),
        Status.UNRESOLVABLE: _("已办理，待告知您结果"),
        Status.FED_BACK: _("待您确认"),
        Status.REOPENED: _("重新办理中"),
        Status.CLOSED: _("已办结"),
    }

    @property
    def member_status_label(self) -> str:
        return str(self.MEMBER_LABELS.get(self.status, self.get_status_display()))

    # Where the member raised it, in the member's words (not 工作人员录入).
    MEMBER_SOURCE_LABELS = {
        Source.VISIT: _("走访时反映"),
        Source.BRIEFING: _("通报会上反映"),
        Source.PORTAL: _("网上反映"),
        Source.STAFF: _("联络处代为登记"),
    }

    @property
    def member_source_label(self) -> str:
        return str(self.MEMBER_SOURCE_LABELS.get(self.source, self.get_source_display()))

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(today())

    def is_overdue_on(self, day: datetime.date) -> bool:
        return (
            self.status in self.HANDLING_STATUSES
            and self.due_date is not None
            and self.due_date < day
        )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def due_date_is_provisional(self) -> bool:
        """Counted in working days over a year whose holidays are not entered yet."""
        return (
            self.due_working_days is not None
            and self.due_date is not None
            and workdays.is_provisional(self.due_date)
        )

    @classmethod
    def overdue_q(cls, day: datetime.date) -> Q:
        """Overdue on ``day``: still with a unit and past its due date (for filters)."""
        return Q(status__in=cls.HANDLING_STATUSES, due_date__lt=day)
