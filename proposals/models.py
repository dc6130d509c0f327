"""The office's written work: proposals (提案), social-condition and public-opinion
reports (社情民意信息) and research reports (调研报告). DOMAIN.md "Proposal workflow" and
"Public-opinion reports" are the specification; the moves live in proposals/workflows.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from liaison import limits, workdays
from liaison.limits import LimitedTextField, plausible_date, single_line
from liaison.models import HandlingUnit, Lookup, Office, today
from liaison.uploads import validate_document
from members.models import Member, Term


class ProposalCategory(Lookup):
    class Meta(Lookup.Meta):
        verbose_name = _("提案类别")
        verbose_name_plural = _("提案类别")


class ProposalConfig(models.Model):
    """Per-office rules staff may change without a deploy (DOMAIN.md: "configurable")."""

    office = models.OneToOneField(
        Office, verbose_name=_("联络处"), on_delete=models.CASCADE, related_name="proposal_config"
    )
    proposal_target = models.PositiveSmallIntegerField(_("年度提案目标（件）"), default=10)
    opinion_report_target = models.PositiveSmallIntegerField(_("年度社情民意目标（篇）"), default=6)
    handling_months = models.PositiveSmallIntegerField(_("办理期限（月）"), default=3)
    max_handling_months = models.PositiveSmallIntegerField(_("最长办理期限（月）"), default=6)
    return_window_working_days = models.PositiveSmallIntegerField(
        _("申请退回期限（工作日）"), default=5
    )
    feedback_working_days = models.PositiveSmallIntegerField(
        _("委员反馈期限（工作日）"), default=15
    )
    feedback_reminder_working_days = models.PositiveSmallIntegerField(
        _("反馈催办（工作日后）"), default=10
    )
    due_soon_working_days = models.PositiveSmallIntegerField(_("到期前提醒（工作日）"), default=7)
    rehandling_rounds = models.PositiveSmallIntegerField(_("不满意可重新办理次数"), default=1)
    allow_cross_office_cosigners = models.BooleanField(_("允许其他联络处委员附议"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("提案工作设置")
        verbose_name_plural = _("提案工作设置")

    def __str__(self):
        return str(self.office)

    @classmethod
    def for_office(cls, office) -> "ProposalConfig":
        """The office's settings, read once per office object (the reverse one-to-one
        caches them on it): a page asking for each of its rows costs one query."""
        try:
            return office.proposal_config
        except cls.DoesNotExist:
            office.proposal_config = cls.objects.get_or_create(office=office)[0]
            return office.proposal_config


class ProposalCounter(models.Model):
    """The last registration number used per office and year. Locked while a proposal is
    registered, so numbers are unique and gapless even under concurrent registration: a
    rolled-back registration rolls its increment back too."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="one_counter_per_office_year")
        ]

    def __str__(self):
        return f"{self.office} {self.year}: {self.last}"


SEARCH_COLUMNS = ("text_grams", "reply_grams", "similarity_grams", "similarity_norm")


class MemberStatusLabel:
    """The status as the member's portal words it (the model's ``MEMBER_LABELS``), else
    the status's own label."""

    MEMBER_LABELS: dict = {}

    @property
    def member_status_label(self) -> str:
        label = self.MEMBER_LABELS.get(self.status)
        return str(label) if label is not None else self.status_label

    @property
    def status_label(self) -> str:
        """``get_status_display()`` read off the choices' enum: the stock method hashes
        every label of the list each call, which a list of results pays per row."""
        try:
            return str(self.Status(self.status).label)
        except ValueError:  # as get_status_display(): a value outside the choices as is
            return self.status


