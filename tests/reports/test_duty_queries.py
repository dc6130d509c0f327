"""One member's duty record and an office's ranking cost the same number of queries with
100 and with 10,000 ledger entries in the office, and as many speeches, materials read
and reflections (DOMAIN.md duty record; issue 17)."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from briefings.models import Speech
from members.models import PointEntry, PointRule, StudyMaterial, StudyRead, StudyReflection
from reports import documents
from reports.models import Document
from tests.factories import MemberFactory, activity_scheduled

pytestmark = pytest.mark.django_db

KINDS = [PointRule.Kind.ACTIVITY_ATTENDED, PointRule.Kind.SPEECH, PointRule.Kind.RESEARCH]


def _fill(office, members, n):
    rng = random.Random(n)
    PointEntry.objects.bulk_create(
        [
            PointEntry(
                member=rng.choice(members),
                kind=rng.choice(KINDS),
                year=2026,
                points=5,
                occurred_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
                description=f"第{i}次",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    activity = activity_scheduled(office=office, title=f"第{n}次学习会", kind="学习")
    Speech.objects.bulk_create(
        [
            Speech(
                activity=activity,
                member=rng.choice(members),
                kind=rng.choice(Speech.Kind.values),
                title=f"发言{i}",
                text="发言内容",
                delivered_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300),
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    materials = StudyMaterial.objects.bulk_create(
        [
            StudyMaterial(
                office=office,
                title=f"参阅资料{n}-{i}",
                url="https://www.cppcc.gov.cn/",
                published_on=datetime.date(2026, 1, 5),
            )
            for i in range(n // len(members))
        ]
    )
    handed_in = {
        "text": "学习体会",
        "submitted_at": datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    }
    for model, extra in ((StudyRead, {}), (StudyReflection, handed_in)):
        model.objects.bulk_create(
            [model(material=m, member=who, **extra) for m in materials for who in members],
            batch_size=2000,
        )


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run()
    return len(ctx.captured_queries)


def test_duty_record_and_ranking_queries_do_not_grow_with_the_ledger(office, member, member_client):
    members = [member] + [MemberFactory(office=office, mobile="") for _ in range(9)]
    url = reverse("portal:duty_record") + "?year=2026"
    ranking = documents.BUILDERS[Document.Kind.RANKING]

    def page():
        assert member_client.get(url).status_code == 200

    def rank():
        ranking(office, {"year": 2026}, datetime.date(2026, 11, 26))

    _fill(office, members, 100)
    small = (_queries(page), _queries(rank))
    _fill(office, members, 9_900)
    assert PointEntry.objects.filter(member__office=office).count() == 10_000
    assert Speech.objects.filter(member__office=office).count() == 10_000
    assert StudyReflection.objects.filter(member__office=office).count() == 10_000
    assert (_queries(page), _queries(rank)) == small
