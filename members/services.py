"""Writes to the roster. The admin, the portal, imports and commands all come through
here, so the rules below hold however a member record is changed."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import roles
from liaison.counts import refresh_counts
from liaison.models import today
from liaison.scoping import visible_offices
from liaison.selectors import count_of
from liaison.transactions import service
from liaison.workflow import WorkflowError, lock, record_creation, refuse, transition

from . import workflows as claim_workflows
from .accounts import invitation_issue
from .models import (
    DELIVERY_CHOICES,
    DELIVERY_FIELDS,
    Contribution,
    DutyClaim,
    Member,
    StudyMaterial,
    StudyRead,
    StudyReflection,
)
from .notifications import duty_claim_decided
from .selectors import mobile_taken, published_to
from .workflows import closed_year_refusal

# The fields a member may correct in the portal. Everything else on the record is
# official (kept by the office) and read-only to the member.
CONTACT_FIELDS = ("mobile", "office_phone", "email", "wechat", "home_address", "work_address")

# Mainland mobile numbers: 11 digits starting with 1.
MOBILE_RE = re.compile(r"^1\d{10}$")
_MOBILE_NOISE_RE = re.compile(r"[\s\-]")


def normalize_mobile(value: str) -> str:
    """Drop the spaces and hyphens people type into phone numbers, and a +86 prefix."""
    value = _MOBILE_NOISE_RE.sub("", value or "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_mobile(value: str) -> None:
    if value and not MOBILE_RE.match(value):
        raise ValidationError(_("手机号码应为以 1 开头的 11 位数字。"), code="invalid_mobile")


def _mobile_in_use_error() -> ValidationError:
    return ValidationError(
        {"mobile": _("该手机号码已登记在其他委员名下，请核对；如有疑问请联系联络处。")},
        code="mobile_in_use",
    )


@service
def member_portal_account_create(*, member: Member, password: str | None = None, actor):
    """Open a member's account for the portal, or bring an existing one up to date.

    The account's username is the member number (members also sign in with their
    mobile number, see members.backends). Without a password (staff opening accounts)
    the account stays inactive with no usable password, and the member is sent an
    invitation to activate it (members/accounts.py): they confirm their mobile number by
    SMS code and choose a password. An account that is already active is only brought up
    to date. With a password (the demo, tests) the account is active at once.
    """
    User = get_user_model()
    original = member
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("user", "office")
        .get(pk=member.pk)
    )
    if password is None and not member.is_serving:
        raise ValidationError(
            _("%(name)s已不在任，不能开通账号。") % {"name": member.name}, code="not_serving"
        )
    user = member.user
    if user is None:
        user = User.objects.filter(username=member.member_no).first()
        if user is not None and Member.objects.filter(user=user).exclude(pk=member.pk).exists():
            raise ValidationError(
                _("账号“%(username)s”已属于其他委员，无法关联。"),
                code="account_in_use",
                params={"username": member.member_no},
            )
    if user is None:
        user = User(username=member.member_no)
    user.email = member.email
    user.full_name = member.name
    user.phone = member.mobile
    invite = False
    if password:
        user.is_active = True
        user.set_password(password)
    elif user.pk is None or not (user.is_active and user.has_usable_password()):
        user.is_active = False
        user.set_unusable_password()
        invite = True
    user.save()
    user.groups.add(Group.objects.get(name=roles.MEMBER))

    if member.user_id != user.pk:
        member.user = user
        member._history_user = actor
        member._change_reason = _("开通委员服务平台账号")
        member.save(update_fields=["user", "updated_at"])
    if invite:
        invitation_issue(member=member, actor=actor)
    # Let the caller's instance see the account (it was re-read above under a lock).
    original.user = user
    return user


@dataclass
class AccountsOpened:
    """What opening accounts for a selection of members did."""

    invited: int = 0
    already_active: int = 0
    refused: list[str] = field(default_factory=list)


def member_accounts_open(*, member_ids, actor, progress=None) -> AccountsOpened:
    """Open accounts (send invitations) for the members ``member_ids``: each member is
    its own use case, so one refused member (no longer serving, a clashing account)
    leaves the others opened. ``progress(done, total)`` is called as it goes."""
    report = AccountsOpened()
    members = list(Member.objects.filter(pk__in=list(member_ids)).select_related("user"))
    for done, member in enumerate(members, start=1):
        if member.user is not None and member.user.is_active:
            report.already_active += 1
        else:
            try:
                member_portal_account_create(member=member, actor=actor)
            except ValidationError as error:
                report.refused.append(f"{member.name}：{' '.join(error.messages)}")
            else:
                report.invited += 1
        if progress is not None:
            progress(done, len(members))
    return report


@service
def member_update_contact(*, member: Member, actor, **fields) -> list[str]:
    """Update a member's contact details and nothing else; returns the names of the
    fields that changed (empty when nothing did, and then no history row is written).

    The account's e-mail and phone follow the member's, so password reset mail goes to
    the address the member just gave.
    """
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"Not contact fields: {', '.join(sorted(unknown))}")

    cleaned = {name: (value or "").strip() for name, value in fields.items()}
    if "mobile" in cleaned:
        cleaned["mobile"] = normalize_mobile(cleaned["mobile"])
        try:
            validate_mobile(cleaned["mobile"])
        except ValidationError as error:
            raise ValidationError({"mobile": error.messages}) from error
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError as error:
            raise ValidationError({"email": _("请输入有效的电子邮箱地址。")}) from error

    # Lock the row: two quick saves from the member's phone must not interleave.
    locked = Member.objects.select_for_update(of=("self",)).select_related("user").get(pk=member.pk)
    changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
    if not changed:
        return []
    if "mobile" in changed and mobile_taken(cleaned["mobile"], exclude_member_id=locked.pk):
        raise _mobile_in_use_error()

    for name in changed:
        setattr(locked, name, cleaned[name])
    locked._history_user = actor
    labels = "、".join(str(Member._meta.get_field(name).verbose_name) for name in changed)
    locked._change_reason = _("更新联系方式：%(fields)s") % {"fields": labels}
    try:
        # A savepoint, so that losing a race for the mobile number leaves the outer
        # transaction usable for the readable error below.
        with transaction.atomic():
            locked.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        raise _mobile_in_use_error() from error

    user = locked.user
    if user is not None:
        user_fields = []
        if "email" in changed and user.email != locked.email:
            user.email = locked.email
            user_fields.append("email")
        if "mobile" in changed and user.phone != locked.mobile:
            user.phone = locked.mobile
            user_fields.append("phone")
        if user_fields:
            user.save(update_fields=user_fields)

    # Let the caller's instance show what was saved.
    for name in changed:
        setattr(member, name, cleaned[name])
    return changed


@service
def member_update_delivery(*, member: Member, actor, **choices) -> list[str]:
    """Set how the member receives each kind of message (``DELIVERY_FIELDS``: SMS,
    e-mail or the portal only); returns the names of the fields that changed."""
    unknown = set(choices) - set(DELIVERY_FIELDS)
    if unknown:
        raise ValueError(f"Not delivery fields: {', '.join(sorted(unknown))}")
    allowed = {value for value, _label in DELIVERY_CHOICES}
    wrong = {
        name: _("请选择短信、电子邮件或只在平台查看。")
        for name, value in choices.items()
        if value not in allowed
    }
    if wrong:
        raise ValidationError(wrong)
    locked = Member.objects.select_for_update().get(pk=member.pk)
    changed = [name for name, value in choices.items() if getattr(locked, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, choices[name])
        setattr(member, name, choices[name])
    locked._history_user = actor
    labels = "、".join(str(Member._meta.get_field(name).verbose_name) for name in changed)
    locked._change_reason = _("更新消息接收方式：%(fields)s") % {"fields": labels}
    locked.save(update_fields=[*changed, "updated_at"])
    return changed


# --- Duties the member reports (DutyClaim) ----------------------------------------------


@service
def duty_claim_submit(
    *,
    member: Member,
    actor,
    kind: str,
    title: str,
    occurred_on,
    description: str,
    evidence,
    contribution_kind: str = "",
    amount=None,
) -> DutyClaim:
    """The member reports a duty with its evidence, for staff to approve."""
    if occurred_on > today():
        raise WorkflowError(_("履职日期不能晚于今天。"))
    refuse(closed_year_refusal(member.office_id, occurred_on.year))
    if kind != DutyClaim.Kind.CONTRIBUTION:
        contribution_kind, amount = "", None
    elif not contribution_kind:
        raise WorkflowError(_("请选择贡献类别。"))
    claim = DutyClaim(
        member=member,
        kind=kind,
        title=title,
        occurred_on=occurred_on,
        description=description,
        evidence=evidence,
        contribution_kind=contribution_kind,
        amount=amount,
    )
    claim.full_clean()
    claim.save()
    record_creation(claim, actor=actor)
    return claim


def _refuse_other_office(claim: DutyClaim, actor) -> None:
    if not visible_offices(actor).filter(pk=claim.member.office_id).exists():
        raise WorkflowError(_("只能审核本联络处委员的申报。"))


@service
def duty_claim_approve(*, claim: DutyClaim, actor, note: str = "") -> DutyClaim:
    """Approve: the points the rules give the kind (a contribution also becomes the
    member's Contribution, which earns them)."""
    from .points import points_award

    claim = lock(claim)
    _refuse_other_office(claim, actor)
    refuse(claim_workflows.approve_refusal(claim))
    source = claim
    if claim.kind == DutyClaim.Kind.CONTRIBUTION:
        claim.contribution = Contribution.objects.create(
            member=claim.member,
            kind=claim.contribution_kind or Contribution.Kind.OTHER,
            year=claim.occurred_on.year,
            title=claim.title,
            amount=claim.amount,
            description=claim.description,
        )
        source = claim.contribution
    transition(
        claim,
        workflow=claim_workflows.CLAIM_WORKFLOW,
        target=DutyClaim.Status.APPROVED,
        actor=actor,
        note=note,
        update_fields=["contribution"],
    )
    points_award(
        member=claim.member,
        kind=claim.point_kind,
        occurred_on=claim.occurred_on,
        source=source,
        actor=actor,
        description=claim.title,
    )
    duty_claim_decided(claim)
    return claim


@service
def duty_claim_return(*, claim: DutyClaim, actor, reason: str) -> DutyClaim:
    """Return the claim to the member with the reason (they may report it again)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise WorkflowError(_("请填写退回原因。"))
    claim = lock(claim)
    _refuse_other_office(claim, actor)
    refuse(claim_workflows.return_refusal(claim))
    claim.return_reason = reason[:200]
    claim = transition(
        claim,
        workflow=claim_workflows.CLAIM_WORKFLOW,
        target=DutyClaim.Status.RETURNED,
        actor=actor,
        note=reason,
        update_fields=["return_reason"],
    )
    duty_claim_decided(claim)
    return claim


# --- Study: the materials library (参阅资料) ---------------------------------------------


def _published_to(material: StudyMaterial, member: Member) -> StudyMaterial:
    """The material, if it is published to the member; else a refusal."""
    found = StudyMaterial.objects.filter(published_to(member)).filter(pk=material.pk).first()
    if found is None:
        raise WorkflowError(_("该参阅资料未向您发布。"))
    return found


def refresh_study_counts(material_ids: Iterable[int] | int) -> None:
    """Recompute what these materials keep on their row: how many members read each and
    how many reflections were handed in (liaison.counts)."""
    refresh_counts(
        StudyMaterial,
        material_ids,
        {
            "read_count": count_of(StudyRead.objects.all(), "material"),
            "reflection_count": count_of(StudyReflection.objects.all(), "material"),
        },
    )


@service
def study_material_read(*, material: StudyMaterial, member: Member) -> StudyRead:
    """The member opened the material: the read mark (the first time is kept)."""
    material = _published_to(material, member)
    read, created = StudyRead.objects.get_or_create(material=material, member=member)
    if created:
        refresh_study_counts(material.pk)
    return read


@service
def study_reflection_submit(
    *, material: StudyMaterial, member: Member, actor, text: str, file=None
) -> StudyReflection:
    """The member hands in a reflection (学习体会) on a material published to them;
    handing in again replaces the earlier one. Reading is implied."""
    _check_member_self(actor, member)
    material = _published_to(material, member)
    text = (text or "").strip()
    if not text:
        raise WorkflowError(_("请填写学习体会。"))
    reflection = (
        StudyReflection.objects.select_for_update().filter(material=material, member=member).first()
    ) or StudyReflection(material=material, member=member)
    reflection.text = text
    if file:
        reflection.file = file
    reflection.submitted_at = timezone.now()
    try:
        reflection.full_clean()
    except ValidationError as error:
        raise WorkflowError(" ".join(error.messages)) from error
    reflection._history_user = actor
    reflection.save()
    StudyRead.objects.get_or_create(material=material, member=member)
    refresh_study_counts(material.pk)
    return reflection


def _check_member_self(actor, member: Member) -> None:
    if actor is not None and getattr(actor, "pk", None) != member.user_id:
        raise WorkflowError(_("只能以本人名义提交学习体会。"))