class Proposal(MemberStatusLabel, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("退回修改")
        REGISTERED = "registered", _("已立案")
        NOT_REGISTERED = "not_registered", _("不予立案")
        MERGED = "merged", _("已并案")
        WITHDRAWN = "withdrawn", _("已撤回")
        ASSIGNED = "assigned", _("已交办")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        REPLIED = "replied", _("已答复")
        REHANDLING = "rehandling", _("重新办理")
        CLOSED = "closed", _("已办结")

    # What the member reads in the portal: their own words, not the office's workflow
    # (WORDING.md).
    MEMBER_LABELS = {
        Status.DRAFT: _("草稿"),
        Status.SUBMITTED: _("已收到，待审查"),
        Status.RETURNED: _("待您修改"),
        Status.REGISTERED: _("已立案"),
        Status.NOT_REGISTERED: _("不予立案"),
        Status.MERGED: _("已并案"),
        Status.WITHDRAWN: _("已撤回"),
        Status.ASSIGNED: _("办理中"),
        Status.ACKNOWLEDGED: _("办理中"),
        Status.REPLIED: _("已答复，待您评价"),
        Status.REHANDLING: _("重新办理中"),
        Status.CLOSED: _("已办结"),
    }

    class ProposerKind(models.TextChoices):
        INDIVIDUAL = "individual", _("个人提案")
        JOINT = "joint", _("联名提案")
        OFFICE = "office", _("联络处集体提案")

    class NotRegisteredGround(models.TextChoices):
        NOT_ONE_ISSUE = "not_one_issue", _("不符合一事一案")
        OUTSIDE_SCOPE = "outside_scope", _("不属于政协提案范围")
        PERSONAL = "personal", _("涉及个人或家庭私事")
        LITIGATION = "litigation", _("属于诉讼、仲裁、信访范围")
        LACKS_SUBSTANCE = "lacks_substance", _("内容空泛、缺少建议")
        ALREADY_SOLVED = "already_solved", _("问题已解决或正在解决")
        OTHER = "other", _("其他")

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="proposals"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    term = models.ForeignKey(Term, verbose_name=_("届次"), on_delete=models.PROTECT)
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True, editable=False)
    number = models.CharField(_("案号"), max_length=20, blank=True, editable=False)
    title = models.CharField(_("案由"), max_length=200, validators=[single_line])
    reasons = LimitedTextField(_("理由"), max_length=limits.TEXT)
    suggestions = LimitedTextField(_("建议办法"), max_length=limits.TEXT)
    category = models.ForeignKey(ProposalCategory, verbose_name=_("类别"), on_delete=models.PROTECT)
    proposer_kind = models.CharField(
        _("提案方式"),
        max_length=12,
        choices=ProposerKind.choices,
        default=ProposerKind.INDIVIDUAL,
    )
    lead_member = models.ForeignKey(
        Member,
        verbose_name=_("第一提案人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_proposals",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    is_key = models.BooleanField(_("重点提案"), default=False)
    supervising_leader = models.CharField(
        _("督办领导"), max_length=50, blank=True, validators=[single_line]
    )
    supervision_notes = LimitedTextField(_("督办情况"), blank=True, max_length=limits.TEXT)
    is_excellent = models.BooleanField(_("优秀提案"), default=False)
    # Outcome of review.
    return_reason = LimitedTextField(_("退回原因"), blank=True)
    not_registered_ground = models.CharField(
        _("不予立案理由"), max_length=20, choices=NotRegisteredGround.choices, blank=True
    )
    not_registered_note = LimitedTextField(_("不予立案说明"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入提案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
    )
    # The proposer's suggestion of who should handle it (issue 20): picked from the unit
    # list, or described in words when unsure. Staff see it when assigning (交办).
    suggested_lead_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("建议主办单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    suggested_co_units = models.ManyToManyField(
        HandlingUnit, verbose_name=_("建议会办单位"), blank=True, related_name="+"
    )
    suggested_units_note = models.CharField(
        _("建议承办单位说明"), max_length=200, blank=True, validators=[single_line]
    )
    # Open co-signing (附议, issue 20): once submitted, the proposer may let any serving
    # member of the office join as co-signer until this day, and never after 立案.
    open_cosign_until = models.DateField(
        _("开放附议截止日期"), null=True, blank=True, validators=[plausible_date]
    )
    # Disclosure (公开, issue 20): a registered proposal and its replies are shown on the
    # office's public page unless staff keep it private, with the reason why.
    is_public = models.BooleanField(_("公开"), default=True)
    not_public_reason = LimitedTextField(_("不公开理由"), blank=True)
    disclosure_changed_at = models.DateTimeField(
        _("公开设置时间"), null=True, blank=True, editable=False
    )
    # Handling.
    handling_round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    assigned_on = models.DateField(
        _("交办日期"), null=True, blank=True, validators=[plausible_date]
    )
    due_date = models.DateField(
        _("办理期限"), null=True, blank=True, db_index=True, validators=[plausible_date]
    )
    extension_reason = LimitedTextField(_("延期理由"), blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True, validators=[plausible_date])
    feedback_due_date = models.DateField(
        _("反馈期限"), null=True, blank=True, validators=[plausible_date]
    )
    # The rule that gave the feedback deadline: this many working days after this date,
    # kept so a change of the working-day calendar recomputes it exactly.
    feedback_counted_from = models.DateField(
        _("反馈期限起算日"), null=True, blank=True, editable=False
    )
    feedback_working_days = models.PositiveSmallIntegerField(
        _("反馈期限（工作日）"), null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
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
    # The precomputed text for search and the similar-proposal list (proposals.textindex):
    # written by its index functions only, never shown.
    text_grams = models.TextField(editable=False, blank=True, default="")
    reply_grams = models.TextField(editable=False, blank=True, default="")
    similarity_grams = models.TextField(editable=False, blank=True, default="")
    similarity_norm = models.FloatField(editable=False, default=0)
    history = HistoricalRecords(excluded_fields=["updated_at", *SEARCH_COLUMNS])

    class Meta:
        ordering = ["-year", "-serial", "-created_at"]
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "serial"],
                condition=Q(serial__isnull=False),
                name="unique_proposal_number_per_office_year",
            ),
            models.CheckConstraint(
                condition=Q(proposer_kind="office") | Q(lead_member__isnull=False),
                name="member_proposal_has_lead_member",
            ),
            models.CheckConstraint(
                condition=Q(is_public=True) | ~Q(not_public_reason=""),
                name="private_proposal_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "year", "status"], name="proposal_office_year_idx"),
            # The staff's to-dos (proposals.dashboard): the few proposals waiting for a
            # step, counted per office without reading the closed thousands.
            models.Index(
                fields=["office", "status", "due_date"],
                condition=Q(
                    status__in=["submitted", "registered", "assigned", "acknowledged", "rehandling"]
                ),
                name="proposal_todo_idx",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}" if self.number else self.title

    HANDLING_STATUSES = (Status.ASSIGNED, Status.ACKNOWLEDGED, Status.REHANDLING)
    # Waiting for staff or a unit (the to-dos): proposal_todo_idx's condition.
    WAITING_STATUSES = (Status.SUBMITTED, Status.REGISTERED, *HANDLING_STATUSES)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.HANDLING_STATUSES
            and self.due_date is not None
            and self.due_date < today()
        )

    @property
    def feedback_due_is_provisional(self) -> bool:
        """Counted in working days over a year whose holidays are not entered yet."""
        return self.feedback_due_date is not None and workdays.is_provisional(
            self.feedback_due_date
        )

    @property
    def is_open_for_cosigning(self) -> bool:
        return (
            self.status == self.Status.SUBMITTED
            and self.open_cosign_until is not None
            and self.open_cosign_until >= today()
        )

    @property
    def has_unit_suggestion(self) -> bool:
        return bool(
            self.suggested_lead_unit_id
            or self.suggested_units_note
            or (self.pk and len(self.suggested_co_units.all()))
        )

    @property
    def proposer_display(self) -> str:
        if self.proposer_kind == self.ProposerKind.OFFICE:
            return str(self.office)
        return str(self.lead_member) if self.lead_member_id else ""


class ProposalCosigner(models.Model):
    """A co-signer of a joint proposal. They confirm in the portal before the proposal
    can be submitted."""

    class Status(models.TextChoices):
        INVITED = "invited", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("已谢绝")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="cosigners"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("附议委员"), on_delete=models.PROTECT, related_name="cosignatures"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    # Kept when proposals are merged (并案): the proposers of both proposals stay named.
    via_merge = models.BooleanField(_("并案带入"), default=False)
    # Joined the proposal's open call for co-signers rather than being invited.
    via_open_call = models.BooleanField(_("主动附议"), default=False)
    responded_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("附议人")
        verbose_name_plural = _("附议人")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="one_cosign_per_member")
        ]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("附件"), upload_to="proposals/attachments/%Y/", validators=[validate_document]
    )
    name = models.CharField(_("文件名"), max_length=200, blank=True, validators=[single_line])
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提案附件")
        verbose_name_plural = _("提案附件")

    def __str__(self):
        return self.name or self.file.name


