"""Political briefings (政情通报会) and the office's other activities: consultations,
inspections, research, study sessions, theme activities and donations (DOMAIN.md,
"Activities"). Each has invited members who reply (attend, or ask for leave), sign in,
and hand in opinions; major ones go to the street party working committee for
instructions (请示) first. The moves live in briefings/workflows.py and services.py."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import limits
from liaison.limits import LimitedTextField, plausible_date, single_line
from liaison.models import KeptCountsMixin, Lookup, Office
from liaison.uploads import UploadValidator, validate_document
from members.models import Member

validate_photo = UploadValidator(extensions=("jpg", "jpeg", "png"))


class ActivityKind(Lookup):
    """政情通报会, 专题协商, 视察 … — an editable list. The flags carry the rules that
    depend on the kind, so staff may rename or add kinds without a deploy."""

    is_briefing = models.BooleanField(
        _("政情通报会"),
        default=False,
        help_text=_("勾选后计入“每半年至少召开一次政情通报会”的要求。"),
    )
    is_major_by_default = models.BooleanField(
        _("默认为重大活动"),
        default=False,
        help_text=_("新建此类活动时默认须先向街道党工委请示。"),
    )
    records_outputs = models.BooleanField(
        _("登记成果与捐赠"),
        default=False,
        help_text=_("主题活动、捐赠等：登记活动成果、受益对象、捐款捐物和照片。"),
    )
    holds_consultations = models.BooleanField(
        _("协商议事"),
        default=False,
        help_text=_("勾选后，此类活动可作为征求意见的协商议事会，会上意见汇入征求意见。"),
    )
    is_study = models.BooleanField(
        _("学习活动"),
        default=False,
        help_text=_("勾选后，委员参加此类活动计入履职档案的学习情况和年度学习要求。"),
    )

    class Meta(Lookup.Meta):
        verbose_name = _("活动类别")
        verbose_name_plural = _("活动类别")


class ActivityConfig(models.Model):
    """Per-office rules staff may change without a deploy (DOMAIN.md: "configurable")."""

    office = models.OneToOneField(
        Office, verbose_name=_("联络处"), on_delete=models.CASCADE, related_name="activity_config"
    )
    # By these dates a half-year must have its briefing scheduled, or staff are reminded.
    first_half_month = models.PositiveSmallIntegerField(_("上半年通报会最迟安排（月）"), default=4)
    first_half_day = models.PositiveSmallIntegerField(_("上半年通报会最迟安排（日）"), default=30)
    second_half_month = models.PositiveSmallIntegerField(
        _("下半年通报会最迟安排（月）"), default=10
    )
    second_half_day = models.PositiveSmallIntegerField(_("下半年通报会最迟安排（日）"), default=31)
    sign_in_opens_minutes = models.PositiveSmallIntegerField(
        _("扫码签到提前开放（分钟）"), default=60
    )
    sign_in_closes_minutes = models.PositiveSmallIntegerField(
        _("活动结束后仍可扫码签到（分钟）"), default=60
    )
    opinion_days = models.PositiveSmallIntegerField(_("活动结束后征集意见（天）"), default=14)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("活动工作设置")
        verbose_name_plural = _("活动工作设置")

    def __str__(self):
        return str(self.office)

    @classmethod
    def for_office(cls, office) -> "ActivityConfig":
        """The office's settings, or the defaults (unsaved) until staff change them:
        reading a setting never writes."""
        return cls.objects.filter(office=office).first() or cls(office=office)

    def clean(self):
        for half, month_field, day_field, months in (
            (_("上半年"), "first_half_month", "first_half_day", range(1, 7)),
            (_("下半年"), "second_half_month", "second_half_day", range(7, 13)),
        ):
            month, day = getattr(self, month_field), getattr(self, day_field)
            if month not in months:
                raise ValidationError(
                    {month_field: _("%(half)s的日期须在该半年内。") % {"half": half}}
                )
            try:
                datetime.date(2024, month, day)  # a leap year: 2月29日 is allowed
            except ValueError as error:
                raise ValidationError({day_field: _("日期不存在。")}) from error

    def schedule_deadline(self, year: int, half: int) -> datetime.date:
        """The date by which the half-year's briefing must be on the calendar."""
        month, day = (
            (self.first_half_month, self.first_half_day)
            if half == 1
            else (self.second_half_month, self.second_half_day)
        )
        try:
            return datetime.date(year, month, day)
        except ValueError:  # 2月29日 in a common year
            return datetime.date(year, month, day - 1)


