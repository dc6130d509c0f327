"""Consultation before street decisions (征求意见, DOMAIN.md "协商议事"): before the
street party working committee issues an important decision, the office asks its
members for their opinions by a deadline, compiles them for the committee and tells
each member what became of their opinion. The moves live in consultations/workflows.py.

The audience is chosen when the consultation is drafted (all serving members of the
office, some 界别, or chosen members) and written out as ``Recipient`` rows when it
opens: who was consulted is then a fact that later roster changes do not rewrite, and
"who has not answered yet" is one query for the reminders and the answer rate."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import limits
from liaison.limits import LimitedTextField, plausible_date, single_line
from liaison.models import Office, today
from liaison.uploads import validate_document
from members.models import ActivityGroup, Member, Sector

WEEKDAYS = "一二三四五六日"


def long_date(day) -> str:
    """2026年5月8日（星期五）: how messages and prose write a date (WORDING.md)."""
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


class Consultation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("征求中")
        CLOSED = "closed", _("已截止")
        COMPILED = "compiled", _("已汇总")
        SUBMITTED = "submitted", _("已报送")
        FED_BACK = "fed_back", _("已反馈")

    class Audience(models.TextChoices):
        ALL = "all", _("本联络处全体在任委员")
        SECTORS = "sectors", _("按界别")
        GROUPS = "groups", _("按活动组")
        CHOSEN = "chosen", _("指定委员")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = models.CharField(_("征求意见事项"), max_length=200, validators=[single_line])
    summary = LimitedTextField(
        _("事项说明"),
        max_length=limits.TEXT,
        help_text=_("拟出台决策的背景、主要内容和需要委员重点关注的问题。"),
    )
    requested_by = models.CharField(
        _("提请单位"),
        max_length=100,
        blank=True,
        default="街道党工委",
        validators=[single_line],
        help_text=_("通常由街道党工委或街道办事处提请。"),
    )
    meeting = models.ForeignKey(
        "briefings.Activity",
        verbose_name=_("协商议事会"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        help_text=_("可选：围绕本事项召开的协商议事活动，会上意见一并录入本次征求意见。"),
    )
    audience = models.CharField(
        _("征求对象"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("界别"), blank=True)
    groups = models.ManyToManyField(
        ActivityGroup, verbose_name=_("活动组"), blank=True, related_name="consultations"
    )
    chosen_members = models.ManyToManyField(
        Member, verbose_name=_("指定委员"), blank=True, related_name="+"
    )
    deadline = models.DateField(_("截止日期"), validators=[plausible_date])
    reminder_working_days = models.PositiveSmallIntegerField(
        _("截止前提醒（工作日）"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("截止前多少个工作日提醒尚未反馈意见的委员；截止当天另有一次提醒。"),
    )
    anonymous = models.BooleanField(
        _("汇总时隐去提出人"),
        default=False,
        help_text=_("勾选后，汇总报告不列出意见提出人的姓名。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    opened_at = models.DateTimeField(_("发出时间"), null=True, blank=True)
    # How many recipients it has (services.consultation_open and answer_record keep it):
    # the district's numbers sum this, not 200,000 recipient rows.
    recipient_count = models.PositiveIntegerField(_("征求对象人数"), default=0, editable=False)
    compiled_summary = LimitedTextField(_("意见汇总"), blank=True, max_length=limits.DOCUMENT)
    recommendations = LimitedTextField(_("联络处建议"), blank=True, max_length=limits.TEXT)
    submitted_on = models.DateField(
        _("报送日期"), null=True, blank=True, validators=[plausible_date]
    )
    decision = LimitedTextField(
        _("决策结果"),
        blank=True,
        max_length=limits.TEXT,
        help_text=_("街道党工委或街道办事处最终作出的决定，以及对委员意见的采纳情况。"),
    )
    decided_on = models.DateField(_("决策日期"), null=True, blank=True, validators=[plausible_date])
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
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        indexes = [models.Index(fields=["office", "status", "deadline"], name="consult_office_idx")]

    def __str__(self):
        return self.title

    @property
    def accepts_answers(self) -> bool:
        return self.status == self.Status.OPEN and today() <= self.deadline


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("意见建议（文字）")
        SINGLE = "single", _("单选")
        MULTIPLE = "multiple", _("多选")

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("征求意见"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    kind = models.CharField(_("题型"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    text = models.CharField(_("问题"), max_length=300, validators=[single_line])
    options = LimitedTextField(
        _("选项"),
        blank=True,
        max_length=limits.NOTE,
        help_text=_("单选、多选题：每行一个选项。"),
    )
    required = models.BooleanField(_("必答"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题")

    def __str__(self):
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind != self.Kind.TEXT

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options or "").splitlines() if line.strip()]


class ConsultationDocument(models.Model):
    """A draft of the decision or a background paper members read before answering."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("征求意见"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("名称"), max_length=200, validators=[single_line])
    file = models.FileField(
        _("文件"), upload_to="consultations/documents/%Y/", validators=[validate_document]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("征求意见稿")
        verbose_name_plural = _("征求意见稿")

    def __str__(self):
        return self.title


class Recipient(models.Model):
    """A member consulted: written when the consultation opens."""

    consultation = models.ForeignKey(
        Consultation,
        verbose_name=_("征求意见"),
        on_delete=models.CASCADE,
        related_name="recipients",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="consultations"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("征求对象")
        verbose_name_plural = _("征求对象")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "member"], name="one_recipient_row"),
        ]

    def __str__(self):
        return str(self.member)


