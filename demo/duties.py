"""Duties the members report themselves (委员履职申报, ``members.DutyClaim``) for each
office: one waiting for the office's approval, one approved (its points awarded, a
contribution recorded) and one returned with the reason. Reported by the member and
decided by the office's staff through the services, as in the portal and the admin;
the evidence is a small scanned-looking PDF. Dates lie in the current year (never in a
closed assessment year)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test.utils import override_settings

from liaison.models import StatusChange
from members import services
from members.models import DutyClaim, Member

from .proposals import SHOWCASE_MEMBER

K = DutyClaim.Kind

# A minimal one-page PDF: what the upload check reads is the "%PDF" header.
EVIDENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# (kind, title, days ago, description, contribution kind, amount), then what the office
# decides: None (waiting), "approve", or the reason it is returned.
CLAIMS = [
    (
        K.INSPECTION,
        "参加区人大代表联合视察",
        12,
        "应区人大常委会邀请，参加辖区重点民生项目联合视察，就老旧小区改造进度提出意见。",
        "",
        None,
        None,
    ),
    (
        K.CONTRIBUTION,
        "捐资助学",
        40,
        "向街道困难家庭学生捐赠助学金，资助5名高中学生完成本学年学业。",
        "donation",
        Decimal("10000.00"),
        "approve",
    ),
    (
        K.WELFARE,
        "参加社区敬老院志愿服务",
        25,
        "参加社区敬老院重阳节志愿服务活动，为老人义诊并赠送生活用品。",
        "",
        None,
        "证明材料为活动海报，请补充活动签到表或现场照片后重新申报。",
    ),
]


def _staff(office):
    return get_user_model().objects.filter(office=office, is_staff=True).order_by("pk").first()


def _on(today: datetime.date, days: int) -> datetime.date:
    """``days`` before today, but not before the year began."""
    return max(today - datetime.timedelta(days=days), datetime.date(today.year, 1, 1))


def seed_duties(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    counts = {"履职申报": 0}
    for office in offices:
        staff = _staff(office)
        members = list(
            Member.objects.filter(office=office, status=Member.Status.SERVING, user__isnull=False)
            .exclude(name=SHOWCASE_MEMBER)
            .select_related("office", "user")
            .order_by("pk")[:20]
        )
        if staff is None or len(members) < len(CLAIMS):
            continue
        for member, (kind, title, days, description, contribution_kind, amount, decision) in zip(
            rng.sample(members, len(CLAIMS)), CLAIMS, strict=True
        ):
            claim = services.duty_claim_submit(
                member=member,
                actor=member.user,
                kind=kind,
                title=title,
                occurred_on=_on(today, days),
                description=description,
                evidence=ContentFile(EVIDENCE, name="证明材料.pdf"),
                contribution_kind=contribution_kind,
                amount=amount,
            )
            counts["履职申报"] += 1
            if decision == "approve":
                services.duty_claim_approve(claim=claim, actor=staff, note="材料齐全，予以认定。")
            elif decision:
                services.duty_claim_return(claim=claim, actor=staff, reason=decision)
    return counts


def reset_duties(*, offices) -> None:
    """Delete the claims of ``offices``' members with their timelines and history
    (their points and contributions go with the roster's reset)."""
    ids = list(DutyClaim.objects.filter(member__office__in=offices).values_list("pk", flat=True))
    kind = ContentType.objects.get_for_model(DutyClaim)
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        StatusChange.objects.filter(content_type=kind, object_id__in=ids).delete()
        DutyClaim.objects.filter(pk__in=ids).delete()
    DutyClaim.history.filter(id__in=ids).delete()