class Assignment(models.Model):
    """A proposal handed to one handling unit (交办): the lead unit (主办) or a
    co-handling unit (会办). The unit acts through its signed link."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("会办")

    class ReturnState(models.TextChoices):
        NONE = "", _("无")
        REQUESTED = "requested", _("申请退回")
        ACCEPTED = "accepted", _("同意退回")
        REFUSED = "refused", _("不同意退回")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("办理方式"), max_length=4, choices=Role.choices)
    assigned_on = models.DateField(_("交办日期"), validators=[plausible_date])
    is_active = models.BooleanField(_("有效"), default=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    return_state = models.CharField(
        _("退回申请"), max_length=10, choices=ReturnState.choices, blank=True, default=""
    )
    return_reason = LimitedTextField(_("退回理由"), blank=True)
    return_decided_note = LimitedTextField(_("退回处理意见"), blank=True)
    # A co-handling unit's opinion to the lead unit.
    co_opinion = LimitedTextField(_("会办意见"), blank=True)
    co_opinion_at = models.DateTimeField(_("会办意见时间"), null=True, blank=True)
    # Whether staff followed the proposer's suggestion for this role: None when the
    # proposer suggested no unit for it.
    follows_suggestion = models.BooleanField(_("按提案人建议"), null=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(role="lead", is_active=True),
                name="one_active_lead_unit",
            ),
        ]
        indexes = [models.Index(fields=["unit", "is_active"], name="assignment_unit_idx")]

    def __str__(self):
        return f"{self.unit} ({self.get_role_display()})"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


class Reply(models.Model):
    """A unit's answer (答复) with its grade. The proposal counts as replied when the lead
    unit has replied in the current round."""

    class Grade(models.TextChoices):
        A = "A", _("A类（已解决或采纳）")
        B = "B", _("B类（列入计划拟解决）")
        C = "C", _("C类（留作参考）")

    class Contact(models.TextChoices):
        VISIT = "visit", _("登门走访")
        MEETING = "meeting", _("座谈面商")
        PHONE = "phone", _("电话沟通")
        WRITTEN = "written", _("书面答复")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="replies"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.PROTECT, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    grade = models.CharField(_("答复类别"), max_length=1, choices=Grade.choices)
    content = LimitedTextField(_("答复内容"), max_length=limits.TEXT)
    letter = models.FileField(
        _("答复函"),
        upload_to="proposals/replies/%Y/",
        blank=True,
        validators=[validate_document],
    )
    contact_method = models.CharField(_("与提案人沟通方式"), max_length=10, choices=Contact.choices)
    replied_on = models.DateField(_("答复日期"), validators=[plausible_date])
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="one_reply_per_round")
        ]

    def __str__(self):
        return f"{self.assignment.unit} {self.get_grade_display()}"


class FollowUp(models.Model):
    """The follow-up of a reply graded B (列入计划拟解决, issue 20 item 5): the unit said
    when it would be done; it reports progress and completion through its signed link,
    and staff close the follow-up (办结), regrading the reply to A when it was solved."""

    class Status(models.TextChoices):
        OPEN = "open", _("跟踪落实中")
        REPORTED = "reported", _("单位已报完成")
        CLOSED = "closed", _("已落实办结")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    reply = models.OneToOneField(
        "Reply", verbose_name=_("答复"), on_delete=models.CASCADE, related_name="follow_up"
    )
    planned_on = models.DateField(_("计划完成日期"), validators=[plausible_date])
    status = models.CharField(
        _("落实情况"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    completed_on = models.DateField(
        _("完成日期"), null=True, blank=True, validators=[plausible_date]
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_note = LimitedTextField(_("办结说明"), blank=True)
    regraded = models.BooleanField(_("已改为A类"), default=False)
    created_at = models.DateTimeField(_("开始跟踪时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name = _("B类答复跟踪")
        verbose_name_plural = _("B类答复跟踪")
        indexes = [models.Index(fields=["status", "planned_on"], name="followup_status_idx")]

    def __str__(self):
        return f"{self.proposal} · {self.get_status_display()}"

    @property
    def unit(self):
        return self.reply.assignment.unit

    @property
    def is_late(self) -> bool:
        return self.status == self.Status.OPEN and self.planned_on < today()


class FollowUpReport(models.Model):
    """What the unit reported on a follow-up: progress, or that the work is done."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("进展情况")
        COMPLETION = "completion", _("完成情况")

    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("跟踪"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("报告类型"), max_length=10, choices=Kind.choices)
    content = LimitedTextField(_("报告内容"), max_length=limits.TEXT)
    reported_on = models.DateField(_("报告日期"), validators=[plausible_date])
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["reported_on", "pk"]
        verbose_name = _("落实情况报告")
        verbose_name_plural = _("落实情况报告")

    def __str__(self):
        return f"{self.get_kind_display()} {self.reported_on}"


