"""What the demo writes in bulk for the offices other than the sign-in member's (the
city scale's): the same rows the services write one by one (demo/bulk.py)."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from briefings.models import Speech
from consultations import services
from consultations.models import Answer, Consultation, Question
from consultations.notifications import portal_path
from demo import bulk, roster
from demo.plans import ITEMS
from demo.study import _published_to
from liaison.models import Notification, Office
from liaison.services import _prepare
from members.models import Member, PointEntry, Sector, StudyMaterial, Term
from members.notifications import member_channels, member_rows
from members.selectors import published_to
from plans.models import PlanItem, WorkPlan

from .seeding import seed
from .timelines import timeline_faults

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 6)
ROW_FIELDS = (
    "channel",
    "kind",
    "dedupe_key",
    "subject",
    "body",
    "recipient_id",
    "address",
    "link",
    "office_id",
    "sms_params",
    "status",
)


def _fields(row: Notification) -> tuple:
    return tuple(getattr(row, name) for name in ROW_FIELDS)


def _service_rows(members, *, kind, key, template, context, link, office) -> list[tuple]:
    now = timezone.now()
    return [
        _fields(_prepare(row, now))
        for member in members
        for row in member_rows(
            member,
            kind=kind,
            key=key,
            template=template,
            context={**context, "member": member},
            link=link,
            office=office,
        )
    ]


@pytest.fixture
def consulted():
    """The small demo's roster, a few members asked by e-mail, and a consultation."""
    roster.demo_seed(scale="small", today=timezone.localdate())
    chosen = Member.objects.exclude(email="").order_by("pk").values_list("pk", flat=True)[:6]
    Member.objects.filter(pk__in=list(chosen)).update(
        receive_deadlines=Notification.Channel.EMAIL, receive_news=Notification.Channel.EMAIL
    )
    # And two without an account (by SMS, or the e-mail they chose).
    Member.objects.filter(pk__in=list(chosen)[:2]).update(user=None)
    members = list(
        Member.objects.filter(status=Member.Status.SERVING).select_related("user", "office")
    )
    office = members[0].office
    consultation = services.consultation_create(
        actor=None,
        office=office,
        title="老旧小区改造实施方案（征求意见稿）",
        summary="拟对12个小区实施改造。",
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )
    Question.objects.create(consultation=consultation, position=1, text="您的意见？")
    return Consultation.objects.get(pk=consultation.pk), members


def test_a_request_to_many_members_is_the_rows_the_service_writes(consulted):
    consultation, members = consulted
    message = dict(
        kind="consultation_request",
        key=f"consultation-open:{consultation.pk}",
        template="consultations/request",
        context={"consultation": consultation, "office": consultation.office},
        link=portal_path(consultation),
        office=consultation.office,
    )
    expected = _service_rows(members, **message)

    written = bulk.member_messages(members, **message)

    assert [_fields(row) for row in written] == expected
    # Every channel and both kinds of member (with and without an account) compared.
    assert {row.channel for row in written} == set(Notification.Channel.values)
    assert {row.recipient_id is None for row in written} == {True, False}

    bulk.insert(Notification, written)
    stored = Notification.objects.filter(kind="consultation_request").order_by("pk")
    assert [_fields(row) for row in stored] == [_fields(row) for row in written]
    assert all(row.created_at and row.next_attempt_at for row in stored)


@pytest.mark.parametrize("outcome", [Answer.Outcome.ADOPTED, Answer.Outcome.NOTED])
def test_an_outcome_to_many_members_is_the_rows_the_service_writes(consulted, outcome):
    consultation, members = consulted
    message = dict(
        kind="consultation_outcome",
        key=f"consultation-outcome:{consultation.pk}",
        template="consultations/outcome",
        context={
            "consultation": consultation,
            "office": consultation.office,
            "answer": Answer(outcome=outcome, outcome_note="已吸收进方案修改稿。"),
        },
        link=portal_path(consultation),
        office=consultation.office,
    )

    assert [_fields(row) for row in bulk.member_messages(members, **message)] == (
        _service_rows(members, **message)
    )


def test_the_materials_a_member_sees_are_the_selectors():
    roster.demo_seed(scale="small", today=timezone.localdate())
    office = Member.objects.first().office
    term = Term.objects.filter(is_current=True).first()
    sectors = list(Sector.objects.order_by("pk")[:2])
    today = timezone.localdate()
    materials = []
    for audience, days in [
        (StudyMaterial.Audience.ALL, 3),
        (StudyMaterial.Audience.TERM, 2),
        (StudyMaterial.Audience.SECTORS, 1),
        (StudyMaterial.Audience.ALL, -2),  # not published yet
    ]:
        material = StudyMaterial.objects.create(
            office=office,
            title="学习材料",
            audience=audience,
            term=term if audience == StudyMaterial.Audience.TERM else None,
            published_on=today - datetime.timedelta(days=days),
            url="https://www.cppcc.gov.cn/",
        )
        if audience == StudyMaterial.Audience.SECTORS:
            material.sectors.set(sectors)
        materials.append(material)

    for member in Member.objects.filter(office=office):
        assert _published_to(member, materials, {s.pk for s in sectors}) == set(
            StudyMaterial.objects.filter(published_to(member)).values_list("pk", flat=True)
        ), member


def test_offices_seeded_in_bulk_keep_their_timelines_to_the_workflows(monkeypatch):
    # Two offices: the sign-in member's through the services, the other in bulk.
    monkeypatch.setitem(roster.SCALES, "small", roster.Scale(offices=2, members=160))

    seed()

    assert timeline_faults(timezone.localdate())[0] == []
    opened = Consultation.objects.exclude(status=Consultation.Status.DRAFT)
    assert opened.values("office").distinct().count() == 2
    for consultation in opened:
        requests = Notification.objects.filter(
            kind="consultation_request",
            dedupe_key__startswith=f"consultation-open:{consultation.pk}:",
        )
        members = Member.objects.filter(consultations__consultation=consultation)
        assert consultation.recipient_count == members.count() > 0
        assert requests.count() == sum(
            len(member_channels(m, "consultation_request")) for m in members.select_related("user")
        )

    # The speeches, their points and the plan items, in both offices alike.
    offices = list(Office.objects.order_by("pk"))
    speech = ContentType.objects.get_for_model(Speech)
    for office in offices:
        speeches = Speech.objects.filter(activity__office=office)
        assert speeches.exists()
        assert (
            PointEntry.objects.filter(
                source_type=speech, source_id__in=speeches.values("pk")
            ).count()
            >= speeches.count()
        )
        assert Speech.history.filter(activity__office=office).count() >= speeches.count()
        for plan in WorkPlan.objects.filter(office=office, status=WorkPlan.Status.DRAFT):
            assert plan.items.count() == len(ITEMS)
        assert PlanItem.history.filter(plan__office=office).exists()

    # --reset deletes what the bulk writes left, and writes the same again (the seed is
    # deterministic).
    def written():
        return (
            [m.objects.count() for m in (Notification, Speech, PointEntry, PlanItem)],
            # Links name the records' primary keys, which a rebuild renumbers, or are
            # signed with the time.
            sorted(
                (kind, channel, subject, re.sub(r"https?://\S+", "", body))
                for kind, channel, subject, body in Notification.objects.values_list(
                    "kind", "channel", "subject", "body"
                )
            ),
            sorted(Speech.objects.values_list("member__member_no", "kind", "title", "is_adopted")),
        )

    before = written()
    seed("--reset")
    assert written() == before