def half_year_of(day: datetime.date) -> int:
    return 1 if day.month <= 6 else 2


def half_year_bounds(year: int, half: int) -> tuple[datetime.date, datetime.date]:
    """First day of the half-year and first day of the next one."""
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 7, 1)
    return datetime.date(year, 7, 1), datetime.date(year + 1, 1, 1)


ACTIVITY_COUNT_FIELDS = (
    "invited_count",
    "attending_count",
    "leave_count",
    "attended_count",
    "opinion_count",
)


class Activity(KeptCountsMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        PUBLISHED = "published", _("已发布")
        HELD = "held", _("已举行")
        CANCELLED = "cancelled", _("已取消")

    class RequestOutcome(models.TextChoices):
        APPROVED = "approved", _("同意")
        AMENDED = "amended", _("原则同意，按意见调整")
        REFUSED = "refused", _("不同意")

    office = models.ForeignKey(
        Office, verbose_name=_("主办联络处"), on_delete=models.PROTECT, related_name="activities"
    )
    # Joint activities (联合举办): they count for, and are run by, every organising office.
    co_offices = models.ManyToManyField(
        Office,
        verbose_name=_("联合主办联络处"),
        blank=True,
        related_name="joint_activities",
    )
    kind = models.ForeignKey(ActivityKind, verbose_name=_("活动类别"), on_delete=models.PROTECT)
    title = models.CharField(_("活动名称"), max_length=200, validators=[single_line])
    topic = LimitedTextField(_("主题与内容"), blank=True, max_length=limits.TEXT)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    venue = models.CharField(_("地点"), max_length=200, validators=[single_line])
    is_major = models.BooleanField(
        _("重大活动"),
        default=False,
        help_text=_("重大活动须先向街道党工委请示，批复后方可发布。"),
    )
    # Request for instructions (请示) to the street party working committee.
    request_recipient = models.CharField(
        _("请示对象"), max_length=100, blank=True, default="街道党工委", validators=[single_line]
    )
    request_sent_on = models.DateField(
        _("请示报送日期"), null=True, blank=True, validators=[plausible_date]
    )
    request_document = models.FileField(
        _("请示文件"),
        upload_to="briefings/requests/%Y/",
        blank=True,
        validators=[validate_document],
    )
    request_outcome = models.CharField(
        _("批复结果"), max_length=10, choices=RequestOutcome.choices, blank=True
    )
    request_answer = LimitedTextField(_("批复意见"), blank=True)
    request_answered_on = models.DateField(
        _("批复日期"), null=True, blank=True, validators=[plausible_date]
    )
    publish_override_reason = LimitedTextField(_("未批复先行发布的理由"), blank=True)

    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    attendance_closed_at = models.DateTimeField(_("考勤登记完成时间"), null=True, blank=True)
    cancel_reason = LimitedTextField(_("取消原因"), blank=True)

    minutes = LimitedTextField(_("会议纪要"), blank=True, max_length=limits.DOCUMENT)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("纪要撰写人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes_updated_at = models.DateTimeField(_("纪要更新时间"), null=True, blank=True)

    # Theme activities and donations (DOMAIN.md, "People's livelihood").
    beneficiaries = models.CharField(
        _("受益对象"), max_length=200, blank=True, validators=[single_line]
    )
    beneficiary_count = models.PositiveIntegerField(_("受益人数"), null=True, blank=True)
    results = LimitedTextField(_("活动成效"), blank=True, max_length=limits.TEXT)

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

    # What the activity list, its page, the minutes, the figures and the export show,
    # kept on the row (issue 16: counting hundreds of invitees per row grew with the
    # data). Written only by ``briefings.services.counts.refresh_activity_counts``,
    # which every service that adds, removes or changes an invitation or an opinion
    # calls in its transaction; a full ``save()`` leaves them alone (KeptCountsMixin).
    kept_counts = ACTIVITY_COUNT_FIELDS
    invited_count = models.PositiveIntegerField(_("邀请人数"), default=0, editable=False)
    attending_count = models.PositiveIntegerField(_("回复参加人数"), default=0, editable=False)
    leave_count = models.PositiveIntegerField(_("回复请假人数"), default=0, editable=False)
    attended_count = models.PositiveIntegerField(_("出席人数"), default=0, editable=False)
    opinion_count = models.PositiveIntegerField(_("意见建议条数"), default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", *ACTIVITY_COUNT_FIELDS])

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="activity_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status", "starts_at"], name="activity_office_idx"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d} {self.title}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("结束时间不能早于开始时间。")})

    @property
    def date(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()

    @property
    def member_status_label(self) -> str:
        """What a member reads (WORDING.md): 即将举行 rather than the staff's 已发布."""
        if self.status == self.Status.CANCELLED:
            return str(_("已取消"))
        if self.status == self.Status.HELD or (self.ends_at and self.has_ended):
            return str(_("已举行"))
        return str(_("即将举行"))

    @property
    def reply_by(self) -> datetime.date:
        """The day invitees are asked to answer by (the messages name it): the day
        before the activity."""
        return self.date - datetime.timedelta(days=1)

    @property
    def half_year(self) -> int:
        return half_year_of(self.date)

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def has_ended(self) -> bool:
        return timezone.now() >= self.ends_at

    @property
    def request_answered(self) -> bool:
        return bool(self.request_outcome and self.request_answered_on)

    @property
    def request_state(self) -> str:
        """What the admin list shows in the request column."""
        if not self.is_major:
            return ""
        if self.request_answered:
            return str(self.get_request_outcome_display())
        if self.request_sent_on:
            return str(_("待批复"))
        return str(_("未请示"))

    def organising_office_ids(self) -> set[int]:
        """The lead office and the joint organisers (uses a prefetch when present)."""
        return {self.office_id, *(o.pk for o in self.co_offices.all())}


class InvitedLeader(models.Model):
    """A street or government leader invited to brief or attend (name, title, unit)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="leaders"
    )
    name = models.CharField(_("姓名"), max_length=50, validators=[single_line])
    title = models.CharField(_("职务"), max_length=100, blank=True, validators=[single_line])
    unit = models.CharField(_("单位"), max_length=100, blank=True, validators=[single_line])
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("受邀领导")
        verbose_name_plural = _("受邀领导")

    def __str__(self):
        return " ".join(p for p in (self.unit, self.title, self.name) if p)


class AgendaItem(models.Model):
    """One item of an activity's agenda. A member arranged to speak (安排发言) is linked
    (``speaker``); a leader or guest who is not a member stays free text (``presenter``)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="agenda"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("议程"), max_length=200, validators=[single_line])
    speaker = models.ForeignKey(
        Member,
        verbose_name=_("发言委员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        help_text=_("安排委员发言时选择委员；领导或嘉宾请填写在“主讲/汇报人”。"),
    )
    presenter = models.CharField(
        _("主讲/汇报人"), max_length=100, blank=True, validators=[single_line]
    )
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("议程")
        verbose_name_plural = _("议程")

    def __str__(self):
        return self.title

    @property
    def presenter_display(self) -> str:
        return self.speaker.name if self.speaker_id else self.presenter

    def clean(self):
        # A speaker arranged here is one of the organising offices' members.
        if self.speaker_id and self.activity_id:
            offices = self.activity.organising_office_ids()
            if self.speaker.office_id not in offices:
                raise ValidationError(
                    {
                        "speaker": _("只能安排主办联络处的委员发言（%(name)s不是）。")
                        % {"name": self.speaker.name}
                    }
                )


class Speech(models.Model):
    """A member's speech (委员发言, DOMAIN.md: "speeches (on stage / written), recorded per
    meeting"): at a meeting or activity, on stage (大会发言), in writing (书面发言) or in
    a discussion (交流发言), with its text or file and whether it was adopted or
    published. Staff record it after the activity; it earns the points the rules give
    its kind (``POINT_KINDS``), and adoption earns the adoption rule's points too."""

    class Kind(models.TextChoices):
        PLENARY = "plenary", _("大会发言")
        WRITTEN = "written", _("书面发言")
        EXCHANGE = "exchange", _("交流发言")

    # The points kind (members.PointRule.Kind) each kind of speech earns.
    POINT_KINDS = {
        Kind.PLENARY: "speech",
        Kind.WRITTEN: "speech_written",
        Kind.EXCHANGE: "speech_exchange",
    }
    ADOPTED_POINTS = "speech_adopted"

    activity = models.ForeignKey(
        Activity, verbose_name=_("会议或活动"), on_delete=models.PROTECT, related_name="speeches"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("议程"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speeches",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="speeches"
    )
    kind = models.CharField(_("发言类别"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("发言题目"), max_length=200, validators=[single_line])
    text = LimitedTextField(_("发言内容"), blank=True, max_length=limits.DOCUMENT)
    file = models.FileField(
        _("发言稿文件"),
        upload_to="briefings/speeches/%Y/",
        blank=True,
        max_length=200,
        validators=[validate_document],
    )
    delivered_on = models.DateField(_("发言日期"), validators=[plausible_date])
    is_adopted = models.BooleanField(
        _("被采用或刊发"),
        default=False,
        help_text=_("发言被有关部门采用，或在简报、报刊上刊发。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("委员发言")
        verbose_name_plural = _("委员发言")
        indexes = [models.Index(fields=["member", "delivered_on"], name="speech_member_day_idx")]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()}《{self.title}》"

    @property
    def point_kind(self) -> str:
        return self.POINT_KINDS[self.kind]


class Material(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("材料名称"), max_length=200, validators=[single_line])
    file = models.FileField(
        _("文件"), upload_to="briefings/materials/%Y/", validators=[validate_document]
    )
    shared_with_members = models.BooleanField(
        _("委员可查阅"), default=True, help_text=_("受邀委员可在平台上下载。")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("会议材料")
        verbose_name_plural = _("会议材料")

    def __str__(self):
        return self.title


class Invitation(models.Model):
    """One invited member: their reply, leave request and attendance (出勤)."""

    class Reply(models.TextChoices):
        PENDING = "pending", _("未回复")
        ATTENDING = "attending", _("参加")
        LEAVE = "leave", _("请假")

    class Leave(models.TextChoices):
        NONE = "", _("—")
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("准假")
        REFUSED = "refused", _("不准假")

    class Attendance(models.TextChoices):
        UNRECORDED = "", _("未登记")
        ATTENDED = "attended", _("出席")
        LEAVE_APPROVED = "leave_approved", _("请假（已准假）")
        LEAVE_REFUSED = "leave_refused", _("请假未准（缺席）")
        ABSENT = "absent", _("无故缺席")

    class Method(models.TextChoices):
        NONE = "", _("—")
        QR = "qr", _("扫码签到")
        STAFF = "staff", _("工作人员登记")
        CLOSING = "closing", _("考勤结束时登记")

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("委员"),
        on_delete=models.PROTECT,
        related_name="activity_invitations",
    )
    invited_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    reply = models.CharField(_("回复"), max_length=10, choices=Reply.choices, default=Reply.PENDING)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    leave_reason = LimitedTextField(_("请假事由"), blank=True)
    leave_status = models.CharField(
        _("请假审批"), max_length=10, choices=Leave.choices, blank=True, default=Leave.NONE
    )
    leave_decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    leave_note = models.CharField(
        _("审批意见"), max_length=200, blank=True, validators=[single_line]
    )
    attendance = models.CharField(
        _("出勤"), max_length=16, choices=Attendance.choices, blank=True, default=""
    )
    attendance_method = models.CharField(
        _("登记方式"), max_length=10, choices=Method.choices, blank=True, default=""
    )
    attendance_at = models.DateTimeField(_("签到/登记时间"), null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["member__stroke_key", "id"]
        verbose_name = _("参加人员")
        verbose_name_plural = _("参加人员")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], name="one_invitation_per_member"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "activity"], name="invitation_member_idx"),
            # The admin index's "leave to decide": the few requests waiting, found without
            # reading every invitation of the district (a partial index of those rows).
            models.Index(
                fields=["activity"],
                condition=Q(leave_status="requested"),
                name="invitation_leave_waiting_idx",
            ),
        ]

    def __str__(self):
        # The member only: admin inlines print each row's str, and hundreds of rows must
        # not each load their activity.
        return str(self.member)

    @property
    def is_recorded(self) -> bool:
        return bool(self.attendance)

    @property
    def reply_display(self) -> str:
        if self.reply == self.Reply.LEAVE and self.leave_status:
            return f"{self.get_reply_display()}（{self.get_leave_status_display()}）"
        return str(self.get_reply_display())

    # What the member reads in the portal (WORDING.md), not the staff's 准假／不准假.
    MEMBER_REPLY_LABELS = {
        Reply.PENDING: _("待您回复"),
        Reply.ATTENDING: _("参加"),
    }
    MEMBER_LEAVE_LABELS = {
        Leave.NONE: _("已请假"),
        Leave.REQUESTED: _("已请假，待联络处同意"),
        Leave.APPROVED: _("已同意请假"),
        Leave.REFUSED: _("未同意请假"),
    }
    MEMBER_ATTENDANCE_LABELS = {
        Attendance.ATTENDED: _("出席"),
        Attendance.LEAVE_APPROVED: _("已同意请假"),
        Attendance.LEAVE_REFUSED: _("缺席"),
        Attendance.ABSENT: _("缺席"),
    }

    @property
    def member_reply_label(self) -> str:
        if self.reply == self.Reply.LEAVE:
            return str(self.MEMBER_LEAVE_LABELS.get(self.leave_status, _("已请假")))
        return str(self.MEMBER_REPLY_LABELS.get(self.reply, self.get_reply_display()))

    @property
    def member_attendance_label(self) -> str:
        return str(
            self.MEMBER_ATTENDANCE_LABELS.get(self.attendance, self.get_attendance_display())
        )


# Points rules (members.points) by attendance. A refused leave request followed by
# absence is an absence without approved leave, so it costs the same as one (DOMAIN.md:
# "unexcused absence −2").
ATTENDANCE_POINTS = {
    Invitation.Attendance.ATTENDED: "activity_attended",
    Invitation.Attendance.ABSENT: "absent_without_leave",
    Invitation.Attendance.LEAVE_REFUSED: "absent_without_leave",
}


class Opinion(models.Model):
    """An opinion or suggestion collected at an activity (意见建议), from a member in the
    portal or recorded by staff; staff turn it into a concern or a proposal draft."""

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        CONCERN = "concern", _("已转意见建议办理")
        PROPOSAL = "proposal", _("已转提案草稿")
        NOTED = "noted", _("已阅存")

    MEMBER_LABELS = {
        Status.NEW: _("已收到"),
        Status.CONCERN: _("已转为意见建议办理"),
        Status.PROPOSAL: _("已整理为提案草稿"),
        Status.NOTED: _("已收阅"),
    }

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="opinions"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("提出委员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_opinions",
        help_text=_("领导或列席人员提出的可留空。"),
    )
    title = models.CharField(_("标题"), max_length=200, blank=True, validators=[single_line])
    content = LimitedTextField(_("意见建议"), max_length=limits.TEXT)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("转成的提案"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_opinions",
    )
    concern = models.ForeignKey(
        "visits.Concern",
        verbose_name=_("转成的意见建议"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_opinions",
    )
    handling_note = LimitedTextField(_("处理说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("活动意见建议")
        verbose_name_plural = _("活动意见建议")

    def __str__(self):
        return self.title or self.content[:30]

    @property
    def member_status_label(self) -> str:
        return str(self.MEMBER_LABELS.get(self.status, self.get_status_display()))

    @property
    def summary(self) -> str:
        return self.title or self.content[:40]


class ActivityOutput(models.Model):
    """What a theme activity produced: 5,000 brochures, a supervision mechanism …"""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="outputs"
    )
    item = models.CharField(_("成果"), max_length=200, validators=[single_line])
    quantity = models.DecimalField(
        _("数量"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True, validators=[single_line])
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("活动成果")
        verbose_name_plural = _("活动成果")

    def __str__(self):
        if self.quantity is None:
            return self.item
        quantity = self.quantity.normalize() if self.quantity % 1 else int(self.quantity)
        return f"{self.item} {quantity:,}{self.unit}"


class Donation(models.Model):
    """Money and goods given at a donation activity (捐资捐物), by a member or a unit."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="donations"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("捐赠委员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_donations",
    )
    donor = models.CharField(
        _("捐赠单位或个人"),
        max_length=100,
        blank=True,
        help_text=_("非委员捐赠时填写。"),
        validators=[single_line],
    )
    recipient = models.CharField(_("受赠对象"), max_length=200, validators=[single_line])
    money = models.DecimalField(
        _("捐款（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    goods = models.CharField(_("捐赠物资"), max_length=200, blank=True, validators=[single_line])
    goods_value = models.DecimalField(
        _("物资折价（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        constraints = [
            models.CheckConstraint(
                condition=Q(money__isnull=False) | ~Q(goods=""), name="donation_gives_something"
            ),
        ]

    def __str__(self):
        return f"{self.donor_display} → {self.recipient}"

    @property
    def donor_display(self) -> str:
        return str(self.member) if self.member_id else self.donor


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        _("照片"), upload_to="briefings/photos/%Y/", validators=[validate_photo]
    )
    caption = models.CharField(_("说明"), max_length=200, blank=True, validators=[single_line])
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")

    def __str__(self):
        return self.caption or self.image.name
