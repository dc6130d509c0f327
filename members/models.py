"""The roster: members (政协委员) and their lookups, contributions, and history."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import limits
from liaison.limits import LimitedTextField, plausible_date, single_line
from liaison.models import KeptCountsMixin, Lookup, Notification, Office
from liaison.uploads import validate_document

from .strokes import stroke_sort_key
from .validators import validate_photo_size

Channel = Notification.Channel
DELIVERY_CHOICES = [
    (Channel.SMS, _("短信")),
    (Channel.EMAIL, _("电子邮件")),
    (Channel.PORTAL, _("只在平台查看")),
]
DELIVERY_FIELDS = ("receive_invitations", "receive_deadlines", "receive_birthdays", "receive_news")


class Sector(Lookup):
    """界别 — the sector a member represents (中共, 民革, 经济界 …)."""

    class Meta(Lookup.Meta):
        verbose_name = _("界别")
        verbose_name_plural = _("界别")


class Affiliation(Lookup):
    """政治面貌 — political affiliation (中共党员, 民革党员 …, 群众)."""

    class Meta(Lookup.Meta):
        verbose_name = _("政治面貌")
        verbose_name_plural = _("政治面貌")


class Term(models.Model):
    """届次 — a term of the district CPPCC committee, e.g. 第十一届 (2021–2026)."""

    name = models.CharField(_("届次"), max_length=20, unique=True, validators=[single_line])
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    end_year = models.PositiveSmallIntegerField(_("结束年份"))
    is_current = models.BooleanField(_("本届"), default=False)

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("届次")
        verbose_name_plural = _("届次")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_term"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.start_year}—{self.end_year}）"


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Role(models.TextChoices):
        STANDING = "standing", _("常委")
        MEMBER = "member", _("委员")
        SECTOR_CONVENER = "convener", _("界别召集人")
        GROUP_LEADER = "group_leader", _("活动组组长")

    class Status(models.TextChoices):
        SERVING = "serving", _("在任")
        TERM_ENDED = "term_ended", _("届满")
        DECEASED = "deceased", _("已故")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="members"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )
    # Official fields: kept by the office; the member sees them read-only in the portal.
    name = models.CharField(_("姓名"), max_length=50, validators=[single_line])
    stroke_key = models.CharField(_("笔画排序键"), max_length=200, editable=False, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族", validators=[single_line])
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, validators=[plausible_date])
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True, validators=[single_line])
    education = models.CharField(_("学历"), max_length=30, blank=True, validators=[single_line])
    photo = models.ImageField(
        _("照片"),
        upload_to="members/photos/%Y/",
        blank=True,
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png", "webp"]),
            validate_photo_size,
        ],
    )
    member_no = models.CharField(
        _("委员编号"), max_length=30, unique=True, validators=[single_line]
    )
    term = models.ForeignKey(Term, verbose_name=_("届次"), on_delete=models.PROTECT)
    terms_served = models.CharField(
        _("连任届次"), max_length=100, blank=True, validators=[single_line]
    )
    sector = models.ForeignKey(Sector, verbose_name=_("界别"), on_delete=models.PROTECT)
    affiliation = models.ForeignKey(
        Affiliation, verbose_name=_("政治面貌"), on_delete=models.PROTECT
    )
    role = models.CharField(_("政协职务"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True, validators=[single_line])
    position = models.CharField(_("职务"), max_length=100, blank=True, validators=[single_line])
    professional_title = models.CharField(
        _("职称"), max_length=50, blank=True, validators=[single_line]
    )
    honours = LimitedTextField(_("荣誉"), blank=True, max_length=limits.TEXT)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SERVING
    )
    # Contact fields: the member may correct these in the portal.
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True, validators=[single_line])
    office_phone = models.CharField(
        _("办公电话"), max_length=30, blank=True, validators=[single_line]
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    wechat = models.CharField(_("微信号"), max_length=50, blank=True, validators=[single_line])
    home_address = models.CharField(
        _("家庭住址"), max_length=200, blank=True, validators=[single_line]
    )
    work_address = models.CharField(
        _("单位地址"), max_length=200, blank=True, validators=[single_line]
    )
    notes = LimitedTextField(_("备注（仅工作人员可见）"), blank=True, max_length=limits.TEXT)
    # How the member wants each kind of message (members/notifications.py): by SMS,
    # e-mail or only in the portal. Set by the member in the portal, or by staff.
    receive_invitations = models.CharField(
        _("活动邀请"), max_length=10, choices=DELIVERY_CHOICES, default=Channel.SMS
    )
    receive_deadlines = models.CharField(
        _("截止提醒和反馈请求"), max_length=10, choices=DELIVERY_CHOICES, default=Channel.SMS
    )
    receive_birthdays = models.CharField(
        _("生日祝福"), max_length=10, choices=DELIVERY_CHOICES, default=Channel.SMS
    )
    receive_news = models.CharField(
        _("工作动态和其他消息"), max_length=10, choices=DELIVERY_CHOICES, default=Channel.EMAIL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["stroke_key", "updated_at"])

    class Meta:
        ordering = ["stroke_key", "member_no"]
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        constraints = [
            # Members sign in with their mobile number, so it must name one member.
            models.UniqueConstraint(
                fields=["mobile"], condition=~Q(mobile=""), name="unique_member_mobile"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status", "stroke_key"], name="member_roster_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Derived from the member's own name; lets the database sort the official list.
        self.stroke_key = stroke_sort_key(self.name)
        super().save(*args, **kwargs)

    @property
    def is_serving(self) -> bool:
        return self.status == self.Status.SERVING

    def missing_contact(self) -> list[str]:
        """What the office still lacks to reach this member (DOMAIN.md: members are
        reached by SMS and WeChat more than by e-mail, and visited at home or at work):
        a mobile number, a second channel (e-mail or WeChat), and an address. Empty when
        the profile is complete."""
        missing = []
        if not self.mobile:
            missing.append(_("手机号码"))
        if not (self.email or self.wechat):
            missing.append(_("电子邮箱或微信号"))
        if not (self.home_address or self.work_address):
            missing.append(_("家庭住址或单位地址"))
        return missing


class ActivityGroup(models.Model):
    """An activity group (活动组) of an office: members who meet and take part in
    activities together under a leader (活动组组长, DOMAIN.md "CPPCC role"). Staff pick
    a group whole when inviting members or consulting them."""

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="activity_groups"
    )
    name = models.CharField(_("活动组名称"), max_length=50, validators=[single_line])
    leader = models.ForeignKey(
        Member,
        verbose_name=_("组长"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_groups",
    )
    members = models.ManyToManyField(
        Member, verbose_name=_("组员"), blank=True, related_name="activity_groups"
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["office", "position", "id"]
        verbose_name = _("活动组")
        verbose_name_plural = _("活动组")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="unique_group_name"),
        ]

    def __str__(self):
        return self.name


class Contribution(models.Model):
    """A member's service to the regional economy and people's livelihood (DOMAIN.md,
    "Three services"): an enterprise brought in, tax paid for a year, an award, a
    donation."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("引进企业")
        TAX = "tax", _("纳税贡献")
        AWARD = "award", _("获得荣誉")
        DONATION = "donation", _("捐资捐物")
        OTHER = "other", _("其他")

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="contributions"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(1949)])
    title = models.CharField(_("事项"), max_length=200, validators=[single_line])
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    description = LimitedTextField(_("说明"), blank=True, max_length=limits.TEXT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("委员贡献")
        verbose_name_plural = _("委员贡献")
        indexes = [
            models.Index(fields=["year", "kind"], name="contribution_year_kind_idx"),
            # The admin's list in its order (newest year first).
            models.Index(fields=["-year", "id"], name="contribution_list_idx"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} {self.title}"


class PointRule(models.Model):
    """The configurable rules table for duty points (履职积分, DOMAIN.md): what each kind
    of duty is worth and the most it can earn in a year. Staff edit it in the admin."""

    class Kind(models.TextChoices):
        ACTIVITY_ATTENDED = "activity_attended", _("参加活动")
        ABSENT_WITHOUT_LEAVE = "absent_without_leave", _("无故缺席")
        PROPOSAL_LEAD = "proposal_lead", _("提案立案（领衔）")
        PROPOSAL_COSIGNER = "proposal_cosigner", _("提案立案（附议）")
        PROPOSAL_KEY = "proposal_key", _("重点提案")
        PROPOSAL_EXCELLENT = "proposal_excellent", _("优秀提案")
        OPINION_ADOPTED_STREET = "opinion_adopted_street", _("社情民意被街道采用")
        OPINION_ADOPTED_DISTRICT = "opinion_adopted_district", _("社情民意被区级采用")
        OPINION_ADOPTED_CITY = "opinion_adopted_city", _("社情民意被市级采用")
        OPINION_ADOPTED_PROVINCE = "opinion_adopted_province", _("社情民意被省级采用")
        OPINION_ADOPTED_NATIONAL = "opinion_adopted_national", _("社情民意被全国采用")
        SPEECH = "speech", _("大会发言")
        SPEECH_WRITTEN = "speech_written", _("书面发言")
        SPEECH_EXCHANGE = "speech_exchange", _("交流发言")
        SPEECH_ADOPTED = "speech_adopted", _("发言被采用或刊发")
        RESEARCH = "research", _("参加调研视察")
        CONTRIBUTION = "contribution", _("服务发展贡献")
        CONSULTATION_ADOPTED = "consultation_adopted", _("征求意见被采纳")

    kind = models.CharField(_("类别"), max_length=30, choices=Kind.choices)
    points = models.SmallIntegerField(_("分值"))
    unit = models.CharField(_("计分单位"), max_length=20, default="每次", validators=[single_line])
    yearly_cap = models.PositiveSmallIntegerField(
        _("年度上限"), null=True, blank=True, help_text=_("留空表示不设上限。")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # A change is a new row from its date: entries already written keep their points and
    # earlier years are counted and shown under the rule of their time.
    valid_from = models.DateField(
        _("生效日期"),
        default=datetime.date(2000, 1, 1),
        validators=[plausible_date],
        help_text=_("此后发生的履职按本规则计分；此前的积分记录不受影响。"),
    )
    valid_to = models.DateField(_("失效日期"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-valid_from"]
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="one_point_rule_per_day")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points:+d}"

    def applies_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class PointEntry(models.Model):
    """One line of a member's points ledger, with the record that earned it.

    The unique constraint makes awarding for the same source twice a no-op, so the
    services that award points are safe to re-run."""

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="point_entries"
    )
    kind = models.CharField(_("类别"), max_length=30, choices=PointRule.Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.SmallIntegerField(_("分值"))
    occurred_on = models.DateField(_("发生日期"), validators=[plausible_date])
    description = models.CharField(_("说明"), max_length=200, blank=True, validators=[single_line])
    source_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    # Entries staff add by hand carry the evidence and no source record.
    evidence = models.FileField(
        _("证明材料"),
        upload_to="members/points/%Y/",
        blank=True,
        max_length=200,
        validators=[validate_document],
    )
    # A revoked entry stays in the ledger, struck out with its reason, and counts nowhere.
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.CharField(
        _("撤销原因"), max_length=200, blank=True, validators=[single_line]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "source_type", "source_id"],
                name="one_point_entry_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "year"], name="points_member_year_idx"),
            # The admin's ledger, newest first (its order): the newest 50 are read along
            # it without sorting every entry.
            models.Index(fields=["-occurred_on", "-id"], name="points_newest_idx"),
        ]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.points:+d}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_manual(self) -> bool:
        return self.source_type_id is None


class DutyYear(models.Model):
    """An office's assessment year of the duty record (履职考核年度, DOMAIN.md "Member
    duty record and points"). While it is open the portal and the documents show points
    and progress against the minimums, never a grade; staff close it once the year's
    records are in, after which the grades are final and shown. Reopening (a record
    came in late) needs a reason, kept on the timeline. No row: the year is open."""

    class Status(models.TextChoices):
        OPEN = "open", _("考核中")
        CLOSED = "closed", _("已结束考核")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="duty_years"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("结束考核时间"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束考核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "office"]
        verbose_name = _("履职考核年度")
        verbose_name_plural = _("履职考核年度")
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="one_duty_year_per_office")
        ]

    def __str__(self):
        return _("%(year)s年度履职考核") % {"year": self.year}

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class DutyClaim(models.Model):
    """A duty the member performed outside the office's own records and reports in the
    portal (委员履职申报, DOMAIN.md: members "report duties themselves (with evidence) for
    staff to approve"): an inspection with another body, a contribution to regional
    development, a public-welfare activity, a speech elsewhere. Approved, it earns the
    points the rules give its kind; an approved contribution also becomes the member's
    ``Contribution``."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("参加视察调研")
        CONTRIBUTION = "contribution", _("服务发展贡献")
        WELFARE = "welfare", _("参加公益活动")
        SPEECH = "speech", _("在其他会议发言")

    # The points kind each claim kind earns once approved.
    POINT_KINDS = {
        Kind.INSPECTION: PointRule.Kind.RESEARCH,
        Kind.CONTRIBUTION: PointRule.Kind.CONTRIBUTION,
        Kind.WELFARE: PointRule.Kind.ACTIVITY_ATTENDED,
        Kind.SPEECH: PointRule.Kind.SPEECH,
    }

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已认定")
        RETURNED = "returned", _("已退回")

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="duty_claims"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("事项"), max_length=200, validators=[single_line])
    occurred_on = models.DateField(_("日期"), validators=[plausible_date])
    description = LimitedTextField(_("情况说明"), max_length=limits.TEXT)
    evidence = models.FileField(
        _("证明材料"),
        upload_to="members/claims/%Y/",
        max_length=200,
        validators=[validate_document],
    )
    contribution_kind = models.CharField(
        _("贡献类别"), max_length=12, choices=Contribution.Kind.choices, blank=True
    )
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    return_reason = models.CharField(
        _("退回原因"), max_length=200, blank=True, validators=[single_line]
    )
    contribution = models.ForeignKey(
        Contribution,
        verbose_name=_("委员贡献"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("委员履职申报")
        verbose_name_plural = _("委员履职申报")

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.title}"

    @property
    def point_kind(self) -> str:
        return self.POINT_KINDS[self.kind]


class StudyMaterial(KeptCountsMixin, models.Model):
    """A document or link in the office's materials library (参阅资料, DOMAIN.md "Member
    quality": study): published to every member of the office, to one term's members,
    or to some 界别. A member's opening it in the portal leaves a read mark
    (``StudyRead``); they may hand in a reflection (``StudyReflection``)."""

    class Audience(models.TextChoices):
        ALL = "all", _("本联络处全体委员")
        TERM = "term", _("某一届次的委员")
        SECTORS = "sectors", _("部分界别的委员")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="study_materials"
    )
    title = models.CharField(_("标题"), max_length=200, validators=[single_line])
    summary = LimitedTextField(_("内容提要"), blank=True, max_length=limits.TEXT)
    file = models.FileField(
        _("文件"),
        upload_to="members/study/%Y/",
        blank=True,
        max_length=200,
        validators=[validate_document],
    )
    url = models.URLField(_("链接"), blank=True, max_length=500)
    audience = models.CharField(
        _("发布范围"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, null=True, blank=True
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("界别"), blank=True)
    published_on = models.DateField(_("发布日期"), validators=[plausible_date])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # What the materials list shows, kept on the row (a district's read marks grow with
    # its members): written only by ``members.services.refresh_study_counts``, which the
    # services that add read marks and reflections call, and a member's deletion.
    read_count = models.PositiveIntegerField(_("已阅人数"), default=0, editable=False)
    reflection_count = models.PositiveIntegerField(_("学习体会"), default=0, editable=False)
    kept_counts = ("read_count", "reflection_count")
    history = HistoricalRecords(excluded_fields=list(kept_counts))

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = _("参阅资料")
        verbose_name_plural = _("参阅资料")
        indexes = [
            models.Index(fields=["office", "-published_on"], name="study_material_office_idx")
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if not self.file and not self.url:
            raise ValidationError(_("请上传文件或填写链接。"))
        if self.audience == self.Audience.TERM and not self.term_id:
            raise ValidationError({"term": _("按届次发布时请选择届次。")})


class StudyRead(models.Model):
    """A member opened a material in the portal (已阅): the first time is kept."""

    material = models.ForeignKey(
        StudyMaterial, verbose_name=_("参阅资料"), on_delete=models.CASCADE, related_name="reads"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="study_reads"
    )
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        constraints = [
            models.UniqueConstraint(fields=["material", "member"], name="one_study_read")
        ]
        indexes = [models.Index(fields=["member", "read_at"], name="study_read_member_idx")]

    def __str__(self):
        return f"{self.member}《{self.material}》"


class StudyReflection(models.Model):
    """A member's reflection on a material (学习体会), handed in from the portal: text,
    and a file if they wrote it elsewhere. One per member and material; handing in
    again replaces it."""

    material = models.ForeignKey(
        StudyMaterial,
        verbose_name=_("参阅资料"),
        on_delete=models.CASCADE,
        related_name="reflections",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="study_reflections"
    )
    text = LimitedTextField(_("学习体会"), max_length=limits.TEXT)
    file = models.FileField(
        _("附件"),
        upload_to="members/reflections/%Y/",
        blank=True,
        max_length=200,
        validators=[validate_document],
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("学习体会")
        verbose_name_plural = _("学习体会")
        constraints = [
            models.UniqueConstraint(fields=["material", "member"], name="one_study_reflection")
        ]
        indexes = [
            models.Index(fields=["member", "submitted_at"], name="study_reflection_member_idx"),
            # The admin's list, newest first across a district's offices.
            models.Index(fields=["-submitted_at", "-id"], name="study_reflection_newest_idx"),
        ]

    def __str__(self):
        return f"{self.member}《{self.material}》"


class VerificationCode(models.Model):
    """An SMS verification code (短信验证码) for signing in, resetting a password or
    confirming the mobile number on activation (members/verification.py).

    The row is written by the request, for registered and unknown numbers alike; the
    worker makes the code and sends it (``code_hash`` stays empty until then, and for a
    number nobody has). Only a keyed hash of the code is kept.
    """

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("短信验证码登录")
        RESET = "reset", _("重设密码")
        ACTIVATE = "activate", _("激活账号")

    mobile = models.CharField(_("手机号码"), max_length=20, validators=[single_line])
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("输错次数"), default=0)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [
            models.Index(
                fields=["mobile", "purpose", "-created_at"], name="verification_lookup_idx"
            )
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class AccountInvitation(models.Model):
    """An invitation to activate a portal account (开通委员平台账号): a one-time
    activation code, sent by SMS (and e-mail) or printed on a letter, that opens the
    activation page. Only a keyed hash of the code is kept; a new invitation for the
    member revokes the earlier ones."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("邮件")
        LETTER = "letter", _("激活信")

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="invitations"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("发送方式"), max_length=10, choices=Channel.choices)
    # The outbox row that carries it (SMS, or e-mail when there is no mobile): staff see
    # from it whether the message went out.
    notification = models.ForeignKey(
        "liaison.Notification",
        verbose_name=_("发送记录"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开通人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("账号邀请")
        verbose_name_plural = _("账号邀请")
        indexes = [
            models.Index(fields=["member", "-created_at"], name="account_invitation_member_idx")
        ]

    def __str__(self):
        return f"{self.member} {self.created_at:%Y-%m-%d}"


class AccountReach(models.Model):
    """One office's figures for the admin index's 委员平台账号 panel, kept rather than
    counted on each view, so the index reads one row per office however large the
    roster (issue 16). Recounted for an office when a write touches its accounts
    (``stale``: members.signals) and for every office every ten minutes by the worker
    (members.tasks.count_account_reach), which also moves members into 久未登录 as the
    days pass and counts the month's text messages."""

    office = models.OneToOneField(
        Office, primary_key=True, on_delete=models.CASCADE, related_name="account_reach"
    )
    active = models.PositiveIntegerField(_("已激活"), default=0)
    invited = models.PositiveIntegerField(_("待激活"), default=0)
    without = models.PositiveIntegerField(_("未开通"), default=0)
    dormant = models.PositiveIntegerField(_("久未登录"), default=0)
    sms_sent = models.PositiveIntegerField(_("本月短信已发送"), default=0)
    sms_failed = models.PositiveIntegerField(_("本月短信发送失败"), default=0)
    counted_at = models.DateTimeField(_("统计时间"))
    stale = models.BooleanField(_("待重新统计"), default=False)

    class Meta:
        verbose_name = _("委员平台账号统计")
        verbose_name_plural = _("委员平台账号统计")

    def __str__(self):
        return f"{self.office} {self.counted_at:%Y-%m-%d %H:%M}"