class Expert(models.Model):
    """An invited expert who is not a member (a planner, a lawyer, a resident
    representative): answers through a signed link e-mailed to them, like a handling
    unit (consultations/expert_links.py)."""

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("征求意见"), on_delete=models.CASCADE, related_name="experts"
    )
    name = models.CharField(_("姓名"), max_length=50, validators=[single_line])
    organisation = models.CharField(
        _("单位及职务"), max_length=100, blank=True, validators=[single_line]
    )
    email = models.EmailField(_("电子邮箱"))
    invited_at = models.DateTimeField(_("邀请发出时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("特邀专家")
        verbose_name_plural = _("特邀专家")

    def __str__(self):
        return f"{self.name}（{self.organisation}）" if self.organisation else self.name


class AnswerQuerySet(models.QuerySet):
    def given(self):
        """Answers to the questions (in the portal, on paper, by experts, recorded by
        staff), not the opinions that flowed in from the consultation meeting."""
        return self.exclude(source=Answer.Source.ACTIVITY)


class Answer(models.Model):
    """One member's opinion on a consultation (given in the portal, or on paper or at
    the meeting and recorded by staff), or an opinion voiced at the meeting by someone
    who is not a member (``speaker``)."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("平台填写")
        PAPER = "paper", _("书面意见（工作人员代录）")
        EXPERT = "expert", _("特邀专家（邮件链接）")
        MEETING = "meeting", _("协商议事会上发言（工作人员录入）")
        # An opinion recorded at the consultation meeting (briefings.Opinion), flowed in
        # on its own: not the member's answer to the questions (they may still give one).
        ACTIVITY = "activity", _("协商议事会意见（自动汇入）")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("采纳")
        PARTLY = "partly", _("部分采纳")
        NOTED = "noted", _("留作参考")

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("征求意见"), on_delete=models.CASCADE, related_name="answers"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("委员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_answers",
    )
    expert = models.ForeignKey(
        Expert,
        verbose_name=_("特邀专家"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
    )
    speaker = models.CharField(
        _("发言人"),
        max_length=100,
        blank=True,
        validators=[single_line],
        help_text=_("非委员在协商议事会上发言的，填写姓名和单位。"),
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=Source.choices, default=Source.PORTAL
    )
    meeting_opinion = models.ForeignKey(
        "briefings.Opinion",
        verbose_name=_("协商议事会意见"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consultation_answers",
    )
    attachment = models.FileField(
        _("附件"),
        upload_to="consultations/answers/%Y/",
        blank=True,
        validators=[validate_document],
    )
    outcome = models.CharField(_("采纳情况"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = LimitedTextField(_("采纳情况说明"), blank=True, max_length=limits.NOTE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("委员意见")
        verbose_name_plural = _("委员意见")
        constraints = [
            # One answer per member: a second one edits the first (DOMAIN: 一人一份).
            # What the member said at the consultation meeting is not that answer.
            models.UniqueConstraint(
                fields=["consultation", "member"],
                condition=Q(member__isnull=False) & ~Q(source="activity"),
                name="one_answer_per_member",
            ),
            models.UniqueConstraint(
                fields=["consultation", "meeting_opinion"],
                condition=Q(meeting_opinion__isnull=False),
                name="one_answer_per_meeting_opinion",
            ),
            models.UniqueConstraint(
                fields=["consultation", "expert"],
                condition=Q(expert__isnull=False),
                name="one_answer_per_expert",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(expert__isnull=False) | ~Q(speaker=""),
                name="answer_has_author",
            ),
        ]

    def __str__(self):
        return str(self.member or self.speaker)

    @property
    def from_meeting(self) -> bool:
        return self.source == self.Source.ACTIVITY

    @property
    def author(self) -> str:
        if self.member_id:
            return self.member.name
        if self.expert_id:
            return str(self.expert)
        return self.speaker


class AnswerItem(models.Model):
    """The answer to one question: the text, or the chosen options' positions; or an
    opinion from the consultation meeting (no question).

    A text is an opinion staff mark while compiling (issue 18 item 3): adopted into the
    summary, merged with another opinion of the same consultation (listed under it), or
    set aside with a reason (left out of the summary, counted). Merged opinions point at
    an opinion that is neither merged nor set aside, so the summary's groups are one
    level deep."""

    class Mark(models.TextChoices):
        NONE = "", _("未标注")
        ADOPT = "adopt", _("采入汇总")
        MERGE = "merge", _("与其他意见合并")
        SET_ASIDE = "set_aside", _("不采入汇总")

    answer = models.ForeignKey(
        Answer, verbose_name=_("委员意见"), on_delete=models.CASCADE, related_name="items"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("问题"),
        on_delete=models.CASCADE,
        related_name="items",
        null=True,
        blank=True,
    )
    text = LimitedTextField(_("意见"), blank=True, max_length=limits.TEXT)
    choices = models.JSONField(_("所选选项"), default=list, blank=True)
    mark = models.CharField(
        _("汇总标注"), max_length=10, choices=Mark.choices, blank=True, default=""
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入意见"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    set_aside_reason = models.CharField(
        _("不采入理由"), max_length=200, blank=True, validators=[single_line]
    )

    class Meta:
        ordering = ["question__position", "question_id"]
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        constraints = [
            models.UniqueConstraint(fields=["answer", "question"], name="one_item_per_question"),
            models.CheckConstraint(
                condition=Q(mark="merge", merged_into__isnull=False)
                | (~Q(mark="merge") & Q(merged_into__isnull=True)),
                name="merge_mark_names_its_target",
            ),
            models.CheckConstraint(
                condition=~Q(mark="set_aside") | ~Q(set_aside_reason=""),
                name="set_aside_mark_has_reason",
            ),
        ]

    def __str__(self):
        return self.text[:30]