class Feedback(models.Model):
    """The proposer's verdict on the answer (委员反馈)."""

    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="feedback"
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    member = models.ForeignKey(Member, verbose_name=_("反馈委员"), on_delete=models.PROTECT)
    verdict = models.CharField(_("评价"), max_length=12, choices=Verdict.choices)
    comments = LimitedTextField(_("意见"), blank=True)
    given_at = models.DateTimeField(_("反馈时间"), auto_now_add=True)

    class Meta:
        ordering = ["round"]
        verbose_name = _("委员反馈")
        verbose_name_plural = _("委员反馈")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="one_feedback_per_round")
        ]

    def __str__(self):
        return f"{self.proposal} {self.get_verdict_display()}"


class OpinionReport(MemberStatusLabel, models.Model):
    """社情民意信息: one issue per report — situation, analysis, suggestion."""

    LENGTH_WARNING = 1500

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        NOT_USED = "not_used", _("未采用")
        EDITED = "edited", _("已编辑")
        APPROVED = "approved", _("已审核")
        ISSUED = "issued", _("已签发")
        FORWARDED = "forwarded", _("已报送")

    # What the member reads in the portal (WORDING.md): not the editing workflow.
    MEMBER_LABELS = {
        Status.DRAFT: _("草稿"),
        Status.SUBMITTED: _("已收到"),
        Status.NOT_USED: _("未采用"),
        Status.EDITED: _("编报中"),
        Status.APPROVED: _("编报中"),
        Status.ISSUED: _("已编发"),
        Status.FORWARDED: _("已报送"),
    }

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="opinion_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    title = models.CharField(_("标题"), max_length=200, validators=[single_line])
    situation = LimitedTextField(_("基本情况"), max_length=limits.TEXT)
    analysis = LimitedTextField(_("问题分析"), blank=True, max_length=limits.TEXT)
    suggestion = LimitedTextField(_("意见建议"), max_length=limits.TEXT)
    member = models.ForeignKey(
        Member,
        verbose_name=_("反映人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("联络处集体报送时留空。"),
        related_name="opinion_reports",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    not_used_reason = LimitedTextField(_("未采用原因"), blank=True)
    issue_number = models.CharField(_("期号"), max_length=30, blank=True, validators=[single_line])
    issued_on = models.DateField(_("签发日期"), null=True, blank=True, validators=[plausible_date])
    forwarded_to = models.CharField(
        _("报送单位"), max_length=200, blank=True, validators=[single_line]
    )
    forwarded_on = models.DateField(
        _("报送日期"), null=True, blank=True, validators=[plausible_date]
    )
    source_proposal = models.OneToOneField(
        Proposal,
        verbose_name=_("转自提案"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_report",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Precomputed for search (proposals.textindex).
    text_grams = models.TextField(editable=False, blank=True, default="")
    history = HistoricalRecords(excluded_fields=["text_grams"])

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("社情民意信息")
        verbose_name_plural = _("社情民意信息")
        indexes = [
            models.Index(fields=["office", "year", "status"], name="opinion_office_year_idx")
        ]

    def __str__(self):
        return self.title

    @property
    def length(self) -> int:
        return len(self.situation) + len(self.analysis) + len(self.suggestion)

    @property
    def is_too_long(self) -> bool:
        return self.length > self.LENGTH_WARNING


class Adoption(models.Model):
    """A record that a public-opinion report was used (采用), at which level and how."""

    class Level(models.TextChoices):
        STREET = "street", _("街道")
        DISTRICT = "district", _("区级")
        CITY = "city", _("市级")
        PROVINCE = "province", _("省级")
        NATIONAL = "national", _("全国")

    class Kind(models.TextChoices):
        ADOPTED = "adopted", _("采用")
        COMBINED = "combined", _("综合采用")
        FORWARDED = "forwarded", _("转有关部门")
        INSTRUCTION = "instruction", _("领导批示")

    report = models.ForeignKey(
        OpinionReport,
        verbose_name=_("社情民意"),
        on_delete=models.CASCADE,
        related_name="adoptions",
    )
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("采用方式"), max_length=12, choices=Kind.choices)
    body = models.CharField(_("采用单位"), max_length=100, blank=True, validators=[single_line])
    instruction_text = LimitedTextField(_("批示内容"), blank=True, max_length=limits.TEXT)
    adopted_on = models.DateField(_("采用日期"), validators=[plausible_date])
    history = HistoricalRecords()

    class Meta:
        ordering = ["-adopted_on"]
        verbose_name = _("采用情况")
        verbose_name_plural = _("采用情况")

    def __str__(self):
        return f"{self.get_level_display()}{self.get_kind_display()}"

    @property
    def points_kind(self) -> str:
        return f"opinion_adopted_{self.level}"


class ResearchReport(models.Model):
    """调研报告: a research group's report on an issue before a street decision."""

    office = models.ForeignKey(
        Office, verbose_name=_("联络处"), on_delete=models.PROTECT, related_name="research_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    topic = models.CharField(_("调研课题"), max_length=200, validators=[single_line])
    lead_member = models.ForeignKey(
        Member,
        verbose_name=_("牵头委员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Members may come from several offices (joint research groups).
    group_members = models.ManyToManyField(
        Member, verbose_name=_("调研组成员"), blank=True, related_name="research_reports"
    )
    summary = LimitedTextField(_("内容摘要"), blank=True, max_length=limits.TEXT)
    file = models.FileField(
        _("报告文件"),
        upload_to="proposals/research/%Y/",
        blank=True,
        validators=[validate_document],
    )
    submitted_to = models.CharField(
        _("报送对象"), max_length=200, blank=True, validators=[single_line]
    )
    submitted_on = models.DateField(
        _("报送日期"),
        null=True,
        blank=True,
        help_text=_("填写报送日期后，牵头委员和调研组成员各得“参加调研视察”积分。"),
        validators=[plausible_date],
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("调研报告")
        verbose_name_plural = _("调研报告")

    def __str__(self):
        return self.topic


class ResearchAdoption(models.Model):
    report = models.ForeignKey(
        ResearchReport,
        verbose_name=_("调研报告"),
        on_delete=models.CASCADE,
        related_name="adoptions",
    )
    body = models.CharField(_("采纳单位"), max_length=100, validators=[single_line])
    content = LimitedTextField(_("采纳内容"), max_length=limits.TEXT)
    adopted_on = models.DateField(_("采纳日期"), validators=[plausible_date])

    class Meta:
        ordering = ["-adopted_on"]
        verbose_name = _("调研成果采纳")
        verbose_name_plural = _("调研成果采纳")

    def __str__(self):
        return f"{self.body} {self.adopted_on}"


class GramFrequency(models.Model):
    """How many proposals' 案由 and 建议办法 hold a gram (the document frequency of the
    similar-proposal list's TF-IDF, proposals.textindex); the row named ``TOTAL`` counts
    the proposals. Kept up to date as proposals are saved."""

    TOTAL = ""

    gram = models.CharField(max_length=20, unique=True, blank=True, validators=[single_line])
    documents = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("词频")
        verbose_name_plural = _("词频")

    def __str__(self):
        return f"{self.gram} {self.documents}"
