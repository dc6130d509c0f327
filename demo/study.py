"""Speeches and study for each office (委员发言, 参阅资料): at every briefing held, a
member arranged on the agenda's 委员座谈发言 speaks on stage and another joins the
discussion, one of them adopted now and then; the sign-in member (唐朝阳) hands in a
written speech this year. The office's materials library holds four materials — to
everyone, to the current term and to two 界别 — most read by most of their audience,
with a few reflections (学习体会). The sign-in member has read all but the newest (one
study to-do on the home page) and handed in one reflection.

Speeches are arranged and recorded through the services, so their points follow the
rules; read marks and reflections are written in bulk with their dates. Runs before
the plans area closes last year."""

import datetime
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from briefings import services as briefing_services
from briefings.models import Activity, AgendaItem, Invitation, Speech
from liaison.models import today
from liaison.transactions import use_case
from members.models import (
    Member,
    PointEntry,
    Sector,
    StudyMaterial,
    StudyRead,
    StudyReflection,
    Term,
)
from members.points import PointsLedger
from members.services import refresh_study_counts

from . import bulk
from .duties import EVIDENCE
from .proposals import SHOWCASE_MEMBER

SPEECH_TITLES = [
    "关于加快老旧小区加装电梯的建议",
    "推动背街小巷提质改造的几点思考",
    "关于优化辖区营商环境的建议",
    "发挥界别优势助力社区养老服务",
    "关于校园周边食品安全常态化监管的建议",
    "推进垃圾分类提质增效的建议",
]
SPEECH_TEXT = (
    "结合走访调研情况，就{topic}提出三点建议：一是摸清底数、分类施策；二是整合资源、"
    "形成合力；三是建立长效机制，定期听取群众意见。"
)

# (title, summary, file or link, audience, days before today it was published)
MATERIALS = [
    (
        "人民政协工作学习读本（节选）",
        "人民政协性质定位、履职方式和委员责任担当的基本知识。",
        "file",
        StudyMaterial.Audience.ALL,
        400,
    ),
    (
        "区政协全会精神学习辅导材料",
        "区政协全会工作报告和提案工作情况报告的要点解读。",
        "https://www.cppcc.gov.cn/",
        StudyMaterial.Audience.TERM,
        90,
    ),
    (
        "民营经济发展政策汇编",
        "支持民营经济和小微企业发展的最新政策，供经济界、工商联委员参阅。",
        "file",
        StudyMaterial.Audience.SECTORS,
        45,
    ),
    (
        "街道民生实事项目清单",
        "街道今年十项民生实事项目的内容、进度和责任科室。",
        "file",
        StudyMaterial.Audience.ALL,
        6,
    ),
]
REFLECTIONS = [
    "通过学习，进一步认识到委员要在协商中深入调研、建言资政，下一步将围绕社区治理多提务实建议。",
    "学习后深受启发，准备结合本单位实际，就小微企业融资难问题开展调研并形成提案。",
    "民生实事件件连着群众，建议对项目进度定期公示，接受居民和委员监督。",
]
SECTORS = ("经济界", "工商联")


def _staff(office):
    return get_user_model().objects.filter(office=office, is_staff=True).order_by("pk").first()


def _speeches(office, staff, today, rng, *, in_bulk: bool) -> int:
    recorded = 0
    briefings = (
        Activity.objects.filter(office=office, status=Activity.Status.HELD, kind__is_briefing=True)
        .select_related("kind")
        .order_by("starts_at")
    )
    arranged, speeches = [], []
    for activity in briefings:
        attended = list(
            Member.objects.filter(
                pk__in=Invitation.objects.filter(
                    activity=activity, attendance=Invitation.Attendance.ATTENDED
                ).values("member_id")
            )
            .exclude(name=SHOWCASE_MEMBER)
            .order_by("pk")
        )
        item = activity.agenda.filter(title="委员座谈发言").first()
        if len(attended) < 2 or item is None:
            continue
        on_stage, exchange = rng.sample(attended, 2)
        if in_bulk:
            item.speaker = on_stage
            arranged.append(item)
        else:
            briefing_services.agenda_speaker_arrange(item=item, member=on_stage, actor=staff)
        for member, kind in ((on_stage, Speech.Kind.PLENARY), (exchange, Speech.Kind.EXCHANGE)):
            title = rng.choice(SPEECH_TITLES)
            fields = dict(
                activity=activity,
                member=member,
                kind=kind,
                title=title,
                text=SPEECH_TEXT.format(topic=title.removeprefix("关于").removesuffix("的建议")),
                delivered_on=activity.date,
                is_adopted=kind == Speech.Kind.PLENARY and rng.random() < 0.5,
                agenda_item=item if member == on_stage else None,
            )
            if in_bulk:
                speeches.append(Speech(**fields, created_by=staff))
            else:
                briefing_services.speech_record(**fields, actor=staff)
            recorded += 1
    if in_bulk:
        _speeches_in_bulk(office, staff, arranged, speeches)
    showcase = Member.objects.filter(office=office, name=SHOWCASE_MEMBER).first()
    latest = briefings.filter(starts_at__year=today.year).last()
    if showcase is not None and latest is not None:
        briefing_services.speech_record(
            activity=latest,
            member=showcase,
            kind=Speech.Kind.WRITTEN,
            title="关于推进社区嵌入式养老服务的建议",
            file=ContentFile(EVIDENCE, name="书面发言.pdf"),
            delivered_on=latest.date,
            is_adopted=True,
            actor=staff,
        )
        recorded += 1
    return recorded


def _speeches_in_bulk(office, staff, arranged, speeches) -> None:
    """What ``agenda_speaker_arrange`` and ``speech_record`` write for an office other
    than the sign-in member's, at once: the agenda's speakers and the speeches with
    their history rows, and the points the rules give each speech's kind and its
    adoption (``PointsLedger``: the same rules, caps and closed years as
    ``points_award``), recorded by staff."""
    with use_case():
        bulk_update_with_history(arranged, AgendaItem, ["speaker"], batch_size=500)
        speeches = bulk_create_with_history(speeches, Speech, batch_size=500)
        ledger = PointsLedger([office])
        for speech in speeches:
            for kind in (speech.point_kind, Speech.ADOPTED_POINTS)[: 1 + speech.is_adopted]:
                entry = ledger.award(
                    member_id=speech.member_id,
                    kind=kind,
                    occurred_on=speech.delivered_on,
                    source=speech,
                    description=speech.title,
                )
                if entry is not None:
                    entry.created_by = staff
        bulk.write_points(ledger)


def _published_to(member, materials, sector_ids) -> set[int]:
    """The pks of ``materials`` published to ``member`` (``members.selectors.published_to``
    read in memory rather than queried per member: the city scale has 60,000)."""
    A = StudyMaterial.Audience
    return {
        m.pk
        for m in materials
        if m.office_id == member.office_id
        and m.published_on <= today()
        and (
            m.audience == A.ALL
            or (m.audience == A.TERM and m.term_id == member.term_id)
            or (m.audience == A.SECTORS and member.sector_id in sector_ids)
        )
    }


def _materials(office, staff, today, rng) -> tuple[int, int, int]:
    term = Term.objects.filter(is_current=True).first()
    sectors = list(Sector.objects.filter(name__in=SECTORS))
    materials = []
    for title, summary, source, audience, days in MATERIALS:
        if audience == StudyMaterial.Audience.TERM and term is None:
            audience = StudyMaterial.Audience.ALL
        material = StudyMaterial(
            office=office,
            title=title,
            summary=summary,
            audience=audience,
            term=term if audience == StudyMaterial.Audience.TERM else None,
            published_on=max(
                today - datetime.timedelta(days=days), datetime.date(today.year - 1, 1, 1)
            ),
            created_by=staff,
        )
        if source == "file":
            material.file = ContentFile(EVIDENCE, name=f"{title}.pdf")
        else:
            material.url = source
        material.save()
        if audience == StudyMaterial.Audience.SECTORS:
            material.sectors.set(sectors)
        materials.append(material)

    members = list(
        Member.objects.filter(office=office, status=Member.Status.SERVING).order_by("pk")
    )
    newest = max(materials, key=lambda m: m.published_on)
    sector_ids = {s.pk for s in sectors}
    reads, reflections = [], []
    for member in members:
        showcase = member.name == SHOWCASE_MEMBER
        mine = _published_to(member, materials, sector_ids)
        for material in materials:
            if material.pk not in mine:
                continue
            if showcase:
                if material == newest:
                    continue  # the one left to read: the home page's study to-do
            elif rng.random() > 0.7:
                continue
            opened = material.published_on + datetime.timedelta(
                days=rng.randint(0, max(0, min(10, (today - material.published_on).days)))
            )
            at = timezone.make_aware(datetime.datetime.combine(opened, datetime.time(20, 15)))
            reads.append(StudyRead(material=material, member=member, read_at=at))
            if (showcase and material == materials[0]) or (not showcase and rng.random() < 0.12):
                reflections.append(
                    StudyReflection(
                        material=material,
                        member=member,
                        text=rng.choice(REFLECTIONS),
                        submitted_at=at + datetime.timedelta(days=1),
                    )
                )
    bulk.insert(StudyRead, reads)
    bulk.insert(StudyReflection, reflections)
    refresh_study_counts(m.pk for m in materials)
    return len(materials), len(reads), len(reflections)


def seed_study(*, offices, today: datetime.date, rng: random.Random, actor=None) -> dict:
    counts = defaultdict(int)
    showcase = Member.objects.filter(name=SHOWCASE_MEMBER, office__in=offices).first()
    for office in offices:
        staff = _staff(office)
        if staff is None:
            continue
        # The sign-in member's office records its speeches through the services.
        in_bulk = showcase is None or office.pk != showcase.office_id
        counts["发言"] += _speeches(office, staff, today, rng, in_bulk=in_bulk)
        materials, reads, reflections = _materials(office, staff, today, rng)
        counts["参阅资料"] += materials
        counts["阅读"] += reads
        counts["学习体会"] += reflections
    return dict(counts)


def reset_study(*, offices) -> None:
    """Delete the speeches (and their points) and the materials library of ``offices``
    (before the briefings and the roster: a speech protects its activity and member)."""
    offices = list(offices)
    speech_ids = list(
        Speech.objects.filter(
            Q(activity__office__in=offices) | Q(member__office__in=offices)
        ).values_list("pk", flat=True)
    )
    material_ids = list(
        StudyMaterial.objects.filter(office__in=offices).values_list("pk", flat=True)
    )
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        PointEntry.objects.filter(
            source_type=ContentType.objects.get_for_model(Speech), source_id__in=speech_ids
        ).delete()
        for speech in Speech.objects.filter(pk__in=speech_ids).exclude(file=""):
            speech.file.delete(save=False)
        Speech.objects.filter(pk__in=speech_ids).delete()
        AgendaItem.objects.filter(activity__office__in=offices).update(speaker=None)
        for material in StudyMaterial.objects.filter(pk__in=material_ids):
            if material.file:
                material.file.delete(save=False)
        StudyMaterial.objects.filter(pk__in=material_ids).delete()
    Speech.history.filter(id__in=speech_ids).delete()
    StudyMaterial.history.filter(id__in=material_ids).delete()
    StudyReflection.history.filter(material_id__in=material_ids).delete()
